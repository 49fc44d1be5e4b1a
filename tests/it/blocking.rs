//! Blocking pops: BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP BZPOPMIN BZPOPMAX BZMPOP, with
//! Redis's rules (argument order, first come first served, served after a whole EXEC or
//! script, never blocking inside MULTI or scripts), timeouts on the store's clock, and no
//! waiter left behind. No test sleeps: threads are known to be blocked by the store's own
//! count of blocked calls, and timeouts pass by advancing a `ManualClock`.

use std::task::Poll;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crate::common::poll::{Polled, block_on};
use crate::common::{WRONGTYPE, arity, bulk, bulks, err, int, nil, ok, queued, run, setup};
use redlite::{Reply, Store};

/// Runs `line` on its own thread and returns once it is blocked in the store.
fn blocked(store: &Store, line: &str) -> JoinHandle<Reply> {
    let before = store.blocked_clients();
    let s = store.clone();
    let argv: Vec<String> = line.split_whitespace().map(String::from).collect();
    let handle = thread::spawn(move || s.execute(argv));
    wait_blocked(store, before + 1);
    handle
}

/// Waits (yielding, not sleeping) until `n` calls are blocked.
fn wait_blocked(store: &Store, n: usize) {
    while store.blocked_clients() < n {
        thread::yield_now();
    }
}

fn pair(k: &str, v: &str) -> Reply {
    bulks(&[k, v])
}

fn done(h: JoinHandle<Reply>) -> Reply {
    h.join().expect("blocked thread panicked")
}

#[test]
fn blpop_takes_from_the_first_non_empty_key_in_argument_order() {
    let (s, mut c, _) = setup();
    run(&mut c, "RPUSH b b1 b2");
    run(&mut c, "RPUSH c c1");
    assert_eq!(run(&mut c, "BLPOP a b c 0"), pair("b", "b1"));
    assert_eq!(run(&mut c, "BRPOP a c b 0"), pair("c", "c1"));
    assert_eq!(run(&mut c, "BRPOP a c b 0"), pair("b", "b2"));
    assert_eq!(s.wait_queue_entries(), 0);
}

#[test]
fn blpop_on_a_key_of_another_type_is_wrongtype_even_after_missing_keys() {
    let (_, mut c, _) = setup();
    run(&mut c, "SET s x");
    run(&mut c, "RPUSH l a");
    assert_eq!(run(&mut c, "BLPOP missing s l 0"), err(WRONGTYPE));
    assert_eq!(run(&mut c, "BZPOPMIN l 0"), err(WRONGTYPE));
    assert_eq!(run(&mut c, "BLMOVE s l LEFT LEFT 0"), err(WRONGTYPE));
    // BLMOVE checks the destination only once the source holds something.
    assert_eq!(run(&mut c, "BLMOVE l s LEFT LEFT 0"), err(WRONGTYPE));
    assert_eq!(run(&mut c, "LLEN l"), int(1));
}

#[test]
fn timeouts_are_decimal_seconds_with_redis_errors() {
    let (_, mut c, _) = setup();
    let not_float = err("ERR timeout is not a float or out of range");
    let negative = err("ERR timeout is negative");
    for (t, want) in [
        ("abc", &not_float),
        ("", &not_float),
        ("nan", &not_float),
        (" 1", &not_float),
        ("-1", &negative),
        ("-0.002", &negative),
        ("inf", &negative),
        ("1e300", &negative),
        ("92233720368547758", &negative),
    ] {
        for cmd in [
            vec!["BLPOP", "k", t],
            vec!["BRPOP", "k", t],
            vec!["BZPOPMIN", "k", t],
            vec!["BZPOPMAX", "k", t],
            vec!["BLMOVE", "k", "d", "LEFT", "RIGHT", t],
            vec!["BRPOPLPUSH", "k", "d", t],
            vec!["BLMPOP", t, "1", "k", "LEFT"],
            vec!["BZMPOP", t, "1", "k", "MIN"],
        ] {
            assert_eq!(&c.execute(&cmd), want, "{cmd:?}");
        }
    }
}

