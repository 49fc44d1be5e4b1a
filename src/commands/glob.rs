//! Glob matching as Redis's `stringmatchlen` does it (KEYS, SCAN MATCH, HSCAN ...).
//!
//! `*` any run, `?` any byte, `[abc]`, `[^abc]`, `[a-z]` classes, `\x` escapes `x`.

/// True when `text` matches `pattern`.
pub(crate) fn matches(pattern: &[u8], text: &[u8]) -> bool {
    match_from(pattern, text, 0)
}

// Redis bounds recursion on `*`; the depth cap keeps a hostile pattern from blowing the stack.
fn match_from(mut p: &[u8], mut t: &[u8], depth: u32) -> bool {
    if depth > 1000 {
        return false;
    }
    while let Some((&c, rest)) = p.split_first() {
        match c {
            b'*' => {
                let rest = trim_stars(rest);
                if rest.is_empty() {
                    return true;
                }
                return (0..=t.len()).any(|i| match_from(rest, &t[i..], depth + 1));
            }
            b'?' => {
                let Some((_, tr)) = t.split_first() else {
                    return false;
                };
                t = tr;
                p = rest;
            }
            b'[' => {
                let Some((&ch, tr)) = t.split_first() else {
                    return false;
                };
                let (matched, after) = class(rest, ch);
                if !matched {
                    return false;
                }
                t = tr;
                p = after;
            }
            _ => {
                let (lit, after) = match (c, rest.split_first()) {
                    (b'\\', Some((&e, r))) => (e, r),
                    _ => (c, rest),
                };
                match t.split_first() {
                    Some((&ch, tr)) if ch == lit => {
                        t = tr;
                        p = after;
                    }
                    _ => return false,
                }
            }
        }
    }
    t.is_empty()
}

fn trim_stars(mut p: &[u8]) -> &[u8] {
    while let Some((b'*', rest)) = p.split_first() {
        p = rest;
    }
    p
}

/// Matches `ch` against a class body (after `[`); returns the result and the pattern after `]`.
fn class(mut p: &[u8], ch: u8) -> (bool, &[u8]) {
    let negate = p.first() == Some(&b'^');
    if negate {
        p = &p[1..];
    }
    let mut matched = false;
    loop {
        match p {
            [] => break,
            [b']', rest @ ..] => {
                p = rest;
                break;
            }
            [b'\\', e, rest @ ..] => {
                matched |= *e == ch;
                p = rest;
            }
            [a, b'-', b, rest @ ..] if *b != b']' => {
                let (lo, hi) = if a <= b { (*a, *b) } else { (*b, *a) };
                matched |= (lo..=hi).contains(&ch);
                p = rest;
            }
            [a, rest @ ..] => {
                matched |= *a == ch;
                p = rest;
            }
        }
    }
    (matched != negate, p)
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn redis_glob_rules() {
        assert!(matches(b"*", b""));
        assert!(matches(b"h?llo", b"hello"));
        assert!(matches(b"h*llo", b"heeeello"));
        assert!(matches(b"h[ae]llo", b"hallo"));
        assert!(!matches(b"h[ae]llo", b"hillo"));
        assert!(matches(b"h[^e]llo", b"hallo"));
        assert!(!matches(b"h[^e]llo", b"hello"));
        assert!(matches(b"h[a-b]llo", b"hbllo"));
        assert!(matches(b"h\\*llo", b"h*llo"));
        assert!(!matches(b"h\\*llo", b"hello"));
        assert!(!matches(b"a*b", b"acd"));
    }
}
