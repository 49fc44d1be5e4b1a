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
        Table {
            slots,
            mask: size - 1,
            all,
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

    /// Every command, in family order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &'static Spec> + '_ {
        self.all.iter().copied()
    }
}
