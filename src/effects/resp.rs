//! Replay commands as RESP, the form a batch keeps them in: an append-only log writes the
//! bytes as they are, and [`Batch::commands`](super::Batch::commands) decodes them only for
//! a listener that asks.
//!
//! Encoding appends one command (`*<argc>\r\n` then `$<len>\r\n<bytes>\r\n` per argument).
//! Decoding reads only what [`encode`] wrote (a batch's own bytes), so it stops quietly at
//! anything else instead of reporting where.

/// Appends `args` as one RESP command, reserving its whole length first (one growth at most).
pub(crate) fn encode<A: AsRef<[u8]>>(out: &mut Vec<u8>, args: &[A]) {
    // Per argument: '$', up to 20 digits, two CRLFs; the head: '*', digits, CRLF.
    let len: usize = args.iter().map(|a| a.as_ref().len() + 25).sum::<usize>() + 23;
    out.reserve(len);
    out.push(b'*');
    push_decimal(out, args.len());
    out.extend_from_slice(b"\r\n");
    for arg in args {
        let arg = arg.as_ref();
        out.push(b'$');
        push_decimal(out, arg.len());
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(arg);
        out.extend_from_slice(b"\r\n");
    }
}

fn push_decimal(out: &mut Vec<u8>, n: usize) {
    // Most lengths in a log are one or two digits (argument counts, names, short keys).
    if n < 10 {
        // `n` is a single digit.
        out.push(b'0' + u8::try_from(n).unwrap_or(0));
        return;
    }
    if n < 100 {
        // Two digits, each below 10.
        let (tens, ones) = (
            u8::try_from(n / 10).unwrap_or(0),
            u8::try_from(n % 10).unwrap_or(0),
        );
        out.extend_from_slice(&[b'0' + tens, b'0' + ones]);
        return;
    }
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut n = n;
    loop {
        i -= 1;
        // `n % 10` is a single digit.
        digits[i] = b'0' + u8::try_from(n % 10).unwrap_or(0);
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

/// The commands [`encode`] wrote into `buf`, each as its argument vector.
pub(crate) fn decode_all(buf: &[u8]) -> Vec<Vec<Box<[u8]>>> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < buf.len() {
        let Some((cmd, next)) = decode_one(buf, pos) else {
            break;
        };
        out.push(cmd);
        pos = next;
    }
    out
}

fn decode_one(buf: &[u8], pos: usize) -> Option<(Vec<Box<[u8]>>, usize)> {
    let (argc, mut pos) = header(buf, pos, b'*')?;
    // Capacity from the bytes is capped, though they are our own.
    let mut args = Vec::with_capacity(argc.min(64));
    for _ in 0..argc {
        let (len, body) = header(buf, pos, b'$')?;
        let end = body.checked_add(len)?;
        args.push(Box::from(buf.get(body..end)?));
        pos = end + 2;
    }
    Some((args, pos))
}

/// The number after `tag` on the line at `pos`, and where the line after it starts.
fn header(buf: &[u8], pos: usize, tag: u8) -> Option<(usize, usize)> {
    if *buf.get(pos)? != tag {
        return None;
    }
    let mut n = 0usize;
    let mut at = pos + 1;
    while let Some(&d) = buf.get(at).filter(|d| d.is_ascii_digit()) {
        n = n.checked_mul(10)?.checked_add(usize::from(d - b'0'))?;
        at += 1;
    }
    (buf.get(at..at + 2)? == b"\r\n").then_some((n, at + 2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_a_command_as_redis_writes_it() {
        let mut out = Vec::new();
        encode(&mut out, &["SET", "k", ""]);
        assert_eq!(out, b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n");
    }

    #[test]
    fn decodes_every_command_it_encoded_with_its_bytes() {
        let long = "x".repeat(1234);
        let mut out = Vec::new();
        encode(&mut out, &["SET", "k", "a\r\nb"]);
        encode(
            &mut out,
            &[
                "RPUSH",
                long.as_str(),
                "",
                "1",
                "2",
                "3",
                "4",
                "5",
                "6",
                "7",
                "8",
            ],
        );
        let cmds = decode_all(&out);
        assert_eq!(cmds.len(), 2);
        assert_eq!(&*cmds[0][2], b"a\r\nb");
        assert_eq!(cmds[1].len(), 11);
        assert_eq!(cmds[1][1].len(), 1234);
        assert!(cmds[1][2].is_empty());
    }
}
