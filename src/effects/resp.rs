//! Replay commands as RESP, the form a batch keeps them in: an append-only log writes the
//! bytes as they are, and [`Batch::commands`](super::Batch::commands) decodes them only for
//! a listener that asks.
//!
//! Encoding appends one command (`*<argc>\r\n` then `$<len>\r\n<bytes>\r\n` per argument).
//! Decoding reads only what [`encode`] wrote (a batch's own bytes), so it stops quietly at
//! anything else instead of reporting where.

/// Appends `args` as one RESP command. No length pre-pass: the buffers this writes into are
/// reused across writes (a batch's, recycled per thread), so they rarely grow.
pub(crate) fn encode<A: AsRef<[u8]>>(out: &mut Vec<u8>, args: &[A]) {
    header(out, b'*', args.len());
    for arg in args {
        let arg = arg.as_ref();
        header(out, b'$', arg.len());
        out.extend_from_slice(arg);
        out.extend_from_slice(b"\r\n");
    }
}

/// `<tag><n>\r\n`. This runs for every argument of every logged write: lengths below 100
/// (argument counts, names, most keys and values) are one fixed-size copy, no digit loop.
#[allow(
    clippy::inline_always,
    reason = "three or four times per logged write: a call would cost more than the body"
)]
#[inline(always)]
fn header(out: &mut Vec<u8>, tag: u8, n: usize) {
    // Each digit is below 10, so each fits a byte.
    let digit = |d: usize| b'0' + u8::try_from(d % 10).unwrap_or(0);
    if n < 10 {
        out.extend_from_slice(&[tag, digit(n), b'\r', b'\n']);
    } else if n < 100 {
        out.extend_from_slice(&[tag, digit(n / 10), digit(n), b'\r', b'\n']);
    } else {
        long_header(out, tag, n);
    }
}

#[cold]
fn long_header(out: &mut Vec<u8>, tag: u8, n: usize) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut n = n;
    while n > 0 {
        i -= 1;
        // `n % 10` is a single digit.
        digits[i] = b'0' + u8::try_from(n % 10).unwrap_or(0);
        n /= 10;
    }
    out.push(tag);
    out.extend_from_slice(&digits[i..]);
    out.extend_from_slice(b"\r\n");
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
    let (argc, mut pos) = read_header(buf, pos, b'*')?;
    // Capacity from the bytes is capped, though they are our own.
    let mut args = Vec::with_capacity(argc.min(64));
    for _ in 0..argc {
        let (len, body) = read_header(buf, pos, b'$')?;
        let end = body.checked_add(len)?;
        args.push(Box::from(buf.get(body..end)?));
        pos = end + 2;
    }
    Some((args, pos))
}

/// The number after `tag` on the line at `pos`, and where the line after it starts.
fn read_header(buf: &[u8], pos: usize, tag: u8) -> Option<(usize, usize)> {
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
        let (v, w, x) = ("v".repeat(10), "w".repeat(99), "x".repeat(100));
        encode(&mut out, &["SET", v.as_str(), w.as_str(), x.as_str()]);
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
        assert_eq!(cmds.len(), 3);
        assert_eq!(&*cmds[0][2], b"a\r\nb");
        let lens: Vec<usize> = cmds[1].iter().map(|a| a.len()).collect();
        assert_eq!(lens, [3, 10, 99, 100]);
        assert!(out.windows(7).any(|w| w == b"$100\r\nx"));
        assert_eq!(cmds[2].len(), 11);
        assert_eq!(cmds[2][1].len(), 1234);
        assert!(cmds[2][2].is_empty());
    }
}
