//! Typed methods on [`Store`](crate::Store) and [`Connection`](crate::Connection).
//!
//! Each method builds the argument vector of one command and runs it through the same
//! command code as `execute` (there is no second implementation), then converts the reply
//! with [`FromReply`](crate::FromReply). Each family's macro is expanded for both types, with
//! `&self` on `Store` and `&mut self` on `Connection` (whose MULTI state a command can change).

/// The table row of command `$name`, looked up once per call site and then kept in a
/// static: typed methods skip the name lookup `execute` needs. `None` (a name missing from
/// the table) falls back to the by-name path, which replies "unknown command".
macro_rules! spec {
    ($name:literal) => {{
        static SPEC: std::sync::OnceLock<Option<&'static $crate::commands::Spec>> =
            std::sync::OnceLock::new();
        *SPEC.get_or_init(|| $crate::registry::lookup($name.as_bytes()))
    }};
}

/// The `# Errors` section every typed method carries; `$when` lists the family's own
/// failures. Each family's macro passes it once, and every method it expands includes it.
macro_rules! errors_doc {
    ($when:literal) => {
        concat!(
            "# Errors\n\n",
            "[`Error::Reply`](crate::Error::Reply) with Redis's text when the command fails: ",
            $when,
            ", or when its reply would exceed ",
            "[`Config::max_reply_bytes`](crate::Config::max_reply_bytes). ",
            "[`Error::Conversion`](crate::Error::Conversion) when the reply does not fit the ",
            "requested type (nil into a type that is not an `Option`, text into a number, ...).\n",
        )
    };
}

#[macro_use]
pub(crate) mod blocking;
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
pub(crate) mod blocking_pop;
mod pubsub;

mod cmd;

pub use cmd::{Cmd, CmdTarget};

use std::borrow::Cow;

use smallvec::SmallVec;

use crate::commands::Spec;
use crate::convert::convert;
use crate::error::Error;
use crate::reply::Reply;
use crate::txn::Connection;
use crate::{FromReply, Store, ToArg};

/// Runs the command (`spec`, or `name` when it has no row) with `args` through `query`,
/// converting the reply. Arguments and the argument vector stay on the stack for up to
/// eight arguments.
pub(crate) fn call<T: FromReply>(
    query: impl FnOnce(Option<&'static Spec>, &[&[u8]]) -> Reply,
    (spec, name): (Option<&'static Spec>, &str),
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
    convert(query(spec, &argv))
}

impl Store {
    fn query(&self, spec: Option<&'static Spec>, argv: &[&[u8]]) -> Reply {
        match spec {
            Some(spec) => crate::commands::query_spec_in(&self.shared, self.db, spec, argv),
            None => crate::commands::query_in(&self.shared, self.db, argv),
        }
    }

    string_methods!([&] self);
    key_methods!([&] self);
    hash_methods!([&] self);
    set_methods!([&] self);
    list_methods!([&] self);
    zset_methods!([&] self);
    blocking_methods!([&] self);
}

impl Connection {
    fn query(&mut self, spec: Option<&'static Spec>, argv: &[&[u8]]) -> Reply {
        match spec {
            Some(spec) => self.execute_spec(spec, argv),
            None => self.execute_argv(argv),
        }
    }

    string_methods!([&mut] self);
    key_methods!([&mut] self);
    hash_methods!([&mut] self);
    set_methods!([&mut] self);
    list_methods!([&mut] self);
    zset_methods!([&mut] self);
    blocking_methods!([&mut] self);
}
