//! [`Cmd`]: any command, built argument by argument, for the commands without a typed method.

use smallvec::SmallVec;

use crate::convert::convert;
use crate::error::Error;
use crate::reply::Reply;
use crate::txn::{Connection, Transaction};
use crate::{FromReply, Store, ToArg};

/// One command being built: its name, then [`arg`](Cmd::arg)s, then
/// [`query`](Cmd::query) to run it and convert the reply. It runs through the same path as
/// `execute` on whatever made it: a [`Store`] ([`Store::cmd`]), a [`Connection`] (inside its
/// MULTI, if open) or a [`Transaction`] (reads now with `query`, writes queued with
/// [`queue`](Cmd::queue)). Arguments are copied into one buffer that stays on the stack for
/// short commands.
///
/// # Examples
///
/// ```
/// use redlite::Store;
///
/// # fn main() -> Result<(), redlite::Error> {
/// let store = Store::new();
/// store.zadd("board", "amy", 3.0)?;
/// store.zadd("board", "bob", 5.0)?;
/// let top: Vec<String> = store.cmd("ZREVRANGE").arg("board").arg(0).arg(-1).query()?;
/// assert_eq!(top, ["bob", "amy"]);
/// # Ok(())
/// # }
/// ```
#[must_use = "a command does nothing until `query` (or `queue`) runs it"]
pub struct Cmd<R: CmdTarget> {
    runner: R,
    bytes: SmallVec<[u8; 96]>,
    ends: SmallVec<[usize; 8]>,
}

/// What a [`Cmd`] runs on: `&Store`, `&mut Connection` or `&mut Transaction`. Sealed.
///
/// # Examples
///
/// ```
/// # fn main() -> Result<(), redlite::Error> {
/// let store = redlite::Store::new();
/// store.cmd("SET").arg("k").arg(1).query::<()>()?; // on `&Store`
/// let mut conn = store.connection();
/// let n: i64 = conn.cmd("INCR").arg("k").query()?; // on `&mut Connection`
/// assert_eq!(n, 2);
/// # Ok(())
/// # }
/// ```
pub trait CmdTarget: target::Sealed {}

mod target {
    pub trait Sealed {
        fn run(&mut self, argv: &[&[u8]]) -> crate::Reply;
    }
}

impl CmdTarget for &Store {}
impl target::Sealed for &Store {
    fn run(&mut self, argv: &[&[u8]]) -> Reply {
        crate::commands::query_in(&self.shared, self.db, argv)
    }
}

impl CmdTarget for &mut Connection {}
impl target::Sealed for &mut Connection {
    fn run(&mut self, argv: &[&[u8]]) -> Reply {
        self.execute_argv(argv)
    }
}

impl CmdTarget for &mut Transaction {}
impl target::Sealed for &mut Transaction {
    fn run(&mut self, argv: &[&[u8]]) -> Reply {
        self.read_argv(argv)
    }
}

impl<R: CmdTarget> Cmd<R> {
    fn new(runner: R, name: &dyn ToArg) -> Self {
        let mut cmd = Cmd {
            runner,
            bytes: SmallVec::new(),
            ends: SmallVec::new(),
        };
        cmd.push(name);
        cmd
    }

    fn push(&mut self, arg: &dyn ToArg) {
        self.bytes.extend_from_slice(&arg.to_arg());
        self.ends.push(self.bytes.len());
    }

    /// Appends one argument: bytes, a string, or a number (as decimal text).
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// let store = redlite::Store::new();
    /// store.cmd("SET").arg("k").arg(1.5).query::<()>()?;
    /// assert_eq!(store.get::<f64>("k")?, 1.5);
    /// # Ok(())
    /// # }
    /// ```
    pub fn arg(mut self, arg: impl ToArg) -> Self {
        self.push(&arg);
        self
    }

    /// Appends every item as one argument each.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// let store = redlite::Store::new();
    /// let added: i64 = store.cmd("SADD").arg("s").args(["a", "b", "a"]).query()?;
    /// assert_eq!(added, 2);
    /// # Ok(())
    /// # }
    /// ```
    pub fn args<I>(mut self, args: I) -> Self
    where
        I: IntoIterator,
        I::Item: ToArg,
    {
        for arg in args {
            self.push(&arg);
        }
        self
    }

