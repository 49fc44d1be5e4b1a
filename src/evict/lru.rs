//! Redis's per-key LRU clock and LFU counter, in one 32-bit field (`evict.c`).
//!
//! LRU: the time of the last access in ticks of 62.5 ms, modulo 2^32 (wraps every 8.5
//! years). Redis keeps whole seconds in 24 bits (194 days); in process a cache runs through
//! many more operations per second, so with whole seconds most sampled keys tie (idle 0 or
//! 1 s) and the pool picks among them blindly; finer ticks in the field's 8 spare bits keep
//! its LRU order, and OBJECT IDLETIME still answers whole seconds. LFU, as Redis: the last
//! decrement time in minutes (16 bits) above a logarithmic access counter (8 bits) that
//! starts at 5, grows with probability `1 / ((counter - 5) * lfu_log_factor + 1)` and
//! loses one per `lfu_decay_time` minutes.

/// A new key's LFU counter, so that it is not evicted before it had a chance to be read.
pub(crate) const LFU_INIT_VAL: u32 = 5;

/// LRU ticks are 125 / 2 ms.
const TICK_MS_TIMES_2: u64 = 125;

#[allow(
    clippy::cast_possible_truncation,
    reason = "truncated to 32 bits on purpose: the clock wraps (every 8.5 years)"
)]
pub(crate) fn lru_clock(now_ms: u64) -> u32 {
    (now_ms.saturating_mul(2) / TICK_MS_TIMES_2) as u32
}

/// Milliseconds since the access `lru` records (Redis's `estimateObjectIdleTime`), to the
/// clock's 62.5 ms.
pub(crate) fn idle_ms(now_ms: u64, lru: u32) -> u64 {
    let ticks = lru_clock(now_ms).wrapping_sub(lru);
    u64::from(ticks) * TICK_MS_TIMES_2 / 2
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
        let lru = u32::MAX - 15; // 16 ticks before the wrap: 1 s
        let now = (1u64 << 32) * 125 / 2 + 1000; // 1 s after it
        assert_eq!(idle_ms(now, lru), 2000);
    }

    #[test]
    fn idle_time_has_a_resolution_of_62_5_ms() {
        let at = lru_clock(1_000_000);
        assert_eq!(idle_ms(1_000_000 + 250, at), 250);
        assert_eq!(idle_ms(1_000_000 + 10_000, at), 10_000);
        assert_eq!(idle_ms(1_000_000 + 30, at), 0);
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
