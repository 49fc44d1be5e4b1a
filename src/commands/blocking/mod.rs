//! Blocking pops (BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP BZPOPMIN BZPOPMAX BZMPOP): their
//! argument rules, the pop they do when a key holds something, and serving blocked callers.
//!
//! The handlers here never block. Run inside MULTI or a script, a blocking command that finds
//! nothing answers as if it timed out at once (nil), as in Redis. A top-level call goes
//! through [`wait`] instead, which queues the caller on its keys while still holding their
//! shard locks when there was nothing to pop, and then sleeps (or, as a future, waits for
//! its waker).
//!
//! Serving ([`serve`]) follows Redis's `handleClientsBlockedOnKeys`: when a command, EXEC or
//! script creates a key someone waits on, the key is "ready"; before that command's context
//! lets go of its locks (from `Ctx::finish`), each ready key serves its waiters in the order
//! they blocked, by running the waiter's pop (LPOP, LMOVE, ZPOPMIN, ...) as a normal command
//! on that context. So the element goes to exactly one waiter and nobody else ever sees it,
//! and its pop lands in the same batch of effects, after the push.

mod serve;
pub(crate) mod wait;

pub(crate) use serve::{serve_deferred, serve_ready};
pub(crate) use wait::run;

use std::ops::Range;

use super::ctx::{Ctx, Res, err, wrongtype};
use super::list::moves::mpop_count;
use super::parse::{self, is};
use super::{Handler, Keys, Spec, W, data as spec, flag};
use crate::error::msg;
use crate::keyspace::waits::Pop;
use crate::reply::Reply;
use crate::types::{Bytes, Value};

/// Keys from the first argument to the one before the last (the timeout).
const BEFORE_LAST: Keys = Keys::Range {
    first: 1,
    last: -2,
    step: 1,
};
/// `timeout numkeys key ...` (BLMPOP, BZMPOP).
const COUNTED: Keys = Keys::NumKeys { at: 2, dest: None };
const B: u8 = W | flag::BLOCKING;

pub(crate) const COMMANDS: &[Spec] = &[
    spec("blpop", -3, B, BEFORE_LAST, blpop),
    spec("brpop", -3, B, BEFORE_LAST, brpop),
    spec("blmove", 6, B, super::TWO, blmove),
    spec("brpoplpush", 4, B, super::TWO, brpoplpush),
    spec("blmpop", -5, B, COUNTED, blmpop),
    spec("bzpopmin", -3, B, BEFORE_LAST, bzpopmin),
    spec("bzpopmax", -3, B, BEFORE_LAST, bzpopmax),
    spec("bzmpop", -5, B, COUNTED, bzmpop),
];

const NOT_FLOAT: &str = "ERR timeout is not a float or out of range";
const NEGATIVE: &str = "ERR timeout is negative";
const NUMKEYS: &str = "ERR numkeys should be greater than 0";

/// A blocking call, parsed: which arguments are its keys, how long it may wait, and the
/// pop that serves it.
pub(crate) struct Request {
    /// Indexes of the key arguments, in argument order.
    pub(crate) keys: Range<usize>,
    /// Milliseconds; 0 waits forever.
    pub(crate) timeout_ms: u64,
    pub(crate) pop: Pop,
}

impl Request {
    /// The reply of a call that found nothing: nil for BLMOVE/BRPOPLPUSH, the null array
    /// for the others.
    pub(crate) fn nothing(&self) -> Reply {
        match self.pop {
            Pop::Move { .. } => Reply::Nil,
            _ => Reply::NilArray,
        }
    }
}

/// Redis's `getTimeoutFromObjectOrReply` in seconds: a long double (hex floats and `inf`
/// included), times 1000 rounded up to whole milliseconds, computed as x86-64 C does: a
/// value past what a `long long` holds (`inf` too) converts to its most negative value,
/// hence "negative"; `-0.0001` rounds to 0, which waits forever, as in Redis.
pub(crate) fn timeout(arg: &[u8]) -> Res<u64> {
    if let Some(ms) = plain_millis(arg) {
        return Ok(ms);
    }
    let secs = parse::long_double(arg).map_err(|_| Reply::error(NOT_FLOAT))?;
    u64::try_from(secs.ceil_thousandths()).or_else(|_| err(NEGATIVE))
}

