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
    timed_after(threads, |_| (), |index, ()| work(index))
}

/// [`timed`] with an untimed `prepare(index)` in each worker before the start line, for
/// per-thread state that a fresh thread builds on its first call (a Lua state and its
/// compiled script): `work(index, state)` is what is timed.
pub fn timed_after<S, P, F>(threads: usize, prepare: P, work: F) -> Duration
where
    P: Fn(usize) -> S + Sync,
    F: Fn(usize, S) + Sync,
{
    let barrier = Barrier::new(threads);
    let spans: Vec<(Instant, Instant)> = thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|index| {
                let (barrier, prepare, work) = (&barrier, &prepare, &work);
                s.spawn(move || {
                    let state = prepare(index);
                    barrier.wait();
                    let start = Instant::now();
                    work(index, state);
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
