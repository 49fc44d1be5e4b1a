//! Geo commands on sorted sets: GEOADD, GEOPOS, GEOHASH, GEODIST here; the searches
//! (GEOSEARCH, GEOSEARCHSTORE, GEORADIUS*, GEORADIUSBYMEMBER*) in [`search`].
//!
//! A point is stored as its 52-bit geohash ([`hash`]) used as the member's score, exactly
//! as Redis stores it, so a geo set is an ordinary sorted set to every other command.

mod hash;
mod search;

use super::ctx::{Ctx, Res, err, wrongtype};
use super::parse::{self, is};
use super::{ONE, Spec, W, data as spec};
use crate::error::msg;
use crate::reply::Reply;
use crate::types::{Value, ZSet};

pub(crate) const COMMANDS: &[Spec] = &[
    spec("geoadd", -5, W, ONE, geoadd),
    spec("geopos", -2, 0, ONE, geopos),
    spec("geohash", -2, 0, ONE, geohash),
    spec("geodist", -4, 0, ONE, geodist),
    search::GEORADIUS,
    search::GEORADIUS_RO,
    search::GEORADIUSBYMEMBER,
    search::GEORADIUSBYMEMBER_RO,
    search::GEOSEARCH,
    search::GEOSEARCHSTORE,
];

/// The sorted set at `key`: `None` when missing, WRONGTYPE for other types.
fn zset<'c>(ctx: &'c Ctx<'_, '_>, key: &[u8]) -> Res<Option<&'c ZSet>> {
    match ctx.get(key)? {
        None => Ok(None),
        Some(Value::ZSet(z)) => Ok(Some(z)),
        Some(_) => Err(wrongtype()),
    }
}

/// A longitude, latitude pair, checked against Redis's limits.
fn lon_lat(x: &[u8], y: &[u8]) -> Res<(f64, f64)> {
    let (x, y) = (parse::float(x)?, parse::float(y)?);
    if !(hash::LON_MIN..=hash::LON_MAX).contains(&x)
        || !(hash::LAT_MIN..=hash::LAT_MAX).contains(&y)
    {
        return err(format!("ERR invalid longitude,latitude pair {x:.6},{y:.6}"));
    }
    Ok((x, y))
}

/// The score Redis stores for a point.
#[allow(
    clippy::cast_precision_loss,
    reason = "a 52-bit integer is exact in a double"
)]
fn score_of(x: f64, y: f64) -> f64 {
    hash::encode(x, y, hash::STEP_MAX).map_or(0.0, |c| c.align52() as f64)
}

/// Redis's `addReplyHumanLongDouble` of a double: `%.17Lf` with trailing zeros cut.
fn human(v: f64) -> Reply {
    let s = format!("{v:.17}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    Reply::bulk(if s == "-0" { "0" } else { s })
}

/// Redis's `fixedpoint_d2string(d, 4)`: a distance with exactly four decimals.
#[allow(
    clippy::cast_possible_truncation,
    reason = "llrint of a bounded distance"
)]
fn distance_reply(d: f64) -> Reply {
    let v = (d * 10_000.0).round_ties_even() as i64;
    let sign = if v < 0 { "-" } else { "" };
    let v = v.unsigned_abs();
    Reply::bulk(format!("{sign}{}.{:04}", v / 10_000, v % 10_000))
}

/// Metres per unit (M, KM, FT, MI).
fn unit(u: &[u8]) -> Res<f64> {
    [("m", 1.0), ("km", 1000.0), ("ft", 0.3048), ("mi", 1609.34)]
        .into_iter()
        .find(|(name, _)| is(u, name))
        .map_or_else(
            || err("ERR unsupported unit provided. please use M, KM, FT, MI"),
            |(_, m)| Ok(m),
        )
}

fn geoadd(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let mut at = 2;
    let (mut nx, mut xx) = (false, false);
    while at < a.len() {
        match a[at] {
            o if is(o, "NX") => nx = true,
            o if is(o, "XX") => xx = true,
            o if is(o, "CH") => {}
            _ => break,
        }
        at += 1;
    }
    if (a.len() - at) % 3 != 0 || (nx && xx) {
        return err(msg::SYNTAX);
    }
    let mut scores = Vec::with_capacity((a.len() - at) / 3);
    for t in a[at..].chunks_exact(3) {
        let (x, y) = lon_lat(t[0], t[1])?;
        scores.push(score_of(x, y).to_string());
    }
    // ZADD key [NX|XX] [CH] score member ...: ZADD's replies, errors and events.
    let mut argv: Vec<&[u8]> = vec![b"zadd"];
    argv.extend_from_slice(&a[1..at]);
    for (t, s) in a[at..].chunks_exact(3).zip(&scores) {
        argv.push(s.as_bytes());
        argv.push(t[2]);
    }
    super::zset::zadd(ctx, &argv)
}

fn geopos(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let z = zset(ctx, a[1])?;
    let items = a[2..]
        .iter()
        .map(
            |m| match z.and_then(|z| z.score(m)).and_then(hash::decode_score) {
                Some((x, y)) => Reply::Array(vec![human(x), human(y)]),
                None => Reply::NilArray,
            },
        )
        .collect();
    Ok(Reply::Array(items))
}

fn geohash(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    const ALPHABET: &[u8; 32] = b"0123456789bcdefghjkmnpqrstuvwxyz";
    let z = zset(ctx, a[1])?;
    let items = a[2..]
        .iter()
        .map(|m| {
            let Some((x, y)) = z.and_then(|z| z.score(m)).and_then(hash::decode_score) else {
                return Reply::Nil;
            };
            // The standard geohash uses ±90° of latitude: re-encode in those ranges.
            let bits =
                hash::encode_in((-180.0, 180.0), (-90.0, 90.0), x, y, 26).map_or(0, |c| c.bits);
            let text: Vec<u8> = (0..11)
                .map(|i| {
                    #[allow(clippy::cast_possible_truncation, reason = "masked to 5 bits")]
                    let idx = if i == 10 {
                        0
                    } else {
                        ((bits >> (52 - (i + 1) * 5)) & 0x1f) as usize
                    };
                    ALPHABET[idx]
                })
                .collect();
            Reply::bulk(text)
        })
        .collect();
    Ok(Reply::Array(items))
}

fn geodist(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let to_m = match a.len() {
        4 => 1.0,
        5 => unit(a[4])?,
        _ => return err(msg::SYNTAX),
    };
    let Some(z) = zset(ctx, a[1])? else {
        return Ok(Reply::Nil);
    };
    let (Some(s1), Some(s2)) = (z.score(a[2]), z.score(a[3])) else {
        return Ok(Reply::Nil);
    };
    match (hash::decode_score(s1), hash::decode_score(s2)) {
        (Some((x1, y1)), Some((x2, y2))) => {
            Ok(distance_reply(hash::distance(x1, y1, x2, y2) / to_m))
        }
        _ => Ok(Reply::Nil),
    }
}
