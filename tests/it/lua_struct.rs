//! `struct`, the binary packing library Redis ships to Lua scripts (`lua_struct` on
//! x86-64): formats, byte orders, alignment and its errors (expected values are
//! redis-server 7.0's replies; the last test compares with a live one).

use crate::common::scripts_on_redis::same_replies_as_redis;
use crate::common::{bulk, int};
use crate::lua::{eval, store, text};
use redlite::Reply;

fn run(src: &str) -> Reply {
    eval(&store(), src, &[], &[])
}

#[test]
fn pack_writes_integers_in_either_byte_order_with_alignment() {
    let src = "return struct.pack('>i2<hbBx!4i', 1, -2, -3, 250, 7)";
    assert_eq!(
        run(src),
        bulk(b"\x00\x01\xfe\xff\xfd\xfa\x00\x00\x07\x00\x00\x00")
    );
}

#[test]
fn unpack_reads_back_what_pack_wrote_and_the_next_position() {
    let src = "return {struct.unpack('>hHbB', struct.pack('>hHbB', -2, 65535, -1, 255))}";
    assert_eq!(
        run(src),
        Reply::Array(vec![int(-2), int(65535), int(-1), int(255), int(7)])
    );
    let src = "local a, b, c, n = struct.unpack('<d f s', struct.pack('<dfs', 1.5, 0.25, 'hi'))
               return {tostring(a), tostring(b), c, n}";
    assert_eq!(
        run(src),
        Reply::Array(vec![bulk("1.5"), bulk("0.25"), bulk("hi"), int(16)])
    );
    assert_eq!(
        run("return {struct.unpack('bc0', '\\3abcd')}"),
        Reply::Array(vec![bulk("abc"), int(5)])
    );
    assert_eq!(
        run("return {struct.unpack('B', 'xyz', 2)}"),
        Reply::Array(vec![int(121), int(3)])
    );
}

#[test]
fn size_counts_alignment_and_refuses_variable_sizes() {
    assert_eq!(run("return struct.size('!8bd')"), int(16));
    assert_eq!(run("return struct.size('i3c10 >l')"), int(21));
    let src = "return struct.size('s')";
    assert_eq!(
        text(src, &run(src)),
        "ERR user_script:1: bad argument #1 to 'size' (option 's' has no fixed size) \
         script: <sha>, on @user_script:1."
    );
}

#[test]
fn struct_errors_carry_lua_structs_texts() {
    let cases = [
        (
            "return struct.pack('z', 1)",
            "bad argument #1 to 'pack' (invalid format option 'z')",
        ),
        (
            "return struct.pack('c5', 'ab')",
            "bad argument #3 to 'pack' (string too short)",
        ),
        (
            "return struct.unpack('s', 'abc')",
            "unfinished string in data",
        ),
        (
            "return struct.unpack('i4', 'ab')",
            "bad argument #2 to 'unpack' (data string too short)",
        ),
        (
            "return struct.unpack('i', 'abcd', 0)",
            "bad argument #3 to 'unpack' (offset must be 1 or greater)",
        ),
        (
            "return struct.pack('i33', 1)",
            "integral size 33 is larger than limit of 32",
        ),
        (
            "return struct.pack('!3i', 1)",
            "alignment 3 is not a power of 2",
        ),
        (
            "return struct.pack('i', 'x')",
            "bad argument #2 to 'pack' (number expected, got string)",
        ),
        (
            "return struct.pack('c0')",
            "bad argument #2 to 'pack' (string expected, got nil)",
        ),
        (
            "return struct.unpack('c0', 'ab')",
            "format 'c0' needs a previous size",
        ),
        (
            "return struct.pack('i99999999999', 1)",
            "integral size overflow",
        ),
    ];
    for (src, want) in cases {
        let want = format!("ERR user_script:1: {want} script: <sha>, on @user_script:1.");
        assert_eq!(text(src, &run(src)), want, "{src}");
    }
}

#[test]
fn struct_replies_as_on_real_redis() {
    same_replies_as_redis(
        "struct parity",
        &[
            "return struct.pack('>i2<hbBx!4i', 1, -2, -3, 250, 7)",
            "return struct.pack('<lLT', -1, 2^63, 2^64)",
            "return struct.pack('>i16<i9I3', -2, -3, 2^24 + 5)",
            "return struct.pack('bBhH', 300, -1, 70000, -1.7)",
            "return struct.pack('<fd>fd', 0.1, 0.1, -2.5, 1/0)",
            "return struct.pack('c3sc0', 'abcdef', 'zz', 'tail')",
            "return struct.pack('!2 b h !8 b d b i', 1, 2, 3, 4, 5, 6)",
            "return struct.pack('!bi3h', 1, 2, 3)",
            "return struct.pack('i0b', 5, 6)",
            "return {struct.unpack('>hHbB', struct.pack('>hHbB', -2, 65535, -1, 255))}",
            "return {struct.unpack('<lL', '\\255\\255\\255\\255\\255\\255\\255\\255\\0\\0\\0\\0\\0\\0\\0\\128')}",
            "return {struct.unpack('>i9I9', string.rep('\\255', 18))}",
            "return {struct.unpack('i3i3', '\\255\\255\\255\\1\\0\\0')}",
            "local a, b = struct.unpack('<fd', struct.pack('<fd', 0.1, 0.1)) \
             return {tostring(a), tostring(b)}",
            "return {struct.unpack('sxs', 'ab\\0\\0cd\\0')}",
            "return {struct.unpack('bc0b', '\\2xy\\9')}",
            "return {struct.unpack('c1c0', '3abcd')}",
            "return {struct.unpack('!4 b i', '\\1\\0\\0\\0\\2\\0\\0\\0')}",
            "return {struct.unpack('B', 'xyz', 3)}",
            "return {struct.unpack('', 'xyz', 7)}",
            "return {struct.unpack('B', 'xyz', 4)}",
            "return {struct.unpack('B', 'xyz', -1)}",
            "return {struct.unpack('B\\0B', 'xy')}",
            "return {struct.size('!8bd'), struct.size('i3c10 >l'), struct.size('!4bzh'), struct.size('')}",
            "return struct.size('c0')",
            "return struct.size('!5')",
            "return struct.pack('z', 1)",
            "return struct.pack('c5', 'ab')",
            "return struct.pack('bb', 1)",
            "return struct.pack('bbb', 1)",
            "return struct.pack()",
            "return struct.unpack('b')",
            "return struct.unpack('s', 'abc')",
            "return struct.unpack('c0', 'ab')",
            "return struct.unpack('bc0', '\\200ab')",
            "return struct.pack('i99999999999', 1)",
            "local ok, e = pcall(struct.pack, 'q') return e",
            "local p = struct.pack return p('q')",
            "local ok, e = pcall(cmsgpack.unpack) return e",
            "local u = cmsgpack.unpack return u()",
            "return bit.band('x')",
            "return bit.band()",
            "return bit.tohex('ff')",
            "return bit.bor(1, {})",
            "struct.pack = nil",
        ],
    );
}
