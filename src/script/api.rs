//! [`Script`]: run a script by SHA1, sending its text only when the store lacks it.

use smallvec::SmallVec;

use super::cache::sha1_hex;
use crate::convert::convert;
use crate::error::Error;
use crate::reply::Reply;
use crate::txn::Connection;
use crate::{FromReply, Store, ToArg};

/// A script (Lua or Rhai, see [`ScriptEngine`](crate::ScriptEngine)), identified by the
/// SHA1 of its text. It only carries the text: the store picks the engine from the shebang
/// (`#!lua`, `#!rhai`) or, without one, from `Config::default_script_engine`.
///
/// [`invoke`](ScriptInvocation::invoke) sends `EVALSHA` and, when the store answers
/// `NOSCRIPT` (first use, or after `SCRIPT FLUSH` or eviction), `EVAL` with the text, which
/// also caches it: the pattern of redis-rs's `Script`. The script runs atomically on the
/// calling thread, holding the shard locks of its keys until it ends (see the crate docs'
/// "Scripts" section for the Rhai API).
///
/// # Examples
///
/// ```
/// # fn main() -> Result<(), redlite::Error> {
/// use redlite::{Script, Store};
///
/// let store = Store::new();
/// let incr = Script::new("#!rhai\nredis::call(\"INCRBY\", KEYS[0], ARGV[0])");
/// assert_eq!(incr.key("hits").arg(5).invoke::<i64>(&store)?, 5);
/// assert_eq!(incr.key("hits").arg(2).invoke::<i64>(&store)?, 7);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct Script {
    source: String,
    sha: String,
}

/// One call of a [`Script`]: its keys and arguments. Built by [`Script::key`] and
/// [`Script::arg`].
///
/// # Examples
///
/// ```
/// # fn main() -> Result<(), redlite::Error> {
/// use redlite::{Script, Store};
///
/// let store = Store::new();
/// let script = Script::new("#!rhai\n[KEYS[0], ARGV[0], ARGV[1]]");
/// let call = script.key("k").arg("a").arg(2);
/// let out: Vec<String> = call.invoke(&store)?;
/// assert_eq!(out, ["k", "a", "2"]);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct ScriptInvocation<'s> {
    script: &'s Script,
    keys: Vec<Vec<u8>>,
    args: Vec<Vec<u8>>,
}

impl Script {
    /// A script from its source (nothing is sent to a store yet).
    ///
    /// # Examples
    ///
    /// ```
    /// let s = redlite::Script::new("#!rhai\n1 + 1");
    /// assert_eq!(s.sha1().len(), 40);
    /// ```
    pub fn new(source: impl Into<String>) -> Script {
        let source = source.into();
        let sha = String::from_utf8_lossy(&sha1_hex(source.as_bytes())).into_owned();
        Script { source, sha }
    }

    /// The SHA1 of the source, in lowercase hex (what `SCRIPT LOAD` returns).
    ///
    /// # Examples
    ///
    /// ```
    /// let store = redlite::Store::new();
    /// let s = redlite::Script::new("return 1;");
    /// assert_eq!(store.execute(["SCRIPT", "LOAD", "return 1;"]).to_string(), format!("{:?}", s.sha1()));
    /// ```
    #[must_use]
    pub fn sha1(&self) -> &str {
        &self.sha
    }

    /// Starts an invocation with one key (`KEYS[0]` in the script).
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// let store = redlite::Store::new();
    /// let get = redlite::Script::new("#!rhai\nredis::call(\"GET\", KEYS[0])");
    /// assert_eq!(get.key("nope").invoke::<Option<String>>(&store)?, None);
    /// # Ok(())
    /// # }
    /// ```
    pub fn key(&self, key: impl ToArg) -> ScriptInvocation<'_> {
        self.invocation().key(key)
    }

    /// Starts an invocation with one argument (`ARGV[0]` in the script).
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// let store = redlite::Store::new();
    /// let s = redlite::Script::new("#!rhai\nARGV[0].len()");
    /// assert_eq!(s.arg("four").invoke::<i64>(&store)?, 4);
    /// # Ok(())
    /// # }
    /// ```
    pub fn arg(&self, arg: impl ToArg) -> ScriptInvocation<'_> {
        self.invocation().arg(arg)
    }

    /// Runs the script with no keys and no arguments.
    ///
    /// # Errors
    ///
    /// As [`ScriptInvocation::invoke`].
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// let store = redlite::Store::new();
    /// assert_eq!(redlite::Script::new("#!rhai\n6 * 7").invoke::<i64>(&store)?, 42);
    /// # Ok(())
    /// # }
    /// ```
    pub fn invoke<T: FromReply>(&self, target: impl ScriptTarget) -> Result<T, Error> {
        self.invocation().invoke(target)
    }

    fn invocation(&self) -> ScriptInvocation<'_> {
        ScriptInvocation {
            script: self,
            keys: Vec::new(),
            args: Vec::new(),
        }
    }
}

