//! String commands: GET SET INCR APPEND STRLEN.

use arbitrary::Unstructured;
use redlite::Reply;

use super::alpha::{NOT_INT, OVERFLOW, VALUES, key, line, pick, strict_int, wrongtype};
use super::{Model, Val};

#[derive(Clone, Debug)]
pub enum StrOp {
    Get(Vec<u8>),
    Set(Vec<u8>, Vec<u8>),
    Incr(Vec<u8>),
    Append(Vec<u8>, Vec<u8>),
    Strlen(Vec<u8>),
}

impl StrOp {
    pub fn draw(u: &mut Unstructured) -> arbitrary::Result<StrOp> {
        Ok(match u.int_in_range(0..=5)? {
            0 => StrOp::Get(key(u)?),
            1 | 2 => StrOp::Set(key(u)?, pick(u, VALUES)?),
            3 => StrOp::Incr(key(u)?),
            4 => StrOp::Append(key(u)?, pick(u, VALUES)?),
            _ => StrOp::Strlen(key(u)?),
        })
    }

    pub fn args(&self) -> Vec<Vec<u8>> {
        match self {
            StrOp::Get(k) => line("GET", [k]),
            StrOp::Set(k, v) => line("SET", [k, v]),
            StrOp::Incr(k) => line("INCR", [k]),
            StrOp::Append(k, v) => line("APPEND", [k, v]),
            StrOp::Strlen(k) => line("STRLEN", [k]),
        }
    }
}

impl Model {
    pub(super) fn apply_str(&mut self, op: &StrOp) -> Reply {
        match op {
            StrOp::Get(k) => match self.string(k) {
                Ok(s) => s.map_or(Reply::Nil, |s| Reply::Bulk(s.clone())),
                Err(e) => e,
            },
            // SET replaces a value of any type.
            StrOp::Set(k, v) => {
                self.data.insert(k.clone(), Val::Str(v.clone()));
                self.signal(k);
                Reply::ok()
            }
            StrOp::Incr(k) => self.incr(k),
            StrOp::Append(k, v) => self.append(k, v),
            StrOp::Strlen(k) => match self.string(k) {
                Ok(s) => Reply::Integer(s.map_or(0, |s| s.len() as i64)),
                Err(e) => e,
            },
        }
    }

    /// The string at `k`: `None` if absent, WRONGTYPE if another type.
    fn string(&self, k: &[u8]) -> Result<Option<&Vec<u8>>, Reply> {
        match self.data.get(k) {
            None => Ok(None),
            Some(Val::Str(s)) => Ok(Some(s)),
            Some(_) => Err(wrongtype()),
        }
    }

    fn incr(&mut self, k: &[u8]) -> Reply {
        let current = match self.string(k) {
            Err(e) => return e,
            Ok(None) => 0,
            Ok(Some(s)) => match strict_int(s) {
                Some(n) => n,
                None => return Reply::error(NOT_INT),
            },
        };
        let Some(new) = current.checked_add(1) else {
            return Reply::error(OVERFLOW);
        };
        self.data
            .insert(k.to_vec(), Val::Str(new.to_string().into_bytes()));
        self.signal(k);
        Reply::Integer(new)
    }

    /// APPEND signals even when it appends nothing.
    fn append(&mut self, k: &[u8], v: &[u8]) -> Reply {
        let mut s = match self.string(k) {
            Err(e) => return e,
            Ok(s) => s.cloned().unwrap_or_default(),
        };
        s.extend_from_slice(v);
        let len = s.len() as i64;
        self.data.insert(k.to_vec(), Val::Str(s));
        self.signal(k);
        Reply::Integer(len)
    }
}
