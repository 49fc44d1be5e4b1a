//! [`Shared`]: the state every handle and connection of one store points at.

use crate::clock::Now;
use crate::commands::{self, SeenExpired, Spec};
use crate::config::Config;
use crate::effects::{Listeners, Recorder};
use crate::keyspace::{HKey, Keyspace, Shard};
use crate::reply::Reply;
use crate::script::Scripts;

/// State shared by every handle and connection of one store.
pub(crate) struct Shared {
    pub(crate) keyspace: Keyspace,
    pub(crate) config: Config,
    pub(crate) scripts: Scripts,
    /// Who receives the effects of writes (see [`crate::effects`]).
    pub(crate) listeners: Listeners,
}

impl Shared {
    pub(crate) fn new(config: Config) -> Shared {
        Shared {
            keyspace: Keyspace::new(config.shards),
            scripts: Scripts::new(&config.scripts),
            config,
            listeners: Listeners::default(),
        }
    }

    pub(crate) fn now(&self) -> u64 {
        self.config.clock.now_ms()
    }

    /// The time of one command, read from the clock only if needed.
    pub(crate) fn lazy_now(&self) -> Now<'_> {
        Now::lazy(&*self.config.clock)
    }

    /// Runs one data command outside any transaction.
    pub(crate) fn run(&self, spec: &Spec, args: &[&[u8]]) -> Reply {
        commands::run(self, spec, args)
    }

    /// Runs a command given as argument slices, without connection state.
    pub(crate) fn query(&self, argv: &[&[u8]]) -> Reply {
        let (name, rest) = argv.split_first().unwrap_or((&EMPTY, &[]));
        let Some(spec) = commands::lookup(name) else {
            return Reply::error(crate::error::msg::unknown_command(name, rest));
        };
        self.query_spec(spec, argv)
    }

    /// [`query`](Self::query) for a command already looked up.
    pub(crate) fn query_spec(&self, spec: &Spec, argv: &[&[u8]]) -> Reply {
        if !spec.arity_ok(argv.len()) {
            return Reply::error(crate::error::msg::arity(spec.name));
        }
        if let Err(text) = crate::cluster::lint::command(self, spec, argv) {
            return Reply::error(text);
        }
        self.run(spec, argv)
    }

    /// Deletes keys that reads under read locks found expired, once those locks are gone:
    /// each shard is write-locked in turn and the key deleted if it is still expired at the
    /// reading command's time (`now`), so a later step back of the clock cannot revive it.
    pub(crate) fn reap(&self, seen: Vec<SeenExpired>, now: u64) {
        let now = Now::fixed(now);
        for s in seen {
            let k = HKey {
                bytes: &s.key,
                hash: s.hash,
            };
            let mut shard = self.keyspace.shard(self.keyspace.shard_of(k.hash)).write();
            let mut rec = Recorder::new(self.listeners.active());
            if let Some(stamp) = shard.remove_expired(k, &now) {
                let at = rec.mark();
                rec.expired(stamp, &s.key, at);
            }
            self.deliver(&rec);
            drop(shard);
        }
    }

    fn deliver(&self, rec: &Recorder) {
        if let Some(batch) = rec.batch() {
            self.listeners.deliver(batch);
        }
    }

    /// One bounded step of active expiry over every shard; returns how many keys went.
    pub(crate) fn active_expire_pass(&self) -> usize {
        let budget = self.config.active_expiry_budget;
        self.expire_each_shard(|shard, now, found| shard.sweep(now, budget, found))
    }

    /// Reclaims every expired key, one shard's write lock at a time; returns how many.
    pub(crate) fn purge(&self) -> usize {
        self.expire_each_shard(|shard, now, found| shard.purge_expired(now, found))
    }

    /// Runs `pass` on each shard under its write lock, recording every key it deletes as
    /// `expired` (a `DEL` to replay), one batch per shard.
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
        for i in 0..self.keyspace.shard_count() {
            let mut shard = self.keyspace.shard(i).write();
            let mut rec = Recorder::new(self.listeners.active());
            total += pass(&mut shard, &now, &mut |key, stamp| {
                let at = rec.mark();
                rec.expired(stamp, key, at);
            });
            self.deliver(&rec);
        }
        total
    }
}

/// The name of an empty command line.
const EMPTY: &[u8] = b"";
