//! Every path where Rhai recurses once per level of a nested value, at the deepest nesting
//! the default limits allow, on a thread with a 2 MiB stack (std's and tokio's default).
//! Before scripts ran on a deep stack of their own, each of these aborted the process with a
//! stack overflow. Run it in an optimised build (the test suite checks the same in debug,
//! under smaller limits):
//!
//! ```text
//! cargo run --release --example deep_nesting
//! ```
//!
//! Prints each script's reply and exits non-zero if one is not the expected answer.

use redlite::{Reply, Store};

/// The default `script_max_array_size` and `script_max_map_size`.
const ARRAYS: usize = 16_384;
const MAPS: usize = 4_096;

fn main() {
    let arrays = format!("let a = 1; for i in 0..{ARRAYS} {{ a = [take(a)]; }}");
    let maps = format!("let a = 1; for i in 0..{MAPS} {{ a = #{{x: take(a)}}; }}");
    // A map at every fourth level: as deep as both limits allow together, less a little
    // room for the tails that put the value in one more array.
    let mixed = format!(
        "let a = 1; for i in 0..{} {{ a = if i % 4 == 0 {{ #{{x: take(a)}} }} else {{ [take(a)] }}; }}",
        4 * MAPS - 8
    );
    let printed = |n: usize| Reply::Integer(i64::try_from(n).unwrap_or(i64::MAX));
    let cases: Vec<(String, Reply)> = vec![
        // The issue's own script: building stops at the array limit.
        (
            "let a = 1; for i in 0..20000 { a = [a]; } a == a".into(),
            Reply::error("ERR Size of array/BLOB too large"),
        ),
        (format!("{arrays} a == a"), Reply::Integer(1)),
        (format!("{maps} a != a"), Reply::Nil),
        (format!("{mixed} a == a"), Reply::Integer(1)),
        (
            format!("{arrays} to_string(a).len()"),
            printed(2 * ARRAYS + 1),
        ),
        (
            format!("{arrays} (\"\" + a).len()"),
            printed(2 * ARRAYS + 1),
        ),
        (format!("{maps} `${{a}}`.len()"), printed(8 * MAPS + 1)),
        (format!("{maps} a.to_json().len()"), printed(6 * MAPS + 1)),
        (
            format!("{mixed} let c = [1, a]; c.contains(a)"),
            Reply::Integer(1),
        ),
        (
            format!("{mixed} let b = a; a = 1; b = 2; switch [b] {{ 1 => 1, _ => 0 }}"),
            Reply::Integer(0),
        ),
        (
            format!("fn f(x) {{ 0 }} {mixed} const C = a; f(C) + f(a)"),
            Reply::Integer(0),
        ),
        (
            format!("{arrays} a"),
            Reply::error("ERR reached lua stack limit"),
        ),
    ];
    let store = Store::new();
    let mut failed = 0;
    for (src, want) in cases {
        let store = store.clone();
        let script = src.clone();
        let got = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || store.execute(["EVAL", script.as_str(), "0"]))
            .map(|t| t.join());
        let got = match got {
            Ok(Ok(reply)) => reply,
            _ => Reply::error("the script's thread failed"),
        };
        // Script errors end with ` script: <sha>, on @user_script:<line>.`: compare the start.
        let ok = match (&got, &want) {
            (Reply::Error(g), Reply::Error(w)) => g.starts_with(w.as_ref()),
            _ => got == want,
        };
        failed += usize::from(!ok);
        let shown = if src.len() > 60 {
            &src[src.len() - 60..]
        } else {
            &src
        };
        println!(
            "{} ...{shown}\n    -> {got}",
            if ok { "ok  " } else { "FAIL" }
        );
    }
    if failed > 0 {
        eprintln!("{failed} unexpected replies");
        std::process::exit(1);
    }
}
