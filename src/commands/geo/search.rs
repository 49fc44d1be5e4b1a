#![allow(
    clippy::many_single_char_names,
    reason = "a (argv), z (the zset), s (the search), o (options), as in every handler"
)]
//! GEOSEARCH, GEOSEARCHSTORE, GEORADIUS(_RO) and GEORADIUSBYMEMBER(_RO): Redis's
//! `georadiusGeneric`, its argument rules and error order, its 9-cell scan, and its reply.

use super::hash::{self, Search, Shape};
use super::{distance_reply, human, lon_lat, unit, zset};
use crate::commands::budget::Meter;
use crate::commands::ctx::{Ctx, KeyHashes, Res, err};
use crate::commands::parse::{self, is};
use crate::commands::{Keys, ONE, Spec, TWO, W, data as spec, plan_each_key};
use crate::effects::{Event, ev};
use crate::error::msg;
use crate::keyspace::locks::Plan;
use crate::reply::Reply;
use crate::shared::Shared;
use crate::types::{Value, ZSet};

/// Which command of the family is running.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Radius { member: bool, store: bool },
    Search { store: bool },
}

/// The source key; GEORADIUS's STORE key comes from the planning hook. (Not `ONE`: that
/// row shape takes the one-key fast path, which never asks the hook.)
const SOURCE: Keys = Keys::Range {
    first: 1,
    last: 1,
    step: 2,
};

const fn radius(name: &'static str, arity: i32, flags: u8, run: super::super::DataFn) -> Spec {
    let mut s = spec(name, arity, flags, SOURCE, run);
    s.plan = Some(plan_store);
    s
}

pub(super) const GEORADIUS: Spec = radius("georadius", -6, W, georadius);
pub(super) const GEORADIUS_RO: Spec = spec("georadius_ro", -6, 0, ONE, georadius_ro);
pub(super) const GEORADIUSBYMEMBER: Spec = radius("georadiusbymember", -5, W, georadiusbymember);
pub(super) const GEORADIUSBYMEMBER_RO: Spec =
    spec("georadiusbymember_ro", -5, 0, ONE, georadiusbymember_ro);
pub(super) const GEOSEARCH: Spec = spec("geosearch", -7, 0, ONE, geosearch);
pub(super) const GEOSEARCHSTORE: Spec = spec("geosearchstore", -8, W, TWO, geosearchstore);

fn georadius(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    run(
        ctx,
        a,
        Kind::Radius {
            member: false,
            store: true,
        },
    )
}
fn georadius_ro(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    run(
        ctx,
        a,
        Kind::Radius {
            member: false,
            store: false,
        },
    )
}
fn georadiusbymember(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    run(
        ctx,
        a,
        Kind::Radius {
            member: true,
            store: true,
        },
    )
}
fn georadiusbymember_ro(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    run(
        ctx,
        a,
        Kind::Radius {
            member: true,
            store: false,
        },
    )
}
fn geosearch(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    run(ctx, a, Kind::Search { store: false })
}
fn geosearchstore(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    run(ctx, a, Kind::Search { store: true })
}

/// GEORADIUS's STORE / STOREDIST key, found by skimming the options the way the parser
/// reads them (values unchecked); the handler reports any error.
fn store_key<'a>(a: &[&'a [u8]], base: usize) -> Option<&'a [u8]> {
    let mut i = base;
    let mut found = None;
    while i < a.len() {
        let takes = match a[i] {
            o if is(o, "STORE") || is(o, "STOREDIST") => {
                found = a.get(i + 1).copied();
                1
            }
            o if is(o, "COUNT") => 1,
            o if ["WITHDIST", "WITHHASH", "WITHCOORD", "ANY", "ASC", "DESC"]
                .iter()
                .any(|w| is(o, w)) =>
            {
                0
            }
            _ => return found,
        };
        i += 1 + takes;
    }
    found
}

