//! What writes did: the one path every change to the keyspace is reported on.
//!
//! A command's context ([`crate::commands::Ctx`]) owns a [`Recorder`]. Every write that Redis
//! would signal goes through [`Recorder::signal`], which stamps the key with a new version
//! (what WATCH checks) and, when something listens, records the key and Redis's event name.
//! When the command as written would not replay to the same state (EXPIRE's relative time,
//! SPOP's random pick, an expired key's deletion), the handler records the deterministic form
//! with [`Recorder::replay`]; otherwise the command's own arguments are its replay form.
//!
//! Everything one command, one EXEC or one script recorded is one [`Batch`], handed to every
//! [`Listener`] after the commands ran and before their shard locks drop, so listeners see
//! conflicting batches in the order they took effect. With no listener the recorder only
//! stamps versions: no allocation, no copy.

mod batch;
mod events;
mod listeners;
pub(crate) mod resp;

pub(crate) use batch::Recorder;
pub use batch::{Batch, KeyEvent};
pub(crate) use events::ev;
pub use events::{Event, EventClass};
pub(crate) use listeners::Listeners;
pub use listeners::{Listener, Subscription};
