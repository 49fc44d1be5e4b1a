//! Between Rhai and the store: the `redis` module, and replies ↔ Rhai values. Calls reach
//! the run's command context through [`host`](crate::script::host).

use rhai::{
    Array, Blob, Dynamic, EvalAltResult, ImmutableString, Map, Module, NativeCallContext, Position,
};
use smallvec::SmallVec;

use crate::numbers;
use crate::reply::Reply;

const NO_ARGS: &str = "ERR Please specify at least one argument for this redis lib call";
const BAD_ARG: &str = "ERR Rhai redis lib command arguments must be strings or integers";

/// Most arguments `redis::call` takes directly; Rhai matches untyped parameters for at
/// most 16. Longer commands pass an array, which is spread: `redis::call("MSET", pairs)`.
macro_rules! arities {
    ($m:ident, $name:literal, $t:ty, $raise:literal;) => {
        $m.set_native_fn($name, |cx: NativeCallContext| call(&cx, &[], $raise));
    };
    ($m:ident, $name:literal, $t:ty, $raise:literal; $head:ident $(, $rest:ident)*) => {
        $m.set_native_fn($name, |cx: NativeCallContext, $head: $t $(, $rest: $t)*| {
            call(&cx, &[Dynamic::from($head) $(, Dynamic::from($rest))*], $raise)
        });
        arities!($m, $name, $t, $raise; $($rest),*);
    };
}

/// `redis::call` and `redis::pcall` for one shape of typed parameters.
macro_rules! shapes {
    ($m:ident; $($p:ident: $t:ty),*) => {
        $m.set_native_fn("call", |cx: NativeCallContext, $($p: $t),*| {
            call(&cx, &[$(Dynamic::from($p)),*], true)
        });
        $m.set_native_fn("pcall", |cx: NativeCallContext, $($p: $t),*| {
            call(&cx, &[$(Dynamic::from($p)),*], false)
        });
    };
}

type S = ImmutableString;
type I = rhai::INT;
type F = rhai::FLOAT;

/// The `redis` module scripts see.
pub(crate) fn module() -> Module {
    let mut m = Module::new();
    // All-string calls (the common case) match exactly and skip Rhai's search over
    // untyped parameters, which is exponential in the argument count.
    arities!(m, "call", ImmutableString, true; a, b, c, d, e, f, g, h, i, j, k, l, n, o, p, q, r, s, t, u);
    arities!(m, "pcall", ImmutableString, false; a, b, c, d, e, f, g, h, i, j, k, l, n, o, p, q, r, s, t, u);
    arities!(m, "call", Dynamic, true; a, b, c, d, e, f, g, h, i, j, k, l, n, o, p, q);
    arities!(m, "pcall", Dynamic, false; a, b, c, d, e, f, g, h, i, j, k, l, n, o, p, q);
    // The common mixed shapes (`SET k n`, `EXPIRE k 60`, `HINCRBY h f 1`, `ZADD k 1 m`,
    // `LRANGE k 0 -1`, `SET k v EX 10`) match exactly too: each first call of a run would
    // otherwise search the untyped overloads.
    shapes!(m; a: S, b: S, c: I);
    shapes!(m; a: S, b: S, c: F);
    shapes!(m; a: S, b: S, c: S, d: I);
    shapes!(m; a: S, b: S, c: S, d: F);
    shapes!(m; a: S, b: S, c: I, d: I);
    shapes!(m; a: S, b: S, c: I, d: S);
    shapes!(m; a: S, b: S, c: F, d: S);
    shapes!(m; a: S, b: S, c: S, d: S, e: I);
    shapes!(m; a: S, b: S, c: S, d: I, e: S);
    m.set_native_fn("error_reply", |s: ImmutableString| {
        Ok(tagged("err", error_reply_text(&s)))
    });
    m.set_native_fn("status_reply", |s: ImmutableString| Ok(tagged("ok", s)));
    m.set_native_fn("sha1hex", |s: ImmutableString| Ok(sha1hex(s.as_bytes())));
    m.set_native_fn("sha1hex", |b: Blob| Ok(sha1hex(&b)));
    m
}

