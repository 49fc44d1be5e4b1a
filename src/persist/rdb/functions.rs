//! Function libraries in RDB form, as Redis 7.0 writes them in snapshots and FUNCTION DUMP
//! payloads: each library is opcode 245 (`RDB_OPCODE_FUNCTION2`) and its code as an RDB
//! string (its `#!lua name=..` line included). Redis may LZF-compress the string; it is
//! written uncompressed here. Opcode 246, the format of Redis 7.0's release candidates
//! (name, engine, description and code apart), is read too.

use super::input::{Input, Read};
use super::value::put_str;

/// `RDB_OPCODE_FUNCTION2`.
pub(crate) const FUNCTION2: u8 = 245;
/// `RDB_OPCODE_FUNCTION`, Redis 7.0 rc1/rc2's.
pub(crate) const FUNCTION_PRE_GA: u8 = 246;

/// Appends one opcode-245 entry per library code.
pub(crate) fn put_libraries<'c>(out: &mut Vec<u8>, codes: impl IntoIterator<Item = &'c [u8]>) {
    for code in codes {
        out.push(FUNCTION2);
        put_str(out, code);
    }
}

/// The code of the library entry whose opcode (`t`, 245 or 246) was just read.
pub(crate) fn read_library(inp: &mut Input<'_>, t: u8) -> Read<Vec<u8>> {
    if t == FUNCTION2 {
        return Ok(inp.string()?.into_owned());
    }
    let name = inp.string()?;
    let engine = inp.string()?;
    if inp.len()? != 0 {
        inp.string()?; // the description, which the header line has no place for
    }
    let code = inp.string()?;
    let mut out = Vec::with_capacity(code.len() + name.len() + engine.len() + 10);
    out.extend_from_slice(b"#!");
    out.extend_from_slice(&engine);
    out.extend_from_slice(b" name=");
    out.extend_from_slice(&name);
    out.push(b'\n');
    out.extend_from_slice(&code);
    Ok(out)
}

/// FUNCTION DUMP's payload: the entries, the RDB version (2 bytes LE) and the CRC64.
pub(crate) fn dump<'c>(codes: impl IntoIterator<Item = &'c [u8]>) -> Vec<u8> {
    let mut out = Vec::new();
    put_libraries(&mut out, codes);
    super::value::seal(&mut out);
    out
}

/// The library codes of a FUNCTION RESTORE payload. The error is Redis's reply text.
pub(crate) fn restore(payload: &[u8]) -> Result<Vec<Vec<u8>>, &'static str> {
    let body = super::value::verified_body(payload)
        .map_err(|_| "ERR DUMP payload version or checksum are wrong")?;
    let mut inp = Input::new(body);
    let mut codes = Vec::new();
    while !inp.at_end() {
        let t = inp.byte().map_err(|_| "ERR can not read data type")?;
        if t != FUNCTION2 && t != FUNCTION_PRE_GA {
            return Err("ERR given type is not a function");
        }
        let code = read_library(&mut inp, t).map_err(|_| "ERR Failed loading library payload")?;
        codes.push(code);
    }
    Ok(codes)
}
