//! A minimal RESP2 client over a std `TcpStream`; replies parse into `redlite::Reply`.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use redlite::Reply;

pub struct RespConn {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl RespConn {
    pub fn connect(port: u16) -> io::Result<RespConn> {
        let stream = TcpStream::connect(("127.0.0.1", port))?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        Ok(RespConn {
            reader: BufReader::new(stream.try_clone()?),
            writer: stream,
        })
    }

    /// Sends one command as a RESP array and reads its reply.
    pub fn call<A: AsRef<[u8]>>(&mut self, args: &[A]) -> Reply {
        self.send(args);
        self.read()
    }

    /// Sends one command without reading its reply (a blocking command, a subscription).
    pub fn send<A: AsRef<[u8]>>(&mut self, args: &[A]) {
        let mut out = format!("*{}\r\n", args.len()).into_bytes();
        for a in args {
            let a = a.as_ref();
            out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
            out.extend_from_slice(a);
            out.extend_from_slice(b"\r\n");
        }
        self.writer.write_all(&out).expect("write to redis-server");
    }

    /// Reads the next reply or pushed frame.
    pub fn read(&mut self) -> Reply {
        self.read_reply().expect("read from redis-server")
    }

    fn line(&mut self) -> io::Result<String> {
        let mut buf = Vec::new();
        self.reader.read_until(b'\n', &mut buf)?;
        if !buf.ends_with(b"\r\n") {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "short line"));
        }
        buf.truncate(buf.len() - 2);
        Ok(String::from_utf8_lossy(&buf).into_owned())
    }

    fn read_reply(&mut self) -> io::Result<Reply> {
        let line = self.line()?;
        let (kind, rest) = line.split_at(1.min(line.len()));
        let num = || -> io::Result<i64> {
            rest.parse()
                .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, line.clone()))
        };
        Ok(match kind {
            "+" => Reply::status(rest.to_string()),
            "-" => Reply::error(rest.to_string()),
            ":" => Reply::Integer(num()?),
            "$" => match num()? {
                n if n < 0 => Reply::Nil,
                n => {
                    let mut buf = vec![0; n as usize + 2];
                    self.reader.read_exact(&mut buf)?;
                    buf.truncate(n as usize);
                    Reply::Bulk(buf)
                }
            },
            "*" => match num()? {
                // The null array (`*-1`): EXEC aborted, LPOP with a count on a missing key.
                n if n < 0 => Reply::NilArray,
                n => {
                    let items = (0..n).map(|_| self.read_reply());
                    Reply::Array(items.collect::<io::Result<_>>()?)
                }
            },
            _ => return Err(io::Error::new(io::ErrorKind::InvalidData, line)),
        })
    }
}
