//! The base image of an AOF rewrite as RESP commands (Redis's `aof-use-rdb-preamble no`
//! form, `rewriteAppendOnlyFileRio`): per key one or a few commands that rebuild it, then
//! `PEXPIREAT` for a key with a deadline.

use super::resp;
use crate::clock::Now;
use crate::keyspace::locks::Locks;
use crate::numbers::format_double;
use crate::types::{Bytes, Value};

/// Elements per command for big containers (Redis's `AOF_REWRITE_ITEMS_PER_CMD`).
const ITEMS_PER_CMD: usize = 64;

/// Appends the commands that rebuild every key live at `now` in the locked shards.
pub(crate) fn image(out: &mut Vec<u8>, locks: &Locks<'_>, now: &Now<'_>, db: usize) {
    resp::encode_select(out, db);
    for shard in locks.iter() {
        for i in 0..shard.slots() {
            let Some((key, entry)) = shard.slot(i) else {
                continue;
            };
            let Some(value) = entry.live(now) else {
                continue;
            };
            key_commands(out, key, value);
            if entry.expires_at != 0 {
                let at = entry.expires_at.to_string();
                resp::encode(out, &[b"PEXPIREAT", &key[..], at.as_bytes()]);
            }
        }
    }
}

fn key_commands(out: &mut Vec<u8>, key: &Bytes, value: &Value) {
    match value {
        Value::Str(s) => resp::encode(out, &[&b"SET"[..], key, s]),
        Value::List(l) => chunked(out, b"RPUSH", key, l.iter().map(|e| vec![&e[..]])),
        Value::Set(s) => chunked(out, b"SADD", key, s.iter().map(|e| vec![&e[..]])),
        Value::Hash(h) => chunked(
            out,
            b"HSET",
            key,
            h.iter().map(|(f, v)| vec![&f[..], &v[..]]),
        ),
        Value::ZSet(z) => {
            let items: Vec<(String, &[u8])> =
                z.iter().map(|(m, s)| (format_double(s), m)).collect();
            chunked(
                out,
                b"ZADD",
                key,
                items.iter().map(|(s, m)| vec![s.as_bytes(), *m]),
            );
        }
    }
}

/// `cmd key items…`, at most [`ITEMS_PER_CMD`] items per command.
fn chunked<'v>(
    out: &mut Vec<u8>,
    cmd: &[u8],
    key: &[u8],
    items: impl Iterator<Item = Vec<&'v [u8]>>,
) {
    let mut args: Vec<&[u8]> = vec![cmd, key];
    let mut count = 0;
    for item in items {
        args.extend(item);
        count += 1;
        if count == ITEMS_PER_CMD {
            resp::encode(out, &args);
            args.truncate(2);
            count = 0;
        }
    }
    if count > 0 {
        resp::encode(out, &args);
    }
}