/// `digits[.ddd]` (at most 15 integer digits, at most 3 decimals) in milliseconds: the
/// timeouts people write and the typed methods send, parsed exactly without the
/// long-double path (they need no rounding). Anything else takes that path.
fn plain_millis(arg: &[u8]) -> Option<u64> {
    let (int, frac) = match arg.iter().position(|&b| b == b'.') {
        Some(dot) => (&arg[..dot], &arg[dot + 1..]),
        None => (arg, &[][..]),
    };
    let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    if int.is_empty() || int.len() > 15 || frac.len() > 3 || !digits(int) || !digits(frac) {
        return None;
    }
    let value = |s: &[u8]| s.iter().fold(0u64, |n, &b| n * 10 + u64::from(b - b'0'));
    let scale = [1000, 100, 10, 1][frac.len()];
    Some(value(int) * 1000 + value(frac) * scale)
}

fn side(w: &[u8]) -> Res<bool> {
    if is(w, "LEFT") {
        Ok(true)
    } else if is(w, "RIGHT") {
        Ok(false)
    } else {
        err(msg::SYNTAX)
    }
}

/// BLMPOP/BZMPOP's `timeout numkeys key [key ...] <where> [COUNT count]`, checked in
/// Redis's order (numkeys, where, count, then the timeout): the key range, `where`'s
/// argument and the count.
fn counted(a: &[&[u8]]) -> Res<(Range<usize>, usize, usize)> {
    let numkeys = parse::int_in(a[2], 1, i64::MAX, Some(NUMKEYS))?;
    let numkeys = usize::try_from(numkeys).unwrap_or(usize::MAX);
    if numkeys > a.len().saturating_sub(4) {
        return err(msg::SYNTAX);
    }
    let at = 3 + numkeys;
    Ok((3..at, at, mpop_count(&a[at + 1..])?))
}

pub(super) fn request(name: &str, a: &[&[u8]]) -> Res<Request> {
    let last = a.len() - 1;
    let (keys, pop, timeout_at) = match name {
        "blpop" | "brpop" => (
            1..last,
            Pop::List {
                left: name == "blpop",
            },
            last,
        ),
        "bzpopmin" | "bzpopmax" => (
            1..last,
            Pop::ZSet {
                max: name == "bzpopmax",
            },
            last,
        ),
        "blmove" => {
            let (from_left, to_left) = (side(a[3])?, side(a[4])?);
            let dst = Bytes::from_slice(a[2]);
            (
                1..2,
                Pop::Move {
                    dst,
                    from_left,
                    to_left,
                },
                5,
            )
        }
        "brpoplpush" => {
            let dst = Bytes::from_slice(a[2]);
            let pop = Pop::Move {
                dst,
                from_left: false,
                to_left: true,
            };
            (1..2, pop, 3)
        }
        "blmpop" => {
            let (keys, at, count) = counted(a)?;
            (
                keys,
                Pop::ListMany {
                    left: side(a[at])?,
                    count,
                },
                1,
            )
        }
        "bzmpop" => {
            let (keys, at, count) = counted(a)?;
            let max = match a[at] {
                w if is(w, "MIN") => false,
                w if is(w, "MAX") => true,
                _ => return err(msg::SYNTAX),
            };
            (keys, Pop::ZSetMany { max, count }, 1)
        }
        _ => return err("ERR internal error: not a blocking command"),
    };
    let timeout_ms = timeout(a[timeout_at])?;
    Ok(Request {
        keys,
        timeout_ms,
        pop,
    })
}

/// Pops from the first of the keys that holds something, as the non-blocking command
/// would: a missing key is skipped, the first existing key of the wrong type is WRONGTYPE.
fn pop_any(ctx: &mut Ctx, a: &[&[u8]], req: &Request) -> Res<Option<Reply>> {
    for &key in &a[req.keys.clone()] {
        let list = match ctx.get(key)? {
            None => continue,
            Some(Value::List(l)) if req.pop.wants_list() => !l.is_empty(),
            Some(Value::ZSet(z)) if !req.pop.wants_list() => !z.is_empty(),
            Some(_) => return Err(wrongtype()),
        };
        if list {
            return serve_one(ctx, &req.pop, key).map(Some);
        }
    }
    Ok(None)
}

