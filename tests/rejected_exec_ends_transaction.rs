//! EXEC refused for its arity ends the transaction and unwatches, as Redis's
//! `rejectCommand` does, inside or outside MULTI.

use redlite::{Reply, Store};

const ABORT: &str =
    "EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command";

#[test]
fn exec_with_arguments_inside_multi_discards_the_queue() {
    let store = Store::new();
    let mut c = store.connection();
    assert_eq!(c.execute(["MULTI"]), Reply::ok());
    assert_eq!(c.execute(["SET", "k", "v"]), Reply::status("QUEUED"));
    assert_eq!(c.execute(["EXEC", "x"]), Reply::error(ABORT));
    assert!(!c.in_multi());
    assert_eq!(c.execute(["EXEC"]), Reply::error("ERR EXEC without MULTI"));
    assert_eq!(c.execute(["GET", "k"]), Reply::Nil);
}

#[test]
fn exec_with_arguments_outside_multi_unwatches() {
    let store = Store::new();
    let mut c = store.connection();
    let mut other = store.connection();
    assert_eq!(c.execute(["WATCH", "k"]), Reply::ok());
    assert_eq!(c.execute(["EXEC", "x"]), Reply::error(ABORT));
    assert_eq!(other.execute(["SET", "k", "1"]), Reply::ok());
    assert_eq!(c.execute(["MULTI"]), Reply::ok());
    assert_eq!(c.execute(["INCR", "k"]), Reply::status("QUEUED"));
    assert_eq!(c.execute(["EXEC"]), Reply::Array(vec![Reply::Integer(2)]));
}