    /// Runs the command and converts its reply (use [`Reply`] for the raw reply, `()` to
    /// ignore it). On a [`Transaction`] this runs a read now, as
    /// [`Transaction::read`] does.
    ///
    /// # Errors
    ///
    /// The command's error reply as [`Error::Reply`] (full Redis text), or
    /// [`Error::Conversion`] when `T` cannot hold the reply.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// let store = redlite::Store::new();
    /// let mut conn = store.connection();
    /// assert_eq!(conn.cmd("INCRBY").arg("n").arg(5).query::<i64>()?, 5);
    /// let err = conn.cmd("INCRBY").arg("n").arg("x").query::<i64>().unwrap_err();
    /// assert_eq!(err.to_string(), "ERR value is not an integer or out of range");
    /// # Ok(())
    /// # }
    /// ```
    pub fn query<T: FromReply>(mut self) -> Result<T, Error> {
        let argv = split(&self.bytes, &self.ends);
        convert(target::Sealed::run(&mut self.runner, &argv))
    }
}

/// The arguments as slices of the one buffer.
fn split<'b>(bytes: &'b [u8], ends: &[usize]) -> SmallVec<[&'b [u8]; 8]> {
    let mut start = 0;
    ends.iter()
        .map(|&end| {
            let arg = &bytes[start..end];
            start = end;
            arg
        })
        .collect()
}

impl Cmd<&mut Transaction> {
    /// Queues the command for the transaction's EXEC (as [`Transaction::queue`] does).
    ///
    /// # Errors
    ///
    /// A queue-time error (unknown command, wrong arity, a connection command; CROSSSLOT in
    /// cluster mode), which also dooms the attempt: the transaction applies nothing and
    /// returns that error.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// let store = redlite::Store::new();
    /// store.transaction(&["list"], |tx| tx.cmd("RPUSH").arg("list").args(["a", "b"]).queue())?;
    /// assert_eq!(store.llen("list")?, 2);
    /// # Ok(())
    /// # }
    /// ```
    pub fn queue(self) -> Result<(), Error> {
        let argv = split(&self.bytes, &self.ends);
        self.runner.queue_argv(&argv)
    }
}

impl Store {
    /// Starts any command by name; add arguments with [`Cmd::arg`], run with
    /// [`Cmd::query`].
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// let store = redlite::Store::new();
    /// store.cmd("HSET").arg("h").arg("f").arg(1).query::<()>()?;
    /// assert_eq!(store.cmd("HGET").arg("h").arg("f").query::<i64>()?, 1);
    /// # Ok(())
    /// # }
    /// ```
    pub fn cmd(&self, name: impl ToArg) -> Cmd<&Store> {
        Cmd::new(self, &name)
    }
}

impl Connection {
    /// Starts any command by name on this connection (queued if MULTI is open, like
    /// `execute`); see [`Cmd`].
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// let store = redlite::Store::new();
    /// let mut conn = store.connection();
    /// conn.cmd("MULTI").query::<()>()?;
    /// assert_eq!(conn.cmd("INCR").arg("n").query::<String>()?, "QUEUED");
    /// assert_eq!(conn.cmd("EXEC").query::<Vec<i64>>()?, [1]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn cmd(&mut self, name: impl ToArg) -> Cmd<&mut Connection> {
        Cmd::new(self, &name)
    }
}

impl Transaction {
    /// Starts any command by name inside a transaction: [`Cmd::queue`] queues it for the
    /// EXEC, [`Cmd::query`] runs a read now.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// let store = redlite::Store::new();
    /// store.zadd("z", "a", 1.0)?;
    /// let moved = store.transaction(&["z"], |tx| {
    ///     let score: Option<f64> = tx.cmd("ZSCORE").arg("z").arg("a").query()?;
    ///     tx.cmd("ZADD").arg("z").arg(score.unwrap_or(0.0) + 1.0).arg("a").queue()?;
    ///     Ok(score)
    /// })?;
    /// assert_eq!(moved, Some(1.0));
    /// assert_eq!(store.zscore("z", "a")?, Some(2.0));
    /// # Ok(())
    /// # }
    /// ```
    pub fn cmd(&mut self, name: impl ToArg) -> Cmd<&mut Transaction> {
        Cmd::new(self, &name)
    }
}
