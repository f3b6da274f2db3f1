//! The embedded sample directories and directory lookups, through the public API.

// Test code: a panic is the failure report. Cargo.toml's [lints] denies unwrap and expect
// for the library; they are allowed here, as in the other test crates.
// Its `as` conversions are on sizes and counts it makes itself, not on untrusted input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::as_conversions)]

#[path = "common/tmp.rs"]
mod tmp;

use std::collections::HashMap;

use vnedoc::exchange::cli::{self, DirectorySource};
use vnedoc::exchange::directory::NATIONAL_AXIS;
use vnedoc::exchange::{AgencyId, Directory, Level, Sample};

fn id(s: &str) -> AgencyId {
    AgencyId::parse(s).unwrap()
}

fn counts(d: &Directory) -> HashMap<String, usize> {
    let mut c = HashMap::new();
    for a in d.iter() {
        *c.entry(a.level.to_string()).or_insert(0) += 1;
    }
    c
}

fn ids(v: &[&vnedoc::exchange::Agency]) -> Vec<String> {
    v.iter().map(|a| a.id.to_string()).collect()
}

#[test]
fn sample_2019_has_the_exact_counts() {
    let d = Directory::sample(Sample::Y2019).unwrap();
    let c = counts(&d);
    assert_eq!(c["central"], 17);
    assert_eq!(c["province"], 63);
    assert_eq!(c["district"], 696);
    assert_eq!(c["commune"], 10_051);
    assert_eq!(c.len(), 4);
    assert_eq!(d.len(), 17 + 63 + 696 + 10_051);
}

#[test]
fn sample_2025_has_the_exact_counts() {
    let d = Directory::sample(Sample::Y2025).unwrap();
    let c = counts(&d);
    assert_eq!(c["central"], 17);
    assert_eq!(c["province"], 34);
    assert_eq!(c["commune"], 3_321);
    assert_eq!(c.len(), 3, "no district level after 1 July 2025");
    assert_eq!(d.with_level(&Level::DISTRICT).count(), 0);
}

/// REFERENCE.md §3: province = level-1 code, district = H26.<3 digits>, commune =
/// <district>.<5 digits> (2019) or <province>.<5 digits> (2025), ministry = its G code; the
/// parent is the identifier prefix; hubs are LGSP-<province> and VDXP for central agencies.
#[test]
fn samples_follow_the_synthetic_identifier_rule() {
    for (sample, commune_groups) in [(Sample::Y2019, [3usize, 5]), (Sample::Y2025, [5, 0])] {
        let d = Directory::sample(sample).unwrap();
        for a in d.iter() {
            let groups: Vec<&str> = a.id.groups().collect();
            let lens: Vec<usize> = groups.iter().skip(1).map(|g| g.len()).collect();
            match a.level.as_str() {
                "central" => {
                    assert!(
                        a.id.level1().starts_with('G') && lens.is_empty(),
                        "{}",
                        a.id
                    );
                    assert_eq!(a.parent, None);
                    assert_eq!(d.hub_of(&a.id), Some(NATIONAL_AXIS));
                }
                "province" => {
                    assert!(
                        a.id.level1().starts_with('H') && lens.is_empty(),
                        "{}",
                        a.id
                    );
                    assert_eq!(a.parent, None);
                }
                "district" => assert_eq!(lens, [3], "{}", a.id),
                "commune" => {
                    let want: Vec<usize> =
                        commune_groups.iter().copied().filter(|n| *n > 0).collect();
                    assert_eq!(lens, want, "{}", a.id);
                }
                other => panic!("unexpected level {other}"),
            }
            if a.level != Level::CENTRAL {
                assert_eq!(a.parent, a.id.parent(), "{}", a.id);
                let hub = format!("LGSP-{}", a.id.level1());
                assert_eq!(d.hub_of(&a.id), Some(hub.as_str()));
            }
        }
    }
}

#[test]
fn island_districts_have_no_communes() {
    let d = Directory::sample(Sample::Y2019).unwrap();
    for (district, name) in [
        ("H24.318", "Huyện Bạch Long Vĩ"),
        ("H50.471", "Huyện Cồn Cỏ"),
        ("H17.498", "Huyện Hoàng Sa"),
        ("H48.536", "Huyện Lý Sơn"),
        ("H06.755", "Huyện Côn Đảo"),
    ] {
        let a = d.get(&id(district)).unwrap();
        assert_eq!(a.name, name);
        assert!(d.children(&a.id).is_empty(), "{district}");
    }
}

#[test]
fn children_and_subtree() {
    let d = Directory::sample(Sample::Y2019).unwrap();
    let h26 = id("H26");
    assert_eq!(d.children(&h26).len(), 30);
    let sub = d.subtree(&h26);
    assert_eq!(sub.len(), 1 + 30 + 526);
    assert_eq!(sub[0].id, h26);
    assert_eq!(sub[1].id, id("H26.001"));
    assert_eq!(
        sub[2].id,
        id("H26.001.00001"),
        "depth first: a district, then its communes"
    );
    let ba_dinh = d.children(&id("H26.001"));
    assert_eq!(ba_dinh.len(), 13);
    assert_eq!(ba_dinh[0].name, "Phường Phúc Xá");
    assert!(d.children(&id("H26.001.00001")).is_empty());
    assert!(d.children(&id("H99")).is_empty());
    assert!(d.subtree(&id("H99")).is_empty());
    assert_eq!(ids(&d.ancestors(&id("H26.001.00001"))), ["H26.001", "H26"]);

    let d = Directory::sample(Sample::Y2025).unwrap();
    assert_eq!(d.children(&h26).len(), 126);
    assert_eq!(d.children(&id("H29")).len(), 168);
    assert_eq!(d.subtree(&h26).len(), 127);
}

