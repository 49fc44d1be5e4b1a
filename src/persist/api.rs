//! The store's snapshot methods: [`Store::save`], [`Store::bgsave`], [`Store::last_save`].

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::error::Error;
use crate::store::Store;
use crate::sync::Ordering;

impl Store {
    /// Writes a snapshot of the whole store to `dump.rdb` in its data folder now, and returns
    /// once the file is on disk (SAVE). The image is the store at one instant; other threads
    /// keep reading and writing while it is written (each waits at most for one short step).
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// use redlite::{Config, Store};
    ///
    /// let dir = std::env::temp_dir().join(format!("redlite-doc-save-{}", std::process::id()));
    /// let store = Store::with_config(Config::default().data_dir(&dir).appendonly(false));
    /// store.set("k", "v")?;
    /// store.save()?;
    /// assert!(dir.join("dump.rdb").exists());
    /// # std::fs::remove_dir_all(&dir).ok();
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Reply`] with Redis's text when a background save is running, or when the
    /// store has no data folder; [`Error::Persistence`] when the file cannot be written (the
    /// previous `dump.rdb` then stays as it was).
    pub fn save(&self) -> Result<(), Error> {
        if self.shared.saves.bgsave_running.load(Ordering::Acquire) {
            return Err(Error::Reply(
                "ERR Background save already in progress".to_string(),
            ));
        }
        super::save::save(&self.shared, false)
            .map(|_| ())
            .map_err(Error::from)
    }

    /// Starts a snapshot in the background and returns at once (BGSAVE); see
    /// [`Store::last_save`] to learn when it is done.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// use redlite::{Config, Store};
    ///
    /// let dir = std::env::temp_dir().join(format!("redlite-doc-bgsave-{}", std::process::id()));
    /// let store = Store::with_config(Config::default().data_dir(&dir).appendonly(false));
    /// store.set("k", "v")?;
    /// store.bgsave()?;
    /// # std::fs::remove_dir_all(&dir).ok();
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Reply`] with Redis's texts: a background save already in progress, another
    /// snapshot (an AOF rewrite) running, or no data folder.
    pub fn bgsave(&self) -> Result<(), Error> {
        super::bgsave(&self.shared, false)
            .map(|_| ())
            .map_err(|text| Error::Reply(text.to_string()))
    }

    /// When the last successful save finished (LASTSAVE; the store's creation until then).
    ///
    /// # Examples
    ///
    /// ```
    /// let store = redlite::Store::new();
    /// assert!(store.last_save() <= std::time::SystemTime::now());
    /// ```
    #[must_use]
    pub fn last_save(&self) -> SystemTime {
        let secs = self.shared.saves.last_save.load(Ordering::Acquire);
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    /// Loads the RDB file at `path` into this store, as opening a data folder does. Meant
    /// for tests and tools until `Store::open` loads folders; not part of the stable API.
    ///
    /// # Errors
    ///
    /// [`Error::Persistence`] naming the file and the byte offset of the first damage; keys
    /// read before it stay in the store.
    #[doc(hidden)]
    pub fn load_rdb_file(&self, path: impl AsRef<Path>) -> Result<usize, Error> {
        let report = super::rdb::load_file(path.as_ref(), &self.shared)?;
        Ok(report.keys)
    }

    /// The store's point-in-time image as RDB bytes, in memory (what SAVE writes to disk).
    /// For tests and loom models; not part of the stable API.
    ///
    /// # Errors
    ///
    /// [`Error::Reply`] with Redis's "already in progress" text while another snapshot runs.
    #[doc(hidden)]
    pub fn rdb_image(&self) -> Result<Vec<u8>, Error> {
        self.rdb_image_timed().map(|(image, _)| image)
    }

    /// [`Store::rdb_image`] and the longest the snapshot held any shard lock (the longest a
    /// writer could have waited for it). For the benches; not stable API.
    ///
    /// # Errors
    ///
    /// As [`Store::rdb_image`].
    #[doc(hidden)]
    pub fn rdb_image_timed(&self) -> Result<(Vec<u8>, Duration), Error> {
        self.rdb_image_holds()
            .map(|(image, holds)| (image, holds.longest))
    }

    /// [`Store::rdb_image`] with every shard-lock hold of its snapshot counted, and each
    /// hold's run-queue delay read from the kernel (Linux), so that the figure separates
    /// the snapshot's own hold times from the scheduler's. For the benches; not stable API.
    ///
    /// # Examples
    ///
    /// See `SnapshotHolds`.
    ///
    /// # Errors
    ///
    /// As [`Store::rdb_image`].
    #[doc(hidden)]
    pub fn rdb_image_profiled(&self) -> Result<(Vec<u8>, super::SnapshotHolds), Error> {
        super::holds::profiled(|| self.rdb_image_holds())
    }

    fn rdb_image_holds(&self) -> Result<(Vec<u8>, super::SnapshotHolds), Error> {
        let mut out = Vec::new();
        match super::rdb::write(&self.shared, &mut out) {
            Ok(report) => Ok((out, report.holds)),
            Err(_) => Err(Error::Reply(
                "ERR Background save already in progress".to_string(),
            )),
        }
    }

    /// The store's image as an AOF base (RDB bytes, in memory), with `listener` joining
    /// the store's listeners at the image's instant, as `CONFIG SET appendonly yes` joins
    /// its new log: each write lands in exactly one of the image and what `listener` is
    /// given. For the loom model of the live start; not stable API.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> Result<(), redlite::Error> {
    /// struct Ignore;
    /// impl redlite::Listener for Ignore {
    ///     fn on_batch(&self, _: &redlite::Batch) {}
    /// }
    /// let store = redlite::Store::new();
    /// let (image, _joined) = store.rdb_image_joining(std::sync::Arc::new(Ignore))?;
    /// assert_eq!(redlite::Store::new().load_rdb_bytes(&image)?, 0);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Store::rdb_image`].
    #[doc(hidden)]
    pub fn rdb_image_joining(
        &self,
        listener: std::sync::Arc<dyn crate::Listener>,
    ) -> Result<(Vec<u8>, crate::Subscription), Error> {
        let mut out = Vec::new();
        let id = std::sync::atomic::AtomicU64::new(u64::MAX);
        match super::aof::image_then_join(&self.shared, &mut out, listener, &id) {
            Ok(_) => Ok((
                out,
                crate::Subscription {
                    store: std::sync::Arc::downgrade(&self.shared),
                    id: id.load(std::sync::atomic::Ordering::Acquire),
                },
            )),
            Err(_) => Err(Error::Reply(
                "ERR Background save already in progress".to_string(),
            )),
        }
    }

    /// How many fsyncs the append-only log did and how many records it wrote since the
    /// store opened (`None` without a log): records per fsync is the group commit's
    /// group size under `Fsync::Always`. For the benches; not stable API.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(redlite::Store::new().aof_counts(), None);
    /// ```
    #[doc(hidden)]
    #[must_use]
    pub fn aof_counts(&self) -> Option<(u64, u64)> {
        self.shared.aof.get().map(|a| a.counts())
    }

    /// Loads RDB bytes into this store (see [`Store::load_rdb_file`]); not stable API.
    ///
    /// # Errors
    ///
    /// [`Error::Persistence`] at the first damage.
    #[doc(hidden)]
    pub fn load_rdb_bytes(&self, bytes: &[u8]) -> Result<usize, Error> {
        Ok(super::rdb::load(bytes, &self.shared)?.keys)
    }
}
