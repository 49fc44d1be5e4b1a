//! Waiting and reacting against a real `redis-server`: the same command stream with
//! `notify-keyspace-events KEA` on both sides publishes the same keyspace notifications in
//! the same order, and blocked clients are served in the same order with the same replies.
//!
//! Notifications are collected per command: on Redis, after each command the driver
//! publishes a marker on `__marker__` from the same connection, and the subscriber reads up
//! to it (Redis publishes synchronously inside the command, so everything the command
//! caused comes before the marker); redlite publishes before `execute` returns.

use super::compare::{Cmp, same};
use super::gens::{self, G, Gen};
use super::resp::RespConn;
use super::rng::Rng;
use super::server::RedisServer;
use redlite::{Config, Connection, Reply, Store, Subscriber};

const SEEDS: &[u64] = &[11, 12, 13, 14, 15, 16, 17, 18];
const COMMANDS: usize = 2500;
const PATTERN: &str = "__key*__:*";

/// One notification as (channel, payload).
type Note = (String, String);

fn s(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Both sides' data connection and notification subscriber.
struct Pair {
    redis: RespConn,
    redis_sub: RespConn,
    marks: u64,
    /// The data connections are inside MULTI (a marker would be queued: none is sent).
    in_multi: bool,
    store: Store,
    lite: Connection,
    lite_sub: Subscriber,
}

impl Pair {
    fn new(server: &RedisServer, classes: &str) -> Pair {
        let mut redis = server.connect();
        assert_eq!(redis.call(&["FLUSHALL"]), Reply::ok());
        let set = ["CONFIG", "SET", "notify-keyspace-events", classes];
        assert_eq!(redis.call(&set), Reply::ok());
        let mut redis_sub = server.connect();
        redis_sub.call(&["PSUBSCRIBE", PATTERN]);
        redis_sub.call(&["SUBSCRIBE", "__marker__"]);
        let store = Store::with_config(Config::default().notify_keyspace_events(classes));
        Pair {
            redis,
            redis_sub,
            marks: 0,
            in_multi: false,
            lite: store.connection(),
            lite_sub: store.psubscribe(&[PATTERN]),
            store,
        }
    }

    /// What Redis published since the last call.
    fn redis_notes(&mut self) -> Vec<Note> {
        self.marks += 1;
        let mark = self.marks.to_string();
        self.redis.call(&["PUBLISH", "__marker__", &mark]);
        let mut notes = Vec::new();
        loop {
            let Reply::Array(f) = self.redis_sub.read() else {
                panic!("unexpected frame on the subscriber connection")
            };
            match f.as_slice() {
                [_, _, Reply::Bulk(ch), Reply::Bulk(p)] => notes.push((s(ch), s(p))),
                [_, _, Reply::Bulk(m)] if *m == mark.as_bytes() => return notes,
                other => panic!("unexpected frame {other:?}"),
            }
        }
    }

    /// What redlite published since the last call.
    fn lite_notes(&mut self) -> Vec<Note> {
        let mut notes = Vec::new();
        while let Some(m) = self.lite_sub.try_recv().expect("subscriber overflowed") {
            notes.push((s(m.channel()), s(m.payload())));
        }
        notes
    }

    /// Runs `args` on both sides; returns both replies and both notification lists.
    fn both(&mut self, args: &[String]) -> (Reply, Reply, Vec<Note>, Vec<Note>) {
        let r = self.redis.call(args);
        let l = self.lite.execute(args);
        self.in_multi = track_multi(self.in_multi, &args[0], &r);
        if self.in_multi {
            // Queued commands publish nothing until EXEC.
            return (r, l, Vec::new(), self.lite_notes());
        }
        (r, l, self.redis_notes(), self.lite_notes())
    }
}

fn generators() -> Vec<Gen> {
    let probe = Store::new();
    gens::all()
        .into_iter()
        // Random picks leave no common state to compare events on.
        .filter(|g| g.cmp != Cmp::Loose)
        .filter(|g| {
            !probe
                .execute([g.name])
                .to_string()
                .starts_with("ERR unknown command")
        })
        .collect()
}

#[test]
fn keyspace_notifications_match_real_redis() {
    notifications_match("KEA", SEEDS);
}

/// With `n` too: Redis 7's `new` event, where Redis's `dbAdd` creates a key.
#[test]
fn new_key_notifications_match_real_redis() {
    notifications_match("KEAn", &[21, 22, 23, 24]);
}

fn notifications_match(classes: &str, seeds: &[u64]) {
    let Some(server) = super::start_server() else {
        return;
    };
    let gens = generators();
    let total: u32 = gens.iter().map(|g| g.weight).sum();
    let mut compared = 0;
    for &seed in seeds {
        let mut pair = Pair::new(&server, classes);
        let mut rng = Rng::new(seed);
        let mut history: Vec<String> = Vec::new();
        // How to compare each queued command's element of the EXEC reply.
        let mut queued: Vec<Cmp> = Vec::new();
        for step in 0..COMMANDS {
            let g = loop {
                let g = pick(&gens, total, &mut rng);
                if g.in_multi || !pair.in_multi {
                    break g;
                }
            };
            let queued_before = pair.in_multi;
            let args = (g.make)(&mut G { rng: &mut rng });
            let (r, l, rn, ln) = pair.both(&args);
            history.push(format!("{:>5} {}", step, args.join(" ")));
            let is_exec = args[0].eq_ignore_ascii_case("exec");
            let verdict = if queued_before && r == Reply::status("QUEUED") {
                queued.push(g.cmp);
                r == l
            } else if let (true, Reply::Array(rs), Reply::Array(ls)) = (is_exec, &r, &l) {
                rs.len() == ls.len()
                    && rs.len() == queued.len()
                    && queued
                        .iter()
                        .zip(rs.iter().zip(ls))
                        .all(|(c, (r, l))| same(*c, r, l))
            } else {
                same(g.cmp, &r, &l)
            };
            if !pair.in_multi {
                queued.clear();
            }
            if !verdict || rn != ln {
                let from = history.len().saturating_sub(30);
                panic!(
                    "seed {seed} step {step}: {}\nredis reply {r}\nlite  reply {l}\nredis notes {rn:?}\nlite  notes {ln:?}\nlast commands:\n{}",
                    args.join(" "),
                    history[from..].join("\n")
                );
            }
            compared += rn.len();
            if let (Cmp::Float, Reply::Bulk(text)) = (g.cmp, &r) {
                realign(&mut pair, &args, text);
            }
        }
    }
    println!("notification parity ({classes}): {compared} notifications compared, 0 mismatches");
}

fn pick<'g>(gens: &'g [Gen], total: u32, rng: &mut Rng) -> &'g Gen {
    let mut x = rng.below(total as usize) as u32;
    for g in gens {
        if x < g.weight {
            return g;
        }
        x -= g.weight;
    }
    &gens[gens.len() - 1]
}

