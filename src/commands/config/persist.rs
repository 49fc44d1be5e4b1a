//! CONFIG GET / SET of the persistence parameters. `save`, `stop-writes-on-bgsave-error`,
//! `appendonly` and `appendfsync` are live, as in Redis 7.0 (see `persist::aof::switch`);
//! `dir` is fixed when the store opens (`Config::data_dir`), so a SET to another folder is
//! refused as Redis refuses an immutable parameter, and a SET to the folder in force is
//! accepted. A store without a data folder has nowhere to log: `appendonly yes` is refused
//! there, with redlite's text (Redis always has a folder).

use super::values;
use crate::shared::Shared;

/// Why `appendonly yes` is refused on a store without a data folder.
const NO_DIR: &str = "the store has no data folder (Config::data_dir) to log to";

pub(super) fn get_appendonly(s: &Shared) -> String {
    values::yes_no(s.aof.enabled()).to_owned()
}

/// `yes` answers at once and starts the log in the background; `no` closes it once all it
/// was given is on disk.
pub(super) fn set_appendonly(s: &Shared, v: &[u8], apply: bool) -> Result<(), String> {
    let on = values::boolean(v)?;
    if on && s.config.persist.dir.is_none() {
        return Err(NO_DIR.to_owned());
    }
    if apply {
        if on {
            s.aof.turn_on()?;
        } else {
            s.aof.turn_off(s);
        }
    }
    Ok(())
}

pub(super) fn get_appendfsync(s: &Shared) -> String {
    values::fsync_name(s.aof.policy()).to_owned()
}

pub(super) fn set_appendfsync(s: &Shared, v: &[u8], apply: bool) -> Result<(), String> {
    let policy = values::fsync(v)?;
    if apply {
        s.aof.set_policy(s, policy);
    }
    Ok(())
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
