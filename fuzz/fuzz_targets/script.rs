//! Fuzz target `script`: arbitrary Rhai source with arbitrary KEYS / ARGV through EVAL.
//! Nothing may panic or hang past the script limits, and the reply must be well formed.
//!
//! Input: NUL-separated parts: `source \0 numkeys \0 arg \0 arg ...` (the corpus files are
//! readable that way). Sent as `EVAL source numkeys args...` via `Connection::execute`, so
//! it compiles before EVAL exists (then it is an unknown command).

#![no_main]

#[path = "model/mod.rs"]
#[allow(dead_code)]
mod model;

use libfuzzer_sys::fuzz_target;
use redlite::{Config, ManualClock, Reply, Store};

fuzz_target!(|data: &[u8]| {
    let mut parts = data.split(|b| *b == 0);
    let src = parts.next().unwrap_or_default();
    let numkeys = parts.next().unwrap_or(b"0");
    let mut args: Vec<&[u8]> = vec![b"EVAL", src, numkeys];
    args.extend(parts.take(16));
    let config = Config::default()
        .shards(4)
        .active_expiry(false)
        .script_max_operations(100_000)
        .clock(ManualClock::at(1_700_000_000_000));
    let store = Store::with_config(config);
    let mut conn = store.connection();
    conn.execute(["SET", "k", "v"]);
    // On its own thread with std's and tokio's default stack (2 MiB), as an application
    // would run it: scripts run on a deep stack of their own, sized so that values nested
    // as deep as the array and map limits allow fit (Rhai recurses once per level when it
    // compares, prints, copies and drops them); the operation limit only keeps each input
    // quick.
    let got = std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn_scoped(s, || conn.execute(&args))
            .map(|h| h.join())
    });
    let got = match got {
        Ok(Ok(reply)) => reply,
        Ok(Err(_)) => panic!("EVAL panicked"),
        Err(e) => panic!("no thread: {e}"),
    };
    assert!(well_formed_script_reply(&got), "malformed reply {got:?}");
    // The store must still work (no lock left held) after whatever the script did.
    let after = conn.execute(["EXISTS", "k", "x", "y"]);
    assert!(
        matches!(after, Reply::Integer(_)),
        "store broken after script: {after:?}"
    );
});

/// A script chooses its own error codes (`redis::error_reply("MY7 err")`, `#{err: ..}`
/// anywhere in a returned array, even lowercase, as in Redis), so its errors need only be
/// one non-empty line that reports no bug.
fn well_formed_script_reply(r: &Reply) -> bool {
    script_reply_ok(r, 0)
}

fn script_reply_ok(r: &Reply, depth: usize) -> bool {
    match r {
        Reply::Error(text) => {
            !text.is_empty() && !text.contains(['\r', '\n']) && !text.contains("internal error")
        }
        Reply::Array(items) => depth < 256 && items.iter().all(|i| script_reply_ok(i, depth + 1)),
        other => model::well_formed(other, 0),
    }
}
