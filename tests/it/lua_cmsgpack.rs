//! `cmsgpack`, the msgpack library Redis ships to Lua scripts: bytes packed as
//! lua-cmsgpack 0.4.0 packs them, values unpacked back, and its errors (expected values
//! are redis-server 7.0's replies; the last test compares with a live one).

use crate::common::scripts_on_redis::same_replies_as_redis;
use crate::common::{bulk, int};
use crate::lua::{eval, store, text};
use redlite::Reply;

fn run(src: &str) -> Reply {
    eval(&store(), src, &[], &[])
}

fn located(src: &str) -> String {
    text(src, &run(src))
}

#[test]
fn pack_writes_the_shortest_forms_lua_cmsgpack_writes() {
    let src = "return cmsgpack.pack(1, 'a', {1,2}, {a=1}, 1.5, 0.1, -1, -33, 300, 70000, \
               5000000000, -5000000000, true, false, nil, {}, 2^63, 1/0)";
    let want: &[u8] = b"\x01\xa1a\x92\x01\x02\x81\xa1a\x01\xca\x3f\xc0\x00\x00\
        \xcb\x3f\xb9\x99\x99\x99\x99\x99\x9a\xff\xd0\xdf\xcd\x01\x2c\xce\x00\x01\x11\x70\
        \xcf\x00\x00\x00\x01\x2a\x05\xf2\x00\xd3\xff\xff\xff\xfe\xd5\xfa\x0e\x00\xc3\xc2\xc0\
        \x90\xca\x5f\x00\x00\x00\xca\x7f\x80\x00\x00";
    assert_eq!(run(src), bulk(want));
}

#[test]
fn pack_uses_longer_headers_for_long_strings_and_tables() {
    let src = "local t = {} for i = 1, 16 do t[i] = i end
               local m = {} for i = 1, 16 do m['k' .. i] = i end
               local s = string.rep('x', 32)
               return {#cmsgpack.pack(t), cmsgpack.pack(t):byte(1), cmsgpack.pack(m):byte(1),
                       cmsgpack.pack(s):byte(1), #cmsgpack.pack(s), cmsgpack.pack(string.rep('y', 256)):byte(1),
                       cmsgpack.pack(string.rep('z', 65536)):byte(1)}";
    let want = [16 + 3, 0xdc, 0xde, 0xd9, 34, 0xda, 0xdb];
    assert_eq!(
        run(src),
        Reply::Array(want.iter().map(|&n| int(n)).collect())
    );
}

#[test]
fn tables_with_holes_or_other_keys_pack_as_maps() {
    let cases = [
        (
            "return cmsgpack.pack({1, nil, 3})",
            &b"\x82\x01\x01\x03\x03"[..],
        ),
        ("return cmsgpack.pack({[2] = 'b'})", b"\x81\x02\xa1b"),
        (
            "return cmsgpack.pack({[0.5] = 1})",
            b"\x81\xca\x3f\x00\x00\x00\x01",
        ),
        (
            "return cmsgpack.pack({[1] = 'a', [2] = 'b'})",
            b"\x92\xa1a\xa1b",
        ),
        (
            "return cmsgpack.pack(cjson.null, function() end)",
            b"\xc0\xc0",
        ),
    ];
    for (src, want) in cases {
        assert_eq!(run(src), bulk(want), "{src}");
    }
}

#[test]
fn tables_nested_sixteen_deep_pack_as_nil_so_cycles_end() {
    let src = "local t = {} t[1] = t return cmsgpack.pack(t)";
    let mut want = vec![0x91u8; 16];
    want.push(0xc0);
    assert_eq!(run(src), bulk(want));
}

#[test]
fn unpack_gives_back_what_pack_packed() {
    let src = "local a, b, c, d, e = cmsgpack.unpack(cmsgpack.pack(
                   {1, 'two', {x = -3.25}}, 2^40, -70000, true, 'end'))
               return {a[1], a[2], tostring(a[3].x), tostring(b), c, tostring(d), e}";
    let want = Reply::Array(vec![
        int(1),
        bulk("two"),
        bulk("-3.25"),
        bulk("1099511627776"),
        int(-70000),
        bulk("true"),
        bulk("end"),
    ]);
    assert_eq!(run(src), want);
}

#[test]
fn unpack_reads_every_integer_and_float_width() {
    let src = r"return {cmsgpack.unpack('\204\200\208\128\205\1\0\209\128\0\206\0\1\0\0' ..
                  '\210\128\0\0\0\211\255\255\255\255\255\255\255\254\207\0\0\0\1\0\0\0\0' ..
                  '\202\64\32\0\0\203\64\4\0\0\0\0\0\0\239')}";
    let want = [
        200,
        -128,
        256,
        -32768,
        65536,
        -2_147_483_648,
        -2,
        4_294_967_296,
        2,
        2,
        -17,
    ];
    assert_eq!(
        run(src),
        Reply::Array(want.iter().map(|&n| int(n)).collect())
    );
}

#[test]
fn unpack_one_and_unpack_limit_return_the_next_offset_first() {
    let cases: [(&str, &[i64]); 5] = [
        ("return {cmsgpack.unpack_one('\\1\\2\\3')}", &[1, 1]),
        ("return {cmsgpack.unpack_one('\\1\\2\\3', 2)}", &[-1, 3]),
        (
            "return {cmsgpack.unpack_limit('\\1\\2\\3', 2, 0)}",
            &[2, 1, 2],
        ),
        ("return {cmsgpack.unpack_limit('\\1\\2\\3', 0, 1)}", &[1]),
        ("return {cmsgpack.unpack_limit('\\1\\2\\3', 0)}", &[1, 2, 3]),
    ];
    for (src, want) in cases {
        assert_eq!(
            run(src),
            Reply::Array(want.iter().map(|&n| int(n)).collect()),
            "{src}"
        );
    }
}

