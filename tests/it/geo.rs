//! Geo commands: Redis's documented examples reproduced digit for digit, the error texts,
//! and a comparison with a real `redis-server` over a grid of points and searches.

use crate::common::{SYNTAX, bulk, bulks, err, int, nil, setup};
use crate::parity::server::start_or_skip;
use redlite::{Reply, Store};

fn sicily() -> redlite::Connection {
    let (_s, mut c, _) = setup();
    let added = c.execute([
        "GEOADD",
        "Sicily",
        "13.361389",
        "38.115556",
        "Palermo",
        "15.087269",
        "37.502669",
        "Catania",
    ]);
    assert_eq!(added, int(2));
    c
}

fn arr(items: Vec<Reply>) -> Reply {
    Reply::Array(items)
}

#[test]
fn geodist_matches_redis_documented_distances() {
    let mut c = sicily();
    assert_eq!(
        c.execute(["GEODIST", "Sicily", "Palermo", "Catania"]),
        bulk("166274.1516")
    );
    assert_eq!(
        c.execute(["GEODIST", "Sicily", "Palermo", "Catania", "km"]),
        bulk("166.2742")
    );
    assert_eq!(
        c.execute(["GEODIST", "Sicily", "Palermo", "Catania", "mi"]),
        bulk("103.3182")
    );
    assert_eq!(c.execute(["GEODIST", "Sicily", "Foo", "Bar"]), nil());
    assert_eq!(c.execute(["GEODIST", "nokey", "Foo", "Bar"]), nil());
    assert_eq!(
        c.execute(["GEODIST", "Sicily", "Palermo", "Catania", "parsec"]),
        err("ERR unsupported unit provided. please use M, KM, FT, MI")
    );
}

#[test]
fn geopos_and_geohash_return_redis_texts() {
    let mut c = sicily();
    assert_eq!(
        c.execute(["GEOPOS", "Sicily", "Palermo", "NonExisting"]),
        arr(vec![
            bulks(&["13.36138933897018433", "38.11555639549629859"]),
            Reply::NilArray
        ])
    );
    assert_eq!(
        c.execute(["GEOHASH", "Sicily", "Palermo", "Catania", "x"]),
        arr(vec![bulk("sqc8b49rny0"), bulk("sqdtr74hyu0"), nil()])
    );
}

#[test]
fn georadius_with_dist_and_coord_sorts_by_distance() {
    let mut c = sicily();
    assert_eq!(
        c.execute([
            "GEORADIUS",
            "Sicily",
            "15",
            "37",
            "200",
            "km",
            "WITHDIST",
            "ASC"
        ]),
        arr(vec![
            bulks(&["Catania", "56.4413"]),
            bulks(&["Palermo", "190.4424"])
        ])
    );
    assert_eq!(
        c.execute([
            "GEOSEARCH",
            "Sicily",
            "FROMLONLAT",
            "15",
            "37",
            "BYBOX",
            "400",
            "400",
            "km",
            "ASC",
            "WITHCOORD",
            "WITHDIST"
        ]),
        arr(vec![
            arr(vec![
                bulk("Catania"),
                bulk("56.4413"),
                bulks(&["15.08726745843887329", "37.50266842333162032"])
            ]),
            arr(vec![
                bulk("Palermo"),
                bulk("190.4424"),
                bulks(&["13.36138933897018433", "38.11555639549629859"])
            ]),
        ])
    );
    assert_eq!(
        c.execute(["GEORADIUSBYMEMBER", "Sicily", "Palermo", "100", "km"]),
        bulks(&["Palermo"])
    );
}

#[test]
fn geosearchstore_stores_hashes_or_distances() {
    let mut c = sicily();
    assert_eq!(
        c.execute([
            "GEOSEARCHSTORE",
            "dst",
            "Sicily",
            "FROMMEMBER",
            "Palermo",
            "BYRADIUS",
            "200",
            "km",
            "STOREDIST"
        ]),
        int(2)
    );
    assert_eq!(c.execute(["ZSCORE", "dst", "Palermo"]), bulk("0"));
    assert_eq!(
        c.execute([
            "GEOSEARCHSTORE",
            "dst",
            "Sicily",
            "FROMLONLAT",
            "0",
            "0",
            "BYRADIUS",
            "1",
            "m"
        ]),
        int(0)
    );
    assert_eq!(c.execute(["EXISTS", "dst"]), int(0));
    assert_eq!(
        c.execute([
            "GEORADIUS",
            "Sicily",
            "15",
            "37",
            "200",
            "km",
            "STORE",
            "d2"
        ]),
        int(2)
    );
    assert_eq!(c.execute(["ZCARD", "d2"]), int(2));
}

