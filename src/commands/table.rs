//! [`Table`]: finding a command's row by name. The rows themselves come from every family
//! (see `crate::registry`); this is only the lookup structure, handed down in `Shared`.

use super::Spec;

/// Open addressing over the lowercase names, built once. A lookup hashes the name
/// case-insensitively in one pass (FNV-1a) and compares in place, so finding a command costs
/// no allocation and no lowercase copy.
pub(crate) struct Table {
    slots: Box<[Option<&'static Spec>]>,
    mask: usize,
    all: Vec<&'static Spec>,
    /// Each row's position in `all`, by the row's address (see [`Table::index_of`]).
    by_address: Box<[Option<(usize, usize)>]>,
}

/// Spreads a row's address over the slots (Fibonacci hashing; rows are 8-aligned).
fn address_hash(spec: &Spec) -> usize {
    let at = std::ptr::from_ref(spec) as usize;
    #[allow(
        clippy::cast_possible_truncation,
        reason = "on 32-bit targets the constant's low half still spreads the bits"
    )]
    let golden = 0x9E37_79B9_7F4A_7C15_u64 as usize;
    (at >> 3).wrapping_mul(golden)
}

fn name_hash(name: &[u8]) -> usize {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in name {
        h ^= u64::from(b.to_ascii_lowercase());
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    // Truncating on 32-bit targets is fine: only the low bits pick a slot.
    #[allow(clippy::cast_possible_truncation)]
    let folded = (h ^ (h >> 32)) as usize;
    folded
}

impl Table {
    /// A table of `specs` (names must be unique).
    pub(crate) fn new(specs: impl IntoIterator<Item = &'static Spec>) -> Table {
        let all: Vec<&'static Spec> = specs.into_iter().collect();
        let size = (all.len() * 4).next_power_of_two();
        let mut slots = vec![None; size].into_boxed_slice();
        for &spec in &all {
            let mut i = name_hash(spec.name.as_bytes()) & (size - 1);
            while slots[i].is_some() {
                i = (i + 1) & (size - 1);
            }
            slots[i] = Some(spec);
        }
        let mut by_address = vec![None; size].into_boxed_slice();
        for (index, &spec) in all.iter().enumerate() {
            let mut i = address_hash(spec) & (size - 1);
            while by_address[i].is_some() {
                i = (i + 1) & (size - 1);
            }
            by_address[i] = Some((std::ptr::from_ref(spec) as usize, index));
        }
        Table {
            slots,
            mask: size - 1,
            all,
            by_address,
        }
    }

    /// Finds a command by name, case-insensitively, without allocating.
    pub(crate) fn lookup(&self, name: &[u8]) -> Option<&'static Spec> {
        let mut i = name_hash(name) & self.mask;
        loop {
            let spec = self.slots[i]?;
            if spec.name.len() == name.len() && spec.name.as_bytes().eq_ignore_ascii_case(name) {
                return Some(spec);
            }
            i = (i + 1) & self.mask;
        }
    }

    /// The row's position in [`Table::iter`]'s order (what INFO's counters are indexed
    /// by), found from its address without hashing the name; [`Table::len`] for a row
    /// that is not in the table.
    #[inline]
    pub(crate) fn index_of(&self, spec: &Spec) -> usize {
        let at = std::ptr::from_ref(spec) as usize;
        let mut i = address_hash(spec) & self.mask;
        while let Some((addr, index)) = self.by_address[i] {
            if addr == at {
                return index;
            }
            i = (i + 1) & self.mask;
        }
        self.all.len()
    }

    /// How many commands there are.
    pub(crate) fn len(&self) -> usize {
        self.all.len()
    }

    /// Every command, in family order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &'static Spec> + '_ {
        self.all.iter().copied()
    }
}
