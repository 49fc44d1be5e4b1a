//! Measures what the script limits bound, one probe per run (peak memory is per process):
//!
//! - `keys`: EVAL time with 10k and 40k declared keys, each used by one `redis::call`.
//! - `compile`: compile time of a `switch` with N arms (`SCRIPT LOAD`, nothing cached).
//! - `split`: peak resident memory (`VmHWM`) of `s.split("")` on a 10 MB string.
//! - `native`: the time of one native call on a string of the largest allowed size.
//!
//! `cargo run --release --example script_probe -- keys|compile|split|native`

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use redlite::{Config, Store};

fn main() {
    let probe = std::env::args().nth(1).unwrap_or_default();
    match probe.as_str() {
        "keys" => keys(),
        "compile" => compile(),
        "split" => split(),
        "native" => native(),
        _ => eprintln!("usage: script_probe keys|compile|split|native"),
    }
}

fn store() -> Store {
    Store::with_config(Config::default().active_expiry(false))
}

fn timed(f: impl FnOnce() -> redlite::Reply) -> (Duration, String) {
    let start = Instant::now();
    let reply = f();
    let mut text = reply.to_string();
    text.truncate(100);
    (start.elapsed(), text)
}

fn keys() {
    let s = store();
    let src = r#"let n = 0; for k in KEYS { redis::call("SET", k, "1"); n += 1; } n"#;
    let one_call = r#"redis::call("EXISTS", KEYS)"#;
    for n in [10_000usize, 40_000] {
        let names: Vec<String> = (0..n).map(|i| format!("key:{i}")).collect();
        for script in [src, one_call] {
            let mut argv = vec!["EVAL".to_string(), script.to_string(), n.to_string()];
            argv.extend(names.iter().cloned());
            let (t, r) = timed(|| s.execute(&argv));
            println!("{n} keys, {script}: {t:?} ({r})");
        }
    }
}

fn compile() {
    let s = store();
    for arms in [1_000usize, 2_000, 4_000, 8_000, 16_000, 32_000] {
        let mut src = String::from("let x = 0; switch x {\n");
        for i in 0..arms {
            let _ = writeln!(src, "  {i} => {i},");
        }
        src.push_str("  _ => 0 }");
        let (t, r) = timed(|| s.execute(["SCRIPT", "LOAD", &src]));
        println!("switch of {arms} arms ({} bytes): {t:?} ({r})", src.len());
    }
}

/// `VmHWM` (peak resident set) of this process in kB, from /proc/self/status.
fn peak_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn split() {
    let s = store();
    let before = peak_kb();
    let src = r#"let s = "a"; while s.len() < 10000000 { s += s; } s.split("").len()"#;
    let (t, r) = timed(|| s.execute(["EVAL", src, "0"]));
    let after = peak_kb();
    println!(
        "split(\"\") on a 10 MB string: {t:?}, peak RSS +{} MiB ({r})",
        (after.saturating_sub(before)) / 1024
    );
}

fn native() {
    let s = store();
    let build = r#"let s = "a"; while s.len() * 2 <= 16777216 { s += s; } "#;
    for call in [
        "s.len()",
        r#"s.index_of("b")"#,
        r#"s.contains("b")"#,
        "s.to_upper().len()",
        r#"s.replace("b", "c"); 0"#,
        "s.sub_string(1000000, 10).len()",
        r#"s.split("b").len()"#,
        "s.to_chars().len()",
        "s.to_blob().len()",
    ] {
        let once = format!("{build} {call}");
        let twice = format!("{build} {call}; {call}");
        let (t1, r) = timed(|| s.execute(["EVAL", &once, "0"]));
        let (t2, _) = timed(|| s.execute(["EVAL", &twice, "0"]));
        println!("{call}: {:?} per call ({r})", t2.saturating_sub(t1));
    }
    let arr = "let a = []; for i in 0..16000 { a.push(i); } let n = 0; loop { a.push(1); a.pop(); n += 1; }";
    let (t, r) = timed(|| s.execute(["EVAL", arr, "0"]));
    println!("push/pop on a 16k array until stopped: {t:?} ({r})");
}
