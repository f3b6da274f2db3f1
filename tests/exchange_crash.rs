//! Crash test: a child process sends 10,000 envelopes through the durable SQLite
//! store and delivers them; the parent kills it with SIGKILL at pseudo-random points (fixed seed)
//! several times, restarts it each time, and finally checks that every envelope reached every
//! recipient's inbox exactly once, every hop was traced exactly once, and every recipient
//! answered 01 exactly once.
//!
//! The child is this test binary re-executed with `CHILD_ENV` set, running only `crash_child`.
//! The parent picks each kill point as a progress threshold (documents stored, then envelopes
//! filed), waits until the child passes it, then waits a further 0–20 ms before the kill, so
//! kills land in the sending phase, in the delivery phase, and inside transactions.
//! Unix only (SIGKILL).

// Test code: a panic is the failure report. Cargo.toml's [lints] denies unwrap and expect
// for the library; they are allowed here, as in the other test crates.
// Its `as` conversions are on sizes and counts it makes itself, not on untrusted input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::as_conversions)]
#![cfg(unix)]

#[path = "common/tmp.rs"]
mod tmp;

use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use vnedoc::exchange::engine::{DEFAULT_BATCH, Engine, ManualClock, Outgoing};
use vnedoc::exchange::routing::{Recipient, Router};
use vnedoc::exchange::status::{ProcessingStatus, TransportAck};
use vnedoc::exchange::store::{DocKey, SqliteStore, Store};
use vnedoc::exchange::{AgencyId, Directory, Level, Sample};

const CHILD_ENV: &str = "VNEDOC_CRASH_CHILD_DB";
const ENVELOPES: u32 = 10_000;
/// Envelopes per send transaction in the child.
const SEND_CHUNK: usize = 500;
const SEED: u64 = 0x5EED_2025_0004;
/// Kills before the final, uninterrupted run: while sending, then while delivering.
const SENDING_KILLS: usize = 2;
const DELIVERING_KILLS: usize = 3;
const T0: vnedoc::time::Timestamp = vnedoc::time::Timestamp::constant(1_710_464_400, 0);

/// SplitMix64: a fixed, dependency-free generator so the workload and the kill points are the
/// same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(n).unwrap()).unwrap()
    }
}

/// The 10,000 envelopes: senders and 1–3 recipients drawn from the 2025 directory, weighted
/// towards communes and provinces as real traffic is; same every run.
fn workload(dir: &Directory) -> Vec<Outgoing> {
    let pick_pool =
        |level: &Level| -> Vec<AgencyId> { dir.with_level(level).map(|a| a.id.clone()).collect() };
    let communes = pick_pool(&Level::COMMUNE);
    let provinces = pick_pool(&Level::PROVINCE);
    let central = pick_pool(&Level::CENTRAL);
    let mut rng = Rng(SEED);
    let pick = |rng: &mut Rng| -> AgencyId {
        let pool = match rng.below(10) {
            0..=5 => &communes,
            6..=8 => &provinces,
            _ => &central,
        };
        pool[rng.below(pool.len())].clone()
    };
    (0..ENVELOPES)
        .map(|n| {
            let sender = pick(&mut rng);
            let count = 1 + rng.below(3);
            let mut to: Vec<AgencyId> = Vec::new();
            while to.len() < count {
                let r = pick(&mut rng);
                if r != sender && !to.contains(&r) {
                    to.push(r);
                }
            }
            let doc_id = format!("{sender},2024/03/15,{n}/CRASH");
            let env = format!("<edXML:edXML><!-- {doc_id} --></edXML:edXML>").into_bytes();
            Outgoing::new(sender, to, doc_id, env)
        })
        .collect()
}

/// A document and, per recipient, the nodes of its route.
type Expected = (DocKey, Vec<(AgencyId, Vec<String>)>);

fn directory() -> Arc<Directory> {
    Arc::new(Directory::sample(Sample::Y2025).unwrap())
}

/// The child: send in chunks, delivering one round after each chunk, then deliver everything.
/// Every step is idempotent, so a restarted child simply runs again from the top.
#[test]
fn crash_child() {
    let Ok(db) = std::env::var(CHILD_ENV) else {
        return; // not the child: nothing to do in a normal run
    };
    let dir = directory();
    let work = workload(&dir);
    let store = SqliteStore::open(Path::new(&db)).unwrap();
    let mut e = Engine::new(dir, store).with_clock(Arc::new(ManualClock::new(T0)));
    for chunk in work.chunks(SEND_CHUNK) {
        e.send_batch(chunk).unwrap();
        e.deliver(DEFAULT_BATCH).unwrap();
    }
    e.deliver_all(DEFAULT_BATCH).unwrap();
    println!("CHILD-DONE");
}

