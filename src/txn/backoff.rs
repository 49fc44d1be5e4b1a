//! Waiting between transaction attempts after an aborted EXEC.
//!
//! A conflict in an in-process store usually clears within microseconds (the winner's EXEC is
//! short), so the first retries only spin, then yield the core; only then does it sleep, for
//! an exponentially growing time with random jitter so that threads that collided once do not
//! collide again in lockstep.

use std::time::Duration;

/// Retries that only spin, then retries that only yield, before the first sleep.
const SPINS: u32 = 2;
const YIELDS: u32 = 2;

pub(crate) struct Backoff {
    retries: u32,
    sleep: Duration,
    max: Duration,
}

impl Backoff {
    pub(crate) fn new(min: Duration, max: Duration) -> Backoff {
        Backoff {
            retries: 0,
            sleep: min.max(Duration::from_nanos(1)),
            max: max.max(min),
        }
    }

    pub(crate) fn wait(&mut self) {
        self.retries += 1;
        if self.retries <= SPINS {
            for _ in 0..(64u32 << self.retries) {
                std::hint::spin_loop();
            }
        } else if self.retries <= SPINS + YIELDS {
            std::thread::yield_now();
        } else {
            std::thread::sleep(jitter(self.sleep));
            self.grow();
        }
    }

    fn grow(&mut self) {
        // `Duration * 2` panics past Duration::MAX (TxOptions may ask for a huge backoff).
        self.sleep = self.sleep.saturating_mul(2).min(self.max);
    }
}

/// A random time between half of `d` and `d`.
fn jitter(d: Duration) -> Duration {
    let nanos = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
    Duration::from_nanos(fastrand::u64(nanos / 2..=nanos))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_growth_saturates_at_huge_durations() {
        let mut b = Backoff::new(Duration::MAX, Duration::MAX);
        b.grow();
        assert_eq!(b.sleep, Duration::MAX);
        let mut b = Backoff::new(Duration::from_millis(3), Duration::from_millis(5));
        b.grow();
        assert_eq!(b.sleep, Duration::from_millis(5));
    }
}
