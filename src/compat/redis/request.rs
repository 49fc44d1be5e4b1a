//! Packed RESP requests split into argument slices, for the trait methods that hand over
//! only bytes (the sync pipeline path, SCAN iterators). Borrowed from the buffer: no copy.

use smallvec::SmallVec;

/// One command's arguments, borrowed from the packed buffer.
pub(crate) type Argv<'b> = SmallVec<[&'b [u8]; 8]>;

/// Every command in `buf`: each a RESP array of bulk strings, as redis-rs packs them.
/// The error is the protocol error a server would name.
pub(crate) fn split(mut buf: &[u8]) -> Result<Vec<Argv<'_>>, String> {
    let mut commands = Vec::new();
    while !buf.is_empty() {
        let (argv, rest) = command(buf)?;
        commands.push(argv);
        buf = rest;
    }
    Ok(commands)
}

fn command(buf: &[u8]) -> Result<(Argv<'_>, &[u8]), String> {
    let (count, mut rest) = header(buf, b'*')?;
    let mut argv = Argv::new();
    for _ in 0..count {
        let (len, body) = header(rest, b'$')?;
        let arg = body
            .get(..len)
            .filter(|_| body.get(len..len + 2) == Some(b"\r\n"))
            .ok_or_else(|| "Protocol error: truncated bulk string".to_string())?;
        argv.push(arg);
        rest = &body[len + 2..];
    }
    Ok((argv, rest))
}

/// `<kind><decimal>\r\n`: the decimal and what follows the line.
fn header(buf: &[u8], kind: u8) -> Result<(usize, &[u8]), String> {
    let Some((&first, rest)) = buf.split_first() else {
        return Err("Protocol error: unexpected end of request".into());
    };
    if first != kind {
        return Err(format!(
            "Protocol error: expected '{}', got '{}'",
            char::from(kind),
            char::from(first)
        ));
    }
    let end = rest
        .windows(2)
        .position(|w| w == b"\r\n")
        .ok_or_else(|| "Protocol error: unterminated line".to_string())?;
    let digits = &rest[..end];
    let n = std::str::from_utf8(digits)
        .ok()
        .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|d| d.parse::<usize>().ok())
        .ok_or_else(|| "Protocol error: invalid length".to_string())?;
    Ok((n, &rest[end + 2..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_commands_split_into_their_arguments() {
        let packed =
            b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4\r\na\r\nb\r\n";
        let cmds = split(packed).unwrap();
        assert_eq!(cmds.len(), 2);
        assert_eq!(cmds[0].as_slice(), [&b"GET"[..], b"k"]);
        assert_eq!(cmds[1].as_slice(), [&b"SET"[..], b"k", b"a\r\nb"]);
    }

    #[test]
    fn what_redis_rs_packs_splits_back() {
        let mut cmd = ::redis::cmd("HSET");
        cmd.arg("h").arg(b"\x00\xff").arg(42);
        let packed = cmd.get_packed_command();
        let cmds = split(&packed).unwrap();
        assert_eq!(cmds[0].as_slice(), [&b"HSET"[..], b"h", b"\x00\xff", b"42"]);
    }

    #[test]
    fn malformed_requests_are_protocol_errors() {
        for bad in [
            &b"GET k\r\n"[..],
            b"*1\r\n$3\r\nGE",
            b"*1\r\n$x\r\nGET\r\n",
            b"*2\r\n$3\r\nGET\r\n",
            b"*1\r\n$3\r\nGETXX",
            b"*1",
        ] {
            assert!(split(bad).is_err(), "{bad:?}");
        }
    }
}
