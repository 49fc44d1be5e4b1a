//! The persistence knobs of [`Config`]: where, whether, and how often to reach the disk.

use std::path::PathBuf;
use std::time::Duration;

use crate::config::Config;

/// When the append-only log is fsynced (Redis's `appendfsync`).
///
/// # Examples
///
/// ```
/// use redlite::{Config, Fsync};
///
/// let config = Config::default().data_dir("/tmp/redlite-doc").appendfsync(Fsync::Always);
/// # let _ = config;
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Fsync {
    /// Every write returns only once its record is on disk; concurrent writers share fsyncs.
    Always,
    /// A background fsync each second: a crash loses at most about two seconds of writes.
    #[default]
    EverySec,
    /// Leave flushing to the operating system.
    No,
}

/// One automatic-snapshot rule: save when at least `changes` writes happened within `after`
/// (Redis's `save <seconds> <changes>`).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use redlite::{Config, SaveRule};
///
/// // Redis's classic `save 3600 1 300 100 60 10000`.
/// let config = Config::default().save_rules([
///     SaveRule::new(Duration::from_secs(3600), 1),
///     SaveRule::new(Duration::from_secs(300), 100),
///     SaveRule::new(Duration::from_secs(60), 10_000),
/// ]);
/// # let _ = config;
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SaveRule {
    /// How long since the last successful save.
    pub after: Duration,
    /// How many writes since the last successful save.
    pub changes: u64,
}

impl SaveRule {
    /// A rule: snapshot once `changes` writes happened and `after` passed since the last save.
    ///
    /// # Examples
    ///
    /// ```
    /// let rule = redlite::SaveRule::new(std::time::Duration::from_secs(60), 10_000);
    /// assert_eq!(rule.changes, 10_000);
    /// ```
    #[must_use]
    pub fn new(after: Duration, changes: u64) -> SaveRule {
        SaveRule { after, changes }
    }
}

/// What [`Config`] holds about persistence.
#[derive(Clone, Debug, Default)]
pub(crate) struct PersistConfig {
    /// The data folder; `None` keeps the store in memory only.
    pub(crate) dir: Option<PathBuf>,
    /// `None` until set: defaults to on once a folder is given.
    pub(crate) appendonly: Option<bool>,
    pub(crate) appendfsync: Fsync,
    /// `None` until set: defaults to no rules while the AOF is on.
    pub(crate) save_rules: Option<Vec<SaveRule>>,
}

#[allow(dead_code, reason = "read by the AOF and snapshot code, landing next")]
impl PersistConfig {
    /// Whether the append-only log is on (a folder is set and `appendonly` was not turned off).
    pub(crate) fn aof_on(&self) -> bool {
        self.dir.is_some() && self.appendonly.unwrap_or(true)
    }

    /// The automatic-snapshot rules in force.
    pub(crate) fn rules(&self) -> &[SaveRule] {
        self.save_rules.as_deref().unwrap_or(&[])
    }
}

impl Config {
    /// Turn persistence on, in this folder (created by [`Store::open`](crate::Store::open) if
    /// missing). Off by default: `Store::new()` keeps everything in memory.
    ///
    /// # Examples
    ///
    /// ```
    /// let config = redlite::Config::default().data_dir("/var/lib/myapp/redlite");
    /// # let _ = config;
    /// ```
    #[must_use]
    pub fn data_dir(mut self, path: impl Into<PathBuf>) -> Self {
        self.persist.dir = Some(path.into());
        self
    }

    /// Keep the append-only log (Redis's `appendonly`); default on once a data folder is set.
    ///
    /// # Examples
    ///
    /// ```
    /// // Snapshots only, as a Redis with `appendonly no` and save rules.
    /// let config = redlite::Config::default().data_dir("/tmp/d").appendonly(false);
    /// # let _ = config;
    /// ```
    #[must_use]
    pub fn appendonly(mut self, on: bool) -> Self {
        self.persist.appendonly = Some(on);
        self
    }

    /// When the log is fsynced; default [`Fsync::EverySec`].
    ///
    /// # Examples
    ///
    /// ```
    /// use redlite::{Config, Fsync};
    ///
    /// let config = Config::default().data_dir("/tmp/d").appendfsync(Fsync::No);
    /// # let _ = config;
    /// ```
    #[must_use]
    pub fn appendfsync(mut self, policy: Fsync) -> Self {
        self.persist.appendfsync = policy;
        self
    }

    /// Automatic snapshots (Redis's `save` rules); default none while the AOF is on.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use redlite::{Config, SaveRule};
    ///
    /// let config = Config::default()
    ///     .data_dir("/tmp/d")
    ///     .save_rules([SaveRule::new(Duration::from_secs(60), 1000)]);
    /// # let _ = config;
    /// ```
    #[must_use]
    pub fn save_rules(mut self, rules: impl IntoIterator<Item = SaveRule>) -> Self {
        self.persist.save_rules = Some(rules.into_iter().collect());
        self
    }
}