fn track_multi(in_multi: bool, name: &str, redis: &Reply) -> bool {
    match name.to_ascii_lowercase().as_str() {
        "multi" if *redis == Reply::ok() => true,
        "exec" | "discard" if in_multi => {
            redis.is_error() && !redis.to_string().starts_with("EXECABORT")
        }
        _ => in_multi,
    }
}

/// INCRBYFLOAT / HINCRBYFLOAT: f64 and long double texts may differ; both sides take
/// Redis's text (their notifications are compared too).
fn realign(pair: &mut Pair, args: &[String], text: &[u8]) {
    let text = s(text);
    let fix: Vec<String> = match args[0].to_ascii_lowercase().as_str() {
        "incrbyfloat" => vec!["SET".into(), args[1].clone(), text, "KEEPTTL".into()],
        _ => vec!["HSET".into(), args[1].clone(), args[2].clone(), text],
    };
    let (_, _, rn, ln) = pair.both(&fix);
    assert_eq!(rn, ln, "notifications of the float re-alignment {fix:?}");
}

/// One blocked client on each side.
struct Blocked {
    redis: RespConn,
    id: String,
    lite: Polled,
    args: Vec<String>,
}

type Polled = crate::common::poll::Polled<redlite::BlockingPop<Reply>>;

const LISTS: &[&str] = &["a", "b", "c"];
const ZSETS: &[&str] = &["z1", "z2"];