#[test]
fn timeouts_redis_accepts_do_not_error() {
    let (_, mut c, _) = setup();
    // Inside MULTI nothing blocks, so an accepted timeout shows as the null reply.
    for t in [
        "0",
        "0.5",
        "1e-5",
        "0x10",
        "-0.0001",
        "9223372036854775",
        "9223372036854775.807",
    ] {
        run(&mut c, "MULTI");
        c.execute(["BLPOP", "k", t]);
        assert_eq!(
            run(&mut c, "EXEC"),
            Reply::Array(vec![Reply::NilArray]),
            "{t}"
        );
    }
}

#[test]
fn blmpop_and_bzmpop_check_numkeys_where_and_count_before_the_timeout() {
    let (_, mut c, _) = setup();
    let numkeys = err("ERR numkeys should be greater than 0");
    assert_eq!(run(&mut c, "BLMPOP abc 0 k LEFT"), numkeys);
    assert_eq!(run(&mut c, "BZMPOP abc 0 k MIN"), numkeys);
    assert_eq!(
        run(&mut c, "BLMPOP abc 2 k LEFT"),
        err(crate::common::SYNTAX)
    );
    assert_eq!(run(&mut c, "BLMPOP abc 1 k UP"), err(crate::common::SYNTAX));
    assert_eq!(
        run(&mut c, "BZMPOP abc 1 k LEFT"),
        err(crate::common::SYNTAX)
    );
    assert_eq!(
        run(&mut c, "BLMPOP abc 1 k LEFT COUNT 0"),
        err("ERR count should be greater than 0")
    );
    assert_eq!(
        run(&mut c, "BLMPOP abc 1 k LEFT"),
        err("ERR timeout is not a float or out of range")
    );
    assert_eq!(
        run(&mut c, "BLMOVE a b UP LEFT abc"),
        err(crate::common::SYNTAX)
    );
}

#[test]
fn blocking_commands_check_their_arity() {
    let (_, mut c, _) = setup();
    assert_eq!(run(&mut c, "BLPOP k"), arity("blpop"));
    assert_eq!(run(&mut c, "BZPOPMAX k"), arity("bzpopmax"));
    assert_eq!(run(&mut c, "BLMOVE a b LEFT LEFT"), arity("blmove"));
    assert_eq!(run(&mut c, "BRPOPLPUSH a b"), arity("brpoplpush"));
    assert_eq!(run(&mut c, "BLMPOP 0 1 k"), arity("blmpop"));
    assert_eq!(run(&mut c, "BZMPOP 0 1 k"), arity("bzmpop"));
}

#[test]
fn blocking_commands_inside_multi_answer_at_once_as_if_timed_out() {
    let (_, mut c, _) = setup();
    run(&mut c, "MULTI");
    for line in [
        "BLPOP k 0",
        "BRPOP k 0",
        "BLMOVE k d LEFT LEFT 0",
        "BRPOPLPUSH k d 0",
        "BLMPOP 0 1 k LEFT",
        "BZPOPMIN k 0",
        "BZPOPMAX k 0",
        "BZMPOP 0 1 k MIN",
    ] {
        assert_eq!(run(&mut c, line), queued());
    }
    let na = Reply::NilArray;
    assert_eq!(
        run(&mut c, "EXEC"),
        Reply::Array(vec![
            na.clone(),
            na.clone(),
            nil(),
            nil(),
            na.clone(),
            na.clone(),
            na.clone(),
            na
        ])
    );
}

#[test]
fn blocking_commands_inside_multi_pop_what_is_there() {
    let (_, mut c, _) = setup();
    run(&mut c, "RPUSH l a b c d");
    run(&mut c, "ZADD z 1 x 2 y 3 w");
    run(&mut c, "MULTI");
    for line in [
        "BLPOP l 0",
        "BRPOPLPUSH l d 0",
        "BLMPOP 0 1 l LEFT COUNT 5",
        "BZPOPMAX z 0",
        "BZMPOP 0 1 z MIN COUNT 1",
    ] {
        run(&mut c, line);
    }
    let zm = Reply::Array(vec![bulk("z"), Reply::Array(vec![bulks(&["x", "1"])])]);
    assert_eq!(
        run(&mut c, "EXEC"),
        Reply::Array(vec![
            pair("l", "a"),
            bulk("d"),
            Reply::Array(vec![bulk("l"), bulks(&["b", "c"])]),
            bulks(&["z", "w", "3"]),
            zm,
        ])
    );
}

