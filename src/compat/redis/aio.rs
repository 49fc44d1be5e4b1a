//! `redis::aio::ConnectionLike`: the async trait behind `redis::AsyncCommands`,
//! `query_async`, `transaction_async` and `invoke_async`. Each future does its work on its
//! first poll and is then ready: no runtime, no I/O, no waker, except a blocking command
//! (BLPOP, ...) that has to wait: it awaits the store's blocking-pop future, which the
//! write that serves it wakes.

use ::redis::aio::ConnectionLike;
use ::redis::{Cmd, Pipeline, RedisFuture, Value};

use super::{RedisConnection, pipeline, value};
use crate::reply::Reply;

impl ConnectionLike for RedisConnection {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        Box::pin(async move {
            if cmd.args_iter().len() == 0 {
                return Err(pipeline::empty_command());
            }
            let blocking = self.session.lock().blocking_call(cmd);
            if let Some(call) = blocking {
                return value::to_value(call.await);
            }
            let reply = self.session.lock().run_cmd(cmd);
            value::to_value(reply)
        })
    }

    /// The pipeline's commands as structured arguments (`Pipeline::cmd_iter`); an atomic
    /// pipeline is wrapped in MULTI / EXEC here, as redis-rs's connections wrap it on the
    /// wire, so `offset` / `count` mean the same.
    fn req_packed_commands<'a>(
        &'a mut self,
        pipe: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        Box::pin(async move {
            let atomic = pipe.is_transaction();
            if pipe.is_empty() && !atomic {
                return Err(pipeline::empty_command());
            }
            let mut session = self.session.lock();
            let mut replies: Vec<Reply> = Vec::with_capacity(pipe.len() + 2);
            if atomic {
                replies.push(session.run(&[b"MULTI"]));
            }
            replies.extend(pipe.cmd_iter().map(|cmd| session.run_cmd(cmd)));
            if atomic {
                replies.push(session.run(&[b"EXEC"]));
            }
            drop(session);
            pipeline::select(replies, offset, count)
        })
    }

    fn get_db(&self) -> i64 {
        self.session.lock().db()
    }
}
