//! List commands: LPUSH RPUSH LPOP RPOP (with count) LLEN LRANGE LINDEX LREM.

use std::collections::VecDeque;

use arbitrary::Unstructured;
use redlite::Reply;

use super::alpha::{ELEMS, INDEXES, NOT_INT, key, line, pick, some, strict_int, wrongtype};
use super::{Model, Val};

pub type List = VecDeque<Vec<u8>>;

#[derive(Clone, Debug)]
pub enum ListOp {
    Push(bool, Vec<u8>, Vec<Vec<u8>>),
    /// Left?, key, optional count.
    Pop(bool, Vec<u8>, Option<Vec<u8>>),
    LLen(Vec<u8>),
    LRange(Vec<u8>, Vec<u8>, Vec<u8>),
    LIndex(Vec<u8>, Vec<u8>),
    LRem(Vec<u8>, Vec<u8>, Vec<u8>),
}

impl ListOp {
    pub fn draw(u: &mut Unstructured) -> arbitrary::Result<ListOp> {
        Ok(match u.int_in_range(0..=7)? {
            0 | 1 => ListOp::Push(u.arbitrary()?, key(u)?, some(u, ELEMS)?),
            2 | 3 => {
                let (left, k) = (u.arbitrary()?, key(u)?);
                let count = if u.arbitrary()? {
                    Some(pick(u, INDEXES)?)
                } else {
                    None
                };
                ListOp::Pop(left, k, count)
            }
            4 => ListOp::LLen(key(u)?),
            5 => ListOp::LRange(key(u)?, pick(u, INDEXES)?, pick(u, INDEXES)?),
            6 => ListOp::LIndex(key(u)?, pick(u, INDEXES)?),
            _ => ListOp::LRem(key(u)?, pick(u, INDEXES)?, pick(u, ELEMS)?),
        })
    }

    pub fn args(&self) -> Vec<Vec<u8>> {
        let side = |left: bool, l: &'static str, r: &'static str| if left { l } else { r };
        match self {
            ListOp::Push(left, k, es) => {
                line(side(*left, "LPUSH", "RPUSH"), std::iter::once(k).chain(es))
            }
            ListOp::Pop(left, k, n) => {
                line(side(*left, "LPOP", "RPOP"), std::iter::once(k).chain(n))
            }
            ListOp::LLen(k) => line("LLEN", [k]),
            ListOp::LRange(k, a, b) => line("LRANGE", [k, a, b]),
            ListOp::LIndex(k, i) => line("LINDEX", [k, i]),
            ListOp::LRem(k, n, e) => line("LREM", [k, n, e]),
        }
    }
}

impl Model {
    pub(super) fn apply_list(&mut self, op: &ListOp) -> Reply {
        match op {
            ListOp::Push(left, k, es) => self.push(*left, k, es),
            ListOp::Pop(left, k, n) => self.pop(*left, k, n.as_deref()),
            ListOp::LLen(k) => match self.list(k) {
                Ok(l) => Reply::Integer(l.map_or(0, |l| l.len() as i64)),
                Err(e) => e,
            },
            ListOp::LRange(k, a, b) => self.lrange(k, a, b),
            ListOp::LIndex(k, i) => self.lindex(k, i),
            ListOp::LRem(k, n, e) => self.lrem(k, n, e),
        }
    }

    /// The list at `k`: `None` if absent, WRONGTYPE if another type.
    fn list(&self, k: &[u8]) -> Result<Option<&List>, Reply> {
        match self.data.get(k) {
            None => Ok(None),
            Some(Val::List(l)) => Ok(Some(l)),
            Some(_) => Err(wrongtype()),
        }
    }

    fn list_mut(&mut self, k: &[u8]) -> Result<Option<&mut List>, Reply> {
        match self.data.get_mut(k) {
            None => Ok(None),
            Some(Val::List(l)) => Ok(Some(l)),
            Some(_) => Err(wrongtype()),
        }
    }

