//! SORT and `SORT_RO`: sort a list, set or sorted set, numerically or (ALPHA) by bytes, by
//! the element or by other keys (`BY weight_*`, `BY h_*->field`), fetch other keys per
//! element (`GET`), cut a LIMIT, and with SORT's STORE save the result as a list.
//!
//! Locks: BY and GET patterns name keys that are only known while sorting, so with a
//! pattern the command takes every shard, as KEYS does (in cluster mode Redis refuses
//! patterns, and so do we). Without one it locks the sorted key and the STORE key only.

use std::borrow::Cow;
use std::cmp::Ordering;

use super::budget::Meter;
use super::ctx::{Ctx, KeyHashes, Res, err, wrongtype};
use super::parse::{self, is};
use super::{Keys, Spec, W, data as spec, plan_each_key};
use crate::effects::ev;
use crate::error::msg;
use crate::keyspace::locks::Plan;
use crate::numbers::parse_sort_score;
use crate::reply::Reply;
use crate::shared::Shared;
use crate::types::{Bytes, ListValue, Value};

/// The sorted key; a STORE key and pattern keys come from the planning hook. (Not `ONE`:
/// that row shape takes the one-key fast path, which never asks the hook.)
const SORTED_KEY: Keys = Keys::Range {
    first: 1,
    last: 1,
    step: 2,
};

pub(crate) const COMMANDS: &[Spec] = &[
    with_plan(spec("sort", -2, W, SORTED_KEY, sort)),
    with_plan(spec("sort_ro", -2, 0, SORTED_KEY, sort_ro)),
];

const fn with_plan(mut s: Spec) -> Spec {
    s.plan = Some(plan);
    s
}

/// What SORT was asked for.
#[derive(Default)]
struct Opts<'a> {
    desc: bool,
    alpha: bool,
    limit: Option<(i64, i64)>,
    store: Option<&'a [u8]>,
    by: Option<&'a [u8]>,
    /// `BY` without `*`: keep the native order.
    dont_sort: bool,
    gets: Vec<&'a [u8]>,
}

impl Opts<'_> {
    /// Whether BY or GET will look up keys named by the elements.
    fn uses_patterns(&self) -> bool {
        (self.by.is_some() && !self.dont_sort)
            || self.gets.iter().any(|g| *g != b"#" && g.contains(&b'*'))
    }
}

fn options<'a>(a: &[&'a [u8]], read_only: bool, cluster: bool) -> Res<Opts<'a>> {
    let mut o = Opts::default();
    let mut j = 2;
    while j < a.len() {
        let (opt, left) = (a[j], a.len() - j - 1);
        if is(opt, "ASC") {
            o.desc = false;
        } else if is(opt, "DESC") {
            o.desc = true;
        } else if is(opt, "ALPHA") {
            o.alpha = true;
        } else if is(opt, "LIMIT") && left >= 2 {
            o.limit = Some((parse::int(a[j + 1])?, parse::int(a[j + 2])?));
            j += 2;
        } else if !read_only && is(opt, "STORE") && left >= 1 {
            o.store = Some(a[j + 1]);
            j += 1;
        } else if is(opt, "BY") && left >= 1 {
            let by = a[j + 1];
            o.dont_sort = !by.contains(&b'*');
            if !o.dont_sort && cluster {
                return err("ERR BY option of SORT denied in Cluster mode.");
            }
            o.by = Some(by);
            j += 1;
        } else if is(opt, "GET") && left >= 1 {
            if cluster {
                return err("ERR GET option of SORT denied in Cluster mode.");
            }
            o.gets.push(a[j + 1]);
            j += 1;
        } else {
            return err(msg::SYNTAX);
        }
        j += 1;
    }
    Ok(o)
}

/// Locks the sorted key (for reading), the STORE key (for writing), and every shard when a
/// pattern will name other keys. Arguments that do not parse lock only the sorted key: the
/// handler then answers the error.
fn plan(shared: &Shared, spec: &Spec, args: &[&[u8]], plan: &mut Plan, hashes: &mut KeyHashes) {
    let ks = &shared.keyspace;
    let read_only = !spec.is_write();
    plan_each_key(shared, spec, args, false, plan, hashes);
    let Ok(o) = options(args, read_only, shared.config.cluster_mode) else {
        return;
    };
    if let Some(dest) = o.store {
        plan.add(ks.shard_of(ks.hkey(dest).hash), true);
    }
    if o.uses_patterns() {
        plan.add_all(ks.shard_count(), false);
    }
}

fn sort(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    run(ctx, a, false)
}

fn sort_ro(ctx: &mut Ctx, a: &[&[u8]]) -> Res {
    run(ctx, a, true)
}

