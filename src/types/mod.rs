//! Value types: what one key can hold.
//!
//! Byte strings are [`Bytes`], a small vector that keeps up to 16 bytes inline, so short keys,
//! values, fields and members cost no separate allocation. Containers are boxed to keep
//! [`Value`] (and so every shard slot) at 32 bytes whatever the type.

use std::collections::VecDeque;

use indexmap::{IndexMap, IndexSet};
use smallvec::SmallVec;

pub(crate) mod zset;

pub(crate) use zset::ZSet;

/// A binary-safe byte string, inline up to 16 bytes.
pub(crate) type Bytes = SmallVec<[u8; 16]>;

/// The hasher for containers inside values (hash fields, set members).
pub(crate) type Hasher = foldhash::fast::RandomState;

/// A Redis hash. Dense storage (an index over a vector) gives HRANDFIELD O(1) random picks
/// and HSCAN a position cursor; fields are only ever removed with `swap_remove`, which keeps
/// that cursor's guarantee (see `commands::elemscan`).
pub(crate) type HashValue = IndexMap<Bytes, Bytes, Hasher>;
/// A Redis set, dense for the same reasons as [`HashValue`] (SRANDMEMBER, SPOP, SSCAN).
pub(crate) type SetValue = IndexSet<Bytes, Hasher>;
/// A Redis list: O(1) push and pop at both ends.
pub(crate) type ListValue = VecDeque<Bytes>;

/// What a key holds.
#[derive(Clone, Debug)]
pub(crate) enum Value {
    Str(Bytes),
    List(Box<ListValue>),
    Hash(Box<HashValue>),
    Set(Box<SetValue>),
    ZSet(Box<ZSet>),
}

impl Value {
    /// The name TYPE replies and SCAN's TYPE filter matches.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "string",
            Value::List(_) => "list",
            Value::Hash(_) => "hash",
            Value::Set(_) => "set",
            Value::ZSet(_) => "zset",
        }
    }

    /// True for a container with no elements: Redis deletes such keys.
    pub(crate) fn is_empty_container(&self) -> bool {
        match self {
            Value::Str(_) => false,
            Value::List(l) => l.is_empty(),
            Value::Hash(h) => h.is_empty(),
            Value::Set(s) => s.is_empty(),
            Value::ZSet(z) => z.is_empty(),
        }
    }
}

/// Copies a byte slice into [`Bytes`].
pub(crate) fn bytes(b: &[u8]) -> Bytes {
    SmallVec::from_slice(b)
}
