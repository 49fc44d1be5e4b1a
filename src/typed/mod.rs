//! Typed methods on [`Store`](crate::Store) and [`Connection`](crate::Connection).
//!
//! Each method builds the argument vector of one command and runs it through the same
//! command code as `execute` (there is no second implementation), then converts the reply
//! with [`FromReply`](crate::FromReply). Each family's macro is expanded for both types, with
//! `&self` on `Store` and `&mut self` on `Connection` (whose MULTI state a command can change).

#[macro_use]
mod hashes;
#[macro_use]
mod keys;
#[macro_use]
mod sets;
#[macro_use]
mod lists;
#[macro_use]
mod strings;
#[macro_use]
mod zsets;

use std::borrow::Cow;

use smallvec::SmallVec;

use crate::convert::convert;
use crate::error::Error;
use crate::reply::Reply;
use crate::txn::Connection;
use crate::{FromReply, Store, ToArg};

/// Runs `name` with `args` through `query`, converting the reply. Arguments and the argument
/// vector stay on the stack for up to eight arguments.
pub(crate) fn call<T: FromReply>(
    query: impl FnOnce(&[&[u8]]) -> Reply,
    name: &str,
    args: &[&dyn ToArg],
) -> Result<T, Error> {
    let mut owned: SmallVec<[Cow<'_, [u8]>; 8]> = SmallVec::new();
    for a in args {
        owned.push(a.to_arg());
    }
    let mut argv: SmallVec<[&[u8]; 9]> = SmallVec::new();
    argv.push(name.as_bytes());
    for a in &owned {
        argv.push(a);
    }
    convert(query(&argv))
}

impl Store {
    fn query(&self, argv: &[&[u8]]) -> Reply {
        self.shared.query(argv)
    }

    string_methods!([&] self);
    key_methods!([&] self);
    hash_methods!([&] self);
    set_methods!([&] self);
    list_methods!([&] self);
    zset_methods!([&] self);
}

impl Connection {
    fn query(&mut self, argv: &[&[u8]]) -> Reply {
        self.execute_argv(argv)
    }

    string_methods!([&mut] self);
    key_methods!([&mut] self);
    hash_methods!([&mut] self);
    set_methods!([&mut] self);
    list_methods!([&mut] self);
    zset_methods!([&mut] self);
}
