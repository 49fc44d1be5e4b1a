//! The integration tests, in one binary: one module per command family or topic, so the test
//! of a behaviour has one obvious home, and the crate is linked once instead of once per file.
//!
//! `cargo test` runs everything but the loom models. Those need the crate built with
//! `--cfg loom` (its locks and atomics become loom's), so under that cfg this binary holds
//! only `loom`: `RUSTFLAGS="--cfg loom" cargo test --release --target-dir target/loom --test it`.
//! One family: `cargo test --test it zsets::`.

#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss,
    reason = "test sizes are small counts, and the seeded generators truncate random words on purpose"
)]

#[cfg(not(loom))]
mod common;
#[cfg(loom)]
mod loom;

#[cfg(not(loom))]
mod aof;
#[cfg(not(loom))]
mod aof_crash;
#[cfg(not(loom))]
mod aof_interop;
#[cfg(not(loom))]
mod aof_live;
#[cfg(not(loom))]
mod bitfield;
#[cfg(not(loom))]
mod bitmaps;
#[cfg(not(loom))]
mod blocking;
#[cfg(not(loom))]
mod client;
#[cfg(not(loom))]
mod cluster;
#[cfg(not(loom))]
mod command_info;
#[cfg(not(loom))]
mod concurrency;
#[cfg(not(loom))]
mod config;
#[cfg(not(loom))]
mod databases;
#[cfg(not(loom))]
mod dropin;
#[cfg(not(loom))]
mod dump_restore;
#[cfg(not(loom))]
mod effects;
#[cfg(not(loom))]
mod entry_points_never_panic;
#[cfg(not(loom))]
mod errors_and_nulls;
#[cfg(not(loom))]
mod eviction;
#[cfg(not(loom))]
mod expire_overflow;
#[cfg(not(loom))]
mod expiry;
#[cfg(not(loom))]
mod float_rules;
#[cfg(not(loom))]
mod geo;
#[cfg(not(loom))]
mod hashes;
#[cfg(not(loom))]
mod hyperloglog;
#[cfg(not(loom))]
mod info;
#[cfg(not(loom))]
mod keys;
#[cfg(not(loom))]
mod lcs;
#[cfg(not(loom))]
mod lists;
#[cfg(not(loom))]
mod lock_watch;
#[cfg(all(feature = "lua", not(loom)))]
mod lua;
#[cfg(all(feature = "lua", not(loom)))]
mod lua_bridge;
#[cfg(all(feature = "lua", not(loom)))]
mod lua_capi_edges;
#[cfg(all(feature = "lua", not(loom)))]
mod lua_cjson_settings;
#[cfg(all(feature = "lua", not(loom)))]
mod lua_cmsgpack;
#[cfg(all(feature = "lua", not(loom)))]
mod lua_function_dump;
#[cfg(all(feature = "lua", not(loom)))]
mod lua_functions;
#[cfg(all(feature = "lua", not(loom)))]
mod lua_libs;
#[cfg(all(feature = "lua", not(loom)))]
mod lua_pcall;
#[cfg(all(feature = "lua", not(loom)))]
mod lua_sandbox;
#[cfg(all(feature = "lua", not(loom)))]
mod lua_struct;
#[cfg(not(loom))]
mod memory_accounting;
#[cfg(not(loom))]
mod memory_commands;
#[cfg(not(loom))]
mod misconf;
#[cfg(not(loom))]
mod multi;
#[cfg(not(loom))]
mod never_panics;
#[cfg(not(loom))]
mod notify;
#[cfg(not(loom))]
mod object;
#[cfg(not(loom))]
mod parity;
#[cfg(not(loom))]
mod pubsub;
#[cfg(not(loom))]
mod rdb;
#[cfg(not(loom))]
mod reply_bounds;
#[cfg(not(loom))]
mod script_fast_paths;
#[cfg(not(loom))]
mod script_limits;
#[cfg(not(loom))]
mod script_nesting;
#[cfg(not(loom))]
mod scripts;
#[cfg(not(loom))]
mod server;
#[cfg(not(loom))]
mod sets;
#[cfg(not(loom))]
mod sort;
#[cfg(not(loom))]
mod status_and_error_texts;
#[cfg(not(loom))]
mod store_drop;
#[cfg(not(loom))]
mod strings;
#[cfg(not(loom))]
mod transactions;
#[cfg(not(loom))]
mod typed;
#[cfg(not(loom))]
mod watch;
#[cfg(not(loom))]
mod zsets;
