//! Sorted set commands: exact replies, error texts, score formatting, deletion of emptied
//! sets, WATCH signalling, and many-thread increments with an exact final score.

use crate::common::*;
use redlite::{Connection, Reply, Store};

fn abcd(c: &mut Connection) {
    run(c, "ZADD z 1 a 2 b 3 c 4 d");
}

#[test]
fn zadd_counts_added_and_changed() {
    let mut c = Store::new().connection();
    assert_eq!(run(&mut c, "ZADD z 10 x 20 y 30 z"), Reply::Integer(3));
    assert_eq!(run(&mut c, "ZADD z 10 x 25 y"), Reply::Integer(0));
    assert_eq!(run(&mut c, "ZADD z CH 11 x 25 y 1 w"), Reply::Integer(2));
    assert_eq!(run(&mut c, "ZCARD z"), Reply::Integer(4));
    assert_eq!(run(&mut c, "ZSCORE z x"), bulk("11"));
    assert_eq!(run(&mut c, "ZCARD missing"), Reply::Integer(0));
}

#[test]
fn zadd_nx_xx_gt_lt() {
    let mut c = Store::new().connection();
    assert_eq!(run(&mut c, "ZADD z XX 10 x"), Reply::Integer(0));
    assert_eq!(run(&mut c, "TYPE z"), Reply::status("none"));
    run(&mut c, "ZADD z 10 x 20 y 30 z");
    assert_eq!(run(&mut c, "ZADD z NX 11 x 21 y 100 a"), Reply::Integer(1));
    assert_eq!(run(&mut c, "ZSCORE z x"), bulk("10"));
    assert_eq!(run(&mut c, "ZADD z XX CH 11 x 200 b"), Reply::Integer(1));
    assert_eq!(run(&mut c, "ZSCORE z b"), Reply::Nil);
    // GT updates only upwards, but still adds new members.
    assert_eq!(
        run(&mut c, "ZADD z GT CH 5 x 25 y 1 new"),
        Reply::Integer(2)
    );
    assert_eq!(run(&mut c, "ZSCORE z x"), bulk("11"));
    assert_eq!(run(&mut c, "ZSCORE z y"), bulk("25"));
    assert_eq!(run(&mut c, "ZADD z LT CH 5 x 50 y"), Reply::Integer(1));
    assert_eq!(run(&mut c, "ZSCORE z x"), bulk("5"));
    assert_eq!(run(&mut c, "ZSCORE z y"), bulk("25"));
}

#[test]
fn zadd_incr_replies_the_score_or_nil() {
    let mut c = Store::new().connection();
    assert_eq!(run(&mut c, "ZADD z INCR 1.5 x"), bulk("1.5"));
    assert_eq!(run(&mut c, "ZADD z INCR 1.5 x"), bulk("3"));
    assert_eq!(run(&mut c, "ZADD z NX INCR 1 x"), Reply::Nil);
    assert_eq!(run(&mut c, "ZADD z XX INCR 1 nope"), Reply::Nil);
    assert_eq!(run(&mut c, "ZADD z GT INCR -1 x"), Reply::Nil);
    assert_eq!(run(&mut c, "ZADD z LT INCR -1 x"), bulk("2"));
    assert_eq!(run(&mut c, "ZADD missing XX INCR 1 x"), Reply::Nil);
}

