//! Loading the log: each file's commands replayed through the command table on one
//! connection, MULTI/EXEC units applied whole or not at all.
//!
//! A record cut short at the end of the last file (a crash mid-append) is cut off the file
//! and reported, as Redis does with `aof-load-truncated yes`; an unfinished MULTI at the end
//! goes with it (Redis's "Revert incomplete MULTI/EXEC transaction"). Anything else that is
//! not a record, anywhere, is an error naming the file and the byte offset.

use std::path::Path;

use super::resp::{self, Stop};
use crate::error::Error;
use crate::persist::files::damaged;
use crate::reply::Reply;
use crate::txn::Connection;

/// A torn tail found while loading: the file is valid up to `valid` of `len` bytes.
#[derive(Debug)]
pub(crate) struct Torn {
    pub(crate) valid: u64,
    pub(crate) len: u64,
}

/// Replays `buf` (the contents of `file`) from byte `start` on `conn`. `last` says whether this is the last
/// file of the log (the only one a torn tail is forgiven in).
pub(crate) fn replay(
    conn: &mut Connection,
    buf: &[u8],
    start: usize,
    file: &Path,
    last: bool,
) -> Result<Option<Torn>, Error> {
    let mut pos = start;
    // Where the open MULTI began: the point to cut back to when the file ends inside it.
    let mut multi_at: Option<usize> = None;
    loop {
        if pos == buf.len() {
            return match multi_at {
                None => Ok(None),
                Some(at) => torn(conn, file, last, at, buf.len()),
            };
        }
        let cmd = match resp::decode(buf, pos) {
            Ok(cmd) => cmd,
            Err(Stop::Torn) => return torn(conn, file, last, multi_at.unwrap_or(pos), buf.len()),
            Err(Stop::Bad { offset, reason }) => {
                return Err(damaged(
                    file,
                    offset as u64,
                    format!("Bad file format: {reason}"),
                ));
            }
        };
        let name = cmd.args[0];
        if name.eq_ignore_ascii_case(b"MULTI") {
            multi_at = Some(pos);
        } else if name.eq_ignore_ascii_case(b"EXEC") {
            multi_at = None;
        }
        if name.eq_ignore_ascii_case(b"SELECT") {
            select(&conn.execute_argv(&cmd.args), file, pos)?;
        } else {
            check(&conn.execute_argv(&cmd.args), file, pos)?;
        }
        pos = cmd.next;
    }
}

/// A `SELECT` the store cannot follow (a database it does not have) would put every later
/// command in the wrong database: the file is refused instead.
fn select(reply: &Reply, file: &Path, at: usize) -> Result<(), Error> {
    match reply {
        Reply::Error(e) => Err(damaged(file, at as u64, format!("SELECT failed: {e}"))),
        _ => Ok(()),
    }
}

/// A command the table does not know is fatal, as in Redis ("Unknown command '%s' reading the
/// append only file"); other error replies are what the command gave when it first ran too.
fn check(reply: &Reply, file: &Path, at: usize) -> Result<(), Error> {
    match reply {
        Reply::Error(e) if e.starts_with("ERR unknown command") => Err(damaged(
            file,
            at as u64,
            format!("Unknown command reading the append only file: {e}"),
        )),
        _ => Ok(()),
    }
}

fn torn(
    conn: &mut Connection,
    file: &Path,
    last: bool,
    valid: usize,
    len: usize,
) -> Result<Option<Torn>, Error> {
    if !last {
        return Err(damaged(
            file,
            valid as u64,
            "Unexpected end of file, and the truncated file is not the last file",
        ));
    }
    // A MULTI left open by the cut is dropped, not applied.
    conn.execute_argv(&[b"DISCARD"]);
    Ok(Some(Torn {
        valid: valid as u64,
        len: len as u64,
    }))
}
