//! What a value costs in heap bytes: an O(1) estimate, kept exact for strings.
//!
//! The keyspace counts memory by adding the estimate of each value as it is stored and
//! subtracting it as the value changes or goes (see `keyspace::shard`), so every write costs
//! O(1) whatever the size of the container, and the running total stays equal to the sum of
//! the estimates of what is stored. A container's estimate is its tables, sized from their
//! capacities, plus its elements' out-of-line bytes, read from a few elements at fixed
//! positions and scaled by the length (as Redis's `MEMORY USAGE` samples 5 elements).
//! The positions are fixed, not random, so the same container always gets the same figure.

use std::mem::size_of;

use super::{Bytes, Value, ZSet};

/// Elements looked at per container by the running accounting.
pub(crate) const ACCOUNTING_SAMPLES: usize = 4;

/// Bytes glibc's malloc takes for a request of `n` bytes: a 16-aligned chunk with its 8-byte
/// header, 32 at least.
pub(crate) const fn malloc_size(n: usize) -> usize {
    if n == 0 {
        return 0;
    }
    let chunk = (n + 8 + 15) & !15;
    if chunk < 32 { 32 } else { chunk }
}

/// Heap bytes of one byte string: nothing while it fits inline.
#[inline]
pub(crate) fn bytes_heap(b: &Bytes) -> usize {
    if b.spilled() {
        malloc_size(b.capacity())
    } else {
        0
    }
}

/// Heap bytes of a key of `len` bytes, stored as [`Bytes`] (inline up to 16).
pub(crate) const fn key_heap(len: usize) -> usize {
    if len > 16 { malloc_size(len) } else { 0 }
}

/// Heap bytes of a hashbrown table with room for `capacity` items of `item` bytes: its
/// buckets (a power of two, 7/8 full at most) and one control byte each, plus 16.
pub(crate) fn hash_table(capacity: usize, item: usize) -> usize {
    if capacity == 0 {
        return 0;
    }
    let buckets = if capacity < 8 {
        if capacity < 4 { 4 } else { 8 }
    } else {
        (capacity * 8 / 7).next_power_of_two()
    };
    malloc_size(buckets * (item + 1) + 16)
}

/// An `IndexMap`/`IndexSet` of `capacity` entries of `entry` bytes (hash included).
fn index_table(capacity: usize, entry: usize) -> usize {
    if capacity == 0 {
        return 0;
    }
    hash_table(capacity, size_of::<usize>()) + malloc_size(capacity * entry)
}

/// Average out-of-line bytes of the elements at fixed positions, times `len`. `samples`
/// of 0 reads every element (`MEMORY USAGE .. SAMPLES 0`).
fn scaled<'a>(len: usize, samples: usize, at: impl Fn(usize) -> Option<&'a Bytes>) -> usize {
    if len == 0 {
        return 0;
    }
    let n = if samples == 0 { len } else { samples.min(len) };
    let mut sum = 0usize;
    for j in 0..n {
        // Spread over the container: first, last and evenly in between.
        let i = if n == 1 { 0 } else { j * (len - 1) / (n - 1) };
        sum += at(i).map_or(0, bytes_heap);
    }
    sum / n * len + (sum % n) * len / n
}

impl Value {
    /// The value's heap bytes, from `samples` elements of a container (0: all of them).
    #[inline]
    pub(crate) fn heap_size(&self, samples: usize) -> usize {
        match self {
            Value::Str(b) => bytes_heap(b),
            _ => self.container_heap(samples),
        }
    }

    #[inline(never)]
    fn container_heap(&self, samples: usize) -> usize {
        const BYTES: usize = size_of::<Bytes>();
        match self {
            Value::Str(b) => bytes_heap(b),
            Value::List(l) => {
                let elements = scaled(l.len(), samples, |i| l.get(i));
                malloc_size(size_of::<super::ListValue>())
                    + malloc_size(l.capacity() * BYTES)
                    + elements
            }
            Value::Hash(h) => {
                let fields = scaled(h.len(), samples, |i| h.get_index(i).map(|(k, _)| k));
                let values = scaled(h.len(), samples, |i| h.get_index(i).map(|(_, v)| v));
                malloc_size(size_of::<super::HashValue>())
                    + index_table(h.capacity(), 2 * BYTES + 8)
                    + fields
                    + values
            }
            Value::Set(s) => {
                let members = scaled(s.len(), samples, |i| s.get_index(i));
                malloc_size(size_of::<super::SetValue>())
                    + index_table(s.capacity(), BYTES + 8)
                    + members
            }
            Value::ZSet(z) => zset_heap(z, samples),
        }
    }
}

fn zset_heap(z: &ZSet, samples: usize) -> usize {
    let (map_capacity, nodes_capacity, free_capacity) = z.capacities();
    // Each member is stored twice: as the score map's key and in its tree node.
    let members = 2 * scaled(z.len(), samples, |i| z.member_at_slot(i));
    malloc_size(size_of::<ZSet>())
        + hash_table(map_capacity, size_of::<Bytes>() + 8)
        + malloc_size(nodes_capacity * ZSet::NODE_BYTES)
        + malloc_size(free_capacity * 4)
        + members
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::bytes;

    #[test]
    fn a_short_string_costs_no_heap_and_a_long_one_its_chunk() {
        assert_eq!(Value::Str(bytes(b"0123456789abcdef")).heap_size(5), 0);
        assert_eq!(Value::Str(bytes(&[b'x'; 100])).heap_size(5), 112);
    }

    #[test]
    fn sampling_every_element_of_a_uniform_list_matches_a_few() {
        let mut l = crate::types::ListValue::new();
        for _ in 0..1000 {
            l.push_back(bytes(&[b'y'; 40]));
        }
        let v = Value::List(Box::new(l));
        assert_eq!(v.heap_size(0), v.heap_size(ACCOUNTING_SAMPLES));
    }
}
