//! [`Shared`]: the state every handle and connection of one store points at.

use std::sync::OnceLock;

use std::any::Any;

use crate::clock::Now;
use crate::commands::table::Table;
use crate::config::Config;
use crate::effects::{Listeners, Recorder};
use crate::events::Events;
use crate::keyspace::expiry::Sweeper;
use crate::keyspace::locks::{self, after_unlock};
use crate::keyspace::{Keyspace, Shard};

/// State shared by every handle and connection of one store.
pub(crate) struct Shared {
    pub(crate) keyspace: Keyspace,
    pub(crate) config: Config,
    /// Every command's row, handed down by the store (see `crate::registry`), so that the
    /// layers below it find commands without importing the layers above.
    pub(crate) commands: &'static Table,
    /// The script layer's state (engine, cache, running scripts), kept opaque here for the
    /// same reason; `script` downcasts it.
    pub(crate) script_state: Box<dyn Any + Send + Sync>,
    /// Who receives the effects of writes (see [`crate::effects`]).
    pub(crate) listeners: Listeners,
    /// The store's place on the process's active-expiry thread, removed (no pass of it
    /// running) when the last handle drops (loom models run without it).
    #[cfg_attr(loom, allow(dead_code))]
    pub(crate) sweeper: OnceLock<Sweeper>,
    /// Blocked calls' timers, pub/sub, keyspace notifications (see [`crate::events`]).
    pub(crate) events: Events,
    /// The memory limit's run-time settings and eviction pool (see [`crate::evict`]).
    pub(crate) memory: crate::evict::Memory,
    /// CONFIG SET's live parameters, INFO's counters, the connection registry.
    pub(crate) server: crate::server::ServerState,
    /// Snapshots: the one-at-a-time flag, LASTSAVE, the saver thread (see `persist`).
    pub(crate) saves: crate::persist::state::SaveState,
    /// The append-only log in force, if any, and its live settings (see `persist::aof`).
    pub(crate) aof: crate::persist::aof::LogSwitch,
}

impl Shared {
    pub(crate) fn new(
        config: Config,
        commands: &'static Table,
        script_state: Box<dyn Any + Send + Sync>,
    ) -> Shared {
        let events = Events::new(config.clock.clone(), config.pubsub_buffer_limit);
        let server = crate::server::ServerState::new(&config, commands.len());
        let saves = crate::persist::state::SaveState::new(&config.persist);
        let aof = crate::persist::aof::LogSwitch::new(config.persist.appendfsync);
        let shared = Shared {
            keyspace: Keyspace::new(config.shards, config.databases),
            memory: crate::evict::Memory::new(
                &config.memory,
                // Without the sweeper nothing refreshes the coarse access time; under loom
                // there is no sweeper either.
                config.clock.as_manual().is_some() || !config.active_expiry || cfg!(loom),
            ),
            server,
            commands,
            script_state,
            config,
            listeners: Listeners::default(),
            sweeper: OnceLock::new(),
            events,
            saves,
            aof,
        };
        shared
            .events
            .set_notify(&shared.listeners, shared.config.notify_flags);
        if shared.config.memory.maxmemory != 0 {
            shared
                .keyspace
                .fit_accounting_to(shared.config.memory.maxmemory);
        }
        shared
    }

    pub(crate) fn now(&self) -> u64 {
        crate::clock::read(&*self.config.clock)
    }

    /// The time of one command, read from the clock only if needed.
    pub(crate) fn lazy_now(&self) -> Now<'_> {
        Now::lazy(&*self.config.clock)
    }

    /// One bounded step of active expiry over every shard; returns how many keys went.
    // The sweeper thread is not started under loom.
    #[cfg_attr(loom, allow(dead_code))]
    pub(crate) fn active_expire_pass(&self) -> usize {
        self.memory.refresh_time(self.now());
        let budget = self.config.active_expiry_budget;
        self.expire_each_shard(|shard, now, found| shard.sweep(now, budget, found))
    }

    /// Reclaims every expired key, one shard's write lock at a time; returns how many.
    pub(crate) fn purge(&self) -> usize {
        self.expire_each_shard(|shard, now, found| shard.purge_expired(now, found))
    }

    /// Runs `pass` on each shard under its write lock, recording every key it deletes as
    /// `expired` (a `DEL` to replay), one batch per shard.
    ///
    /// Under `Fsync::Always` the DELs' fsync is waited for once, after the last shard lock
    /// dropped, not under each (that would stall the shard's callers for an fsync); each
    /// shard is stamped with the debt, so a caller that finds a key gone waits for its DEL
    /// before replying (see `keyspace::locks::after_unlock`).
    fn expire_each_shard(
        &self,
        mut pass: impl FnMut(
            &mut Shard,
            &Now<'_>,
            &mut dyn FnMut(&[u8], crate::keyspace::Stamp<'_>),
        ) -> usize,
    ) -> usize {
        let now = Now::fixed(self.now());
        let mut total = 0;
        let ks = &self.keyspace;
        let made: Vec<usize> = ks.made().collect();
        let owed = after_unlock::Deferred::new();
        for i in made
            .into_iter()
            .flat_map(|db| ks.base(db)..ks.base(db) + ks.shard_count())
        {
            let mut shard = self.keyspace.shard(i).write();
            let mut rec = Recorder::new(self.listeners.active());
            rec.start_in(ks.db_of(i));
            total += pass(&mut shard, &now, &mut |key, stamp| {
                let at = rec.mark();
                rec.expired(stamp, key, at);
            });
            if let Some(batch) = rec.batch() {
                self.listeners.deliver(batch);
                locks::stamp_owed_on(&mut shard, ks);
            }
        }
        drop(owed);
        // Nobody replies for the sweep: a failed wait is the log's to report (MISCONF).
        let _ = after_unlock::take_failure();
        total
    }
}