fn plan_store(
    shared: &Shared,
    spec: &Spec,
    args: &[&[u8]],
    plan: &mut Plan,
    hashes: &mut KeyHashes,
) {
    plan_each_key(shared, spec, args, false, plan, hashes);
    let base = if spec.name == "georadius" { 6 } else { 5 };
    if let Some(dest) = store_key(args, base) {
        let ks = &shared.keyspace;
        plan.add(ks.shard_of(ks.hkey(dest).hash), true);
    }
}

/// Everything the options asked for.
#[derive(Default)]
struct Opts<'a> {
    with_dist: bool,
    with_hash: bool,
    with_coord: bool,
    any: bool,
    sort: Option<bool>,
    count: usize,
    store: Option<&'a [u8]>,
    store_dist: bool,
    from: bool,
    shape: bool,
}

/// Parses the options after `base`, filling the search centre and shape as they come, in
/// Redis's order of checks.
fn options<'a>(
    a: &[&'a [u8]],
    base: usize,
    kind: Kind,
    z: Option<&ZSet>,
    s: &mut Search,
) -> Res<Opts<'a>> {
    let search = matches!(kind, Kind::Search { .. });
    let radius_store = matches!(kind, Kind::Radius { store: true, .. });
    let mut o = Opts::default();
    let mut i = base;
    while i < a.len() {
        let (arg, left) = (a[i], a.len() - i - 1);
        if is(arg, "WITHDIST") {
            o.with_dist = true;
        } else if is(arg, "WITHHASH") {
            o.with_hash = true;
        } else if is(arg, "WITHCOORD") {
            o.with_coord = true;
        } else if is(arg, "ANY") {
            o.any = true;
        } else if is(arg, "ASC") {
            o.sort = Some(false);
        } else if is(arg, "DESC") {
            o.sort = Some(true);
        } else if is(arg, "COUNT") && left >= 1 {
            let n = parse::int(a[i + 1])?;
            if n <= 0 {
                return err("ERR COUNT must be > 0");
            }
            o.count = usize::try_from(n).unwrap_or(usize::MAX);
            i += 1;
        } else if (is(arg, "STORE") || is(arg, "STOREDIST")) && left >= 1 && radius_store {
            o.store = Some(a[i + 1]);
            o.store_dist = is(arg, "STOREDIST");
            i += 1;
        } else if is(arg, "STOREDIST") && kind == (Kind::Search { store: true }) {
            o.store_dist = true;
        } else if is(arg, "FROMMEMBER") && left >= 1 && search && !o.from {
            if let Some(z) = z {
                (s.x, s.y) = member_point(z, a[i + 1])?;
            }
            o.from = true;
            i += 1;
        } else if is(arg, "FROMLONLAT") && left >= 2 && search && !o.from {
            (s.x, s.y) = lon_lat(a[i + 1], a[i + 2])?;
            o.from = true;
            i += 2;
        } else if is(arg, "BYRADIUS") && left >= 2 && search && !o.shape {
            let (r, to_m) = distance(a[i + 1], a[i + 2])?;
            (s.shape, s.to_m) = (Shape::Radius(r), to_m);
            o.shape = true;
            i += 2;
        } else if is(arg, "BYBOX") && left >= 3 && search && !o.shape {
            let (w, h, to_m) = boxed(a[i + 1], a[i + 2], a[i + 3])?;
            (s.shape, s.to_m) = (Shape::Box(w, h), to_m);
            o.shape = true;
            i += 3;
        } else {
            return err(msg::SYNTAX);
        }
        i += 1;
    }
    Ok(o)
}

fn member_point(z: &ZSet, member: &[u8]) -> Res<(f64, f64)> {
    z.score(member)
        .and_then(hash::decode_score)
        .map_or_else(|| err("ERR could not decode requested zset member"), Ok)
}

