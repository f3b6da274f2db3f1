//! One day of national document traffic on the 2025 sample directory.
//!
//! ```text
//! cargo run --release --example simulate_day -- [--envelopes N] [--seed S] [--durable N]
//!     [--batch B] [--db PATH]
//! ```
//!
//! Envelopes are drawn from a fixed traffic mix with a seeded PRNG (splitmix64), so a seed
//! always gives the same day. Most envelopes carry one recipient (commune ↔ province,
//! province ↔ ministry); a few are broadcasts: a ministry to `@provinces` (34 recipients) or a
//! province to `@communes:<itself>` (38 to 168 recipients). The mix is printed with the drawn
//! counts.
//!
//! **In memory**: every envelope is planned with [`Router::plan`], which expands its groups and
//! builds every hop of every recipient's route. The time counted is planning plus dropping the
//! plans; drawing the envelopes and tallying the hubs are outside it. Reported: routes/s,
//! envelopes/s, total hops, hops per hub kind, the busiest provincial hubs, and peak memory
//! (`VmHWM` from `/proc/self/status`, with the value after loading the directory for
//! comparison).
//!
//! **Durable**: the first `--durable N` envelopes of the same day (same seed) go through the
//! exchange [`Engine`] over a [`SqliteStore`] file (WAL, `synchronous=NORMAL`), in batches of
//! `--batch B`: each batch is one `send_batch` transaction, then `deliver_all(B)` moves every
//! delivery hop by hop (one transaction per round of at most B hops, a TraceHeader per hop)
//! until each reaches its recipient's inbox with status 01. Each envelope is a real edXML
//! header (From, To with the expanded recipients, Subject, DocumentId), without attachments,
//! so no signature is checked. Reported: deliveries/s (inbox arrivals over send + delivery
//! time), hop transactions/s, the database size, and the counts read back from the store,
//! which must match. The database is a temporary file removed at the end unless `--db PATH`
//! names one (it must not exist yet).

// Example code: a panic is the failure report. Cargo.toml's [lints] denies unwrap and expect
// for the library; they are allowed here, as in the other test crates.
// Its `as` conversions are on sizes and counts it makes itself, not on untrusted input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::as_conversions)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use jiff::SignedDuration;
use vnedoc::exchange::edxml::{Envelope, Header, MessageHeader, Organization, to_xml};
use vnedoc::exchange::engine::{DEFAULT_BATCH, Engine, ManualClock, Outgoing, SendOutcome};
use vnedoc::exchange::store::{SqliteStore, Store};
use vnedoc::exchange::{
    AgencyId, Date, Directory, Group, HopKind, Level, Plan, Recipient, Router, Sample,
};
use vnedoc::time::Timestamp;

/// The day simulated: routing checks validity dates against it.
const DAY: (u16, u8, u8) = (2025, 7, 15);
/// 08:00 on that day in Vietnam (UTC+7): the durable phase's clock.
const DAY_START: Timestamp = Timestamp::constant(1_752_541_200, 0);
/// Envelopes drawn, then planned, at a time: bounds the memory held by plans.
const CHUNK: usize = 4_096;

// ---------------------------------------------------------------------------------------------
// Arguments

struct Args {
    envelopes: u64,
    seed: u64,
    durable: u64,
    batch: usize,
    db: Option<PathBuf>,
}

const USAGE: &str = "usage: simulate_day [--envelopes N] [--seed S] [--durable N] [--batch B] [--db PATH]\n\
    \x20 --envelopes N  envelopes routed in memory (default 1000000)\n\
    \x20 --seed S       PRNG seed (default 20250715)\n\
    \x20 --durable N    the first N envelopes again through the durable SQLite phase\n\
    \x20                (default: 100000 or --envelopes, whichever is smaller; 0 to skip)\n\
    \x20 --batch B      envelopes per send transaction and hops per delivery transaction\n\
    \x20                (default: the engine's DEFAULT_BATCH)\n\
    \x20 --db PATH      SQLite file to create and keep (default: a temporary file, removed)";

