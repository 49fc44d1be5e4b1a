//! Lua's garbage collector, stepped before a run takes its locks rather than inside it.
//!
//! Lua 5.1 collects incrementally: whenever its byte count passes a threshold, the
//! allocation that passed it runs a step of the collector (then the threshold moves 1 KiB
//! on, or, when the step ended a cycle, to twice what is live). A script run allocates a
//! little (a bulk reply's string, a status reply's `{ok = ..}` table), so about one run in
//! seven paid a whole step (~6k instructions, ~850 per run on average) while holding its
//! shard locks: on a hot key that is time every other caller waits through.
//!
//! [`Ahead::step`] runs that step while the thread's EVALSHA plans its locks (nothing is
//! held), shortly before Lua itself would: when the count is within [`HEADROOM`] bytes of
//! where the threshold will be. A run that allocates less than that then finds no step due.
//! The collector itself is untouched (never stopped, same pace per cycle), so memory use,
//! the memory limit and what a run can allocate stay as they were; a run that allocates
//! more still steps inside itself, as before.

use mlua::Lua;

/// How far ahead of Lua's own threshold the step is taken: room for what one ordinary run
/// allocates (the guide's increment: ~150 bytes).
const HEADROOM: usize = 512;

/// Where Lua moves its threshold after a step that did not end a cycle (`GCSTEPSIZE`).
const STEP_BYTES: usize = 1024;

/// Lua 5.1's default pause (`LUAI_GCPAUSE`, 200%): after a cycle, the next one starts
/// when the count reaches this many percent of what was live.
const PAUSE_PERCENT: usize = 200;

/// When the next step is due, by the state's byte count.
#[derive(Default)]
pub(crate) struct Ahead {
    due: usize,
}

impl Ahead {
    /// Runs one collector step if Lua's own is near; call it with no lock held and no Lua
    /// code running on `lua`.
    pub(crate) fn step(&mut self, lua: &Lua) {
        if lua.used_memory() < self.due {
            return;
        }
        let ended_cycle = lua.gc_step().unwrap_or(false);
        let used = lua.used_memory();
        let next = if ended_cycle {
            used.saturating_mul(PAUSE_PERCENT) / 100
        } else {
            used.saturating_add(STEP_BYTES)
        };
        self.due = next.saturating_sub(HEADROOM);
    }
}

#[cfg(test)]
mod tests {
    use mlua::Lua;

    use super::Ahead;

    /// Leaves `n` unreachable strings of `len` bytes in `lua` (distinct: Lua keeps one
    /// copy of equal strings).
    fn garbage(lua: &Lua, n: usize, len: usize) {
        for i in 0..n {
            let _ = lua.create_string(format!("{i:0len$}{}", fastrand::u64(..)));
        }
    }

    #[test]
    fn steps_taken_ahead_alone_collect_the_garbage() {
        let lua = Lua::new();
        // Lua's own steps off: only `Ahead` collects here.
        lua.gc_stop();
        garbage(&lua, 2_000, 100);
        let peak = lua.used_memory();
        let mut ahead = Ahead::default();
        for _ in 0..20_000 {
            garbage(&lua, 1, 100);
            ahead.step(&lua);
        }
        assert!(
            lua.used_memory() < peak,
            "{} bytes used, {peak} before",
            lua.used_memory()
        );
    }

    #[test]
    fn no_step_is_taken_again_until_one_is_due() {
        let lua = Lua::new();
        let mut ahead = Ahead::default();
        garbage(&lua, 100, 50);
        ahead.step(&lua);
        assert!(ahead.due > lua.used_memory(), "a step was just taken");
        let before = ahead.due;
        ahead.step(&lua);
        assert_eq!(ahead.due, before, "not due yet: nothing done");
    }
}
