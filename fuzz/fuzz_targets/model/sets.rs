//! Set commands: SADD SREM SISMEMBER SCARD SMEMBERS SMOVE.

use std::collections::BTreeSet;

use arbitrary::Unstructured;
use redlite::Reply;

use super::alpha::{ELEMS, key, line, pick, some, wrongtype};
use super::{Model, Val, Want};

pub type Set = BTreeSet<Vec<u8>>;

#[derive(Clone, Debug)]
pub enum SetOp {
    SAdd(Vec<u8>, Vec<Vec<u8>>),
    SRem(Vec<u8>, Vec<Vec<u8>>),
    SIsMember(Vec<u8>, Vec<u8>),
    SCard(Vec<u8>),
    SMembers(Vec<u8>),
    /// Source, destination, member.
    SMove(Vec<u8>, Vec<u8>, Vec<u8>),
}

impl SetOp {
    pub fn draw(u: &mut Unstructured) -> arbitrary::Result<SetOp> {
        Ok(match u.int_in_range(0..=6)? {
            0 | 1 => SetOp::SAdd(key(u)?, some(u, ELEMS)?),
            2 => SetOp::SRem(key(u)?, some(u, ELEMS)?),
            3 => SetOp::SIsMember(key(u)?, pick(u, ELEMS)?),
            4 => SetOp::SCard(key(u)?),
            5 => SetOp::SMembers(key(u)?),
            _ => SetOp::SMove(key(u)?, key(u)?, pick(u, ELEMS)?),
        })
    }

    pub fn args(&self) -> Vec<Vec<u8>> {
        match self {
            SetOp::SAdd(k, ms) => line("SADD", std::iter::once(k).chain(ms)),
            SetOp::SRem(k, ms) => line("SREM", std::iter::once(k).chain(ms)),
            SetOp::SIsMember(k, m) => line("SISMEMBER", [k, m]),
            SetOp::SCard(k) => line("SCARD", [k]),
            SetOp::SMembers(k) => line("SMEMBERS", [k]),
            SetOp::SMove(src, dst, m) => line("SMOVE", [src, dst, m]),
        }
    }
}

impl Model {
    pub(super) fn apply_set(&mut self, op: &SetOp) -> Want {
        let reply = match op {
            SetOp::SAdd(k, ms) => self.sadd(k, ms),
            SetOp::SRem(k, ms) => self.srem(k, ms),
            SetOp::SIsMember(k, m) => match self.set(k) {
                Ok(s) => Reply::Integer(s.is_some_and(|s| s.contains(m)).into()),
                Err(e) => e,
            },
            SetOp::SCard(k) => match self.set(k) {
                Ok(s) => Reply::Integer(s.map_or(0, |s| s.len() as i64)),
                Err(e) => e,
            },
            SetOp::SMembers(k) => {
                return match self.set(k) {
                    Ok(s) => {
                        Want::Members(s.map(|s| s.iter().cloned().collect()).unwrap_or_default())
                    }
                    Err(e) => Want::Exact(e),
                };
            }
            SetOp::SMove(src, dst, m) => self.smove(src, dst, m),
        };
        Want::Exact(reply)
    }

    /// The set at `k`: `None` if absent, WRONGTYPE if another type.
    fn set(&self, k: &[u8]) -> Result<Option<&Set>, Reply> {
        match self.data.get(k) {
            None => Ok(None),
            Some(Val::Set(s)) => Ok(Some(s)),
            Some(_) => Err(wrongtype()),
        }
    }

    fn set_mut(&mut self, k: &[u8]) -> Result<Option<&mut Set>, Reply> {
        match self.data.get_mut(k) {
            None => Ok(None),
            Some(Val::Set(s)) => Ok(Some(s)),
            Some(_) => Err(wrongtype()),
        }
    }

    /// Adding only members already there is no write.
    fn sadd(&mut self, k: &[u8], ms: &[Vec<u8>]) -> Reply {
        let entry = self.data.entry(k.to_vec());
        let Val::Set(s) = entry.or_insert_with(|| Val::Set(Set::new())) else {
            return wrongtype();
        };
        let added = ms.iter().filter(|m| s.insert(m.to_vec())).count();
        if added > 0 {
            self.signal(k);
        }
        Reply::Integer(added as i64)
    }

    fn srem(&mut self, k: &[u8], ms: &[Vec<u8>]) -> Reply {
        let removed = match self.set_mut(k) {
            Ok(Some(s)) => ms.iter().filter(|m| s.remove(*m)).count(),
            Ok(None) => 0,
            Err(e) => return e,
        };
        if removed > 0 {
            self.signal(k);
            self.remove_if_empty(k);
        }
        Reply::Integer(removed as i64)
    }

    /// As Redis's smoveCommand: a missing source answers 0 before any type check; the
    /// destination is touched only if the member was new to it.
    fn smove(&mut self, src: &[u8], dst: &[u8], m: &[u8]) -> Reply {
        if !self.data.contains_key(src) {
            return Reply::Integer(0);
        }
        let (s, d) = match (self.set(src), self.set(dst)) {
            (Ok(Some(s)), Ok(d)) => (s.contains(m), d.is_some_and(|d| d.contains(m))),
            (Err(e), _) | (_, Err(e)) => return e,
            (Ok(None), _) => return Reply::Integer(0),
        };
        if src == dst || !s {
            return Reply::Integer(s.into());
        }
        if let Ok(Some(s)) = self.set_mut(src) {
            s.remove(m);
        }
        self.signal(src);
        self.remove_if_empty(src);
        if !d {
            self.sadd(dst, &[m.to_vec()]);
        }
        Reply::Integer(1)
    }
}
