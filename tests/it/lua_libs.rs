//! The libraries Redis ships to Lua scripts, as redlite rewrites them: `cjson` and `bit`
//! (expected values are redis-server 7.0's replies to the same scripts).

use crate::common::{bulk, int};
use crate::lua::{eval, store, text};
use redlite::Reply;

fn run(src: &str) -> Reply {
    eval(&store(), src, &[], &[])
}

#[test]
fn cjson_encodes_arrays_objects_strings_and_numbers() {
    let cases = [
        ("return cjson.encode({1,2,{a=1}})", r#"[1,2,{"a":1}]"#),
        ("return cjson.encode({})", "{}"),
        ("return cjson.encode('a/b\"c\\n')", r#""a\/b\"c\n""#),
        ("return cjson.encode(1/3)", "0.33333333333333"),
        (
            "return cjson.encode({true,false,cjson.null})",
            "[true,false,null]",
        ),
        ("return cjson.encode({1, nil, 3})", "[1,null,3]"),
        ("return cjson.encode({x = 1e15})", r#"{"x":1e+15}"#),
    ];
    for (src, want) in cases {
        assert_eq!(run(src), bulk(want), "{src}");
    }
}

#[test]
fn cjson_refuses_what_json_cannot_hold() {
    let cases = [
        (
            "return cjson.encode({[1]=1,[20]=2})",
            "ERR user_script:1: Cannot serialise table: excessively sparse array",
        ),
        (
            "return cjson.encode(function() end)",
            "ERR user_script:1: Cannot serialise function: type not supported",
        ),
    ];
    for (src, want) in cases {
        let got = text(src, &run(src));
        assert_eq!(
            got,
            format!("{want} script: <sha>, on @user_script:1."),
            "{src}"
        );
    }
}

#[test]
fn cjson_decodes_with_null_and_unicode_escapes() {
    let src = "local t = cjson.decode('[1,2.5,\"x\",null,{\"a\":true}]')
               return {t[1], tostring(t[2]), t[3], tostring(t[4] == cjson.null), tostring(t[5].a)}";
    assert_eq!(
        run(src),
        Reply::Array(vec![
            int(1),
            bulk("2.5"),
            bulk("x"),
            bulk("true"),
            bulk("true")
        ])
    );
    assert_eq!(run(r#"return cjson.decode('"\\u00e9"')"#), bulk("é"));
    assert_eq!(run("return tostring(cjson.decode('1e2'))"), bulk("100"));
    let round = "return cjson.encode(cjson.decode('{\"a\":[1,2.5,\"x\",null,true]}'))";
    assert_eq!(run(round), bulk(r#"{"a":[1,2.5,"x",null,true]}"#));
}

#[test]
fn cjson_decode_errors_name_the_character() {
    let cases = [
        (
            r#"return cjson.decode('{"a":1')"#,
            "Expected comma or object end but found T_END at character 7",
        ),
        (
            "return cjson.decode('[1,2')",
            "Expected comma or array end but found T_END at character 5",
        ),
        (
            "return cjson.decode('x')",
            "Expected value but found invalid token at character 1",
        ),
    ];
    for (src, want) in cases {
        let got = text(src, &run(src));
        assert_eq!(
            got,
            format!("ERR user_script:1: {want} script: <sha>, on @user_script:1."),
            "{src}"
        );
    }
}

#[test]
fn cjson_bounds_nesting() {
    let r = run(
        "local t = {} local c = t for i = 1, 1100 do c[1] = {} c = c[1] end \
                 return cjson.encode(t)",
    );
    assert!(
        r.to_string()
            .contains("Cannot serialise, excessive nesting"),
        "{r}"
    );
    let r = run("return cjson.decode(string.rep('[', 1100))");
    assert!(
        r.to_string()
            .contains("Found too many nested data structures"),
        "{r}"
    );
}

#[test]
fn bit_operates_on_32_bit_integers() {
    assert_eq!(run("return bit.tohex(-1, -4)"), bulk("FFFF"));
    assert_eq!(run("return bit.tohex(255)"), bulk("000000ff"));
    let src = "return {bit.lshift(1, 31), bit.rshift(-1, 28), bit.arshift(-16, 2), bit.rol(1, 33),
                       bit.bxor(5, 3), bit.bswap(1), bit.tobit(2^32 + 5), bit.band(7, 3, 2),
                       bit.bor(1, 2, 4), bit.bnot(0), bit.ror(1, 1)}";
    assert_eq!(
        run(src),
        Reply::Array(
            [
                -2_147_483_648,
                15,
                -4,
                2,
                6,
                16_777_216,
                5,
                2,
                7,
                -1,
                -2_147_483_648
            ]
            .into_iter()
            .map(int)
            .collect()
        )
    );
}
