//! The guide's Lua increment (the text benches/scripts.rs times) run via EVALSHA over and
//! over, for profiling the Lua bridge: 20,000 warm-up calls, then `calls` measured ones
//! inside `measured`. Callgrind counts instructions exactly where a loaded machine's timings
//! wander: the instructions of a run of 2N calls minus those of a run of N, over N, are the
//! cost of one call.
//!
//! `cargo build --profile bench --features lua --example lua_probe`, then
//! `valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*measured*'
//! target/release/examples/lua_probe [calls] [threads]`. With `threads` above 1, that many
//! threads run at once on the same key and the probe prints the total calls per second.

use std::hint::black_box;

use redlite::{Config, Connection, Reply, ScriptEngine, Store};

const GUIDE_INCREMENT: &str = "local current = tonumber(redis.call('GET', KEYS[1]) or '0')
          local new = current + tonumber(ARGV[1])
          redis.call('SET', KEYS[1], new)
          return new";

#[inline(never)]
fn measured(conn: &mut Connection, argv: &[&str], calls: u32) {
    for _ in 0..calls {
        black_box(conn.execute(argv));
    }
}

fn main() {
    let calls: u32 = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    let threads: u32 = std::env::args()
        .nth(2)
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    let store = Store::with_config(
        Config::default()
            .active_expiry(false)
            .default_script_engine(ScriptEngine::Lua),
    );
    let mut conn = store.connection();
    let Reply::Bulk(sha) = conn.execute(["SCRIPT", "LOAD", GUIDE_INCREMENT]) else {
        panic!("SCRIPT LOAD failed");
    };
    let sha = String::from_utf8(sha).expect("a SHA1 is hex");
    let argv = ["EVALSHA", &sha, "1", "counter", "1"];
    let reply = conn.execute(argv);
    assert!(matches!(reply, Reply::Integer(_)), "{reply}");
    for _ in 0..20_000 {
        black_box(conn.execute(argv));
    }
    if threads > 1 {
        // Each thread warms up, then all start the timed calls together.
        let barrier = std::sync::Barrier::new(usize::try_from(threads).unwrap_or(1) + 1);
        let started = std::thread::scope(|s| {
            for _ in 0..threads {
                let (store, argv, barrier) = (&store, &argv, &barrier);
                s.spawn(move || {
                    let mut conn = store.connection();
                    for _ in 0..20_000 {
                        black_box(conn.execute(argv));
                    }
                    barrier.wait();
                    measured(&mut conn, argv, calls);
                });
            }
            barrier.wait();
            std::time::Instant::now()
        });
        let rate = f64::from(threads) * f64::from(calls) / started.elapsed().as_secs_f64();
        println!("{threads} threads, {rate:.0} calls/s");
        return;
    }
    let started = std::time::Instant::now();
    measured(&mut conn, &argv, calls);
    println!("{:?} per call", started.elapsed() / calls);
}
