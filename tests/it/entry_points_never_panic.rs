//! Every public entry point keeps `execute`'s promise: whatever the input, an answer and
//! never a panic in the caller's thread, and the store stays usable afterwards. The inputs
//! are ones that used to panic in debug builds (TTL arithmetic at the latest deadline), run
//! through each way in: `Store::execute`, `Connection::execute`, typed methods on `Store`
//! and `Connection`, `Script::invoke` on both targets, `transaction` reads and queued
//! commands, and `Connection::exec`.

use redlite::{ExecOutcome, ManualClock, Reply, Script, Store};

const LATEST: &str = "9223372036854775807"; // PXAT i64::MAX
const EXPIRETIME_OF_LATEST: i64 = 9_223_372_036_854_776;

/// A store whose clock stands at 0, so TTL of the latest deadline is `i64::MAX` - 1 ms too.
fn store_with_latest_deadline() -> Store {
    let clock = ManualClock::at(0);
    let store = Store::with_config(crate::common::config().clock(clock).active_expiry(false));
    store.execute(["SET", "k", "v", "PXAT", LATEST]);
    store
}

fn still_usable(store: &Store) {
    assert_eq!(store.execute(["SET", "other", "1"]), Reply::ok());
    assert_eq!(store.execute(["GET", "k"]), Reply::bulk("v"));
}

#[test]
fn store_and_connection_execute_answer_ttl_of_the_latest_deadline() {
    let store = store_with_latest_deadline();
    let want = Reply::Integer(EXPIRETIME_OF_LATEST);
    assert_eq!(store.execute(["EXPIRETIME", "k"]), want);
    assert_eq!(store.connection().execute(["TTL", "k"]), want);
    still_usable(&store);
}

#[test]
fn typed_methods_answer_ttl_of_the_latest_deadline() -> Result<(), redlite::Error> {
    let store = store_with_latest_deadline();
    assert_eq!(store.ttl("k")?, EXPIRETIME_OF_LATEST);
    assert_eq!(store.connection().ttl("k")?, EXPIRETIME_OF_LATEST);
    still_usable(&store);
    Ok(())
}

#[test]
fn scripts_answer_ttl_of_the_latest_deadline_on_both_targets() -> Result<(), redlite::Error> {
    let store = store_with_latest_deadline();
    let script = Script::new(r#"redis::call("EXPIRETIME", KEYS[0])"#);
    assert_eq!(script.key("k").invoke::<i64>(&store)?, EXPIRETIME_OF_LATEST);
    let mut conn = store.connection();
    assert_eq!(
        script.key("k").invoke::<i64>(&mut conn)?,
        EXPIRETIME_OF_LATEST
    );
    still_usable(&store);
    Ok(())
}

#[test]
fn transactions_answer_ttl_of_the_latest_deadline() -> Result<(), redlite::Error> {
    let store = store_with_latest_deadline();
    let read = store.transaction(&["k"], |tx| tx.read::<i64, _>(["TTL", "k"]))?;
    assert_eq!(read, EXPIRETIME_OF_LATEST);
    store.transaction(&["k"], |tx| tx.queue(["EXPIRETIME", "k"]))?;
    let mut conn = store.connection();
    conn.execute(["MULTI"]);
    conn.execute(["TTL", "k"]);
    let replies = vec![Reply::Integer(EXPIRETIME_OF_LATEST)];
    assert_eq!(conn.exec()?, ExecOutcome::Committed(replies));
    still_usable(&store);
    Ok(())
}
