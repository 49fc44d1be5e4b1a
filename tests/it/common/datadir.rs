//! Throwaway data folders and a key-by-key picture of a store's contents, for the
//! persistence tests.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use redlite::{Connection, Reply};

/// A fresh folder under the system temp dir, removed on drop.
pub struct DataDir(PathBuf);

impl DataDir {
    pub fn new(tag: &str) -> DataDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("redlite-it-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        DataDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// A file of the `appendonlydir/` folder.
    pub fn aof_file(&self, name: &str) -> PathBuf {
        self.0.join("appendonlydir").join(name)
    }

    /// The manifest's text.
    pub fn manifest(&self) -> String {
        std::fs::read_to_string(self.aof_file("appendonly.aof.manifest")).unwrap_or_default()
    }

    /// The name of the last incremental file the manifest lists.
    pub fn last_incr(&self) -> String {
        self.manifest()
            .lines()
            .filter(|l| l.ends_with("type i"))
            .filter_map(|l| l.split(' ').nth(1))
            .next_back()
            .unwrap_or_default()
            .to_string()
    }
}

impl Drop for DataDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Every key with its type, its contents in a canonical order and its absolute deadline
/// (PEXPIRETIME), sorted by key: two stores with the same picture hold the same data.
pub fn picture(call: &mut dyn FnMut(&[&[u8]]) -> Reply) -> Vec<String> {
    let Reply::Array(keys) = call(&[b"KEYS", b"*"]) else {
        return vec!["KEYS failed".into()];
    };
    let mut keys: Vec<Vec<u8>> = keys
        .into_iter()
        .filter_map(|k| match k {
            Reply::Bulk(b) => Some(b),
            _ => None,
        })
        .collect();
    keys.sort();
    keys.iter().map(|k| describe(call, k)).collect()
}

fn describe(call: &mut dyn FnMut(&[&[u8]]) -> Reply, key: &[u8]) -> String {
    let ty = call(&[b"TYPE", key]).to_string();
    let body = match ty.as_str() {
        "string" => call(&[b"GET", key]).to_string(),
        "list" => call(&[b"LRANGE", key, b"0", b"-1"]).to_string(),
        "set" => sorted_elements(call(&[b"SMEMBERS", key])),
        "hash" => sorted_elements(call(&[b"HGETALL", key])),
        "zset" => call(&[b"ZRANGE", key, b"0", b"-1", b"WITHSCORES"]).to_string(),
        other => format!("unexpected type {other}"),
    };
    let deadline = call(&[b"PEXPIRETIME", key]).to_string();
    format!("{} {ty} {body} @{deadline}", String::from_utf8_lossy(key))
}

fn sorted_elements(reply: Reply) -> String {
    let Reply::Array(items) = reply else {
        return reply.to_string();
    };
    let mut items: Vec<String> = items.iter().map(ToString::to_string).collect();
    items.sort();
    items.join(",")
}

/// [`picture`] of a redlite connection.
pub fn picture_of(conn: &mut Connection) -> Vec<String> {
    picture(&mut |args| conn.execute(args))
}
