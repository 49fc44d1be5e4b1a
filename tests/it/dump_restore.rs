//! DUMP and RESTORE: Redis's payload format (value, RDB version, CRC64), interoperable with
//! redis-server 7.0 in both directions for every type and encoding; Redis's option rules and
//! error texts; RESTORE as a write (WATCH, the `restore` event, an absolute-TTL replay form).

use crate::common::crc64::crc64_jones;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use redlite::{Batch, Config, Listener, ManualClock, Reply, Store};

use crate::common::dataset;
use crate::common::ok;
use crate::parity::server::start_or_skip;

fn payload(r: Reply) -> Vec<u8> {
    match r {
        Reply::Bulk(b) => b,
        other => panic!("DUMP replied {other}"),
    }
}

fn filled() -> Store {
    let store = Store::new();
    let mut c = store.connection();
    for cmd in dataset::commands(dataset::far_ms()) {
        assert!(!c.execute(&cmd).is_error());
    }
    store
}

fn keys(store: &Store) -> Vec<Vec<u8>> {
    match store.execute(["KEYS", "*"]) {
        Reply::Array(items) => items
            .into_iter()
            .map(|i| match i {
                Reply::Bulk(b) => b,
                other => panic!("{other}"),
            })
            .collect(),
        other => panic!("{other}"),
    }
}

fn describe(store: &Store) -> dataset::Described {
    let mut c = store.connection();
    dataset::describe(|args| c.execute(args))
}

fn pexpiretime(store: &Store, key: &[u8]) -> Vec<u8> {
    store
        .execute([&b"PEXPIRETIME"[..], key])
        .to_string()
        .into_bytes()
}

#[test]
fn dump_then_restore_round_trips_every_type_with_its_ttl() {
    let from = filled();
    let to = Store::new();
    for key in keys(&from) {
        let p = payload(from.execute([&b"DUMP"[..], &key]));
        let at = pexpiretime(&from, &key);
        let ttl: &[u8] = if at == b"-1" { b"0" } else { &at };
        let r = to.execute([&b"RESTORE"[..], &key, ttl, &p, b"ABSTTL"]);
        assert_eq!(r, ok(), "{}", String::from_utf8_lossy(&key));
    }
    if let Some(diff) = dataset::first_difference(&describe(&from), &describe(&to)) {
        panic!("{diff}");
    }
}

#[test]
fn dump_of_a_missing_key_is_nil() {
    assert_eq!(Store::new().execute(["DUMP", "nope"]), Reply::Nil);
}

#[test]
fn restore_refuses_an_existing_key_without_replace() {
    let store = Store::new();
    store.execute(["SET", "k", "old"]);
    let p = payload(store.execute(["DUMP", "k"]));
    let busy = Reply::error("BUSYKEY Target key name already exists.");
    assert_eq!(store.execute([&b"RESTORE"[..], b"k", b"0", &p]), busy);
    store.execute(["SET", "k", "new"]);
    assert_eq!(
        store.execute([&b"RESTORE"[..], b"k", b"0", &p, b"REPLACE"]),
        ok()
    );
    assert_eq!(store.execute(["GET", "k"]), Reply::bulk("old"));
}

#[test]
fn restore_checks_options_then_busykey_then_ttl_then_payload() {
    let store = Store::new();
    store.execute(["SET", "k", "v"]);
    let p = payload(store.execute(["DUMP", "k"]));
    let r = |args: &[&[u8]]| store.execute(args);
    let syntax = Reply::error("ERR syntax error");
    assert_eq!(r(&[b"RESTORE", b"k", b"x", &p, b"BOGUS"]), syntax);
    assert_eq!(r(&[b"RESTORE", b"n", b"0", &p, b"IDLETIME"]), syntax);
    assert_eq!(
        r(&[b"RESTORE", b"n", b"0", &p, b"IDLETIME", b"1", b"FREQ", b"1"]),
        syntax
    );
    assert_eq!(
        r(&[b"RESTORE", b"n", b"0", &p, b"FREQ", b"1", b"IDLETIME", b"1"]),
        syntax
    );
    assert_eq!(
        r(&[b"RESTORE", b"n", b"0", &p, b"IDLETIME", b"-1"]),
        Reply::error("ERR Invalid IDLETIME value, must be >= 0")
    );
    assert_eq!(
        r(&[b"RESTORE", b"n", b"0", &p, b"FREQ", b"256"]),
        Reply::error("ERR Invalid FREQ value, must be >= 0 and <= 255")
    );
    assert_eq!(
        r(&[b"RESTORE", b"n", b"0", &p, b"FREQ", b"x"]),
        Reply::error("ERR value is not an integer or out of range")
    );
    // BUSYKEY comes before the TTL check.
    assert_eq!(
        r(&[b"RESTORE", b"k", b"-1", &p]),
        Reply::error("BUSYKEY Target key name already exists.")
    );
    assert_eq!(
        r(&[b"RESTORE", b"n", b"-1", &p]),
        Reply::error("ERR Invalid TTL value, must be >= 0")
    );
    assert_eq!(
        r(&[b"RESTORE", b"n", b"soon", &p]),
        Reply::error("ERR value is not an integer or out of range")
    );
    assert_eq!(
        r(&[b"RESTORE", b"n", b"0", &p, b"IDLETIME", b"10", b"REPLACE"]),
        ok()
    );
    assert_eq!(r(&[b"RESTORE", b"m", b"0", &p, b"FREQ", b"255"]), ok());
}

