//! Open a store, set / get / incr / expire, and print what happens.
//!
//! Run with `cargo run --example quickstart`.

use std::time::Duration;

use redlite::{Config, ManualClock, Reply, Store};

fn main() -> Result<(), redlite::Error> {
    // A manual clock makes expiry visible without sleeping.
    let clock = ManualClock::new();
    let store = Store::with_config(Config::default().clock(clock.clone()));

    // Raw commands, exactly as you would send them to Redis.
    let mut conn = store.connection();
    println!(
        "SET greeting hello  -> {}",
        conn.execute(["SET", "greeting", "hello"])
    );
    println!(
        "GET greeting        -> {}",
        conn.execute(["GET", "greeting"])
    );
    println!(
        "INCR visits         -> {}",
        conn.execute(["INCR", "visits"])
    );
    println!(
        "INCRBY visits 41    -> {}",
        conn.execute(["INCRBY", "visits", "41"])
    );
    println!(
        "LPOP greeting       -> {}",
        conn.execute(["LPOP", "greeting"])
    );

    // Typed methods run the same command code and convert the replies.
    let visits: i64 = store.get("visits")?;
    println!("visits (typed)      -> {visits}");

    store.set("session", "token")?;
    store.expire("session", 30)?;
    println!("TTL session         -> {}", store.ttl("session")?);
    clock.advance(Duration::from_secs(31));
    let session: Option<String> = store.get("session")?;
    println!("after 31 s          -> {session:?}");
    assert_eq!(conn.execute(["EXISTS", "session"]), Reply::Integer(0));
    Ok(())
}
