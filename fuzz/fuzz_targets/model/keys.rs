//! Key commands: DEL EXISTS TYPE FLUSHALL.

use arbitrary::Unstructured;
use redlite::Reply;

use super::Model;
use super::alpha::{KEYS, key, line, some};

#[derive(Clone, Debug)]
pub enum KeyOp {
    Del(Vec<Vec<u8>>),
    Exists(Vec<Vec<u8>>),
    Type(Vec<u8>),
    FlushAll,
}

impl KeyOp {
    pub fn draw(u: &mut Unstructured) -> arbitrary::Result<KeyOp> {
        Ok(match u.int_in_range(0..=7)? {
            0 | 1 => KeyOp::Del(some(u, KEYS)?),
            2 | 3 => KeyOp::Exists(some(u, KEYS)?),
            // FLUSHALL empties everything: rare, so that state builds up.
            4 if u.ratio(1, 4)? => KeyOp::FlushAll,
            _ => KeyOp::Type(key(u)?),
        })
    }

    pub fn args(&self) -> Vec<Vec<u8>> {
        match self {
            KeyOp::Del(ks) => line("DEL", ks),
            KeyOp::Exists(ks) => line("EXISTS", ks),
            KeyOp::Type(k) => line("TYPE", [k]),
            KeyOp::FlushAll => line("FLUSHALL", []),
        }
    }
}

impl Model {
    pub(super) fn apply_key(&mut self, op: &KeyOp) -> Reply {
        match op {
            KeyOp::Del(ks) => {
                let mut n = 0;
                for k in ks {
                    if self.data.remove(k).is_some() {
                        self.signal(k);
                        n += 1;
                    }
                }
                Reply::Integer(n)
            }
            // A key named twice counts twice.
            KeyOp::Exists(ks) => {
                Reply::Integer(ks.iter().filter(|k| self.data.contains_key(*k)).count() as i64)
            }
            KeyOp::Type(k) => Reply::status(self.data.get(k).map_or("none", |v| v.type_name())),
            // Only keys that existed are touched.
            KeyOp::FlushAll => {
                let keys: Vec<Vec<u8>> = self.data.drain().map(|(k, _)| k).collect();
                keys.iter().for_each(|k| self.signal(k));
                Reply::ok()
            }
        }
    }
}
