//! COMMAND and its subcommands, from the command table.

use crate::common::*;
use redlite::Reply;

fn items(r: Reply) -> Vec<Reply> {
    match r {
        Reply::Array(v) => v,
        other => panic!("not an array: {other:?}"),
    }
}

#[test]
fn count_matches_the_list_and_the_full_listing() {
    let (_s, mut c, _) = setup();
    let Reply::Integer(n) = c.execute(["COMMAND", "COUNT"]) else {
        panic!("not an integer");
    };
    assert_eq!(items(c.execute(["COMMAND", "LIST"])).len() as i64, n);
    assert_eq!(items(c.execute(["COMMAND"])).len() as i64, n);
    assert_eq!(items(c.execute(["COMMAND", "INFO"])).len() as i64, n);
}

#[test]
fn info_has_redis_7_shape() {
    let (_s, mut c, _) = setup();
    let get = items(c.execute(["COMMAND", "INFO", "get", "nope", "mset"]));
    assert_eq!(get.len(), 3);
    assert_eq!(get[1], nil());
    let g = items(get[0].clone());
    assert_eq!(g.len(), 10);
    assert_eq!(g[0], bulk("get"));
    assert_eq!(g[1], int(2));
    assert_eq!(g[2], Reply::Array(vec![status("readonly")]));
    assert_eq!((&g[3], &g[4], &g[5]), (&int(1), &int(1), &int(1)));
    assert_eq!(g[6], Reply::Array(vec![status("@read")]));
    let spec = Reply::Array(vec![
        bulk("flags"),
        Reply::Array(vec![status("RO")]),
        bulk("begin_search"),
        Reply::Array(vec![
            bulk("type"),
            bulk("index"),
            bulk("spec"),
            Reply::Array(vec![bulk("index"), int(1)]),
        ]),
        bulk("find_keys"),
        Reply::Array(vec![
            bulk("type"),
            bulk("range"),
            bulk("spec"),
            Reply::Array(vec![
                bulk("lastkey"),
                int(0),
                bulk("keystep"),
                int(1),
                bulk("limit"),
                int(0),
            ]),
        ]),
    ]);
    assert_eq!(g[8], Reply::Array(vec![spec]));
    let m = items(get[2].clone());
    assert_eq!(
        (&m[1], &m[3], &m[4], &m[5]),
        (&int(-3), &int(1), &int(-1), &int(2))
    );
    assert_eq!(m[2], Reply::Array(vec![status("write")]));
}

#[test]
fn info_flags_blocking_noscript_and_movable_keys() {
    let (_s, mut c, _) = setup();
    let flags = |c: &mut redlite::Connection, name: &str| {
        let info = items(c.execute(["COMMAND", "INFO", name]));
        items(info[0].clone())[2].clone()
    };
    assert_eq!(
        flags(&mut c, "blpop"),
        Reply::Array(vec![status("write"), status("blocking")])
    );
    assert_eq!(
        flags(&mut c, "zunionstore"),
        Reply::Array(vec![status("write"), status("movablekeys")])
    );
    assert_eq!(
        flags(&mut c, "config"),
        Reply::Array(vec![status("noscript")])
    );
}

#[test]
fn getkeys_finds_the_keys_of_a_command_line() {
    let (_s, mut c, _) = setup();
    assert_eq!(
        c.execute(["COMMAND", "GETKEYS", "MSET", "a", "1", "b", "2"]),
        bulks(&["a", "b"])
    );
    assert_eq!(
        c.execute(["COMMAND", "GETKEYS", "zunionstore", "d", "2", "x", "y"]),
        bulks(&["d", "x", "y"])
    );
    assert_eq!(
        c.execute(["COMMAND", "GETKEYS", "EVAL", "return 1", "0"]),
        bulks(&[])
    );
    assert_eq!(
        c.execute(["COMMAND", "GETKEYSANDFLAGS", "SET", "a", "b"]),
        Reply::Array(vec![Reply::Array(vec![
            bulk("a"),
            Reply::Array(vec![status("RW")])
        ])])
    );
    assert_eq!(
        c.execute(["COMMAND", "GETKEYS", "PING", "x"]),
        err("ERR The command has no key arguments")
    );
    assert_eq!(
        c.execute(["COMMAND", "GETKEYS", "NOPE", "x"]),
        err("ERR Invalid command specified")
    );
    assert_eq!(
        c.execute(["COMMAND", "GETKEYS", "GET", "a", "b"]),
        err("ERR Invalid number of arguments specified for command")
    );
    assert_eq!(c.execute(["COMMAND", "GETKEYS"]), arity("command|getkeys"));
}

#[test]
fn list_filters_by_pattern_and_category() {
    let (_s, mut c, _) = setup();
    let mut names = items(c.execute(["COMMAND", "LIST", "FILTERBY", "PATTERN", "zrange*"]));
    names.sort_by_key(ToString::to_string);
    assert_eq!(
        Reply::Array(names),
        bulks(&["zrange", "zrangebylex", "zrangebyscore", "zrangestore"])
    );
    let reads = items(c.execute(["COMMAND", "LIST", "FILTERBY", "ACLCAT", "read"]));
    assert!(reads.contains(&bulk("get")) && !reads.contains(&bulk("set")));
    assert_eq!(
        c.execute(["COMMAND", "LIST", "FILTERBY", "MODULE", "x"]),
        bulks(&[])
    );
    assert_eq!(
        c.execute(["COMMAND", "LIST", "FILTERBY", "FOO", "x"]),
        err(SYNTAX)
    );
}

#[test]
fn docs_are_brief() {
    let (_s, mut c, _) = setup();
    assert_eq!(
        c.execute(["COMMAND", "DOCS", "get", "nope"]),
        Reply::Array(vec![bulk("get"), Reply::Array(vec![])])
    );
    assert_eq!(
        c.execute(["COMMAND", "NOPE"]),
        err("ERR unknown subcommand 'NOPE'. Try COMMAND HELP.")
    );
}
