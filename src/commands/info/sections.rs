//! The text of each INFO section.
//!
//! Figures that exist in process are real: uptime, connected and blocked clients, keys and
//! keys with a TTL per database, commands processed, keyspace hits and misses, expired
//! keys, per-command calls and time, error replies by code, pub/sub counts, hz. Fields
//! about sockets, forks, replication and the allocator show what an idle Redis without
//! them shows (0, `ok`, `master`). The memory section reports the store's accounting (as MEMORY
//! STATS does). CPU figures are the whole process's (from
//! `/proc/self/stat` where there is one), as Redis's are its own process's.

use std::fmt::Write;

use super::super::ctx::Ctx;
use crate::shared::Shared;

/// Appends section `name` (header and fields) to `out`.
pub(super) fn write(ctx: &Ctx, name: &str, out: &mut String) {
    let s = ctx.shared;
    let header = match name {
        "cpu" => "CPU".to_owned(),
        "commandstats" => "Commandstats".to_owned(),
        "errorstats" => "Errorstats".to_owned(),
        other => {
            let mut h = other.to_owned();
            h[..1].make_ascii_uppercase();
            h
        }
    };
    let _ = write!(out, "# {header}\r\n");
    let lines = match name {
        "server" => server(s),
        "clients" => clients(s),
        "memory" => memory(ctx),
        "persistence" => persistence(ctx),
        "stats" => stats(ctx),
        "replication" => replication(s),
        "cpu" => cpu(),
        "commandstats" => commandstats(s),
        "errorstats" => errorstats(s),
        "cluster" => vec![field("cluster_enabled", u8::from(s.config.cluster_mode))],
        "keyspace" => keyspace(ctx),
        _ => Vec::new(),
    };
    for line in lines {
        out.push_str(&line);
        out.push_str("\r\n");
    }
}

fn field(name: &str, value: impl std::fmt::Display) -> String {
    format!("{name}:{value}")
}

fn server(s: &Shared) -> Vec<String> {
    let up = s.server.started.elapsed().as_secs();
    let now_ms = s.now();
    let exe = std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    vec![
        field("redis_version", crate::server::REDIS_VERSION),
        field("redlite_version", env!("CARGO_PKG_VERSION")),
        field("redis_git_sha1", "00000000"),
        field("redis_git_dirty", 0),
        field("redis_build_id", 0),
        field("redis_mode", "standalone"),
        field(
            "os",
            format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
        ),
        field("arch_bits", usize::BITS),
        field("multiplexing_api", "none"),
        field("process_id", std::process::id()),
        field("process_supervised", "no"),
        field("run_id", &s.server.run_id),
        field("tcp_port", 0),
        field("server_time_usec", now_ms.saturating_mul(1000)),
        field("uptime_in_seconds", up),
        field("uptime_in_days", up / 86_400),
        field("hz", s.server.live.hz()),
        field("configured_hz", s.server.live.hz()),
        // Redis's LRU clock: seconds, in 24 bits.
        field("lru_clock", (now_ms / 1000) & ((1 << 24) - 1)),
        field("executable", exe),
        field("config_file", ""),
        field("io_threads_active", 0),
    ]
}

fn clients(s: &Shared) -> Vec<String> {
    let blocked = s.events.blocked.load(std::sync::atomic::Ordering::Relaxed);
    vec![
        field("connected_clients", s.server.clients.count()),
        field("cluster_connections", 0),
        field("maxclients", 10_000),
        field("client_recent_max_input_buffer", 0),
        field("client_recent_max_output_buffer", 0),
        field("blocked_clients", blocked),
        field("tracking_clients", 0),
        field("clients_in_timeout_table", 0),
    ]
}