    fn push(&mut self, left: bool, k: &[u8], es: &[Vec<u8>]) -> Reply {
        let entry = self.data.entry(k.to_vec());
        let Val::List(l) = entry.or_insert_with(|| Val::List(List::new())) else {
            return wrongtype();
        };
        for e in es {
            if left {
                l.push_front(e.clone());
            } else {
                l.push_back(e.clone());
            }
        }
        let len = l.len() as i64;
        self.signal(k);
        Reply::Integer(len)
    }

    /// The count is checked before the key (Redis 7.0 answers its range text for a
    /// non-integer count too); a missing key is a null reply either way;
    /// a count of 0 is an empty array and no write.
    fn pop(&mut self, left: bool, k: &[u8], count: Option<&[u8]>) -> Reply {
        let count = match count.map(|c| strict_int(c).and_then(|n| usize::try_from(n).ok())) {
            None => None,
            Some(None) => return Reply::error("ERR value is out of range, must be positive"),
            Some(n) => n,
        };
        let l = match self.list_mut(k) {
            Ok(Some(l)) => l,
            // With a count, a missing key is Redis's null array.
            Ok(None) if count.is_some() => return Reply::NilArray,
            Ok(None) => return Reply::Nil,
            Err(e) => return e,
        };
        let n = count.unwrap_or(1).min(l.len());
        let popped: Vec<Reply> = (0..n)
            .filter_map(|_| if left { l.pop_front() } else { l.pop_back() })
            .map(Reply::Bulk)
            .collect();
        if n > 0 {
            self.signal(k);
            self.remove_if_empty(k);
        }
        match count {
            Some(_) => Reply::Array(popped),
            None => popped.into_iter().next().unwrap_or(Reply::Nil),
        }
    }

    /// Both indexes are parsed before the key is looked up.
    fn lrange(&self, k: &[u8], a: &[u8], b: &[u8]) -> Reply {
        let (Some(a), Some(b)) = (strict_int(a), strict_int(b)) else {
            return Reply::error(NOT_INT);
        };
        let l = match self.list(k) {
            Ok(l) => l.cloned().unwrap_or_default(),
            Err(e) => return e,
        };
        let len = l.len() as i64;
        let start = if a < 0 { (len + a).max(0) } else { a };
        let stop = if b < 0 { len + b } else { b.min(len - 1) };
        if start > stop || start >= len {
            return Reply::Array(Vec::new());
        }
        let items = l.range(start as usize..=stop as usize);
        Reply::Array(items.cloned().map(Reply::Bulk).collect())
    }

    /// Unlike LRANGE, the key is looked up before the index is parsed.
    fn lindex(&self, k: &[u8], i: &[u8]) -> Reply {
        let l = match self.list(k) {
            Ok(Some(l)) => l,
            Ok(None) => return Reply::Nil,
            Err(e) => return e,
        };
        let Some(i) = strict_int(i) else {
            return Reply::error(NOT_INT);
        };
        let i = if i < 0 { l.len() as i64 + i } else { i };
        let item = usize::try_from(i).ok().and_then(|i| l.get(i));
        item.map_or(Reply::Nil, |e| Reply::Bulk(e.clone()))
    }

    /// count > 0 removes from the head, < 0 from the tail, 0 removes all.
    fn lrem(&mut self, k: &[u8], count: &[u8], e: &[u8]) -> Reply {
        let Some(count) = strict_int(count) else {
            return Reply::error(NOT_INT);
        };
        let l = match self.list_mut(k) {
            Ok(Some(l)) => l,
            Ok(None) => return Reply::Integer(0),
            Err(e) => return e,
        };
        let limit = if count == 0 {
            u64::MAX
        } else {
            count.unsigned_abs()
        };
        let mut items: Vec<Vec<u8>> = l.drain(..).collect();
        if count < 0 {
            items.reverse();
        }
        let mut removed = 0u64;
        items.retain(|x| {
            let drop = x == e && removed < limit;
            removed += u64::from(drop);
            !drop
        });
        if count < 0 {
            items.reverse();
        }
        l.extend(items);
        if removed > 0 {
            self.signal(k);
            self.remove_if_empty(k);
        }
        Reply::Integer(removed as i64)
    }
}
