//! `HyperLogLog`: PFADD, PFCOUNT, PFMERGE, on strings in Redis's exact HLL representation
//! (`types::hll`).
//!
//! PFCOUNT of one key stores the cardinality it computed in the value's cache bytes, as
//! Redis does: it is a write (a new version for WATCH, no event), so it takes a write lock.

use super::ctx::{Ctx, Res, wrongtype};
use super::{ALL, ONE, Spec, W, data as spec};
use crate::effects::ev;
use crate::reply::Reply;
use crate::types::Value;
use crate::types::hll::{self, Bad, REGISTERS, Registers};

pub(crate) const COMMANDS: &[Spec] = &[
    spec("pfadd", -2, W, ONE, pfadd),
    spec("pfcount", -2, W, ALL, pfcount),
    spec("pfmerge", -2, W, ALL, pfmerge),
];

fn bad(b: &Bad) -> Reply {
    Reply::error(match b {
        Bad::NotHll => hll::NOT_HLL,
        Bad::Corrupt => hll::CORRUPT,
    })
}

/// The HLL at `key`: `None` when missing; WRONGTYPE for other types, Redis's HLL texts for
/// strings that are not HLLs.
fn read<'c>(ctx: &'c Ctx<'_, '_>, key: &[u8]) -> Res<Option<&'c [u8]>> {
    match ctx.get(key)? {
        None => Ok(None),
        Some(Value::Str(s)) => hll::check(s).map(|()| Some(&s[..])).map_err(|b| bad(&b)),
        Some(_) => Err(wrongtype()),
    }
}

fn pfadd(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    read(ctx, a[1])?;
    let (mut e, created) = ctx.get_or_create(a[1], || Value::Str(hll::new()))?;
    let Value::Str(v) = e.value_mut() else {
        return Err(wrongtype());
    };
    let mut updated = created;
    let mut failed = None;
    for element in &a[2..] {
        match hll::add(v, element) {
            Ok(grew) => updated |= grew,
            Err(b) => {
                failed = Some(b);
                break;
            }
        }
    }
    if updated {
        hll::invalidate(v);
        e.signal(ev::PFADD);
    }
    match failed {
        Some(b) => Err(bad(&b)),
        None => Ok(Reply::Integer(i64::from(updated))),
    }
}

fn pfcount(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    if a.len() > 2 {
        let mut max = Box::new([0u8; REGISTERS]);
        for key in &a[1..] {
            if let Some(v) = read(ctx, key)? {
                hll::merge_into(&mut max, v).map_err(|b| bad(&b))?;
            }
        }
        let n = hll::count(&Registers::Raw(&max)).map_err(|b| bad(&b))?;
        return Ok(int(n));
    }
    let Some(v) = read(ctx, a[1])? else {
        return Ok(Reply::Integer(0));
    };
    if let Some(n) = hll::cached(v) {
        return Ok(int(n));
    }
    let n = hll::count(&Registers::Stored(v)).map_err(|b| bad(&b))?;
    if let Some(mut e) = ctx.get_mut(a[1])? {
        if let Value::Str(v) = e.value_mut() {
            hll::store_cache(v, n);
            e.signal_quiet();
        }
    }
    Ok(int(n))
}

fn int(n: u64) -> Reply {
    Reply::Integer(i64::try_from(n).unwrap_or(i64::MAX))
}

fn pfmerge(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    let mut max = Box::new([0u8; REGISTERS]);
    let mut dense = false;
    // The destination's own registers are merged too (it is the first key).
    for key in &a[1..] {
        if let Some(v) = read(ctx, key)? {
            dense |= hll::is_dense(v);
            hll::merge_into(&mut max, v).map_err(|b| bad(&b))?;
        }
    }
    let (mut e, _) = ctx.get_or_create(a[1], || Value::Str(hll::new()))?;
    let Value::Str(v) = e.value_mut() else {
        return Err(wrongtype());
    };
    if dense {
        if let Err(b) = hll::to_dense(v) {
            e.signal(ev::PFADD);
            return Err(bad(&b));
        }
    }
    for (i, &m) in max.iter().enumerate() {
        // Redis ignores a failed set here: the merge already validated the destination.
        if m != 0 {
            let _ = hll::set(v, i, m);
        }
    }
    hll::invalidate(v);
    e.signal(ev::PFADD);
    Ok(Reply::ok())
}
