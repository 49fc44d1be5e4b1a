//! This process's memory as the kernel sees it: `VmRSS` (resident now) and `VmHWM` (the peak),
//! read from /proc/self/status. `None` where that file does not exist (not Linux). Used by
//! `examples/memory_release.rs`, `memory.rs` and `memory_accounting.rs`; tests that measure
//! memory may use it too.
#![allow(dead_code)]

/// Resident and peak-resident bytes of this process.
#[derive(Clone, Copy, Debug)]
pub struct Rss {
    pub resident: u64,
    pub peak: u64,
}

/// Reads `VmRSS` and `VmHWM`; `None` off Linux.
pub fn rss() -> Option<Rss> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kib * 1024)
    };
    Some(Rss {
        resident: field("VmRSS:")?,
        peak: field("VmHWM:")?,
    })
}
