//! Status and error texts built from user input stay on one RESP line (CR and LF become
//! spaces, as Redis does), and a script's `error_reply` picks its code as Redis 7 does.
//! Expected texts were taken from redis-server 7.0.15 running the Lua twins of these scripts.

use std::borrow::Cow;

use redlite::{Reply, Script, Store};

fn status(text: &'static str) -> Reply {
    Reply::Status(Cow::Borrowed(text))
}

fn error(text: &'static str) -> Reply {
    Reply::Error(Cow::Borrowed(text))
}

fn eval(store: &Store, script: &str) -> Reply {
    store.connection().execute(["EVAL", script, "0"])
}

#[test]
fn script_status_reply_turns_cr_and_lf_into_spaces() {
    let store = crate::common::rhai_store();
    let script = r#"redis::status_reply("x\ny\rz")"#;
    assert_eq!(eval(&store, script), status("x y z"));
    let via_invoke: Reply = Script::new(script).invoke(&store).unwrap_or(Reply::Nil);
    assert_eq!(via_invoke, status("x y z"));
    assert_eq!(
        eval(&store, r#"redis::status_reply("\nx\n")"#),
        status(" x ")
    );
    assert_eq!(eval(&store, r#"#{ok: "a\r\nb"}"#), status("a  b"));
}

#[test]
fn script_error_reply_takes_its_code_like_redis() {
    let store = crate::common::rhai_store();
    let cases = [
        (r#"redis::error_reply("x\ny")"#, "ERR x y"),
        (r#"redis::error_reply("x")"#, "ERR x"),
        (r#"redis::error_reply("")"#, "ERR "),
        (r#"redis::error_reply("\nx\n")"#, "ERR x"),
        (r#"redis::error_reply("-FOO bar")"#, "FOO bar"),
        (r#"redis::error_reply("FOO bar\nbaz")"#, "FOO bar baz"),
        (r#"redis::error_reply("x y")"#, "x y"),
    ];
    for (script, want) in cases {
        assert_eq!(eval(&store, script), error(want), "{script}");
    }
}

#[test]
fn script_errors_from_user_text_stay_on_one_line() {
    let store = crate::common::rhai_store();
    let Reply::Error(thrown) = eval(&store, r#"throw "a\nb""#) else {
        panic!("throw must be an error reply")
    };
    assert!(thrown.starts_with("ERR a b script: "), "{thrown}");
    let pcall = r#"redis::pcall("EXPIRE", KEYS[0], "1", "x\ny").err"#;
    let mut c = store.connection();
    c.execute(["SET", "k", "v"]);
    let reply = c.execute(["EVAL", pcall, "1", "k"]);
    assert_eq!(reply, Reply::bulk("ERR Unsupported option x y"));
}

#[test]
fn reply_constructors_keep_status_and_error_on_one_line() {
    assert_eq!(Reply::status("a\r\nb"), status("a  b"));
    assert_eq!(Reply::error("ERR a\nb"), error("ERR a b"));
    assert_eq!(Reply::status(String::from("OK")), Reply::ok());
}
