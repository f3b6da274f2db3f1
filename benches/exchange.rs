//! `cargo bench --bench exchange`: routing on the 2025 sample directory.
//!
//! Four cases, each reported as throughput in routes (one route = every hop from the sender to
//! one recipient, built by [`Router`]):
//!
//! - `route/cross_province`: a Hà Nội ward to a Hồ Chí Minh City ward (5 hops: ward, LGSP,
//!   VDXP, LGSP, ward);
//! - `route/same_province`: a Hà Nội ward to the Hà Nội People's Committee (3 hops, never on the
//!   axis);
//! - `route/ministry_to_all_provinces`: the Ministry of Home Affairs to `@provinces` (34 routes
//!   of 4 hops, with the group expansion recorded);
//! - `route/province_to_all_communes`: Hà Nội to `@communes:H26` (126 routes of 3 hops).
//!
//! Before measuring, each case is run once and its shape checked, so the figures are for the
//! routes the exchange is specified for. Short warm-up and measurement windows keep the whole bench under
//! about half a minute.

// Bench code: a panic is the failure report. Cargo.toml's [lints] denies unwrap and expect
// for the library; they are allowed here, as in the other test crates.
// Its `as` conversions are on sizes and counts it makes itself, not on untrusted input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::as_conversions)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput};
use vnedoc::exchange::{AgencyId, Directory, Hop, HopKind, Level, Recipient, Router, Sample};

fn id(s: &str) -> AgencyId {
    AgencyId::parse(s).expect("identifier of the 2025 sample")
}

fn recipient(s: &str) -> Recipient {
    s.parse().expect("recipient")
}

fn kinds(hops: &[Hop]) -> Vec<HopKind> {
    hops.iter().map(|h| h.kind).collect()
}

fn bench_routing(c: &mut Criterion) {
    let dir = Directory::sample(Sample::Y2025).expect("2025 sample directory");
    let router = Router::new(&dir);

    let hanoi = id("H26");
    let hoan_kiem = id("H26.00070");
    let hcmc_ward = dir
        .children(&id("H29"))
        .first()
        .map(|a| a.id.clone())
        .expect("a commune of H29");
    let home_affairs = id("G09");
    let provinces: Vec<Recipient> = vec![recipient("@provinces")];
    let hanoi_communes: Vec<Recipient> = vec![recipient("@communes:H26")];

    // Shapes, checked once before measuring.
    let cross = router
        .route(&hoan_kiem, &hcmc_ward)
        .expect("cross-province");
    assert_eq!(
        kinds(&cross.hops),
        [
            HopKind::Agency,
            HopKind::ProvincialHub,
            HopKind::NationalHub,
            HopKind::ProvincialHub,
            HopKind::Agency
        ]
    );
    let same = router.route(&hoan_kiem, &hanoi).expect("same province");
    assert_eq!(
        kinds(&same.hops),
        [HopKind::Agency, HopKind::ProvincialHub, HopKind::Agency]
    );
    let to_provinces = router
        .plan(&home_affairs, &provinces)
        .expect("ministry broadcast");
    assert_eq!(to_provinces.routes.len(), 34);
    assert!(to_provinces.routes.iter().all(|r| r.hops.len() == 4));
    let to_communes = router
        .plan(&hanoi, &hanoi_communes)
        .expect("province broadcast");
    let n_communes = dir
        .children(&hanoi)
        .iter()
        .filter(|a| a.level == Level::COMMUNE)
        .count();
    assert_eq!(to_communes.routes.len(), n_communes);
    assert!(to_communes.routes.iter().all(|r| r.hops.len() == 3));
    let elements = |n: usize| Throughput::Elements(u64::try_from(n).unwrap_or(u64::MAX));

    let mut g = c.benchmark_group("route");
    g.warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(50);

    g.throughput(elements(1));
    g.bench_function("cross_province", |b| {
        b.iter(|| router.route(black_box(&hoan_kiem), black_box(&hcmc_ward)))
    });
    g.bench_function("same_province", |b| {
        b.iter(|| router.route(black_box(&hoan_kiem), black_box(&hanoi)))
    });

    g.throughput(elements(to_provinces.routes.len()));
    g.bench_function("ministry_to_all_provinces", |b| {
        b.iter(|| router.plan(black_box(&home_affairs), black_box(&provinces)))
    });

    g.throughput(elements(to_communes.routes.len()));
    g.bench_function("province_to_all_communes", |b| {
        b.iter(|| router.plan(black_box(&hanoi), black_box(&hanoi_communes)))
    });
    g.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    bench_routing(&mut c);
    c.final_summary();
}