/// Redis's `lookupKeyByPattern`: `#` is the element itself; otherwise the first `*` takes
/// the element, and a non-empty `->field` after it reads a hash field instead of a string.
fn lookup<'c>(ctx: &'c Ctx<'_, '_>, pattern: &[u8], element: &'c [u8]) -> Res<Option<&'c [u8]>> {
    if pattern == b"#" {
        return Ok(Some(element));
    }
    let Some(star) = pattern.iter().position(|&c| c == b'*') else {
        return Ok(None);
    };
    let after = &pattern[star + 1..];
    let arrow = after
        .windows(2)
        .position(|w| w == b"->")
        .filter(|&f| f + 2 < after.len());
    let (post, field) = match arrow {
        Some(f) => (&after[..f], Some(&after[f + 2..])),
        None => (after, None),
    };
    let mut key = Vec::with_capacity(star + element.len() + post.len());
    key.extend_from_slice(&pattern[..star]);
    key.extend_from_slice(element);
    key.extend_from_slice(post);
    Ok(match (ctx.get(&key)?, field) {
        (Some(Value::Hash(h)), Some(f)) => h.get(f).map(|v| &v[..]),
        (Some(Value::Str(s)), None) => Some(&s[..]),
        _ => None,
    })
}

/// One element and what it sorts by.
struct Item<'c> {
    element: &'c [u8],
    score: f64,
    by: Option<&'c [u8]>,
}

/// The elements to sort, and the `start..=end` window of the result (Redis's LIMIT
/// arithmetic); for a native order kept (BY constant), already cut to the window.
fn load<'c>(value: Option<&'c Value>, o: &Opts, desc: bool) -> (Vec<&'c [u8]>, i64, i64) {
    let len = match value {
        Some(Value::List(l)) => l.len(),
        Some(Value::Set(s)) => s.len(),
        Some(Value::ZSet(z)) => z.len(),
        _ => 0,
    };
    let n = i64::try_from(len).unwrap_or(i64::MAX);
    let (ls, lc) = o.limit.unwrap_or((0, -1));
    let mut start = ls.max(0).min(n);
    let count = lc.max(-1).min(n);
    let mut end = if count < 0 { n - 1 } else { start + count - 1 };
    if start >= n {
        start = n - 1;
        end = n - 2;
    }
    end = end.min(n - 1);
    #[allow(
        clippy::cast_sign_loss,
        clippy::cast_possible_truncation,
        reason = "0 <= start <= end < n"
    )]
    let window = (end >= start).then_some((start as usize, end as usize));
    match (value, o.dont_sort) {
        (Some(Value::List(l)), true) => {
            let picked = window.map_or_else(Vec::new, |(s, e)| native_list(l, s, e, desc));
            (picked, 0, end - start)
        }
        (Some(Value::ZSet(z)), true) => {
            let picked = window.map_or_else(Vec::new, |(s, e)| {
                let (lo, hi) = if desc {
                    (len - 1 - e, len - s)
                } else {
                    (s, e + 1)
                };
                z.range(lo, hi, desc).into_iter().map(|(m, _)| m).collect()
            });
            (picked, 0, end - start)
        }
        (Some(Value::List(l)), false) => (l.iter().map(|e| &e[..]).collect(), start, end),
        (Some(Value::Set(s)), _) => (s.iter().map(|e| &e[..]).collect(), start, end),
        (Some(Value::ZSet(z)), false) => (
            z.iter_all().into_iter().map(|(m, _)| m).collect(),
            start,
            end,
        ),
        _ => (Vec::new(), start, end),
    }
}

fn native_list(l: &ListValue, s: usize, e: usize, desc: bool) -> Vec<&[u8]> {
    if desc {
        let len = l.len();
        (s..=e).map(|i| &l[len - 1 - i][..]).collect()
    } else {
        l.range(s..=e).map(|x| &x[..]).collect()
    }
}

fn compare(a: &Item, b: &Item, alpha: bool, by: bool) -> Ordering {
    if !alpha {
        return a
            .score
            .partial_cmp(&b.score)
            .unwrap_or(Ordering::Equal)
            .then_with(|| a.element.cmp(b.element));
    }
    if by {
        // A missing BY value sorts first.
        return a.by.cmp(&b.by);
    }
    a.element.cmp(b.element)
}

/// In cluster mode a STORE key must share the sorted key's slot (Redis's key specs name it,
/// so its dispatch answers CROSSSLOT; the generic check here only knows the sorted key).
pub(crate) fn cross_slot(ctx: &Ctx, key: &[u8], dest: &[u8]) -> Res<()> {
    if ctx.shared.config.cluster_mode && crate::slot::key_slot(key) != crate::slot::key_slot(dest) {
        return err(super::crossslot::CROSSSLOT);
    }
    Ok(())
}