#[test]
fn zadd_error_texts() {
    let mut c = Store::new().connection();
    assert_eq!(run(&mut c, "ZADD z 1 a 2"), err("ERR syntax error"));
    assert_eq!(
        run(&mut c, "ZADD z NX"),
        err("ERR wrong number of arguments for 'zadd' command")
    );
    assert_eq!(run(&mut c, "ZADD z NX 1"), err("ERR syntax error"));
    assert_eq!(
        run(&mut c, "ZADD z NX XX 1 a"),
        err("ERR XX and NX options at the same time are not compatible")
    );
    for opts in ["GT LT", "NX GT", "NX LT"] {
        assert_eq!(
            run(&mut c, &format!("ZADD z {opts} 1 a")),
            err("ERR GT, LT, and/or NX options at the same time are not compatible")
        );
    }
    assert_eq!(
        run(&mut c, "ZADD z INCR 1 a 2 b"),
        err("ERR INCR option supports a single increment-element pair")
    );
    assert_eq!(run(&mut c, "ZADD z 1 a nan b"), err(NOT_FLOAT));
    assert_eq!(run(&mut c, "ZADD z abc a"), err(NOT_FLOAT));
    assert_eq!(
        run(&mut c, "EXISTS z"),
        Reply::Integer(0),
        "nothing half done"
    );
    run(&mut c, "ZADD z +inf a");
    assert_eq!(
        run(&mut c, "ZADD z INCR -inf a"),
        err("ERR resulting score is not a number (NaN)")
    );
    assert_eq!(
        run(&mut c, "ZINCRBY z -inf a"),
        err("ERR resulting score is not a number (NaN)")
    );
    assert_eq!(run(&mut c, "ZSCORE z a"), bulk("inf"));
}

#[test]
fn zincrby_creates_and_formats() {
    let mut c = Store::new().connection();
    assert_eq!(run(&mut c, "ZINCRBY z 1 a"), bulk("1"));
    assert_eq!(run(&mut c, "ZINCRBY z 0.1 a"), bulk("1.1"));
    assert_eq!(run(&mut c, "ZINCRBY z 0.1 p"), bulk("0.1"));
    assert_eq!(run(&mut c, "ZINCRBY z 0.2 p"), bulk("0.30000000000000004"));
    assert_eq!(run(&mut c, "ZINCRBY z x a"), err(NOT_FLOAT));
    assert_eq!(run(&mut c, "ZINCRBY z -inf b"), bulk("-inf"));
    assert_eq!(run(&mut c, "ZINCRBY z 1e300 c"), bulk("1e+300"));
}

#[test]
fn zrem_and_emptied_sets_are_deleted() {
    let mut c = Store::new().connection();
    abcd(&mut c);
    assert_eq!(run(&mut c, "ZREM z a x"), Reply::Integer(1));
    assert_eq!(run(&mut c, "ZREM z b c d"), Reply::Integer(3));
    assert_eq!(run(&mut c, "EXISTS z"), Reply::Integer(0));
    assert_eq!(run(&mut c, "ZREM z a"), Reply::Integer(0));
}

#[test]
fn zscore_zmscore_zrank() {
    let mut c = Store::new().connection();
    abcd(&mut c);
    assert_eq!(run(&mut c, "ZSCORE z c"), bulk("3"));
    assert_eq!(run(&mut c, "ZSCORE z x"), Reply::Nil);
    assert_eq!(
        run(&mut c, "ZMSCORE z a x d"),
        Reply::Array(vec![bulk("1"), Reply::Nil, bulk("4")])
    );
    assert_eq!(
        run(&mut c, "ZMSCORE nokey a"),
        Reply::Array(vec![Reply::Nil])
    );
    assert_eq!(run(&mut c, "ZRANK z a"), Reply::Integer(0));
    assert_eq!(run(&mut c, "ZRANK z d"), Reply::Integer(3));
    assert_eq!(run(&mut c, "ZREVRANK z a"), Reply::Integer(3));
    assert_eq!(run(&mut c, "ZRANK z x"), Reply::Nil);
    assert_eq!(
        run(&mut c, "ZRANK z c WITHSCORE"),
        Reply::Array(vec![Reply::Integer(2), bulk("3")])
    );
    assert_eq!(
        run(&mut c, "ZREVRANK z c withscore"),
        Reply::Array(vec![Reply::Integer(1), bulk("3")])
    );
    assert_eq!(run(&mut c, "ZRANK z x WITHSCORE"), Reply::Nil);
    assert_eq!(run(&mut c, "ZRANK z a FOO"), err("ERR syntax error"));
    assert_eq!(
        run(&mut c, "ZRANK z a WITHSCORE x"),
        err("ERR wrong number of arguments for 'zrank' command")
    );
}