impl ScriptInvocation<'_> {
    /// Adds a key (`KEYS[n]`, in order). The run locks the shards of its keys.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// let store = redlite::Store::new();
    /// let s = redlite::Script::new("#!rhai\nKEYS.len()");
    /// assert_eq!(s.key("a").key("b").invoke::<i64>(&store)?, 2);
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn key(mut self, key: impl ToArg) -> Self {
        self.keys.push(key.to_arg().into_owned());
        self
    }

    /// Adds an argument (`ARGV[n]`, in order; numbers arrive as strings).
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// let store = redlite::Store::new();
    /// let s = redlite::Script::new("#!rhai\nARGV[0] + ARGV[1]");
    /// assert_eq!(s.arg(1).arg(2.5).invoke::<String>(&store)?, "12.5");
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn arg(mut self, arg: impl ToArg) -> Self {
        self.args.push(arg.to_arg().into_owned());
        self
    }

    /// Runs the script on `target` (`&Store` or `&mut Connection`): EVALSHA, then EVAL if
    /// the store does not have the script yet.
    ///
    /// # Errors
    ///
    /// [`Error::Reply`] with Redis's text when the script does not compile, fails at run
    /// time (`... script: <sha1>, on @user_script:<line>.`), exceeds a script limit, or
    /// returns an error reply; [`Error::Conversion`] when its result does not fit `T`.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// let store = redlite::Store::new();
    /// let mut conn = store.connection();
    /// let s = redlite::Script::new("#!rhai\nredis::call(\"SET\", KEYS[0], ARGV[0])");
    /// s.key("k").arg("v").invoke::<()>(&mut conn)?;
    /// assert_eq!(store.get::<String>("k")?, "v");
    /// # Ok(())
    /// # }
    /// ```
    pub fn invoke<T: FromReply>(&self, mut target: impl ScriptTarget) -> Result<T, Error> {
        let numkeys = self.keys.len().to_string();
        let mut argv: SmallVec<[&[u8]; 8]> = SmallVec::new();
        argv.extend([
            &b"EVALSHA"[..],
            self.script.sha.as_bytes(),
            numkeys.as_bytes(),
        ]);
        argv.extend(self.keys.iter().chain(&self.args).map(Vec::as_slice));
        let reply = target.run(&argv);
        let reply = match &reply {
            Reply::Error(e) if e.starts_with("NOSCRIPT") => {
                argv[0] = b"EVAL";
                argv[1] = self.script.source.as_bytes();
                target.run(&argv)
            }
            _ => reply,
        };
        convert(reply)
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for &crate::Store {}
    impl Sealed for &mut crate::Connection {}
}

/// Where a [`Script`] can run: `&Store` or `&mut Connection`.
///
/// # Examples
///
/// ```
/// # fn main() -> Result<(), redlite::Error> {
/// use redlite::{Script, Store};
///
/// let store = Store::new();
/// let double = Script::new("#!rhai\nARGV[0].parse_int() * 2");
/// assert_eq!(double.arg(21).invoke::<i64>(&store)?, 42); // on the store
/// let mut conn = store.connection();
/// assert_eq!(double.arg(5).invoke::<i64>(&mut conn)?, 10); // on a connection
/// # Ok(())
/// # }
/// ```
pub trait ScriptTarget: sealed::Sealed {
    #[doc(hidden)]
    fn run(&mut self, argv: &[&[u8]]) -> Reply;
}

impl ScriptTarget for &Store {
    fn run(&mut self, argv: &[&[u8]]) -> Reply {
        crate::commands::query_in(&self.shared, self.db, argv)
    }
}

impl ScriptTarget for &mut Connection {
    fn run(&mut self, argv: &[&[u8]]) -> Reply {
        self.execute_argv(argv)
    }
}