fn blocking_command(g: &mut G) -> Vec<String> {
    let lists = |g: &mut G| -> Vec<String> {
        let n = 1 + g.rng.below(2);
        (0..n).map(|_| g.pick(LISTS)).collect()
    };
    let zsets = |g: &mut G| -> Vec<String> {
        let n = 1 + g.rng.below(2);
        (0..n).map(|_| g.pick(ZSETS)).collect()
    };
    let side = |g: &mut G| g.pick(&["LEFT", "RIGHT"]);
    let mut a: Vec<String> = Vec::new();
    match g.rng.below(8) {
        0 | 1 => {
            a.push(g.pick(&["BLPOP", "BRPOP"]));
            a.extend(lists(g));
            a.push("0".into());
        }
        2 => {
            a.extend([
                "BLMOVE".into(),
                g.pick(LISTS),
                g.pick(LISTS),
                side(g),
                side(g),
                "0".into(),
            ]);
        }
        3 => a.extend([
            "BRPOPLPUSH".into(),
            g.pick(LISTS),
            g.pick(LISTS),
            "0".into(),
        ]),
        4 => {
            let keys = lists(g);
            a.extend(["BLMPOP".into(), "0".into(), keys.len().to_string()]);
            a.extend(keys);
            a.push(side(g));
            a.extend(["COUNT".into(), (1 + g.rng.below(3)).to_string()]);
        }
        5 | 6 => {
            a.push(g.pick(&["BZPOPMIN", "BZPOPMAX"]));
            a.extend(zsets(g));
            a.push("0".into());
        }
        _ => {
            let keys = zsets(g);
            a.extend(["BZMPOP".into(), "0".into(), keys.len().to_string()]);
            a.extend(keys);
            a.push(g.pick(&["MIN", "MAX"]));
            a.extend(["COUNT".into(), (1 + g.rng.below(2)).to_string()]);
        }
    }
    a
}

/// A write that may serve blocked clients (values are unique, so who got what shows).
fn trigger(g: &mut G, n: &mut usize) -> Vec<Vec<String>> {
    let mut val = || {
        *n += 1;
        format!("v{n}")
    };
    let one = |g: &mut G, val: &mut dyn FnMut() -> String| -> Vec<String> {
        match g.rng.below(7) {
            0 | 1 => {
                let mut a = vec![g.pick(&["RPUSH", "LPUSH"]), g.pick(LISTS)];
                let k = 1 + g.rng.below(3);
                a.extend((0..k).map(|_| val()));
                a
            }
            2 | 3 => {
                let mut a = vec!["ZADD".into(), g.pick(ZSETS)];
                for _ in 0..=g.rng.below(3) {
                    a.push(g.rng.below(10).to_string());
                    a.push(val());
                }
                a
            }
            4 => vec![
                "LMOVE".into(),
                g.pick(LISTS),
                g.pick(LISTS),
                "LEFT".into(),
                "RIGHT".into(),
            ],
            5 => vec!["DEL".into(), g.pick(LISTS)],
            _ => vec!["RENAME".into(), g.pick(LISTS), g.pick(LISTS)],
        }
    };
    if g.chance(30) {
        let mut cmds = vec![vec!["MULTI".to_string()]];
        for _ in 0..2 + g.rng.below(3) {
            cmds.push(one(g, &mut val));
        }
        cmds.push(vec!["EXEC".into()]);
        cmds
    } else {
        vec![one(g, &mut val)]
    }
}

