//! Runaway scripts end with an error, release their locks, and the store keeps serving.

use redlite::{Config, Reply, Script, Store};

fn store() -> Store {
    let config = Config::default()
        .active_expiry(false)
        .script_max_operations(200_000)
        .script_max_array_size(1_000)
        .script_max_map_size(1_000)
        .script_max_string_size(1 << 16)
        .script_max_call_levels(16);
    Store::with_config(config)
}

/// Runs `src` with key `k` declared, expects an error starting with `prefix`, then checks
/// that `k`'s shard was released and the store still answers.
fn fails_and_store_survives(s: &Store, src: &str, prefix: &str) {
    let r = s.execute(["EVAL", src, "1", "k"]);
    let text = r.to_string();
    assert!(r.is_error() && text.starts_with(prefix), "{src}: {text}");
    let suffix = format!(" script: {}, on @user_script:", Script::new(src).sha1());
    assert!(text.contains(&suffix), "{text}");
    assert_eq!(s.execute(["SET", "k", "after"]), Reply::ok());
    assert_eq!(s.execute(["GET", "k"]), Reply::bulk("after"));
}

#[test]
fn endless_loop_hits_the_operation_limit() {
    let s = store();
    fails_and_store_survives(
        &s,
        r#"redis::call("SET", KEYS[0], 1); loop { }"#,
        "ERR Too many operations",
    );
}

#[test]
fn endless_loop_stops_under_default_limits() {
    let s = Store::with_config(Config::default().active_expiry(false));
    fails_and_store_survives(
        &s,
        "let i = 0; while true { i += 1; }",
        "ERR Too many operations",
    );
}

#[test]
fn endless_allocation_hits_size_limits() {
    let s = store();
    fails_and_store_survives(
        &s,
        r#"let t = "x"; loop { t += t; }"#,
        "ERR Length of string too large",
    );
    fails_and_store_survives(&s, "let a = []; loop { a.push(1); }", "ERR Size of array");
    fails_and_store_survives(&s, "let a = [1]; loop { a += a; }", "ERR Size of array");
    // Rhai does not re-measure a map grown by index assignment; the operation limit then
    // bounds it.
    fails_and_store_survives(
        &s,
        "let m = #{}; let i = 0; loop { m[`k${i}`] = i; i += 1; }",
        "ERR Too many operations",
    );
}

#[test]
fn deep_recursion_hits_the_call_limit() {
    let s = store();
    fails_and_store_survives(&s, "fn f(n) { f(n + 1) }\nf(0)", "ERR Stack overflow");
}

#[test]
fn nested_eval_is_not_allowed() {
    let s = store();
    let src = r#"redis::call("EVAL", "1", 0)"#;
    fails_and_store_survives(&s, src, "ERR This Redis command is not allowed from script");
    let src = r#"redis::call("EVALSHA", redis::sha1hex("1"), 0)"#;
    fails_and_store_survives(&s, src, "ERR This Redis command is not allowed from script");
}

#[test]
fn rhai_eval_and_modules_are_unavailable() {
    let s = store();
    let r = s.execute(["EVAL", r#"eval("1")"#, "0"]);
    assert!(
        r.to_string().starts_with("ERR Error compiling script"),
        "{r}"
    );
    fails_and_store_survives(&s, r#"call(Fn("eval"), "1")"#, "ERR ");
    fails_and_store_survives(&s, "import \"std\" as m;\n1", "ERR ");
}

#[test]
fn nothing_is_kept_between_runs() {
    let s = store();
    assert_eq!(
        s.execute(["EVAL", "let leaked = 5; leaked", "0"]),
        Reply::Integer(5)
    );
    let r = s.execute(["EVAL", "leaked", "0"]).to_string();
    assert!(r.starts_with("ERR Variable not found: leaked"), "{r}");
    let r = s.execute(["EVAL", "KEYS.push(\"x\"); KEYS.len()", "0"]);
    assert_eq!(r, Reply::Integer(1));
    assert_eq!(s.execute(["EVAL", "KEYS.len()", "0"]), Reply::Integer(0));
}

#[test]
fn deeply_nested_expressions_fail_to_compile() {
    let s = store();
    let src = format!("{}1{}", "(".repeat(200), ")".repeat(200));
    let r = s.execute(["EVAL", &src, "0"]).to_string();
    assert!(
        r.starts_with("ERR Error compiling script (new function): "),
        "{r}"
    );
}
