//! CONFIG SET's value syntax, as Redis's `config.c` reads it: integers (`string2ll`),
//! memory sizes (`memtoull`: `1k`, `1kb`, `2mb` ...), yes/no, enums, `save` rules; each
//! with Redis's reason text when it does not parse.

use std::time::Duration;

use crate::numbers::parse_i64;
use crate::persist::{Fsync, SaveRule};

/// The bounds of a numeric parameter.
#[derive(Clone, Copy)]
pub(crate) struct Range {
    min: i64,
    max: i64,
}

impl Range {
    pub(crate) const fn signed(min: i64, max: i64) -> Range {
        Range { min, max }
    }

    /// A `size_t` parameter: a negative value is out of range (in Redis its cast to
    /// unsigned makes it huge), and the text is the same since these bounds are ≥ 0.
    pub(crate) const fn unsigned(min: i64, max: i64) -> Range {
        Range { min, max }
    }

    fn check(self, n: i128) -> Result<(), String> {
        if (i128::from(self.min)..=i128::from(self.max)).contains(&n) {
            return Ok(());
        }
        Err(format!(
            "argument must be between {} and {} inclusive",
            self.min, self.max
        ))
    }
}

/// A plain integer parameter.
pub(crate) fn integer(v: &[u8], range: Range) -> Result<i64, String> {
    let n = parse_i64(v).ok_or("argument couldn't be parsed into an integer")?;
    range.check(i128::from(n))?;
    Ok(n)
}

/// A memory parameter: digits with an optional unit (b, k, kb, m, mb, g, gb, any case;
/// k = 1000, kb = 1024), as `memtoull`.
pub(crate) fn memory(v: &[u8], range: Range) -> Result<u64, String> {
    let n = memtoull(v).ok_or("argument must be a memory value")?;
    range.check(i128::from(n))?;
    Ok(n)
}

fn memtoull(v: &[u8]) -> Option<u64> {
    let digits = v.iter().take_while(|b| b.is_ascii_digit()).count();
    let (num, unit) = v.split_at(digits);
    let unit = unit.to_ascii_lowercase();
    let mul: u64 = match unit.as_slice() {
        b"" | b"b" => 1,
        b"k" => 1000,
        b"kb" => 1024,
        b"m" => 1000 * 1000,
        b"mb" => 1024 * 1024,
        b"g" => 1000 * 1000 * 1000,
        b"gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    let n: u64 = if num.is_empty() {
        0
    } else {
        std::str::from_utf8(num).ok()?.parse().ok()?
    };
    n.checked_mul(mul)
}

/// `yes` / `no`, as `yesnotoi`.
pub(crate) fn boolean(v: &[u8]) -> Result<bool, String> {
    match () {
        () if v.eq_ignore_ascii_case(b"yes") => Ok(true),
        () if v.eq_ignore_ascii_case(b"no") => Ok(false),
        () => Err("argument must be 'yes' or 'no'".to_owned()),
    }
}

pub(crate) fn yes_no(on: bool) -> &'static str {
    if on { "yes" } else { "no" }
}

/// `appendfsync`'s values.
pub(crate) fn fsync(v: &[u8]) -> Result<Fsync, String> {
    match () {
        () if v.eq_ignore_ascii_case(b"always") => Ok(Fsync::Always),
        () if v.eq_ignore_ascii_case(b"everysec") => Ok(Fsync::EverySec),
        () if v.eq_ignore_ascii_case(b"no") => Ok(Fsync::No),
        () => Err("argument(s) must be one of the following: everysec, always, no".to_owned()),
    }
}

pub(crate) fn fsync_name(f: Fsync) -> &'static str {
    match f {
        Fsync::Always => "always",
        Fsync::No => "no",
        _ => "everysec",
    }
}

/// `save "<seconds> <changes> ..."`: an even number of integers, seconds ≥ 1, changes ≥ 0;
/// `""` is no rules.
pub(crate) fn save_rules(v: &[u8]) -> Result<Vec<SaveRule>, String> {
    const BAD: &str = "Invalid save parameters";
    let words: Vec<&[u8]> = v.split(|&b| b == b' ').filter(|w| !w.is_empty()).collect();
    if words.len() % 2 != 0 {
        return Err(BAD.to_owned());
    }
    words
        .chunks_exact(2)
        .map(|pair| {
            let secs = parse_i64(pair[0]).filter(|&s| s >= 1).ok_or(BAD)?;
            let changes = parse_i64(pair[1]).filter(|&c| c >= 0).ok_or(BAD)?;
            Ok(SaveRule::new(
                Duration::from_secs(secs.unsigned_abs()),
                changes.unsigned_abs(),
            ))
        })
        .collect::<Result<_, &str>>()
        .map_err(str::to_owned)
}

/// Rules as CONFIG GET prints them: `3600 1 300 100`.
pub(crate) fn save_rules_text(rules: &[SaveRule]) -> String {
    rules
        .iter()
        .map(|r| format!("{} {}", r.after.as_secs(), r.changes))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_values_take_redis_units() {
        let any = Range::unsigned(0, i64::MAX);
        assert_eq!(memory(b"64", any), Ok(64));
        assert_eq!(memory(b"1k", any), Ok(1000));
        assert_eq!(memory(b"1KB", any), Ok(1024));
        assert_eq!(memory(b"2mb", any), Ok(2 << 20));
        assert_eq!(
            memory(b"-1", any),
            Err("argument must be a memory value".to_owned())
        );
        assert_eq!(
            memory(b"1x", any),
            Err("argument must be a memory value".to_owned())
        );
    }

    #[test]
    fn integers_out_of_range_say_the_bounds() {
        assert_eq!(
            integer(b"-1", Range::unsigned(0, i64::MAX)),
            Err("argument must be between 0 and 9223372036854775807 inclusive".to_owned())
        );
        assert_eq!(
            integer(b"1.5", Range::signed(0, 10)),
            Err("argument couldn't be parsed into an integer".to_owned())
        );
    }

    #[test]
    fn save_rules_parse_and_print_back() {
        let rules = save_rules(b"3600 1 300 100").unwrap_or_default();
        assert_eq!(save_rules_text(&rules), "3600 1 300 100");
        assert_eq!(save_rules(b""), Ok(Vec::new()));
        assert!(save_rules(b"0 1").is_err());
        assert!(save_rules(b"10").is_err());
    }
}
