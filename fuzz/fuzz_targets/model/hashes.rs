//! Hash commands: HSET HGET HDEL HLEN HEXISTS HINCRBY HGETALL.

use std::collections::BTreeMap;

use arbitrary::Unstructured;
use redlite::Reply;

use super::alpha::{
    FIELDS, NOT_INT, OVERFLOW, VALUES, key, line, pick, some, strict_int, wrongtype,
};
use super::{Model, Val, Want};

pub type Hash = BTreeMap<Vec<u8>, Vec<u8>>;

#[derive(Clone, Debug)]
pub enum HashOp {
    HSet(Vec<u8>, Vec<(Vec<u8>, Vec<u8>)>),
    HGet(Vec<u8>, Vec<u8>),
    HDel(Vec<u8>, Vec<Vec<u8>>),
    HLen(Vec<u8>),
    HExists(Vec<u8>, Vec<u8>),
    HIncrBy(Vec<u8>, Vec<u8>, Vec<u8>),
    HGetAll(Vec<u8>),
}

impl HashOp {
    pub fn draw(u: &mut Unstructured) -> arbitrary::Result<HashOp> {
        Ok(match u.int_in_range(0..=7)? {
            0 | 1 => {
                let k = key(u)?;
                let fields = some(u, FIELDS)?;
                let pairs = fields.into_iter().map(|f| Ok((f, pick(u, VALUES)?)));
                HashOp::HSet(k, pairs.collect::<arbitrary::Result<_>>()?)
            }
            2 => HashOp::HGet(key(u)?, pick(u, FIELDS)?),
            3 => HashOp::HDel(key(u)?, some(u, FIELDS)?),
            4 => HashOp::HLen(key(u)?),
            5 => HashOp::HExists(key(u)?, pick(u, FIELDS)?),
            6 => HashOp::HIncrBy(key(u)?, pick(u, FIELDS)?, pick(u, VALUES)?),
            _ => HashOp::HGetAll(key(u)?),
        })
    }

    pub fn args(&self) -> Vec<Vec<u8>> {
        match self {
            HashOp::HSet(k, pairs) => line(
                "HSET",
                std::iter::once(k).chain(pairs.iter().flat_map(|(f, v)| [f, v])),
            ),
            HashOp::HGet(k, f) => line("HGET", [k, f]),
            HashOp::HDel(k, fs) => line("HDEL", std::iter::once(k).chain(fs)),
            HashOp::HLen(k) => line("HLEN", [k]),
            HashOp::HExists(k, f) => line("HEXISTS", [k, f]),
            HashOp::HIncrBy(k, f, by) => line("HINCRBY", [k, f, by]),
            HashOp::HGetAll(k) => line("HGETALL", [k]),
        }
    }
}

impl Model {
    pub(super) fn apply_hash(&mut self, op: &HashOp) -> Want {
        let reply = match op {
            HashOp::HSet(k, pairs) => self.hset(k, pairs),
            HashOp::HGet(k, f) => match self.hash(k) {
                Ok(h) => h
                    .and_then(|h| h.get(f))
                    .map_or(Reply::Nil, |v| Reply::Bulk(v.clone())),
                Err(e) => e,
            },
            HashOp::HDel(k, fs) => self.hdel(k, fs),
            HashOp::HLen(k) => match self.hash(k) {
                Ok(h) => Reply::Integer(h.map_or(0, |h| h.len() as i64)),
                Err(e) => e,
            },
            HashOp::HExists(k, f) => match self.hash(k) {
                Ok(h) => Reply::Integer(h.is_some_and(|h| h.contains_key(f)).into()),
                Err(e) => e,
            },
            HashOp::HIncrBy(k, f, by) => self.hincrby(k, f, by),
            HashOp::HGetAll(k) => {
                return match self.hash(k) {
                    Ok(h) => Want::Pairs(
                        h.map(|h| h.clone().into_iter().collect())
                            .unwrap_or_default(),
                    ),
                    Err(e) => Want::Exact(e),
                };
            }
        };
        Want::Exact(reply)
    }

    /// The hash at `k`: `None` if absent, WRONGTYPE if another type.
    fn hash(&self, k: &[u8]) -> Result<Option<&Hash>, Reply> {
        match self.data.get(k) {
            None => Ok(None),
            Some(Val::Hash(h)) => Ok(Some(h)),
            Some(_) => Err(wrongtype()),
        }
    }

    fn hash_mut(&mut self, k: &[u8]) -> Result<Option<&mut Hash>, Reply> {
        match self.data.get_mut(k) {
            None => Ok(None),
            Some(Val::Hash(h)) => Ok(Some(h)),
            Some(_) => Err(wrongtype()),
        }
    }

    /// The hash at `k`, created empty if absent: callers always add to it.
    fn hash_or_new(&mut self, k: &[u8]) -> Result<&mut Hash, Reply> {
        match self
            .data
            .entry(k.to_vec())
            .or_insert_with(|| Val::Hash(Hash::new()))
        {
            Val::Hash(h) => Ok(h),
            _ => Err(wrongtype()),
        }
    }

    /// HSET signals even when every value was already there.
    fn hset(&mut self, k: &[u8], pairs: &[(Vec<u8>, Vec<u8>)]) -> Reply {
        let h = match self.hash_or_new(k) {
            Ok(h) => h,
            Err(e) => return e,
        };
        let added = pairs
            .iter()
            .filter(|(f, v)| h.insert(f.clone(), v.clone()).is_none())
            .count();
        self.signal(k);
        Reply::Integer(added as i64)
    }

    fn hdel(&mut self, k: &[u8], fs: &[Vec<u8>]) -> Reply {
        let removed = match self.hash_mut(k) {
            Ok(Some(h)) => fs.iter().filter(|f| h.remove(*f).is_some()).count(),
            Ok(None) => 0,
            Err(e) => return e,
        };
        if removed > 0 {
            self.signal(k);
            self.remove_if_empty(k);
        }
        Reply::Integer(removed as i64)
    }

    /// The increment is parsed before the key's type is checked.
    fn hincrby(&mut self, k: &[u8], f: &[u8], by: &[u8]) -> Reply {
        let Some(by) = strict_int(by) else {
            return Reply::error(NOT_INT);
        };
        let h = match self.hash_or_new(k) {
            Ok(h) => h,
            Err(e) => return e,
        };
        let current = match h.get(f) {
            None => 0,
            Some(v) => match strict_int(v) {
                Some(n) => n,
                None => return Reply::error("ERR hash value is not an integer"),
            },
        };
        let Some(new) = current.checked_add(by) else {
            return Reply::error(OVERFLOW);
        };
        h.insert(f.to_vec(), new.to_string().into_bytes());
        self.signal(k);
        Reply::Integer(new)
    }
}
