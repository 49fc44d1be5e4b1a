//! `HyperLogLog`: PFADD, PFCOUNT, PFMERGE, and the bytes of the value itself, which must be
//! Redis's (checked against a real `redis-server` when one is installed).

use crate::common::{bulk, err, int, ok, setup};
use crate::parity::server::start_or_skip;
use redlite::{Reply, Store};

const NOT_HLL: &str = "WRONGTYPE Key is not a valid HyperLogLog string value.";

fn elements(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i}")).collect()
}

fn pfadd(conn: &mut redlite::Connection, key: &str, els: &[String]) -> Reply {
    let mut args = vec!["PFADD".to_string(), key.to_string()];
    args.extend(els.iter().cloned());
    conn.execute(&args)
}

#[test]
fn pfadd_answers_whether_a_register_changed() {
    let (_s, mut c, _) = setup();
    assert_eq!(c.execute(["PFADD", "h"]), int(1));
    assert_eq!(c.execute(["PFADD", "h"]), int(0));
    assert_eq!(c.execute(["PFADD", "h", "a", "b", "c"]), int(1));
    assert_eq!(c.execute(["PFADD", "h", "a", "b", "c"]), int(0));
    assert_eq!(c.execute(["PFCOUNT", "h"]), int(3));
    assert_eq!(c.execute(["PFCOUNT", "missing"]), int(0));
}

#[test]
fn a_new_hll_holds_redis_header_and_one_xzero_run() {
    let (_s, mut c, _) = setup();
    c.execute(["PFADD", "h"]);
    // Created with a stale cache (its top bit), as PFADD marks it.
    assert_eq!(
        c.execute(["GET", "h"]),
        bulk(b"HYLL\x01\0\0\0\0\0\0\0\0\0\0\x80\x7f\xff")
    );
    assert_eq!(c.execute(["PFCOUNT", "h"]), int(0));
    assert_eq!(
        c.execute(["GET", "h"]),
        bulk(b"HYLL\x01\0\0\0\0\0\0\0\0\0\0\0\x7f\xff")
    );
}

#[test]
fn counts_stay_close_to_the_truth_through_promotion_to_dense() {
    let (_s, mut c, _) = setup();
    for chunk in elements("e", 20_000).chunks(1000) {
        pfadd(&mut c, "h", chunk);
    }
    let Reply::Integer(n) = c.execute(["PFCOUNT", "h"]) else {
        panic!("not an integer")
    };
    assert!((19_000..21_000).contains(&n), "{n}");
    let Reply::Bulk(v) = c.execute(["GET", "h"]) else {
        panic!("not a bulk")
    };
    assert_eq!((v.len(), v[4]), (12_304, 0), "dense after 20000 elements");
}

#[test]
fn strings_that_are_not_hlls_are_refused_with_redis_text() {
    let (_s, mut c, _) = setup();
    c.execute(["SET", "s", "hello"]);
    c.execute(["LPUSH", "l", "x"]);
    assert_eq!(c.execute(["PFADD", "s", "a"]), err(NOT_HLL));
    assert_eq!(c.execute(["PFCOUNT", "s"]), err(NOT_HLL));
    assert_eq!(c.execute(["PFMERGE", "d", "s"]), err(NOT_HLL));
    assert_eq!(
        c.execute(["PFADD", "l", "a"]),
        err(crate::common::WRONGTYPE)
    );
    // A dense header with the wrong length is not an HLL either.
    let mut dense = b"HYLL\0\0\0\0\0\0\0\0\0\0\0\0".to_vec();
    dense.extend(vec![0u8; 100]);
    c.execute([&b"SET"[..], b"d", &dense]);
    assert_eq!(c.execute(["PFCOUNT", "d"]), err(NOT_HLL));
}

