//! `bit`: the `LuaBitOp` library Redis ships (32-bit operations on Lua numbers).

use mlua::{Lua, MultiValue, Table, Value};

/// A Lua number as `LuaBitOp`'s 32-bit integer: rounded to the nearest integer (ties to
/// even, as its `+ 2^52 + 2^51` trick does), then taken modulo 2^32.
#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss,
    reason = "wrapping to 32 bits is the operation"
)]
pub(crate) fn tobit(n: f64) -> i32 {
    if !n.is_finite() {
        return 0;
    }
    let r = n.round_ties_even().rem_euclid(4_294_967_296.0);
    r as u64 as u32 as i32
}

#[allow(clippy::cast_sign_loss, reason = "the same 32 bits, unsigned")]
fn unsigned(x: i32) -> u32 {
    x as u32
}

#[allow(clippy::cast_possible_wrap, reason = "the same 32 bits, signed")]
fn signed(x: u32) -> i32 {
    x as i32
}

type Unary = fn(i32) -> i32;
type Binary = fn(i32, i32) -> i32;
type Shift = fn(i32, u32) -> i32;

/// Argument `i` (0-based) as `luaL_checknumber` reads it, then as `LuaBitOp`'s integer.
fn arg(lua: &Lua, args: &MultiValue, i: usize) -> mlua::Result<i32> {
    super::args::check_number(lua, args, i + 1).map(tobit)
}

/// `band`, `bor`, `bxor`: one or more arguments folded.
fn fold(lua: &Lua, args: &MultiValue, op: Binary) -> mlua::Result<i32> {
    let mut acc = arg(lua, args, 0)?;
    for i in 1..args.len() {
        acc = op(acc, arg(lua, args, i)?);
    }
    Ok(acc)
}

/// `tohex(x [, n])`: the low `n` hex digits (default 8; negative `n` for upper case).
fn tohex(lua: &Lua, args: &MultiValue) -> mlua::Result<String> {
    let x = unsigned(arg(lua, args, 0)?);
    let n = match args.get(1) {
        None | Some(Value::Nil) => 8,
        Some(_) => arg(lua, args, 1)?,
    };
    let upper = n < 0;
    let digits = n.unsigned_abs().min(8) as usize;
    let text = if upper {
        format!("{x:08X}")
    } else {
        format!("{x:08x}")
    };
    Ok(text[8 - digits..].to_string())
}

/// The `bit` table.
pub(crate) fn table(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    let unary: [(&str, Unary); 3] = [
        ("tobit", |x| x),
        ("bnot", |x| !x),
        ("bswap", i32::swap_bytes),
    ];
    for (name, op) in unary {
        t.raw_set(
            name,
            lua.create_function(move |lua, a: MultiValue| Ok(op(arg(lua, &a, 0)?)))?,
        )?;
    }
    let folds: [(&str, Binary); 3] = [
        ("band", |a, b| a & b),
        ("bor", |a, b| a | b),
        ("bxor", |a, b| a ^ b),
    ];
    for (name, op) in folds {
        t.raw_set(
            name,
            lua.create_function(move |lua, a: MultiValue| fold(lua, &a, op))?,
        )?;
    }
    let shifts: [(&str, Shift); 5] = [
        ("lshift", |x, n| x.wrapping_shl(n)),
        ("rshift", |x, n| signed(unsigned(x).wrapping_shr(n))),
        ("arshift", i32::wrapping_shr),
        ("rol", i32::rotate_left),
        ("ror", i32::rotate_right),
    ];
    for (name, op) in shifts {
        t.raw_set(
            name,
            lua.create_function(move |lua, a: MultiValue| {
                let n = unsigned(arg(lua, &a, 1)?) & 31;
                Ok(op(arg(lua, &a, 0)?, n))
            })?,
        )?;
    }
    t.raw_set(
        "tohex",
        lua.create_function(|lua, a: MultiValue| tohex(lua, &a))?,
    )?;
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::tobit;

    #[test]
    fn tobit_wraps_and_rounds_like_luabitop() {
        assert_eq!(tobit(4_294_967_295.0), -1);
        assert_eq!(tobit(4_294_967_296.0), 0);
        assert_eq!(tobit(-1.0), -1);
        assert_eq!(tobit(2.5), 2);
        assert_eq!(tobit(3.5), 4);
        assert_eq!(tobit(2_147_483_648.0), i32::MIN);
    }
}