#[test]
fn geo_errors_use_redis_texts() {
    let mut c = sicily();
    assert_eq!(
        c.execute(["GEOADD", "Sicily", "200", "100", "x"]),
        err("ERR invalid longitude,latitude pair 200.000000,100.000000")
    );
    assert_eq!(
        c.execute(["GEOADD", "Sicily", "NX", "XX", "1", "2", "x"]),
        err(SYNTAX)
    );
    assert_eq!(
        c.execute(["GEOADD", "Sicily", "1", "2"]),
        crate::common::arity("geoadd")
    );
    assert_eq!(
        c.execute([
            "GEOSEARCH",
            "Sicily",
            "BYRADIUS",
            "1",
            "km",
            "ASC",
            "WITHDIST"
        ]),
        err("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for GEOSEARCH")
    );
    assert_eq!(
        c.execute([
            "GEOSEARCH",
            "Sicily",
            "FROMLONLAT",
            "1",
            "2",
            "ASC",
            "WITHDIST"
        ]),
        err("ERR exactly one of BYRADIUS and BYBOX can be specified for GEOSEARCH")
    );
    assert_eq!(
        c.execute([
            "GEOSEARCH",
            "Sicily",
            "FROMMEMBER",
            "nope",
            "BYRADIUS",
            "1",
            "km"
        ]),
        err("ERR could not decode requested zset member")
    );
    assert_eq!(
        c.execute(["GEORADIUS", "Sicily", "15", "37", "-1", "km"]),
        err("ERR radius cannot be negative")
    );
    assert_eq!(
        c.execute(["GEORADIUS", "Sicily", "15", "37", "1", "km", "ANY"]),
        err("ERR the ANY argument requires COUNT argument")
    );
    assert_eq!(
        c.execute(["GEORADIUS", "Sicily", "15", "37", "1", "km", "COUNT", "0"]),
        err("ERR COUNT must be > 0")
    );
    assert_eq!(
        c.execute([
            "GEORADIUS",
            "Sicily",
            "15",
            "37",
            "1",
            "km",
            "STORE",
            "x",
            "WITHDIST"
        ]),
        err(
            "ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options"
        )
    );
    assert_eq!(
        c.execute([
            "GEORADIUS_RO",
            "Sicily",
            "15",
            "37",
            "1",
            "km",
            "STORE",
            "x"
        ]),
        err(SYNTAX)
    );
    c.execute(["SET", "s", "x"]);
    assert_eq!(
        c.execute(["GEOPOS", "s", "a"]),
        err(crate::common::WRONGTYPE)
    );
}

#[test]
fn geoadd_takes_zadd_options() {
    let mut c = sicily();
    assert_eq!(
        c.execute(["GEOADD", "Sicily", "NX", "1", "2", "Palermo"]),
        int(0)
    );
    assert_eq!(
        c.execute(["GEOADD", "Sicily", "XX", "CH", "1", "2", "Palermo"]),
        int(1)
    );
    assert_eq!(
        c.execute(["GEOADD", "Sicily", "XX", "1", "2", "New"]),
        int(0)
    );
    assert_eq!(c.execute(["ZCARD", "Sicily"]), int(2));
}

fn v(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_string()).collect()
}

/// Searches around (x, y) of radius or box side `r` km, every reply option.
fn searches(x: &str, y: &str, r: &str, member: &str) -> Vec<Vec<String>> {
    vec![
        v(&[
            "GEORADIUS",
            "g",
            x,
            y,
            r,
            "km",
            "WITHDIST",
            "WITHHASH",
            "WITHCOORD",
        ]),
        v(&[
            "GEOSEARCH",
            "g",
            "FROMLONLAT",
            x,
            y,
            "BYBOX",
            r,
            r,
            "km",
            "DESC",
            "WITHDIST",
        ]),
        v(&[
            "GEOSEARCH",
            "g",
            "FROMLONLAT",
            x,
            y,
            "BYRADIUS",
            r,
            "km",
            "COUNT",
            "5",
            "ANY",
        ]),
        v(&["GEORADIUSBYMEMBER", "g", member, r, "mi", "COUNT", "7"]),
        v(&[
            "GEOSEARCHSTORE",
            "d",
            "g",
            "FROMMEMBER",
            member,
            "BYBOX",
            r,
            r,
            "ft",
            "STOREDIST",
        ]),
        v(&["ZRANGE", "d", "0", "-1", "WITHSCORES"]),
    ]
}

/// A grid of points and many searches give Redis's replies byte for byte.
#[test]
fn geo_replies_match_real_redis_over_a_grid() {
    let Some(server) = start_or_skip(&[], "geo parity") else {
        return;
    };
    let mut redis = server.connect();
    let mut lite = Store::new().connection();
    let mut compared = 0;
    let mut both = |args: Vec<String>| {
        let (r, l) = (redis.call(&args), lite.execute(&args));
        assert_eq!(l, r, "{args:?}");
        compared += 1;
    };
    both(v(&["FLUSHALL"]));
    for i in 0..40 {
        for j in 0..40 {
            let (x, y) = (-20.0 + f64::from(i) * 1.37, 30.0 + f64::from(j) * 0.71);
            both(v(&[
                "GEOADD",
                "g",
                &x.to_string(),
                &y.to_string(),
                &format!("p{i}:{j}"),
            ]));
        }
    }
    let centres = [
        (0.0, 40.0),
        (5.5, 44.2),
        (-19.0, 30.5),
        (30.0, 55.0),
        (10.0, 80.0),
    ];
    for (k, (x, y)) in centres.iter().enumerate() {
        for r in ["10", "150", "700", "3000"] {
            for cmd in searches(&x.to_string(), &y.to_string(), r, &format!("p{k}:{k}")) {
                both(cmd);
            }
        }
    }
    both(v(&["GEOHASH", "g", "p1:1", "p39:39", "p0:0"]));
    both(v(&["GEOPOS", "g", "p1:1", "p39:39"]));
    both(v(&["GEODIST", "g", "p1:1", "p39:39", "ft"]));
    println!("geo parity: {compared} replies compared, 0 mismatches");
}
