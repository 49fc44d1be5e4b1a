//! Compatibility layers that let code written for other Redis clients run on a store.

#[cfg(feature = "redis")]
pub(crate) mod redis;
