//! `StatsReport::to_html`: a self-contained page whose numbers, sorting, drill-down and glyph
//! check are checked in headless Chromium (`--dump-dom` and `--screenshot`).
//!
//! Without a `chromium` (or `chromium-browser`) on PATH the browser part is skipped, unless
//! `CI=true`, where it fails.

// Test code: a panic is the failure report (STYLE.md: unwrap allowed in tests).
// Its `as` conversions are on sizes and counts it makes itself, not on untrusted input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::as_conversions)]

#[path = "common/tmp.rs"]
mod tmp;
use tmp::TempDir;

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use vnedoc::exchange::{AgencyId, Date, Directory, Sample};
use vnedoc::ledger::{
    Direction, Entry, Filter, Ledger, MemoryLedger, Outcome, Period, Row, Skipped, StatsReport,
};
use vnedoc::{Indication, SubIndication};

const TARGET: f64 = 90.0;

/// `H26.003`'s name: markup and a script end tag, which must stay text.
const NASTY: &str = "Sở Nội vụ <b>&\"</script>";

const DIRECTORY: &str = "id,name,level,parent\n\
H26,Thành phố Hà Nội,province,\n\
H26.001,Quận Ba Đình,district,H26\n\
H26.001.00001,Phường Phúc Xá,commune,H26.001\n\
H26.002,Ủy ban nhân dân xã Đông Hưng,commune,H26\n\
H26.003,\"Sở Nội vụ <b>&\"\"</script>\",department,H26\n\
H26.004,Xã Sóc Sơn,commune,H26\n\
H27,Tỉnh Quảng Ninh,province,\n\
H27.001,Phường Hạ Long,commune,H27\n\
G01,Bộ Tư pháp,central,\n\
G01.001,Cục Kiểm tra văn bản quy phạm pháp luật,department,G01\n";

/// Added at the end of a copy of the page, after the page's own script (see the test).
const CLICKS: &str = r##"<script>
(function () {
  var b = document.body;
  var shares = function () {
    return Array.prototype.map.call(document.querySelectorAll("#units tbody tr"), function (r) {
      return r.cells[6].getAttribute("data-value");
    }).join(",");
  };
  var drill = function () {
    return Array.prototype.filter.call(document.querySelectorAll("#drill-table tbody tr"), function (r) {
      return !r.hasAttribute("hidden");
    }).map(function (r) { return r.getAttribute("data-unit"); }).join(" ");
  };
  var th = document.querySelector('#units th[data-col="signed_share"] button');
  th.click();
  b.dataset.clickAsc = shares();
  th.click();
  b.dataset.clickDesc = shares();
  b.dataset.clickSort = document.getElementById("units").getAttribute("data-sort");
  var step = 0;
  window.addEventListener("hashchange", function () {
    step++;
    if (step === 1) {
      b.dataset.hashView = b.dataset.view;
      b.dataset.hashDrill = drill();
      document.querySelector("#crumbs a").click();
    } else if (step === 2) {
      b.dataset.crumbView = b.dataset.view;
      b.dataset.crumbDrill = drill();
    }
  });
  location.hash = "unit=H26.001";
})();
</script>
</body>"##;

const INVALID: Outcome = Outcome::SignedInvalid {
    indication: Indication::TotalFailed,
    subindication: Some(SubIndication::HashFailure),
};

fn id(s: &str) -> AgencyId {
    AgencyId::parse(s).unwrap()
}

/// `n` distinct documents of one unit with one outcome, on `day`.
fn docs(
    unit: &str,
    tag: &str,
    n: usize,
    day: &str,
    direction: Direction,
    outcome: Outcome,
) -> Vec<Entry> {
    (0..n)
        .map(|i| {
            let doc = format!("{i}/{tag}");
            Entry {
                unit: id(unit),
                sha256: vnedoc::ledger::sha256(format!("{unit}/{doc}").as_bytes()),
                document_id: doc,
                direction,
                date: day.parse::<Date>().unwrap(),
                outcome,
                legally_complete: None,
            }
        })
        .collect()
}

struct Fixture {
    report: StatsReport,
    units: Vec<Row>,
    rollup: Vec<Row>,
    directory: Directory,
}

