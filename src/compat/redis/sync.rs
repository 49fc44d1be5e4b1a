//! `redis::ConnectionLike`: the sync trait behind `redis::Commands`, `Cmd::query`,
//! `Pipeline::query`, `redis::transaction` and `Script::invoke`.

use ::redis::{Cmd, ConnectionLike, RedisResult, Value};

use super::RedisConnection;
use super::{pipeline, value};

impl ConnectionLike for RedisConnection {
    /// The path every `redis::Commands` call takes: arguments straight from the `Cmd`.
    fn req_command(&mut self, cmd: &Cmd) -> RedisResult<Value> {
        if cmd.args_iter().len() == 0 {
            return Err(pipeline::empty_command());
        }
        let reply = self.session.lock().run_cmd(cmd);
        if cmd.is_no_response() {
            return Ok(Value::Nil);
        }
        value::to_value(reply)
    }

    /// Packed bytes (what SCAN iterators send after their first call): every command in
    /// them runs; the first one's reply is returned.
    fn req_packed_command(&mut self, cmd: &[u8]) -> RedisResult<Value> {
        let replies = self.session.lock().run_packed(cmd);
        match replies.into_iter().next() {
            Some(reply) => value::to_value(reply),
            None => Err(pipeline::empty_command()),
        }
    }

    /// A pipeline, packed by redis-rs (the sync trait gives nothing else): every command runs
    /// in order under one hold of the session, then `offset` / `count` pick the replies.
    fn req_packed_commands(
        &mut self,
        cmd: &[u8],
        offset: usize,
        count: usize,
    ) -> RedisResult<Vec<Value>> {
        if cmd.is_empty() {
            return Err(pipeline::empty_command());
        }
        let replies = self.session.lock().run_packed(cmd);
        pipeline::select(replies, offset, count)
    }

    fn get_db(&self) -> i64 {
        self.session.lock().db()
    }

    /// A store cannot go away while a connection holds it.
    fn check_connection(&mut self) -> bool {
        true
    }

    fn is_open(&self) -> bool {
        true
    }
}
