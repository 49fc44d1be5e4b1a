//! CLIENT, HELLO, RESET, WAIT, TOUCH and DEBUG: connection identity, the registry of live
//! connections, reply modes, and the in-process answers of server commands.

use crate::common::*;
use redlite::Reply;

fn id(c: &mut redlite::Connection) -> i64 {
    match c.execute(["CLIENT", "ID"]) {
        Reply::Integer(n) => n,
        other => panic!("not an integer: {other:?}"),
    }
}

fn text(r: Reply) -> String {
    match r {
        Reply::Bulk(b) => String::from_utf8_lossy(&b).into_owned(),
        other => panic!("not a bulk: {other:?}"),
    }
}

#[test]
fn each_connection_has_its_own_increasing_id() {
    let (s, mut a, _) = setup();
    let mut b = s.connection();
    let (ia, ib) = (id(&mut a), id(&mut b));
    assert!(ib > ia && ia > 0);
    assert_eq!(id(&mut a), ia);
}

#[test]
fn setname_and_getname() {
    let (_s, mut c, _) = setup();
    assert_eq!(c.execute(["CLIENT", "GETNAME"]), nil());
    assert_eq!(c.execute(["CLIENT", "SETNAME", "worker-1"]), ok());
    assert_eq!(c.execute(["CLIENT", "GETNAME"]), bulk("worker-1"));
    assert_eq!(
        c.execute(["CLIENT", "SETNAME", "has space"]),
        err("ERR Client names cannot contain spaces, newlines or special characters.")
    );
    assert_eq!(c.execute(["CLIENT", "SETNAME", ""]), ok());
    assert_eq!(c.execute(["CLIENT", "GETNAME"]), nil());
    assert_eq!(c.execute(["CLIENT", "SETNAME"]), arity("client|setname"));
    assert_eq!(
        c.execute(["CLIENT", "NOPE"]),
        err("ERR unknown subcommand 'NOPE'. Try CLIENT HELP.")
    );
}

#[test]
fn list_shows_every_live_connection_and_info_shows_this_one() {
    let (s, mut a, _) = setup();
    let mut b = s.connection();
    b.execute(["CLIENT", "SETNAME", "bee"]);
    let (ia, ib) = (id(&mut a), id(&mut b));
    let list = text(a.execute(["CLIENT", "LIST"]));
    assert!(
        list.contains(&format!("id={ia} addr=inproc:{ia} ")),
        "{list}"
    );
    assert!(
        list.contains(&format!("id={ib} addr=inproc:{ib} ")),
        "{list}"
    );
    assert!(list.contains("name=bee "), "{list}");
    assert_eq!(list.lines().count(), 2);
    let one = text(a.execute(["CLIENT", "LIST", "ID", &ib.to_string()]));
    assert_eq!(one.lines().count(), 1);
    drop(b);
    assert_eq!(text(a.execute(["CLIENT", "LIST"])).lines().count(), 1);
    a.execute(["MULTI"]);
    let info = a.execute(["CLIENT", "INFO"]);
    assert!(text(info).contains(" flags=x "), "MULTI shows as flag x");
    a.execute(["DISCARD"]);
    let info = text(a.execute(["CLIENT", "INFO"]));
    assert!(info.starts_with(&format!("id={ia} ")) && info.ends_with('\n'));
    assert!(info.contains(" multi=-1 "), "{info}");
}

#[test]
fn kill_by_id_ends_the_other_connections_transaction() {
    let (s, mut a, _) = setup();
    let mut b = s.connection();
    let ib = id(&mut b);
    b.execute(["WATCH", "k"]);
    b.execute(["MULTI"]);
    b.execute(["SET", "k", "from-b"]);
    assert_eq!(a.execute(["CLIENT", "KILL", "ID", &ib.to_string()]), int(1));
    assert_eq!(
        b.execute(["EXEC"]),
        err("ERR connection killed by CLIENT KILL")
    );
    assert_eq!(b.execute(["EXEC"]), err("ERR EXEC without MULTI"));
    assert_eq!(a.execute(["GET", "k"]), nil());
    assert_eq!(b.execute(["PING"]), status("PONG"));
}

#[test]
fn kill_filters_and_the_old_address_form() {
    let (s, mut a, _) = setup();
    let mut b = s.connection();
    let ia = id(&mut a);
    let ib = id(&mut b);
    assert_eq!(
        a.execute(["CLIENT", "KILL", "ID", &ia.to_string()]),
        int(0),
        "SKIPME yes by default"
    );
    assert_eq!(a.execute(["CLIENT", "KILL", &format!("inproc:{ib}")]), ok());
    assert_eq!(
        a.execute(["CLIENT", "KILL", "inproc:999999"]),
        err("ERR No such client")
    );
    assert_eq!(
        a.execute(["CLIENT", "KILL", "ID", "0"]),
        err("ERR client-id should be greater than 0")
    );
    // One argument is the old address form, as in Redis.
    assert_eq!(
        a.execute(["CLIENT", "KILL", "ID"]),
        err("ERR No such client")
    );
    assert_eq!(
        a.execute(["CLIENT", "KILL", "ID", "1", "SKIPME"]),
        err(SYNTAX)
    );
    assert_eq!(
        a.execute([
            "CLIENT",
            "KILL",
            "ADDR",
            &format!("inproc:{ia}"),
            "SKIPME",
            "no"
        ]),
        int(1)
    );
    assert_eq!(
        a.execute(["PING"]),
        err("ERR connection killed by CLIENT KILL")
    );
}

