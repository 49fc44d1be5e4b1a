//! Values nested as deep as the script limits allow, on a 2 MiB thread (std's and tokio's
//! default): every path where Rhai recurses once per level (compare, print, interpolate,
//! clone, hash, size-check, drop) gives the right answer or an error, never a stack
//! overflow that aborts the host. And no way of building a value nests it deeper than the
//! array and map limits allow, which is what sizes the run's stack.

use std::time::Duration;

use crate::common::int;
use redlite::{Reply, Store};

/// The test stores' limits: deep enough that each path below overflows a 2 MiB stack in a
/// debug build when run there (Rhai takes 1.2 KiB a level to clone, 8 KiB to compare or
/// print), shallow enough that building the value (quadratic: Rhai size-checks the whole
/// value at every level) stays well under a second.
const ARRAYS: usize = 3000;
const MAPS: usize = 1000;

fn store() -> Store {
    Store::with_config(
        crate::common::config()
            .active_expiry(false)
            .script_max_array_size(ARRAYS)
            .script_max_map_size(MAPS)
            // Building is quadratic in the depth; a loaded debug machine must not time out.
            .script_time_limit(Duration::from_secs(600)),
    )
}

/// Runs `src` through EVAL on a new thread with a 2 MiB stack.
fn eval_on_small_stack(store: &Store, src: String) -> Reply {
    let store = store.clone();
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || store.execute(["EVAL", src.as_str(), "0"]))
        .expect("spawn")
        .join()
        .expect("the script's thread survived")
}

/// Levels left free under the limits, for the tails that put the deep value in another
/// array or map.
const ROOM: usize = 8;

/// A script that nests `a` in arrays `levels` deep, then runs `tail` (`prelude` first:
/// Rhai wants its functions at the top).
fn deep_array(levels: usize, prelude: &str, tail: &str) -> String {
    format!("{prelude} let a = 1; for i in 0..{levels} {{ a = [take(a)]; }} {tail}")
}

/// The same with maps `#{x: ..}`.
fn deep_map(levels: usize, prelude: &str, tail: &str) -> String {
    format!("{prelude} let a = 1; for i in 0..{levels} {{ a = #{{x: take(a)}}; }} {tail}")
}

/// A map at every fourth level, arrays between.
fn deep_mixed(levels: usize, prelude: &str, tail: &str) -> String {
    format!(
        "{prelude} let a = 1; for i in 0..{levels} {{ \
         a = if i % 4 == 0 {{ #{{x: take(a)}} }} else {{ [take(a)] }}; }} {tail}"
    )
}

/// As deep as both limits together allow, less [`ROOM`].
const MIXED: usize = 4 * MAPS - ROOM;

fn ints(values: &[i64]) -> Reply {
    Reply::Array(values.iter().map(|&n| int(n)).collect())
}

#[test]
fn comparing_deep_arrays_and_maps_answers_on_a_small_stack() {
    let s = store();
    // (Rhai copies the right side at every level: quadratic, so only two comparisons.)
    let tail = "[a == a, a != a]";
    let want = Reply::Array(vec![int(1), Reply::Nil]);
    for src in [
        deep_array(ARRAYS, "", tail),
        deep_map(MAPS, "", tail),
        deep_mixed(MIXED, "", tail),
    ] {
        assert_eq!(eval_on_small_stack(&s, src), want);
    }
}

#[test]
fn searching_an_array_for_a_deep_value_answers_on_a_small_stack() {
    let s = store();
    let tail = "let c = [1, a]; [c.contains(a), a in c, c.index_of(a)]";
    assert_eq!(
        eval_on_small_stack(&s, deep_mixed(MIXED, "", tail)),
        ints(&[1, 1, 1])
    );
    // `[a, a]` holds the value twice: half as deep fits the limits.
    let tail = "let c = [a, a]; c.dedup(); c.len()";
    assert_eq!(
        eval_on_small_stack(&s, deep_mixed(MIXED / 2, "", tail)),
        int(1)
    );
}

#[test]
fn printing_deep_values_answers_on_a_small_stack() {
    let s = store();
    let tail =
        r#"[to_string(a).len(), to_debug(a).len(), `${a}`.len(), ("" + a).len(), (a + "").len()]"#;
    // `[[..[1]..]]`: one `[` and one `]` a level.
    let len = (2 * ARRAYS + 1) as i64;
    assert_eq!(
        eval_on_small_stack(&s, deep_array(ARRAYS, "", tail)),
        ints(&[len; 5])
    );
    // `#{"x": #{"x": ..}}`: `#{"x": ` and `}` a level; JSON `{"x":` and `}`.
    let tail = tail.replace(']', ", a.to_json().len()]");
    let (len, json) = ((8 * MAPS + 1) as i64, (6 * MAPS + 1) as i64);
    assert_eq!(
        eval_on_small_stack(&s, deep_map(MAPS, "", &tail)),
        ints(&[len, len, len, len, len, json])
    );
}

