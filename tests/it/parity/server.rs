//! A throwaway `redis-server` child on a free loopback port, killed on drop.

use std::io::ErrorKind;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::resp::RespConn;
use redlite::Reply;

pub struct RedisServer {
    child: Child,
    pub port: u16,
}

/// Why no server could be started.
pub enum StartError {
    /// `redis-server` is not installed (not on PATH).
    Missing,
    /// It is installed but did not come up.
    Failed(String),
}

impl RedisServer {
    /// Starts `redis-server` without persistence and waits until it answers PING.
    pub fn start() -> Result<RedisServer, StartError> {
        RedisServer::start_with(&[])
    }

    /// [`start`](Self::start) with more command-line options (e.g. cluster mode).
    pub fn start_with(extra: &[&str]) -> Result<RedisServer, StartError> {
        let port = free_port().map_err(|e| StartError::Failed(format!("no free port: {e}")))?;
        // REDLITE_REDIS_SERVER picks another binary (or a missing one, to see the skip).
        let bin = std::env::var("REDLITE_REDIS_SERVER").unwrap_or_else(|_| "redis-server".into());
        let child = Command::new(bin)
            .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
            .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
            .args(extra)
            .env("LC_ALL", "C") // SORT ALPHA uses strcoll: keep it byte order
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| match e.kind() {
                ErrorKind::NotFound => StartError::Missing,
                _ => StartError::Failed(format!("spawn redis-server: {e}")),
            })?;
        let mut server = RedisServer { child, port };
        server.wait_ready()?;
        Ok(server)
    }

    pub fn connect(&self) -> RespConn {
        RespConn::connect(self.port).expect("connect to redis-server")
    }

    fn wait_ready(&mut self) -> Result<(), StartError> {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(StartError::Failed(format!("redis-server exited: {status}")));
            }
            if let Ok(mut c) = RespConn::connect(self.port) {
                if c.call(&["PING"]) == Reply::status("PONG") {
                    return Ok(());
                }
            }
            // Polling a child process's start-up, not a test of timing.
            std::thread::sleep(Duration::from_millis(20));
        }
        Err(StartError::Failed(
            "redis-server did not answer PING in 10 s".into(),
        ))
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A server, or `None` after saying why the test `what` is skipped; with
/// `REDLITE_REQUIRE_REDIS=1` (CI) a missing or failing server fails the test instead.
pub fn start_or_skip(extra: &[&str], what: &str) -> Option<RedisServer> {
    let required = std::env::var("REDLITE_REQUIRE_REDIS").is_ok_and(|v| v == "1");
    let why = match RedisServer::start_with(extra) {
        Ok(s) => return Some(s),
        Err(StartError::Missing) => "redis-server is not installed (not on PATH)".to_string(),
        Err(StartError::Failed(e)) => e,
    };
    assert!(!required, "REDLITE_REQUIRE_REDIS=1 but {why}");
    println!("SKIPPED {what}: {why}. Install redis-server to run it.");
    None
}

fn free_port() -> std::io::Result<u16> {
    let l = TcpListener::bind("127.0.0.1:0")?;
    Ok(l.local_addr()?.port())
}