#[test]
fn blocking_commands_in_scripts_do_not_block() {
    let (_, mut c, _) = setup();
    let r = c.execute(["EVAL", r#"redis::call("BLPOP", KEYS[0], "0")"#, "1", "k"]);
    assert_eq!(r, nil());
    let r = c.execute([
        "EVAL",
        r#"redis::call("BLMOVE", KEYS[0], KEYS[1], "LEFT", "LEFT", "0")"#,
        "2",
        "k",
        "d",
    ]);
    assert_eq!(r, nil());
}

#[test]
fn a_push_wakes_a_blocked_blpop_with_key_and_element() {
    let (s, _, _) = setup();
    let h = blocked(&s, "BLPOP q1 q2 0");
    s.execute(["RPUSH", "q2", "job"]);
    assert_eq!(done(h), pair("q2", "job"));
    assert_eq!(s.blocked_clients(), 0);
    assert_eq!(s.wait_queue_entries(), 0, "the waiter left q1's queue too");
}

#[test]
fn the_pushed_element_is_taken_before_the_push_returns() {
    let (s, mut c, _) = setup();
    let h = blocked(&s, "BLPOP q 0");
    // When RPUSH returns, its element already went to the waiter: nobody else can see it.
    assert_eq!(run(&mut c, "RPUSH q x"), int(1));
    assert_eq!(run(&mut c, "LLEN q"), int(0));
    assert_eq!(run(&mut c, "EXISTS q"), int(0));
    assert_eq!(done(h), pair("q", "x"));
}

#[test]
fn waiters_on_one_key_are_served_first_come_first_served() {
    let (s, mut c, _) = setup();
    let first = blocked(&s, "BLPOP q 0");
    let second = blocked(&s, "BRPOP q 0");
    let third = blocked(&s, "BLPOP other q 0");
    run(&mut c, "RPUSH q a b c");
    // BLPOP takes the head, BRPOP the tail of what is left.
    assert_eq!(done(first), pair("q", "a"));
    assert_eq!(done(second), pair("q", "c"));
    assert_eq!(done(third), pair("q", "b"));
    assert_eq!(run(&mut c, "EXISTS q"), int(0));
}

#[test]
fn one_element_wakes_one_waiter_and_the_others_stay_blocked() {
    let (s, mut c, _) = setup();
    let first = blocked(&s, "BLPOP q 0");
    let second = blocked(&s, "BLPOP q 0");
    run(&mut c, "LPUSH q only");
    assert_eq!(done(first), pair("q", "only"));
    assert_eq!(
        s.blocked_clients(),
        1,
        "no herd: the second waiter still sleeps"
    );
    assert!(!second.is_finished());
    run(&mut c, "LPUSH q next");
    assert_eq!(done(second), pair("q", "next"));
}

#[test]
fn waiters_are_served_after_the_whole_exec() {
    let (s, mut c, _) = setup();
    let h = blocked(&s, "BLPOP q 0");
    run(&mut c, "MULTI");
    run(&mut c, "RPUSH q a");
    run(&mut c, "RPUSH q b");
    run(&mut c, "LLEN q");
    // Inside the EXEC the list still holds both elements: nobody is served mid-way.
    assert_eq!(
        run(&mut c, "EXEC"),
        Reply::Array(vec![int(1), int(2), int(2)])
    );
    assert_eq!(done(h), pair("q", "a"));
    assert_eq!(run(&mut c, "LRANGE q 0 -1"), bulks(&["b"]));
}

#[test]
fn an_exec_that_creates_and_deletes_the_key_serves_nobody() {
    let (s, mut c, _) = setup();
    let h = blocked(&s, "BLPOP q 0");
    run(&mut c, "MULTI");
    run(&mut c, "RPUSH q a");
    run(&mut c, "DEL q");
    run(&mut c, "EXEC");
    assert_eq!(s.blocked_clients(), 1);
    run(&mut c, "RPUSH q later");
    assert_eq!(done(h), pair("q", "later"));
}

#[test]
fn keys_made_ready_by_one_exec_serve_in_the_order_they_were_created() {
    let (s, mut c, _) = setup();
    let h = blocked(&s, "BLPOP a b 0");
    run(&mut c, "MULTI");
    run(&mut c, "RPUSH b from-b");
    run(&mut c, "RPUSH a from-a");
    run(&mut c, "EXEC");
    assert_eq!(done(h), pair("b", "from-b"));
    assert_eq!(run(&mut c, "LRANGE a 0 -1"), bulks(&["from-a"]));
}

#[test]
fn a_script_serves_waiters_after_it_returns() {
    let (s, mut c, _) = setup();
    let h = blocked(&s, "BLPOP q 0");
    let src = r#"redis::call("RPUSH", KEYS[0], "a", "b"); redis::call("LLEN", KEYS[0])"#;
    assert_eq!(c.execute(["EVAL", src, "1", "q"]), int(2));
    assert_eq!(done(h), pair("q", "a"));
}

#[test]
fn blmove_waiter_moves_the_pushed_element_atomically() {
    let (s, mut c, _) = setup();
    let h = blocked(&s, "BLMOVE src dst RIGHT LEFT 0");
    run(&mut c, "RPUSH dst old");
    run(&mut c, "RPUSH src x");
    assert_eq!(run(&mut c, "EXISTS src"), int(0));
    assert_eq!(run(&mut c, "LRANGE dst 0 -1"), bulks(&["x", "old"]));
    assert_eq!(done(h), bulk("x"));
}

#[test]
fn brpoplpush_waiter_is_served_by_a_push() {
    let (s, mut c, _) = setup();
    let h = blocked(&s, "BRPOPLPUSH src dst 0");
    run(&mut c, "LPUSH src a b");
    assert_eq!(done(h), bulk("a"));
    assert_eq!(run(&mut c, "LRANGE dst 0 -1"), bulks(&["a"]));
    assert_eq!(run(&mut c, "LRANGE src 0 -1"), bulks(&["b"]));
}

#[test]
fn a_served_blmove_signals_watch_on_its_destination() {
    let (s, mut c, _) = setup();
    let h = blocked(&s, "BLMOVE src dst LEFT LEFT 0");
    let mut watcher = crate::common::watching(&s, &["dst"]);
    run(&mut c, "RPUSH src x");
    assert_eq!(done(h), bulk("x"));
    assert!(crate::common::exec_aborts(&mut watcher));
}

#[test]
fn blmove_into_a_key_someone_waits_on_serves_that_waiter_next() {
    let (s, mut c, _) = setup();
    let mover = blocked(&s, "BLMOVE a b LEFT LEFT 0");
    let popper = blocked(&s, "BLPOP b 0");
    run(&mut c, "RPUSH a x");
    assert_eq!(done(mover), bulk("x"));
    assert_eq!(done(popper), pair("b", "x"));
    assert_eq!(run(&mut c, "EXISTS a b"), int(0));
}

#[test]
fn blmove_to_a_destination_of_another_type_gets_wrongtype_and_leaves_the_element() {
    let (s, mut c, _) = setup();
    let h = blocked(&s, "BLMOVE src dst LEFT LEFT 0");
    run(&mut c, "SET dst string");
    run(&mut c, "RPUSH src x");
    assert_eq!(done(h), err(WRONGTYPE));
    assert_eq!(run(&mut c, "LRANGE src 0 -1"), bulks(&["x"]));
}

#[test]
fn a_list_waiter_is_not_served_by_a_sorted_set_and_vice_versa() {
    let (s, mut c, _) = setup();
    let list = blocked(&s, "BLPOP k 0");
    let zset = blocked(&s, "BZPOPMIN k 0");
    run(&mut c, "ZADD k 1 m");
    assert_eq!(done(zset), bulks(&["k", "m", "1"]));
    assert_eq!(s.blocked_clients(), 1);
    run(&mut c, "RPUSH k e");
    assert_eq!(done(list), pair("k", "e"));
}

#[test]
fn bzpopmin_and_bzpopmax_waiters_get_key_member_and_score() {
    let (s, mut c, _) = setup();
    let min = blocked(&s, "BZPOPMIN z 0");
    let max = blocked(&s, "BZPOPMAX z 0");
    run(&mut c, "ZADD z 1 a 2 b 3 c");
    assert_eq!(done(min), bulks(&["z", "a", "1"]));
    assert_eq!(done(max), bulks(&["z", "c", "3"]));
    assert_eq!(run(&mut c, "ZRANGE z 0 -1"), bulks(&["b"]));
}

#[test]
fn blmpop_and_bzmpop_waiters_take_up_to_their_count() {
    let (s, mut c, _) = setup();
    let lm = blocked(&s, "BLMPOP 0 2 x l RIGHT COUNT 2");
    let zm = blocked(&s, "BZMPOP 0 1 z MAX COUNT 5");
    run(&mut c, "RPUSH l a b c");
    run(&mut c, "ZADD z 1 m 2 n");
    assert_eq!(done(lm), Reply::Array(vec![bulk("l"), bulks(&["c", "b"])]));
    assert_eq!(
        done(zm),
        Reply::Array(vec![
            bulk("z"),
            Reply::Array(vec![bulks(&["n", "2"]), bulks(&["m", "1"])])
        ])
    );
    assert_eq!(run(&mut c, "LRANGE l 0 -1"), bulks(&["a"]));
}

#[test]
fn rename_copy_lmove_and_zunionstore_onto_a_waited_key_serve_it() {
    let (s, mut c, _) = setup();
    let by_rename = blocked(&s, "BLPOP r 0");
    run(&mut c, "RPUSH tmp1 v1");
    run(&mut c, "RENAME tmp1 r");
    assert_eq!(done(by_rename), pair("r", "v1"));

    let by_copy = blocked(&s, "BLPOP cp 0");
    run(&mut c, "RPUSH tmp2 v2");
    run(&mut c, "COPY tmp2 cp");
    assert_eq!(done(by_copy), pair("cp", "v2"));

    let by_lmove = blocked(&s, "BLPOP mv 0");
    run(&mut c, "LMOVE tmp2 mv LEFT LEFT");
    assert_eq!(done(by_lmove), pair("mv", "v2"));

    let by_store = blocked(&s, "BZPOPMIN zs 0");
    run(&mut c, "ZADD z1 5 m");
    run(&mut c, "ZUNIONSTORE zs 1 z1");
    assert_eq!(done(by_store), bulks(&["zs", "m", "5"]));
}

#[test]
fn a_blocked_call_times_out_when_the_manual_clock_passes_its_deadline() {
    let (s, mut c, clock) = setup();
    let h = blocked(&s, "BLPOP q 5");
    let m = blocked(&s, "BLMOVE q d LEFT LEFT 2.5");
    clock.advance(Duration::from_millis(2499));
    assert_eq!(s.blocked_clients(), 2);
    clock.advance(Duration::from_millis(1));
    // Timed out, BLMOVE answers the null array (not the null bulk it gives in MULTI).
    assert_eq!(done(m), Reply::NilArray);
    clock.advance(Duration::from_millis(2499));
    assert_eq!(s.blocked_clients(), 1);
    clock.advance(Duration::from_millis(1));
    assert_eq!(done(h), Reply::NilArray);
    assert_eq!(s.wait_queue_entries(), 0);
    // A timed-out waiter is not served later.
    run(&mut c, "RPUSH q x");
    assert_eq!(run(&mut c, "LLEN q"), int(1));
}

#[test]
fn a_zero_timeout_waits_however_far_the_clock_moves() {
    let (s, mut c, clock) = setup();
    let h = blocked(&s, "BLPOP q 0");
    clock.advance(Duration::from_secs(10 * 365 * 24 * 3600));
    assert_eq!(s.blocked_clients(), 1);
    run(&mut c, "RPUSH q x");
    assert_eq!(done(h), pair("q", "x"));
}

#[test]
fn typed_blocking_methods_return_typed_values() {
    let (s, _, clock) = setup();
    s.rpush("q", &["a"]).unwrap();
    let got: Option<(String, String)> = s.blpop(&["q"], Duration::from_secs(1)).unwrap();
    assert_eq!(got, Some(("q".into(), "a".into())));
    let s2 = s.clone();
    let h = thread::spawn(move || {
        s2.brpop::<Option<(String, String)>, _>(&["q"], Duration::from_secs(3))
    });
    wait_blocked(&s, 1);
    clock.advance(Duration::from_secs(3));
    assert_eq!(h.join().unwrap().unwrap(), None);
    s.zadd("z", "m", 1.5).unwrap();
    let z: Option<(String, String, f64)> = s.bzpopmin(&["z"], Duration::ZERO).unwrap();
    assert_eq!(z, Some(("z".into(), "m".into(), 1.5)));
}

#[test]
fn an_awaited_blpop_registers_on_first_poll_and_is_woken_once_by_the_push() {
    let (s, mut c, _) = setup();
    let mut fut = Polled::new(s.blpop_async::<Option<(String, String)>, _>(&["q"], Duration::ZERO));
    assert!(fut.poll().is_pending());
    assert_eq!(s.blocked_clients(), 1);
    assert_eq!(fut.wakes(), 0);
    run(&mut c, "RPUSH q x");
    assert_eq!(fut.wakes(), 1);
    assert_eq!(run(&mut c, "LLEN q"), int(0), "served at push time");
    match fut.poll() {
        Poll::Ready(r) => assert_eq!(r.unwrap(), Some(("q".into(), "x".into()))),
        Poll::Pending => panic!("served future still pending"),
    }
    assert_eq!(s.blocked_clients(), 0);
    assert_eq!(s.wait_queue_entries(), 0);
}

#[test]
fn threads_and_futures_share_one_line_per_key() {
    let (s, mut c, _) = setup();
    let thread_first = blocked(&s, "BLPOP q 0");
    let mut fut = Polled::new(s.blpop_async::<Reply, _>(&["q"], Duration::ZERO));
    assert!(fut.poll().is_pending());
    run(&mut c, "RPUSH q one");
    assert_eq!(done(thread_first), pair("q", "one"));
    assert!(fut.poll().is_pending());
    run(&mut c, "RPUSH q two");
    assert_eq!(fut.poll(), Poll::Ready(Ok(pair("q", "two"))));
}

#[test]
fn a_dropped_future_leaves_no_waiter_and_pops_nothing() {
    let (s, mut c, _) = setup();
    let mut fut = Polled::new(s.blpop_async::<Reply, _>(&["a", "b", "c"], Duration::ZERO));
    assert!(fut.poll().is_pending());
    assert_eq!(s.wait_queue_entries(), 3);
    drop(fut);
    assert_eq!(s.wait_queue_entries(), 0);
    assert_eq!(s.blocked_clients(), 0);
    run(&mut c, "RPUSH a x");
    assert_eq!(run(&mut c, "LLEN a"), int(1));
}

#[test]
fn an_awaited_pop_times_out_by_the_manual_clock() {
    let (s, _, clock) = setup();
    let mut fut = Polled::new(
        s.bzpopmax_async::<Option<(String, String, f64)>, _>(&["z"], Duration::from_secs(2)),
    );
    assert!(fut.poll().is_pending());
    clock.advance(Duration::from_secs(1));
    assert_eq!(fut.wakes(), 0);
    clock.advance(Duration::from_secs(1));
    assert_eq!(fut.wakes(), 1);
    assert_eq!(fut.poll(), Poll::Ready(Ok(None)));
    assert_eq!(s.wait_queue_entries(), 0);
}

#[test]
fn an_awaited_pop_times_out_on_the_system_clock_without_a_runtime() {
    let s = crate::common::rhai_store();
    let got =
        block_on(s.blpop_async::<Option<(String, String)>, _>(&["q"], Duration::from_millis(20)));
    assert_eq!(got.unwrap(), None);
    assert_eq!(s.wait_queue_entries(), 0);
}

#[test]
fn a_blocked_call_times_out_on_the_system_clock() {
    let s = crate::common::rhai_store();
    assert_eq!(s.execute(["BLPOP", "q", "0.01"]), Reply::NilArray);
    // Timed out, BLMOVE answers the null array, as Redis's timeout reply.
    assert_eq!(
        s.execute(["BLMOVE", "q", "d", "LEFT", "LEFT", "0.01"]),
        Reply::NilArray
    );
    assert_eq!(s.wait_queue_entries(), 0);
}

#[test]
fn execute_async_runs_any_command() {
    let (s, _, _) = setup();
    assert_eq!(block_on(s.execute_async(["SET", "k", "v"])).unwrap(), ok());
    assert_eq!(
        block_on(s.execute_async(["LPOP", "k"])).unwrap_err().code(),
        Some("WRONGTYPE")
    );
    assert_eq!(
        block_on(s.execute_async(["NOPE"])).unwrap_err().to_string(),
        "ERR unknown command 'NOPE', with args beginning with: "
    );
}

#[test]
fn a_key_named_twice_queues_the_waiter_once() {
    let (s, mut c, _) = setup();
    let h = blocked(&s, "BLPOP q q q 0");
    assert_eq!(s.wait_queue_entries(), 1);
    run(&mut c, "RPUSH q a b");
    assert_eq!(done(h), pair("q", "a"));
    assert_eq!(run(&mut c, "LLEN q"), int(1));
}

#[test]
fn eight_producers_and_eight_blocked_workers_move_every_element_exactly_once() {
    const PRODUCERS: usize = 8;
    const PER_PRODUCER: usize = 10_000;
    const WORKERS: usize = 8;
    let s = crate::common::rhai_store();
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            let s = s.clone();
            thread::spawn(move || {
                let mut got = Vec::new();
                loop {
                    let (_, v): (String, String) = s.blpop(&["jobs"], Duration::ZERO).unwrap();
                    if v == "stop" {
                        return got;
                    }
                    got.push(v);
                }
            })
        })
        .collect();
    let producers: Vec<_> = (0..PRODUCERS)
        .map(|p| {
            let s = s.clone();
            thread::spawn(move || {
                for i in 0..PER_PRODUCER {
                    s.lpush("jobs", &[format!("{p}:{i}")]).unwrap();
                }
            })
        })
        .collect();
    for p in producers {
        p.join().unwrap();
    }
    for _ in 0..WORKERS {
        s.rpush("jobs", &["stop"]).unwrap();
    }
    let mut all: Vec<String> = workers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    assert_eq!(all.len(), PRODUCERS * PER_PRODUCER);
    all.sort();
    all.dedup();
    assert_eq!(
        all.len(),
        PRODUCERS * PER_PRODUCER,
        "an element was received twice"
    );
    assert_eq!(s.llen("jobs").unwrap(), 0);
    assert_eq!(s.wait_queue_entries(), 0);
}

