//! Active expiry: a background thread that reclaims expired keys a few slots at a time.
//!
//! Correctness never depends on it: every read checks the deadline itself (lazy expiry).
//! The sweep only returns memory held by keys nobody reads again. Each pass takes one shard's
//! write lock at a time for a bounded number of slots, so it never stalls a shard for long.

use std::sync::Weak;
use std::thread;
use std::time::Duration;

use crate::shared::Shared;

/// Starts the sweeper. It holds only a weak reference, and exits at the first pass after
/// the store's last handle is dropped.
pub(crate) fn spawn(shared: Weak<Shared>, every: Duration) {
    let spawned = thread::Builder::new()
        .name("redlite-expiry".into())
        .spawn(move || {
            loop {
                thread::sleep(every);
                let Some(shared) = shared.upgrade() else {
                    return;
                };
                shared.active_expire_pass();
            }
        });
    // Without the thread the store stays correct (lazy expiry); it only reclaims later.
    drop(spawned);
}
