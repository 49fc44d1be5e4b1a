//! The reference guide's Example 2, done right: an atomic increment script run by 5
//! threads. Each run holds its key's shard lock from start to end, so no increment is lost;
//! the final value is exact.

use std::thread;

use redlite::{Script, Store};

const THREADS: i64 = 5;
const PER_THREAD: i64 = 1_000;

fn main() -> Result<(), redlite::Error> {
    let store = Store::new();
    // Read, compute, write: safe only because the whole script is atomic.
    let incr = Script::new(
        r#"#!rhai
        let current = redis::call("GET", KEYS[0]);
        let n = if current == () { 0 } else { parse_int(current) };
        redis::call("SET", KEYS[0], n + parse_int(ARGV[0]));
        n + parse_int(ARGV[0])
        "#,
    );
    let workers: Vec<_> = (0..THREADS)
        .map(|_| {
            let (store, incr) = (store.clone(), incr.clone());
            thread::spawn(move || {
                for _ in 0..PER_THREAD {
                    incr.key("counter").arg(1).invoke::<i64>(&store)?;
                }
                Ok::<_, redlite::Error>(())
            })
        })
        .collect();
    for w in workers {
        w.join().expect("worker panicked")?;
    }
    let total: i64 = store.get("counter")?;
    println!("counter = {total} (expected {})", THREADS * PER_THREAD);
    assert_eq!(total, THREADS * PER_THREAD);
    Ok(())
}
