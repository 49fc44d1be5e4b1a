//! The registry: every command family's table rows, one layer above them all.
//!
//! The families (`commands::*`, the connection commands of `txn`, the EVAL family of
//! `script`) each list their own rows; this module is the one place that knows all of them.
//! The store hands the resulting [`Table`] down in `Shared`, so the layers below look
//! commands up without importing anything above them.

use std::sync::OnceLock;

use crate::commands::table::Table;
use crate::commands::{
    Spec, admin, bits, blocking, cluster, command_info, config, databases, geo, hashes, hll, info,
    keys, lcs, list, memory, object, pubsub, server, set, sort, strings, zset,
};

/// Every family's rows, in the order `COMMAND` lists them.
fn families() -> [&'static [Spec]; 29] {
    [
        strings::COMMANDS,
        list::COMMANDS,
        blocking::COMMANDS,
        zset::COMMANDS,
        keys::COMMANDS,
        hashes::COMMANDS,
        set::COMMANDS,
        set::algebra::COMMANDS,
        server::COMMANDS,
        config::COMMANDS,
        object::COMMANDS,
        info::COMMANDS,
        command_info::COMMANDS,
        admin::COMMANDS,
        cluster::COMMANDS,
        databases::COMMANDS,
        pubsub::COMMANDS,
        crate::txn::COMMANDS,
        crate::script::COMMANDS,
        crate::script::FUNCTION_COMMANDS,
        bits::COMMANDS,
        hll::COMMANDS,
        lcs::COMMANDS,
        sort::COMMANDS,
        geo::COMMANDS,
        memory::COMMANDS,
        crate::persist::commands::COMMANDS,
        crate::persist::functions::COMMANDS,
        crate::persist::aof::COMMANDS,
    ]
}

/// The table of every command, built once per process.
pub(crate) fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| Table::new(families().into_iter().flatten()))
}

/// Finds a command by name (for layers above the store, such as typed methods).
pub(crate) fn lookup(name: &[u8]) -> Option<&'static Spec> {
    table().lookup(name)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_command_name_is_in_one_family_only() {
        let mut names: Vec<&str> = super::families()
            .into_iter()
            .flatten()
            .map(|spec| spec.name)
            .collect();
        let all = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all, "a command is listed twice");
    }
}