#[test]
fn reply_off_and_skip_withhold_replies() {
    let (_s, mut c, _) = setup();
    assert_eq!(c.execute(["CLIENT", "REPLY", "OFF"]), nil());
    assert_eq!(c.execute(["SET", "k", "1"]), nil());
    assert_eq!(c.execute(["CLIENT", "REPLY", "ON"]), ok());
    assert_eq!(c.execute(["GET", "k"]), bulk("1"));
    assert_eq!(c.execute(["CLIENT", "REPLY", "SKIP"]), nil());
    assert_eq!(c.execute(["INCR", "k"]), nil());
    assert_eq!(c.execute(["INCR", "k"]), int(3));
    assert_eq!(c.execute(["CLIENT", "REPLY", "MAYBE"]), err(SYNTAX));
}

#[test]
fn no_evict_and_no_touch_show_in_the_flags() {
    let (_s, mut c, _) = setup();
    assert_eq!(c.execute(["CLIENT", "NO-EVICT", "on"]), ok());
    assert_eq!(c.execute(["CLIENT", "NO-TOUCH", "ON"]), ok());
    assert!(text(c.execute(["CLIENT", "INFO"])).contains(" flags=eT "));
    assert_eq!(c.execute(["CLIENT", "NO-TOUCH", "maybe"]), err(SYNTAX));
    assert_eq!(c.execute(["RESET"]), status("RESET"));
    assert!(text(c.execute(["CLIENT", "INFO"])).contains(" flags=N "));
}

#[test]
fn reset_clears_the_name() {
    let (_s, mut c, _) = setup();
    c.execute(["CLIENT", "SETNAME", "x"]);
    c.execute(["RESET"]);
    assert_eq!(c.execute(["CLIENT", "GETNAME"]), nil());
}

#[test]
fn hello_2_describes_the_server_and_hello_3_is_refused() {
    let (_s, mut c, _) = setup();
    let me = id(&mut c);
    assert_eq!(
        c.execute(["HELLO", "2", "SETNAME", "h"]),
        Reply::Array(vec![
            bulk("server"),
            bulk("redis"),
            bulk("version"),
            bulk("7.0.15"),
            bulk("proto"),
            int(2),
            bulk("id"),
            int(me),
            bulk("mode"),
            bulk("standalone"),
            bulk("role"),
            bulk("master"),
            bulk("modules"),
            Reply::Array(vec![]),
        ])
    );
    assert_eq!(c.execute(["CLIENT", "GETNAME"]), bulk("h"));
    assert_eq!(
        c.execute(["HELLO", "3"]),
        err("NOPROTO unsupported protocol version")
    );
    assert_eq!(
        c.execute(["HELLO", "x"]),
        err("ERR Protocol version is not an integer or out of range")
    );
    assert_eq!(
        c.execute(["HELLO", "2", "AUTH", "bob", "pw"]),
        err("WRONGPASS invalid username-password pair or user is disabled.")
    );
    assert!(matches!(
        c.execute(["HELLO", "2", "AUTH", "default", "pw"]),
        Reply::Array(_)
    ));
    assert_eq!(
        c.execute(["HELLO", "2", "FOO"]),
        err("ERR Syntax error in HELLO option 'FOO'")
    );
}

#[test]
fn wait_has_no_replicas_to_wait_for() {
    let (_s, mut c, _) = setup();
    assert_eq!(c.execute(["WAIT", "0", "0"]), int(0));
    assert_eq!(c.execute(["WAIT", "1", "100"]), int(0));
    assert_eq!(
        c.execute(["WAIT", "1", "-1"]),
        err("ERR timeout is negative")
    );
    assert_eq!(c.execute(["WAIT", "x", "0"]), err(NOT_INT));
}

#[test]
fn touch_counts_the_keys_that_exist() {
    let (_s, mut c, _) = setup();
    c.execute(["SET", "a", "1"]);
    c.execute(["RPUSH", "b", "x"]);
    assert_eq!(c.execute(["TOUCH", "a", "b", "c", "a"]), int(3));
    assert_eq!(c.execute(["TOUCH"]), arity("touch"));
}

#[test]
fn debug_sleep_and_set_active_expire() {
    let (_s, mut c, _) = setup();
    assert_eq!(c.execute(["DEBUG", "SLEEP", "0"]), ok());
    assert_eq!(c.execute(["DEBUG", "SET-ACTIVE-EXPIRE", "0"]), ok());
    assert_eq!(c.execute(["DEBUG", "SET-ACTIVE-EXPIRE", "1"]), ok());
    assert_eq!(
        c.execute(["DEBUG", "OBJECT", "k"]),
        err("ERR unknown subcommand 'OBJECT'. Try DEBUG HELP.")
    );
}
