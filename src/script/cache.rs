//! Compiled scripts by SHA1: EVAL entries are bounded (least recently used evicted, as in
//! Redis 7.4); SCRIPT LOAD entries stay until SCRIPT FLUSH.
//!
//! Lookups take a read lock and stamp the entry's last use with an atomic (only when it is
//! not already the most recently used, so a script run over and over writes nothing
//! shared), so EVALSHA on many threads never serialises on the cache; only adding or
//! flushing takes the write lock. Every removal advances the cache's generation, which lets
//! a thread keep the script it ran last and trust it while the generation stands.

use std::collections::HashMap;

use rhai::AST;
use sha1::{Digest, Sha1};

use super::shebang::Flags;
use crate::sync::{Arc, AtomicU64, Ordering, RwLock};

/// A SHA1 as 40 lowercase hex digits.
pub(crate) type Sha = [u8; 40];

/// What runs: a Rhai AST (shared by every thread), or Lua source that each thread's Lua
/// state compiles once (a Lua state belongs to one thread).
pub(crate) enum Body {
    Rhai(AST),
    #[cfg(feature = "lua")]
    Lua(super::lua::Chunk),
}

/// A script ready to run.
pub(crate) struct Compiled {
    pub(crate) sha: Sha,
    pub(crate) body: Body,
    pub(crate) flags: Flags,
    /// The cache's clock at its last use (least recently used EVAL entries are evicted).
    used: AtomicU64,
}

impl Compiled {
    pub(crate) fn new(sha: Sha, body: Body, flags: Flags) -> Compiled {
        Compiled {
            sha,
            body,
            flags,
            used: AtomicU64::new(0),
        }
    }

    pub(crate) fn sha_str(&self) -> &str {
        std::str::from_utf8(&self.sha).unwrap_or("")
    }
}

struct Slot {
    script: Arc<Compiled>,
    /// Added (or later loaded) by SCRIPT LOAD: never evicted.
    pinned: bool,
}

pub(crate) struct Cache {
    slots: RwLock<HashMap<Sha, Slot, foldhash::fast::RandomState>>,
    clock: AtomicU64,
    /// Advanced by every removal (eviction, SCRIPT FLUSH).
    generation: AtomicU64,
    /// Most unpinned (EVAL) entries kept.
    capacity: usize,
}

/// The SHA1 of `bytes` in lowercase hex.
pub(crate) fn sha1_hex(bytes: &[u8]) -> Sha {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha1::digest(bytes);
    let mut out = [0u8; 40];
    for (i, b) in digest.iter().enumerate() {
        out[2 * i] = HEX[usize::from(b >> 4)];
        out[2 * i + 1] = HEX[usize::from(b & 15)];
    }
    out
}

/// `text` as a cache key: SHA1s are matched case-insensitively; anything not 40 bytes long
/// matches nothing.
pub(crate) fn normalize(text: &[u8]) -> Option<Sha> {
    let mut sha: Sha = text.try_into().ok()?;
    sha.make_ascii_lowercase();
    Some(sha)
}

impl Cache {
    pub(crate) fn new(capacity: usize) -> Cache {
        Cache {
            slots: RwLock::new(HashMap::default()),
            clock: AtomicU64::new(0),
            generation: AtomicU64::new(0),
            capacity,
        }
    }

    fn tick(&self) -> u64 {
        self.clock.fetch_add(1, Ordering::Relaxed)
    }

    /// The generation now: a script found at this generation is still cached while it
    /// stands.
    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    fn removed(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// Marks `script` used now. Stamps are unique ticks, so one holding the newest
    /// (`clock - 1`) is already the most recently used: leave it, writing nothing shared.
    pub(crate) fn touch(&self, script: &Compiled) {
        let newest = self.clock.load(Ordering::Relaxed).wrapping_sub(1);
        if script.used.load(Ordering::Relaxed) != newest {
            script.used.store(self.tick(), Ordering::Relaxed);
        }
    }

    /// The script with this SHA1 (any letter case), marking it used.
    pub(crate) fn get(&self, sha: &[u8]) -> Option<Arc<Compiled>> {
        let sha = normalize(sha)?;
        let slots = self.slots.read();
        let slot = slots.get(&sha)?;
        self.touch(&slot.script);
        Some(slot.script.clone())
    }

    /// The script with this SHA1, now pinned (SCRIPT LOAD of a script already cached).
    pub(crate) fn pin(&self, sha: &[u8]) -> Option<Arc<Compiled>> {
        let sha = normalize(sha)?;
        let mut slots = self.slots.write();
        let slot = slots.get_mut(&sha)?;
        slot.pinned = true;
        self.touch(&slot.script);
        Some(slot.script.clone())
    }

    /// Scripts cached now (INFO's `number_of_cached_scripts`).
    pub(crate) fn len(&self) -> usize {
        self.slots.read().len()
    }

    pub(crate) fn contains(&self, sha: &[u8]) -> bool {
        normalize(sha).is_some_and(|sha| self.slots.read().contains_key(&sha))
    }

    /// Adds a compiled script (or returns the one already there). `pin` is SCRIPT LOAD:
    /// it also pins an entry that EVAL added before.
    pub(crate) fn insert(&self, script: Compiled, pin: bool) -> Arc<Compiled> {
        let mut slots = self.slots.write();
        if let Some(slot) = slots.get_mut(&script.sha) {
            slot.pinned |= pin;
            return slot.script.clone();
        }
        if !pin {
            self.evict_for_one(&mut slots);
        }
        let sha = script.sha;
        script.used.store(self.tick(), Ordering::Relaxed);
        let script = Arc::new(script);
        let slot = Slot {
            script: script.clone(),
            pinned: pin,
        };
        slots.insert(sha, slot);
        script
    }

    /// Makes room for one more EVAL entry by dropping the least recently used ones.
    fn evict_for_one(&self, slots: &mut HashMap<Sha, Slot, foldhash::fast::RandomState>) {
        loop {
            let unpinned = slots.values().filter(|s| !s.pinned);
            if unpinned.count() < self.capacity {
                return;
            }
            let oldest = slots
                .iter()
                .filter(|(_, s)| !s.pinned)
                .min_by_key(|(_, s)| s.script.used.load(Ordering::Relaxed))
                .map(|(sha, _)| *sha);
            match oldest {
                Some(sha) => slots.remove(&sha),
                None => return,
            };
            self.removed();
        }
    }

    /// SCRIPT FLUSH. The table is replaced, not cleared: a cache that once held many
    /// loaded scripts gives their slots back too.
    pub(crate) fn flush(&self) {
        *self.slots.write() = HashMap::default();
        self.removed();
    }
}