#[test]
fn zrange_by_rank_with_scores_and_rev() {
    let mut c = Store::new().connection();
    abcd(&mut c);
    assert_eq!(run(&mut c, "ZRANGE z 0 -1"), bulks(&["a", "b", "c", "d"]));
    assert_eq!(run(&mut c, "ZRANGE z 0 -2"), bulks(&["a", "b", "c"]));
    assert_eq!(run(&mut c, "ZRANGE z 1 -1"), bulks(&["b", "c", "d"]));
    assert_eq!(run(&mut c, "ZRANGE z -2 -1"), bulks(&["c", "d"]));
    assert_eq!(run(&mut c, "ZRANGE z -5 1"), bulks(&["a", "b"]));
    assert_eq!(run(&mut c, "ZRANGE z 5 -1"), bulks(&[]));
    assert_eq!(run(&mut c, "ZRANGE z 0 5"), bulks(&["a", "b", "c", "d"]));
    assert_eq!(
        run(&mut c, "ZRANGE z 0 1 WITHSCORES"),
        bulks(&["a", "1", "b", "2"])
    );
    assert_eq!(run(&mut c, "ZRANGE z 0 1 REV"), bulks(&["d", "c"]));
    assert_eq!(
        run(&mut c, "ZREVRANGE z 0 -1"),
        bulks(&["d", "c", "b", "a"])
    );
    assert_eq!(
        run(&mut c, "ZREVRANGE z 1 2 WITHSCORES"),
        bulks(&["c", "3", "b", "2"])
    );
    assert_eq!(run(&mut c, "ZRANGE missing 0 -1"), bulks(&[]));
}

#[test]
fn zrange_by_score_bounds_and_limit() {
    let mut c = Store::new().connection();
    run(&mut c, "ZADD z -inf a 1 b 2 c 3 d 4 e 5 f +inf g");
    assert_eq!(run(&mut c, "ZRANGEBYSCORE z 2 4"), bulks(&["c", "d", "e"]));
    assert_eq!(run(&mut c, "ZRANGEBYSCORE z (2 (4"), bulks(&["d"]));
    assert_eq!(
        run(&mut c, "ZRANGEBYSCORE z -inf +inf"),
        bulks(&["a", "b", "c", "d", "e", "f", "g"])
    );
    assert_eq!(
        run(&mut c, "ZRANGEBYSCORE z (-inf (+inf"),
        bulks(&["b", "c", "d", "e", "f"])
    );
    assert_eq!(
        run(&mut c, "ZREVRANGEBYSCORE z 4 2"),
        bulks(&["e", "d", "c"])
    );
    assert_eq!(run(&mut c, "ZREVRANGEBYSCORE z (4 (2"), bulks(&["d"]));
    assert_eq!(run(&mut c, "ZRANGE z 2 4 BYSCORE"), bulks(&["c", "d", "e"]));
    assert_eq!(
        run(&mut c, "ZRANGE z 4 2 BYSCORE REV"),
        bulks(&["e", "d", "c"])
    );
    assert_eq!(run(&mut c, "ZRANGEBYSCORE z 4 2"), bulks(&[]));
    assert_eq!(
        run(&mut c, "ZRANGEBYSCORE z 0 10 LIMIT 0 2"),
        bulks(&["b", "c"])
    );
    assert_eq!(
        run(&mut c, "ZRANGEBYSCORE z 0 10 LIMIT 2 3"),
        bulks(&["d", "e", "f"])
    );
    assert_eq!(
        run(&mut c, "ZRANGEBYSCORE z 0 10 LIMIT 2 10"),
        bulks(&["d", "e", "f"])
    );
    assert_eq!(run(&mut c, "ZRANGEBYSCORE z 0 10 LIMIT 20 10"), bulks(&[]));
    assert_eq!(
        run(&mut c, "ZRANGEBYSCORE z 0 10 LIMIT 2 -1"),
        bulks(&["d", "e", "f"])
    );
    assert_eq!(run(&mut c, "ZRANGEBYSCORE z 0 10 LIMIT -1 2"), bulks(&[]));
    assert_eq!(
        run(&mut c, "ZREVRANGEBYSCORE z 10 0 LIMIT 0 2"),
        bulks(&["f", "e"])
    );
    assert_eq!(
        run(&mut c, "ZREVRANGEBYSCORE z 10 0 LIMIT 2 3"),
        bulks(&["d", "c", "b"])
    );
    assert_eq!(
        run(&mut c, "ZRANGEBYSCORE z 1 2 WITHSCORES"),
        bulks(&["b", "1", "c", "2"])
    );
    assert_eq!(
        run(&mut c, "ZRANGEBYSCORE z -inf -inf WITHSCORES"),
        bulks(&["a", "-inf"])
    );
}

