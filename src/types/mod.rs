//! Value types: what one key can hold.
//!
//! Byte strings are [`Bytes`], a small vector that keeps up to 16 bytes inline, so short keys,
//! values, fields and members cost no separate allocation. Containers are boxed to keep
//! [`Value`] (and so every shard slot) at 32 bytes whatever the type.

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasher, Hash};

use indexmap::{IndexMap, IndexSet};
use smallvec::SmallVec;

pub(crate) mod hll;
pub(crate) mod memsize;
pub(crate) mod zset;

pub(crate) use zset::ZSet;

/// A binary-safe byte string, inline up to 16 bytes.
pub(crate) type Bytes = SmallVec<[u8; 16]>;

/// The hasher for containers inside values (hash fields, set members).
pub(crate) type Hasher = foldhash::fast::RandomState;

/// A Redis hash. Dense storage (an index over a vector) gives HRANDFIELD O(1) random picks
/// and HSCAN a position cursor; fields are only ever removed with `swap_remove`, which keeps
/// that cursor's guarantee (see `commands::scan_and_sample`).
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

/// Containers give memory back as they empty, as Redis resizes its dicts: below a quarter of
/// its capacity a container shrinks to twice its length. A shrink's O(len) copy follows at
/// least len/2 removals since the last resize, so it costs O(1) amortized per removal, and a
/// container cut down holds memory for what it holds now, not for its peak. Commands call
/// this after they remove elements.
pub(crate) trait Shrink {
    fn shrink_if_sparse(&mut self);
}

/// Capacities up to this are kept: shrinking them would save little and cost a copy.
pub(crate) const MIN_CAPACITY: usize = 64;

/// The capacity to shrink to, when `len` elements sit in a sparse `capacity`.
pub(crate) fn shrunk_capacity(len: usize, capacity: usize) -> Option<usize> {
    (capacity > MIN_CAPACITY && len < capacity / 4).then(|| (len * 2).max(MIN_CAPACITY))
}

impl<K: Hash + Eq, V, S: BuildHasher> Shrink for IndexMap<K, V, S> {
    fn shrink_if_sparse(&mut self) {
        if let Some(to) = shrunk_capacity(self.len(), self.capacity()) {
            self.shrink_to(to);
        }
    }
}

impl<T: Hash + Eq, S: BuildHasher> Shrink for IndexSet<T, S> {
    fn shrink_if_sparse(&mut self) {
        if let Some(to) = shrunk_capacity(self.len(), self.capacity()) {
            self.shrink_to(to);
        }
    }
}

impl<K: Hash + Eq, V, S: BuildHasher> Shrink for HashMap<K, V, S> {
    fn shrink_if_sparse(&mut self) {
        if let Some(to) = shrunk_capacity(self.len(), self.capacity()) {
            self.shrink_to(to);
        }
    }
}

impl<T> Shrink for VecDeque<T> {
    fn shrink_if_sparse(&mut self) {
        if let Some(to) = shrunk_capacity(self.len(), self.capacity()) {
            self.shrink_to(to);
        }
    }
}

impl Value {
    /// Elements the container has room for (a string: its bytes), for tests of [`Shrink`].
    #[cfg(test)]
    pub(crate) fn capacity(&self) -> usize {
        match self {
            Value::Str(s) => s.capacity(),
            Value::List(l) => l.capacity(),
            Value::Hash(h) => h.capacity(),
            Value::Set(s) => s.capacity(),
            Value::ZSet(z) => z.capacity(),
        }
    }
}

/// Copies a byte slice into [`Bytes`].
pub(crate) fn bytes(b: &[u8]) -> Bytes {
    SmallVec::from_slice(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containers_cut_to_one_element_shrink() {
        let mut h = HashValue::default();
        let mut s = SetValue::default();
        let mut l = ListValue::default();
        for i in 0..10_000u32 {
            h.insert(bytes(&i.to_be_bytes()), Bytes::new());
            s.insert(bytes(&i.to_be_bytes()));
            l.push_back(Bytes::new());
        }
        for i in 1..10_000u32 {
            h.swap_remove(&i.to_be_bytes()[..]);
            h.shrink_if_sparse();
            s.swap_remove(&i.to_be_bytes()[..]);
            s.shrink_if_sparse();
            l.pop_back();
            l.shrink_if_sparse();
        }
        assert!(h.capacity() <= MIN_CAPACITY * 2, "{}", h.capacity());
        assert!(s.capacity() <= MIN_CAPACITY * 2, "{}", s.capacity());
        assert!(l.capacity() <= MIN_CAPACITY * 2, "{}", l.capacity());
        assert!(h.contains_key(&0u32.to_be_bytes()[..]) && s.contains(&0u32.to_be_bytes()[..]));
    }

    #[test]
    fn shrinking_waits_for_a_quarter() {
        assert_eq!(shrunk_capacity(10, 64), None);
        assert_eq!(shrunk_capacity(300, 1024), None);
        assert_eq!(shrunk_capacity(255, 1024), Some(510));
        assert_eq!(shrunk_capacity(1, 1024), Some(MIN_CAPACITY));
    }
}
