//! The MULTI queue: commands stored flat in one byte buffer.
//!
//! One buffer for all arguments (instead of a `Vec<Vec<u8>>` per command) keeps queueing to
//! amortised zero allocations, and `transaction()` reuses the same buffers across retries.

use smallvec::SmallVec;

use crate::commands::Spec;

/// Queued commands: every argument's bytes end to end, with where each ends.
#[derive(Default)]
pub(crate) struct Queue {
    bytes: Vec<u8>,
    /// End offset in `bytes` of each argument.
    arg_ends: Vec<usize>,
    /// Each command's spec and the index in `arg_ends` one past its last argument.
    cmds: Vec<(&'static Spec, usize)>,
}

impl Queue {
    pub(crate) fn push(&mut self, spec: &'static Spec, argv: &[&[u8]]) {
        for arg in argv {
            self.bytes.extend_from_slice(arg);
            self.arg_ends.push(self.bytes.len());
        }
        self.cmds.push((spec, self.arg_ends.len()));
    }

    pub(crate) fn len(&self) -> usize {
        self.cmds.len()
    }

    /// Empties the queue, keeping its buffers for the next one.
    pub(crate) fn clear(&mut self) {
        self.bytes.clear();
        self.arg_ends.clear();
        self.cmds.clear();
    }

    /// Each command with its argument vector (borrowed from the queue).
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&'static Spec, SmallVec<[&[u8]; 8]>)> {
        let mut first_arg = 0;
        self.cmds.iter().map(move |&(spec, end)| {
            let argv = (first_arg..end).map(|i| self.arg(i)).collect();
            first_arg = end;
            (spec, argv)
        })
    }

    fn arg(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.arg_ends[i - 1] };
        &self.bytes[start..self.arg_ends[i]]
    }
}