#[test]
fn zrange_by_lex() {
    let mut c = Store::new().connection();
    run(
        &mut c,
        "ZADD z 0 alpha 0 bar 0 cool 0 down 0 elephant 0 foo 0 great 0 hill 0 omega",
    );
    assert_eq!(
        run(&mut c, "ZRANGEBYLEX z - [cool"),
        bulks(&["alpha", "bar", "cool"])
    );
    assert_eq!(
        run(&mut c, "ZRANGEBYLEX z [bar [down"),
        bulks(&["bar", "cool", "down"])
    );
    assert_eq!(run(&mut c, "ZRANGEBYLEX z (bar (down"), bulks(&["cool"]));
    assert_eq!(
        run(&mut c, "ZRANGEBYLEX z [great +"),
        bulks(&["great", "hill", "omega"])
    );
    assert_eq!(run(&mut c, "ZRANGEBYLEX z + -"), bulks(&[]));
    assert_eq!(
        run(&mut c, "ZREVRANGEBYLEX z [cool -"),
        bulks(&["cool", "bar", "alpha"])
    );
    assert_eq!(run(&mut c, "ZREVRANGEBYLEX z (down (bar"), bulks(&["cool"]));
    assert_eq!(
        run(&mut c, "ZRANGE z [d + BYLEX LIMIT 1 2"),
        bulks(&["elephant", "foo"])
    );
    assert_eq!(
        run(&mut c, "ZRANGE z + [d BYLEX REV LIMIT 0 2"),
        bulks(&["omega", "hill"])
    );
    assert_eq!(run(&mut c, "ZLEXCOUNT z [bar (foo"), Reply::Integer(4));
    assert_eq!(run(&mut c, "ZLEXCOUNT z - +"), Reply::Integer(9));
    assert_eq!(
        run(&mut c, "ZREMRANGEBYLEX z [alpha (cool"),
        Reply::Integer(2)
    );
    assert_eq!(run(&mut c, "ZRANGEBYLEX z - (e"), bulks(&["cool", "down"]));
}

#[test]
fn zrange_error_texts() {
    let mut c = Store::new().connection();
    abcd(&mut c);
    let not_float = err("ERR min or max is not a float");
    let not_lex = err("ERR min or max not valid string range item");
    assert_eq!(run(&mut c, "ZRANGEBYSCORE z a 1"), not_float);
    assert_eq!(run(&mut c, "ZRANGEBYSCORE z 1 nan"), not_float);
    assert_eq!(run(&mut c, "ZCOUNT z [1 2"), not_float);
    assert_eq!(run(&mut c, "ZRANGEBYLEX z a [b"), not_lex);
    assert_eq!(run(&mut c, "ZLEXCOUNT z [a +x"), not_lex);
    assert_eq!(
        run(&mut c, "ZRANGE z 0 -1 LIMIT 0 1"),
        err(
            "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"
        )
    );
    assert_eq!(
        run(&mut c, "ZRANGE z - + BYLEX WITHSCORES"),
        err("ERR syntax error, WITHSCORES not supported in combination with BYLEX")
    );
    assert_eq!(
        run(&mut c, "ZRANGEBYLEX z - + WITHSCORES"),
        err("ERR syntax error, WITHSCORES not supported in combination with BYLEX")
    );
    assert_eq!(
        run(&mut c, "ZRANGE z 0 -1 BYSCORE BYLEX"),
        err("ERR syntax error")
    );
    assert_eq!(
        run(&mut c, "ZRANGEBYSCORE z 0 1 REV"),
        err("ERR syntax error")
    );
    assert_eq!(
        run(&mut c, "ZRANGE z 0 -1 LIMIT 1"),
        err("ERR syntax error")
    );
    assert_eq!(
        run(&mut c, "ZRANGE z a -1"),
        err("ERR value is not an integer or out of range")
    );
}