fn sha1hex(bytes: &[u8]) -> ImmutableString {
    let sha = crate::script::cache::sha1_hex(bytes);
    String::from_utf8_lossy(&sha).into_owned().into()
}

/// `#{ok: s}` or `#{err: s}`.
fn tagged(tag: &str, text: impl Into<Dynamic>) -> Dynamic {
    let mut map = Map::new();
    map.insert(tag.into(), text.into());
    Dynamic::from_map(map)
}

/// `redis::call` (`raise`) and `redis::pcall`.
fn call(
    cx: &NativeCallContext,
    args: &[Dynamic],
    raise: bool,
) -> Result<Dynamic, Box<EvalAltResult>> {
    let reply = match to_args(args) {
        Err(text) => Reply::error(text),
        Ok(owned) if owned.is_empty() => Reply::error(NO_ARGS),
        Ok(owned) => {
            let argv: SmallVec<[&[u8]; 8]> = owned.iter().map(Arg::bytes).collect();
            crate::script::host::call(&argv).unwrap_or_else(|| {
                Reply::error("ERR redis::call is only available while a script runs")
            })
        }
    };
    match reply {
        Reply::Error(text) if raise => Err(raise_error(text.into_owned(), cx.call_position())),
        reply => Ok(to_dynamic(reply)),
    }
}

/// A script error carrying an error reply's text as `#{err: text}`, so the reply keeps
/// its code (`WRONGTYPE ...`) rather than becoming `ERR ...`.
#[allow(
    clippy::unnecessary_box_returns,
    reason = "Rhai's native functions return errors as Box<EvalAltResult>"
)]
fn raise_error(text: String, at: Position) -> Box<EvalAltResult> {
    EvalAltResult::ErrorRuntime(tagged("err", text), at).into()
}

/// One command argument, borrowed from the script's value where it can be (a string is
/// shared, not copied; an integer is written in place).
enum Arg {
    Str(ImmutableString),
    Int([u8; 20], usize),
    Bytes(Vec<u8>),
}

impl Arg {
    fn bytes(&self) -> &[u8] {
        match self {
            Arg::Str(s) => s.as_bytes(),
            Arg::Int(buf, len) => &buf[..*len],
            Arg::Bytes(b) => b,
        }
    }
}

fn to_args(args: &[Dynamic]) -> Result<SmallVec<[Arg; 8]>, &'static str> {
    let mut out = SmallVec::new();
    for arg in args {
        // `is_array` first: a failed `as_array_ref` builds its type name.
        if let Some(items) = arg.is_array().then(|| arg.as_array_ref().ok()).flatten() {
            for item in items.iter() {
                out.push(scalar_arg(item)?);
            }
        } else {
            out.push(scalar_arg(arg)?);
        }
    }
    Ok(out)
}

/// A string, blob, INT, FLOAT or char as command-argument bytes (numbers as decimal text,
/// floats in their shortest round-trip form, as Redis 7.2 does).
fn scalar_arg(arg: &Dynamic) -> Result<Arg, &'static str> {
    // Never copy an array or map only to refuse it (copying a deep one recurses).
    if arg.is_array() || arg.is_map() {
        return Err(BAD_ARG);
    }
    if arg.is_shared() {
        return scalar_arg(&arg.clone().flatten());
    }
    if let Ok(s) = arg.as_immutable_string_ref() {
        return Ok(Arg::Str(s.clone()));
    }
    if let Ok(n) = arg.as_int() {
        return Ok(int_arg(n));
    }
    if let Ok(f) = arg.as_float() {
        return Ok(Arg::Bytes(numbers::format_double(f).into_bytes()));
    }
    if let Ok(c) = arg.as_char() {
        return Ok(Arg::Bytes(c.to_string().into_bytes()));
    }
    if let Some(blob) = arg.read_lock::<Blob>() {
        return Ok(Arg::Bytes(blob.clone()));
    }
    Err(BAD_ARG)
}

