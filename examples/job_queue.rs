//! A job queue on redlite: producers push jobs, workers block in BRPOPLPUSH until one
//! arrives (no polling: an idle worker sleeps until the push hands it a job), move it to
//! their own processing list while they work (a crashed worker's jobs stay visible there),
//! and publish each result on a pub/sub channel a collector listens to.
//!
//! `cargo run --example job_queue`

use std::thread;
use std::time::Duration;

use redlite::{Error, Store};

const PRODUCERS: usize = 3;
const JOBS_PER_PRODUCER: usize = 1_000;
const WORKERS: usize = 4;

fn worker(store: &Store, id: usize) -> Result<usize, Error> {
    let processing = format!("processing:{id}");
    let mut done = 0;
    loop {
        // Waits for a job, forever (Duration::ZERO, as Redis's timeout 0).
        let job: String = store.brpoplpush("jobs", &processing, Duration::ZERO)?;
        if job == "stop" {
            lrem_one(store, &processing, &job)?;
            return Ok(done);
        }
        let n: u64 = job
            .rsplit(':')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        store.publish("results", format!("{job} -> {}", n * n))?;
        // Done: the job leaves the processing list.
        lrem_one(store, &processing, &job)?;
        done += 1;
    }
}

/// LREM of one occurrence (any command runs through `execute`).
fn lrem_one(store: &Store, key: &str, value: &str) -> Result<(), Error> {
    match store.execute(["LREM", key, "1", value]) {
        redlite::Reply::Error(e) => Err(Error::Reply(e.into_owned())),
        _ => Ok(()),
    }
}

fn main() -> Result<(), Error> {
    let store = Store::new();
    let mut results = store.subscribe(&["results"]);

    let workers: Vec<_> = (0..WORKERS)
        .map(|id| {
            let store = store.clone();
            thread::spawn(move || worker(&store, id))
        })
        .collect();
    let producers: Vec<_> = (0..PRODUCERS)
        .map(|p| {
            let store = store.clone();
            thread::spawn(move || -> Result<(), Error> {
                for i in 0..JOBS_PER_PRODUCER {
                    store.lpush("jobs", &[format!("job:{p}:{i}")])?;
                }
                Ok(())
            })
        })
        .collect();

    let total = PRODUCERS * JOBS_PER_PRODUCER;
    let mut received = 0;
    for msg in &mut results {
        let msg = msg?;
        received += 1;
        if received <= 3 {
            println!("result: {}", msg.payload_str().unwrap_or("?"));
        }
        if received == total {
            break;
        }
    }
    for p in producers {
        p.join().expect("producer panicked")?;
    }
    for _ in 0..WORKERS {
        store.lpush("jobs", &["stop"])?;
    }
    let mut per_worker = Vec::new();
    for w in workers {
        per_worker.push(w.join().expect("worker panicked")?);
    }
    println!("{received} results from {WORKERS} workers, jobs per worker: {per_worker:?}");
    assert_eq!(per_worker.iter().sum::<usize>(), total);
    assert_eq!(store.llen("jobs")?, 0);
    Ok(())
}
