//! MEMORY STATS, DOCTOR, MALLOC-STATS and PURGE, as Redis 7.0 answers them (`object.c`).
//!
//! The figures come from the store's accounting (`keyspace::accounting`): the bytes of keys,
//! values and shard tables, and the peak of their total. What Redis counts and an in-process
//! store does not have reads 0: replication buffers, replicas, client buffers (a
//! connection's buffers are the caller's own memory), cluster links, the AOF buffer, script
//! and function caches (not accounted), the expires table (a key's deadline lives in its
//! entry, so `overhead.hashtable.expires` is 0) and the slot-to-keys map. redlite does not
//! own the process's allocator and the process's RSS is its host's, so the allocator and RSS
//! figures show the store's own bytes: every ratio 1, every overhead 0 bytes.

use super::Spec;
use super::ctx::{Ctx, Res};
use super::parse::is;
use super::{KeyHashes, plan_each_key};
use crate::keyspace::locks::Plan;
use crate::reply::Reply;
use crate::shared::Shared;

/// Below this total, Redis's doctor declines to diagnose (`getMemoryDoctorReport`).
const EMPTY_BELOW: usize = 5 * 1024 * 1024;

const EMPTY: &str = "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n";
const HEALTHY: &str = "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n";
const ISSUES: &str = "Sam, I detected a few issues in this Redis instance memory implants:\n\n";
const BIG_PEAK: &str = " * Peak memory: In the past this instance used more than 150% the memory that is currently using. The allocator is normally not able to release memory after a peak, so you can expect to see a big fragmentation ratio, however this is actually harmless and is only due to the memory peak, and if the Redis instance Resident Set Size (RSS) is currently bigger than expected, the memory will be used as soon as you fill the Redis instance with more data. If the memory peak was only occasional and you want to try to reclaim memory, please try the MEMORY PURGE command, otherwise the only other option is to shutdown and restart the instance.\n\n";
const SAFE: &str = "I'm here to keep you safe, Sam. I want to help you.\n";

/// Redis's answer without jemalloc.
pub(super) const NO_MALLOC_STATS: &str = "Stats not supported for the current allocator";

/// MEMORY STATS reads every shard of every database in use (key counts, table bytes):
/// it locks them all for reading, in the one order. Other subcommands plan their key.
pub(super) fn plan(shared: &Shared, spec: &Spec, a: &[&[u8]], plan: &mut Plan, h: &mut KeyHashes) {
    if a.len() == 2 && is(a[1], "stats") {
        let ks = &shared.keyspace;
        let base = plan.base();
        for db in ks.made() {
            plan.set_base(ks.base(db));
            plan.add_all(ks.shard_count(), false);
        }
        plan.set_base(base);
        return;
    }
    plan_each_key(shared, spec, a, false, plan, h);
}

/// One database's figures.
struct Db {
    id: usize,
    keys: usize,
    table: usize,
}

/// What MEMORY STATS and DOCTOR report (Redis's `redisMemOverhead`).
struct Overhead {
    total: usize,
    peak: usize,
    dbs: Vec<Db>,
}

impl Overhead {
    fn keys(&self) -> usize {
        self.dbs.iter().map(|d| d.keys).sum()
    }

    /// Only the hash tables: every other overhead Redis counts is 0 here (module docs),
    /// and so is `startup.allocated` (an empty store's shards hold no table).
    fn overhead(&self) -> usize {
        self.dbs.iter().map(|d| d.table).sum()
    }
}

/// INFO memory's figures, from the same accounting as MEMORY STATS: the total, its peak
/// and the shard tables' bytes. The caller holds every shard (INFO's row does).
pub(super) struct Summary {
    pub(super) total: usize,
    pub(super) peak: usize,
    pub(super) overhead: usize,
}

pub(super) fn summary(ctx: &Ctx) -> Summary {
    let o = gather(ctx);
    Summary {
        total: o.total,
        peak: o.peak,
        overhead: o.overhead(),
    }
}

/// The figures from the shards the command holds (all of them, see [`plan`]).
fn gather(ctx: &Ctx) -> Overhead {
    let ks = &ctx.shared.keyspace;
    let mut dbs = Vec::new();
    let mut total = 0;
    for id in ks.made() {
        let (mut keys, mut table) = (0, 0);
        for shard in ctx.held_shards_in(id) {
            keys += shard.live_count();
            table += shard.table_memory();
            total += shard.used_memory();
        }
        // As Redis, a database without keys is left out.
        if keys > 0 {
            dbs.push(Db { id, keys, table });
        }
    }
    Overhead {
        total,
        peak: ks.peak_memory().max(total),
        dbs,
    }
}

