//! Which replies of a pipeline the caller gets: the `offset` / `count` contract of
//! `req_packed_commands`, as redis-rs's own connections keep it.

use ::redis::{RedisError, RedisResult, Value};

use super::value::{into_error, to_value};
use crate::reply::Reply;

/// Skips the first `offset` replies and returns the next `count` as values. redis-rs asks
/// for `(0, n)` on a plain pipeline of n commands and `(n + 1, 1)` on an atomic one
/// (`MULTI`, n × `QUEUED`, then EXEC's array).
///
/// An error among the skipped replies is a command MULTI refused while queueing: redis-rs
/// then fails the whole call as an aborted transaction (kind `ExecAbort`). Its error of
/// that shape cannot be built outside redis-rs, so the call fails with EXEC's own
/// `EXECABORT` error, which has the same kind and code.
pub(super) fn select(replies: Vec<Reply>, offset: usize, count: usize) -> RedisResult<Vec<Value>> {
    let mut values = Vec::with_capacity(count);
    let mut refused = None;
    for (i, reply) in replies.into_iter().enumerate().take(offset + count) {
        if i >= offset {
            values.push(to_value(reply)?);
        } else if reply.is_error() && refused.is_none() {
            refused = Some(reply);
        }
    }
    if values.len() < count {
        return Err(RedisError::from((
            ::redis::ErrorKind::Client,
            "pipeline answered fewer replies than it was asked for",
        )));
    }
    match refused {
        None => Ok(values),
        Some(first) => Err(match values.pop() {
            Some(exec @ Value::ServerError(_)) => into_error(exec),
            _ => into_error(to_value(first)?),
        }),
    }
}

/// What redis-rs's connections answer when there are no bytes to send (a command without
/// arguments, an empty plain pipeline).
pub(super) fn empty_command() -> RedisError {
    RedisError::from((::redis::ErrorKind::Client, "empty command"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_pipelines_return_every_reply() {
        let replies = vec![Reply::ok(), Reply::Integer(2)];
        assert_eq!(
            select(replies, 0, 2).ok(),
            Some(vec![Value::Okay, Value::Int(2)])
        );
    }

    #[test]
    fn atomic_pipelines_return_only_execs_array() {
        let q = || Reply::status("QUEUED");
        let replies = vec![
            Reply::ok(),
            q(),
            q(),
            Reply::Array(vec![Reply::Integer(1), Reply::Nil]),
        ];
        assert_eq!(
            select(replies, 3, 1).ok(),
            Some(vec![Value::Array(vec![Value::Int(1), Value::Nil])])
        );
    }

    #[test]
    fn a_command_refused_while_queued_fails_the_call_as_execabort() {
        let replies = vec![
            Reply::ok(),
            Reply::error("ERR unknown command 'NOPE', with args beginning with: "),
            Reply::error(crate::error::msg::EXECABORT),
        ];
        let err = select(replies, 2, 1).unwrap_err();
        assert_eq!(
            err.kind(),
            ::redis::ErrorKind::Server(::redis::ServerErrorKind::ExecAbort)
        );
        assert_eq!(err.code(), Some("EXECABORT"));
    }
}