#[test]
fn restore_rejects_a_payload_with_a_bad_crc_or_version() {
    let store = Store::new();
    store.execute(["SET", "k", "v"]);
    let good = payload(store.execute(["DUMP", "k"]));
    let wrong = Reply::error("ERR DUMP payload version or checksum are wrong");
    let mut bad_crc = good.clone();
    *bad_crc.last_mut().unwrap() ^= 1;
    assert_eq!(
        store.execute([&b"RESTORE"[..], b"a", b"0", &bad_crc]),
        wrong
    );
    let mut newer = good.clone();
    let n = newer.len();
    newer[n - 10] = 11; // RDB 11 (Redis 7.2) is newer than 7.0 reads
    assert_eq!(store.execute([&b"RESTORE"[..], b"a", b"0", &newer]), wrong);
    assert_eq!(
        store.execute([&b"RESTORE"[..], b"a", b"0", b"short"]),
        wrong
    );
    assert_eq!(store.execute([&b"RESTORE"[..], b"a", b"0", b""]), wrong);
}

/// `body` as a payload with a valid footer (RDB 10 and its CRC64), to reach the decoder.
fn with_footer(body: &[u8]) -> Vec<u8> {
    let mut p = body.to_vec();
    p.extend_from_slice(&10u16.to_le_bytes());
    let crc = crc64_jones(&p);
    p.extend_from_slice(&crc.to_le_bytes());
    p
}

#[test]
fn restore_rejects_a_well_checksummed_payload_that_does_not_decode() {
    let store = Store::new();
    let bad = Reply::error("ERR Bad data format");
    // Type 42 does not exist; type 15 (a stream) is not supported; type 1 with a count
    // longer than the data.
    for body in [&[42u8, 1, 1][..], &[15, 1, 1], &[1, 9, 9]] {
        let p = with_footer(body);
        assert_eq!(
            store.execute([&b"RESTORE"[..], b"a", b"0", &p]),
            bad,
            "{body:?}"
        );
    }
    assert_eq!(store.execute(["EXISTS", "a"]), Reply::Integer(0));
}

#[test]
fn restore_with_a_past_absolute_ttl_stores_nothing_and_replace_deletes() {
    let store = Store::new();
    store.execute(["SET", "k", "v"]);
    let p = payload(store.execute(["DUMP", "k"]));
    assert_eq!(
        store.execute([&b"RESTORE"[..], b"n", b"1", &p, b"ABSTTL"]),
        ok()
    );
    assert_eq!(store.execute(["EXISTS", "n"]), Reply::Integer(0));
    assert_eq!(
        store.execute([&b"RESTORE"[..], b"k", b"1", &p, b"ABSTTL", b"REPLACE"]),
        ok()
    );
    assert_eq!(store.execute(["EXISTS", "k"]), Reply::Integer(0));
}

#[test]
fn restore_with_a_relative_ttl_sets_the_deadline_from_now() {
    let clock = ManualClock::new();
    let store = Store::with_config(Config::default().clock(clock.clone()).active_expiry(false));
    store.execute(["SET", "k", "v"]);
    let p = payload(store.execute(["DUMP", "k"]));
    assert_eq!(store.execute([&b"RESTORE"[..], b"n", b"5000", &p]), ok());
    assert_eq!(store.execute(["PTTL", "n"]), Reply::Integer(5000));
    clock.advance(Duration::from_millis(5001));
    assert_eq!(store.execute(["EXISTS", "n"]), Reply::Integer(0));
}

#[derive(Default)]
struct Tap(Mutex<Vec<Batch>>);

impl Listener for Tap {
    fn on_batch(&self, batch: &Batch) {
        self.0.lock().unwrap().push(batch.clone());
    }
}