fn fixture() -> Fixture {
    let directory = Directory::from_csv(DIRECTORY).unwrap();
    let mut ledger = Ledger::new(MemoryLedger::new());
    let issued = Direction::Issued;
    let day = "2026-08-14";
    let mut entries = Vec::new();
    // (unit, valid, invalid, unsigned) in 2026-Q3.
    for (unit, v, i, u) in [
        ("H26", 2, 0, 0),
        ("H26.001", 3, 1, 0),
        ("H26.001.00001", 4, 0, 1),
        ("H26.002", 9, 0, 1),
        ("H26.003", 1, 2, 3),
        ("H27.001", 7, 0, 0),
        // Not in the directory: a root of its own, without a name.
        ("H99", 0, 0, 1),
    ] {
        entries.extend(docs(unit, "QĐ-UBND", v, day, issued, Outcome::SignedValid));
        entries.extend(docs(unit, "CV-UBND", i, day, issued, INVALID));
        entries.extend(docs(unit, "TB-UBND", u, day, issued, Outcome::Unsigned));
    }
    entries.extend(docs(
        "G01",
        "QĐ-BTP",
        5,
        "2026-07-01",
        Direction::Received,
        Outcome::SignedValid,
    ));
    entries.extend(docs(
        "G01",
        "CV-BTP",
        5,
        "2026-09-30",
        Direction::Received,
        Outcome::Unsigned,
    ));
    // Outside the period: not counted.
    entries.extend(docs(
        "H26.002",
        "old",
        4,
        "2026-06-30",
        issued,
        Outcome::Unsigned,
    ));
    entries.extend(docs(
        "G01.001",
        "new",
        3,
        "2026-10-01",
        issued,
        Outcome::Unsigned,
    ));
    ledger.record_all(&entries).unwrap();

    let filter = Filter::period("2026-Q3".parse::<Period>().unwrap());
    let (units, rollup) = ledger.rollup_with(&directory, &filter).unwrap();
    // A hand check of the independent computation.
    let h26 = rollup.iter().find(|r| r.unit.as_str() == "H26").unwrap();
    assert_eq!(
        (
            h26.counts.total,
            h26.counts.signed_valid,
            h26.counts.signed_invalid,
            h26.counts.unsigned
        ),
        (27, 19, 3, 5)
    );
    let unreadable = vec![Skipped {
        file: "scan/hỏng <1>.pdf".to_owned(),
        reason: "unreadable document: truncated xref".to_owned(),
    }];
    let files = u64::try_from(entries.len()).unwrap() + 1;
    let report =
        StatsReport::build(&ledger, &directory, &filter, TARGET, files, unreadable).unwrap();
    assert_eq!(report.units, units);
    assert_eq!(report.rollup, rollup);
    Fixture {
        report,
        units,
        rollup,
        directory,
    }
}

// ---------------------------------------------------------------------------------------------
// Minimal HTML scanning (the serialised DOM is regular enough).

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

/// The value of attribute `name` in an opening tag, unescaped.
fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let len = tag[start..].find('"')?;
    Some(unescape(&tag[start..start + len]))
}

fn has_attr(tag: &str, name: &str) -> bool {
    tag.contains(&format!(" {name}=\""))
        || tag.contains(&format!(" {name} "))
        || tag.ends_with(&format!(" {name}>"))
}

/// Text with the tags removed, unescaped.
fn text(s: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for ch in s.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    unescape(&out)
}

/// The element opened by `open` (e.g. `<table id="units"`) up to its first `close`.
fn element<'a>(html: &'a str, open: &str, close: &str) -> &'a str {
    let start = html
        .find(open)
        .unwrap_or_else(|| panic!("no {open} in the page"));
    let len = html[start..]
        .find(close)
        .unwrap_or_else(|| panic!("{open} not closed"));
    &html[start..start + len]
}

/// One `<tr>` of a table body: its opening tag and its cells' (opening tag, text).
struct Tr {
    tag: String,
    cells: Vec<(String, String)>,
}

impl Tr {
    fn unit(&self) -> String {
        attr(&self.tag, "data-unit").unwrap()
    }
    fn hidden(&self) -> bool {
        has_attr(&self.tag, "hidden")
    }
}