#[test]
fn zcount_with_exclusive_bounds() {
    let mut c = Store::new().connection();
    abcd(&mut c);
    assert_eq!(run(&mut c, "ZCOUNT z 2 3"), Reply::Integer(2));
    assert_eq!(run(&mut c, "ZCOUNT z (2 3"), Reply::Integer(1));
    assert_eq!(run(&mut c, "ZCOUNT z (2 (3"), Reply::Integer(0));
    assert_eq!(run(&mut c, "ZCOUNT z -inf +inf"), Reply::Integer(4));
    assert_eq!(run(&mut c, "ZCOUNT missing 0 1"), Reply::Integer(0));
}

#[test]
fn zrangestore_replaces_destination() {
    let mut c = Store::new().connection();
    abcd(&mut c);
    run(&mut c, "SET dst x");
    assert_eq!(run(&mut c, "ZRANGESTORE dst z 0 1"), Reply::Integer(2));
    assert_eq!(
        run(&mut c, "ZRANGE dst 0 -1 WITHSCORES"),
        bulks(&["a", "1", "b", "2"])
    );
    assert_eq!(
        run(&mut c, "ZRANGESTORE dst z (2 +inf BYSCORE LIMIT 0 1"),
        Reply::Integer(1)
    );
    assert_eq!(run(&mut c, "ZRANGE dst 0 -1"), bulks(&["c"]));
    assert_eq!(run(&mut c, "ZRANGESTORE dst z 0 1 REV"), Reply::Integer(2));
    assert_eq!(run(&mut c, "ZRANGE dst 0 -1"), bulks(&["c", "d"]));
    assert_eq!(
        run(&mut c, "ZRANGESTORE dst missing 0 -1"),
        Reply::Integer(0)
    );
    assert_eq!(run(&mut c, "EXISTS dst"), Reply::Integer(0));
    assert_eq!(
        run(&mut c, "ZRANGESTORE dst z 0 -1 WITHSCORES"),
        err("ERR syntax error")
    );
}

#[test]
fn zremrange_by_rank_and_score() {
    let mut c = Store::new().connection();
    run(&mut c, "ZADD z 1 a 2 b 3 c 4 d 5 e");
    assert_eq!(run(&mut c, "ZREMRANGEBYRANK z 1 2"), Reply::Integer(2));
    assert_eq!(run(&mut c, "ZRANGE z 0 -1"), bulks(&["a", "d", "e"]));
    assert_eq!(run(&mut c, "ZREMRANGEBYRANK z 5 10"), Reply::Integer(0));
    assert_eq!(run(&mut c, "ZREMRANGEBYSCORE z (1 4"), Reply::Integer(1));
    assert_eq!(run(&mut c, "ZRANGE z 0 -1"), bulks(&["a", "e"]));
    assert_eq!(
        run(&mut c, "ZREMRANGEBYSCORE z x 1"),
        err("ERR min or max is not a float")
    );
    assert_eq!(run(&mut c, "ZREMRANGEBYRANK z 0 -1"), Reply::Integer(2));
    assert_eq!(run(&mut c, "EXISTS z"), Reply::Integer(0));
}

#[test]
fn zpopmin_zpopmax() {
    let mut c = Store::new().connection();
    abcd(&mut c);
    assert_eq!(run(&mut c, "ZPOPMIN z"), bulks(&["a", "1"]));
    assert_eq!(run(&mut c, "ZPOPMAX z"), bulks(&["d", "4"]));
    assert_eq!(run(&mut c, "ZPOPMIN z 0"), bulks(&[]));
    assert_eq!(run(&mut c, "ZPOPMAX z 10"), bulks(&["c", "3", "b", "2"]));
    assert_eq!(run(&mut c, "EXISTS z"), Reply::Integer(0));
    assert_eq!(run(&mut c, "ZPOPMIN z"), bulks(&[]));
    assert_eq!(
        run(&mut c, "ZPOPMIN z -1"),
        err("ERR value is out of range, must be positive")
    );
    // Checked against redis-server: extra arguments are a syntax error, not an arity one.
    assert_eq!(run(&mut c, "ZPOPMIN z 1 2"), err("ERR syntax error"));
}

