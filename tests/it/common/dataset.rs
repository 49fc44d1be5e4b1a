//! A dataset of every type in every encoding Redis 7.0 picks (int, raw and LZF-compressible
//! strings; listpack and multi-node quicklist lists; intset and hashtable sets; listpack and
//! skiplist sorted sets; listpack and hashtable hashes), with TTLs at fixed instants, and a
//! description of a keyspace that two implementations can be compared by.

use std::collections::BTreeMap;

use redlite::Reply;

/// An absolute expiry far enough ahead that no test run reaches it.
pub fn far_ms() -> u64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    now + 3_600_000
}

/// The commands that build the dataset (run them on either side).
pub fn commands(far: u64) -> Vec<Vec<Vec<u8>>> {
    let mut out: Vec<Vec<Vec<u8>>> = Vec::new();
    let mut cmd = |parts: Vec<Vec<u8>>| out.push(parts);
    let w = |s: &str| -> Vec<Vec<u8>> { s.split(' ').map(|p| p.as_bytes().to_vec()).collect() };
    for line in [
        "SET s:int 12345",
        "SET s:neg -7",
        "SET s:small 100",
        "SET s:i64 9999999999999",
        "SET s:raw hello",
        "SET s:lead 0123",
    ] {
        cmd(w(line));
    }
    cmd(vec![b"SET".to_vec(), b"s:empty".to_vec(), Vec::new()]);
    cmd(vec![
        b"SET".to_vec(),
        b"s:bin".to_vec(),
        vec![0, 255, 13, 10, 7],
    ]);
    // Long and repetitive: Redis writes it LZF-compressed.
    cmd(vec![
        b"SET".to_vec(),
        b"s:lzf".to_vec(),
        "abcdefgh".repeat(300).into_bytes(),
    ]);
    cmd(w(&format!("SET s:ttl v PXAT {far}")));
    cmd(w("RPUSH l:small a b 1 -2 300 70000 -9000000000 x"));
    let mut big = vec![b"RPUSH".to_vec(), b"l:big".to_vec()];
    for i in 0..1500 {
        big.push(if i % 3 == 0 {
            i.to_string().into_bytes()
        } else {
            format!("item-{i}").into_bytes()
        });
    }
    big.push("L".repeat(9000).into_bytes());
    cmd(big);
    cmd(w(&format!("PEXPIREAT l:small {}", far + 1)));
    cmd(w("SADD set:int 1 2 3 -5 100000 -4000000000"));
    cmd(w("SADD set:str a b c 1"));
    let mut s = vec![b"SADD".to_vec(), b"set:big".to_vec()];
    s.extend((0..700).map(|i| i.to_string().into_bytes()));
    cmd(s);
    let mut s = vec![b"SADD".to_vec(), b"set:bigstr".to_vec()];
    s.extend((0..700).map(|i| format!("m{i}").into_bytes()));
    cmd(s);
    cmd(w(
        "ZADD z:small 1 a 2.5 b -inf c +inf d 0 e -3.25 f 1e100 g",
    ));
    let mut z = vec![b"ZADD".to_vec(), b"z:big".to_vec()];
    for i in 0..300 {
        // Exact binary fractions: redlite prints scores shortest-first, Redis 7.0 with %.17g.
        z.push(format!("{}", f64::from(i) / 8.0 - 10.0).into_bytes());
        z.push(format!("member-{i}").into_bytes());
    }
    cmd(z);
    cmd(w(&format!("PEXPIREAT z:big {}", far + 2)));
    cmd(vec![
        b"ZADD".to_vec(),
        b"z:longmember".to_vec(),
        b"1".to_vec(),
        "m".repeat(100).into_bytes(),
    ]);
    cmd(w("HSET h:small f v n 1 neg -12 empty x"));
    let mut h = vec![b"HSET".to_vec(), b"h:big".to_vec()];
    for i in 0..700 {
        h.push(format!("field-{i}").into_bytes());
        h.push(i.to_string().into_bytes());
    }
    cmd(h);
    cmd(vec![
        b"HSET".to_vec(),
        b"h:longval".to_vec(),
        b"f".to_vec(),
        "v".repeat(100).into_bytes(),
    ]);
    cmd(w(&format!("PEXPIREAT h:small {}", far + 3)));
    out
}

/// One key as both sides must show it: type, contents (sets and hashes sorted), and
/// PEXPIRETIME.
pub type Described = BTreeMap<Vec<u8>, (String, Vec<Vec<u8>>, i64)>;

fn strings(r: Reply) -> Vec<Vec<u8>> {
    match r {
        Reply::Array(items) => items
            .into_iter()
            .map(|i| match i {
                Reply::Bulk(b) => b,
                other => other.to_string().into_bytes(),
            })
            .collect(),
        Reply::Bulk(b) => vec![b],
        other => vec![other.to_string().into_bytes()],
    }
}

/// Describes every key, asking through `call` (a redlite connection or a redis-server one).
pub fn describe(mut call: impl FnMut(&[&[u8]]) -> Reply) -> Described {
    let mut out = Described::new();
    for key in strings(call(&[b"KEYS", b"*"])) {
        let k = &key[..];
        let ty = call(&[b"TYPE", k]).to_string();
        let mut content = match ty.as_str() {
            "string" => strings(call(&[b"GET", k])),
            "list" => strings(call(&[b"LRANGE", k, b"0", b"-1"])),
            "set" => strings(call(&[b"SMEMBERS", k])),
            "zset" => strings(call(&[b"ZRANGE", k, b"0", b"-1", b"WITHSCORES"])),
            "hash" => strings(call(&[b"HGETALL", k])),
            other => vec![other.as_bytes().to_vec()],
        };
        match ty.as_str() {
            "set" => content.sort(),
            "hash" => {
                let mut pairs: Vec<Vec<Vec<u8>>> = content.chunks(2).map(<[_]>::to_vec).collect();
                pairs.sort();
                content = pairs.concat();
            }
            _ => {}
        }
        let Reply::Integer(at) = call(&[b"PEXPIRETIME", k]) else {
            panic!("PEXPIRETIME of {key:?} is not an integer");
        };
        out.insert(key, (ty, content, at));
    }
    out
}

/// The first difference between two descriptions, for a readable failure.
pub fn first_difference(a: &Described, b: &Described) -> Option<String> {
    let ka: Vec<_> = a.keys().collect();
    let kb: Vec<_> = b.keys().collect();
    if ka != kb {
        return Some(format!(
            "different keys: {:?} vs {:?}",
            ka.iter()
                .map(|k| String::from_utf8_lossy(k))
                .collect::<Vec<_>>(),
            kb.iter()
                .map(|k| String::from_utf8_lossy(k))
                .collect::<Vec<_>>()
        ));
    }
    a.iter().find_map(|(k, va)| {
        let vb = &b[k];
        (va != vb).then(|| {
            let item = va.1.iter().zip(&vb.1).find(|(x, y)| x != y).map(|(x, y)| {
                format!(
                    "{:?} vs {:?}",
                    String::from_utf8_lossy(x),
                    String::from_utf8_lossy(y)
                )
            });
            format!(
                "key {}: {} {} items ttl {} vs {} {} items ttl {}; first differing item {item:?}",
                String::from_utf8_lossy(k),
                va.0,
                va.1.len(),
                va.2,
                vb.0,
                vb.1.len(),
                vb.2
            )
        })
    })
}

/// A fresh empty folder under the system temp dir, unique to this test and process.
pub fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("redlite-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create a temp dir");
    dir
}
