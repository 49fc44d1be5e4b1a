//! Running the same Lua scripts on a real `redis-server` and on redlite, replies compared
//! exactly (error texts and SHA1s included). Skips cleanly without `redis-server` unless
//! `REDLITE_REQUIRE_REDIS=1`.

use redlite::Store;

use crate::parity::server::start_or_skip;

/// Each script runs with one key, `k` (KEYS[1]), and no arguments, on both sides, after a
/// FLUSHALL.
/// Panics naming the first script whose replies differ.
pub fn same_replies_as_redis(what: &str, scripts: &[&str]) {
    let Some(server) = start_or_skip(&[], what) else {
        return;
    };
    let mut redis = server.connect();
    let mut lite = Store::new().connection();
    for src in scripts {
        let flush = ["FLUSHALL"];
        assert_eq!(lite.execute(flush), redis.call(&flush));
        let argv = ["EVAL", src, "1", "k"];
        assert_eq!(lite.execute(argv), redis.call(&argv), "{what}: {src}");
    }
    println!(
        "{what}: {} scripts compared with redis-server",
        scripts.len()
    );
}