#[test]
fn zmpop_nested_reply_and_errors() {
    let mut c = Store::new().connection();
    run(&mut c, "ZADD b 1 x 2 y 3 z");
    let pair = |m: &str, s: &str| bulks(&[m, s]);
    assert_eq!(
        run(&mut c, "ZMPOP 2 a b MIN COUNT 2"),
        Reply::Array(vec![
            bulk("b"),
            Reply::Array(vec![pair("x", "1"), pair("y", "2")])
        ])
    );
    assert_eq!(
        run(&mut c, "ZMPOP 2 a b MAX"),
        Reply::Array(vec![bulk("b"), Reply::Array(vec![pair("z", "3")])])
    );
    assert_eq!(run(&mut c, "ZMPOP 2 a b MAX"), Reply::NilArray);
    assert_eq!(
        run(&mut c, "ZMPOP 0 a MIN"),
        err("ERR numkeys should be greater than 0")
    );
    assert_eq!(run(&mut c, "ZMPOP 1 a MIDDLE"), err("ERR syntax error"));
    assert_eq!(
        run(&mut c, "ZMPOP 1 a MIN COUNT 0"),
        err("ERR count should be greater than 0")
    );
}

#[test]
fn zrandmember_counts() {
    let mut c = Store::new().connection();
    abcd(&mut c);
    assert_eq!(run(&mut c, "ZRANDMEMBER missing"), Reply::Nil);
    assert_eq!(run(&mut c, "ZRANDMEMBER missing 5"), bulks(&[]));
    assert_eq!(run(&mut c, "ZRANDMEMBER z 0"), bulks(&[]));
    assert_eq!(
        run(&mut c, "ZRANDMEMBER z 10"),
        bulks(&["a", "b", "c", "d"])
    );
    assert_eq!(
        run(&mut c, "ZRANDMEMBER z 4 WITHSCORES"),
        bulks(&["a", "1", "b", "2", "c", "3", "d", "4"])
    );
    let Reply::Array(items) = run(&mut c, "ZRANDMEMBER z -10") else {
        panic!("not an array");
    };
    assert_eq!(items.len(), 10);
    let Reply::Array(mut items) = run(&mut c, "ZRANDMEMBER z 3") else {
        panic!("not an array");
    };
    items.sort_by_key(std::string::ToString::to_string);
    items.dedup();
    assert_eq!(items.len(), 3);
    assert_eq!(run(&mut c, "ZRANDMEMBER z 1 FOO"), err("ERR syntax error"));
    assert_eq!(
        run(&mut c, "ZRANDMEMBER z x"),
        err("ERR value is not an integer or out of range")
    );
}

#[test]
fn zscan_returns_members_and_scores() {
    let mut c = Store::new().connection();
    run(&mut c, "ZADD z 1 a 2 b 3 ab");
    assert_eq!(
        run(&mut c, "ZSCAN z 0 MATCH a*"),
        Reply::Array(vec![bulk("0"), bulks(&["a", "1", "ab", "3"])])
    );
    assert_eq!(
        run(&mut c, "ZSCAN missing 0"),
        Reply::Array(vec![bulk("0"), bulks(&[])])
    );
    assert_eq!(run(&mut c, "ZSCAN z x"), err("ERR invalid cursor"));
    assert_eq!(run(&mut c, "ZSCAN z 0 COUNT 0"), err("ERR syntax error"));
}

