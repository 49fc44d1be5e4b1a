#![allow(
    clippy::many_single_char_names,
    reason = "x, y, w, h, r as in the geometry"
)]
//! Redis's geohash: 26 steps of interleaved latitude/longitude bits (52 bits, stored as a
//! sorted-set score), the 9-box search area around a shape, and the haversine distance on
//! Redis's earth radius. Every float step is Redis's, so results match it bit for bit.

pub(super) const LAT_MIN: f64 = -85.051_128_78;
pub(super) const LAT_MAX: f64 = 85.051_128_78;
pub(super) const LON_MIN: f64 = -180.0;
pub(super) const LON_MAX: f64 = 180.0;
pub(super) const STEP_MAX: u8 = 26;
const EARTH_RADIUS: f64 = 6_372_797.560_856;
const MERCATOR_MAX: f64 = 20_037_726.37;
const D_R: f64 = std::f64::consts::PI / 180.0;

/// A cell: its bits and how many steps (bits per axis) it has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(super) struct Cell {
    pub bits: u64,
    pub step: u8,
}

impl Cell {
    fn is_zero(self) -> bool {
        self.bits == 0 && self.step == 0
    }

    /// The 52-bit score of the cell's first point.
    pub(super) fn align52(self) -> u64 {
        self.bits << (52 - u32::from(self.step) * 2)
    }
}

/// Lon/lat bounds of a cell.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Area {
    pub lon_min: f64,
    pub lon_max: f64,
    pub lat_min: f64,
    pub lat_max: f64,
}

fn interleave(x: u32, y: u32) -> u64 {
    let spread = |v: u32| {
        let mut v = u64::from(v);
        v = (v | (v << 16)) & 0x0000_FFFF_0000_FFFF;
        v = (v | (v << 8)) & 0x00FF_00FF_00FF_00FF;
        v = (v | (v << 4)) & 0x0F0F_0F0F_0F0F_0F0F;
        v = (v | (v << 2)) & 0x3333_3333_3333_3333;
        (v | (v << 1)) & 0x5555_5555_5555_5555
    };
    spread(x) | (spread(y) << 1)
}

fn deinterleave(v: u64) -> (u32, u32) {
    let squash = |mut v: u64| {
        v &= 0x5555_5555_5555_5555;
        v = (v | (v >> 1)) & 0x3333_3333_3333_3333;
        v = (v | (v >> 2)) & 0x0F0F_0F0F_0F0F_0F0F;
        v = (v | (v >> 4)) & 0x00FF_00FF_00FF_00FF;
        v = (v | (v >> 8)) & 0x0000_FFFF_0000_FFFF;
        v = (v | (v >> 16)) & 0x0000_0000_FFFF_FFFF;
        #[allow(clippy::cast_possible_truncation, reason = "masked to 32 bits")]
        let v = v as u32;
        v
    };
    (squash(v), squash(v >> 1))
}

/// Redis's `geohashEncode` in a lon range and lat range; `None` outside them.
#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "C's double-to-uint32 conversion of an offset in 0..=2^step"
)]
pub(super) fn encode_in(
    lon: (f64, f64),
    lat: (f64, f64),
    x: f64,
    y: f64,
    step: u8,
) -> Option<Cell> {
    if !(LON_MIN..=LON_MAX).contains(&x) || !(LAT_MIN..=LAT_MAX).contains(&y) {
        return None;
    }
    if y < lat.0 || y > lat.1 || x < lon.0 || x > lon.1 {
        return None;
    }
    let scale = f64::from(1u32 << step);
    let lat_off = (y - lat.0) / (lat.1 - lat.0) * scale;
    let lon_off = (x - lon.0) / (lon.1 - lon.0) * scale;
    Some(Cell {
        bits: interleave(lat_off as u32, lon_off as u32),
        step,
    })
}

/// Encodes in Redis's own ranges (latitude limited to ±85.05°).
pub(super) fn encode(x: f64, y: f64, step: u8) -> Option<Cell> {
    encode_in((LON_MIN, LON_MAX), (LAT_MIN, LAT_MAX), x, y, step)
}

