//! The modelled commands: which family each belongs to, how it is written as arguments
//! and how it runs. Each family's rules live in its own file.

use arbitrary::{Arbitrary, Unstructured};

use super::alpha::{KEYS, line, some};
use super::hashes::HashOp;
use super::keys::KeyOp;
use super::lists::ListOp;
use super::sets::SetOp;
use super::strings::StrOp;
use super::{Model, Want};

/// A modelled command with its arguments.
#[derive(Clone, Debug)]
pub enum Op {
    Str(StrOp),
    Key(KeyOp),
    Hash(HashOp),
    List(ListOp),
    Set(SetOp),
    Multi,
    Exec,
    Discard,
    Watch(Vec<Vec<u8>>),
    Unwatch,
    /// A command outside the model, queued in MULTI: its reply is not predicted.
    Opaque,
}

impl<'a> Arbitrary<'a> for Op {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Op> {
        Ok(match u.int_in_range(0..=19)? {
            0..=2 => Op::Str(StrOp::draw(u)?),
            3 | 4 => Op::Key(KeyOp::draw(u)?),
            5..=7 => Op::Hash(HashOp::draw(u)?),
            8..=10 => Op::List(ListOp::draw(u)?),
            11..=13 => Op::Set(SetOp::draw(u)?),
            14 | 15 => Op::Multi,
            16 | 17 => Op::Exec,
            18 => Op::Discard,
            19 if u.ratio(1, 2)? => Op::Unwatch,
            _ => Op::Watch(some(u, KEYS)?),
        })
    }
}

impl Op {
    /// The command line sent to redlite.
    pub fn args(&self) -> Vec<Vec<u8>> {
        match self {
            Op::Str(op) => op.args(),
            Op::Key(op) => op.args(),
            Op::Hash(op) => op.args(),
            Op::List(op) => op.args(),
            Op::Set(op) => op.args(),
            Op::Multi => line("MULTI", []),
            Op::Exec => line("EXEC", []),
            Op::Discard => line("DISCARD", []),
            Op::Watch(ks) => line("WATCH", ks),
            Op::Unwatch => line("UNWATCH", []),
            Op::Opaque => line("PING", []),
        }
    }
}

impl Model {
    /// Runs a data op now (outside MULTI, or inside EXEC).
    pub(super) fn apply(&mut self, op: &Op) -> Want {
        match op {
            Op::Str(op) => Want::Exact(self.apply_str(op)),
            Op::Key(op) => Want::Exact(self.apply_key(op)),
            Op::Hash(op) => self.apply_hash(op),
            Op::List(op) => Want::Exact(self.apply_list(op)),
            Op::Set(op) => self.apply_set(op),
            // UNWATCH queued in MULTI: EXEC already unwatched.
            Op::Unwatch => Want::Exact(redlite::Reply::ok()),
            Op::Opaque => Want::Any,
            Op::Multi | Op::Exec | Op::Discard | Op::Watch(_) => {
                Want::Exact(redlite::Reply::error("ERR not a data op"))
            }
        }
    }
}
