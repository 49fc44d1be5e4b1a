//! The multi-part AOF manifest, in Redis 7.0's format (`aof.c`): one line per file,
//! `file <name> seq <n> type <b|h|i>`, the base first, then history, then the incremental
//! files in rising sequence. Lines starting with `#` are comments.

/// What a file in `appendonlydir/` is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// The base: a full image (RDB preamble or RESP commands).
    Base,
    /// An old file a finished rewrite made obsolete, not loaded (deleted once recorded).
    History,
    /// An incremental file: the commands written after its base.
    Incr,
}

impl Kind {
    fn letter(self) -> char {
        match self {
            Kind::Base => 'b',
            Kind::History => 'h',
            Kind::Incr => 'i',
        }
    }
}

/// One line of the manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FileInfo {
    pub(crate) name: String,
    pub(crate) seq: u64,
    pub(crate) kind: Kind,
}

/// The manifest: which files make up the log, in load order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Manifest {
    pub(crate) base: Option<FileInfo>,
    pub(crate) history: Vec<FileInfo>,
    pub(crate) incr: Vec<FileInfo>,
}

/// The manifest's file name (Redis's `appendfilename` plus `.manifest`).
pub(crate) const NAME: &str = "appendonly.aof.manifest";
/// Redis's default `appendfilename`, the stem of every file name.
pub(crate) const STEM: &str = "appendonly.aof";

/// The base file name for `seq`: `.rdb` with an RDB preamble, `.aof` with RESP commands.
pub(crate) fn base_name(seq: u64, rdb: bool) -> String {
    let ext = if rdb { "rdb" } else { "aof" };
    format!("{STEM}.{seq}.base.{ext}")
}

/// The incremental file name for `seq`.
pub(crate) fn incr_name(seq: u64) -> String {
    format!("{STEM}.{seq}.incr.aof")
}

impl Manifest {
    /// The text Redis writes (`getAofManifestAsString`).
    pub(crate) fn format(&self) -> String {
        use std::fmt::Write;
        let lines = self.base.iter().chain(&self.history).chain(&self.incr);
        lines.fold(String::new(), |mut out, f| {
            // Writing to a String cannot fail.
            let _ = writeln!(
                out,
                "file {} seq {} type {}",
                f.name,
                f.seq,
                f.kind.letter()
            );
            out
        })
    }

    /// Parses a manifest, with Redis's checks and its error texts (`aofLoadManifestFromFile`);
    /// the error carries the byte offset of the offending line.
    pub(crate) fn parse(text: &[u8]) -> Result<Manifest, (u64, &'static str)> {
        let mut m = Manifest::default();
        if text.is_empty() {
            return Err((0, "Found an empty AOF manifest"));
        }
        let mut offset = 0u64;
        for raw in text.split_inclusive(|&b| b == b'\n') {
            let at = offset;
            offset += raw.len() as u64;
            if raw.first() == Some(&b'#') {
                continue;
            }
            if raw.last() != Some(&b'\n') || raw.len() > 1024 {
                return Err((at, "The AOF manifest file contains too long line"));
            }
            let info = parse_line(raw).map_err(|e| (at, e))?;
            m.add(info).map_err(|e| (at, e))?;
        }
        Ok(m)
    }

    fn add(&mut self, info: FileInfo) -> Result<(), &'static str> {
        match info.kind {
            Kind::Base if self.base.is_some() => {
                return Err("Found duplicate base file information");
            }
            Kind::Base => self.base = Some(info),
            Kind::History => self.history.push(info),
            Kind::Incr => {
                if self.incr.last().is_some_and(|l| info.seq <= l.seq) {
                    return Err("Found a non-monotonic sequence number");
                }
                self.incr.push(info);
            }
        }
        Ok(())
    }

    /// The sequence number the next base file gets.
    pub(crate) fn next_base_seq(&self) -> u64 {
        self.base.as_ref().map_or(1, |b| b.seq + 1)
    }

    /// The sequence number the next incremental file gets.
    pub(crate) fn next_incr_seq(&self) -> u64 {
        self.incr.last().map_or(1, |i| i.seq + 1)
    }
}

fn parse_line(raw: &[u8]) -> Result<FileInfo, &'static str> {
    const FORMAT: &str = "Invalid AOF manifest file format";
    let line = std::str::from_utf8(raw).map_err(|_| FORMAT)?.trim();
    let words: Vec<&str> = line.split_ascii_whitespace().collect();
    if words.len() < 6 || words.len() % 2 == 1 {
        return Err(FORMAT);
    }
    let (mut name, mut seq, mut kind) = (None, 0u64, None);
    for pair in words.chunks_exact(2) {
        match pair[0].to_ascii_lowercase().as_str() {
            "file" => name = Some(pair[1]),
            // atoll: a malformed number reads as 0, which the check below refuses.
            "seq" => seq = pair[1].parse().unwrap_or(0),
            "type" => kind = pair[1].chars().next(),
            _ => {} // unknown keys: Redis's forward compatibility
        }
    }
    let (Some(name), Some(kind)) = (name, kind) else {
        return Err(FORMAT);
    };
    if seq == 0 {
        return Err(FORMAT);
    }
    if name.contains('/') || name == "." || name == ".." {
        return Err("File can't be a path, just a filename");
    }
    let kind = match kind {
        'b' => Kind::Base,
        'h' => Kind::History,
        'i' => Kind::Incr,
        _ => return Err("Unknown AOF file type"),
    };
    Ok(FileInfo {
        name: name.to_owned(),
        seq,
        kind,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const REDIS_WROTE: &str = "file appendonly.aof.1.base.rdb seq 1 type b\n\
                               file appendonly.aof.1.incr.aof seq 1 type i\n";

    #[test]
    fn reads_and_writes_redis_seven_manifests() {
        let m = Manifest::parse(REDIS_WROTE.as_bytes()).unwrap_or_default();
        assert_eq!(
            m.base.as_ref().map(|b| b.name.as_str()),
            Some("appendonly.aof.1.base.rdb")
        );
        assert_eq!(m.incr.len(), 1);
        assert_eq!(m.format(), REDIS_WROTE);
        assert_eq!((m.next_base_seq(), m.next_incr_seq()), (2, 2));
    }

    #[test]
    fn refuses_what_redis_refuses() {
        let cases: [(&str, &str); 5] = [
            ("", "Found an empty AOF manifest"),
            ("file a seq 1\n", "Invalid AOF manifest file format"),
            ("file a seq 1 type x\n", "Unknown AOF file type"),
            (
                "file ../a seq 1 type i\n",
                "File can't be a path, just a filename",
            ),
            (
                "file a seq 2 type i\nfile b seq 1 type i\n",
                "Found a non-monotonic sequence number",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(
                Manifest::parse(text.as_bytes()).err().map(|e| e.1),
                Some(want),
                "{text:?}"
            );
        }
    }

    #[test]
    fn an_error_names_the_offset_of_its_line() {
        let text = "file a seq 1 type b\nfile b seq 1 type b\n";
        assert_eq!(
            Manifest::parse(text.as_bytes()).err().map(|e| e.0),
            Some(20)
        );
    }
}