#[test]
fn zunion_zinter_zdiff_with_weights_and_aggregate() {
    let mut c = Store::new().connection();
    run(&mut c, "ZADD a 1 x 2 y 3 z");
    run(&mut c, "ZADD b 10 y 20 z 30 w");
    assert_eq!(
        run(&mut c, "ZUNION 2 a b WITHSCORES"),
        bulks(&["x", "1", "y", "12", "z", "23", "w", "30"])
    );
    assert_eq!(
        run(&mut c, "ZINTER 2 a b WITHSCORES"),
        bulks(&["y", "12", "z", "23"])
    );
    assert_eq!(
        run(&mut c, "ZINTER 2 a b WEIGHTS 2 0.5 WITHSCORES"),
        bulks(&["y", "9", "z", "16"])
    );
    assert_eq!(
        run(&mut c, "ZUNION 2 a b AGGREGATE MIN WITHSCORES"),
        bulks(&["x", "1", "y", "2", "z", "3", "w", "30"])
    );
    assert_eq!(
        run(&mut c, "ZINTER 2 a b AGGREGATE MAX WITHSCORES"),
        bulks(&["y", "10", "z", "20"])
    );
    assert_eq!(run(&mut c, "ZDIFF 2 a b WITHSCORES"), bulks(&["x", "1"]));
    assert_eq!(run(&mut c, "ZDIFF 2 a missing"), bulks(&["x", "y", "z"]));
    assert_eq!(run(&mut c, "ZINTER 2 a missing"), bulks(&[]));
    assert_eq!(run(&mut c, "ZINTERCARD 2 a b"), Reply::Integer(2));
    assert_eq!(run(&mut c, "ZINTERCARD 2 a b LIMIT 1"), Reply::Integer(1));
}

#[test]
fn zstore_forms_replace_or_delete_destination() {
    let mut c = Store::new().connection();
    run(&mut c, "ZADD a 1 x 2 y");
    run(&mut c, "ZADD b 3 y 4 z");
    assert_eq!(run(&mut c, "ZUNIONSTORE dst 2 a b"), Reply::Integer(3));
    assert_eq!(
        run(&mut c, "ZRANGE dst 0 -1 WITHSCORES"),
        bulks(&["x", "1", "z", "4", "y", "5"])
    );
    assert_eq!(
        run(&mut c, "ZINTERSTORE dst 2 a b WEIGHTS 1 2"),
        Reply::Integer(1)
    );
    assert_eq!(
        run(&mut c, "ZRANGE dst 0 -1 WITHSCORES"),
        bulks(&["y", "8"])
    );
    assert_eq!(run(&mut c, "ZDIFFSTORE dst 2 a b"), Reply::Integer(1));
    assert_eq!(run(&mut c, "ZRANGE dst 0 -1"), bulks(&["x"]));
    assert_eq!(run(&mut c, "ZINTERSTORE dst 2 a nokey"), Reply::Integer(0));
    assert_eq!(run(&mut c, "EXISTS dst"), Reply::Integer(0));
    // The destination may be one of the inputs.
    assert_eq!(run(&mut c, "ZUNIONSTORE a 2 a b"), Reply::Integer(3));
    assert_eq!(run(&mut c, "ZSCORE a y"), bulk("5"));
}

#[test]
fn zset_algebra_error_texts() {
    let mut c = Store::new().connection();
    run(&mut c, "ZADD a 1 x");
    run(&mut c, "SET s v");
    assert_eq!(
        run(&mut c, "ZUNION 0 a"),
        err("ERR at least 1 input key is needed for 'zunion' command")
    );
    assert_eq!(
        run(&mut c, "ZINTERSTORE d 0 a"),
        err("ERR at least 1 input key is needed for 'zinterstore' command")
    );
    assert_eq!(run(&mut c, "ZUNION 3 a b"), err("ERR syntax error"));
    assert_eq!(
        run(&mut c, "ZUNION 1 a WEIGHTS x"),
        err("ERR weight value is not a float")
    );
    assert_eq!(
        run(&mut c, "ZUNION 1 a AGGREGATE AVG"),
        err("ERR syntax error")
    );
    assert_eq!(run(&mut c, "ZDIFF 1 a WEIGHTS 1"), err("ERR syntax error"));
    assert_eq!(
        run(&mut c, "ZUNIONSTORE d 1 a WITHSCORES"),
        err("ERR syntax error")
    );
    assert_eq!(
        run(&mut c, "ZINTERCARD 1 a LIMIT -1"),
        err("ERR LIMIT can't be negative")
    );
    assert_eq!(
        run(&mut c, "ZINTERCARD 1 a WITHSCORES"),
        err("ERR syntax error")
    );
    assert_eq!(run(&mut c, "ZUNION 2 a s WEIGHTS x y"), err(WRONGTYPE));
    assert_eq!(
        run(&mut c, "ZUNION x a"),
        err("ERR value is not an integer or out of range")
    );
}

