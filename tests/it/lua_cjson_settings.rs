//! `cjson`'s settings functions and number reading as lua-cjson 2.1 has them in Redis
//! (expected values are redis-server 7.0's replies; the last test compares with a live
//! one). Each parity script puts the settings back: in Redis they outlive the script.

use crate::common::scripts_on_redis::same_replies_as_redis;
use crate::common::{bulk, bulks, int};
use crate::lua::{eval, store};
use redlite::Reply;

fn run(src: &str) -> Reply {
    eval(&store(), src, &[], &[])
}

#[test]
fn settings_change_encoding_for_the_rest_of_the_run() {
    let src = "local before = cjson.encode(1/3)
               cjson.encode_number_precision(3)
               return {before, cjson.encode(1/3), cjson.encode({[2.5] = 1})}";
    assert_eq!(
        run(src),
        bulks(&["0.33333333333333", "0.333", r#"{"2.5":1}"#])
    );
    let src = "cjson.encode_sparse_array(true) return cjson.encode({[1] = 1, [20] = 2})";
    assert_eq!(run(src), bulk(r#"{"1":1,"20":2}"#));
    let src = "cjson.encode_invalid_numbers('null') return cjson.encode({1/0, 0/0})";
    assert_eq!(run(src), bulk("[null,null]"));
    let src = "cjson.encode_invalid_numbers(true) return cjson.encode({1/0, -1/0, 0/0})";
    assert_eq!(run(src), bulk("[inf,-inf,nan]"));
}

#[test]
fn settings_do_not_outlive_the_run_that_made_them() {
    let s = store();
    assert_eq!(
        eval(&s, "return cjson.encode_number_precision(5)", &[], &[]),
        int(5)
    );
    assert_eq!(
        eval(
            &s,
            "return {cjson.encode_number_precision(), cjson.encode(1/3)}",
            &[],
            &[]
        ),
        Reply::Array(vec![int(14), bulk("0.33333333333333")])
    );
}

#[test]
fn depth_settings_bound_nesting_both_ways() {
    let src = "cjson.encode_max_depth(2) local ok, e = pcall(cjson.encode, {{{1}}}) return e";
    assert_eq!(run(src), bulk("Cannot serialise, excessive nesting (3)"));
    let src = "cjson.decode_max_depth(2) local ok, e = pcall(cjson.decode, '[[[1]]]') return e";
    assert_eq!(
        run(src),
        bulk("Found too many nested data structures (3) at character 3")
    );
}

#[test]
fn decode_reads_hex_infinities_and_nan_unless_told_not_to() {
    let src = "return {cjson.decode('0x10'), tostring(cjson.decode('[-inf]')[1]),
                       tostring(cjson.decode('Infinity')), cjson.decode('+7')}";
    assert_eq!(
        run(src),
        Reply::Array(vec![int(16), bulk("-inf"), bulk("inf"), int(7)])
    );
    let src = "cjson.decode_invalid_numbers(false) local ok, e = pcall(cjson.decode, '0x10')
               return e";
    assert_eq!(
        run(src),
        bulk("Expected value but found invalid number at character 1")
    );
}

#[test]
fn cjson_settings_reply_as_on_real_redis() {
    same_replies_as_redis(
        "cjson settings parity",
        &[
            "return {cjson.encode_sparse_array()}",
            "return {cjson.encode_max_depth(), cjson.decode_max_depth(), \
             cjson.encode_number_precision(), cjson.encode_keep_buffer(), \
             cjson.encode_invalid_numbers(), cjson.decode_invalid_numbers()}",
            "local r = {cjson.encode_sparse_array(true, 3, 4)} \
             local e = cjson.encode({[1] = 1, [9] = 2}) cjson.encode_sparse_array(false, 2, 10) \
             return {r[1], r[2], r[3], e}",
            "cjson.encode_sparse_array(nil, 0) local e = cjson.encode({[1] = 1, [100] = 2}) \
             cjson.encode_sparse_array(false, 2, 10) return #e",
            "cjson.encode_number_precision(3) local e = cjson.encode({1/3, 12345.678, [5] = 2}) \
             cjson.encode_number_precision(14) return e",
            "cjson.encode_number_precision(1) local e = cjson.encode(0.06) \
             cjson.encode_number_precision(14) return e",
            "local ok, e = pcall(cjson.encode_number_precision, 15) return e",
            "local ok, e = pcall(cjson.encode_number_precision, 0) return e",
            "local ok, e = pcall(cjson.encode_max_depth, 'x') return e",
            "local ok, e = pcall(cjson.encode_max_depth, 1, 2) return e",
            "local ok, e = pcall(cjson.encode_sparse_array, 1) return e",
            "local ok, e = pcall(cjson.encode_sparse_array, 'maybe') return e",
            "local ok, e = pcall(cjson.encode_sparse_array, true, -1) return e",
            "return {cjson.encode_keep_buffer(false), cjson.encode_keep_buffer('on')}",
            "local a = cjson.encode_invalid_numbers('null') local e = cjson.encode({1/0, 0/0}) \
             local b = cjson.encode_invalid_numbers(true) local f = cjson.encode({1/0, -1/0, 0/0}) \
             cjson.encode_invalid_numbers(false) return {a, e, tostring(b), f}",
            "local ok, e = pcall(cjson.encode, 1/0) return e",
            "local ok, e = pcall(cjson.encode, {[1/0] = 1}) return e",
            "cjson.encode_max_depth(2) local ok, e = pcall(cjson.encode, {{{1}}}) \
             cjson.encode_max_depth(1000) return e",
            "cjson.decode_max_depth(2) local ok, e = pcall(cjson.decode, '[[[1]]]') \
             cjson.decode_max_depth(1000) return e",
            "return {cjson.decode('0x10'), tostring(cjson.decode('[-inf]')[1]), \
             tostring(cjson.decode('Infinity')), cjson.decode('+7'), cjson.decode('012'), \
             tostring(cjson.decode('-nan')), cjson.decode('1.5e1'), cjson.decode('0x1p4')}",
            "cjson.decode_invalid_numbers(false) local ok, e = pcall(cjson.decode, '0x10') \
             local ok2, e2 = pcall(cjson.decode, 'nan') cjson.decode_invalid_numbers(true) \
             return {e, e2}",
            "return cjson.decode('-')",
            "return cjson.decode('[1 2]')",
            "return cjson.decode('[1,]')",
            "return cjson.decode('{\"a\" 1}')",
            "return cjson.decode('{1:2}')",
            "return cjson.decode('tru')",
            "return cjson.decode('[1,2] x')",
            "return cjson.decode('.5')",
            "local ok, e = pcall(function() return cjson.decode('[') end) return e",
            "return cjson.decode('\"abc')",
            "return cjson.decode('\"a\\\\qb\"')",
            "return cjson.decode('\"\\\\u12\"')",
            "return cjson.decode('\"\\\\ud800\\\\u0041\"')",
            "return cjson.decode('\"\\\\udc00\"')",
            "return cjson.decode('{\"\\\\q\":1}')",
            "return cjson.decode('[1,2]\\0xyz')[2]",
            "return cjson.encode({[true] = 1})",
            "return cjson.encode({1e-20, {x = 1e-300}})",
            "return cjson.encode()",
            "return cjson.encode(1, 2)",
            "return cjson.decode('1', 2)",
            "return cjson.decode()",
        ],
    );
}