/// Runs `argv` as a command of its own on `ctx` (its replay form is `argv`).
fn run_as(ctx: &mut Ctx, argv: &[&[u8]]) -> Res {
    let Some(Spec {
        handler: Handler::Data(run),
        ..
    }) = ctx.shared.commands.lookup(argv[0])
    else {
        return err("ERR internal error: pop command missing");
    };
    let reply = run(ctx, argv);
    ctx.end_command(argv);
    reply
}

/// LPOP's or RPOP's handler.
type PopHandler = fn(&mut Ctx, &[&[u8]]) -> Res;

/// The pop that serves `pop` from `key` (which holds something of the right type), run as
/// the normal command, and its reply in the blocking command's shape.
fn serve_one(ctx: &mut Ctx, pop: &Pop, key: &[u8]) -> Res {
    let lr = |left: bool| if left { "LEFT" } else { "RIGHT" }.as_bytes();
    match pop {
        Pop::List { left } => {
            // The common BLPOP/BRPOP: LPOP/RPOP's handler called directly, without looking
            // it up in the command table; same events and replay form as `run_as`.
            let (name, run): (&[u8], PopHandler) = if *left {
                (b"LPOP", super::list::lpop)
            } else {
                (b"RPOP", super::list::rpop)
            };
            let argv = [name, key];
            let item = run(ctx, &argv);
            ctx.end_command(&argv);
            Ok(Reply::Array(vec![Reply::bulk(key), item?]))
        }
        Pop::ListMany { left, count } => {
            let n = count.to_string();
            run_as(
                ctx,
                &[b"LMPOP", b"1", key, lr(*left), b"COUNT", n.as_bytes()],
            )
        }
        Pop::Move {
            dst,
            from_left,
            to_left,
        } => run_as(ctx, &[b"LMOVE", key, dst, lr(*from_left), lr(*to_left)]),
        Pop::ZSet { max } => {
            let name: &[u8] = if *max { b"ZPOPMAX" } else { b"ZPOPMIN" };
            match run_as(ctx, &[name, key])? {
                Reply::Array(mut pair) if pair.len() == 2 => {
                    pair.insert(0, Reply::bulk(key));
                    Ok(Reply::Array(pair))
                }
                _ => Ok(Reply::NilArray),
            }
        }
        Pop::ZSetMany { max, count } => {
            let n = count.to_string();
            let end: &[u8] = if *max { b"MAX" } else { b"MIN" };
            run_as(ctx, &[b"ZMPOP", b"1", key, end, b"COUNT", n.as_bytes()])
        }
    }
}

/// Every blocking handler: pop if there is something, else the timed-out reply (what
/// MULTI and scripts get).
fn pop_now(ctx: &mut Ctx, a: &[&[u8]], name: &str) -> Res {
    let req = request(name, a)?;
    Ok(pop_any(ctx, a, &req)?.unwrap_or_else(|| req.nothing()))
}

fn blpop(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    pop_now(ctx, a, "blpop")
}

fn brpop(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    pop_now(ctx, a, "brpop")
}

fn blmove(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    pop_now(ctx, a, "blmove")
}

fn brpoplpush(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    pop_now(ctx, a, "brpoplpush")
}

fn blmpop(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    pop_now(ctx, a, "blmpop")
}

fn bzpopmin(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    pop_now(ctx, a, "bzpopmin")
}

fn bzpopmax(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    pop_now(ctx, a, "bzpopmax")
}

fn bzmpop(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    pop_now(ctx, a, "bzmpop")
}

#[cfg(test)]
mod tests {
    use super::{plain_millis, timeout};

    #[test]
    fn plain_timeouts_parse_as_the_long_double_path_does() {
        for text in [
            "0",
            "5",
            "1.5",
            "1.25",
            "0.001",
            "12.345",
            "1.",
            "007",
            "999999999999999",
        ] {
            let slow = crate::commands::parse::long_double(text.as_bytes())
                .map(|s| u64::try_from(s.ceil_thousandths()).ok());
            assert_eq!(plain_millis(text.as_bytes()), slow.ok().flatten(), "{text}");
        }
    }

    #[test]
    fn other_timeouts_take_the_long_double_path() {
        for text in [
            ".5",
            "1.0001",
            "-1",
            "1e3",
            "0x10",
            " 1",
            "1000000000000000",
            "",
        ] {
            assert_eq!(plain_millis(text.as_bytes()), None, "{text}");
        }
        assert_eq!(timeout(b"1.0001").ok(), Some(1001));
        assert_eq!(timeout(b"1e3").ok(), Some(1_000_000));
    }
}
