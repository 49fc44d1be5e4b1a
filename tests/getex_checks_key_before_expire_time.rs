//! GETEX validates its time only once it has found a string, as Redis does: a missing key
//! answers nil and a key of another type WRONGTYPE, whatever the time says.

use redlite::{Reply, Store};

#[test]
fn getex_on_missing_key_ignores_a_bad_time() {
    let store = Store::new();
    let mut c = store.connection();
    assert_eq!(c.execute(["GETEX", "nokey", "PX", "-5"]), Reply::Nil);
    assert_eq!(c.execute(["GETEX", "nokey", "EX", "0"]), Reply::Nil);
}

#[test]
fn getex_on_a_string_rejects_a_bad_time() {
    let store = Store::new();
    let mut c = store.connection();
    c.execute(["SET", "k", "v"]);
    assert_eq!(
        c.execute(["GETEX", "k", "EX", "0"]),
        Reply::error("ERR invalid expire time in 'getex' command")
    );
    assert_eq!(
        c.execute(["GETEX", "k", "EX", "abc"]),
        Reply::error("ERR value is not an integer or out of range")
    );
}

#[test]
fn getex_syntax_errors_come_first() {
    let store = Store::new();
    let mut c = store.connection();
    assert_eq!(
        c.execute(["GETEX", "nokey", "EX"]),
        Reply::error("ERR syntax error")
    );
}
