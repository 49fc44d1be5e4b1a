//! The `#!lua flags=...` / `#!rhai flags=...` first line: the engine, and Redis 7's script
//! flags. A script without one runs on the configured default engine with the configured
//! default flags (Redis's "compat mode" when those are left alone).

use std::borrow::Cow;

use super::config::{Defaults, ScriptEngine};

/// What a script's shebang declares.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Flags {
    /// The script has a shebang line (Redis then drops its "compat mode" defaults).
    pub(crate) shebang: bool,
    /// `no-writes`: write commands fail, and the keys are only read-locked.
    pub(crate) no_writes: bool,
    /// `allow-undeclared-keys`: any key may be used; the run then locks every shard.
    pub(crate) allow_undeclared: bool,
    /// Runs on the Lua engine (else Rhai).
    pub(crate) lua: bool,
}

impl Flags {
    /// The flags of a script without a shebang.
    fn defaults(defaults: &Defaults) -> Flags {
        Flags {
            shebang: false,
            no_writes: defaults.no_writes,
            allow_undeclared: defaults.allow_undeclared,
            lua: defaults.engine == ScriptEngine::Lua,
        }
    }

    /// The engine's name, as its shebang spells it.
    pub(crate) fn lang(self) -> &'static str {
        if self.lua { "lua" } else { "rhai" }
    }
}

/// Redis's flag names, accepted so scripts stay portable; they change nothing here
/// (no memory limit, replicas or cluster).
const IGNORED: &[&str] = &[
    "allow-oom",
    "allow-stale",
    "no-cluster",
    "allow-cross-slot-keys",
];

/// Splits off the shebang: the flags, and the body to compile. The shebang line is blanked
/// but its newline kept, so error line numbers match the text the user wrote.
pub(crate) fn parse<'s>(
    src: &'s str,
    defaults: &Defaults,
) -> Result<(Flags, Cow<'s, str>), String> {
    let Some(rest) = src.strip_prefix("#!") else {
        return Ok((Flags::defaults(defaults), Cow::Borrowed(src)));
    };
    let Some(end) = rest.find('\n') else {
        return Err("ERR Invalid script shebang".into());
    };
    let flags = parse_line(&rest[..end])?;
    Ok((flags, Cow::Owned(rest[end..].to_string())))
}

/// The flags of `src`, reading only its first line (lock planning runs before compiling).
pub(crate) fn flags_of(src: &[u8], defaults: &Defaults) -> Result<Flags, String> {
    let Some(rest) = src.strip_prefix(b"#!") else {
        return Ok(Flags::defaults(defaults));
    };
    let Some(end) = rest.iter().position(|&b| b == b'\n') else {
        return Err("ERR Invalid script shebang".into());
    };
    parse_line(&String::from_utf8_lossy(&rest[..end]))
}

/// The text after `#!` on the first line.
fn parse_line(line: &str) -> Result<Flags, String> {
    let mut words = line.split_ascii_whitespace();
    let engine = words.next().unwrap_or("");
    let lua = match engine {
        "rhai" => false,
        #[cfg(feature = "lua")]
        "lua" => true,
        _ => {
            return Err(format!(
                "ERR Unexpected engine in script shebang: #!{engine}"
            ));
        }
    };
    let mut flags = Flags {
        shebang: true,
        lua,
        ..Flags::default()
    };
    for word in words {
        let Some(list) = word.strip_prefix("flags=") else {
            return Err(format!("ERR Unknown {engine} shebang option: {word}"));
        };
        for flag in list.split(',').filter(|f| !f.is_empty()) {
            match flag {
                "no-writes" => flags.no_writes = true,
                "allow-undeclared-keys" => flags.allow_undeclared = true,
                f if IGNORED.contains(&f) => {}
                f => return Err(format!("ERR Unexpected flag in script shebang: {f}")),
            }
        }
    }
    Ok(flags)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RHAI: Defaults = Defaults::rhai();

    #[test]
    fn no_shebang_is_compat_mode() {
        let (flags, body) = parse("return 1", &RHAI).unwrap();
        assert_eq!(flags, Flags::default());
        let (flags, _) = parse("return 1", &Defaults::default()).unwrap();
        assert_eq!(flags.lua, cfg!(feature = "lua"));
        assert_eq!(body, "return 1");
    }

    #[test]
    fn flags_are_read_and_the_line_kept() {
        let (flags, body) = parse("#!rhai flags=no-writes,allow-oom\n1", &RHAI).unwrap();
        assert!(flags.shebang && flags.no_writes && !flags.allow_undeclared);
        assert_eq!(body, "\n1");
        let (flags, _) = parse("#!rhai flags=\nx", &RHAI).unwrap();
        assert!(flags.shebang && !flags.no_writes);
    }

    #[test]
    fn bad_shebangs_get_redis_texts() {
        assert_eq!(
            parse("#!rhai", &RHAI).unwrap_err(),
            "ERR Invalid script shebang"
        );
        assert_eq!(
            parse("#!perl\n", &RHAI).unwrap_err(),
            "ERR Unexpected engine in script shebang: #!perl"
        );
        assert_eq!(
            parse("#!rhai badger=data\n", &RHAI).unwrap_err(),
            "ERR Unknown rhai shebang option: badger=data"
        );
        assert_eq!(
            parse("#!rhai flags=what?\n", &RHAI).unwrap_err(),
            "ERR Unexpected flag in script shebang: what?"
        );
    }
}
