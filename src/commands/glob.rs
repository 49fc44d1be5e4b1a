//! Glob matching as Redis's `stringmatchlen` does it (KEYS, SCAN MATCH, HSCAN ...).
//!
//! `*` any run, `?` any byte, `[abc]`, `[^abc]`, `[a-z]` classes, `\x` escapes `x`.
//! Redis's quirks are copied on purpose, since users compare our KEYS with theirs: a class
//! range may swallow the `]` (`[a-]` is the range `]`..`a`), an unclosed class ends at the
//! end of the pattern, and only a lone `*` matches the empty string (KEYS and SCAN special
//! case `*` before matching).

/// True when `text` matches `pattern`.
pub(crate) fn matches(pattern: &[u8], text: &[u8]) -> bool {
    let mut give_up = false;
    match_from(pattern, text, &mut give_up, 0)
}

// `give_up` is Redis's `skipLongerMatches`: once the rest of the pattern after a `*` fails
// at every position, no earlier `*` can do better, so the search stops. Without it a
// pattern like `*a*a*a*a*b` takes exponential time. The nesting cap keeps the stack bounded.
fn match_from(mut p: &[u8], mut t: &[u8], give_up: &mut bool, nesting: u32) -> bool {
    if nesting > 1000 {
        return false;
    }
    while let (Some(&c), Some(&ch)) = (p.first(), t.first()) {
        match c {
            b'*' => return star(p, t, give_up, nesting),
            b'?' => {}
            b'[' => {
                let (matched, at_end) = class(p, ch);
                if !matched {
                    return false;
                }
                p = &p[at_end..];
            }
            _ => {
                if c == b'\\' && p.len() >= 2 {
                    p = &p[1..];
                }
                if p[0] != ch {
                    return false;
                }
            }
        }
        t = &t[1..];
        p = &p[1..];
        if t.is_empty() {
            while p.first() == Some(&b'*') {
                p = &p[1..];
            }
        }
    }
    p.is_empty() && t.is_empty()
}

/// `p` starts with `*` and `t` is not empty.
fn star(mut p: &[u8], mut t: &[u8], give_up: &mut bool, nesting: u32) -> bool {
    while p.get(1) == Some(&b'*') {
        p = &p[1..];
    }
    if p.len() == 1 {
        return true;
    }
    while !t.is_empty() {
        if match_from(&p[1..], t, give_up, nesting + 1) {
            return true;
        }
        if *give_up {
            return false;
        }
        t = &t[1..];
    }
    *give_up = true;
    false
}

/// Matches `ch` against the class starting at `p[0] == b'['`. Returns the result and the
/// index of the class's last pattern byte (its `]`, or the pattern's end), as Redis walks it.
fn class(p: &[u8], ch: u8) -> (bool, usize) {
    let mut i = 1;
    let negate = p.get(i) == Some(&b'^');
    if negate {
        i += 1;
    }
    let mut matched = false;
    loop {
        let left = p.len().saturating_sub(i);
        match p.get(i) {
            Some(b'\\') if left >= 2 => {
                i += 1;
                matched |= p[i] == ch;
            }
            Some(b']') => break,
            None => {
                i -= 1;
                break;
            }
            Some(&lo) if left >= 3 && p[i + 1] == b'-' => {
                let hi = p[i + 2];
                let (lo, hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
                matched |= (lo..=hi).contains(&ch);
                i += 2;
            }
            Some(&b) => matched |= b == ch,
        }
        i += 1;
    }
    (matched != negate, i)
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn redis_glob_rules() {
        assert!(matches(b"*", b"x"));
        assert!(!matches(b"*", b""));
        assert!(!matches(b"**", b""));
        assert!(matches(b"h?llo", b"hello"));
        assert!(matches(b"h*llo", b"heeeello"));
        assert!(matches(b"h[ae]llo", b"hallo"));
        assert!(!matches(b"h[ae]llo", b"hillo"));
        assert!(matches(b"h[^e]llo", b"hallo"));
        assert!(!matches(b"h[^e]llo", b"hello"));
        assert!(matches(b"h[a-b]llo", b"hbllo"));
        assert!(matches(b"h[b-a]llo", b"hbllo"));
        assert!(matches(b"h\\*llo", b"h*llo"));
        assert!(!matches(b"h\\*llo", b"hello"));
        assert!(!matches(b"a*b", b"acd"));
        assert!(matches(b"a*", b"a"));
        assert!(!matches(b"a[", b"a"));
        assert!(matches(b"[abc", b"b"));
        assert!(matches(b"[^", b"z"));
        assert!(!matches(b"[", b"a"));
        assert!(matches(b"a\\", b"a\\"));
        // Redis reads `a-]` as the range `]`..`a`, then keeps reading the class.
        assert!(matches(b"[a-]", b"_"));
        assert!(matches(b"[a-]x", b"x"));
        assert!(matches(b"[\\]]", b"]"));
    }

    #[test]
    fn hostile_patterns_finish_quickly() {
        let text = vec![b'a'; 5000];
        let mut pattern = b"*a".repeat(40);
        pattern.extend_from_slice(b"*b");
        assert!(!matches(&pattern, &text));
    }
}