#[test]
fn every_zset_command_rejects_other_types() {
    let mut c = Store::new().connection();
    run(&mut c, "SET s x");
    for line in [
        "ZADD s 1 a",
        "ZINCRBY s 1 a",
        "ZREM s a",
        "ZSCORE s a",
        "ZMSCORE s a",
        "ZCARD s",
        "ZCOUNT s 0 1",
        "ZLEXCOUNT s - +",
        "ZRANK s a",
        "ZREVRANK s a",
        "ZRANGE s 0 -1",
        "ZRANGEBYSCORE s 0 1",
        "ZREVRANGEBYSCORE s 1 0",
        "ZRANGEBYLEX s - +",
        "ZREVRANGEBYLEX s + -",
        "ZREVRANGE s 0 -1",
        "ZRANGESTORE d s 0 -1",
        "ZREMRANGEBYRANK s 0 1",
        "ZREMRANGEBYSCORE s 0 1",
        "ZREMRANGEBYLEX s - +",
        "ZPOPMIN s",
        "ZPOPMAX s",
        "ZMPOP 1 s MIN",
        "ZRANDMEMBER s",
        "ZSCAN s 0",
        "ZUNION 1 s",
        "ZINTERSTORE d 1 s",
        "ZINTERCARD 1 s",
    ] {
        assert_eq!(run(&mut c, line), err(WRONGTYPE), "{line}");
    }
    assert_eq!(run(&mut c, "EXISTS d"), Reply::Integer(0));
}

#[test]
fn no_op_zset_writes_do_not_abort_watchers() {
    let s = Store::new();
    assert!(exec_survives(&s, "ZADD k 1 a", "ZADD k 1 a"));
    assert!(exec_survives(&s, "ZADD k 1 a", "ZADD k NX 5 a"));
    assert!(exec_survives(&s, "ZADD k 1 a", "ZADD k GT 0 a"));
    assert!(exec_survives(&s, "ZADD k 1 a", "ZREM k b"));
    assert!(exec_survives(&s, "ZADD k 1 a", "ZINCRBY k 0 a"));
    assert!(exec_survives(&s, "ZADD k 1 a", "ZREMRANGEBYSCORE k 5 6"));
    assert!(exec_survives(&s, "", "ZADD k XX 1 a"));
}

#[test]
fn zset_writes_abort_watchers() {
    let s = Store::new();
    assert!(!exec_survives(&s, "ZADD k 1 a", "ZADD k 2 a"));
    assert!(!exec_survives(&s, "", "ZADD k 1 a"));
    assert!(!exec_survives(&s, "ZADD k 1 a", "ZREM k a"));
    assert!(!exec_survives(&s, "ZADD k 1 a", "ZPOPMIN k"));
    assert!(!exec_survives(&s, "ZADD a 1 a", "ZUNIONSTORE k 1 a"));
}

#[test]
fn threads_incrementing_one_member_sum_exactly() {
    const THREADS: usize = 8;
    const EACH: usize = 1000;
    let store = Store::new();
    let handles: Vec<_> = (0..THREADS)
        .map(|_| {
            let store = store.clone();
            std::thread::spawn(move || {
                let mut c = store.connection();
                for _ in 0..EACH {
                    c.execute(["ZINCRBY", "board", "1", "player"]);
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let mut c = store.connection();
    assert_eq!(
        run(&mut c, "ZSCORE board player"),
        bulk((THREADS * EACH).to_string())
    );
}

#[test]
fn threads_adding_distinct_members_keep_ranks_consistent() {
    const THREADS: usize = 4;
    const EACH: usize = 500;
    let store = Store::new();
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let store = store.clone();
            std::thread::spawn(move || {
                let mut c = store.connection();
                for i in 0..EACH {
                    let n = t * EACH + i;
                    c.execute(["ZADD", "z", &n.to_string(), &format!("m{n}")]);
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let mut c = store.connection();
    let total = THREADS * EACH;
    assert_eq!(run(&mut c, "ZCARD z"), Reply::Integer(total as i64));
    for n in [0, 1, total / 2, total - 1] {
        assert_eq!(
            c.execute(["ZRANK", "z", &format!("m{n}")]),
            Reply::Integer(n as i64)
        );
    }
}
