//! Keyspace notifications: a [`Listener`] of the effects path that publishes each recorded
//! event on `__keyspace@0__:<key>` and `__keyevent@0__:<event>`, as Redis's
//! `notifyKeyspaceEvent` does.
//!
//! Batches reach listeners after the command, EXEC or script ran and before its locks drop,
//! so the events of one EXEC or script are published together, in command order, and after
//! it committed. With notifications off the notifier is not registered at all, so writes
//! record nothing for it.

use std::sync::atomic::{AtomicU32, Ordering};

use super::pubsub::PubSub;
use crate::effects::{Batch, EventClass, Listener};

/// Redis's class bits (`server.h` `NOTIFY_*`).
const KEYSPACE: u32 = 1 << 0;
const KEYEVENT: u32 = 1 << 1;
const GENERIC: u32 = 1 << 2;
const STRING: u32 = 1 << 3;
const LIST: u32 = 1 << 4;
const SET: u32 = 1 << 5;
const HASH: u32 = 1 << 6;
const ZSET: u32 = 1 << 7;
const EXPIRED: u32 = 1 << 8;
const EVICTED: u32 = 1 << 9;
const STREAM: u32 = 1 << 10;
const KEY_MISS: u32 = 1 << 11;
const MODULE: u32 = 1 << 13;
const NEW: u32 = 1 << 14;
/// `A`: every class but key misses and new keys.
const ALL: u32 = GENERIC | STRING | LIST | SET | HASH | ZSET | EXPIRED | EVICTED | STREAM | MODULE;

/// The error text of an unknown letter, Redis's.
pub(crate) const BAD_CLASS: &str = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";

/// `notify-keyspace-events` letters to class bits, as Redis's `keyspaceEventsStringToFlags`;
/// `None` when a letter is unknown.
pub(crate) fn parse_flags(classes: &str) -> Option<u32> {
    classes.chars().try_fold(0, |flags, c| {
        let bit = match c {
            'A' => ALL,
            'g' => GENERIC,
            '$' => STRING,
            'l' => LIST,
            's' => SET,
            'h' => HASH,
            'z' => ZSET,
            'x' => EXPIRED,
            'e' => EVICTED,
            'K' => KEYSPACE,
            'E' => KEYEVENT,
            't' => STREAM,
            'm' => KEY_MISS,
            'd' => MODULE,
            'n' => NEW,
            _ => return None,
        };
        Some(flags | bit)
    })
}

/// Class bits back to letters, as Redis's `keyspaceEventsFlagsToString` (CONFIG GET).
pub(crate) fn flags_to_string(flags: u32) -> String {
    let mut out = String::new();
    if flags & ALL == ALL {
        out.push('A');
    } else {
        let letters = [
            (GENERIC, 'g'),
            (STRING, '$'),
            (LIST, 'l'),
            (SET, 's'),
            (HASH, 'h'),
            (ZSET, 'z'),
            (EXPIRED, 'x'),
            (EVICTED, 'e'),
            (STREAM, 't'),
            (MODULE, 'd'),
            (NEW, 'n'),
        ];
        out.extend(
            letters
                .iter()
                .filter(|(b, _)| flags & b != 0)
                .map(|(_, c)| *c),
        );
    }
    for (bit, c) in [(KEYSPACE, 'K'), (KEYEVENT, 'E'), (KEY_MISS, 'm')] {
        if flags & bit != 0 {
            out.push(c);
        }
    }
    out
}

fn class_bit(class: EventClass) -> u32 {
    match class {
        EventClass::Generic => GENERIC,
        EventClass::String => STRING,
        EventClass::List => LIST,
        EventClass::Set => SET,
        EventClass::Hash => HASH,
        EventClass::ZSet => ZSET,
        EventClass::Expired => EXPIRED,
        EventClass::Evicted => EVICTED,
        EventClass::New => NEW,
    }
}

/// Publishes keyspace notifications for the classes in `flags`.
pub(crate) struct Notifier {
    pub(crate) flags: AtomicU32,
    pubsub: std::sync::Arc<PubSub>,
}

impl Notifier {
    pub(crate) fn new(flags: u32, pubsub: std::sync::Arc<PubSub>) -> Notifier {
        Notifier {
            flags: AtomicU32::new(flags),
            pubsub,
        }
    }
}

/// Whether anything would ever be published for `flags`: a class and a channel kind.
pub(crate) fn publishes(flags: u32) -> bool {
    flags & (KEYSPACE | KEYEVENT) != 0 && flags & !(KEYSPACE | KEYEVENT | KEY_MISS) != 0
}

impl Listener for Notifier {
    fn on_batch(&self, batch: &Batch) {
        let flags = self.flags.load(Ordering::Relaxed);
        let mut channel = Vec::new();
        for e in batch.events() {
            if flags & class_bit(e.event().class()) == 0 {
                continue;
            }
            let name = e.event().name().as_bytes();
            let db = e.db().to_string();
            if flags & KEYSPACE != 0 {
                channel.clear();
                channel.extend_from_slice(b"__keyspace@");
                channel.extend_from_slice(db.as_bytes());
                channel.extend_from_slice(b"__:");
                channel.extend_from_slice(e.key());
                self.pubsub.publish(&channel, name);
            }
            if flags & KEYEVENT != 0 {
                channel.clear();
                channel.extend_from_slice(b"__keyevent@");
                channel.extend_from_slice(db.as_bytes());
                channel.extend_from_slice(b"__:");
                channel.extend_from_slice(name);
                self.pubsub.publish(&channel, e.key());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_letters_read_and_print_as_redis_does() {
        assert_eq!(
            parse_flags("KEA").map(flags_to_string).as_deref(),
            Some("AKE")
        );
        assert_eq!(
            parse_flags("Elg").map(flags_to_string).as_deref(),
            Some("glE")
        );
        assert_eq!(
            parse_flags("Kn").map(flags_to_string).as_deref(),
            Some("nK")
        );
        assert_eq!(
            parse_flags("Am").map(flags_to_string).as_deref(),
            Some("Am")
        );
        assert_eq!(parse_flags(""), Some(0));
        assert_eq!(parse_flags("KEq"), None);
    }

    #[test]
    fn nothing_is_published_without_a_channel_kind_and_a_class() {
        assert!(!publishes(parse_flags("A").unwrap_or(0)));
        assert!(!publishes(parse_flags("KE").unwrap_or(0)));
        assert!(publishes(parse_flags("Kx").unwrap_or(0)));
    }
}