fn blocked_clients(control: &mut RespConn) -> usize {
    let Reply::Bulk(info) = control.call(&["INFO", "clients"]) else {
        panic!("INFO clients")
    };
    s(&info)
        .lines()
        .find_map(|l| l.strip_prefix("blocked_clients:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}

/// Waits until Redis counts `n` blocked clients (polling an external process).
fn wait_blocked(control: &mut RespConn, n: usize) {
    for _ in 0..5000 {
        if blocked_clients(control) >= n {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    panic!("redis-server did not block the client");
}

#[test]
fn blocking_pops_are_served_in_the_same_order_as_redis() {
    let Some(server) = super::start_server() else {
        return;
    };
    let mut served = 0;
    for seed in 1..=200 {
        served += blocking_scenario(&server, seed);
    }
    println!("blocking parity: 200 scenarios, {served} blocked clients served, 0 mismatches");
}

fn blocking_scenario(server: &RedisServer, seed: u64) -> usize {
    let mut rng = Rng::new(seed);
    let mut g = G { rng: &mut rng };
    let mut pair = Pair::new(server, "KEA");
    let mut control = server.connect();
    let mut clients: Vec<Blocked> = Vec::new();
    for i in 0..2 + g.rng.below(5) {
        let args = blocking_command(&mut g);
        let mut redis = server.connect();
        let Reply::Integer(id) = redis.call(&["CLIENT", "ID"]) else {
            panic!("CLIENT ID")
        };
        redis.send(&args);
        wait_blocked(&mut control, i + 1);
        let mut lite = Polled::new(pair.store.execute_async(&args));
        assert!(
            lite.poll().is_pending(),
            "seed {seed}: {args:?} did not block"
        );
        clients.push(Blocked {
            redis,
            id: id.to_string(),
            lite,
            args,
        });
    }
    let mut log: Vec<String> = clients.iter().map(|c| c.args.join(" ")).collect();
    let mut n = 0;
    for _ in 0..=g.rng.below(4) {
        for cmd in trigger(&mut g, &mut n) {
            let (r, l, rn, ln) = pair.both(&cmd);
            log.push(cmd.join(" "));
            assert_eq!(l, r, "seed {seed}: reply of {cmd:?}\n{}", log.join("\n"));
            assert_eq!(
                ln,
                rn,
                "seed {seed}: notifications of {cmd:?}\n{}",
                log.join("\n")
            );
        }
    }
    let mut count = 0;
    for mut c in clients {
        control.call(&["CLIENT", "UNBLOCK", &c.id]);
        let r = c.redis.read();
        let l = match c.lite.poll() {
            std::task::Poll::Ready(r) => r.unwrap_or_else(|e| Reply::error(e.to_string())),
            // Still waiting: as CLIENT UNBLOCK's timeout reply, the null array.
            std::task::Poll::Pending => Reply::NilArray,
        };
        count += usize::from(!r.is_nil());
        assert_eq!(
            l,
            r,
            "seed {seed}: reply of blocked {:?}\n{}",
            c.args,
            log.join("\n")
        );
    }
    for k in LISTS {
        let cmd: Vec<String> = vec!["LRANGE".into(), (*k).into(), "0".into(), "-1".into()];
        let (r, l, _, _) = pair.both(&cmd);
        assert_eq!(l, r, "seed {seed}: final {k}\n{}", log.join("\n"));
    }
    for z in ZSETS {
        let cmd: Vec<String> = vec![
            "ZRANGE".into(),
            (*z).into(),
            "0".into(),
            "-1".into(),
            "WITHSCORES".into(),
        ];
        let (r, l, _, _) = pair.both(&cmd);
        assert_eq!(l, r, "seed {seed}: final {z}\n{}", log.join("\n"));
    }
    count
}