#[test]
fn restore_is_a_write_with_the_restore_event_and_an_absolute_replay() {
    let clock = ManualClock::new();
    let store = Store::with_config(Config::default().clock(clock.clone()).active_expiry(false));
    store.execute(["SET", "k", "v"]);
    let p = payload(store.execute(["DUMP", "k"]));
    let tap = Arc::new(Tap::default());
    let _sub = store.listen(tap.clone());
    let now = store.execute(["TIME"]);
    let Reply::Array(t) = now else { panic!() };
    let secs: u64 = t[0].to_string().trim_matches('"').parse().unwrap();
    let millis: u64 = t[1].to_string().trim_matches('"').parse::<u64>().unwrap() / 1000;
    let at = secs * 1000 + millis + 5000;
    assert_eq!(store.execute([&b"RESTORE"[..], b"n", b"5000", &p]), ok());
    let batches = std::mem::take(&mut *tap.0.lock().unwrap());
    let events: Vec<String> = batches
        .iter()
        .flat_map(|b| b.events().to_vec())
        .map(|e| format!("{} {}", e.event().name(), String::from_utf8_lossy(e.key())))
        .collect();
    assert_eq!(events, ["new n", "restore n"]);
    let commands: Vec<Vec<Vec<u8>>> = batches
        .iter()
        .flat_map(|b| b.commands().to_vec())
        .map(|c| c.iter().map(|a| a.to_vec()).collect())
        .collect();
    let want: Vec<Vec<u8>> = vec![
        b"RESTORE".to_vec(),
        b"n".to_vec(),
        at.to_string().into_bytes(),
        p.clone(),
        b"ABSTTL".to_vec(),
    ];
    assert_eq!(commands, [want]);
}

#[test]
fn restore_aborts_a_watch_on_its_key() {
    let store = Store::new();
    store.execute(["SET", "src", "v"]);
    let p = payload(store.execute(["DUMP", "src"]));
    let mut c = crate::common::watching(&store, &["w"]);
    assert_eq!(store.execute([&b"RESTORE"[..], b"w", b"0", &p]), ok());
    assert!(crate::common::exec_aborts(&mut c));
}

#[test]
fn payloads_move_both_ways_between_redis_server_and_redlite() {
    let Some(server) = start_or_skip(&[], "DUMP/RESTORE interop") else {
        return;
    };
    let mut r = server.connect();
    for cmd in dataset::commands(dataset::far_ms()) {
        assert!(!r.call(&cmd).is_error());
    }
    let theirs = dataset::describe(|args| r.call(args));
    // redis-server -> redlite, every key in the encoding Redis chose for it.
    let lite = Store::new();
    for key in theirs.keys() {
        let p = payload(r.call(&[&b"DUMP"[..], key]));
        let at = r.call(&[&b"PEXPIRETIME"[..], key]).to_string().into_bytes();
        let ttl: &[u8] = if at == b"-1" { b"0" } else { &at };
        assert_eq!(
            lite.execute([&b"RESTORE"[..], key, ttl, &p, b"ABSTTL"]),
            ok()
        );
    }
    if let Some(diff) = dataset::first_difference(&theirs, &describe(&lite)) {
        panic!("redis -> redlite: {diff}");
    }
    // redlite -> redis-server, under new names.
    for key in theirs.keys() {
        let p = payload(lite.execute([&b"DUMP"[..], key]));
        let at = pexpiretime(&lite, key);
        let ttl: &[u8] = if at == b"-1" { b"0" } else { &at };
        let mut back = key.clone();
        back.extend_from_slice(b":back");
        let reply = r.call(&[&b"RESTORE"[..], &back, ttl, &p, b"ABSTTL"]);
        assert_eq!(reply, ok(), "{}", String::from_utf8_lossy(key));
        assert_eq!(r.call(&[&b"DEL"[..], key]), Reply::Integer(1));
        assert_eq!(r.call(&[&b"RENAME"[..], &back, key]), ok());
    }
    let back = dataset::describe(|args| r.call(args));
    if let Some(diff) = dataset::first_difference(&theirs, &back) {
        panic!("redlite -> redis: {diff}");
    }
}

/// Re-seals a payload after its body was changed: a right version and CRC, so RESTORE's
/// decoder (not its checksum) meets the damage.
fn reseal(mut p: Vec<u8>) -> Vec<u8> {
    let n = p.len();
    let crc = crc64_jones(&p[..n - 8]);
    p[n - 8..].copy_from_slice(&crc.to_le_bytes());
    p
}

#[test]
fn restore_of_damaged_payloads_never_panics_and_answers_ok_or_bad_format() {
    let from = filled();
    let store = Store::new();
    let mut rng = fastrand::Rng::with_seed(14);
    for key in keys(&from) {
        let good = payload(from.execute([&b"DUMP"[..], &key]));
        for _ in 0..60 {
            let mut p = good.clone();
            let body = p.len() - 10;
            match rng.u8(0..3) {
                0 => {
                    let at = rng.usize(..body);
                    p[at] = rng.u8(..);
                }
                1 => {
                    let cut = rng.usize(..body);
                    p.drain(cut..body);
                }
                _ => {
                    let at = rng.usize(..body);
                    p.insert(at, rng.u8(..));
                }
            }
            let r = store.execute([&b"RESTORE"[..], b"x", b"0", &reseal(p), b"REPLACE"]);
            assert!(r == ok() || r == Reply::error("ERR Bad data format"), "{r}");
        }
    }
}