/// What SORT produced: a reply, or (STORE) the list to store.
enum Outcome {
    Reply(Reply),
    Store(ListValue),
}

fn run(ctx: &mut Ctx, a: &[&[u8]], read_only: bool) -> Res {
    let o = options(a, read_only, ctx.shared.config.cluster_mode)?;
    let store = o.store;
    if let Some(dest) = store {
        cross_slot(ctx, a[1], dest)?;
    }
    match (compute(ctx, a, o)?, store) {
        (Outcome::Reply(r), _) => Ok(r),
        (Outcome::Store(list), Some(dest)) => {
            let n = list.len();
            if n == 0 {
                ctx.remove(dest, ev::DEL)?;
            } else {
                ctx.set(dest, Value::List(Box::new(list)), 0, ev::SORTSTORE)?;
            }
            Ok(Reply::from_len(n))
        }
        (Outcome::Store(_), None) => err(msg::SYNTAX),
    }
}

/// Loads, sorts and cuts under the command's locks, reading only.
fn compute(ctx: &Ctx, a: &[&[u8]], mut o: Opts) -> Res<Outcome> {
    if o.uses_patterns() && ctx.db_shards().count() < ctx.shared.keyspace.shard_count() {
        // Only a script holding just its declared keys gets here (commands, MULTI and
        // scripts under all locks plan every shard for a pattern).
        let name = String::from_utf8_lossy(a[0]).to_ascii_lowercase();
        return err(format!(
            "ERR Script attempted to run '{name}', which needs every key; add \
             '#!rhai flags=allow-undeclared-keys' as the script's first line"
        ));
    }
    let value = ctx.get(a[1])?;
    if !matches!(
        value,
        None | Some(Value::List(_) | Value::Set(_) | Value::ZSet(_))
    ) {
        return Err(wrongtype());
    }
    if o.dont_sort && matches!(value, Some(Value::Set(_))) && o.store.is_some() {
        // Redis sorts a set it stores, so the stored order does not depend on the encoding.
        (o.dont_sort, o.alpha, o.by) = (false, true, None);
    }
    let (elements, start, end) = load(value, &o, o.desc);
    let mut items: Vec<Item> = elements
        .into_iter()
        .map(|element| Item {
            element,
            score: 0.0,
            by: None,
        })
        .collect();
    if !o.dont_sort {
        let mut bad_score = false;
        for item in &mut items {
            let by = match o.by {
                Some(p) => lookup(ctx, p, item.element)?,
                None => Some(item.element),
            };
            if o.alpha {
                item.by = by.filter(|_| o.by.is_some());
            } else if let Some(b) = by {
                match parse_sort_score(b) {
                    Some(v) => item.score = v,
                    None => bad_score = true,
                }
            }
        }
        let (alpha, by, desc) = (o.alpha, o.by.is_some(), o.desc);
        items.sort_by(|x, y| {
            let c = compare(x, y, alpha, by);
            if desc { c.reverse() } else { c }
        });
        if bad_score {
            return err("ERR One or more scores can't be converted into double");
        }
    }
    #[allow(
        clippy::cast_sign_loss,
        clippy::cast_possible_truncation,
        reason = "checked: 0 <= start <= end"
    )]
    let window = if end >= start && start >= 0 {
        &items[start as usize..=(end as usize).min(items.len().saturating_sub(1))]
    } else {
        &[]
    };
    output(ctx, &o, window)
}

/// The reply (or, with STORE, the stored list and its length).
fn output(ctx: &Ctx, o: &Opts, window: &[Item]) -> Res<Outcome> {
    let per = o.gets.len().max(1);
    if o.store.is_none() {
        let mut m = Meter::new(ctx);
        let mut out = m.array(window.len().saturating_mul(per))?;
        for item in window {
            if o.gets.is_empty() {
                m.push(&mut out, item.element)?;
            }
            for g in &o.gets {
                match lookup(ctx, g, item.element)? {
                    Some(v) => m.push(&mut out, v)?,
                    None => out.push(Reply::Nil),
                }
            }
        }
        return Ok(Outcome::Reply(Reply::Array(out)));
    }
    let mut list = ListValue::with_capacity(window.len().saturating_mul(per));
    for item in window {
        if o.gets.is_empty() {
            list.push_back(Bytes::from_slice(item.element));
        }
        for g in &o.gets {
            let v = lookup(ctx, g, item.element)?.map_or(Cow::Borrowed(&b""[..]), Cow::Borrowed);
            list.push_back(Bytes::from_slice(&v));
        }
    }
    Ok(Outcome::Store(list))
}
