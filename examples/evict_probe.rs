//! Eviction driver for profiling (callgrind): SETs of new keys into a store held at its
//! limit, so that each SET evicts about one key, per policy; `none` runs with no limit.
//! Instructions per SET: run with N and 2N and divide the difference by N.
//!
//! `cargo build --release --example evict_probe && valgrind --tool=callgrind
//! target/release/examples/evict_probe lfu 100000`

use std::hint::black_box;

use redlite::{Config, MaxmemoryPolicy, Store};

const VALUE: &str = "value-of-a-cached-object-64-bytes-long-0123456789abcdef012345678";
const FILLED: usize = 100_000;

fn filled(limit: u64, policy: MaxmemoryPolicy) -> Store {
    let store = Store::with_config(Config::default().maxmemory(limit).maxmemory_policy(policy));
    for i in 0..FILLED {
        store.execute(["SET", &format!("fill:{i:08}"), VALUE]);
    }
    store
}

fn main() {
    let mut args = std::env::args().skip(1);
    let which = args.next().unwrap_or_else(|| "lru".into());
    let n: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let policy = match which.as_str() {
        "lru" => Some(MaxmemoryPolicy::AllKeysLru),
        "lfu" => Some(MaxmemoryPolicy::AllKeysLfu),
        "random" => Some(MaxmemoryPolicy::AllKeysRandom),
        _ => None,
    };
    let store = match policy {
        Some(p) => {
            let full = filled(0, MaxmemoryPolicy::NoEviction).used_memory() as u64;
            filled(full / 2, p)
        }
        None => filled(0, MaxmemoryPolicy::NoEviction),
    };
    for i in 0..n {
        black_box(store.execute(["SET", &format!("new:{i:012}"), VALUE]));
    }
    println!("{which}: {n} SETs, used {} bytes", store.used_memory());
    // Not dropped: freeing the keys at exit would count against the runs that end with
    // more of them (`none`), and is no part of a SET.
    std::mem::forget(store);
}