/// `<radius> <unit>`.
fn distance(r: &[u8], u: &[u8]) -> Res<(f64, f64)> {
    let r = crate::numbers::parse_double(r).map_or_else(|| err("ERR need numeric radius"), Ok)?;
    if r < 0.0 {
        return err("ERR radius cannot be negative");
    }
    Ok((r, unit(u)?))
}

/// `<width> <height> <unit>`.
fn boxed(w: &[u8], h: &[u8], u: &[u8]) -> Res<(f64, f64, f64)> {
    let w = crate::numbers::parse_double(w).map_or_else(|| err("ERR need numeric width"), Ok)?;
    let h = crate::numbers::parse_double(h).map_or_else(|| err("ERR need numeric height"), Ok)?;
    if h < 0.0 || w < 0.0 {
        return err("ERR height or width cannot be negative");
    }
    Ok((w, h, unit(u)?))
}

/// The centre and shape given before the options (GEORADIUS*), and where options start.
fn head<'a>(
    a: &[&'a [u8]],
    kind: Kind,
    z: Option<&ZSet>,
    s: &mut Search,
) -> Res<(usize, Option<&'a [u8]>)> {
    match kind {
        Kind::Radius { member: false, .. } => {
            (s.x, s.y) = lon_lat(a[2], a[3])?;
            let (r, to_m) = distance(a[4], a[5])?;
            (s.shape, s.to_m) = (Shape::Radius(r), to_m);
            Ok((6, None))
        }
        Kind::Radius { member: true, .. } => {
            if let Some(z) = z {
                (s.x, s.y) = member_point(z, a[2])?;
                let (r, to_m) = distance(a[3], a[4])?;
                (s.shape, s.to_m) = (Shape::Radius(r), to_m);
            }
            Ok((5, None))
        }
        Kind::Search { store: false } => Ok((2, None)),
        Kind::Search { store: true } => Ok((3, Some(a[1]))),
    }
}

/// One point found.
struct Found<'z> {
    member: &'z [u8],
    x: f64,
    y: f64,
    dist: f64,
    score: f64,
}

/// Redis's `membersOfAllNeighbors`: each useful cell's score range, in cell order, a cell
/// equal to the one scanned just before skipped, stopping at `limit` (ANY).
fn scan<'z>(z: &'z ZSet, s: &Search, limit: usize) -> Vec<Found<'z>> {
    let cells = hash::areas(s);
    let mut out = Vec::new();
    let mut last = 0;
    for (i, c) in cells.iter().enumerate() {
        if c.bits == 0 && c.step == 0 {
            continue;
        }
        if last != 0 && *c == cells[last] {
            continue;
        }
        if limit != 0 && out.len() >= limit {
            break;
        }
        in_cell(z, s, *c, limit, &mut out);
        last = i;
    }
    out
}

#[allow(
    clippy::cast_precision_loss,
    reason = "52-bit scores are exact in a double"
)]
fn in_cell<'z>(z: &'z ZSet, s: &Search, c: hash::Cell, limit: usize, out: &mut Vec<Found<'z>>) {
    let min = c.align52() as f64;
    let next = hash::Cell {
        bits: c.bits + 1,
        step: c.step,
    };
    let max = next.align52() as f64;
    let lo = z.count_below(|score, _| score < min);
    let hi = z.count_below(|score, _| score < max);
    for (member, score) in z.range(lo, hi, false) {
        if let Some((x, y)) = hash::decode_score(score) {
            if let Some(dist) = hash::within(s, x, y) {
                out.push(Found {
                    member,
                    x,
                    y,
                    dist,
                    score,
                });
            }
        }
        if limit != 0 && out.len() >= limit {
            break;
        }
    }
}

