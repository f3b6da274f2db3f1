//! Routing over the sample directories, through the public API.

// Test code: a panic is the failure report. Cargo.toml's [lints] denies unwrap and expect
// for the library; they are allowed here, as in the other test crates.
// Its `as` conversions are on sizes and counts it makes itself, not on untrusted input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::as_conversions)]

#[path = "common/tmp.rs"]
mod tmp;

use vnedoc::exchange::cli::{self, DirectorySource};
use vnedoc::exchange::directory::{NATIONAL_AXIS, NATIONAL_AXIS_NAME};
use vnedoc::exchange::{
    AgencyId, Date, Directory, HopKind, Level, Problem, Recipient, Route, RouteError, Router,
    Sample, route,
};

fn id(s: &str) -> AgencyId {
    AgencyId::parse(s).unwrap()
}
fn nodes(r: &Route) -> Vec<&str> {
    r.hops.iter().map(|h| h.node.as_str()).collect()
}
fn kinds(r: &Route) -> Vec<HopKind> {
    r.hops.iter().map(|h| h.kind).collect()
}
fn recipients(list: &[&str]) -> Vec<Recipient> {
    list.iter().map(|s| s.parse().unwrap()).collect()
}
use HopKind::{Agency as A, NationalHub as N, ProvincialHub as P};

#[test]
fn cross_province_goes_through_both_lgsps_and_the_axis() {
    let d = Directory::sample(Sample::Y2025).unwrap();
    let r = route(&d, &id("H26.00070"), &id("H29.26506")).unwrap();
    assert_eq!(
        nodes(&r),
        ["H26.00070", "LGSP-H26", "VDXP", "LGSP-H29", "H29.26506"]
    );
    assert_eq!(kinds(&r), [A, P, N, P, A]);
    let names: Vec<&str> = r.hops.iter().map(|h| h.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Phường Hoàn Kiếm",
            "LGSP Thành phố Hà Nội",
            NATIONAL_AXIS_NAME,
            "LGSP Thành phố Hồ Chí Minh",
            "Phường Vũng Tàu"
        ]
    );
    assert!(r.crosses_axis());

    let d = Directory::sample(Sample::Y2019).unwrap();
    let r = route(&d, &id("H26.001.00001"), &id("H41")).unwrap();
    assert_eq!(
        nodes(&r),
        ["H26.001.00001", "LGSP-H26", "VDXP", "LGSP-H41", "H41"]
    );
}

#[test]
fn same_province_never_touches_the_axis() {
    let d = Directory::sample(Sample::Y2019).unwrap();
    // Commune of Ba Đình to a district of Hà Nội, to the province, to another commune.
    for to in ["H26.002", "H26", "H26.002.00037"] {
        let r = route(&d, &id("H26.001.00001"), &id(to)).unwrap();
        assert_eq!(nodes(&r), ["H26.001.00001", "LGSP-H26", to]);
        assert_eq!(kinds(&r), [A, P, A]);
        assert!(!r.crosses_axis());
    }
    let d = Directory::sample(Sample::Y2025).unwrap();
    let r = route(&d, &id("H26"), &id("H26.00070")).unwrap();
    assert_eq!(nodes(&r), ["H26", "LGSP-H26", "H26.00070"]);
}

#[test]
fn ministries_attach_to_the_axis_directly() {
    let d = Directory::sample(Sample::Y2025).unwrap();
    let r = route(&d, &id("G06"), &id("H26.00070")).unwrap();
    assert_eq!(nodes(&r), ["G06", "VDXP", "LGSP-H26", "H26.00070"]);
    assert_eq!(kinds(&r), [A, N, P, A]);
    let r = route(&d, &id("H29"), &id("G22")).unwrap();
    assert_eq!(nodes(&r), ["H29", "LGSP-H29", "VDXP", "G22"]);
    let r = route(&d, &id("000.00.00.G22"), &id("G06")).unwrap();
    assert_eq!(nodes(&r), ["G22", "VDXP", "G06"]);
    assert_eq!(kinds(&r), [A, N, A]);
    assert_eq!(d.hub_of(&id("G22")), Some(NATIONAL_AXIS));
}