fn body_rows(html: &str, table_id: &str) -> Vec<Tr> {
    let table = element(html, &format!("<table id=\"{table_id}\""), "</table>");
    let body = element(table, "<tbody>", "</tbody>");
    body.split("<tr")
        .skip(1)
        .map(|chunk| {
            let end = chunk.find('>').unwrap();
            let tag = format!("<tr{}", &chunk[..=end]);
            let inner = &chunk[end + 1..];
            let inner = &inner[..inner.find("</tr>").unwrap_or(inner.len())];
            let cells = inner
                .split("<td")
                .skip(1)
                .map(|c| {
                    let e = c.find('>').unwrap();
                    let body = &c[e + 1..];
                    let body = &body[..body.find("</td>").unwrap_or(body.len())];
                    (format!("<td{}", &c[..=e]), text(body))
                })
                .collect();
            Tr { tag, cells }
        })
        .collect()
}

/// The opening tags of `<g class="bar…">` in the chart, with their content.
fn bars(html: &str) -> Vec<(String, String)> {
    let chart = element(html, "<svg id=\"chart\"", "</svg>");
    chart
        .split("<g class=\"bar")
        .skip(1)
        .map(|chunk| {
            let end = chunk.find('>').unwrap();
            let inner = &chunk[end + 1..];
            (
                format!("<g class=\"bar{}", &chunk[..=end]),
                inner[..inner.find("</g>").unwrap()].to_owned(),
            )
        })
        .collect()
}

fn body_tag(dom: &str) -> &str {
    let start = dom.find("<body").expect("no body");
    &dom[start..start + dom[start..].find('>').unwrap() + 1]
}

