//! Crash tests with real processes: a child (this test binary, re-run on one entry point)
//! writes strings, a counter, a list, EXECs and scripts into a data folder and prints each
//! acknowledged write; the parent SIGKILLs it at a seeded random moment, reopens the folder
//! and checks what survived. Under `Always` every acknowledged write is there and at most
//! the one write in flight beyond it; under `EverySec` the state is a prefix of the writes
//! that lacks at most about two seconds' worth; never a partial EXEC or script; the folder
//! always opens. The child also rewrites the log now and then, so kills land mid-rewrite too.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::common::datadir::DataDir;
use crate::parity::rng::Rng;
use redlite::{Config, Fsync, Reply, Script, Store};

const CHILD_ENV: &str = "REDLITE_AOF_CRASH_CHILD";
const KILLS_PER_POLICY: u64 = 6;

fn policy_name(p: Fsync) -> &'static str {
    match p {
        Fsync::Always => "always",
        Fsync::EverySec => "everysec",
        _ => "no",
    }
}

/// The child's side: runs only when re-executed by the parent with `CHILD_ENV` set
/// (`<folder>:<policy>`); as part of an ordinary test run it returns at once.
#[test]
fn crash_child_entry_point() {
    let Ok(spec) = std::env::var(CHILD_ENV) else {
        return;
    };
    let (dir, policy) = spec.rsplit_once(':').unwrap_or((&spec, "always"));
    let policy = if policy == "everysec" {
        Fsync::EverySec
    } else {
        Fsync::Always
    };
    let store =
        Store::open(Config::default().data_dir(dir).appendfsync(policy)).expect("child opens");
    let script = Script::new(
        "#!rhai\nredis::call(\"SET\", KEYS[0], ARGV[0]); redis::call(\"SET\", KEYS[1], ARGV[0]); 1",
    );
    let start = Instant::now();
    let out = std::io::stdout();
    for i in 0u64.. {
        let what = match i % 5 {
            0 => {
                store.execute(["SET", &format!("s:{i}"), &i.to_string()]);
                "set"
            }
            1 => {
                store.execute(["INCR", "counter"]);
                "incr"
            }
            2 => {
                store.execute(["RPUSH", "list", &i.to_string()]);
                "rpush"
            }
            3 => {
                let mut c = store.connection();
                c.execute(["MULTI"]);
                c.execute(["SET", "m:a", &i.to_string()]);
                c.execute(["SET", "m:b", &i.to_string()]);
                c.execute(["INCR", "m:n"]);
                c.execute(["EXEC"]);
                "exec"
            }
            _ => {
                let _: i64 = script
                    .key("sc:a")
                    .key("sc:b")
                    .arg(i)
                    .invoke(&store)
                    .expect("script");
                "script"
            }
        };
        // One line per acknowledged write: its number, kind and time since start.
        let mut lock = out.lock();
        let _ = writeln!(lock, "ACK {i} {what} {}", start.elapsed().as_millis());
        let _ = lock.flush();
        drop(lock);
        if i % 400 == 399 {
            let _ = store.rewrite_aof();
        }
    }
}

/// Every acknowledged write: its number and the child's clock (ms) when it was acked.
struct Heard {
    acks: Vec<(u64, u64)>,
}

/// When the parent kills the child.
#[derive(Clone, Copy)]
enum Kill {
    /// Once this many writes were acknowledged.
    AfterAcks(u64),
    /// Once an acknowledgement stamped this late arrives.
    AfterMs(u64),
}

