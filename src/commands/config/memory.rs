//! CONFIG's memory-limit parameters: `maxmemory`, `maxmemory-policy`, `maxmemory-samples`,
//! `lfu-log-factor`, `lfu-decay-time`, live through the eviction state (`evict::state`).
//! Ranges are Redis 7.0's (`config.c`).

use super::values::{self, Range};
use crate::evict::MaxmemoryPolicy;
use crate::evict::state as mem;
use crate::shared::Shared;

pub(super) fn get_maxmemory(s: &Shared) -> String {
    s.memory.maxmemory().to_string()
}

pub(super) fn set_maxmemory(s: &Shared, v: &[u8], apply: bool) -> Result<(), String> {
    let bytes = values::memory(v, Range::unsigned(0, i64::MAX))?;
    if apply {
        mem::set_maxmemory(&s.memory, &s.keyspace, bytes);
    }
    Ok(())
}

pub(super) fn get_policy(s: &Shared) -> String {
    s.memory.policy().name().to_owned()
}

pub(super) fn set_policy(s: &Shared, v: &[u8], apply: bool) -> Result<(), String> {
    let policy: MaxmemoryPolicy = std::str::from_utf8(v)
        .map_err(|_| crate::evict::ParsePolicyError.to_string())?
        .parse()
        .map_err(|e: crate::evict::ParsePolicyError| e.to_string())?;
    if apply {
        mem::set_maxmemory_policy(&s.memory, policy);
    }
    Ok(())
}

pub(super) fn get_samples(s: &Shared) -> String {
    s.memory.samples().to_string()
}

pub(super) fn set_samples(s: &Shared, v: &[u8], apply: bool) -> Result<(), String> {
    let n = small(values::integer(v, Range::signed(1, 64))?);
    if apply {
        mem::set_maxmemory_samples(&s.memory, n);
    }
    Ok(())
}

pub(super) fn get_log_factor(s: &Shared) -> String {
    s.memory.lfu_log_factor().to_string()
}

pub(super) fn set_log_factor(s: &Shared, v: &[u8], apply: bool) -> Result<(), String> {
    let n = small(values::integer(v, Range::signed(0, i64::from(i32::MAX)))?);
    if apply {
        mem::set_lfu_log_factor(&s.memory, n);
    }
    Ok(())
}

pub(super) fn get_decay_time(s: &Shared) -> String {
    s.memory.lfu_decay_time().to_string()
}

pub(super) fn set_decay_time(s: &Shared, v: &[u8], apply: bool) -> Result<(), String> {
    let n = small(values::integer(v, Range::signed(0, i64::from(i32::MAX)))?);
    if apply {
        mem::set_lfu_decay_time(&s.memory, n);
    }
    Ok(())
}

/// A value already checked to lie in `0..=i32::MAX`.
fn small(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