/// Redis's `bytesToHuman`.
pub(super) fn human(n: u64) -> String {
    #[allow(clippy::cast_precision_loss, reason = "two decimals of a size")]
    let f = n as f64;
    let units = [
        (1u64 << 40, 'T'),
        (1 << 30, 'G'),
        (1 << 20, 'M'),
        (1 << 10, 'K'),
    ];
    for (size, unit) in units {
        if n >= size {
            #[allow(clippy::cast_precision_loss, reason = "two decimals of a size")]
            let v = f / size as f64;
            return format!("{v:.2}{unit}");
        }
    }
    format!("{n}B")
}

/// Redis 7.0's memory fields, in its order. The figures are the store's accounting:
/// `used_memory` is the running total eviction compares with `maxmemory` (as Redis's is),
/// which lags MEMORY STATS' exact `total.allocated` by at most 1 KiB per shard; the
/// overhead and peak are MEMORY STATS' figures. The allocator and RSS
/// fields repeat it (ratios 1, overheads 0: the process's heap and RSS are its host's), and
/// the replication, client, cluster, AOF-buffer and script-VM figures are 0 (module docs of
/// `memory_stats`). The script and function counts are real.
fn memory(ctx: &Ctx) -> Vec<String> {
    use crate::commands::memory_stats::{percent, summary};
    let s = ctx.shared;
    let m = summary(ctx);
    let used = crate::server::used_memory(s);
    let peak = used.max(m.peak as u64);
    let dataset = m.total.saturating_sub(m.overhead);
    let (scripts, libraries, functions) =
        crate::script::state(s).map_or((0, 0, 0), crate::script::Scripts::counts);
    let system = total_system_memory();
    let mut out = vec![
        field("used_memory", used),
        field("used_memory_human", human(used)),
        field("used_memory_rss", used),
        field("used_memory_rss_human", human(used)),
        field("used_memory_peak", peak),
        field("used_memory_peak_human", human(peak)),
        field(
            "used_memory_peak_perc",
            format!("{:.2}%", percent(m.total, m.peak.max(m.total).max(1))),
        ),
        field("used_memory_overhead", m.overhead),
        field("used_memory_startup", 0),
        field("used_memory_dataset", dataset),
        field(
            "used_memory_dataset_perc",
            format!("{:.2}%", percent(dataset, m.total.max(1))),
        ),
        field("allocator_allocated", used),
        field("allocator_active", used),
        field("allocator_resident", used),
        field("total_system_memory", system),
        field("total_system_memory_human", human(system)),
    ];
    for name in ["used_memory_lua", "used_memory_vm_eval"] {
        out.push(field(name, 0));
    }
    out.extend([
        field("used_memory_lua_human", human(0)),
        field("used_memory_scripts_eval", 0),
        field("number_of_cached_scripts", scripts),
        field("number_of_functions", functions),
        field("number_of_libraries", libraries),
        field("used_memory_vm_functions", 0),
        field("used_memory_vm_total", 0),
        field("used_memory_vm_total_human", human(0)),
        field("used_memory_functions", 0),
        field("used_memory_scripts", 0),
        field("used_memory_scripts_human", human(0)),
        field("maxmemory", s.memory.maxmemory()),
        field("maxmemory_human", human(s.memory.maxmemory())),
        field("maxmemory_policy", s.memory.policy().name()),
    ]);
    for (ratio, bytes) in [
        ("allocator_frag_ratio", "allocator_frag_bytes"),
        ("allocator_rss_ratio", "allocator_rss_bytes"),
        ("rss_overhead_ratio", "rss_overhead_bytes"),
        ("mem_fragmentation_ratio", "mem_fragmentation_bytes"),
    ] {
        out.push(field(ratio, "1.00"));
        out.push(field(bytes, 0));
    }
    for name in [
        "mem_not_counted_for_evict",
        "mem_replication_backlog",
        "mem_total_replication_buffers",
        "mem_clients_slaves",
        "mem_clients_normal",
        "mem_cluster_links",
        "mem_aof_buffer",
    ] {
        out.push(field(name, 0));
    }
    out.extend([
        field("mem_allocator", "libc"),
        field("active_defrag_running", 0),
        field("lazyfree_pending_objects", 0),
        field("lazyfreed_objects", 0),
    ]);
    out
}

