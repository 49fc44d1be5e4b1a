//! Server-wide state that Redis keeps in `server.*`: the parameters `CONFIG SET` changes at
//! run time ([`live`]), the INFO counters ([`stats`]) and the registry of live connections
//! ([`clients`]). One field of `Shared` holds it all, so the commands that read it (CONFIG,
//! INFO, CLIENT, OBJECT ENCODING) and the places it steers (active expiry, scripts' time
//! limit, string lengths) find it without a new dependency between layers.

pub(crate) mod clients;
pub(crate) mod live;
pub(crate) mod stats;

use crate::config::Config;

/// The Redis version whose behaviour redlite follows, as HELLO and INFO report it.
pub(crate) const REDIS_VERSION: &str = "7.0.15";

/// One store's server-wide state (held by `Shared`).
pub(crate) struct ServerState {
    pub(crate) live: live::Live,
    pub(crate) stats: stats::Stats,
    pub(crate) clients: clients::Clients,
    /// When the store was built, for INFO's uptime (wall time: uptime is not store time).
    pub(crate) started: std::time::Instant,
    /// 40 random hex digits naming this store (INFO's `run_id`), as Redis names a run.
    pub(crate) run_id: String,
}

impl ServerState {
    pub(crate) fn new(config: &Config, commands: usize) -> ServerState {
        ServerState {
            live: live::Live::new(config),
            stats: stats::Stats::new(commands),
            clients: clients::Clients::default(),
            started: std::time::Instant::now(),
            run_id: (0..40)
                .map(|_| char::from(b"0123456789abcdef"[fastrand::usize(..16)]))
                .collect(),
        }
    }
}

/// Bytes of memory the store holds, as INFO's `used_memory` reports it: the accounting's
/// running total (one relaxed load; INFO holds the shard locks, so it must not take them
/// again for the exact count).
pub(crate) fn used_memory(shared: &crate::shared::Shared) -> u64 {
    shared.keyspace.used_memory_approx() as u64
}
