//! Bitmaps: SETBIT GETBIT BITCOUNT BITPOS BITOP, replies and error texts as Redis 7.0 gives
//! them (the expected values were taken from a real `redis-server`).

use crate::common::{SYNTAX, WRONGTYPE, bulk, err, int, setup};

const BAD_OFFSET: &str = "ERR bit offset is not an integer or out of range";

fn foobar() -> redlite::Connection {
    let (_s, mut c, _) = setup();
    c.execute(["SET", "s", "foobar"]);
    c
}

#[test]
fn setbit_answers_the_old_bit_and_grows_the_string() {
    let (_s, mut c, _) = setup();
    assert_eq!(c.execute(["SETBIT", "b", "7", "1"]), int(0));
    assert_eq!(c.execute(["SETBIT", "b", "7", "0"]), int(1));
    assert_eq!(c.execute(["SETBIT", "b", "7", "1"]), int(0));
    assert_eq!(c.execute(["GET", "b"]), bulk([1u8]));
    assert_eq!(c.execute(["SETBIT", "b", "100", "1"]), int(0));
    assert_eq!(c.execute(["STRLEN", "b"]), int(13));
    assert_eq!(c.execute(["GETBIT", "b", "100"]), int(1));
    assert_eq!(c.execute(["GETBIT", "b", "99"]), int(0));
    assert_eq!(c.execute(["GETBIT", "b", "1000000"]), int(0));
    assert_eq!(c.execute(["GETBIT", "missing", "3"]), int(0));
}

#[test]
fn bit_offsets_past_512_mib_are_refused_with_redis_text() {
    let (_s, mut c, _) = setup();
    for bad in ["4294967296", "-1", "abc", "1.5"] {
        assert_eq!(
            c.execute(["SETBIT", "b", bad, "1"]),
            err(BAD_OFFSET),
            "{bad}"
        );
        assert_eq!(c.execute(["GETBIT", "b", bad]), err(BAD_OFFSET), "{bad}");
    }
    assert_eq!(
        c.execute(["SETBIT", "b", "7", "2"]),
        err("ERR bit is not an integer or out of range")
    );
    assert_eq!(c.execute(["EXISTS", "b"]), int(0));
}

#[test]
fn bitcount_counts_bytes_or_bits_ranges() {
    let mut c = foobar();
    assert_eq!(c.execute(["BITCOUNT", "s"]), int(26));
    assert_eq!(c.execute(["BITCOUNT", "s", "0", "0"]), int(4));
    assert_eq!(c.execute(["BITCOUNT", "s", "1", "1"]), int(6));
    assert_eq!(c.execute(["BITCOUNT", "s", "1", "1", "BIT"]), int(1));
    assert_eq!(c.execute(["BITCOUNT", "s", "5", "30", "BIT"]), int(17));
    assert_eq!(c.execute(["BITCOUNT", "s", "-2", "-1", "bit"]), int(1));
    assert_eq!(c.execute(["BITCOUNT", "s", "0"]), err(SYNTAX));
    assert_eq!(
        c.execute(["BITCOUNT", "s", "0", "1", "NIBBLE"]),
        err(SYNTAX)
    );
    assert_eq!(c.execute(["BITCOUNT", "missing", "0"]), int(0));
}

#[test]
fn bitpos_finds_set_and_clear_bits() {
    let mut c = foobar();
    assert_eq!(c.execute(["BITPOS", "s", "0"]), int(0));
    assert_eq!(c.execute(["BITPOS", "s", "1", "2"]), int(17));
    assert_eq!(c.execute(["BITPOS", "s", "1", "7", "15", "BIT"]), int(9));
    assert_eq!(c.execute(["BITPOS", "s", "0", "0", "-1", "byte"]), int(0));
    c.execute([&b"SET"[..], b"ff", b"\xff\xff"]);
    // A clear bit past the end counts unless the range's end was given.
    assert_eq!(c.execute(["BITPOS", "ff", "0"]), int(16));
    assert_eq!(c.execute(["BITPOS", "ff", "0", "0", "-1"]), int(-1));
    assert_eq!(c.execute(["BITPOS", "missing", "1"]), int(-1));
    assert_eq!(c.execute(["BITPOS", "missing", "0"]), int(0));
    assert_eq!(
        c.execute(["BITPOS", "s", "2"]),
        err("ERR The bit argument must be 1 or 0.")
    );
}

#[test]
fn bitop_combines_and_deletes_on_an_empty_result() {
    let (_s, mut c, _) = setup();
    c.execute([&b"SET"[..], b"a", b"\xf0\x0f"]);
    c.execute([&b"SET"[..], b"b", b"\x3c"]);
    assert_eq!(c.execute(["BITOP", "AND", "d", "a", "b"]), int(2));
    assert_eq!(c.execute(["GET", "d"]), bulk(b"\x30\x00"));
    assert_eq!(c.execute(["BITOP", "or", "d", "a", "b"]), int(2));
    assert_eq!(c.execute(["GET", "d"]), bulk(b"\xfc\x0f"));
    assert_eq!(
        c.execute(["BITOP", "XOR", "d", "a", "b", "missing"]),
        int(2)
    );
    assert_eq!(c.execute(["GET", "d"]), bulk(b"\xcc\x0f"));
    assert_eq!(c.execute(["BITOP", "NOT", "d", "b"]), int(1));
    assert_eq!(c.execute(["GET", "d"]), bulk(b"\xc3"));
    assert_eq!(c.execute(["BITOP", "AND", "d", "nope1", "nope2"]), int(0));
    assert_eq!(c.execute(["EXISTS", "d"]), int(0));
    assert_eq!(
        c.execute(["BITOP", "NOT", "d", "a", "b"]),
        err("ERR BITOP NOT must be called with a single source key.")
    );
    assert_eq!(c.execute(["BITOP", "NAND", "d", "a"]), err(SYNTAX));
    c.execute(["LPUSH", "l", "x"]);
    assert_eq!(c.execute(["BITOP", "OR", "d", "a", "l"]), err(WRONGTYPE));
}

#[test]
fn setbit_that_changes_nothing_leaves_watch_alone() {
    let (store, mut c, _) = setup();
    c.execute(["SETBIT", "b", "3", "1"]);
    c.execute(["WATCH", "b"]);
    store.execute(["SETBIT", "b", "3", "1"]);
    c.execute(["MULTI"]);
    c.execute(["GETBIT", "b", "3"]);
    assert_eq!(c.execute(["EXEC"]), redlite::Reply::Array(vec![int(1)]));
}
