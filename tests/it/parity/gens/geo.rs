//! Geo: GEOADD GEOPOS GEOHASH GEODIST and the searches, on their own keys `g1`, `g2` (real
//! points) and on `k1` (shared with every family: WRONGTYPE, and sorted sets whose scores
//! are no geohash at all).

use super::{G, Gen, cmd, row};
use crate::parity::compare::Cmp::Exact;

const KEYS: &[&str] = &["g1", "g2", "g1", "k1"];
const MEMBERS: &[&str] = &["m1", "m2", "m3", "m4", "a", "1", "rome", "paris"];
/// (lon, lat) pairs: cities, poles of the geohash range, the antimeridian, invalid ones.
const POINTS: &[(&str, &str)] = &[
    ("13.361389", "38.115556"),
    ("15.087269", "37.502669"),
    ("12.4964", "41.9028"),
    ("2.3522", "48.8566"),
    ("-0.1278", "51.5074"),
    ("-73.9857", "40.7484"),
    ("139.6917", "35.6895"),
    ("179.99", "0.5"),
    ("-179.99", "-0.5"),
    ("0", "0"),
    ("180", "85.05112878"),
    ("-180", "-85.05112878"),
    ("13.4", "38.1"),
    ("181", "10"),
    ("10", "86"),
    ("abc", "1"),
];
const RADII: &[&str] = &[
    "0", "1", "100", "5000", "200", "1000", "-1", "x", "20000", "1.5",
];
const UNITS: &[&str] = &["m", "km", "mi", "ft", "KM", "parsec"];

fn key(g: &mut G) -> String {
    g.pick(KEYS)
}

fn point(g: &mut G) -> Vec<String> {
    let (x, y) = *g.rng.pick(POINTS);
    cmd![x, y]
}

fn geoadd(g: &mut G) -> Vec<String> {
    let mut a = cmd!["GEOADD", key(g)];
    for _ in 0..g.rng.below(3) {
        a.push(g.pick(&["NX", "XX", "CH", "ch"]));
    }
    for _ in 0..=g.rng.below(3) {
        a.extend(point(g));
        a.push(g.pick(MEMBERS));
    }
    if g.chance(3) {
        a.pop();
    }
    a
}

fn members(g: &mut G, name: &str) -> Vec<String> {
    let mut a = cmd![name, key(g)];
    for _ in 0..g.rng.below(4) {
        a.push(g.pick(MEMBERS));
    }
    a
}

fn geodist(g: &mut G) -> Vec<String> {
    let mut a = cmd!["GEODIST", key(g), g.pick(MEMBERS), g.pick(MEMBERS)];
    if g.chance(60) {
        a.push(g.pick(UNITS));
    }
    if g.chance(3) {
        a.push("extra".into());
    }
    a
}

fn options(g: &mut G, a: &mut Vec<String>, store: bool) {
    for _ in 0..g.rng.below(4) {
        match g.rng.below(8) {
            0 => a.push(g.pick(&["WITHDIST", "WITHCOORD", "WITHHASH"])),
            1 => a.push(g.pick(&["ASC", "DESC"])),
            2 => a.extend(cmd!["COUNT", g.pick(&["1", "2", "3", "0", "-1", "x"])]),
            3 => a.push("ANY".into()),
            4 if store => a.extend(cmd![g.pick(&["STORE", "STOREDIST"]), key(g)]),
            5 => a.push(g.pick(&["BAD", "STOREDIST"])),
            _ => a.push(g.pick(&["WITHDIST", "ASC"])),
        }
    }
}

fn georadius(g: &mut G) -> Vec<String> {
    let name = g.pick(&["GEORADIUS", "GEORADIUS_RO"]);
    let store = name == "GEORADIUS";
    let mut a = cmd![name, key(g)];
    a.extend(point(g));
    a.extend(cmd![g.pick(RADII), g.pick(UNITS)]);
    options(g, &mut a, store);
    a
}

fn georadiusbymember(g: &mut G) -> Vec<String> {
    let name = g.pick(&["GEORADIUSBYMEMBER", "GEORADIUSBYMEMBER_RO"]);
    let store = name == "GEORADIUSBYMEMBER";
    let mut a = cmd![name, key(g), g.pick(MEMBERS), g.pick(RADII), g.pick(UNITS)];
    options(g, &mut a, store);
    a
}

fn geosearch(g: &mut G) -> Vec<String> {
    let store = g.chance(30);
    let mut a = if store {
        cmd!["GEOSEARCHSTORE", key(g), key(g)]
    } else {
        cmd!["GEOSEARCH", key(g)]
    };
    match g.rng.below(10) {
        0..=5 => {
            a.push("FROMLONLAT".into());
            a.extend(point(g));
        }
        6..=8 => a.extend(cmd!["FROMMEMBER", g.pick(MEMBERS)]),
        _ => {}
    }
    match g.rng.below(10) {
        0..=5 => a.extend(cmd!["BYRADIUS", g.pick(RADII), g.pick(UNITS)]),
        6..=8 => a.extend(cmd!["BYBOX", g.pick(RADII), g.pick(RADII), g.pick(UNITS)]),
        _ => {}
    }
    options(g, &mut a, false);
    if store && g.chance(30) {
        a.push("STOREDIST".into());
    }
    a
}

pub fn gens() -> Vec<Gen> {
    vec![
        row("geoadd", Exact, 6, geoadd),
        row("geopos", Exact, 2, |g| members(g, "GEOPOS")),
        row("geohash", Exact, 2, |g| members(g, "GEOHASH")),
        row("geodist", Exact, 2, geodist),
        row("georadius", Exact, 2, georadius),
        row("georadiusbymember", Exact, 2, georadiusbymember),
        row("geosearch", Exact, 4, geosearch),
    ]
}
