//! Redis Cluster's hash slot of a key: CRC16 (XMODEM) of the key, or of its `{hashtag}`,
//! mod 16384 (what `Config::cluster_mode` lints with and `CLUSTER KEYSLOT` answers).

/// Redis Cluster's slot count.
pub(crate) const SLOTS: u16 = 16384;

/// CRC16-CCITT, the XMODEM variant (polynomial 0x1021, initial value 0, no reflection), as
/// Redis's `crc16.c` computes it; a table makes it one lookup per byte.
pub(crate) fn crc16(bytes: &[u8]) -> u16 {
    bytes.iter().fold(0u16, |crc, &b| {
        let index = usize::from(((crc >> 8) as u8) ^ b);
        (crc << 8) ^ TABLE[index]
    })
}

const TABLE: [u16; 256] = table();

const fn table() -> [u16; 256] {
    let mut table = [0u16; 256];
    let mut i: u16 = 0;
    while i < 256 {
        let mut crc = i << 8;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
            bit += 1;
        }
        table[i as usize] = crc;
        i += 1;
    }
    table
}

/// The part of `key` that decides its slot: what lies between the first `{` and the first
/// `}` after it, if that is not empty; otherwise the whole key (Redis's `keyHashSlot`).
pub(crate) fn hash_tag(key: &[u8]) -> &[u8] {
    let Some(open) = key.iter().position(|&b| b == b'{') else {
        return key;
    };
    match key[open + 1..].iter().position(|&b| b == b'}') {
        Some(0) | None => key,
        Some(len) => &key[open + 1..open + 1 + len],
    }
}

/// The cluster hash slot of `key`, in `0..16384`.
pub(crate) fn key_slot(key: &[u8]) -> u16 {
    crc16(hash_tag(key)) & (SLOTS - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc16_matches_the_xmodem_check_value() {
        // The CRC catalogue's check value for CRC-16/XMODEM, and Redis's crc16.c test.
        assert_eq!(crc16(b"123456789"), 0x31c3);
        assert_eq!(crc16(b""), 0);
    }

    #[test]
    fn hash_tags_pick_the_first_nonempty_braces() {
        assert_eq!(hash_tag(b"{user1000}.following"), b"user1000");
        assert_eq!(hash_tag(b"foo{}{bar}"), b"foo{}{bar}");
        assert_eq!(hash_tag(b"foo{{bar}}zap"), b"{bar");
        assert_eq!(hash_tag(b"foo{bar}{zap}"), b"bar");
        assert_eq!(hash_tag(b"no-open}"), b"no-open}");
        assert_eq!(hash_tag(b"open{only"), b"open{only");
    }

    #[test]
    fn slots_match_redis_cluster_keyslot() {
        // Values CLUSTER KEYSLOT gives on Redis 7.0.
        assert_eq!(key_slot(b"foo"), 12182);
        assert_eq!(key_slot(b"{user1000}.following"), 3443);
        assert_eq!(key_slot(b"{}a"), 10875);
        assert_eq!(key_slot(b"a{}b{c}"), 7353);
        assert_eq!(key_slot(b"{user1000}.followers"), key_slot(b"user1000"));
    }
}