/// `n` in decimal, without allocating.
fn int_arg(n: i64) -> Arg {
    let (buf, len) = crate::numbers::format_i64(n);
    Arg::Int(buf, len)
}

thread_local! {
    /// The text of the most common status, shared by every `#{ok: "OK"}` of this thread.
    static OK: ImmutableString = ImmutableString::from("OK");
}

fn ok_text() -> ImmutableString {
    OK.try_with(Clone::clone)
        .unwrap_or_else(|_| ImmutableString::from("OK"))
}

/// A reply as a Rhai value: integer → INT, bulk → string (blob when not UTF-8), nil → `()`,
/// array → array, status → `#{ok: ..}`, error → `#{err: ..}` (pcall only).
pub(crate) fn to_dynamic(reply: Reply) -> Dynamic {
    match reply {
        Reply::Nil | Reply::NilArray => Dynamic::UNIT,
        Reply::Integer(n) => Dynamic::from_int(n),
        Reply::Bulk(bytes) => match String::from_utf8(bytes) {
            Ok(s) => Dynamic::from(s),
            Err(e) => Dynamic::from_blob(e.into_bytes()),
        },
        Reply::Array(items) => {
            Dynamic::from_array(items.into_iter().map(to_dynamic).collect::<Array>())
        }
        Reply::Status(s) if s == "OK" => tagged("ok", ok_text()),
        Reply::Status(s) => tagged("ok", s.into_owned()),
        Reply::Error(s) => tagged("err", s.into_owned()),
    }
}

/// The deepest array nesting a script's result may have. Redis stops at its Lua stack
/// limit (a few thousand levels); a reply is a recursive value that the caller drops,
/// compares and prints recursively, so keep it shallow enough for any thread's stack.
pub(crate) const MAX_NESTING: usize = 512;

const TOO_DEEP: &str = "ERR reached lua stack limit";

/// A script's result as a reply: INT → integer, FLOAT → integer (truncated, as Redis does),
/// string/blob/char → bulk, `()`/`false` → nil, `true` → 1, array → array, `#{err}` → error,
/// `#{ok}` → status, any other map → empty array (a Lua table with no array part).
/// Converted without recursion; nested deeper than [`MAX_NESTING`], it is Redis's
/// `ERR reached lua stack limit`.
pub(crate) fn to_reply(value: Dynamic) -> Reply {
    let value = value.flatten();
    if !value.is_array() {
        return scalar_reply(value);
    }
    // One frame per open array: what is left to convert, and what is converted.
    let mut frames: Vec<(std::vec::IntoIter<Dynamic>, Vec<Reply>)> = Vec::new();
    frames.push((value.cast::<Array>().into_iter(), Vec::new()));
    loop {
        let Some((items, _)) = frames.last_mut() else {
            return Reply::Nil;
        };
        match items.next() {
            Some(item) if item.is_array() => {
                if frames.len() >= MAX_NESTING {
                    frames.push((vec![item].into_iter(), Vec::new()));
                    for (rest, _) in frames {
                        rest.for_each(dismantle);
                    }
                    return Reply::error(TOO_DEEP);
                }
                let items = item.cast::<Array>();
                let len = items.len();
                frames.push((items.into_iter(), Vec::with_capacity(len)));
            }
            Some(item) => {
                let reply = scalar_reply(item);
                if let Some((_, out)) = frames.last_mut() {
                    out.push(reply);
                }
            }
            None => {
                let Some((_, out)) = frames.pop() else {
                    return Reply::Nil;
                };
                match frames.last_mut() {
                    Some((_, parent)) => parent.push(Reply::Array(out)),
                    None => return Reply::Array(out),
                }
            }
        }
    }
}

