//! For test files not yet folded into the one binary: a new `tests/<topic>.rs` that says
//! `mod common;` gets the helpers of `tests/it/common/`, which stay their only home. Folding
//! such a file in means moving it to `tests/it/<topic>.rs` (or into its family's file),
//! dropping its `mod common;` and adding `use crate::common::*;`.
//! Once no such file is left, this shim goes.

#[allow(dead_code, unused_imports)]
#[path = "../it/common/mod.rs"]
mod shared;

#[allow(unused_imports)]
pub use shared::*;
