//! A throwaway `redis-server` on a free loopback port, for side-by-side figures.
//! Persistence is off (`--save "" --appendonly no`); the process is killed on drop.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

pub struct RedisServer {
    child: Child,
    pub url: String,
}

impl RedisServer {
    /// Starts a server and waits until it answers PING. `None` (with a message on stderr)
    /// when `redis-server` is not installed or does not come up.
    pub fn start() -> Option<RedisServer> {
        RedisServer::start_with(&[])
    }

    /// [`start`](Self::start) with more options (later ones win, e.g. `--appendonly yes`).
    pub fn start_with(extra: &[&str]) -> Option<RedisServer> {
        let port = free_port()?;
        let spawned = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let child = match spawned {
            Ok(child) => child,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                eprintln!("skipped: redis-server not installed");
                return None;
            }
            Err(e) => {
                eprintln!("skipped: redis-server did not start: {e}");
                return None;
            }
        };
        let server = RedisServer {
            child,
            url: format!("redis://127.0.0.1:{port}"),
        };
        server.wait_ready().then_some(server)
    }

    /// A new synchronous connection to the server.
    pub fn connect(&self) -> redis::Connection {
        redis::Client::open(self.url.as_str())
            .and_then(|c| c.get_connection())
            .expect("connect to redis-server")
    }

    fn wait_ready(&self) -> bool {
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            let ping = redis::Client::open(self.url.as_str())
                .and_then(|c| c.get_connection())
                .and_then(|mut c| redis::cmd("PING").query::<String>(&mut c));
            if ping.is_ok() {
                return true;
            }
            thread::sleep(Duration::from_millis(20));
        }
        eprintln!("skipped: redis-server did not answer PING within 5 s");
        false
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Asks the OS for a free port. Another process could take it before redis-server binds
/// it; `wait_ready` then fails and the caller skips, which is acceptable for a bench.
fn free_port() -> Option<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").ok()?;
    listener.local_addr().ok().map(|a| a.port())
}