/// MEMORY STATS: Redis 7.0's 27 fields and one `db.<n>` map per database with keys, in
/// its order (RESP2: a flat array of names and values; doubles as bulk strings).
pub(super) fn stats(ctx: &mut Ctx) -> Res {
    let o = gather(ctx);
    let int = |n: usize| Reply::Integer(i64::try_from(n).unwrap_or(i64::MAX));
    let mut out = Vec::with_capacity(2 * (27 + o.dbs.len()));
    let mut put = |name: &str, v: Reply| {
        out.push(Reply::bulk(name));
        out.push(v);
    };
    put("peak.allocated", int(o.peak));
    put("total.allocated", int(o.total));
    put("startup.allocated", int(0));
    for name in [
        "replication.backlog",
        "clients.slaves",
        "clients.normal",
        "cluster.links",
        "aof.buffer",
        "lua.caches",
        "functions.caches",
    ] {
        put(name, int(0));
    }
    for db in &o.dbs {
        let fields = [
            ("overhead.hashtable.main", db.table),
            ("overhead.hashtable.expires", 0),
            ("overhead.hashtable.slot-to-keys", 0),
        ];
        let map = fields
            .iter()
            .flat_map(|&(k, v)| [Reply::bulk(k), int(v)])
            .collect();
        put(&format!("db.{}", db.id), Reply::Array(map));
    }
    let overhead = o.overhead();
    let dataset = o.total.saturating_sub(overhead);
    // Redis's `net_usage`: the total above startup (0 here), at least 1.
    let net = o.total.max(1);
    let keys = o.keys();
    put("overhead.total", int(overhead));
    put("keys.count", int(keys));
    put(
        "keys.bytes-per-key",
        int(net.checked_div(keys).unwrap_or(0)),
    );
    put("dataset.bytes", int(dataset));
    put("dataset.percentage", double(percent(dataset, net)));
    put("peak.percentage", double(percent(o.total, o.peak.max(1))));
    put("allocator.allocated", int(o.total));
    put("allocator.active", int(o.total));
    put("allocator.resident", int(o.total));
    for (ratio, bytes) in [
        (
            "allocator-fragmentation.ratio",
            "allocator-fragmentation.bytes",
        ),
        ("allocator-rss.ratio", "allocator-rss.bytes"),
        ("rss-overhead.ratio", "rss-overhead.bytes"),
        ("fragmentation", "fragmentation.bytes"),
    ] {
        put(ratio, double(1.0));
        put(bytes, int(0));
    }
    Ok(Reply::Array(out))
}

/// `part * 100 / whole` as Redis computes it: in `float`, printed as a double.
#[allow(
    clippy::cast_precision_loss,
    reason = "Redis computes these percentages in float precision too"
)]
pub(super) fn percent(part: usize, whole: usize) -> f32 {
    part as f32 * 100.0 / whole as f32
}

/// A double as RESP2's `addReplyDouble` sends it: `%.17g` in a bulk string.
fn double(v: f32) -> Reply {
    Reply::bulk(format_g17(f64::from(v)))
}

/// C's `%.17g`: 17 significant digits, trailing zeros dropped, exponent form outside
/// 1e-4 ..< 1e17.
fn format_g17(v: f64) -> String {
    if !v.is_finite() {
        return if v.is_nan() {
            "nan"
        } else if v > 0.0 {
            "inf"
        } else {
            "-inf"
        }
        .into();
    }
    let sci = format!("{v:.16e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if (-4..17).contains(&exp) {
        let decimals = usize::try_from(16 - exp).unwrap_or(0);
        return trim_zeros(&format!("{v:.decimals$}")).to_owned();
    }
    let sign = if exp < 0 { '-' } else { '+' };
    format!("{}e{sign}{:02}", trim_zeros(mantissa), exp.unsigned_abs())
}

fn trim_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

/// MEMORY DOCTOR: Redis's report for the conditions that exist in process. An almost empty
/// store, and a peak above 150% of what is used now. Fragmentation, RSS, client and
/// replica buffers have no figure of their own here (see the module docs), so their
/// reports never show; neither does the script-cache one (its size is not accounted).
pub(super) fn doctor(ctx: &Ctx) -> Reply {
    let ks = &ctx.shared.keyspace;
    let total = ks.used_memory_approx();
    let peak = ks.peak_memory().max(total);
    let text = if total < EMPTY_BELOW {
        EMPTY.to_owned()
    } else if peak_is_big(peak, total) {
        format!("{ISSUES}{BIG_PEAK}{SAFE}")
    } else {
        HEALTHY.to_owned()
    };
    Reply::bulk(text)
}

/// Redis's test: `(float)peak / total > 1.5`.
#[allow(
    clippy::cast_precision_loss,
    reason = "Redis compares the two in float precision too"
)]
fn peak_is_big(peak: usize, total: usize) -> bool {
    peak as f32 / total as f32 > 1.5
}

#[cfg(test)]
mod tests {
    use super::format_g17;

    #[test]
    fn doubles_print_as_c_printf_g17() {
        assert_eq!(format_g17(1.0), "1");
        assert_eq!(format_g17(100.0), "100");
        assert_eq!(format_g17(f64::from(93.5_f32)), "93.5");
        assert_eq!(format_g17(f64::from(99.123_f32)), "99.123001098632812");
        assert_eq!(format_g17(0.0), "0");
        assert_eq!(format_g17(1e20), "1e+20");
        assert_eq!(format_g17(0.000_012_5), "1.2500000000000001e-05");
    }
}
