//! CRC-64/Jones (RDB files and DUMP payloads), bit by bit: independent of redlite's
//! table-driven one, so tests that forge a right checksum do not trust the code under test.

pub fn crc64_jones(data: &[u8]) -> u64 {
    let mut crc = 0u64;
    for &b in data {
        crc ^= u64::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0x95ac_9329_ac4b_c9b5
            } else {
                crc >> 1
            };
        }
    }
    crc
}
