//! Support for tests/redis_parity.rs: a real `redis-server` child, a tiny RESP2 client,
//! seeded command generators per family, and reply comparison rules.

pub mod compare;
pub mod gens;
pub mod resp;
pub mod rng;
pub mod scripts;
pub mod server;
