//! Redis Cluster's key-to-slot rule and the lint that `Config::cluster_mode(true)` turns on.
//!
//! redlite is one process, so it never redirects anything; the lint only refuses what a
//! cluster would refuse for reasons of key placement, so that code tested against a store in
//! this mode does not meet `CROSSSLOT` on a real cluster:
//!
//! - the keys of one command, of one EXEC (every queued command's keys together) and the
//!   declared keys of one script must share a hash slot;
//! - a script's `redis::call` of a command whose keys do not share the slot fails;
//! - `SELECT` of any database but 0 fails.
//!
//! Watched keys are not part of EXEC's check, as on a cluster node (WATCH checks its own
//! keys as a command).

pub(crate) mod lint;
pub(crate) mod slot;