/// The bounds of a cell (`geohashDecode`); `None` for the zero cell.
#[allow(clippy::cast_precision_loss, reason = "Redis's own conversions")]
pub(super) fn decode(cell: Cell) -> Option<Area> {
    if cell.is_zero() {
        return None;
    }
    let (ilat, ilon) = deinterleave(cell.bits);
    let div = f64::from(1u32 << cell.step);
    let (lat_scale, lon_scale) = (LAT_MAX - LAT_MIN, LON_MAX - LON_MIN);
    Some(Area {
        lat_min: LAT_MIN + (f64::from(ilat) * 1.0 / div) * lat_scale,
        lat_max: LAT_MIN + ((f64::from(ilat) + 1.0) * 1.0 / div) * lat_scale,
        lon_min: LON_MIN + (f64::from(ilon) * 1.0 / div) * lon_scale,
        lon_max: LON_MIN + ((f64::from(ilon) + 1.0) * 1.0 / div) * lon_scale,
    })
}

/// C's `(uint64_t)` of a double as x86-64 compilers emit it (two `cvttsd2si`), so that a
/// sorted set's arbitrary scores (negative, huge) decode to the same place as in Redis.
#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "reproducing the C conversion bit for bit"
)]
fn c_to_u64(x: f64) -> u64 {
    const TWO63: f64 = 9_223_372_036_854_775_808.0;
    // cvttsd2si: truncation, and the "integer indefinite" 2^63 for NaN and out of range.
    let cvtt = |v: f64| {
        if v.is_nan() || !(-TWO63..TWO63).contains(&v) {
            i64::MIN
        } else {
            v as i64
        }
    };
    if x < TWO63 {
        cvtt(x) as u64
    } else {
        (cvtt(x - TWO63) as u64) ^ (1 << 63)
    }
}

/// The centre of a stored score's cell, as (lon, lat).
#[allow(
    clippy::manual_midpoint,
    reason = "Redis's own (min + max) / 2, kept literally for bit-exact centres"
)]
pub(super) fn decode_score(score: f64) -> Option<(f64, f64)> {
    let a = decode(Cell {
        bits: c_to_u64(score),
        step: STEP_MAX,
    })?;
    let x = ((a.lon_min + a.lon_max) / 2.0).clamp(LON_MIN, LON_MAX);
    let y = ((a.lat_min + a.lat_max) / 2.0).clamp(LAT_MIN, LAT_MAX);
    Some((x, y))
}

fn move_x(c: &mut Cell, d: i8) {
    if d == 0 {
        return;
    }
    let shift = 64 - u32::from(c.step) * 2;
    let mut x = c.bits & 0xaaaa_aaaa_aaaa_aaaa;
    let y = c.bits & 0x5555_5555_5555_5555;
    let zz = 0x5555_5555_5555_5555u64.checked_shr(shift).unwrap_or(0);
    if d > 0 {
        x = x.wrapping_add(zz.wrapping_add(1));
    } else {
        x |= zz;
        x = x.wrapping_sub(zz.wrapping_add(1));
    }
    x &= 0xaaaa_aaaa_aaaa_aaaau64.checked_shr(shift).unwrap_or(0);
    c.bits = x | y;
}

fn move_y(c: &mut Cell, d: i8) {
    if d == 0 {
        return;
    }
    let shift = 64 - u32::from(c.step) * 2;
    let x = c.bits & 0xaaaa_aaaa_aaaa_aaaa;
    let mut y = c.bits & 0x5555_5555_5555_5555;
    let zz = 0xaaaa_aaaa_aaaa_aaaau64.checked_shr(shift).unwrap_or(0);
    if d > 0 {
        y = y.wrapping_add(zz.wrapping_add(1));
    } else {
        y |= zz;
        y = y.wrapping_sub(zz.wrapping_add(1));
    }
    y &= 0x5555_5555_5555_5555u64.checked_shr(shift).unwrap_or(0);
    c.bits = x | y;
}

fn moved(c: Cell, dx: i8, dy: i8) -> Cell {
    let mut n = c;
    move_x(&mut n, dx);
    move_y(&mut n, dy);
    n
}

/// What is searched: a circle (radius) or a box (width, height), in the unit `to_m`.
#[derive(Clone, Copy, Debug)]
pub(super) enum Shape {
    Radius(f64),
    Box(f64, f64),
}

/// A search: centre (lon, lat), shape, and the unit's size in metres.
#[derive(Clone, Copy, Debug)]
pub(super) struct Search {
    pub x: f64,
    pub y: f64,
    pub shape: Shape,
    pub to_m: f64,
}

/// Redis's `geohashEstimateStepsByRadius`.
fn steps_for(mut range: f64, lat: f64) -> u8 {
    if range == 0.0 {
        return 26;
    }
    let mut step: i32 = 1;
    while range < MERCATOR_MAX {
        range *= 2.0;
        step += 1;
    }
    step -= 2;
    if !(-66.0..=66.0).contains(&lat) {
        step -= 1;
        if !(-80.0..=80.0).contains(&lat) {
            step -= 1;
        }
    }
    u8::try_from(step.clamp(1, 26)).unwrap_or(26)
}

