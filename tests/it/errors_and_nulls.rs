//! Errors a caller can match without parsing texts, and the two nulls Redis distinguishes.

use redlite::{Error, ErrorKind, Reply, Script};

#[test]
fn typed_errors_carry_their_redis_code_and_kind() {
    let store = crate::common::rhai_store();
    store.execute(["RPUSH", "list", "a"]);
    let wrongtype = store.get::<String>("list").unwrap_err();
    assert_eq!(wrongtype.code(), Some("WRONGTYPE"));
    assert_eq!(wrongtype.kind(), ErrorKind::WrongType);
    assert!(
        wrongtype
            .to_string()
            .starts_with("WRONGTYPE Operation against a key")
    );

    store.execute(["SET", "text", "abc"]);
    let not_int = store.incr("text").unwrap_err();
    assert_eq!(not_int.code(), Some("ERR"));
    assert_eq!(not_int.kind(), ErrorKind::Generic);
}

#[test]
fn error_kinds_follow_the_code_of_any_reply() {
    let kinds = [
        ("NOSCRIPT No matching script.", ErrorKind::NoScript),
        ("EXECABORT Transaction discarded", ErrorKind::ExecAbort),
        (
            "BUSYKEY Target key name already exists.",
            ErrorKind::BusyKey,
        ),
        (
            "NOTBUSY No scripts in execution right now.",
            ErrorKind::NotBusy,
        ),
        ("UNKILLABLE Sorry", ErrorKind::Unkillable),
        ("OOM command not allowed", ErrorKind::OutOfMemory),
        ("CROSSSLOT Keys in request", ErrorKind::CrossSlot),
        ("MYERR custom", ErrorKind::Other),
    ];
    for (text, kind) in kinds {
        let e = Error::Reply(text.to_string());
        assert_eq!(e.kind(), kind, "{text}");
        assert_eq!(e.code(), text.split(' ').next());
    }
    assert_eq!(Error::RetriesExhausted { attempts: 3 }.code(), None);
    assert_eq!(
        Error::RetriesExhausted { attempts: 3 }.kind(),
        ErrorKind::RetriesExhausted
    );
    assert_eq!(Error::Conversion("x".into()).kind(), ErrorKind::Conversion);
}

#[test]
fn a_script_missing_from_the_cache_is_a_noscript_error_reply() {
    let store = crate::common::rhai_store();
    let reply = store.execute(["EVALSHA", &"0".repeat(40), "0"]);
    assert_eq!(reply.error_code(), Some("NOSCRIPT"));
    // The Script helper falls back to EVAL on exactly that code.
    let n: i64 = Script::new("40 + 2").invoke(&store).unwrap();
    assert_eq!(n, 42);
}

#[test]
fn null_arrays_and_null_bulks_are_told_apart_where_redis_does() {
    let store = crate::common::rhai_store();
    let mut c = store.connection();
    assert_eq!(c.execute(["GET", "missing"]), Reply::Nil);
    assert_eq!(c.execute(["LPOP", "missing"]), Reply::Nil);
    assert_eq!(c.execute(["LPOP", "missing", "2"]), Reply::NilArray);
    assert_eq!(c.execute(["ZMPOP", "1", "missing", "MIN"]), Reply::NilArray);
    c.execute(["WATCH", "k"]);
    store.execute(["SET", "k", "1"]);
    c.execute(["MULTI"]);
    c.execute(["GET", "k"]);
    assert_eq!(c.execute(["EXEC"]), Reply::NilArray);
    for r in [Reply::Nil, Reply::NilArray] {
        assert!(r.is_nil());
        assert_eq!(r.to_string(), "(nil)");
        assert_eq!(
            <Option<String> as redlite::FromReply>::from_reply(r).unwrap(),
            None
        );
    }
    assert!(!Reply::Array(vec![]).is_nil());
}
