//! The log's record format: RESP arrays of bulk strings, as Redis writes its AOF.
//!
//! Encoding appends one command (`*<argc>\r\n` then `$<len>\r\n<bytes>\r\n` per argument).
//! Decoding tells a record cut short by the end of the file (a crash mid-append: truncate
//! and go on) from bytes that are not a record at all (damage: an error at that offset).

/// Appends `args` as one RESP command (the effects path's encoder: batches already hold
/// their commands in this form).
pub(crate) use crate::effects::resp::encode;

/// The `SELECT <db>` a log file starts with (Redis writes one whenever the database changes).
pub(crate) fn encode_select(out: &mut Vec<u8>, db: usize) {
    let db = db.to_string();
    encode(out, &[b"SELECT".as_slice(), db.as_bytes()]);
}

/// Why decoding stopped short of a command.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Stop {
    /// The bytes end inside a record: what a crash mid-append leaves.
    Torn,
    /// The bytes at `offset` cannot be a record.
    Bad { offset: usize, reason: &'static str },
}

/// The most arguments and the longest argument one record may claim: Redis's own limits
/// (`proto-max-bulk-len` 512 MiB; far more arguments than any logged command has). They keep
/// a damaged length from being taken at its word.
const MAX_ARGS: usize = 1 << 24;
const MAX_BULK: usize = 512 << 20;

/// One decoded command: its arguments (borrowing the file's bytes) and where the next begins.
pub(crate) struct Decoded<'b> {
    pub(crate) args: Vec<&'b [u8]>,
    pub(crate) next: usize,
}

/// Decodes the command at `pos`. Comment lines (`#...\r\n`, Redis's annotations) are skipped.
pub(crate) fn decode(buf: &[u8], mut pos: usize) -> Result<Decoded<'_>, Stop> {
    while buf.get(pos) == Some(&b'#') {
        let (_, next) = line(buf, pos)?;
        pos = next;
    }
    let start = pos;
    let (head, mut pos) = line(buf, pos)?;
    let argc = match head.split_first() {
        Some((b'*', n)) => number(n, start, MAX_ARGS)?,
        _ => return Err(bad(start, "expected '*' at the start of a command")),
    };
    if argc == 0 {
        return Err(bad(start, "a command with no arguments"));
    }
    // Capacity from the file is capped: a damaged count must not reserve gigabytes.
    let mut args = Vec::with_capacity(argc.min(64));
    for _ in 0..argc {
        let at = pos;
        let (head, body) = line(buf, pos)?;
        let len = match head.split_first() {
            Some((b'$', n)) => number(n, at, MAX_BULK)?,
            _ => return Err(bad(at, "expected '$' before an argument")),
        };
        let end = body
            .checked_add(len)
            .ok_or_else(|| bad(at, "length overflow"))?;
        let arg = buf.get(body..end).ok_or(Stop::Torn)?;
        match buf.get(end..end + 2) {
            Some(b"\r\n") => {}
            Some(_) => return Err(bad(end, "expected CRLF after an argument")),
            None if buf.len() == end + 1 && buf[end] != b'\r' => {
                return Err(bad(end, "expected CRLF after an argument"));
            }
            None => return Err(Stop::Torn),
        }
        args.push(arg);
        pos = end + 2;
    }
    Ok(Decoded { args, next: pos })
}

/// The line at `pos` (without its CRLF) and where the next starts.
fn line(buf: &[u8], pos: usize) -> Result<(&[u8], usize), Stop> {
    let rest = buf.get(pos..).unwrap_or_default();
    // A header line is short; a long run without a newline is damage, not a torn tail.
    let window = &rest[..rest.len().min(64)];
    match window.iter().position(|&b| b == b'\n') {
        Some(i) if i > 0 && window[i - 1] == b'\r' => Ok((&rest[..i - 1], pos + i + 1)),
        Some(_) => Err(bad(pos, "expected CRLF at the end of a line")),
        None if rest.len() >= 64 => Err(bad(pos, "a header line with no end")),
        None => Err(Stop::Torn),
    }
}

fn number(digits: &[u8], at: usize, max: usize) -> Result<usize, Stop> {
    if digits.is_empty() || digits.len() > 12 || !digits.iter().all(u8::is_ascii_digit) {
        return Err(bad(at, "a length that is not a number"));
    }
    let n = digits
        .iter()
        .fold(0usize, |n, d| n * 10 + usize::from(d - b'0'));
    if n > max {
        return Err(bad(at, "a length beyond Redis's limits"));
    }
    Ok(n)
}

fn bad(offset: usize, reason: &'static str) -> Stop {
    Stop::Bad { offset, reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(args: &[&str]) -> Vec<u8> {
        let mut out = Vec::new();
        encode(&mut out, args);
        out
    }

    #[test]
    fn encodes_a_command_as_redis_writes_it() {
        assert_eq!(
            one(&["SET", "k", ""]),
            b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n"
        );
    }

    #[test]
    fn decodes_what_it_encodes() {
        let mut buf = one(&["SET", "k", "a\r\nb"]);
        buf.extend(one(&["DEL", "k"]));
        let first = decode(&buf, 0).map_err(|_| ()).unwrap();
        assert_eq!(first.args, [&b"SET"[..], b"k", b"a\r\nb"]);
        let second = decode(&buf, first.next).map_err(|_| ()).unwrap();
        assert_eq!(second.args, [&b"DEL"[..], b"k"]);
        assert_eq!(second.next, buf.len());
    }

    #[test]
    fn every_cut_of_a_record_is_torn_not_bad() {
        let buf = one(&["RPUSH", "list", "value"]);
        for cut in 1..buf.len() {
            assert_eq!(
                decode(&buf[..cut], 0).err(),
                Some(Stop::Torn),
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn a_flipped_byte_is_bad_at_its_offset() {
        let mut buf = one(&["SET", "k", "v"]);
        buf[4] = b'x'; // the '$' of the first argument
        assert!(matches!(decode(&buf, 0), Err(Stop::Bad { offset: 4, .. })));
    }

    #[test]
    fn comment_lines_are_skipped() {
        let mut buf = b"#TS:1700000000\r\n".to_vec();
        buf.extend(one(&["PING"]));
        assert_eq!(
            decode(&buf, 0).map_err(|_| ()).unwrap().args,
            [&b"PING"[..]]
        );
    }
}