/// The machine's memory (`MemTotal` of /proc/meminfo, 0 where there is none), read once:
/// INFO runs under every shard lock, and the figure does not change.
fn total_system_memory() -> u64 {
    static TOTAL: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *TOTAL.get_or_init(|| {
        let text = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        text.lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|v| v.trim().strip_suffix("kB"))
            .and_then(|kb| kb.trim().parse::<u64>().ok())
            .map_or(0, |kb| kb * 1024)
    })
}

/// The snapshot and log state: a store opens (loads) before anyone can ask, so `loading` is 0.
fn persistence(ctx: &Ctx) -> Vec<String> {
    use std::sync::atomic::Ordering::Acquire;
    let s = ctx.shared;
    let saves = &s.saves;
    // INFO holds every shard of every database: sum their clocks here, not through
    // `persist::changes_since_save`, which would lock them again.
    let clocks = ctx
        .held_shards()
        .map(crate::keyspace::Shard::write_clock)
        .fold(0, u64::wrapping_add);
    let ok = |good: bool| if good { "ok" } else { "err" };
    let aof = s.aof.get();
    // Starting a log (CONFIG SET appendonly yes) is a rewrite, as in Redis.
    let rewriting = s.aof.starting() || aof.as_ref().is_some_and(|a| a.rewriting());
    let (rewrites, rewrite_ok, rewrite_secs) = aof
        .as_ref()
        .map_or((0, !s.aof.start_failed(), -1), |a| a.rewrite_stats());
    vec![
        field("loading", 0),
        field("async_loading", 0),
        field(
            "rdb_bgsave_in_progress",
            u8::from(saves.bgsave_running.load(Acquire)),
        ),
        field(
            "rdb_changes_since_last_save",
            clocks.wrapping_sub(saves.clocks_at_save.load(Acquire)),
        ),
        field("rdb_last_save_time", saves.last_save.load(Acquire)),
        field("rdb_last_bgsave_status", ok(!saves.bgsave_failed())),
        field("rdb_last_bgsave_time_sec", saves.last_bgsave_secs()),
        field("rdb_saves", saves.saves_done.load(Acquire)),
        field("aof_enabled", u8::from(s.aof.enabled())),
        field("aof_rewrite_in_progress", u8::from(rewriting)),
        field("aof_rewrite_scheduled", 0),
        field("aof_last_rewrite_time_sec", rewrite_secs),
        field("aof_last_bgrewrite_status", ok(rewrite_ok)),
        field("aof_rewrites", rewrites),
        field(
            "aof_last_write_status",
            ok(crate::persist::misconf::aof_error(s).is_none()),
        ),
    ]
}

/// Sums a per-shard counter over the shards the INFO command holds (all of them).
fn shard_sum(ctx: &Ctx, f: impl Fn(&crate::keyspace::Shard) -> u64) -> u64 {
    ctx.held_shards().map(f).sum()
}

fn stats(ctx: &Ctx) -> Vec<String> {
    use std::sync::atomic::Ordering::Relaxed;
    let s = ctx.shared;
    let commands = s.commands;
    let processed: u64 = (0..=commands.len())
        .map(|i| s.server.stats.totals(i).calls)
        .sum();
    let errors: u64 = s.server.stats.errors().iter().map(|(_, n)| n).sum();
    vec![
        field("total_connections_received", s.server.stats.connections()),
        field("total_commands_processed", processed),
        field("rejected_connections", 0),
        field(
            "expired_keys",
            shard_sum(ctx, |sh| sh.counts.expired.load(Relaxed)),
        ),
        field("evicted_keys", s.memory.evicted.load(Relaxed)),
        field(
            "keyspace_hits",
            shard_sum(ctx, |sh| sh.counts.hits.load(Relaxed)),
        ),
        field(
            "keyspace_misses",
            shard_sum(ctx, |sh| sh.counts.misses.load(Relaxed)),
        ),
        field(
            "pubsub_channels",
            s.events.pubsub.channels_matching(None).len(),
        ),
        field("pubsub_patterns", s.events.pubsub.numpat()),
        field("total_forks", 0),
        field("total_error_replies", errors),
    ]
}