fn spawn_child(db: &Path, capture: bool) -> std::process::Child {
    let out = if capture {
        Stdio::piped()
    } else {
        Stdio::null()
    };
    Command::new(std::env::current_exe().unwrap())
        .args(["crash_child", "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, db)
        .stdout(out)
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// (documents stored, envelopes filed in inboxes). The parent reads through its own read-only connection while the child writes (WAL allows
/// it); before the child has created the file there is no progress.
fn progress(db: &Path) -> (u64, u64) {
    match SqliteStore::open_read_only(db).and_then(|s| s.counts()) {
        Ok(c) => (c.documents, c.inbox),
        Err(_) => (0, 0),
    }
}

#[test]
fn sigkill_during_send_and_delivery() {
    let started = Instant::now();
    let dir = directory();
    let work = workload(&dir);
    // Expected routes, computed independently of the engine.
    let router = Router::new(&dir);
    let expected: Vec<Expected> = work
        .iter()
        .map(|o| {
            let agencies: Vec<AgencyId> = o
                .recipients
                .iter()
                .map(|r| match r {
                    Recipient::Agency(a) => a.clone(),
                    Recipient::Group(_) => unreachable!(),
                })
                .collect();
            let routes = agencies
                .iter()
                .map(|a| {
                    let route = router.route(&o.sender, a).unwrap();
                    (a.clone(), route.hops.into_iter().map(|h| h.node).collect())
                })
                .collect();
            (DocKey::new(o.sender.clone(), o.document_id.clone()), routes)
        })
        .collect();
    let deliveries: usize = expected.iter().map(|(_, r)| r.len()).sum();
    let hops: usize = expected
        .iter()
        .flat_map(|(_, r)| r.iter().map(|(_, h)| h.len()))
        .sum();

    let dir = tmp::TempDir::new("exchange-crash");
    let db = dir.join("store.sqlite");

    // Kill points: two while sending (by documents stored), three while delivering (by envelopes
    // filed once every document is stored), each followed by a small random delay.
    let mut rng = Rng(SEED ^ 0xC0FFEE);
    let docs = u64::from(ENVELOPES);
    let filed = u64::try_from(deliveries).unwrap();
    let mut sending: Vec<u64> = (0..SENDING_KILLS)
        .map(|_| docs / 10 + rng.next() % (docs * 8 / 10))
        .collect();
    sending.sort_unstable();
    let mut delivering: Vec<u64> = (0..DELIVERING_KILLS)
        .map(|_| filed / 2 + rng.next() % (filed * 9 / 20))
        .collect();
    delivering.sort_unstable();
    let points = sending
        .into_iter()
        .map(|t| (t, 0))
        .chain(delivering.into_iter().map(|t| (docs, t)));
    let mut killed_at = Vec::new();
    for (min_docs, min_filed) in points {
        let mut child = spawn_child(&db, false);
        loop {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            let (d, f) = progress(&db);
            if d >= min_docs && f >= min_filed {
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        std::thread::sleep(Duration::from_millis(rng.next() % 20));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL on Unix
            let status = child.wait().unwrap();
            assert_eq!(status.signal(), Some(9), "{status:?}");
            killed_at.push(progress(&db));
        } else {
            child.wait().unwrap();
        }
    }
    assert!(
        killed_at.len() >= 4,
        "the child finished before most kill points: {killed_at:?}"
    );
    // Kills landed both while sending and while delivering.
    assert!(killed_at.iter().any(|&(d, _)| d < docs), "{killed_at:?}");
    assert!(
        killed_at.iter().any(|&(d, f)| d == docs && f < filed),
        "{killed_at:?}"
    );

    // Final run, uninterrupted.
    let child = spawn_child(&db, true);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("CHILD-DONE"));

    // Everything arrived exactly once, every hop traced once, one 01 per recipient.
    let store = SqliteStore::open(&db).unwrap();
    let c = store.counts().unwrap();
    let n = |x: usize| u64::try_from(x).unwrap();
    assert_eq!(c.documents, n(work.len()));
    assert_eq!(c.deliveries, n(deliveries));
    assert_eq!(c.in_transit, 0);
    assert_eq!(
        c.inbox,
        n(deliveries),
        "inbox rows: one per (document, recipient)"
    );
    assert_eq!(c.traces, n(hops), "one trace per hop, none replayed");
    assert_eq!(c.statuses, n(deliveries), "one 01 per recipient");
    for (out, (key, routes)) in work.iter().zip(&expected) {
        let doc = store.document(key).unwrap().expect("document stored");
        assert_eq!(doc.envelope, out.envelope);
        let recipients: Vec<&AgencyId> = routes.iter().map(|(a, _)| a).collect();
        assert_eq!(doc.recipients.iter().collect::<Vec<_>>(), recipients);
        for (recipient, nodes) in routes {
            assert!(store.inbox_entry(recipient, key).unwrap().is_some());
            let traces = store.traces(key, recipient).unwrap();
            let traced: Vec<&str> = traces.iter().map(|t| t.node.as_str()).collect();
            assert_eq!(traced, *nodes);
            assert!(traces.iter().all(|t| t.ack == TransportAck::Done));
            let d = store.delivery(key, recipient).unwrap().unwrap();
            assert_eq!(d.state.last, Some(ProcessingStatus::Arrived));
            assert_eq!(usize::try_from(d.next_hop).unwrap(), nodes.len());
        }
        let statuses = store.statuses(key).unwrap();
        assert_eq!(statuses.len(), routes.len());
        assert!(
            statuses
                .iter()
                .all(|s| s.status == ProcessingStatus::Arrived)
        );
    }
    let _ = std::fs::remove_file(&db);
    eprintln!(
        "crash test: {} envelopes, {deliveries} deliveries, {hops} hops, killed at \
         (documents, filed) {killed_at:?}, {:.1}s",
        work.len(),
        started.elapsed().as_secs_f64()
    );
}