fn parse_args() -> Result<Args, String> {
    let mut durable = None;
    let mut args = Args {
        envelopes: 1_000_000,
        seed: 20_250_715,
        durable: 0,
        batch: DEFAULT_BATCH,
        db: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "-h" || flag == "--help" {
            println!("{USAGE}");
            std::process::exit(0);
        }
        if flag == "--db" {
            args.db = Some(it.next().ok_or("--db needs a value")?.into());
            continue;
        }
        if flag == "--batch" {
            let value = it.next().ok_or("--batch needs a value")?;
            args.batch = value
                .replace('_', "")
                .parse()
                .ok()
                .filter(|b| *b > 0)
                .ok_or_else(|| format!("--batch {value:?}: expected a positive integer"))?;
            continue;
        }
        let slot = match flag.as_str() {
            "--envelopes" => &mut args.envelopes,
            "--seed" => &mut args.seed,
            "--durable" => durable.insert(0),
            _ => return Err(format!("unknown argument {flag:?}\n{USAGE}")),
        };
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        *slot = value
            .replace('_', "")
            .parse()
            .map_err(|e| format!("{flag} {value:?}: {e}"))?;
    }
    // The durable phase replays the first envelopes of the same day, so it cannot hold more
    // than the day: `--envelopes 2000` alone runs 2,000 durable envelopes, not 100,000.
    args.durable = match durable {
        None => args.envelopes.min(100_000),
        Some(n) if n > args.envelopes => {
            return Err(format!(
                "--durable {n} is more than --envelopes {}: the durable phase replays the \
                 first envelopes of the day",
                args.envelopes
            ));
        }
        Some(n) => n,
    };
    Ok(args)
}

// ---------------------------------------------------------------------------------------------
// PRNG

