//! Replies as `redis::Value`: what redis-rs's RESP2 parser would make of the same bytes.

use ::redis::{ErrorKind, RedisError, RedisResult, Value};

use crate::reply::Reply;

/// redis-rs's parser refuses replies nested deeper than this (`MAX_RECURSE_DEPTH`), with a
/// parse error for the whole reply; the drop-in does the same.
const MAX_DEPTH: usize = 100;

/// The value redis-rs would parse from this reply's RESP2 bytes: `$-1` and `*-1` are both
/// `Nil`, `+OK` is `Okay`, other statuses `SimpleString`, errors `ServerError` (at any
/// depth, e.g. inside EXEC's array).
pub(crate) fn to_value(reply: Reply) -> RedisResult<Value> {
    convert(reply, 1)
}

fn convert(reply: Reply, depth: usize) -> RedisResult<Value> {
    if depth > MAX_DEPTH {
        return Err(RedisError::from((
            ErrorKind::Parse,
            "Maximum recursion depth exceeded",
        )));
    }
    Ok(match reply {
        Reply::Nil | Reply::NilArray => Value::Nil,
        Reply::Status(s) if s == "OK" => Value::Okay,
        Reply::Status(s) => Value::SimpleString(s.into_owned()),
        Reply::Error(text) => server_error(&text),
        Reply::Integer(n) => Value::Int(n),
        Reply::Bulk(bytes) => Value::BulkString(bytes),
        Reply::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|item| convert(item, depth + 1))
                .collect::<RedisResult<_>>()?,
        ),
    })
}

/// An error reply as redis-rs itself parses `-<text>\r\n`, so its kind (`NoScript`,
/// `ExecAbort`, `CrossSlot`, an extension code such as `WRONGTYPE` ...), code and detail
/// are exactly what a server's reply would give; `Script`'s NOSCRIPT fallback relies on it.
pub(crate) fn server_error(text: &str) -> Value {
    let mut line = Vec::with_capacity(text.len() + 3);
    line.push(b'-');
    // An error is one RESP line; Reply::error already strips newlines, this keeps it so
    // for replies built by hand.
    line.extend(
        text.bytes()
            .map(|b| if b == b'\r' || b == b'\n' { b' ' } else { b }),
    );
    line.extend_from_slice(b"\r\n");
    ::redis::parse_redis_value(&line)
        .or_else(|_| ::redis::parse_redis_value(b"-ERR\r\n"))
        .unwrap_or(Value::Nil)
}

/// The error a call gets back for an error reply (what `Value::extract_error` gives).
pub(crate) fn into_error(value: Value) -> RedisError {
    match value.extract_error() {
        Err(e) => e,
        Ok(_) => RedisError::from((ErrorKind::Client, "expected an error reply")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ::redis::ServerErrorKind;

    fn error_of(text: &'static str) -> RedisError {
        into_error(server_error(text))
    }

    #[test]
    fn nil_bulk_and_nil_array_are_both_nil() {
        assert_eq!(to_value(Reply::Nil).ok(), Some(Value::Nil));
        assert_eq!(to_value(Reply::NilArray).ok(), Some(Value::Nil));
    }

    #[test]
    fn ok_is_okay_and_other_statuses_are_simple_strings() {
        assert_eq!(to_value(Reply::ok()).ok(), Some(Value::Okay));
        assert_eq!(
            to_value(Reply::status("QUEUED")).ok(),
            Some(Value::SimpleString("QUEUED".into()))
        );
    }

    #[test]
    fn error_kinds_are_redis_rs_own() {
        assert_eq!(
            error_of("NOSCRIPT No matching script. Please use EVAL.").kind(),
            ErrorKind::Server(ServerErrorKind::NoScript)
        );
        assert_eq!(
            error_of("EXECABORT Transaction discarded because of previous errors.").kind(),
            ErrorKind::Server(ServerErrorKind::ExecAbort)
        );
        let wrongtype = error_of(crate::error::msg::WRONGTYPE);
        assert_eq!(wrongtype.kind(), ErrorKind::Extension);
        assert_eq!(wrongtype.code(), Some("WRONGTYPE"));
        assert_eq!(
            wrongtype.detail(),
            Some("Operation against a key holding the wrong kind of value")
        );
    }

    #[test]
    fn errors_inside_arrays_stay_values() {
        let exec = Reply::Array(vec![Reply::Integer(1), Reply::error("ERR boom")]);
        match to_value(exec) {
            Ok(Value::Array(items)) => {
                assert_eq!(items[0], Value::Int(1));
                assert!(matches!(items[1], Value::ServerError(_)));
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn replies_nested_deeper_than_redis_rs_parses_are_a_parse_error() {
        let nest = |depth: usize| {
            let mut r = Reply::Array(vec![]);
            for _ in 1..depth {
                r = Reply::Array(vec![r]);
            }
            r
        };
        assert!(to_value(nest(100)).is_ok());
        assert_eq!(
            to_value(nest(101)).map_err(|e| e.kind()),
            Err(ErrorKind::Parse)
        );
    }
}