#[test]
fn broadcast_groups_expand_and_are_recorded() {
    let d = Directory::sample(Sample::Y2025).unwrap();
    let router = Router::new(&d);

    let plan = router
        .plan(&id("H26"), &recipients(&["@communes:H26"]))
        .unwrap();
    assert_eq!(plan.routes.len(), 126);
    assert!(
        plan.routes
            .iter()
            .all(|r| r.hops.len() == 3 && !r.crosses_axis())
    );
    let e = &plan.expansions[0];
    assert_eq!(e.group, "@communes:H26");
    assert_eq!(e.recipients.len(), 126);
    assert_eq!(e.recipients[0], id("H26.00070"));
    assert!(!e.sender_excluded);

    let plan = router
        .plan(&id("G09"), &recipients(&["@provinces"]))
        .unwrap();
    assert_eq!(plan.routes.len(), 34);
    assert!(plan.routes.iter().all(|r| kinds(r) == [A, N, P, A]));

    // A province broadcasting to all provinces does not send to itself.
    let plan = router
        .plan(&id("H26"), &recipients(&["@provinces"]))
        .unwrap();
    assert_eq!(plan.routes.len(), 33);
    assert!(plan.expansions[0].sender_excluded);

    let plan = router
        .plan(&id("H41"), &recipients(&["@ministries"]))
        .unwrap();
    assert_eq!(plan.routes.len(), 17);
    assert!(
        plan.routes
            .iter()
            .all(|r| nodes(r)[..3] == ["H41", "LGSP-H41", "VDXP"])
    );

    // Overlapping groups and explicit ids: each recipient once, first occurrence kept.
    let plan = router
        .plan(
            &id("G22"),
            &recipients(&["H26.00070", "@subordinates:H26", "@provinces", "H26"]),
        )
        .unwrap();
    assert_eq!(plan.routes.len(), 1 + 125 + 34);
    assert_eq!(plan.routes[0].to, id("H26.00070"));
    assert_eq!(plan.expansions.len(), 2);
    assert_eq!(plan.expansions[0].recipients.len(), 126);

    let d19 = Directory::sample(Sample::Y2019).unwrap();
    let router = Router::new(&d19);
    let plan = router
        .plan(&id("H26"), &recipients(&["@districts:H26"]))
        .unwrap();
    assert_eq!(plan.routes.len(), 30);
    assert!(
        plan.routes
            .iter()
            .all(|r| d19.get(&r.to).unwrap().level == Level::DISTRICT)
    );
    let plan = router
        .plan(&id("H26"), &recipients(&["@communes:H26"]))
        .unwrap();
    assert_eq!(plan.routes.len(), 526);
    let plan = router
        .plan(&id("H26.001"), &recipients(&["@subordinates:H26.001"]))
        .unwrap();
    assert_eq!(plan.routes.len(), 13);
    let plan = router
        .plan(&id("G06"), &recipients(&["@subordinates:H26"]))
        .unwrap();
    assert_eq!(plan.routes.len(), 30 + 526);
    // All districts of a 2025 province: there are none.
    let err = Router::new(&d)
        .plan(&id("G06"), &recipients(&["@districts:H26"]))
        .unwrap_err();
    let RouteError::Recipients { problems } = err else {
        panic!()
    };
    assert_eq!(problems[0].problem, Problem::EmptyGroup);
}

