//! How long a snapshot held shard locks, measured inside the snapshot code: what a writer
//! of that shard may have waited for it.
//!
//! On a shared machine the wall-clock length of a hold says as much about the scheduler as
//! about the snapshot (a walker descheduled while it holds a read lock holds it for the
//! whole time slice of someone else). So, when profiling is asked for
//! ([`profiled`]), each hold also reads the thread's run-queue delay from Linux's
//! `/proc/thread-self/schedstat` before and after: the hold minus that delay is the time the
//! snapshot itself kept the lock (running, or page-faulting), not the time it sat waiting
//! for a core. Without profiling only the wall clock is kept (two `Instant::now` per hold).

use std::cell::Cell;
use std::time::Duration;

/// Upper bounds of the histogram's buckets; the last bucket holds everything longer.
pub const BUCKETS: [Duration; 4] = [
    Duration::from_micros(10),
    Duration::from_micros(100),
    Duration::from_millis(1),
    Duration::from_millis(10),
];

/// The shard-lock holds of one snapshot (the instant T counts as one hold).
///
/// # Examples
///
/// ```
/// # fn main() -> Result<(), redlite::Error> {
/// let store = redlite::Store::new();
/// store.set("k", "v")?;
/// let (_image, holds): (Vec<u8>, redlite::SnapshotHolds) = store.rdb_image_profiled()?;
/// assert!(holds.holds >= 2); // the instant T, then at least one walking step
/// assert!(holds.longest >= holds.longest_running);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Holds {
    /// How many times the snapshot took a shard lock (or all of them, at T).
    pub holds: u64,
    /// The longest hold, wall clock.
    pub longest: Duration,
    /// All holds together, wall clock.
    pub total: Duration,
    /// Holds per length, wall clock: up to 10 µs, 100 µs, 1 ms, 10 ms, and longer.
    pub histogram: [u64; 5],
    /// The longest hold less the time the thread waited for a core during it (profiled
    /// runs on Linux only; zero otherwise).
    pub longest_running: Duration,
    /// Whether `longest_running` was measured.
    pub profiled: bool,
}

impl Holds {
    /// Counts one hold of `wall`, of which `waited` on the run queue (when profiled).
    pub(crate) fn add(&mut self, wall: Duration, waited: Option<Duration>) {
        self.holds += 1;
        self.longest = self.longest.max(wall);
        self.total += wall;
        let bucket = BUCKETS
            .iter()
            .position(|&b| wall <= b)
            .unwrap_or(BUCKETS.len());
        self.histogram[bucket] += 1;
        if let Some(waited) = waited {
            self.profiled = true;
            self.longest_running = self.longest_running.max(wall.saturating_sub(waited));
        }
    }
}

thread_local! {
    /// Snapshots taken on this thread read the run-queue delay around each hold.
    static PROFILE: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` with profiling on for the snapshots this thread takes.
pub(crate) fn profiled<T>(f: impl FnOnce() -> T) -> T {
    let was = PROFILE.with(|p| p.replace(true));
    let out = f();
    PROFILE.with(|p| p.set(was));
    out
}

/// The thread's run-queue delay so far, when profiling is on and the kernel reports it.
pub(crate) fn run_delay() -> Option<Duration> {
    if !PROFILE.with(Cell::get) {
        return None;
    }
    // "<ns on cpu> <ns waiting on a run queue> <time slices>".
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let waited: u64 = text.split_whitespace().nth(1)?.parse().ok()?;
    Some(Duration::from_nanos(waited))
}

/// The run-queue delay between two readings.
pub(crate) fn waited(before: Option<Duration>, after: Option<Duration>) -> Option<Duration> {
    Some(after?.saturating_sub(before?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_land_in_their_bucket_and_the_running_time_excludes_the_wait() {
        let mut h = Holds::default();
        h.add(Duration::from_micros(5), None);
        h.add(Duration::from_micros(500), None);
        h.add(Duration::from_millis(30), Some(Duration::from_millis(29)));
        assert_eq!(h.histogram, [1, 0, 1, 0, 1]);
        assert_eq!(h.longest, Duration::from_millis(30));
        assert_eq!(h.longest_running, Duration::from_millis(1));
        assert!(h.profiled);
        assert_eq!(h.holds, 3);
    }

    #[test]
    fn run_delay_is_read_only_while_profiling() {
        assert_eq!(run_delay(), None);
        let inside = profiled(run_delay);
        // Linux reports it; elsewhere there is no such file.
        assert_eq!(
            inside.is_some(),
            std::path::Path::new("/proc/thread-self/schedstat").exists()
        );
    }
}
