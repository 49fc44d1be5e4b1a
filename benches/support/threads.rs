//! Shared by the multi-thread benches: run T workers from one start line and time them.

use std::sync::Barrier;
use std::thread;
use std::time::{Duration, Instant};

/// Runs `threads` workers, each calling `work(index)` once, all released together by a
/// barrier. Returns the wall time from the first worker's start to the last one's finish,
/// so thread spawning and joining stay out of the figure.
pub fn timed<F>(threads: usize, work: F) -> Duration
where
    F: Fn(usize) + Sync,
{
    let barrier = Barrier::new(threads);
    let spans: Vec<(Instant, Instant)> = thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|index| {
                let (barrier, work) = (&barrier, &work);
                s.spawn(move || {
                    barrier.wait();
                    let start = Instant::now();
                    work(index);
                    (start, Instant::now())
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("bench worker panicked"))
            .collect()
    });
    let first = spans
        .iter()
        .map(|s| s.0)
        .min()
        .expect("at least one thread");
    let last = spans
        .iter()
        .map(|s| s.1)
        .max()
        .expect("at least one thread");
    last - first
}
