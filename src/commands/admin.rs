//! WAIT and the DEBUG subcommands test suites use (SLEEP, SET-ACTIVE-EXPIRE). (TOUCH lives
//! with the key commands.)
//!
//! In process:
//! - WAIT answers at once with 0: there are no replicas to acknowledge anything (Redis,
//!   asked for at least one replica, would first wait out the timeout);
//! - DEBUG SLEEP sleeps the calling thread holding no lock, so other threads go on (Redis's
//!   whole server stops);
//! - DEBUG SET-ACTIVE-EXPIRE switches the background sweep; lazy expiry on access goes on
//!   either way, as in Redis.

use std::time::Duration;

use super::ctx::{Ctx, Res, err};
use super::{Keys, Spec, data as spec, flag};
use crate::error::msg;
use crate::numbers::{parse_double, parse_i64};
use crate::reply::Reply;

pub(crate) const COMMANDS: &[Spec] = &[
    spec("wait", 3, flag::NOSCRIPT, Keys::None, wait),
    spec("debug", -2, flag::NOSCRIPT, Keys::None, debug),
];

/// How many of the keys exist (a key named twice counts twice, as in Redis).
fn wait(_: &mut Ctx, a: &[&[u8]]) -> Res {
    parse_i64(a[1]).map_or_else(|| err(msg::NOT_INT), |_| Ok(()))?;
    match parse_i64(a[2]) {
        None => err("ERR timeout is not an integer or out of range"),
        Some(t) if t < 0 => err("ERR timeout is negative"),
        Some(_) => Ok(Reply::Integer(0)),
    }
}

const DEBUG_HELP: &[&str] = &[
    "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "SET-ACTIVE-EXPIRE <0|1>",
    "    Setting it to 0 disables expiring keys in background when they are not",
    "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
    "    default.",
    "SLEEP <seconds>",
    "    Stop the server for <seconds>. Decimals allowed.",
    "HELP",
    "    Print this help.",
];

fn debug(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let sub = String::from_utf8_lossy(a[1]).to_ascii_lowercase();
    match (sub.as_str(), a.len()) {
        ("sleep", 3) => {
            std::thread::sleep(sleep_time(a[2]));
            Ok(Reply::ok())
        }
        ("set-active-expire", 3) => {
            ctx.shared.server.live.set_active_expire(atoi(a[2]) != 0);
            Ok(Reply::ok())
        }
        ("help", 2) => Ok(Reply::Array(
            DEBUG_HELP.iter().map(|l| Reply::status(*l)).collect(),
        )),
        _ => err(msg::unknown_subcommand(a[1], "DEBUG")),
    }
}

/// `strtod` as DEBUG SLEEP reads it: what does not parse, or is negative, sleeps 0.
fn sleep_time(arg: &[u8]) -> Duration {
    let secs = parse_double(arg).unwrap_or(0.0);
    Duration::try_from_secs_f64(secs).unwrap_or(Duration::ZERO)
}

/// C's `atoi`: leading digits (with a sign), 0 when there are none.
fn atoi(arg: &[u8]) -> i64 {
    let (neg, rest) = match arg.first() {
        Some(b'-') => (true, &arg[1..]),
        Some(b'+') => (false, &arg[1..]),
        _ => (false, arg),
    };
    let n = rest
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .fold(0i64, |n, d| {
            n.saturating_mul(10).saturating_add(i64::from(d - b'0'))
        });
    if neg { -n } else { n }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atoi_reads_leading_digits_only() {
        assert_eq!(atoi(b"1"), 1);
        assert_eq!(atoi(b"0"), 0);
        assert_eq!(atoi(b"12abc"), 12);
        assert_eq!(atoi(b"yes"), 0);
        assert_eq!(atoi(b"-3"), -3);
    }

    #[test]
    fn a_bad_or_negative_sleep_is_no_sleep() {
        assert_eq!(sleep_time(b"-1"), Duration::ZERO);
        assert_eq!(sleep_time(b"abc"), Duration::ZERO);
        assert_eq!(sleep_time(b"inf"), Duration::ZERO);
        assert_eq!(sleep_time(b"0.5"), Duration::from_millis(500));
    }
}
