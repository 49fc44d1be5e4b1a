//! `Store::transaction`: value, retries, bounds, errors, panics (one behaviour per test).

use redlite::{Error, Store, TxOptions};

#[test]
fn transaction_returns_the_closure_value() {
    let store = Store::new();
    let v = store
        .transaction(&["k"], |tx| {
            tx.set("k", 1);
            Ok("done")
        })
        .unwrap();
    assert_eq!(v, "done");
    assert_eq!(store.get::<i64>("k").unwrap(), 1);
}

#[test]
fn transaction_reads_see_current_values() {
    let store = Store::new();
    store.set("k", 41).unwrap();
    let v = store.transaction(&["k"], |tx| tx.get::<i64>("k")).unwrap();
    assert_eq!(v, 41);
}

#[test]
fn transaction_writes_are_queued_until_commit() {
    let store = Store::new();
    store.set("k", 1).unwrap();
    let seen_inside = store
        .transaction(&["k"], |tx| {
            tx.set("k", 2);
            // Neither the store nor the transaction's own reads see a queued write.
            Ok((store.get::<i64>("k")?, tx.get::<i64>("k")?))
        })
        .unwrap();
    assert_eq!(seen_inside, (1, 1));
    assert_eq!(store.get::<i64>("k").unwrap(), 2);
}

#[test]
fn transaction_retries_when_a_watched_key_changes() {
    let store = Store::new();
    store.set("k", 0).unwrap();
    let (attempt, read) = store
        .transaction(&["k"], |tx| {
            let n: i64 = tx.get("k")?;
            if tx.attempt() == 1 {
                store.set("k", 100)?; // someone else writes between WATCH and EXEC
            }
            tx.set("k", n + 1);
            Ok((tx.attempt(), n))
        })
        .unwrap();
    assert_eq!((attempt, read), (2, 100));
    assert_eq!(store.get::<i64>("k").unwrap(), 101);
}

#[test]
fn transaction_gives_up_after_max_attempts_and_applies_nothing() {
    let store = Store::new();
    let opts = TxOptions {
        max_attempts: 3,
        ..TxOptions::default()
    };
    let mut runs = 0;
    let r = store.transaction_with(&opts, &["k"], |tx| {
        runs += 1;
        store.set("k", "other")?;
        tx.set("k", "mine");
        tx.set("side", "effect");
        Ok(())
    });
    assert_eq!(r, Err(Error::RetriesExhausted { attempts: 3 }));
    assert_eq!(runs, 3);
    assert_eq!(store.get::<String>("k").unwrap(), "other");
    assert!(!store.exists("side").unwrap());
}

#[test]
fn transaction_retries_exhausted_error_says_so() {
    let e = Error::RetriesExhausted { attempts: 7 };
    assert_eq!(
        e.to_string(),
        "transaction aborted: a watched key changed on each of 7 attempts"
    );
}

#[test]
fn transaction_closure_error_applies_nothing() {
    let store = Store::new();
    let r: Result<(), Error> = store.transaction(&["k"], |tx| {
        tx.set("k", 1);
        Err(Error::Conversion("insufficient funds".into()))
    });
    assert_eq!(r, Err(Error::Conversion("insufficient funds".into())));
    assert!(!store.exists("k").unwrap());
}

#[test]
fn transaction_closure_panic_is_caught_and_applies_nothing() {
    let store = Store::new();
    let r: Result<(), Error> = store.transaction(&["k"], |tx| {
        tx.set("k", 1);
        panic!("boom");
    });
    assert_eq!(r, Err(Error::ClosurePanicked("boom".into())));
    assert!(!store.exists("k").unwrap());
}

#[test]
fn transaction_closure_panic_leaves_the_store_usable() {
    let store = Store::new();
    let _ = store.transaction(&["k"], |_tx| -> Result<(), Error> { panic!("boom") });
    // No lock is held (this would block) and no watch lingers (the write must not abort us).
    store.set("k", 5).unwrap();
    let attempt = store
        .transaction(&["k"], |tx| {
            tx.incr_by("k", 1);
            Ok(tx.attempt())
        })
        .unwrap();
    assert_eq!(attempt, 1);
    assert_eq!(store.get::<i64>("k").unwrap(), 6);
}

