//! What one `Store::new()` costs: heap bytes it keeps live (counted by a wrapper around
//! the system allocator) and the time to build it, before and after its first script
//! (the Rhai engine is built on first script use). Target: ≤ 50 µs and ≤ 32 KiB.
//!
//! `cargo run --release --example store_new_cost`

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use redlite::{Config, Reply, Store};

/// The system allocator, counting the bytes live at any time.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed straight to `System` with the caller's own arguments; the
// counter only observes sizes.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: forwarded unchanged (see the impl).
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: forwarded unchanged (see the impl).
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size, Ordering::Relaxed);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: forwarded unchanged (see the impl).
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const ROUNDS: u32 = 200;

fn main() {
    // The first store pays for process-wide one-time setup; measure the ones after it.
    drop(Store::with_config(Config::default().active_expiry(false)));
    let started = Instant::now();
    for _ in 0..ROUNDS {
        drop(Store::with_config(Config::default().active_expiry(false)));
    }
    let per_store = started.elapsed() / ROUNDS;
    // The default store also starts its active-expiry thread.
    let started = Instant::now();
    for _ in 0..ROUNDS {
        drop(Store::new());
    }
    let per_default_store = started.elapsed() / ROUNDS;

    let before = LIVE.load(Ordering::Relaxed);
    let store = Store::with_config(Config::default().active_expiry(false));
    let built = LIVE.load(Ordering::Relaxed).saturating_sub(before);
    let started = Instant::now();
    let reply = store.execute(["EVAL", "1", "0"]);
    let first_script = started.elapsed();
    assert_eq!(reply, Reply::Integer(1));
    let with_engine = LIVE.load(Ordering::Relaxed).saturating_sub(before);

    println!("Store::with_config (no active expiry): {per_store:?}, {built} bytes live");
    println!("Store::new (with its active-expiry thread): {per_default_store:?}");
    println!("first script: {first_script:?}, then {with_engine} bytes live");
}