/// Runs one child until `kill` says, kills it with SIGKILL, and reads what it had printed
/// (lines already written before the kill count as acknowledged).
fn run_child(dir: &Path, policy: Fsync, kill: Kill) -> Heard {
    let exe = std::env::current_exe().expect("test binary");
    let mut child = Command::new(exe)
        .args([
            "--exact",
            "aof_crash::crash_child_entry_point",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(
            CHILD_ENV,
            format!("{}:{}", dir.display(), policy_name(policy)),
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn the child");
    let stdout = child.stdout.take().expect("child stdout");
    let mut heard = Heard { acks: Vec::new() };
    let mut killed = false;
    for line in BufReader::new(stdout).lines() {
        let Ok(line) = line else { break };
        let Some(rest) = line.strip_prefix("ACK ") else {
            continue;
        };
        let parts: Vec<&str> = rest.split(' ').collect();
        let (Some(i), Some(ms)) = (
            parts[0].parse().ok(),
            parts.get(2).and_then(|m| m.parse().ok()),
        ) else {
            continue;
        };
        heard.acks.push((i, ms));
        let due = match kill {
            Kill::AfterAcks(n) => i + 1 >= n,
            Kill::AfterMs(t) => ms >= t,
        };
        if due && !killed {
            let _ = child.kill(); // SIGKILL
            killed = true;
        }
    }
    if !killed {
        let _ = child.kill();
    }
    let _ = child.wait();
    heard
}

fn get_int(store: &Store, key: &str) -> Option<u64> {
    match store.execute(["GET", key]) {
        Reply::Bulk(b) => String::from_utf8_lossy(&b).parse().ok(),
        _ => None,
    }
}

/// The number of the last write of each kind present, checked to be a consistent prefix.
/// Returns the highest write number the reopened store holds.
fn check_prefix(store: &Store) -> Option<u64> {
    // The list holds the rpush numbers 2, 7, 12, ... in order with no gap.
    let Reply::Array(items) = store.execute(["LRANGE", "list", "0", "-1"]) else {
        panic!("list");
    };
    let list: Vec<u64> = items
        .iter()
        .map(|r| match r {
            Reply::Bulk(b) => String::from_utf8_lossy(b).parse().unwrap_or(u64::MAX),
            _ => u64::MAX,
        })
        .collect();
    for (k, v) in list.iter().enumerate() {
        assert_eq!(
            *v,
            2 + 5 * k as u64,
            "the list is a gapless prefix: {list:?}"
        );
    }
    // Never a partial EXEC or script.
    assert_eq!(
        store.execute(["GET", "m:a"]),
        store.execute(["GET", "m:b"]),
        "partial EXEC"
    );
    assert_eq!(
        store.execute(["GET", "sc:a"]),
        store.execute(["GET", "sc:b"]),
        "partial script"
    );
    let execs = get_int(store, "m:n").unwrap_or(0);
    if let Some(a) = get_int(store, "m:a") {
        assert_eq!(a, 3 + 5 * (execs - 1), "m:n counts the EXECs up to m:a");
    }
    let incrs = get_int(store, "counter").unwrap_or(0);
    // Every kind advanced in step: the writes form one prefix of the sequence.
    let highest = [
        list.last().copied(),
        incrs.checked_sub(1).map(|k| 1 + 5 * k),
        execs.checked_sub(1).map(|k| 3 + 5 * k),
        get_int(store, "sc:a"),
    ]
    .into_iter()
    .flatten()
    .max();
    // A SET is the one kind with no running total: the next one after the rest may be there.
    let next_set = highest.map_or(0, |h| (h / 5 + 1) * 5);
    let highest = match get_int(store, &format!("s:{next_set}")) {
        Some(v) if v == next_set => Some(next_set),
        _ => highest,
    };
    if let Some(h) = highest {
        for i in (0..=h).filter(|i| i % 5 == 0) {
            assert!(
                get_int(store, &format!("s:{i}")) == Some(i),
                "s:{i} missing below {h}"
            );
        }
        let rounds = h / 5;
        assert!(list.len() as u64 >= rounds, "list behind the prefix");
        assert!(
            incrs >= rounds && execs >= rounds,
            "counter/EXEC behind the prefix"
        );
    }
    highest
}

fn crash_many_times(policy: Fsync, seed: u64) {
    let mut rng = Rng::new(seed);
    for round in 0..KILLS_PER_POLICY {
        let dir = DataDir::new("crash");
        let kill = match policy {
            Fsync::Always => Kill::AfterAcks(20 + rng.below(900) as u64),
            _ => Kill::AfterMs(100 + rng.below(2400) as u64),
        };
        let heard = run_child(dir.path(), policy, kill);
        let store = Store::open(Config::default().data_dir(dir.path()).appendfsync(policy))
            .unwrap_or_else(|e| panic!("round {round}: the folder must open: {e}"));
        let present = check_prefix(&store);
        let Some(&(last, last_ms)) = heard.acks.last() else {
            continue;
        };
        let present_or_none = present.map_or(-1, |p| p as i64);
        // Never beyond the one write in flight when the kill came.
        assert!(
            present_or_none <= last as i64 + 1,
            "round {round}: {present:?} beyond the write in flight"
        );
        // Always: every acknowledged write. EverySec: everything acknowledged over ~2 s
        // before the last acknowledgement.
        let must_have = if policy == Fsync::Always {
            Some(last)
        } else {
            let old = heard
                .acks
                .iter()
                .rev()
                .find(|&&(_, ms)| ms + TAIL_MS <= last_ms);
            old.map(|&(i, _)| i)
        };
        if let Some(i) = must_have {
            assert!(
                present_or_none >= i as i64,
                "round {round}: acked {i}, {present:?} survived"
            );
        }
    }
}

/// What a crash under `EverySec` may lose: about two seconds of writes.
const TAIL_MS: u64 = 2000;

#[test]
fn sigkill_under_always_loses_no_acknowledged_write() {
    crash_many_times(Fsync::Always, 11);
}

#[test]
fn sigkill_under_everysec_loses_at_most_a_short_tail() {
    crash_many_times(Fsync::EverySec, 12);
}