fn run(ctx: &mut Ctx, a: &[&[u8]], kind: Kind) -> Res {
    let src = if kind == (Kind::Search { store: true }) {
        a[2]
    } else {
        a[1]
    };
    let z = zset(ctx, src)?;
    let mut s = Search {
        x: 0.0,
        y: 0.0,
        shape: Shape::Radius(0.0),
        to_m: 1.0,
    };
    let (base, dest) = head(a, kind, z, &mut s)?;
    let mut o = options(a, base, kind, z, &mut s)?;
    if dest.is_some() {
        o.store = dest;
    }
    if let Some(d) = o.store {
        crate::commands::sort::cross_slot(ctx, src, d)?;
    }
    check(a, kind, &o)?;
    let Some(z) = z else {
        return match o.store {
            Some(d) => {
                ctx.remove(d, ev::DEL)?;
                Ok(Reply::Integer(0))
            }
            None => Ok(Reply::Array(Vec::new())),
        };
    };
    if o.count != 0 && o.sort.is_none() && !o.any {
        o.sort = Some(false);
    }
    let mut found = scan(z, &s, if o.any { o.count } else { 0 });
    if let Some(desc) = o.sort {
        found.sort_by(|p, q| {
            let c = p
                .dist
                .partial_cmp(&q.dist)
                .unwrap_or(std::cmp::Ordering::Equal);
            if desc { c.reverse() } else { c }
        });
    }
    if o.count != 0 {
        found.truncate(o.count);
    }
    for f in &mut found {
        f.dist /= s.to_m;
    }
    match o.store {
        None => reply(ctx, &o, &found),
        Some(d) => {
            let mut out = ZSet::new();
            for f in &found {
                out.insert(f.member, if o.store_dist { f.dist } else { f.score });
            }
            let event: Event = if matches!(kind, Kind::Search { .. }) {
                ev::GEOSEARCHSTORE
            } else {
                ev::GEORADIUSSTORE
            };
            let n = out.len();
            if n == 0 {
                ctx.remove(d, ev::DEL)?;
            } else {
                ctx.set(d, Value::ZSet(Box::new(out)), 0, event)?;
            }
            Ok(Reply::from_len(n))
        }
    }
}

/// The checks Redis makes once every option is read.
fn check(a: &[&[u8]], kind: Kind, o: &Opts) -> Res<()> {
    if o.store.is_some() && (o.with_dist || o.with_hash || o.with_coord) {
        let what = if kind == (Kind::Search { store: true }) {
            "GEOSEARCHSTORE"
        } else {
            "STORE option in GEORADIUS"
        };
        return err(format!(
            "ERR {what} is not compatible with WITHDIST, WITHHASH and WITHCOORD options"
        ));
    }
    let name = String::from_utf8_lossy(a[0]);
    if matches!(kind, Kind::Search { .. }) && !o.from {
        return err(format!(
            "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for {name}"
        ));
    }
    if matches!(kind, Kind::Search { .. }) && !o.shape {
        return err(format!(
            "ERR exactly one of BYRADIUS and BYBOX can be specified for {name}"
        ));
    }
    if o.any && o.count == 0 {
        return err("ERR the ANY argument requires COUNT argument");
    }
    Ok(())
}

#[allow(
    clippy::cast_possible_truncation,
    reason = "a 52-bit score as Redis replies it"
)]
fn reply(ctx: &Ctx, o: &Opts, found: &[Found]) -> Res {
    let extra = usize::from(o.with_dist) + usize::from(o.with_hash) + usize::from(o.with_coord);
    let mut m = Meter::new(ctx);
    let mut out = m.array(found.len())?;
    for f in found {
        if extra == 0 {
            m.push(&mut out, f.member)?;
            continue;
        }
        m.reserve(extra + 3)?;
        let mut item = vec![m.bulk(f.member)?];
        if o.with_dist {
            item.push(distance_reply(f.dist));
        }
        if o.with_hash {
            item.push(Reply::Integer(f.score as i64));
        }
        if o.with_coord {
            item.push(Reply::Array(vec![human(f.x), human(f.y)]));
        }
        out.push(Reply::Array(item));
    }
    Ok(Reply::Array(out))
}
