//! Bounded versions of the Rhai built-ins whose transient memory is not bounded by the
//! size limits: Rhai checks a value's size only after a function has built it, so
//! `s.split("")` on a 10 MB string allocated ten million strings (over 1 GiB) before failing,
//! and `s.replace("a", t)` could ask for terabytes. These stop as soon as the result would
//! pass the array or string limit, with Rhai's own error texts. Registered on the engine,
//! they take precedence over the package functions of the same signature.

use rhai::{Array, Dynamic, Engine, EvalAltResult, INT, ImmutableString, NativeCallContext};

type Res<T> = Result<T, Box<EvalAltResult>>;

#[allow(
    clippy::unnecessary_box_returns,
    reason = "Rhai's native functions return errors as Box<EvalAltResult>"
)]
fn too_large(what: &str, cx: &NativeCallContext) -> Box<EvalAltResult> {
    EvalAltResult::ErrorDataTooLarge(what.into(), cx.call_position()).into()
}

/// Collects pieces into an array, failing once there are more than the array limit.
fn bounded<'s>(cx: &NativeCallContext, pieces: impl Iterator<Item = &'s str>) -> Res<Array> {
    let max = cx.engine().max_array_size();
    let mut out = Array::new();
    for piece in pieces {
        if max > 0 && out.len() >= max {
            return Err(too_large("Size of array/BLOB", cx));
        }
        out.push(Dynamic::from(piece.to_string()));
    }
    Ok(out)
}

/// Rhai's answer when there is nothing to split: the string itself.
fn whole(s: &ImmutableString) -> Array {
    vec![s.clone().into()]
}

fn segments(n: INT) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

pub(crate) fn register(engine: &mut Engine) {
    engine.register_fn(
        "split",
        |cx: NativeCallContext, s: &mut ImmutableString, d: &str| {
            if s.is_empty() || (!d.is_empty() && !s.contains(d)) {
                return Ok(whole(s));
            }
            bounded(&cx, s.split(d))
        },
    );
    engine.register_fn(
        "split",
        |cx: NativeCallContext, s: &mut ImmutableString, d: &str, n: INT| {
            if n <= 1 || s.is_empty() || (!d.is_empty() && !s.contains(d)) {
                return Ok(whole(s));
            }
            bounded(&cx, s.splitn(segments(n), d))
        },
    );
    engine.register_fn(
        "split",
        |cx: NativeCallContext, s: &mut ImmutableString, d: char| {
            if s.is_empty() || !s.contains(d) {
                return Ok(whole(s));
            }
            bounded(&cx, s.split(d))
        },
    );
    engine.register_fn(
        "split",
        |cx: NativeCallContext, s: &mut ImmutableString, d: char, n: INT| {
            if n <= 1 || s.is_empty() || !s.contains(d) {
                return Ok(whole(s));
            }
            bounded(&cx, s.splitn(segments(n), d))
        },
    );
    engine.register_fn("split", |cx: NativeCallContext, s: &mut ImmutableString| {
        if s.is_empty() {
            return Ok(whole(s));
        }
        bounded(&cx, s.split_whitespace())
    });
    register_rev(engine);
    engine.register_fn(
        "to_chars",
        |cx: NativeCallContext, s: &mut ImmutableString| {
            let max = cx.engine().max_array_size();
            let mut out = Array::new();
            for c in s.chars() {
                if max > 0 && out.len() >= max {
                    return Err(too_large("Size of array/BLOB", &cx));
                }
                out.push(Dynamic::from_char(c));
            }
            Ok(out)
        },
    );
    engine.register_fn(
        "replace",
        |cx: NativeCallContext, s: &mut ImmutableString, find: &str, with: &str| {
            replace(&cx, s, find, with)
        },
    );
    engine.register_fn(
        "replace",
        |cx: NativeCallContext, s: &mut ImmutableString, find: char, with: &str| {
            replace(&cx, s, find.encode_utf8(&mut [0; 4]), with)
        },
    );
}

fn register_rev(engine: &mut Engine) {
    engine.register_fn(
        "split_rev",
        |cx: NativeCallContext, s: &mut ImmutableString, d: &str| {
            if s.is_empty() || (!d.is_empty() && !s.contains(d)) {
                return Ok(whole(s));
            }
            bounded(&cx, s.rsplit(d))
        },
    );
    engine.register_fn(
        "split_rev",
        |cx: NativeCallContext, s: &mut ImmutableString, d: &str, n: INT| {
            if n <= 1 || s.is_empty() || (!d.is_empty() && !s.contains(d)) {
                return Ok(whole(s));
            }
            bounded(&cx, s.rsplitn(segments(n), d))
        },
    );
    engine.register_fn(
        "split_rev",
        |cx: NativeCallContext, s: &mut ImmutableString, d: char| {
            if s.is_empty() || !s.contains(d) {
                return Ok(whole(s));
            }
            bounded(&cx, s.rsplit(d))
        },
    );
    engine.register_fn(
        "split_rev",
        |cx: NativeCallContext, s: &mut ImmutableString, d: char, n: INT| {
            if n <= 1 || s.is_empty() || !s.contains(d) {
                return Ok(whole(s));
            }
            bounded(&cx, s.rsplitn(segments(n), d))
        },
    );
}

/// `replace` with the result's length computed before building it.
fn replace(cx: &NativeCallContext, s: &mut ImmutableString, find: &str, with: &str) -> Res<()> {
    if s.is_empty() {
        return Ok(());
    }
    let max = cx.engine().max_string_size();
    if max > 0 && with.len() > find.len() {
        // An empty `find` matches before every char and at the end.
        let hits = if find.is_empty() {
            s.chars().count() + 1
        } else {
            s.matches(find).count()
        };
        let grown = hits.saturating_mul(with.len() - find.len());
        if s.len().saturating_add(grown) > max {
            return Err(too_large("Length of string", cx));
        }
    }
    *s = s.replace(find, with).into();
    Ok(())
}