#[test]
fn transaction_queue_time_error_is_returned_and_applies_nothing() {
    let store = Store::new();
    let mut seen = None;
    let r = store.transaction(&["k"], |tx| {
        tx.set("k", 1);
        seen = Some(tx.cmd(["NOSUCHCMD", "k"]));
        Ok(())
    });
    let unknown =
        Error::Reply("ERR unknown command 'NOSUCHCMD', with args beginning with: 'k' ".into());
    assert_eq!(seen, Some(Err(unknown.clone())));
    assert_eq!(r, Err(unknown));
    assert!(!store.exists("k").unwrap());
}

#[test]
fn transaction_ignored_arity_error_still_applies_nothing() {
    let store = Store::new();
    let r = store.transaction(&["k"], |tx| {
        tx.set("k", 1);
        let _ = tx.cmd(["INCR"]);
        Ok(())
    });
    assert_eq!(
        r,
        Err(Error::Reply(
            "ERR wrong number of arguments for 'incr' command".into()
        ))
    );
    assert!(!store.exists("k").unwrap());
}

#[test]
fn transaction_refuses_to_queue_connection_commands() {
    let store = Store::new();
    let r = store.transaction(&["k"], |tx| tx.cmd(["EXEC"]));
    assert_eq!(
        r,
        Err(Error::Reply(
            "ERR Command not allowed inside a transaction".into()
        ))
    );
}

#[test]
fn transaction_runtime_error_is_reported_as_partially_applied() {
    let store = Store::new();
    store.set("s", "text").unwrap();
    let r = store.transaction(&["s"], |tx| {
        tx.set("a", 1);
        tx.incr_by("s", 1);
        tx.set("b", 2);
        Ok(())
    });
    assert_eq!(
        r,
        Err(Error::PartiallyApplied {
            index: 1,
            error: "ERR value is not an integer or out of range".into()
        })
    );
    // No rollback, as in Redis: the other queued commands ran.
    assert_eq!(store.get::<i64>("a").unwrap(), 1);
    assert_eq!(store.get::<i64>("b").unwrap(), 2);
}

#[test]
fn transaction_read_runs_read_only_commands() {
    let store = Store::new();
    store.set("k", "hello").unwrap();
    let n: i64 = store
        .transaction(&["k"], |tx| tx.read(["STRLEN", "k"]))
        .unwrap();
    assert_eq!(n, 5);
}

#[test]
fn transaction_read_refuses_write_commands() {
    let store = Store::new();
    let r: Result<i64, Error> = store.transaction(&["k"], |tx| tx.read(["INCR", "k"]));
    assert_eq!(
        r,
        Err(Error::Reply(
            "ERR 'incr' is not a read: queue writes with Transaction::cmd".into()
        ))
    );
    assert!(!store.exists("k").unwrap());
}

#[test]
fn transaction_watch_adds_a_key_during_the_closure() {
    let store = Store::new();
    store.set("ptr", "target").unwrap();
    let attempts = store
        .transaction(&["ptr"], |tx| {
            let target: String = tx.get("ptr")?;
            tx.watch(&target);
            if tx.attempt() == 1 {
                store.set(&target, 7)?; // changes the key watched mid-closure
            }
            let value = tx.get::<Option<i64>>(&target)?.unwrap_or(0);
            tx.set("copy", value);
            Ok(tx.attempt())
        })
        .unwrap();
    assert_eq!(attempts, 2);
    assert_eq!(store.get::<i64>("copy").unwrap(), 7);
}

#[test]
fn transaction_with_nothing_queued_commits_nothing() {
    let store = Store::new();
    store.set("k", 1).unwrap();
    let v = store
        .transaction(&["k"], |tx| Ok(tx.get::<i64>("k")? + tx.queued() as i64))
        .unwrap();
    assert_eq!(v, 1);
    assert_eq!(store.get::<i64>("k").unwrap(), 1);
}

#[test]
fn transaction_raw_cmd_queues_any_command() {
    let store = Store::new();
    store
        .transaction(&["a", "b"], |tx| {
            tx.cmd(["MSET", "a", "1", "b", "2"])?;
            tx.cmd(["RENAME", "a", "c"])?;
            Ok(())
        })
        .unwrap();
    assert_eq!(store.get::<i64>("c").unwrap(), 1);
    assert_eq!(store.get::<i64>("b").unwrap(), 2);
}

#[test]
fn transaction_zero_max_attempts_still_runs_once() {
    let store = Store::new();
    let opts = TxOptions {
        max_attempts: 0,
        ..TxOptions::default()
    };
    let v = store.transaction_with(&opts, &["k"], |tx| Ok(tx.attempt()));
    assert_eq!(v, Ok(1));
}
