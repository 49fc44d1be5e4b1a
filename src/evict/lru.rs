//! Redis's per-key LRU clock and LFU counter, in one 24-bit field (`evict.c`).
//!
//! LRU: the time of the last access in seconds, modulo 2^24 (wraps every 194 days, as
//! Redis's). LFU: the last decrement time in minutes (16 bits) above a logarithmic
//! access counter (8 bits) that starts at 5, grows with probability
//! `1 / ((counter - 5) * lfu_log_factor + 1)` and loses one per `lfu_decay_time` minutes.

/// The largest LRU clock value.
pub(crate) const LRU_CLOCK_MAX: u32 = (1 << 24) - 1;
/// A new key's LFU counter, so that it is not evicted before it had a chance to be read.
pub(crate) const LFU_INIT_VAL: u32 = 5;

#[allow(
    clippy::cast_possible_truncation,
    reason = "masked to 24 bits first: the clock wraps as Redis's does"
)]
pub(crate) fn lru_clock(now_ms: u64) -> u32 {
    ((now_ms / 1000) & u64::from(LRU_CLOCK_MAX)) as u32
}

/// Milliseconds since the access `lru` records (Redis's `estimateObjectIdleTime`).
pub(crate) fn idle_ms(now_ms: u64, lru: u32) -> u64 {
    let clock = lru_clock(now_ms);
    let lru = lru & LRU_CLOCK_MAX;
    let secs = if clock >= lru {
        clock - lru
    } else {
        clock + (LRU_CLOCK_MAX - lru)
    };
    u64::from(secs) * 1000
}

#[allow(
    clippy::cast_possible_truncation,
    reason = "masked to 16 bits: Redis's minute clock wraps too"
)]
fn minutes(now_ms: u64) -> u32 {
    ((now_ms / 60_000) & 0xffff) as u32
}

/// A new key's LFU field.
pub(crate) fn lfu_fresh(now_ms: u64) -> u32 {
    (minutes(now_ms) << 8) | LFU_INIT_VAL
}

/// The counter after decay (Redis's `LFUDecrAndReturn`): what OBJECT FREQ shows.
pub(crate) fn lfu_decayed(field: u32, now_ms: u64, decay_time: u32) -> u32 {
    let ldt = (field >> 8) & 0xffff;
    let counter = field & 0xff;
    let now = minutes(now_ms);
    let elapsed = if now >= ldt {
        now - ldt
    } else {
        65535 - ldt + now
    };
    let periods = elapsed.checked_div(decay_time).unwrap_or(0);
    counter.saturating_sub(periods)
}

/// One access (Redis's `updateLFU`): decay, then a logarithmic increment.
pub(crate) fn lfu_touched(field: u32, now_ms: u64, decay_time: u32, log_factor: u32) -> u32 {
    let mut counter = lfu_decayed(field, now_ms, decay_time);
    if counter < 255 {
        let base = f64::from(counter.saturating_sub(LFU_INIT_VAL));
        let p = 1.0 / (base * f64::from(log_factor) + 1.0);
        if fastrand::f64() < p {
            counter += 1;
        }
    }
    (minutes(now_ms) << 8) | counter
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_time_survives_the_clock_wrapping() {
        let lru = LRU_CLOCK_MAX - 5;
        let now = u64::from(LRU_CLOCK_MAX + 1 + 10) * 1000;
        assert_eq!(idle_ms(now, lru), 15_000);
    }

    #[test]
    fn the_lfu_counter_decays_one_per_period() {
        let field = (minutes(0) << 8) + 20;
        assert_eq!(lfu_decayed(field, 10 * 60_000, 1), 10);
        assert_eq!(lfu_decayed(field, 10 * 60_000, 0), 20);
        assert_eq!(lfu_decayed(field, 100 * 60_000, 1), 0);
    }

    #[test]
    fn the_lfu_counter_grows_slower_as_it_grows() {
        let mut field = lfu_fresh(0);
        for _ in 0..1000 {
            field = lfu_touched(field, 0, 1, 10);
        }
        let c = field & 0xff;
        // Redis's table: 1K hits at factor 10 reach about 10-20.
        assert!((8..=30).contains(&c), "{c}");
    }
}
