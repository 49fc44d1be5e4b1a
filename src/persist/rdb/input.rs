//! Reading RDB primitives from a byte slice: lengths, strings (raw, integer, LZF), doubles.
//! Every read is bounds-checked and reports the byte offset where the data went wrong.

use std::borrow::Cow;

use super::lzf;

/// Damage found while reading: where (byte offset from the start of the input) and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Damage {
    pub(crate) offset: usize,
    pub(crate) what: Cow<'static, str>,
}

pub(crate) type Read<T> = Result<T, Damage>;

/// A length, or one of the special string encodings (`RDB_ENCVAL`).
enum Len {
    Plain(u64),
    Encoded(u8),
}

/// A cursor over the input.
pub(crate) struct Input<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Input<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Input<'a> {
        Input { buf, pos: 0 }
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// The first `n` bytes of the input.
    pub(crate) fn prefix(&self, n: usize) -> &'a [u8] {
        &self.buf[..n.min(self.buf.len())]
    }

    pub(crate) fn at_end(&self) -> bool {
        self.pos == self.buf.len()
    }

    /// Damage at the current position.
    pub(crate) fn damage<T>(&self, what: impl Into<Cow<'static, str>>) -> Read<T> {
        Err(Damage {
            offset: self.pos,
            what: what.into(),
        })
    }

    pub(crate) fn take(&mut self, n: usize) -> Read<&'a [u8]> {
        if n > self.remaining() {
            return self.damage("unexpected end of data");
        }
        let out = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    pub(crate) fn byte(&mut self) -> Read<u8> {
        Ok(self.take(1)?[0])
    }

    pub(crate) fn array<const N: usize>(&mut self) -> Read<[u8; N]> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn len_or_enc(&mut self) -> Read<Len> {
        let first = self.byte()?;
        Ok(match first >> 6 {
            0 => Len::Plain(u64::from(first & 0x3f)),
            1 => Len::Plain(u64::from(first & 0x3f) << 8 | u64::from(self.byte()?)),
            2 if first == 0x80 => Len::Plain(u64::from(u32::from_be_bytes(self.array()?))),
            2 if first == 0x81 => Len::Plain(u64::from_be_bytes(self.array()?)),
            2 => return self.damage(format!("unknown length encoding 0x{first:02x}")),
            _ => Len::Encoded(first & 0x3f),
        })
    }

    /// A length (`rdbLoadLen`).
    pub(crate) fn len(&mut self) -> Read<u64> {
        match self.len_or_enc()? {
            Len::Plain(n) => Ok(n),
            Len::Encoded(_) => self.damage("a string encoding where a length belongs"),
        }
    }

    /// A length used as a count of things that each take at least `min_bytes` of the
    /// remaining input: a damaged count cannot make the reader reserve more than the input.
    pub(crate) fn count(&mut self, min_bytes: usize) -> Read<usize> {
        let n = self.len()?;
        match usize::try_from(n) {
            Ok(n) if n.saturating_mul(min_bytes) <= self.remaining() => Ok(n),
            _ => self.damage(format!("count {n} is longer than the data")),
        }
    }

    /// A string (`rdbGenericLoadStringObject`): raw, an integer, or LZF-compressed.
    pub(crate) fn string(&mut self) -> Read<Cow<'a, [u8]>> {
        let start = self.pos;
        match self.len_or_enc()? {
            Len::Plain(n) => {
                let n = usize::try_from(n).or_else(|_| self.damage("string too long"))?;
                Ok(Cow::Borrowed(self.take(n)?))
            }
            Len::Encoded(0) => Ok(int_text(i64::from(i8::from_le_bytes(self.array()?)))),
            Len::Encoded(1) => Ok(int_text(i64::from(i16::from_le_bytes(self.array()?)))),
            Len::Encoded(2) => Ok(int_text(i64::from(i32::from_le_bytes(self.array()?)))),
            Len::Encoded(3) => self.lzf(start),
            Len::Encoded(e) => Err(Damage {
                offset: start,
                what: format!("unknown string encoding {e}").into(),
            }),
        }
    }

    fn lzf(&mut self, start: usize) -> Read<Cow<'a, [u8]>> {
        let clen = self.len()?;
        let ulen = self.len()?;
        let clen = usize::try_from(clen).or_else(|_| self.damage("string too long"))?;
        let data = self.take(clen)?;
        // A compressed run expands at most ~264 times (a 2-byte reference yields 264
        // bytes), so a claimed length past that is damage, not a reason to allocate.
        let ulen = usize::try_from(ulen)
            .ok()
            .filter(|&u| u <= clen.saturating_mul(264).saturating_add(32));
        match ulen.and_then(|u| lzf::decompress(data, u)) {
            Some(out) => Ok(Cow::Owned(out)),
            None => Err(Damage {
                offset: start,
                what: "damaged LZF-compressed string".into(),
            }),
        }
    }

    /// A binary double, little endian (`ZSET_2` scores).
    pub(crate) fn binary_double(&mut self) -> Read<f64> {
        Ok(f64::from_le_bytes(self.array()?))
    }

    /// A double as text with a length byte (old ZSET scores): 253 NaN, 254 +inf, 255 -inf.
    pub(crate) fn text_double(&mut self) -> Read<f64> {
        match self.byte()? {
            253 => Ok(f64::NAN),
            254 => Ok(f64::INFINITY),
            255 => Ok(f64::NEG_INFINITY),
            n => {
                let text = self.take(usize::from(n))?;
                match std::str::from_utf8(text).ok().and_then(|s| s.parse().ok()) {
                    Some(d) => Ok(d),
                    None => self.damage("a score that is not a number"),
                }
            }
        }
    }
}

fn int_text<'a>(n: i64) -> Cow<'a, [u8]> {
    Cow::Owned(n.to_string().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::Input;

    #[test]
    fn reads_every_length_form() {
        let data = [
            0x05, 0x41, 0x02, 0x80, 0, 1, 0, 0, 0x81, 0, 0, 0, 0, 0, 0, 0, 9,
        ];
        let mut inp = Input::new(&data);
        assert_eq!(inp.len(), Ok(5));
        assert_eq!(inp.len(), Ok(0x102));
        assert_eq!(inp.len(), Ok(0x10000));
        assert_eq!(inp.len(), Ok(9));
        assert!(inp.at_end());
    }

    #[test]
    fn reads_integer_strings() {
        let data = [0xc0, 0xfe, 0xc1, 0x39, 0x30, 0xc2, 0xff, 0xff, 0xff, 0x7f];
        let mut inp = Input::new(&data);
        assert_eq!(&*inp.string().unwrap(), b"-2");
        assert_eq!(&*inp.string().unwrap(), b"12345");
        assert_eq!(&*inp.string().unwrap(), b"2147483647");
    }

    #[test]
    fn a_short_read_names_its_offset() {
        let mut inp = Input::new(&[0x05, b'a']);
        let err = inp.string().unwrap_err();
        assert_eq!(err.offset, 1);
    }

    #[test]
    fn a_huge_count_is_damage_not_an_allocation() {
        let mut inp = Input::new(&[0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
        assert!(inp.count(1).is_err());
    }
}
