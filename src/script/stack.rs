//! Script runs on a deep stack of their own, kept per thread.
//!
//! Rhai recurses once per level of nesting when it compares (`==`, `contains`, `in`),
//! prints (`to_string`, interpolation, `+` on strings), clones, hashes (`switch`),
//! size-checks and drops arrays and maps: a script that nests `a = [a]` thousands of times
//! overflowed a 2 MiB thread (std's and tokio's default) and aborted the host. Rhai offers
//! no hook where nesting is created, but it does bound it: every array literal, `push`,
//! index or property assignment and native result is size-checked (`calc_data_sizes`),
//! which counts every element at every level against `max_array_size` and every map entry
//! against `max_map_size`. A value therefore nests at most `max_array_size + max_map_size`
//! levels, and each level costs at most a measured number of bytes of stack on Rhai's
//! deepest path. A run gets a stack that holds that many levels, reserved once per thread
//! (address space; pages are touched only as used) and reused by every later run.

use std::cell::RefCell;

use corosensei::stack::{DefaultStack, Stack};

use crate::config::ScriptLimits;

/// Stack bytes one level of nesting may take on Rhai's deepest path: a comparison or
/// printing of nested arrays goes through Rhai's function dispatch at each level.
/// Measured (`examples/nesting_probe.rs`, bisecting the depth that fits a given stack):
/// debug `to_string` 8.2 KiB, `==` 7.7 KiB, clone 1.3 KiB, map `to_json` 1.5 KiB per level;
/// release `==` 2.3 KiB, `to_string` 1.9 KiB. Half as much again is kept spare.
#[cfg(debug_assertions)]
const PER_LEVEL: usize = 12 << 10;
#[cfg(not(debug_assertions))]
const PER_LEVEL: usize = 4 << 10;

/// What a run needs besides its values' nesting: Rhai's own frames for nested script
/// function calls (`max_call_levels`) and expressions (`max_expr_depth`), and ours.
#[cfg(debug_assertions)]
const BASE: usize = 8 << 20;
#[cfg(not(debug_assertions))]
const BASE: usize = 4 << 20;

/// No stack is reserved beyond this (limits raised far past their defaults would ask for
/// more address space than a machine has): 4 GiB holds ~340k levels in debug, ~1M in
/// release.
const MAX_STACK: usize = 4 << 30;

thread_local! {
    /// This thread's script stack, once a script has run here; borrowed while a run uses it.
    static STACK: RefCell<Option<DefaultStack>> = const { RefCell::new(None) };
}

/// The stack a run under `limits` needs.
pub(crate) fn size_for(limits: &ScriptLimits) -> usize {
    let levels = limits
        .max_array_size
        .saturating_add(limits.max_map_size)
        .saturating_add(1);
    levels
        .saturating_mul(PER_LEVEL)
        .saturating_add(BASE)
        .min(MAX_STACK)
}

/// Runs `f` on this thread's script stack of at least `size` bytes (reserving it first if
/// this thread has none that large). A run inside a run (`f` reaching here again) is
/// already on that stack and runs in place. `None` when the stack cannot be reserved.
#[cfg_attr(
    loom,
    allow(dead_code, reason = "the loom models run scripts in place")
)]
pub(crate) fn run_on<R>(size: usize, f: impl FnOnce() -> R) -> Option<R> {
    STACK
        .try_with(|cell| match cell.try_borrow_mut() {
            Ok(mut slot) => reserve(&mut slot, size).map(|stack| corosensei::on_stack(stack, f)),
            // Borrowed: this is a run inside a run, already on the deep stack.
            Err(_) => Some(f()),
        })
        .ok()
        .flatten()
}

/// This thread's stack, replaced by a larger one when it is smaller than `size`.
fn reserve(slot: &mut Option<DefaultStack>, size: usize) -> Option<&mut DefaultStack> {
    let big_enough = slot
        .as_ref()
        .is_some_and(|s| s.base().get() - s.limit().get() >= size);
    if !big_enough {
        // The old one goes first, so both are never reserved at once.
        *slot = None;
        *slot = Some(DefaultStack::new(size).ok()?);
    }
    slot.as_mut()
}
