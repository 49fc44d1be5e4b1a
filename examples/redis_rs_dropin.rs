//! Code written only against the `redis` crate (redis-rs), run on redlite unchanged.
//!
//! `app` below knows nothing of redlite: it takes any `redis::ConnectionLike`. `main` hands
//! it a `RedisConnection` to an in-process store; given a URL it hands it a connection to a
//! real server instead, and the output is the same:
//!
//! ```sh
//! cargo run --features redis --example redis_rs_dropin
//! cargo run --features redis --example redis_rs_dropin -- redis://127.0.0.1:6379/
//! ```

use redis::{Commands, ConnectionLike, RedisResult};

/// A fixed-window rate limiter: at most `limit` hits per `window_secs` for one user.
fn allow<C: ConnectionLike>(
    con: &mut C,
    user: &str,
    limit: i64,
    window_secs: i64,
) -> RedisResult<bool> {
    let key = format!("rate:{{{user}}}");
    let (hits,): (i64,) = redis::pipe()
        .atomic()
        .incr(&key, 1)
        .expire(&key, window_secs)
        .ignore()
        .query(con)?;
    Ok(hits <= limit)
}

/// Moves `amount` between two balances only if the payer has it: WATCH + MULTI/EXEC with
/// retry, the optimistic pattern, through `redis::transaction`.
fn transfer<C: ConnectionLike>(
    con: &mut C,
    from: &str,
    to: &str,
    amount: i64,
) -> RedisResult<bool> {
    redis::transaction(con, &[from, to], |con, pipe| {
        let balance: i64 = con.get::<_, Option<i64>>(from)?.unwrap_or(0);
        if balance < amount {
            return Ok(Some(false));
        }
        pipe.decr(from, amount)
            .ignore()
            .incr(to, amount)
            .ignore()
            .query::<()>(con)
            .map(|()| Some(true))
    })
}

/// The top `n` players of a leaderboard, best first.
fn top<C: ConnectionLike>(con: &mut C, board: &str, n: isize) -> RedisResult<Vec<(String, f64)>> {
    con.zrevrange_withscores(board, 0, n - 1)
}

/// Everything the program does, against whichever connection it is given. Only the body
/// of the script depends on where it runs: Rhai on redlite, Lua on a server.
fn app<C: ConnectionLike>(con: &mut C, bump_body: &str) -> RedisResult<()> {
    let () = redis::cmd("FLUSHALL").query(con)?;
    let allowed: Vec<bool> = (0..5)
        .map(|_| allow(con, "ann", 3, 60))
        .collect::<RedisResult<_>>()?;
    println!("rate limit, 5 hits with a limit of 3: {allowed:?}");

    let () = con.mset(&[("{acct}:ann", 100), ("{acct}:bob", 20)])?;
    println!(
        "transfer 70 ann -> bob: {}",
        transfer(con, "{acct}:ann", "{acct}:bob", 70)?
    );
    println!(
        "transfer 70 ann -> bob again: {}",
        transfer(con, "{acct}:ann", "{acct}:bob", 70)?
    );
    let balances: Vec<i64> = con.mget(&["{acct}:ann", "{acct}:bob"])?;
    println!("balances: {balances:?}");

    for (player, score) in [("ann", 31.0), ("bob", 45.5), ("cid", 12.0), ("dee", 40.0)] {
        let _: i64 = con.zadd("board", player, score)?;
    }
    println!("top 3: {:?}", top(con, "board", 3)?);

    // `invoke` sends EVALSHA and falls back to loading the script on NOSCRIPT, on both.
    let bump = redis::Script::new(bump_body);
    let visits: i64 = bump.key("visits").arg(5).invoke(con)?;
    let visits_again: i64 = bump.key("visits").arg(5).invoke(con)?;
    println!("script: {visits}, then {visits_again}");
    Ok(())
}

const BUMP_RHAI: &str = r#"redis::call("INCRBY", KEYS[0], ARGV[0])"#;
const BUMP_LUA: &str = "return redis.call('INCRBY', KEYS[1], ARGV[1])";

fn main() -> RedisResult<()> {
    if let Some(url) = std::env::args().nth(1) {
        let mut con = redis::Client::open(url)?.get_connection()?;
        app(&mut con, BUMP_LUA)
    } else {
        let store = redlite::Store::new();
        let mut con = store.redis_connection();
        // With the `lua` feature, the very Lua script the server runs works here too.
        let body = if cfg!(feature = "lua") {
            BUMP_LUA
        } else {
            BUMP_RHAI
        };
        app(&mut con, body)
    }
}