#[test]
fn corrupt_sparse_registers_answer_invalidobj() {
    let (_s, mut c, _) = setup();
    // One XZERO run of 100 registers: far short of 16384.
    c.execute([
        &b"SET"[..],
        b"h",
        b"HYLL\x01\0\0\0\0\0\0\0\0\0\0\x80\x40\x63",
    ]);
    let corrupt = err("INVALIDOBJ Corrupted HLL object detected");
    assert_eq!(c.execute(["PFCOUNT", "h"]), corrupt);
    assert_eq!(c.execute(["PFCOUNT", "h", "x"]), corrupt);
    assert_eq!(c.execute(["PFADD", "h", "zzzz-not-there"]), corrupt);
}

#[test]
fn pfmerge_unions_sources_into_the_destination() {
    let (_s, mut c, _) = setup();
    pfadd(&mut c, "a", &elements("x", 100));
    pfadd(&mut c, "b", &elements("x", 150));
    pfadd(&mut c, "dest", &elements("y", 10));
    assert_eq!(c.execute(["PFMERGE", "dest", "a", "b", "missing"]), ok());
    let Reply::Integer(n) = c.execute(["PFCOUNT", "dest"]) else {
        panic!()
    };
    assert!((155..=165).contains(&n), "{n}");
    assert_eq!(c.execute(["PFCOUNT", "a", "b", "dest"]), int(n));
    assert_eq!(c.execute(["PFMERGE", "new"]), ok());
    assert_eq!(c.execute(["PFCOUNT", "new"]), int(0));
}

#[test]
fn pfcount_caching_bumps_the_version_so_watch_aborts() {
    let (store, mut c, _) = setup();
    c.execute(["PFADD", "h", "a"]);
    c.execute(["WATCH", "h"]);
    store.execute(["PFCOUNT", "h"]);
    c.execute(["MULTI"]);
    c.execute(["PING"]);
    assert_eq!(c.execute(["EXEC"]), Reply::NilArray);
}

/// The same PFADD / PFMERGE / PFCOUNT sequence on both sides leaves byte-identical values:
/// sparse ones, ones promoted by size (hll-sparse-max-bytes) and by a register past 32,
/// dense ones, and merges of each.
#[test]
fn hll_bytes_and_counts_match_real_redis() {
    let Some(server) = start_or_skip(&[], "hyperloglog parity") else {
        return;
    };
    let mut redis = server.connect();
    let mut lite = Store::new().connection();
    let mut compared = 0;
    let mut both = |args: Vec<String>| {
        let (r, l) = (redis.call(&args), lite.execute(&args));
        assert_eq!(l, r, "{:?}", &args[..args.len().min(4)]);
        compared += 1;
    };
    both(vec!["FLUSHALL".into()]);
    let sizes = [1usize, 3, 10, 50, 200, 700, 1500, 3000, 20_000];
    for (k, &n) in sizes.iter().enumerate() {
        let key = format!("h{k}");
        for (i, chunk) in elements(&format!("{k}:"), n).chunks(500).enumerate() {
            let mut args = vec!["PFADD".to_string(), key.clone()];
            args.extend(chunk.iter().cloned());
            both(args);
            if i % 3 == 0 {
                both(vec!["GET".into(), key.clone()]);
            }
        }
        both(vec!["GET".into(), key.clone()]);
        both(vec!["PFCOUNT".into(), key.clone()]);
        both(vec!["GET".into(), key.clone()]);
    }
    let keys: Vec<String> = (0..sizes.len()).map(|k| format!("h{k}")).collect();
    for pair in keys.windows(2) {
        both(vec![
            "PFMERGE".into(),
            "m".into(),
            pair[0].clone(),
            pair[1].clone(),
        ]);
        both(vec!["GET".into(), "m".into()]);
        both(vec!["PFCOUNT".into(), pair[0].clone(), pair[1].clone()]);
        both(vec!["PFCOUNT".into(), "m".into()]);
    }
    both(vec![
        "PFMERGE".into(),
        "small".into(),
        "h0".into(),
        "h1".into(),
        "h2".into(),
    ]);
    both(vec!["GET".into(), "small".into()]);
    println!("hyperloglog parity: {compared} replies compared, 0 mismatches");
}
