//! The Rhai engine: one shared, sandboxed `Engine` per store, compiled ASTs in the shared
//! cache, `redis::call` through the shared host.

pub(crate) mod bridge;
mod builtins;
pub(crate) mod engine;
pub(crate) mod run;
