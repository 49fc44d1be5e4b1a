//! BITFIELD and `BITFIELD_RO`: signed and unsigned fields, `#` offsets, OVERFLOW WRAP / SAT /
//! FAIL, and Redis's error texts (expected values taken from a real `redis-server`).

use crate::common::{SYNTAX, bulk, err, int, nil, setup};
use redlite::Reply;

const BAD_TYPE: &str = "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";

fn arr(items: Vec<Reply>) -> Reply {
    Reply::Array(items)
}

#[test]
fn bitfield_runs_get_set_incrby_in_order() {
    let (_s, mut c, _) = setup();
    c.execute(["SET", "s", "foobar"]);
    let r = c.execute([
        "BITFIELD", "s", "GET", "u4", "0", "GET", "i8", "#1", "SET", "u8", "0", "200", "INCRBY",
        "i5", "100", "1", "OVERFLOW", "SAT", "INCRBY", "u2", "102", "1", "OVERFLOW", "FAIL",
        "INCRBY", "i8", "0", "1000",
    ]);
    assert_eq!(
        r,
        arr(vec![int(6), int(111), int(102), int(1), int(1), nil()])
    );
    assert_eq!(
        c.execute(["BITFIELD", "s", "GET", "i64", "#1"]),
        arr(vec![int(25_165_824)])
    );
}

#[test]
fn overflow_wraps_saturates_or_fails() {
    let (_s, mut c, _) = setup();
    let run = |c: &mut redlite::Connection, ow: &str, ty: &str, by: &str| {
        c.execute(["BITFIELD", "k", "OVERFLOW", ow, "INCRBY", ty, "0", by])
    };
    c.execute(["BITFIELD", "k", "SET", "u8", "0", "250"]);
    assert_eq!(run(&mut c, "WRAP", "u8", "10"), arr(vec![int(4)]));
    assert_eq!(run(&mut c, "SAT", "u8", "-100"), arr(vec![int(0)]));
    assert_eq!(run(&mut c, "FAIL", "u8", "-1"), arr(vec![nil()]));
    c.execute(["BITFIELD", "k", "SET", "i8", "0", "120"]);
    assert_eq!(run(&mut c, "WRAP", "i8", "10"), arr(vec![int(-126)]));
    assert_eq!(run(&mut c, "SAT", "i8", "-1000"), arr(vec![int(-128)]));
    assert_eq!(run(&mut c, "SAT", "i8", "1000"), arr(vec![int(127)]));
    assert_eq!(
        c.execute([
            "BITFIELD",
            "k",
            "SET",
            "i64",
            "0",
            "9223372036854775807",
            "INCRBY",
            "i64",
            "0",
            "1"
        ]),
        arr(vec![int(127 << 56), int(i64::MIN)])
    );
    assert_eq!(
        c.execute(["BITFIELD", "k", "SET", "u63", "0", "-1", "GET", "u63", "0"]),
        arr(vec![int(1 << 62), int(i64::MAX)])
    );
}

#[test]
fn bitfield_errors_use_redis_texts() {
    let (_s, mut c, _) = setup();
    for ty in ["u64", "q8", "i65", "u0", "i"] {
        assert_eq!(
            c.execute(["BITFIELD", "k", "GET", ty, "0"]),
            err(BAD_TYPE),
            "{ty}"
        );
    }
    assert_eq!(
        c.execute(["BITFIELD", "k", "OVERFLOW", "bad", "GET", "u8", "0"]),
        err("ERR Invalid OVERFLOW type specified")
    );
    assert_eq!(c.execute(["BITFIELD", "k", "GET", "u8"]), err(SYNTAX));
    assert_eq!(
        c.execute(["BITFIELD", "k", "GET", "u8", "#-1"]),
        err("ERR bit offset is not an integer or out of range")
    );
    assert_eq!(
        c.execute(["BITFIELD_RO", "k", "SET", "u8", "0", "1"]),
        err("ERR BITFIELD_RO only supports the GET subcommand")
    );
    assert_eq!(
        c.execute(["BITFIELD_RO", "k", "GET", "u8", "0"]),
        arr(vec![int(0)])
    );
    assert_eq!(c.execute(["EXISTS", "k"]), int(0));
}

#[test]
fn hash_offsets_count_in_field_widths() {
    let (_s, mut c, _) = setup();
    c.execute([
        "BITFIELD", "k", "SET", "u8", "#2", "65", "SET", "u8", "#0", "66",
    ]);
    assert_eq!(c.execute(["GET", "k"]), bulk(b"B\0A"));
    assert_eq!(c.execute(["BITFIELD", "k"]), arr(vec![]));
}
