//! One script's EVALSHA run over and over, for profiling (callgrind counts instructions
//! exactly, where a loaded machine's timings wander): 20,000 warm-up calls, then `calls`
//! measured ones inside `measured` (collect only that with
//! `--collect-atstart=no --toggle-collect=*measured*`).
//!
//! `cargo build --profile bench --example script_hotpath`, then
//! `valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*measured*'
//! target/release/examples/script_hotpath guide|limiter|transfer|calls20 [calls]`.
//! A third argument runs that many threads at once on the same keys and prints the total
//! calls per second.

use std::hint::black_box;

use redlite::{Config, Connection, Reply, Store};

const GUIDE_INCREMENT: &str = r#"let c = redis::call("GET", KEYS[0]); let n = (if c == () { 0 } else { parse_int(c) }) + parse_int(ARGV[0]); redis::call("SET", KEYS[0], n); n"#;
const RATE_LIMITER: &str = r#"
let n = redis::call("INCR", KEYS[0]);
redis::call("EXPIRE", KEYS[0], 60);
let ttl = redis::call("TTL", KEYS[0]);
if n > parse_int(ARGV[0]) { -ttl } else { n }
"#;
const TRANSFER: &str = r#"
let amount = parse_int(ARGV[0]);
let from = redis::call("GET", KEYS[0]);
let balance = if from == () { 0 } else { parse_int(from) };
if balance < amount { redis::call("SET", KEYS[0], 1000000000); }
redis::call("DECRBY", KEYS[0], amount);
redis::call("INCRBY", KEYS[1], amount)
"#;
const CALLS_20: &str = r#"
let n = 0;
for i in 0..20 { n = redis::call("INCRBY", KEYS[0], i); }
n
"#;

#[inline(never)]
fn measured(conn: &mut Connection, argv: &[&str], calls: u32) {
    for _ in 0..calls {
        black_box(conn.execute(argv));
    }
}

fn main() {
    let which = std::env::args().nth(1).unwrap_or_else(|| "guide".into());
    let calls: u32 = std::env::args()
        .nth(2)
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    let (src, keys, args): (&str, &[&str], &[&str]) = match which.as_str() {
        "limiter" => (RATE_LIMITER, &["limit:user1"], &["1000000000"]),
        "transfer" => (TRANSFER, &["account:a", "account:b"], &["7"]),
        "calls20" => (CALLS_20, &["counter20"], &[]),
        _ => (GUIDE_INCREMENT, &["counter"], &["1"]),
    };
    let threads: u32 = std::env::args()
        .nth(3)
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    let store = Store::with_config(Config::default().active_expiry(false));
    let mut conn = store.connection();
    let Reply::Bulk(sha) = conn.execute(["SCRIPT", "LOAD", src]) else {
        panic!("SCRIPT LOAD failed");
    };
    let sha = String::from_utf8(sha).expect("a SHA1 is hex");
    let numkeys = keys.len().to_string();
    let mut argv: Vec<&str> = vec!["EVALSHA", &sha, &numkeys];
    argv.extend_from_slice(keys);
    argv.extend_from_slice(args);
    let reply = conn.execute(&argv);
    assert!(matches!(reply, Reply::Integer(_)), "{reply}");
    measured(&mut conn, &argv, 20_000);
    if threads > 1 {
        let started = std::time::Instant::now();
        std::thread::scope(|s| {
            for _ in 0..threads {
                let (store, argv) = (&store, &argv);
                s.spawn(move || measured(&mut store.connection(), argv, calls));
            }
        });
        let rate = f64::from(threads) * f64::from(calls) / started.elapsed().as_secs_f64();
        println!("{which}: {threads} threads, {rate:.0} calls/s");
        return;
    }
    let started = std::time::Instant::now();
    measured(&mut conn, &argv, calls);
    println!("{which}: {:?} per call", started.elapsed() / calls);
}