#[test]
fn copying_and_dropping_deep_values_inside_the_script_answers_on_a_small_stack() {
    let s = store();
    // Copied by assignment, into a function's parameter (dropped on return), into a
    // constant and an array; hashed to pick a `switch` arm; then each copy dropped by
    // assignment, and one kept in the scope past the end of the run.
    let tail = "let b = a; let r = f(a); const C = a; let c = [C]; \
                let arm = switch a { 1 => 1, _ => 0 }; \
                b = 2; c = 3; let keep = a; a = 4; r + arm";
    let src = deep_mixed(MIXED, "fn f(x) { 0 }", tail);
    assert_eq!(eval_on_small_stack(&s, src), int(0));
}

#[test]
fn a_deep_result_or_thrown_value_is_the_stack_limit_error_on_a_small_stack() {
    let s = store();
    assert_eq!(
        eval_on_small_stack(&s, deep_array(ARRAYS, "", "a")),
        Reply::error("ERR reached lua stack limit")
    );
    let thrown = eval_on_small_stack(&s, deep_mixed(MIXED, "", "throw a;")).to_string();
    assert!(
        thrown.starts_with("ERR reached lua stack limit script: "),
        "{thrown}"
    );
}

#[test]
fn no_way_of_building_a_value_nests_it_past_the_size_limits() {
    let s = Store::with_config(
        crate::common::config()
            .script_max_array_size(40)
            .script_max_map_size(20),
    );
    let array_ways = [
        ("", "a = [a];"),
        ("", "let b = []; b.push(a); a = b;"),
        ("", "let b = [0]; b[0] = a; a = b;"),
        ("", "let b = [0]; b.insert(0, a); a = b;"),
        ("", "let b = []; b += [a]; a = b;"),
        ("", "let b = []; b.append([a]); a = b;"),
        ("", "let b = []; b.pad(1, a); a = b;"),
        ("", "a = [] + [a];"),
        ("", "let b = [0]; b.splice(0, 1, [a]); a = b;"),
        ("", "a = [0].map(|v| a);"),
        ("fn wrap(x) { [x] }", "a = wrap(a);"),
        ("", "let f = |x| [x]; a = f.call(a);"),
        ("", "let c = || a; a = [a];"),
    ];
    for (prelude, way) in array_ways {
        let src = format!("{prelude} let a = 1; for i in 0..100 {{ {way} }} 0");
        let got = s.execute(["EVAL", src.as_str(), "0"]).to_string();
        assert!(got.contains("Size of array"), "{way}: {got}");
    }
    let map_ways = [
        "a = #{x: a};",
        "let m = #{}; m.x = a; a = m;",
        "let m = #{}; m[\"x\"] = a; a = m;",
        "let m = #{}; m.mixin(#{x: a}); a = m;",
        "let m = #{}; m += #{x: a}; a = m;",
        "let m = #{}; m.fill_with(#{x: a}); a = m;",
    ];
    for way in map_ways {
        let src = format!("let a = 1; for i in 0..100 {{ {way} }} 0");
        let got = s.execute(["EVAL", src.as_str(), "0"]).to_string();
        assert!(got.contains("Size of object map"), "{way}: {got}");
    }
}

/// Runs `f` on a new thread with a 2 MiB stack.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("the thread survived")
}

/// The deepest reply a script may return (512 arrays; one more is Redis's stack limit
/// error) can be printed, compared, copied and dropped by the caller on a small stack
/// (`Reply`'s own `Display`, `Debug`, `Clone`, `PartialEq` and `Drop` recurse).
#[test]
fn the_deepest_result_a_script_may_return_is_usable_on_a_small_stack() {
    let s = store();
    let (shown, debug, equal, depth) = on_small_stack(move || {
        let r = s.execute(["EVAL", "let a = 1; for i in 0..512 { a = [a]; } a", "0"]);
        let copy = r.clone();
        let (shown, debug) = (r.to_string().len(), format!("{r:?}").len());
        let mut depth = 0;
        let mut at = &r;
        while let Reply::Array(items) = at {
            depth += 1;
            at = &items[0];
        }
        let too_deep = s.execute(["EVAL", "let a = 1; for i in 0..513 { a = [a]; } a", "0"]);
        assert_eq!(too_deep, Reply::error("ERR reached lua stack limit"));
        (shown, debug, copy == r, depth)
    });
    assert_eq!((shown, equal, depth), (2 * 512 + 1, true, 512));
    assert!(debug > shown, "{debug}");
}

/// redis-rs's parser refuses replies nested deeper than 100; the drop-in gives the same
/// parse error for a deep script result, and drops it on a small stack.
#[cfg(feature = "redis")]
#[test]
fn a_deep_script_result_through_the_redis_rs_drop_in_is_a_parse_error() {
    let s = store();
    let got = on_small_stack(move || {
        let mut con = s.redis_connection();
        redis::cmd("EVAL")
            .arg("let a = 1; for i in 0..512 { a = [a]; } a")
            .arg(0)
            .query::<redis::Value>(&mut con)
            .map_err(|e| e.to_string())
    });
    let err = got.expect_err("a parse error");
    assert!(err.contains("Maximum recursion depth exceeded"), "{err}");
}