fn replication(s: &Shared) -> Vec<String> {
    vec![
        field("role", "master"),
        field("connected_slaves", 0),
        field("master_failover_state", "no-failover"),
        field("master_replid", &s.server.run_id),
        field("master_replid2", "0".repeat(40)),
        field("master_repl_offset", 0),
        field("second_repl_offset", -1),
        field("repl_backlog_active", 0),
        field("repl_backlog_size", 1_048_576),
        field("repl_backlog_first_byte_offset", 0),
        field("repl_backlog_histlen", 0),
    ]
}

/// User and system CPU seconds of the process, from `/proc/self/stat` (fields 14 and 15,
/// in clock ticks of 1/100 s, Linux's `USER_HZ`); zero where that file does not exist.
fn cpu_seconds() -> (f64, f64) {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return (0.0, 0.0);
    };
    // The command name (field 2) may hold spaces; the fields after it are counted from
    // its closing parenthesis.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u32>().ok())
            .unwrap_or(0)
    };
    // Fields 14 and 15 of the whole line are 12 and 13 of what follows field 2.
    (f64::from(ticks(11)) / 100.0, f64::from(ticks(12)) / 100.0)
}

fn cpu() -> Vec<String> {
    let (user, sys) = cpu_seconds();
    vec![
        field("used_cpu_sys", format!("{sys:.6}")),
        field("used_cpu_user", format!("{user:.6}")),
        field("used_cpu_sys_children", "0.000000"),
        field("used_cpu_user_children", "0.000000"),
    ]
}

fn commandstats(s: &Shared) -> Vec<String> {
    let mut out = Vec::new();
    for (i, spec) in s.commands.iter().enumerate() {
        let t = s.server.stats.totals(i);
        if t.calls == 0 && t.failed == 0 && t.rejected == 0 {
            continue;
        }
        #[allow(
            clippy::cast_precision_loss,
            reason = "an average, printed to 2 places"
        )]
        let per_call = if t.calls == 0 {
            0.0
        } else {
            t.usec as f64 / t.calls as f64
        };
        out.push(format!(
            "cmdstat_{}:calls={},usec={},usec_per_call={per_call:.2},rejected_calls={},failed_calls={}",
            spec.name, t.calls, t.usec, t.rejected, t.failed
        ));
    }
    out
}

fn errorstats(s: &Shared) -> Vec<String> {
    s.server
        .stats
        .errors()
        .iter()
        .map(|(code, n)| format!("errorstat_{code}:count={n}"))
        .collect()
}

/// `db<n>:keys=..,expires=..,avg_ttl=0` for each database that holds keys.
/// (`avg_ttl` is an estimate Redis refines while it samples for active expiry; redlite
/// does not estimate it and reports 0, what Redis reports before its first samples.)
fn keyspace(ctx: &Ctx) -> Vec<String> {
    let ks = &ctx.shared.keyspace;
    ks.made()
        .filter_map(|db| {
            let count = |f: fn(&crate::keyspace::Shard) -> usize| -> usize {
                ctx.held_shards_in(db).map(f).sum()
            };
            let keys = count(crate::keyspace::Shard::live_count);
            let expires = count(crate::keyspace::Shard::volatile_count);
            (keys != 0 || expires != 0)
                .then(|| format!("db{db}:keys={keys},expires={expires},avg_ttl=0"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes_print_as_redis_prints_them() {
        assert_eq!(super::human(0), "0B");
        assert_eq!(super::human(1023), "1023B");
        assert_eq!(super::human(1024), "1.00K");
        assert_eq!(super::human(1_089_352), "1.04M");
    }
}
