//! A library's first line, `#!<engine> name=<library>`, by Redis 7.0's rules and texts.

/// The engine and library name of `code`. The error is the reply text.
pub(crate) fn parse_header(code: &[u8]) -> Result<(String, Vec<u8>), String> {
    let Some(rest) = code.strip_prefix(b"#!") else {
        return Err("ERR Missing library metadata".into());
    };
    let Some(end) = rest.iter().position(|&b| b == b'\n') else {
        return Err("ERR Invalid library metadata".into());
    };
    let mut parts = rest[..end]
        .split(u8::is_ascii_whitespace)
        .filter(|p| !p.is_empty());
    let engine = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    let mut name = None;
    for part in parts {
        let Some(value) = part
            .get(..5)
            .filter(|p| p.eq_ignore_ascii_case(b"name="))
            .map(|_| &part[5..])
        else {
            return Err(format!(
                "ERR Invalid metadata value given: {}",
                String::from_utf8_lossy(part)
            ));
        };
        if name.replace(value.to_vec()).is_some() {
            return Err(
                "ERR Invalid metadata value, name argument was given multiple times".into(),
            );
        }
    }
    let name = name.ok_or("ERR Library name was not given")?;
    if !valid_name(&name) {
        return Err(NAME_TEXT.into());
    }
    Ok((engine, name))
}

/// Redis's text for a bad library name (and, as Redis words it, a bad function name).
pub(crate) const NAME_TEXT: &str = "ERR Library names can only contain letters, numbers, or \
                                    underscores(_) and must be at least one character long";

/// Letters, digits and `_`, at least one.
#[cfg_attr(
    not(feature = "lua"),
    allow(dead_code, reason = "only the Lua engine registers functions")
)]
pub(crate) fn valid_name(name: &[u8]) -> bool {
    !name.is_empty() && name.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::parse_header;

    #[test]
    fn header_rules_follow_redis() {
        assert_eq!(
            parse_header(b"#!lua name=lib\n").ok(),
            Some(("lua".into(), b"lib".to_vec()))
        );
        assert_eq!(
            parse_header(b"x").unwrap_err(),
            "ERR Missing library metadata"
        );
        assert_eq!(
            parse_header(b"#!lua").unwrap_err(),
            "ERR Invalid library metadata"
        );
        assert_eq!(
            parse_header(b"#!lua foo=bar\n").unwrap_err(),
            "ERR Invalid metadata value given: foo=bar"
        );
        assert_eq!(
            parse_header(b"#!lua\n").unwrap_err(),
            "ERR Library name was not given"
        );
        assert!(parse_header(b"#!lua name=a-b\n").is_err());
    }
}
