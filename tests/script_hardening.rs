//! Scripts under attack: writes through `Transaction::read`, cache state inside EXEC,
//! deep values, time, kills, compile cost, transient memory and many keys.

mod common;

use common::{bulk, int, ok};
use redlite::{Config, Error, Reply, Script, Store};

fn store() -> Store {
    Store::with_config(Config::default().active_expiry(false))
}

fn sha(src: &str) -> String {
    Script::new(src).sha1().to_string()
}

#[test]
fn transaction_read_refuses_a_script_that_may_write() {
    let s = store();
    s.set("k", 99).unwrap();
    let incr = r#"redis::call("INCR", KEYS[0])"#;
    let r = s.transaction(&["k"], |tx| {
        tx.read::<Reply, _>(["EVAL", incr, "1", "k"])?;
        Ok(())
    });
    let Err(Error::Reply(text)) = r else {
        panic!("expected the read to be refused, got {r:?}")
    };
    assert!(text.contains("'eval' is not a read"), "{text}");
    assert_eq!(s.execute(["GET", "k"]), bulk("99"));

    // EVALSHA of a cached writing script, and of an unknown one, are refused too.
    s.execute(["SCRIPT", "LOAD", incr]);
    for sha in [sha(incr), "0".repeat(40)] {
        let r = s.transaction(&["k"], |tx| tx.read::<Reply, _>(["EVALSHA", &sha, "1", "k"]));
        assert!(matches!(r, Err(Error::Reply(_))), "{r:?}");
    }
    assert_eq!(s.execute(["GET", "k"]), bulk("99"));
}

#[test]
fn transaction_read_refuses_script_cache_changes_but_runs_reads() {
    let s = store();
    s.set("k", 7).unwrap();
    s.execute(["SCRIPT", "LOAD", "1"]);
    for sub in [&["SCRIPT", "FLUSH"][..], &["SCRIPT", "LOAD", "2"], &["SCRIPT", "KILL"]] {
        let r = s.transaction(&["k"], |tx| tx.read::<Reply, _>(sub.iter().copied()));
        assert!(matches!(r, Err(Error::Reply(_))), "{sub:?}: {r:?}");
    }
    assert_eq!(
        s.execute(["SCRIPT", "EXISTS", &sha("1"), &sha("2")]),
        Reply::Array(vec![int(1), int(0)])
    );
    let reads = s
        .transaction(&["k"], |tx| {
            let exists: Vec<i64> = tx.read(["SCRIPT", "EXISTS", &sha("1")])?;
            let get = r#"redis::call("GET", KEYS[0])"#;
            let ro: String = tx.read(["EVAL_RO", get, "1", "k"])?;
            let flagged = format!("#!rhai flags=no-writes\n{get}");
            let nw: String = tx.read(["EVAL", &flagged, "1", "k"])?;
            Ok((exists, ro, nw))
        })
        .unwrap();
    assert_eq!(reads, (vec![1], "7".to_string(), "7".to_string()));
}

#[test]
fn evalsha_of_a_script_loaded_earlier_in_the_same_exec_runs() {
    let s = store();
    let mut c = s.connection();
    let src = "#!rhai flags=allow-undeclared-keys\nredis::call(\"SET\", \"elsewhere\", \"x\"); 1";
    assert_eq!(c.execute(["MULTI"]), ok());
    c.execute(["SCRIPT", "LOAD", src]);
    c.execute(["EVALSHA", &sha(src), "0"]);
    let replies = c.execute(["EXEC"]);
    assert_eq!(replies, Reply::Array(vec![bulk(sha(src)), int(1)]));
    assert_eq!(s.execute(["GET", "elsewhere"]), bulk("x"));

    // A plain script loaded in the same EXEC, with a declared key, runs as well.
    let plain = r#"redis::call("INCR", KEYS[0])"#;
    c.execute(["MULTI"]);
    c.execute(["SCRIPT", "LOAD", plain]);
    c.execute(["EVALSHA", &sha(plain), "1", "n"]);
    assert_eq!(
        c.execute(["EXEC"]),
        Reply::Array(vec![bulk(sha(plain)), int(1)])
    );
}

#[test]
fn evalsha_of_a_script_flushed_earlier_in_the_same_exec_is_noscript() {
    let s = store();
    let mut c = s.connection();
    let src = "#!rhai flags=allow-undeclared-keys\n1";
    s.execute(["SCRIPT", "LOAD", src]);
    c.execute(["MULTI"]);
    c.execute(["SCRIPT", "FLUSH"]);
    c.execute(["EVALSHA", &sha(src), "0"]);
    c.execute(["SCRIPT", "LOAD", src]);
    c.execute(["EVALSHA", &sha(src), "0"]);
    let Reply::Array(replies) = c.execute(["EXEC"]) else {
        panic!("EXEC did not commit")
    };
    assert_eq!(replies[0], ok());
    assert!(replies[1].to_string().starts_with("NOSCRIPT"), "{:?}", replies[1]);
    assert_eq!(replies[3], int(1));
}
