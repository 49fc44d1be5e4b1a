//! The Lua engine (feature `lua`): Lua 5.1, as Redis runs it, through mlua.
//!
//! A Lua state belongs to one thread, so each thread that runs Lua scripts keeps its own
//! (built on its first Lua script, shared by every store the thread uses: scripts keep no
//! state between runs, see `sandbox`), with the functions it compiled, by SHA1. The shared
//! cache holds only the source ([`Chunk`]); it is compiled once per thread. Between runs the
//! `KEYS` and `ARGV` tables are refilled in place, not rebuilt.

mod args;
mod bit;
mod bridge;
mod capi;
mod cjson;
mod cjson_settings;
mod cmsgpack;
mod collect;
pub(crate) mod library;
mod pcall;
pub(crate) mod run;
mod sandbox;
mod state;
mod structlib;

use std::borrow::Cow;

use super::cache::Sha;

/// A Lua script's source, as compiled: the shebang line blanked (its newline kept, so line
/// numbers in errors match the text the user wrote).
pub(crate) struct Chunk {
    source: Box<[u8]>,
}

/// Checks that `src` compiles (compiling it on this thread's state, which keeps the
/// function), and returns it for the cache. The error is the reply text.
pub(crate) fn compile(src: &[u8], sha: &Sha) -> Result<Chunk, String> {
    let source = strip_shebang(src).into_owned().into_boxed_slice();
    state::with(|state| state.function(sha, &source).map(drop))
        .unwrap_or_else(|| Err(BUSY.into()))?;
    Ok(Chunk { source })
}

/// A Lua state already in use on this thread (never, as scripts cannot start scripts).
const BUSY: &str = "ERR the Lua engine of this thread is busy";

/// The source without its `#!` line (the newline kept).
pub(crate) fn strip_shebang(src: &[u8]) -> Cow<'_, [u8]> {
    if !src.starts_with(b"#!") {
        return Cow::Borrowed(src);
    }
    let end = src.iter().position(|&b| b == b'\n').unwrap_or(src.len());
    Cow::Borrowed(&src[end..])
}
