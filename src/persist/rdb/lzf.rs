//! LZF decompression (the format of liblzf's `lzf_d.c`, which Redis uses for long strings
//! when `rdbcompression` is on). redlite writes strings uncompressed; it only needs to read.

/// Decompresses `input` into exactly `out_len` bytes, or `None` when the data is damaged (a
/// back reference before the start, a run past either end, or a length mismatch).
pub(crate) fn decompress(input: &[u8], out_len: usize) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(out_len);
    let mut i = 0;
    while i < input.len() {
        let ctrl = usize::from(input[i]);
        i += 1;
        if ctrl < 32 {
            // A literal run of ctrl + 1 bytes.
            let run = input.get(i..i + ctrl + 1)?;
            if out.len() + run.len() > out_len {
                return None;
            }
            out.extend_from_slice(run);
            i += ctrl + 1;
            continue;
        }
        let mut len = ctrl >> 5;
        if len == 7 {
            len += usize::from(*input.get(i)?);
            i += 1;
        }
        let back = ((ctrl & 0x1f) << 8) + usize::from(*input.get(i)?) + 1;
        i += 1;
        let start = out.len().checked_sub(back)?;
        let len = len + 2;
        if out.len() + len > out_len {
            return None;
        }
        // Byte by byte: a reference may overlap what it is producing (a repeated run).
        for k in 0..len {
            let b = out[start + k];
            out.push(b);
        }
    }
    (out.len() == out_len).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::decompress;

    #[test]
    fn literal_and_overlapping_back_reference() {
        // "abc" literal, then a reference 3 back of length 6: "abcabcabc".
        let data = [2, b'a', b'b', b'c', (4 << 5), 2];
        assert_eq!(decompress(&data, 9).as_deref(), Some(&b"abcabcabc"[..]));
    }

    #[test]
    fn rejects_references_before_the_start_and_wrong_lengths() {
        assert_eq!(decompress(&[(1 << 5), 5], 3), None);
        assert_eq!(decompress(&[0, b'a'], 2), None);
        assert_eq!(decompress(&[1, b'a'], 2), None);
    }
}