#[test]
fn lookup_by_id_accepts_both_forms() {
    let d = Directory::sample(Sample::Y2025).unwrap();
    assert_eq!(
        d.get(&id("000.00.00.G22")).unwrap().name,
        "Văn phòng Chính phủ"
    );
    assert_eq!(d.get(&id("H41")).unwrap().name, "Nghệ An");
    assert_eq!(d.get(&id("H26.00070")).unwrap().name, "Phường Hoàn Kiếm");
    assert!(d.get(&id("H26.001")).is_none(), "no districts in 2025");
}

#[test]
fn find_by_name_with_and_without_diacritics() {
    let d = Directory::sample(Sample::Y2025).unwrap();
    let find = |q: &str| ids(&d.find_by_name(q));
    assert_eq!(find("Hoàn Kiếm"), ["H26.00070"]);
    assert_eq!(find("hoan kiem"), ["H26.00070"]);
    assert_eq!(find("HOÀN KIẾM"), ["H26.00070"]);
    // Decomposed (NFD) input: o + circumflex + dot below.
    assert_eq!(find("Ha\u{300} No\u{302}\u{323}i"), ["H26"]);
    assert_eq!(find("ha noi"), ["H26"]);
    // Whole-name matches come first, then the others in file order.
    assert_eq!(find("Phường Ba Đình"), ["H26.00004"]);
    // Without diacritics Quảng Ngãi's "Xã Ba Dinh" matches too; with them it does not.
    assert_eq!(find("ba dinh"), ["H26.00004", "H56.16171", "H48.21499"]);
    assert_eq!(find("Ba Đình"), ["H26.00004", "H56.16171"]);
    // With diacritics the marks must match: Bắc is not Bạc.
    assert!(find("Bạc Ninh").is_empty());
    // Whole words: "Xã Bắc Ninh Hòa" (Khánh Hòa) contains them too, after the exact match.
    assert_eq!(find("Bắc Ninh"), ["H05", "H32.22546"]);
    assert_eq!(find("bac ninh"), ["H05", "H32.22546"]);
    assert_eq!(find("Đắk Lắk"), ["H15"]);
    assert_eq!(find("dak lak"), ["H15"]);
    assert_eq!(find("Bộ Văn hóa"), ["G16"]);

    let d = Directory::sample(Sample::Y2019).unwrap();
    let find = |q: &str| ids(&d.find_by_name(q));
    assert_eq!(find("Quận Ba Đình"), ["H26.001"]);
    assert_eq!(find("phuc xa"), ["H26.001.00001"]);
    assert_eq!(find("Phường 1").len(), 33);
}

#[test]
fn list_json_loads_back_and_csv_files_load() {
    let dir = tmp::TempDir::new("exchange");
    let json = cli::directory_list(&"2019".parse().unwrap(), true).unwrap();
    let path = dir.join("list.json");
    std::fs::write(&path, &json).unwrap();
    let back = cli::load_directory(&DirectorySource::File(path)).unwrap();
    let orig = Directory::sample(Sample::Y2019).unwrap();
    assert_eq!(back.len(), orig.len());
    for (a, b) in back.iter().zip(orig.iter()) {
        assert_eq!(
            (&a.id, &a.name, &a.level, &a.parent),
            (&b.id, &b.name, &b.level, &b.parent)
        );
    }
    let csv = dir.join("own.csv");
    std::fs::write(
        &csv,
        "id,name,level,hub\r\nG22,Văn phòng Chính phủ,central,VDXP\r\n",
    )
    .unwrap();
    let own = cli::load_directory(&DirectorySource::File(csv)).unwrap();
    assert_eq!(own.len(), 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn list_and_find_outputs() {
    let src: DirectorySource = "2025".parse().unwrap();
    let text = cli::directory_list(&src, false).unwrap();
    assert_eq!(text.lines().count(), 17 + 34 + 3321);
    assert_eq!(text.lines().next(), Some("G01\tBộ Công an"));
    let out: serde_json::Value =
        serde_json::from_str(&cli::directory_list(&src, true).unwrap()).unwrap();
    let h26 = out["agencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "H26.00070")
        .unwrap();
    assert_eq!(
        *h26,
        serde_json::json!({"id": "H26.00070", "name": "Phường Hoàn Kiếm", "level": "commune", "parent": "H26"})
    );
    assert_eq!(
        cli::directory_find(&src, "Ha Noi").unwrap(),
        "H26\tThành phố Hà Nội\n"
    );
}

/// The embedded files are exactly what the committed generator makes from ../shared/data.
/// Skipped (with a note) where python3 or the shared data is not available.
#[test]
fn embedded_samples_match_the_generator() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = root.join("../shared/data");
    if !shared.join("divisions-2019.csv").exists() {
        eprintln!("skipped: {} not found", shared.display());
        return;
    }
    let out = tmp::TempDir::new("gen");
    let status = std::process::Command::new("python3")
        .arg(root.join("tools/gen_directories.py"))
        .arg(&shared)
        .arg(out.path())
        .stdout(std::process::Stdio::null())
        .status();
    match status {
        Ok(s) if s.success() => {}
        other => {
            eprintln!("skipped: python3 tools/gen_directories.py: {other:?}");
            return;
        }
    }
    assert_eq!(
        std::fs::read_to_string(out.join("directory-2019.csv")).unwrap(),
        Sample::Y2019.csv()
    );
    assert_eq!(
        std::fs::read_to_string(out.join("directory-2025.csv")).unwrap(),
        Sample::Y2025.csv()
    );
}