/// Checks every row of a table against the ledger's rows: unit, name, the four counts and the
/// share (text and `data-value`), `data-parent`, and the below-target class.
fn check_table(html: &str, table_id: &str, expected: &[Row], directory: &Directory) {
    let rows = body_rows(html, table_id);
    let got: BTreeSet<String> = rows.iter().map(Tr::unit).collect();
    let want: BTreeSet<String> = expected.iter().map(|r| r.unit.to_string()).collect();
    assert_eq!(got, want, "{table_id}: units");
    assert_eq!(rows.len(), expected.len(), "{table_id}: one row per unit");
    for r in expected {
        let unit = r.unit.as_str();
        let tr = rows.iter().find(|t| t.unit() == unit).unwrap();
        let parent = directory
            .get(&r.unit)
            .and_then(|a| a.parent.as_ref())
            .map(|p| p.to_string())
            .unwrap_or_default();
        assert_eq!(
            attr(&tr.tag, "data-parent").unwrap(),
            parent,
            "{table_id} {unit} parent"
        );
        assert_eq!(tr.cells.len(), 7, "{table_id} {unit}: cells");
        assert_eq!(tr.cells[0].1, unit);
        assert_eq!(tr.cells[1].1, r.name, "{table_id} {unit}: name");
        let c = &r.counts;
        for (i, (col, v)) in [
            ("total", c.total),
            ("signed_valid", c.signed_valid),
            ("signed_invalid", c.signed_invalid),
            ("unsigned", c.unsigned),
        ]
        .into_iter()
        .enumerate()
        {
            let (tag, txt) = &tr.cells[i + 2];
            assert_eq!(attr(tag, "data-col").as_deref(), Some(col));
            assert_eq!(
                attr(tag, "data-value").unwrap(),
                v.to_string(),
                "{table_id} {unit} {col}"
            );
            assert_eq!(txt, &v.to_string(), "{table_id} {unit} {col} text");
        }
        let (tag, txt) = &tr.cells[6];
        assert_eq!(attr(tag, "data-col").as_deref(), Some("signed_share"));
        let value: f64 = attr(tag, "data-value").unwrap().parse().unwrap();
        assert_eq!(value, c.signed_share, "{table_id} {unit} share value");
        assert_eq!(
            txt,
            &format!("{:.1}%", c.signed_share),
            "{table_id} {unit} share text"
        );
        let below = c.total > 0 && c.signed_share < TARGET;
        let class = attr(&tr.tag, "class").unwrap_or_default();
        assert_eq!(
            class.split(' ').any(|k| k == "below-target"),
            below,
            "{table_id} {unit} below"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Chromium.

fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser"].iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    })
}

/// Runs headless Chromium on `url` with `args`; returns its stdout. Killed after 60 s.
fn run_chromium(bin: &Path, work: &Path, tag: &str, url: &str, args: &[String]) -> String {
    let profile = work.join(format!("profile-{tag}"));
    let out_path = work.join(format!("stdout-{tag}.txt"));
    let err_path = work.join(format!("stderr-{tag}.txt"));
    let mut child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            "--hide-scrollbars",
            "--virtual-time-budget=5000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(File::create(&out_path).unwrap())
        .stderr(File::create(&err_path).unwrap())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "chromium ({tag}) timed out; stderr in {}",
                err_path.display()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    // The profile is tens of megabytes: not kept.
    let _ = std::fs::remove_dir_all(&profile);
    assert!(
        status.success(),
        "chromium ({tag}) failed: {status}; stderr in {}",
        err_path.display()
    );
    std::fs::read_to_string(&out_path).unwrap()
}

fn file_url(path: &Path, hash: &str) -> String {
    format!("file://{}{hash}", path.display())
}

// ---------------------------------------------------------------------------------------------

/// The static page: self-contained, escaped, data embedded.
fn check_static(html: &str, f: &Fixture) {
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<html lang=\"vi\">"));
    assert!(html.contains("<meta charset=\"utf-8\">"));
    // Nothing from the network, nothing external at all.
    let lower = html.to_ascii_lowercase();
    for key in ["src=", "href=", "url(", "@import"] {
        for (pos, _) in lower.match_indices(key) {
            let value = lower[pos + key.len()..].trim_start_matches(['"', '\'', ' ']);
            assert!(
                !value.starts_with("http:")
                    && !value.starts_with("https:")
                    && !value.starts_with("//"),
                "network reference at {pos}: {}",
                &html[pos..(pos + 80).min(html.len())]
            );
        }
    }
    for banned in [
        "<link",
        "<script src",
        "<iframe",
        "<img",
        "<object",
        "<embed",
        "@font-face",
        "http://",
        "https://",
    ] {
        assert!(!lower.contains(banned), "page contains {banned}");
    }
    for (pos, _) in lower.match_indices("href=\"") {
        let value = &lower[pos + 6..];
        assert!(
            value.starts_with('#'),
            "non-fragment link: {}",
            &html[pos..pos + 40]
        );
    }
    // Names escaped in the markup; the only script end tags are the two real ones.
    assert!(html.contains("Sở Nội vụ &lt;b&gt;&amp;&quot;&lt;/script&gt;"));
    assert!(!html.contains("<b>&"));
    assert_eq!(html.matches("</script>").count(), 2);
    // The JSON block parses back to the contract, names intact.
    let open = "<script type=\"application/json\" id=\"stats-data\">";
    let json = element(html, open, "</script>").strip_prefix(open).unwrap();
    assert!(!json.contains('<'));
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    let contract: serde_json::Value = serde_json::from_str(&f.report.to_json()).unwrap();
    for key in ["units", "rollup", "period", "target", "files", "unreadable"] {
        assert_eq!(v[key], contract[key], "JSON {key}");
    }
    assert_eq!(v["placement"]["H26.001"]["parent"], "H26");
    assert!(
        v["units"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["name"] == NASTY)
    );
    // Summary.
    assert!(html.contains("<dd id=\"period\">2026-Q3</dd>"));
    assert!(html.contains("<dd id=\"target\">90.0%</dd>"));
    assert!(html.contains(&format!("<dd id=\"files\">{}</dd>", f.report.files)));
    assert!(html.contains("<dd id=\"unreadable\">1</dd>"));
    assert!(html.contains("<details id=\"unreadable-files\">"));
    assert!(html.contains("<code>scan/hỏng &lt;1&gt;.pdf</code>"));
    // Server-rendered tables.
    check_table(html, "units", &f.units, &f.directory);
    check_table(html, "rollup", &f.rollup, &f.directory);
    // The chart: one bar per unit of either table, three segments with the counts, widths
    // adding up to the bar; the target line at 90%.
    let nodes = nodes(f);
    let bars = bars(html);
    assert_eq!(bars.len(), nodes.len());
    for (tag, inner) in &bars {
        let unit = attr(tag, "data-unit").unwrap();
        let row = &nodes[&unit];
        assert!(inner.starts_with("<title>"), "{unit}: tooltip first");
        let title = text(&inner[..inner.find("</title>").unwrap()]);
        assert!(title.contains(&format!("{}", row.counts.total)) && title.contains(&row.name));
        let mut width = 0.0;
        let rects: Vec<&str> = inner.split("<rect").skip(1).collect();
        assert_eq!(rects.len(), 3, "{unit}: three segments");
        for (rect, (col, v)) in rects.iter().zip([
            ("signed_valid", row.counts.signed_valid),
            ("signed_invalid", row.counts.signed_invalid),
            ("unsigned", row.counts.unsigned),
        ]) {
            assert_eq!(attr(rect, "data-unit").unwrap(), unit);
            assert_eq!(attr(rect, "data-col").unwrap(), col);
            assert_eq!(attr(rect, "data-value").unwrap(), v.to_string());
            width += attr(rect, "width").unwrap().parse::<f64>().unwrap();
        }
        assert!((width - 520.0).abs() < 0.05, "{unit}: bar width {width}");
    }
    let line = element(html, "<line id=\"target-line\"", ">");
    assert_eq!(attr(line, "x1").unwrap(), "798.00");
    assert!(attr(line, "class").unwrap().contains("target"));
}