/// splitmix64 (Steele, Lea and Flood): small, fast and fully determined by the seed.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`), by multiply-shift (bias below 2^-32 for these sizes).
    fn below(&mut self, n: usize) -> usize {
        let n = n as u64;
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as usize
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

// ---------------------------------------------------------------------------------------------
// Traffic mix

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Flow {
    CommuneToProvince,
    ProvinceToCommune,
    CommuneToCommune,
    ProvinceToMinistry,
    MinistryToProvince,
    ProvinceToProvince,
    MinistryToMinistry,
    MinistryToCommune,
    MinistryToAllProvinces,
    ProvinceToAllCommunes,
}

/// Flows with their weight per 10,000 envelopes.
const MIX: [(Flow, u32, &str); 10] = [
    (Flow::CommuneToProvince, 4_000, "commune -> its province"),
    (
        Flow::ProvinceToCommune,
        2_500,
        "province -> one of its communes",
    ),
    (
        Flow::CommuneToCommune,
        500,
        "commune -> commune, same province",
    ),
    (Flow::ProvinceToMinistry, 1_000, "province -> ministry"),
    (Flow::MinistryToProvince, 1_000, "ministry -> province"),
    (
        Flow::ProvinceToProvince,
        400,
        "province -> another province",
    ),
    (
        Flow::MinistryToMinistry,
        300,
        "ministry -> another ministry",
    ),
    (Flow::MinistryToCommune, 100, "ministry -> commune"),
    (
        Flow::MinistryToAllProvinces,
        50,
        "ministry -> @provinces (broadcast)",
    ),
    (
        Flow::ProvinceToAllCommunes,
        150,
        "province -> @communes:itself (broadcast)",
    ),
];
const MIX_TOTAL: u32 = 10_000;

/// The agencies envelopes are drawn from, by level.
struct Population<'d> {
    ministries: Vec<&'d AgencyId>,
    provinces: Vec<&'d AgencyId>,
    /// Each commune with the index of its province in `provinces`.
    communes: Vec<(&'d AgencyId, usize)>,
    /// Communes of each province, as indexes into `communes`.
    communes_of: Vec<Vec<usize>>,
}

impl<'d> Population<'d> {
    fn new(dir: &'d Directory) -> Population<'d> {
        let ministries: Vec<&AgencyId> = dir.with_level(&Level::CENTRAL).map(|a| &a.id).collect();
        let provinces: Vec<&AgencyId> = dir.with_level(&Level::PROVINCE).map(|a| &a.id).collect();
        let province_index: HashMap<&AgencyId, usize> =
            provinces.iter().enumerate().map(|(i, p)| (*p, i)).collect();
        let mut communes = Vec::new();
        let mut communes_of = vec![Vec::new(); provinces.len()];
        for a in dir.with_level(&Level::COMMUNE) {
            let Some(p) = a.parent.as_ref().and_then(|p| province_index.get(p)) else {
                continue;
            };
            communes_of[*p].push(communes.len());
            communes.push((&a.id, *p));
        }
        Population {
            ministries,
            provinces,
            communes,
            communes_of,
        }
    }

    fn draw_flow(rng: &mut SplitMix64) -> Flow {
        let mut x = rng.below(MIX_TOTAL as usize) as u32;
        for (flow, weight, _) in MIX {
            if x < weight {
                return flow;
            }
            x -= weight;
        }
        unreachable!("weights sum to MIX_TOTAL")
    }

    /// Another element of `items` than `not` (`items` has at least two elements).
    fn other<T: PartialEq + Copy>(rng: &mut SplitMix64, items: &[T], not: T) -> T {
        loop {
            let x = rng.pick(items);
            if x != not {
                return x;
            }
        }
    }

    /// One envelope: its flow, sender and recipients.
    fn draw(&self, rng: &mut SplitMix64) -> (Flow, AgencyId, Vec<Recipient>) {
        let flow = Self::draw_flow(rng);
        let one = |id: &AgencyId| vec![Recipient::Agency(id.clone())];
        let (from, to): (&AgencyId, Vec<Recipient>) = match flow {
            Flow::CommuneToProvince => {
                let (c, p) = rng.pick(&self.communes);
                (c, one(self.provinces[p]))
            }
            Flow::ProvinceToCommune => {
                let p = rng.below(self.provinces.len());
                let c = rng.pick(&self.communes_of[p]);
                (self.provinces[p], one(self.communes[c].0))
            }
            Flow::CommuneToCommune => {
                let ci = rng.below(self.communes.len());
                let (c, p) = self.communes[ci];
                let o = Self::other(rng, &self.communes_of[p], ci);
                (c, one(self.communes[o].0))
            }
            Flow::ProvinceToMinistry => {
                (rng.pick(&self.provinces), one(rng.pick(&self.ministries)))
            }
            Flow::MinistryToProvince => {
                (rng.pick(&self.ministries), one(rng.pick(&self.provinces)))
            }
            Flow::ProvinceToProvince => {
                let p = rng.pick(&self.provinces);
                (p, one(Self::other(rng, &self.provinces, p)))
            }
            Flow::MinistryToMinistry => {
                let m = rng.pick(&self.ministries);
                (m, one(Self::other(rng, &self.ministries, m)))
            }
            Flow::MinistryToCommune => {
                (rng.pick(&self.ministries), one(rng.pick(&self.communes).0))
            }
            Flow::MinistryToAllProvinces => (
                rng.pick(&self.ministries),
                vec![Recipient::Group(Group::AllProvinces)],
            ),
            Flow::ProvinceToAllCommunes => {
                let p = rng.pick(&self.provinces);
                (p, vec![Recipient::Group(Group::CommunesOf(p.clone()))])
            }
        };
        (flow, from.clone(), to)
    }
}

// ---------------------------------------------------------------------------------------------
// Memory

/// A `kB` field of `/proc/self/status` (`VmHWM`: peak resident set; `VmRSS`: current), in bytes.
fn proc_status_bytes(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status
        .lines()
        .find(|l| l.strip_prefix(field).is_some_and(|r| r.starts_with(':')))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

fn mib(bytes: Option<u64>) -> String {
    bytes.map_or_else(
        || "n/a".to_owned(),
        |b| format!("{:.1} MiB", b as f64 / (1024.0 * 1024.0)),
    )
}

fn per_sec(n: u64, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64().max(1e-9)
}

/// `1234567` as `1,234,567`.
fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

// ---------------------------------------------------------------------------------------------
// In-memory phase

#[derive(Default)]
struct Tally {
    envelopes: u64,
    routes: u64,
    hops: u64,
    by_kind: [u64; 3],
    axis_routes: u64,
    max_fanout: u64,
    errors: u64,
    per_flow: HashMap<&'static str, (u64, u64)>,
    hub_load: HashMap<String, u64>,
}

impl Tally {
    fn add(&mut self, flow: Flow, plan: &Plan) {
        let name = MIX.iter().find(|(f, _, _)| *f == flow).map_or("?", |m| m.2);
        let routes = plan.routes.len() as u64;
        let entry = self.per_flow.entry(name).or_default();
        entry.0 += 1;
        entry.1 += routes;
        self.envelopes += 1;
        self.routes += routes;
        self.max_fanout = self.max_fanout.max(routes);
        for r in &plan.routes {
            self.hops += r.hops.len() as u64;
            let mut crosses = false;
            for h in &r.hops {
                let k = match h.kind {
                    HopKind::Agency => 0,
                    HopKind::ProvincialHub => 1,
                    HopKind::NationalHub => 2,
                };
                self.by_kind[k] += 1;
                if h.kind != HopKind::Agency {
                    crosses |= h.kind == HopKind::NationalHub;
                    if let Some(n) = self.hub_load.get_mut(h.node.as_str()) {
                        *n += 1;
                    } else {
                        self.hub_load.insert(h.node.clone(), 1);
                    }
                }
            }
            self.axis_routes += u64::from(crosses);
        }
    }
}

fn memory_phase(dir: &Directory, pop: &Population<'_>, args: &Args) -> Tally {
    let router = Router::new(dir).on(Date::new(DAY.0, DAY.1, DAY.2).expect("valid day"));
    let mut rng = SplitMix64(args.seed);
    let mut tally = Tally::default();
    let mut routing = Duration::ZERO;
    let mut batch: Vec<(Flow, AgencyId, Vec<Recipient>)> = Vec::with_capacity(CHUNK);
    let mut plans: Vec<Option<Plan>> = Vec::with_capacity(CHUNK);
    let mut left = args.envelopes;
    let wall = Instant::now();
    while left > 0 {
        let n = left.min(CHUNK as u64);
        left -= n;
        batch.clear();
        batch.extend((0..n).map(|_| pop.draw(&mut rng)));

        let t = Instant::now();
        plans.extend(batch.iter().map(|(_, from, to)| router.plan(from, to).ok()));
        routing += t.elapsed();

        for ((flow, _, _), plan) in batch.iter().zip(&plans) {
            match plan {
                Some(p) => tally.add(*flow, p),
                None => tally.errors += 1,
            }
        }

        let t = Instant::now();
        plans.clear();
        routing += t.elapsed();
    }
    let wall = wall.elapsed();

    println!("\n== In memory: Router::plan on every envelope ==");
    println!("envelopes           {:>14}", thousands(tally.envelopes));
    println!(
        "routes (recipients) {:>14}   mean fan-out {:.2}, max {}",
        thousands(tally.routes),
        tally.routes as f64 / tally.envelopes.max(1) as f64,
        tally.max_fanout
    );
    println!(
        "hops                {:>14}   agency {}, provincial hub {}, national axis {}",
        thousands(tally.hops),
        thousands(tally.by_kind[0]),
        thousands(tally.by_kind[1]),
        thousands(tally.by_kind[2])
    );
    println!(
        "routes on the axis  {:>14}   ({:.1} %)",
        thousands(tally.axis_routes),
        100.0 * tally.axis_routes as f64 / tally.routes.max(1) as f64
    );
    println!("rejected envelopes  {:>14}", tally.errors);
    println!(
        "routing time        {:>11.3} s   (wall {:.3} s with drawing and tallying)",
        routing.as_secs_f64(),
        wall.as_secs_f64()
    );
    println!(
        "routes/s            {:>14}",
        thousands(per_sec(tally.routes, routing) as u64)
    );
    println!(
        "envelopes/s         {:>14}",
        thousands(per_sec(tally.envelopes, routing) as u64)
    );
    println!(
        "hops/s              {:>14}",
        thousands(per_sec(tally.hops, routing) as u64)
    );

    println!("\nper flow:");
    println!(
        "  {:<44} {:>10} {:>8} {:>12}",
        "flow", "envelopes", "share", "routes"
    );
    for (_, _, name) in MIX {
        let (e, r) = tally.per_flow.get(name).copied().unwrap_or_default();
        println!(
            "  {:<44} {:>10} {:>7.2}% {:>12}",
            name,
            thousands(e),
            100.0 * e as f64 / tally.envelopes.max(1) as f64,
            thousands(r)
        );
    }
    let mut hubs: Vec<(&String, &u64)> = tally.hub_load.iter().collect();
    hubs.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    println!("\nbusiest hubs (envelope passages):");
    for (hub, n) in hubs.iter().take(6) {
        println!("  {:<12} {:>12}", hub, thousands(**n));
    }
    tally
}

// ---------------------------------------------------------------------------------------------
// Durable phase

/// Removes the SQLite file and its WAL and shared-memory files when dropped.
struct TempDb(PathBuf);

impl Drop for TempDb {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut p = self.0.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
    }
}

fn file_size(path: &std::path::Path, suffix: &str) -> u64 {
    let mut p = path.to_path_buf().into_os_string();
    p.push(suffix);
    std::fs::metadata(p).map_or(0, |m| m.len())
}

/// The edXML bytes of one envelope: a header naming every recipient, no attachment.
fn envelope(from: &AgencyId, to: &[AgencyId], document_id: &str, n: u64) -> Vec<u8> {
    let mut header = MessageHeader::new(
        Organization::new(from.as_str()),
        to.iter().map(|t| Organization::new(t.as_str())).collect(),
    );
    header.subject = Some(format!(
        "Văn bản số {n} về việc triển khai nhiệm vụ trong ngày"
    ));
    header.document_id = Some(document_id.to_owned());
    to_xml(&Envelope::new(Header::edoc(header))).into_bytes()
}

fn durable_phase(
    dir: &Directory,
    pop: &Population<'_>,
    args: &Args,
) -> Result<(), Box<dyn std::error::Error>> {
    let (path, _cleanup) = match &args.db {
        Some(p) => {
            if p.exists() {
                return Err(format!("{} exists; --db must name a new file", p.display()).into());
            }
            (p.clone(), None)
        }
        None => {
            let p = std::env::temp_dir()
                .join(format!("vnedoc-simulate-day-{}.sqlite", std::process::id()));
            (p.clone(), Some(TempDb(p)))
        }
    };
    let day = Date::new(DAY.0, DAY.1, DAY.2).ok_or("bad day")?;
    let router = Router::new(dir).on(day);
    let clock = Arc::new(ManualClock::new(DAY_START));
    let store = SqliteStore::open(&path)?;
    let journal = store.journal_mode()?;
    let mut engine = Engine::new(Arc::new(dir.clone()), store)
        .with_clock(clock.clone())
        .routing_on(day);

    println!("\n== Durable: Engine over SQLite ==");
    println!(
        "database {} (journal {journal}, synchronous NORMAL){}",
        path.display(),
        if args.db.is_none() {
            ", removed at the end"
        } else {
            ""
        }
    );
    println!(
        "envelopes {} (the first ones of the same day), batch size {} (envelopes per send \
         transaction, hops per delivery transaction)",
        thousands(args.durable),
        args.batch
    );

    let mut rng = SplitMix64(args.seed);
    let (mut send_time, mut deliver_time) = (Duration::ZERO, Duration::ZERO);
    let (mut sent, mut queued, mut arrived, mut advanced, mut failed, mut stale) =
        (0u64, 0u64, 0u64, 0u64, 0u64, 0u64);
    let mut envelope_bytes = 0u64;
    let mut rounds = 0u64;
    let mut outs: Vec<Outgoing> = Vec::with_capacity(args.batch);
    while sent < args.durable {
        let n = (args.durable - sent).min(args.batch as u64);
        outs.clear();
        for i in 0..n {
            let number = sent + i + 1;
            let (_, from, to) = pop.draw(&mut rng);
            let expanded: Vec<AgencyId> = router
                .plan(&from, &to)?
                .routes
                .into_iter()
                .map(|r| r.to)
                .collect();
            let document_id = format!("{from},{:04}/{:02}/{:02},{number}/VB", DAY.0, DAY.1, DAY.2);
            let bytes = envelope(&from, &expanded, &document_id, number);
            envelope_bytes += bytes.len() as u64;
            let mut out = Outgoing::new(from, [], document_id, bytes);
            out.recipients = to;
            outs.push(out);
        }

        let t = Instant::now();
        let outcomes = engine.send_batch(&outs)?;
        send_time += t.elapsed();
        for o in outcomes {
            match o {
                SendOutcome::Queued { recipients } => queued += recipients.len() as u64,
                other => return Err(format!("unexpected send outcome {other:?}").into()),
            }
        }
        sent += n;

        let t = Instant::now();
        loop {
            let p = engine.deliver(args.batch)?;
            rounds += 1;
            arrived += p.arrived;
            advanced += p.advanced;
            failed += p.failed;
            stale += p.stale;
            if !p.moved() {
                break;
            }
        }
        deliver_time += t.elapsed();
        clock.advance(SignedDuration::from_secs(1));
    }
    let total = send_time + deliver_time;
    let counts = engine.store().counts()?;
    let db_bytes = file_size(&path, "") + file_size(&path, "-wal");

    println!(
        "envelopes sent      {:>14}   ({} bytes of edXML on average)",
        thousands(sent),
        envelope_bytes / sent.max(1)
    );
    println!("deliveries queued   {:>14}", thousands(queued));
    println!(
        "deliveries arrived  {:>14}   (inbox rows read back: {})",
        thousands(arrived),
        thousands(counts.inbox)
    );
    println!(
        "hop transactions    {:>14}   ({} forwarding hops + {} arrivals, in {} delivery rounds)",
        thousands(advanced + arrived),
        thousands(advanced),
        thousands(arrived),
        thousands(rounds)
    );
    println!("trace entries       {:>14}", thousands(counts.traces));
    println!("failed / stale hops {:>14}", format!("{failed} / {stale}"));
    println!(
        "send time           {:>11.3} s   ({} envelopes/s)",
        send_time.as_secs_f64(),
        thousands(per_sec(sent, send_time) as u64)
    );
    println!(
        "delivery time       {:>11.3} s   ({} hops/s)",
        deliver_time.as_secs_f64(),
        thousands(per_sec(advanced + arrived, deliver_time) as u64)
    );
    println!(
        "durable deliveries/s {:>13}   (arrivals over send + delivery time, batch size {})",
        thousands(per_sec(arrived, total) as u64),
        args.batch
    );
    println!("database size       {:>14}", mib(Some(db_bytes)));
    if arrived != queued || counts.inbox != queued || counts.in_transit != 0 {
        return Err(format!(
            "mismatch: queued {queued}, arrived {arrived}, inbox {}, in transit {}",
            counts.inbox, counts.in_transit
        )
        .into());
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let t = Instant::now();
    let dir = Directory::sample(Sample::Y2025).expect("2025 sample directory");
    let pop = Population::new(&dir);
    let load = t.elapsed();
    let hwm_loaded = proc_status_bytes("VmHWM");
    println!(
        "directory 2025: {} agencies ({} central, {} provinces, {} communes), loaded in {:.1} ms",
        dir.len(),
        pop.ministries.len(),
        pop.provinces.len(),
        pop.communes.len(),
        load.as_secs_f64() * 1e3
    );
    println!(
        "day {:04}-{:02}-{:02}, seed {}, {} envelopes; {} CPUs, load average {}",
        DAY.0,
        DAY.1,
        DAY.2,
        args.seed,
        thousands(args.envelopes),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        std::fs::read_to_string("/proc/loadavg")
            .ok()
            .and_then(|l| l.split_whitespace().next().map(str::to_owned))
            .unwrap_or_else(|| "n/a".to_owned())
    );
    println!("\ntraffic mix (splitmix64, weights per 10,000 envelopes):");
    for (_, w, name) in MIX {
        println!("  {:<44} {:>5}  ({:.2} %)", name, w, f64::from(w) / 100.0);
    }

    memory_phase(&dir, &pop, &args);

    println!("\n== Memory ==");
    println!("peak RSS after loading the directory  {}", mib(hwm_loaded));
    println!(
        "peak RSS after routing (VmHWM)        {}",
        mib(proc_status_bytes("VmHWM"))
    );

    if args.durable > 0 {
        if let Err(e) = durable_phase(&dir, &pop, &args) {
            eprintln!("durable phase failed: {e}");
            std::process::exit(1);
        }
        println!(
            "peak RSS after the durable phase       {}",
            mib(proc_status_bytes("VmHWM"))
        );
    }
}
