//! CONFIG GET / SET of the persistence parameters. `save` and
//! `stop-writes-on-bgsave-error` are live; `appendonly`, `appendfsync` and `dir` are fixed
//! when the store opens (`Config::appendonly`, `Config::appendfsync`, `Config::data_dir`),
//! so a SET to another value is refused as Redis refuses an immutable parameter, and a SET
//! to the value in force is accepted (setup code such as `CONFIG SET appendonly yes` runs).

use super::values;
use crate::shared::Shared;

pub(super) fn get_appendonly(s: &Shared) -> String {
    values::yes_no(s.config.persist.aof_on()).to_owned()
}

pub(super) fn set_appendonly(s: &Shared, v: &[u8], _: bool) -> Result<(), String> {
    let on = values::boolean(v)?;
    unchanged(on == s.config.persist.aof_on())
}

pub(super) fn get_appendfsync(s: &Shared) -> String {
    values::fsync_name(s.config.persist.appendfsync).to_owned()
}

pub(super) fn set_appendfsync(s: &Shared, v: &[u8], _: bool) -> Result<(), String> {
    let policy = values::fsync(v)?;
    unchanged(policy == s.config.persist.appendfsync)
}

pub(super) fn get_save(s: &Shared) -> String {
    values::save_rules_text(&s.saves.rules())
}

/// The rules take effect at the saver's next check (once a second). A store without a
/// data folder has nowhere to save: only the empty rule list (what it has) is accepted.
pub(super) fn set_save(s: &Shared, v: &[u8], apply: bool) -> Result<(), String> {
    let rules = values::save_rules(v)?;
    if s.config.persist.dir.is_none() && !rules.is_empty() {
        return Err("the store has no data folder (Config::data_dir) to save to".to_owned());
    }
    if apply {
        s.saves.set_rules(rules);
    }
    Ok(())
}

pub(super) fn get_stop_writes(s: &Shared) -> String {
    values::yes_no(s.saves.stop_writes()).to_owned()
}

pub(super) fn set_stop_writes(s: &Shared, v: &[u8], apply: bool) -> Result<(), String> {
    let on = values::boolean(v)?;
    if apply {
        s.saves.set_stop_writes(on);
    }
    Ok(())
}

pub(super) fn get_dir(s: &Shared) -> String {
    let dir = s
        .config
        .persist
        .dir
        .clone()
        .or_else(|| std::env::current_dir().ok());
    dir.map(|d| d.display().to_string()).unwrap_or_default()
}

pub(super) fn set_dir(s: &Shared, v: &[u8], _: bool) -> Result<(), String> {
    unchanged(v == get_dir(s).as_bytes())
}

/// The reason a parameter fixed at open cannot change.
fn unchanged(same: bool) -> Result<(), String> {
    if same {
        Ok(())
    } else {
        Err("can't set immutable config".to_owned())
    }
}