/// The drill-down nodes: every unit of either table, with the roll-up row when there is one.
fn nodes(f: &Fixture) -> BTreeMap<String, Row> {
    let mut m: BTreeMap<String, Row> = f
        .units
        .iter()
        .map(|r| (r.unit.to_string(), r.clone()))
        .collect();
    for r in &f.rollup {
        m.insert(r.unit.to_string(), r.clone());
    }
    m
}

fn visible_units(rows: &[Tr]) -> BTreeSet<String> {
    rows.iter().filter(|t| !t.hidden()).map(Tr::unit).collect()
}

fn visible_bars(html: &str) -> BTreeSet<String> {
    bars(html)
        .iter()
        .filter(|(tag, _)| !has_attr(tag, "hidden"))
        .map(|(tag, _)| attr(tag, "data-unit").unwrap())
        .collect()
}

fn set(units: &[&str]) -> BTreeSet<String> {
    units.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn stats_html_page() {
    let started = Instant::now();
    let f = fixture();
    let html = f.report.to_html();
    let work = TempDir::new("page");
    let page = work.join("report.html");
    std::fs::write(&page, &html).unwrap();
    println!("page: {}", page.display());
    check_static(&html, &f);

    // A report with names no font can show: U+0378 and U+2FFFD, unassigned code points (one in
    // the BMP, one astral). Not U+E000: icon fonts put glyphs in the private use area.
    let odd = Directory::from_csv(
        "id,name,level,parent\nH26,Thành phố Hà Nội,province,\nH26.001,Phường \u{378} Láng \u{2FFFD},commune,H26\n",
    )
    .unwrap();
    let mut ledger = Ledger::new(MemoryLedger::new());
    ledger
        .record_all(&docs(
            "H26.001",
            "x",
            2,
            "2026-08-01",
            Direction::Issued,
            Outcome::SignedValid,
        ))
        .unwrap();
    let odd_report =
        StatsReport::build(&ledger, &odd, &Filter::default(), TARGET, 2, Vec::new()).unwrap();
    let odd_page = work.join("missing-glyphs.html");
    std::fs::write(&odd_page, odd_report.to_html()).unwrap();

    let Some(bin) = chromium() else {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("chromium (or chromium-browser) is not on PATH, and CI=true");
        }
        println!("SKIPPED the browser checks: no chromium or chromium-browser on PATH");
        return;
    };

    // Clicks and hash changes, driven by a script added at the end of a copy of the page: sort
    // the units table by share (ascending, then descending), drill to H26.001 through the hash,
    // then back to the top through the breadcrumb.
    let clicks_page = work.join("clicks.html");
    std::fs::write(&clicks_page, html.replace("</body>", CLICKS)).unwrap();

    let shot = work.join("report.png");
    // The four browser runs are independent: run them side by side.
    let dump = ["--dump-dom".to_owned()];
    let (sorted, drilled, glyphs, clicks) = std::thread::scope(|s| {
        let sorted = s.spawn(|| {
            run_chromium(
                &bin,
                &work,
                "sort",
                &file_url(&page, "#sort=total:desc"),
                &dump,
            )
        });
        let drilled =
            s.spawn(|| run_chromium(&bin, &work, "unit", &file_url(&page, "#unit=H26"), &dump));
        let clicks =
            s.spawn(|| run_chromium(&bin, &work, "clicks", &file_url(&clicks_page, ""), &dump));
        let glyphs =
            s.spawn(|| run_chromium(&bin, &work, "glyphs", &file_url(&odd_page, ""), &dump));
        let shot_args = [
            format!("--screenshot={}", shot.display()),
            "--window-size=1280,2000".to_owned(),
        ];
        run_chromium(&bin, &work, "shot", &file_url(&page, ""), &shot_args);
        (
            sorted.join().unwrap(),
            drilled.join().unwrap(),
            glyphs.join().unwrap(),
            clicks.join().unwrap(),
        )
    });

    // Sorted by total, descending; everything else as in the static page.
    let body = body_tag(&sorted);
    assert_eq!(attr(body, "data-ready").as_deref(), Some("1"), "{body}");
    assert_eq!(
        attr(body, "data-missing-glyphs").as_deref(),
        Some("0"),
        "{body}"
    );
    assert_eq!(attr(body, "data-missing-list").as_deref(), Some(""));
    assert_eq!(attr(body, "data-view").as_deref(), Some("root"));
    check_table(&sorted, "units", &f.units, &f.directory);
    check_table(&sorted, "rollup", &f.rollup, &f.directory);
    let rows = body_rows(&sorted, "units");
    let totals: Vec<u64> = rows
        .iter()
        .map(|t| attr(&t.cells[2].0, "data-value").unwrap().parse().unwrap())
        .collect();
    assert!(
        totals.windows(2).all(|w| w[0] >= w[1]),
        "not descending: {totals:?}"
    );
    assert_eq!(totals.len(), f.units.len());
    assert!(
        rows.iter().all(|t| !t.hidden()),
        "top view shows every unit"
    );
    let units_table = element(&sorted, "<table id=\"units\"", ">");
    assert_eq!(
        attr(units_table, "data-sort").as_deref(),
        Some("total:desc")
    );
    // Top view: the roots (provinces, the ministry, the unit missing from the directory).
    let roots = set(&["G01", "H26", "H27", "H99"]);
    assert_eq!(visible_units(&body_rows(&sorted, "drill-table")), roots);
    assert_eq!(visible_bars(&sorted), roots);
    for name in [
        "Thành phố Hà Nội",
        "Ủy ban nhân dân xã Đông Hưng",
        "Phường Phúc Xá",
        "Tỉnh Quảng Ninh",
        "Bộ Tư pháp",
    ] {
        assert!(sorted.contains(name), "{name} not intact in the DOM");
    }
    assert!(
        sorted.contains("Sở Nội vụ &lt;b&gt;&amp;\"&lt;/script&gt;")
            || sorted.contains("Sở Nội vụ &lt;b&gt;&amp;&quot;&lt;/script&gt;")
    );

    // Drilled into H26: its children only, with their subtree counts.
    let body = body_tag(&drilled);
    assert_eq!(attr(body, "data-ready").as_deref(), Some("1"));
    assert_eq!(attr(body, "data-view").as_deref(), Some("H26"));
    let children = set(&["H26.001", "H26.002", "H26.003"]);
    let drill_rows = body_rows(&drilled, "drill-table");
    assert_eq!(visible_units(&drill_rows), children);
    assert_eq!(visible_bars(&drilled), children);
    let nodes = nodes(&f);
    for t in drill_rows.iter().filter(|t| !t.hidden()) {
        let want = &nodes[&t.unit()].counts;
        assert_eq!(t.cells[2].1, want.total.to_string(), "{}", t.unit());
    }
    let h26_001 = drill_rows.iter().find(|t| t.unit() == "H26.001").unwrap();
    assert_eq!(h26_001.cells[2].1, "9", "H26.001 counts its commune");
    // The units table follows the drill-down: H26's subtree.
    assert_eq!(
        visible_units(&body_rows(&drilled, "units")),
        set(&["H26", "H26.001", "H26.001.00001", "H26.002", "H26.003"])
    );
    let crumbs = text(element(&drilled, "<nav id=\"crumbs\"", "</nav>"));
    assert!(crumbs.contains("H26 Thành phố Hà Nội"), "{crumbs}");

    // The glyph check sees the two characters without a glyph.
    let body = body_tag(&glyphs);
    assert_eq!(attr(body, "data-ready").as_deref(), Some("1"));
    assert_eq!(
        attr(body, "data-missing-glyphs").as_deref(),
        Some("2"),
        "{body}"
    );
    assert_eq!(
        attr(body, "data-missing-list").as_deref(),
        Some("U+0378 U+2FFFD")
    );

    // Header clicks toggle the order; the hash drills down; the breadcrumb comes back.
    let body = body_tag(&clicks);
    let shares = |key: &str| -> Vec<f64> {
        attr(body, key)
            .unwrap_or_else(|| panic!("no {key}: {body}"))
            .split(',')
            .map(|v| v.parse().unwrap())
            .collect()
    };
    let mut want: Vec<f64> = f.units.iter().map(|r| r.counts.signed_share).collect();
    want.sort_by(f64::total_cmp);
    assert_eq!(shares("data-click-asc"), want);
    want.reverse();
    assert_eq!(shares("data-click-desc"), want);
    assert_eq!(
        attr(body, "data-click-sort").as_deref(),
        Some("signed_share:desc")
    );
    assert_eq!(attr(body, "data-hash-view").as_deref(), Some("H26.001"));
    assert_eq!(
        attr(body, "data-hash-drill").as_deref(),
        Some("H26.001.00001")
    );
    assert_eq!(attr(body, "data-crumb-view").as_deref(), Some("root"));
    assert_eq!(
        attr(body, "data-crumb-drill").as_deref(),
        Some("G01 H26 H27 H99")
    );

    // The screenshot: a PNG of the requested width, not blank.
    println!("screenshot: {}", shot.display());
    let decoder = png::Decoder::new(std::io::BufReader::new(File::open(&shot).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.width, 1280);
    assert!(info.height >= 1000, "height {}", info.height);
    let channels = info.color_type.samples();
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    let pixels = &buf[..info.buffer_size()];
    let total = pixels.len() / channels;
    let inked = pixels
        .chunks_exact(channels)
        .filter(|p| p.iter().take(3).any(|&c| c < 200))
        .count();
    assert!(
        inked * 100 > total,
        "screenshot nearly blank: {inked} of {total} pixels inked"
    );
    println!("done in {:?}", started.elapsed());
}

/// The size the page must handle: every unit of the 2025 directory with documents (3,372 units,
/// 34 roll-up rows, about 5 MB of HTML). Slow-ish (a few seconds in Chromium), hence ignored:
/// `cargo test --release --test stats_html -- --ignored`.
#[test]
#[ignore]
fn stats_html_scale() {
    let directory = Directory::sample(Sample::Y2025).unwrap();
    let mut ledger = Ledger::new(MemoryLedger::new());
    let mut entries = Vec::new();
    for (k, a) in directory.iter().enumerate() {
        let unit = a.id.as_str();
        let day = "2026-08-01";
        let issued = Direction::Issued;
        entries.extend(docs(
            unit,
            "v",
            1 + k % 7,
            day,
            issued,
            Outcome::SignedValid,
        ));
        entries.extend(docs(unit, "u", k % 3, day, issued, Outcome::Unsigned));
    }
    ledger.record_all(&entries).unwrap();
    let report = StatsReport::build(
        &ledger,
        &directory,
        &Filter::default(),
        TARGET,
        0,
        Vec::new(),
    )
    .unwrap();
    assert_eq!(report.units.len(), directory.len());
    let started = Instant::now();
    let html = report.to_html();
    println!("{} bytes of HTML in {:?}", html.len(), started.elapsed());
    assert!(html.len() < 8_000_000, "{} bytes", html.len());
    let work = TempDir::new("scale");
    let page = work.join("report.html");
    std::fs::write(&page, &html).unwrap();
    println!("page: {}", page.display());
    let Some(bin) = chromium() else {
        println!("SKIPPED the browser checks: no chromium or chromium-browser on PATH");
        return;
    };
    let province = report.rollup[0].unit.to_string();
    let started = Instant::now();
    let dom = run_chromium(
        &bin,
        &work,
        "scale",
        &file_url(&page, &format!("#unit={province}&sort=signed_share:desc")),
        &["--dump-dom".to_owned()],
    );
    println!("Chromium: {:?}", started.elapsed());
    let body = body_tag(&dom);
    assert_eq!(attr(body, "data-ready").as_deref(), Some("1"));
    assert_eq!(attr(body, "data-view"), Some(province.clone()));
    assert_eq!(attr(body, "data-missing-glyphs").as_deref(), Some("0"));
    let children: BTreeSet<String> = directory
        .iter()
        .filter(|a| a.parent.as_ref().map(AgencyId::as_str) == Some(province.as_str()))
        .map(|a| a.id.to_string())
        .collect();
    assert!(children.len() > 10);
    assert_eq!(visible_units(&body_rows(&dom, "drill-table")), children);
    assert_eq!(visible_bars(&dom), children);
}