/// Any value but an array, as a reply.
#[allow(
    clippy::cast_possible_truncation,
    reason = "a FLOAT result truncates to an integer reply, as Redis does with a Lua number"
)]
fn scalar_reply(value: Dynamic) -> Reply {
    if let Ok(n) = value.as_int() {
        return Reply::Integer(n);
    }
    if let Ok(f) = value.as_float() {
        return Reply::Integer(f as i64);
    }
    if let Ok(b) = value.as_bool() {
        return if b { Reply::Integer(1) } else { Reply::Nil };
    }
    if let Ok(s) = value.as_immutable_string_ref() {
        return Reply::bulk(s.as_bytes());
    }
    if let Ok(c) = value.as_char() {
        return Reply::bulk(c.to_string());
    }
    if value.is_blob() {
        return Reply::Bulk(value.cast::<Blob>());
    }
    if value.is_map() {
        let map = value.cast::<Map>();
        let reply = map_reply(&map);
        map.into_values().for_each(dismantle);
        return reply;
    }
    dismantle(value);
    Reply::Nil
}

/// Drops a value without recursion (Rhai's own drop of nested arrays and maps recurses
/// once per level, which overflows a thread's stack on a deep enough value).
pub(crate) fn dismantle(value: Dynamic) {
    if !(value.is_array() || value.is_map()) {
        return;
    }
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        if v.is_array() {
            stack.extend(v.cast::<Array>());
        } else if v.is_map() {
            stack.extend(v.cast::<Map>().into_values());
        }
    }
}

/// Whether `value` is an array or map holding an array or map (dropping it recurses).
pub(crate) fn nests(value: &Dynamic) -> bool {
    let container = |v: &Dynamic| v.is_array() || v.is_map();
    if let Ok(items) = value.as_array_ref() {
        return items.iter().any(container);
    }
    if let Ok(map) = value.as_map_ref() {
        return map.values().any(container);
    }
    false
}

/// Whether `value` nests arrays and maps more than `max` levels deep (recursing at most
/// `max` levels).
pub(crate) fn nests_deeper_than(value: &Dynamic, max: usize) -> bool {
    if let Ok(items) = value.as_array_ref() {
        return max == 0 || items.iter().any(|v| nests_deeper_than(v, max - 1));
    }
    if let Ok(map) = value.as_map_ref() {
        return max == 0 || map.values().any(|v| nests_deeper_than(v, max - 1));
    }
    false
}

fn map_reply(map: &Map) -> Reply {
    if let Some(text) = map.get("err").and_then(text_of) {
        return Reply::error(error_text(&text));
    }
    if let Some(text) = map.get("ok").and_then(text_of) {
        return Reply::status(text);
    }
    Reply::Array(Vec::new())
}

/// A string value's text, without copying anything else (a deep array would recurse).
pub(crate) fn text_of(value: &Dynamic) -> Option<String> {
    if !value.is_string() {
        return None;
    }
    value.clone().into_string().ok()
}

/// `redis.error_reply`'s text as Redis 7 builds it (`luaPushErrorBuff`): a leading `-` is
/// dropped; the first word is the code when a space follows it, else the code is `ERR`
/// (`"x"` gives `ERR x`, `""` gives `ERR `); CR and LF at either end of the message go.
pub(crate) fn error_reply_text(text: &str) -> String {
    let text = text.strip_prefix('-').unwrap_or(text);
    let (code, message) = text.split_once(' ').unwrap_or(("ERR", text));
    format!("{code} {}", message.trim_matches(['\r', '\n']))
}

/// An `err` text as an error reply: a leading `-` is dropped, and an empty text is `ERR`.
pub(crate) fn error_text(text: &str) -> String {
    let text = text.strip_prefix('-').unwrap_or(text);
    if text.is_empty() {
        "ERR".into()
    } else {
        text.into()
    }
}