/// The redis-rs drop-in routes its blocking commands here: a sync call sleeps in the
/// store, an async one awaits its future (the executor's thread is never blocked).
#[cfg(feature = "redis")]
mod dropin {
    use super::*;

    #[test]
    fn a_redis_rs_blpop_blocks_until_a_push() {
        let (s, _, _) = setup();
        let mut con = s.redis_connection();
        let h = thread::spawn(move || {
            redis::Commands::blpop::<_, Option<(String, String)>>(&mut con, "q", 0.0)
        });
        wait_blocked(&s, 1);
        s.rpush("q", &["job"]).unwrap();
        let got = h.join().unwrap().unwrap();
        assert_eq!(got, Some(("q".into(), "job".into())));
    }

    #[test]
    fn an_async_redis_rs_blpop_waits_without_blocking_the_thread() {
        let (s, mut c, clock) = setup();
        let mut con = s.redis_connection();
        let fut = Box::pin(async move {
            let got: Option<(String, String)> =
                redis::AsyncCommands::blpop(&mut con, "q", 5.0).await?;
            let late: Option<(String, String)> =
                redis::AsyncCommands::brpop(&mut con, "q", 5.0).await?;
            Ok::<_, redis::RedisError>((got, late))
        });
        let mut fut = Polled::new(fut);
        assert!(fut.poll().is_pending());
        assert_eq!(s.blocked_clients(), 1);
        run(&mut c, "RPUSH q job");
        assert_eq!(fut.wakes(), 1);
        assert!(fut.poll().is_pending(), "the second pop waits in turn");
        clock.advance(Duration::from_secs(5));
        match fut.poll() {
            Poll::Ready(r) => assert_eq!(r.unwrap(), (Some(("q".into(), "job".into())), None)),
            Poll::Pending => panic!("timed out pop still pending"),
        }
    }
}