/// (min lon, min lat, max lon, max lat) around the search (`geohashBoundingBox`).
fn bounding_box(s: &Search) -> [f64; 4] {
    let (h, w) = match s.shape {
        Shape::Radius(r) => (s.to_m * r, s.to_m * r),
        Shape::Box(w, h) => (s.to_m * (h / 2.0), s.to_m * (w / 2.0)),
    };
    let lat_delta = (h / EARTH_RADIUS) / D_R;
    let top = (w / EARTH_RADIUS / ((s.y + lat_delta) * D_R).cos()) / D_R;
    let bottom = (w / EARTH_RADIUS / ((s.y - lat_delta) * D_R).cos()) / D_R;
    let delta = if s.y < 0.0 { bottom } else { top };
    [s.x - delta, s.y - lat_delta, s.x + delta, s.y + lat_delta]
}

/// The cells to scan, in Redis's order (own cell, N, S, E, W, NE, NW, SE, SW), with the
/// zero cell for the ones ruled out (`geohashCalculateAreasByShapeWGS84`).
pub(super) fn areas(s: &Search) -> [Cell; 9] {
    let [min_lon, min_lat, max_lon, max_lat] = bounding_box(s);
    let radius = match s.shape {
        Shape::Radius(r) => r,
        Shape::Box(w, h) => ((w / 2.0) * (w / 2.0) + (h / 2.0) * (h / 2.0)).sqrt(),
    } * s.to_m;
    let mut steps = steps_for(radius, s.y);
    let mut cells = around(s, steps);
    let dec = |c: Cell| decode(c).unwrap_or_default();
    let needs_finer = dec(cells[1]).lat_max < max_lat
        || dec(cells[2]).lat_min > min_lat
        || dec(cells[3]).lon_max < max_lon
        || dec(cells[4]).lon_min > min_lon;
    if steps > 1 && needs_finer {
        steps -= 1;
        cells = around(s, steps);
    }
    if steps >= 2 {
        let area = dec(cells[0]);
        let zero = |cells: &mut [Cell; 9], idx: [usize; 3]| {
            for i in idx {
                cells[i] = Cell::default();
            }
        };
        if area.lat_min < min_lat {
            zero(&mut cells, [2, 8, 7]);
        }
        if area.lat_max > max_lat {
            zero(&mut cells, [1, 5, 6]);
        }
        if area.lon_min < min_lon {
            zero(&mut cells, [4, 8, 6]);
        }
        if area.lon_max > max_lon {
            zero(&mut cells, [3, 7, 5]);
        }
    }
    cells
}

fn around(s: &Search, steps: u8) -> [Cell; 9] {
    let c = encode(s.x, s.y, steps).unwrap_or_default();
    [
        c,
        moved(c, 0, 1),
        moved(c, 0, -1),
        moved(c, 1, 0),
        moved(c, -1, 0),
        moved(c, 1, 1),
        moved(c, -1, 1),
        moved(c, 1, -1),
        moved(c, -1, -1),
    ]
}

fn lat_distance(lat1: f64, lat2: f64) -> f64 {
    EARTH_RADIUS * (lat2 * D_R - lat1 * D_R).abs()
}

/// Haversine distance in metres (`geohashGetDistance`).
pub(super) fn distance(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    let (lon1r, lon2r) = (lon1 * D_R, lon2 * D_R);
    let v = ((lon2r - lon1r) / 2.0).sin();
    if v == 0.0 {
        return lat_distance(lat1, lat2);
    }
    let (lat1r, lat2r) = (lat1 * D_R, lat2 * D_R);
    let u = ((lat2r - lat1r) / 2.0).sin();
    let a = u * u + lat1r.cos() * lat2r.cos() * v * v;
    2.0 * EARTH_RADIUS * a.sqrt().asin()
}

/// The distance from the search centre to (x, y) if the point lies in the shape.
pub(super) fn within(s: &Search, x: f64, y: f64) -> Option<f64> {
    match s.shape {
        Shape::Radius(r) => {
            let d = distance(s.x, s.y, x, y);
            (d <= r * s.to_m).then_some(d)
        }
        Shape::Box(w, h) => {
            let (w, h) = (w * s.to_m, h * s.to_m);
            if lat_distance(y, s.y) > h / 2.0 || distance(x, y, s.x, y) > w / 2.0 {
                return None;
            }
            Some(distance(s.x, s.y, x, y))
        }
    }
}
