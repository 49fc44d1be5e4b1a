//! Server and connection commands, arity and unknown-command errors.

use crate::common::*;
use redlite::{Reply, Store};

#[test]
fn ping_and_echo() {
    let (_s, mut c, _) = setup();
    assert_eq!(c.execute(["PING"]), status("PONG"));
    assert_eq!(c.execute(["ping", "hello world"]), bulk("hello world"));
    assert_eq!(c.execute(["PING", ""]), bulk(""));
    assert_eq!(c.execute(["PING", "a", "b"]), arity("ping"));
    assert_eq!(c.execute(["ECHO", "x\0y"]), bulk("x\0y"));
    assert_eq!(c.execute(["ECHO"]), arity("echo"));
    assert_eq!(c.execute(["ECHO", "a", "b"]), arity("echo"));
}

#[test]
fn time_is_the_store_clock_in_seconds_and_microseconds() {
    let (_s, mut c, clock) = setup();
    clock.set(1_767_225_600_123);
    assert_eq!(c.execute(["TIME"]), bulks(&["1767225600", "123000"]));
    assert_eq!(c.execute(["TIME", "x"]), arity("time"));
}

#[test]
fn select_accepts_only_the_configured_databases() {
    let (_s, mut c, _) = setup();
    assert_eq!(c.execute(["SELECT", "0"]), ok());
    assert_eq!(c.execute(["SELECT", "15"]), ok());
    assert_eq!(
        c.execute(["SELECT", "16"]),
        err("ERR DB index is out of range")
    );
    assert_eq!(
        c.execute(["SELECT", "-1"]),
        err("ERR DB index is out of range")
    );
    // Redis 7's getIntFromObjectOrReply texts (checked against redis-server 7.0).
    assert_eq!(
        c.execute(["SELECT", "x"]),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(
        c.execute(["SELECT", "4294967296"]),
        err("ERR value is out of range, value must between -2147483648 and 2147483647")
    );
    assert_eq!(c.execute(["SELECT"]), arity("select"));
}

#[test]
fn flushdb_and_flushall_empty_the_store() {
    let (store, mut c, _) = setup();
    c.execute(["MSET", "a", "1", "b", "2"]);
    assert_eq!(c.execute(["FLUSHALL"]), ok());
    assert_eq!(store.dbsize().unwrap(), 0);
    c.execute(["SET", "a", "1", "EX", "10"]);
    assert_eq!(c.execute(["FLUSHDB", "ASYNC"]), ok());
    assert_eq!(c.execute(["DBSIZE"]), int(0));
    assert_eq!(c.execute(["FLUSHDB", "x"]), err(SYNTAX));
}

#[test]
fn unknown_commands_quote_their_args_with_a_trailing_space() {
    let (_s, mut c, _) = setup();
    assert_eq!(
        c.execute(["FOO"]),
        err("ERR unknown command 'FOO', with args beginning with: ")
    );
    assert_eq!(
        c.execute(["foo", "a", "b c"]),
        err("ERR unknown command 'foo', with args beginning with: 'a' 'b c' ")
    );
    assert_eq!(
        c.execute(["GETT", "x\r\ny"]),
        err("ERR unknown command 'GETT', with args beginning with: 'x  y' ")
    );
    let long = "n".repeat(200);
    let want = format!(
        "ERR unknown command '{}', with args beginning with: ",
        &long[..128]
    );
    assert_eq!(c.execute([long.as_str()]), err(&want));
}

#[test]
fn unknown_command_args_stop_at_128_bytes_of_list() {
    let (_s, mut c, _) = setup();
    // Each arg adds its bytes plus three (quotes and space); the list stops growing once
    // it reaches 128 bytes, and the last arg is cut to what was left.
    let arg = "a".repeat(60);
    let r = c.execute(["nope", &arg, &arg, &arg]);
    let a60 = &arg[..];
    let want = format!(
        "ERR unknown command 'nope', with args beginning with: '{a60}' '{a60}' '{}' ",
        &arg[..128 - 126]
    );
    assert_eq!(r, err(&want));
    // C strings: an argument stops at its first NUL byte.
    let r = c.execute([&b"nope"[..], b"ab\0cd"]);
    assert_eq!(
        r,
        err("ERR unknown command 'nope', with args beginning with: 'ab' ")
    );
}

// Error texts that echo user input replace CR and LF with spaces, as Redis does, so an
// error reply is always one RESP line.
#[test]
fn unknown_command_echoes_without_newlines() {
    let store = Store::new();
    let mut c = store.connection();
    assert_eq!(
        c.execute(["NO\nPE", "x\ry"]),
        Reply::error("ERR unknown command 'NO PE', with args beginning with: 'x y' ")
    );
}

#[test]
fn command_names_are_case_insensitive() {
    let (_s, mut c, _) = setup();
    assert_eq!(c.execute(["sEt", "k", "v"]), ok());
    assert_eq!(c.execute(["GeT", "k"]), bulk("v"));
    assert_eq!(c.execute(["gEt"]), arity("get"));
}

#[test]
fn empty_command_line_is_an_unknown_command() {
    let (_s, mut c, _) = setup();
    let none: [&str; 0] = [];
    assert_eq!(
        c.execute(none),
        err("ERR unknown command '', with args beginning with: ")
    );
}

#[test]
fn every_arity_error_names_the_command_in_lowercase() {
    let (_s, mut c, _) = setup();
    for name in redlite::command_names() {
        let r = c.execute([name, "a", "b", "c", "d", "e", "f", "g", "h", "i", "j"]);
        let upper = name.to_ascii_uppercase();
        let r0 = c.execute([upper.as_str()]);
        for reply in [r, r0] {
            if let Reply::Error(text) = &reply {
                if name == "exec" && text.contains("wrong number") {
                    // Redis turns EXEC's own arity error into EXECABORT (rejectCommand).
                    let abort = "EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command";
                    assert_eq!(reply, err(abort));
                } else if text.contains("wrong number") {
                    assert_eq!(reply, arity(name));
                }
            }
        }
        c.execute(["DISCARD"]);
        c.execute(["UNWATCH"]);
    }
}

#[test]
fn arity_errors_inside_multi_abort_exec() {
    let (_s, mut c, _) = setup();
    assert_eq!(c.execute(["MULTI"]), ok());
    assert_eq!(c.execute(["SET", "k", "v"]), status("QUEUED"));
    assert_eq!(c.execute(["GET"]), arity("get"));
    assert_eq!(
        c.execute(["NOPE", "x"]),
        err("ERR unknown command 'NOPE', with args beginning with: 'x' ")
    );
    assert_eq!(
        c.execute(["EXEC"]),
        err("EXECABORT Transaction discarded because of previous errors.")
    );
    assert_eq!(c.execute(["EXISTS", "k"]), int(0));
}

#[test]
fn runtime_errors_inside_exec_do_not_roll_back() {
    let (_s, mut c, _) = setup();
    c.execute(["SET", "s", "abc"]);
    c.execute(["MULTI"]);
    c.execute(["INCR", "s"]);
    c.execute(["SET", "t", "1"]);
    c.execute(["SET", "u", "1", "EX", "0"]);
    assert_eq!(
        c.execute(["EXEC"]),
        Reply::Array(vec![err(NOT_INT), ok(), bad_expire("set")])
    );
    assert_eq!(c.execute(["GET", "t"]), bulk("1"));
}