/// The 2019 directory seen after the reform: districts and communes marked as ended on
/// 2025-06-30 are expired, and every bad recipient is listed at once.
#[test]
fn unknown_and_expired_recipients_are_all_listed_and_nothing_is_routed() {
    let mut agencies: Vec<_> = Directory::sample(Sample::Y2019)
        .unwrap()
        .iter()
        .cloned()
        .collect();
    let end = Date::new(2025, 6, 30).unwrap();
    for a in &mut agencies {
        if a.level == Level::DISTRICT || a.level == Level::COMMUNE {
            a.valid_to = Some(end);
        }
    }
    let d = Directory::from_agencies(agencies).unwrap();
    let after = Router::new(&d).on(Date::new(2025, 7, 1).unwrap());
    let err = after
        .plan(
            &id("G06"),
            &recipients(&[
                "H26",
                "H26.001",
                "H98",
                "H26.001.00001",
                "H99.001",
                "@communes:H26",
            ]),
        )
        .unwrap_err();
    let RouteError::Recipients { problems } = &err else {
        panic!("{err:?}")
    };
    let got: Vec<(&str, &Problem)> = problems
        .iter()
        .map(|p| (p.recipient.as_str(), &p.problem))
        .collect();
    assert_eq!(
        got,
        [
            ("H26.001", &Problem::Expired { to: end }),
            ("H98", &Problem::Unknown),
            ("H26.001.00001", &Problem::Expired { to: end }),
            ("H99.001", &Problem::Unknown),
            ("@communes:H26", &Problem::EmptyGroup),
        ]
    );
    let msg = err.to_string();
    for s in [
        "H26.001 (expired on 2025-06-30)",
        "H98 (unknown)",
        "H99.001 (unknown)",
        "nothing routed",
    ] {
        assert!(msg.contains(s), "{msg}");
    }
    // The day before, everything routes.
    let before = Router::new(&d).on(end);
    assert_eq!(
        before
            .plan(
                &id("G06"),
                &recipients(&["H26", "H26.001", "H26.001.00001"])
            )
            .unwrap()
            .routes
            .len(),
        3
    );
    // Without a date, validity is not checked.
    assert!(route(&d, &id("G06"), &id("H26.001")).is_ok());
}

#[test]
fn sender_problems() {
    let d = Directory::sample(Sample::Y2025).unwrap();
    assert_eq!(
        route(&d, &id("H26.001"), &id("H26")),
        Err(RouteError::UnknownSender { id: id("H26.001") })
    );
    let err = route(&d, &id("H26"), &id("H26")).unwrap_err();
    assert!(
        matches!(err, RouteError::Recipients { ref problems } if problems[0].problem == Problem::IsSender)
    );
}

#[test]
fn cli_route_contract() {
    let src: DirectorySource = "2025".parse().unwrap();
    let one: serde_json::Value = serde_json::from_str(
        &cli::route(&src, "H26.00070", &["H29.26506".into()], true, None).unwrap(),
    )
    .unwrap();
    assert_eq!(
        one,
        serde_json::json!({"hops": [
            {"node": "H26.00070", "kind": "agency", "name": "Phường Hoàn Kiếm"},
            {"node": "LGSP-H26", "kind": "provincial_hub", "name": "LGSP Thành phố Hà Nội"},
            {"node": "VDXP", "kind": "national_hub", "name": NATIONAL_AXIS_NAME},
            {"node": "LGSP-H29", "kind": "provincial_hub", "name": "LGSP Thành phố Hồ Chí Minh"},
            {"node": "H29.26506", "kind": "agency", "name": "Phường Vũng Tàu"},
        ]})
    );
    let many: serde_json::Value = serde_json::from_str(
        &cli::route(&src, "G06", &["H26".into(), "G22".into()], true, None).unwrap(),
    )
    .unwrap();
    let routes = many["routes"].as_array().unwrap();
    assert_eq!(routes.len(), 2);
    assert_eq!(routes[0]["to"], "H26");
    assert_eq!(routes[1]["to"], "G22");
    for r in routes {
        let hops = r["hops"].as_array().unwrap();
        assert_eq!(hops.first().unwrap()["node"], "G06");
        assert_eq!(hops.last().unwrap()["node"], r["to"]);
    }
    let text = cli::route(
        &"2019".parse().unwrap(),
        "H26.001.00001",
        &["H29".into()],
        false,
        None,
    )
    .unwrap();
    assert_eq!(
        text,
        "H26.001.00001 -> LGSP-H26 -> VDXP -> LGSP-H29 -> H29\n"
    );
    // Expired recipients through the CLI function: a directory file with an end date.
    let dir = tmp::TempDir::new("route");
    let path = dir.join("d.csv");
    std::fs::write(
        &path,
        "id,name,level,parent,hub,valid_from,valid_to\nH26,Hà Nội,province,,LGSP-H26,,\nH26.001,Ba Đình,district,H26,,,2025-06-30\n",
    )
    .unwrap();
    let err = cli::route(
        &DirectorySource::File(path),
        "H26",
        &["H26.001".into()],
        true,
        Date::new(2025, 7, 1),
    )
    .unwrap_err();
    assert_eq!(err.exit_code(), 1);
    assert!(err.to_string().contains("H26.001 (expired on 2025-06-30)"));
    std::fs::remove_dir_all(&dir).unwrap();
}