#[test]
fn unpack_errors_carry_lua_cmsgpacks_texts() {
    let cases = [
        (
            "return cmsgpack.unpack('\\145')",
            "ERR user_script:1: Missing bytes in input.",
        ),
        (
            "return cmsgpack.unpack('\\218\\0\\9abc')",
            "ERR user_script:1: Missing bytes in input.",
        ),
        (
            "return cmsgpack.unpack('\\196')",
            "ERR user_script:1: Bad data format in input.",
        ),
        (
            "return cmsgpack.unpack_limit('ab', -1)",
            "ERR user_script:1: Invalid request to unpack with offset of 0 and limit of 2.",
        ),
        (
            "return cmsgpack.unpack_one('ab', 5)",
            "ERR user_script:1: Start offset 5 greater than input length 2.",
        ),
        (
            "return cmsgpack.unpack()",
            "ERR user_script:1: bad argument #1 to 'unpack' (string expected, got no value)",
        ),
        (
            "return cmsgpack.unpack_limit('\\1', 'x')",
            "ERR user_script:1: bad argument #2 to 'unpack_limit' (number expected, got string)",
        ),
        (
            "return cmsgpack.pack()",
            "ERR user_script:1: bad argument #0 to 'pack' (MessagePack pack needs input.)",
        ),
        (
            "return cmsgpack.unpack('\\129\\192\\1')",
            "ERR table index is nil",
        ),
    ];
    for (src, want) in cases {
        let got = located(src);
        let want_located = format!("{want} script: <sha>, on @user_script:1.");
        assert_eq!(got, want_located, "{src}");
    }
}

#[test]
fn unpack_stops_where_redis_runs_out_of_lua_stack() {
    let deep = |d: usize| format!("return #{{cmsgpack.unpack(string.rep('\\145', {d}) .. '\\1')}}");
    assert_eq!(run(&deep(3999)), int(1));
    assert_eq!(
        located(&deep(4000)),
        "ERR user_script:1: stack overflow (in function mp_decode_to_lua_array) \
         script: <sha>, on @user_script:1."
    );
    let many = |n: usize| format!("return select('#', cmsgpack.unpack(string.rep('\\1', {n})))");
    assert_eq!(run(&many(7900)), int(7900));
    assert!(located(&many(8000)).contains("stack overflow (too many return values at once"));
}

#[test]
fn cmsgpack_replies_as_on_real_redis() {
    same_replies_as_redis(
        "cmsgpack parity",
        &[
            "return cmsgpack.pack(1, 'a', {1,2}, {a=1}, 1.5, 0.1, -1, -33, 300, 70000, \
             5000000000, -5000000000, true, false, nil, {}, 2^63, -2^63, 1/0, 0/0, -0.0)",
            "local t = {} t[1] = t return cmsgpack.pack(t)",
            "return cmsgpack.pack({1, nil, 3}, {[2] = 'b'}, {[0.5] = 1}, cjson.null)",
            "return cmsgpack.pack(string.rep('x', 31), string.rep('x', 32), string.rep('y', 256))",
            "return #cmsgpack.pack(string.rep('z', 70000))",
            "local t = {} for i = 1, 70000 do t[i] = i % 7 end return cmsgpack.pack(t)",
            "return {cmsgpack.unpack(cmsgpack.pack({1, 'two', {x = 3}}, 2^40, -70000))}",
            "return {cmsgpack.unpack('\\207\\255\\255\\255\\255\\255\\255\\255\\255\\1')}",
            "return tostring(cmsgpack.unpack('\\202\\62\\32\\0\\0'))",
            "return {cmsgpack.unpack_one('\\1\\2\\3', 1.7)}",
            "return {cmsgpack.unpack_limit('\\1\\2\\3', 2, 1)}",
            "return {cmsgpack.unpack_limit('\\1\\2\\3', 0, 3)}",
            "return cmsgpack.unpack_one(12)",
            "return cmsgpack.unpack('')",
            "return cmsgpack.unpack('\\145')",
            "return cmsgpack.unpack('\\193')",
            "return cmsgpack.unpack('\\221\\255\\255\\255\\255\\1')",
            "return cmsgpack.unpack_limit('ab', 1, -1)",
            "return cmsgpack.unpack_one('ab', 3)",
            "return cmsgpack.unpack({})",
            "return cmsgpack.unpack_one('a', {})",
            "return cmsgpack.pack()",
            "return cmsgpack.unpack('\\129\\192\\1')",
            "local ok, e = pcall(cmsgpack.unpack, '\\145') return {tostring(ok), e}",
            "return #{cmsgpack.unpack(string.rep('\\145', 3999) .. '\\1')}",
            "return #{cmsgpack.unpack(string.rep('\\145', 4000) .. '\\1')}",
            "return #{cmsgpack.unpack(string.rep('\\129\\1', 2000) .. '\\1')}",
            "return #{cmsgpack.unpack(string.rep('\\129\\1', 4000) .. '\\1')}",
            "return select('#', cmsgpack.unpack(string.rep('\\1', 7900)))",
            "return select('#', cmsgpack.unpack(string.rep('\\1', 8000)))",
            "return {cmsgpack._NAME, cmsgpack._VERSION, cmsgpack._COPYRIGHT, cmsgpack._DESCRIPTION}",
            "return cmsgpack.pack({1e-20, {x = -1e-300}})",
            "return cmsgpack.pack(0.5, 1e300, 3.4028234663852886e38, 2^32, -2^31 - 1, -2^15 - 1)",
            "cmsgpack.pack = nil",
        ],
    );
}
