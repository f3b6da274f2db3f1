//! [`StatsReport::to_html`]: the statistics as one self-contained HTML page for auditors.
//!
//! The page loads nothing from the network: CSS and JS are inline, fonts are the system's. Every
//! number is in the static HTML (tables and an inline SVG bar chart rendered here); the script
//! only sorts, filters (the drill-down) and checks that the unit names render with real glyphs.
//!
//! Layout of the page (ids are stable, tests and users link to them):
//! - `#summary`: period, target, files scanned, unreadable files (`#unreadable-files`).
//! - `#drill`: the drill-down. `#crumbs` (breadcrumb), `#chart` (SVG, one `g.bar` per unit)
//!   and `#drill-table`. Its rows are the *nodes*: every unit of `units` or `rollup`, with its
//!   subtree counts (the roll-up row when there is one, else the unit's own row). The top view
//!   shows the roots (nodes whose parent is not in the report); `#unit=ID` shows the nodes
//!   whose parent is `ID`.
//! - `#units` and `#rollup`: the two tables of the JSON contract, filtered to the subtree of
//!   the unit shown in the drill-down.
//! - `#stats-data`: the JSON contract plus `placement`, for the script.
//!
//! Hash, read on load and on `hashchange`: `#unit=ID` (the drill-down view; `root` when absent
//! or not in the report), `#sort=COL` or `#sort=COL:desc` (sorts the three tables, the chart
//! following the drill-down table; absent: the order is kept), combined with `&`. Clicking a
//! column heading sorts that table only, ascending then descending (`table[data-sort]` holds the
//! order). After applying the hash the script sets `body[data-ready="1"]` and `body[data-view]`
//! (the unit id, or `root`).
//!
//! Glyph check: every distinct non-ASCII character of the unit names is drawn on a canvas in the
//! page's font and compared, pixels and advance width, with U+10FFFD (private use, in no font),
//! which is drawn as the missing-glyph box; equal means the character shows as a box. The count
//! goes to `body[data-missing-glyphs]` (`-1` when there is no canvas), the code points
//! (`U+XXXX`, space-separated) to `body[data-missing-list]` and a visible `#glyph-warning`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::{Counts, Row, StatsReport};
use crate::exchange::AgencyId;

/// Column keys, in table order: the JSON contract's field names.
const COLS: [&str; 7] = [
    "unit",
    "name",
    "total",
    "signed_valid",
    "signed_invalid",
    "unsigned",
    "signed_share",
];

/// Column headings: Vietnamese, then the JSON name in English.
const HEADINGS: [(&str, &str); 7] = [
    ("Mã đơn vị", "unit"),
    ("Tên đơn vị", "name"),
    ("Tổng số", "total"),
    ("Ký số hợp lệ", "signed valid"),
    ("Ký số không hợp lệ", "signed invalid"),
    ("Không ký số", "unsigned"),
    ("Tỷ lệ ký số hợp lệ", "signed share"),
];

// Chart geometry, in SVG user units.
const CHART_W: f64 = 960.0;
const LABEL_END: f64 = 322.0;
const BAR_X: f64 = 330.0;
const BAR_W: f64 = 520.0;
const PCT_X: f64 = 858.0;
/// Height of one bar's row; the bar itself is `BAR_H` high.
const ROW_H: u32 = 20;
const BAR_H: u32 = 14;
/// Where the first bar starts (above: percent ticks and the target label); bar `i` is
/// translated to `TOP + i * ROW_H`.
const TOP: u32 = 39;
const BOTTOM_PAD: u32 = 6;
/// Characters of a name kept in a chart label (the full name is in the tooltip).
const LABEL_CHARS: usize = 34;

/// One unit of the drill-down: its subtree counts and where it sits.
struct Node<'a> {
    row: &'a Row,
    parent: Option<&'a AgencyId>,
    has_children: bool,
}

impl StatsReport {
    /// The report as one self-contained HTML5 page (see the module docs): a summary, a
    /// drill-down from the roots of the report (provinces, ministries) to their units with a
    /// stacked bar chart against the target, and the sortable `units` and `rollup` tables.
    /// Nothing is loaded from the network.
    pub fn to_html(&self) -> String {
        let nodes = self.nodes();
        let mut out = String::with_capacity(
            4096 + 700 * (self.units.len() + self.rollup.len() + nodes.len()),
        );
        let period = self
            .period
            .map(|p| p.to_string())
            .unwrap_or_else(|| "all time".to_owned());
        out.push_str("<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n");
        out.push_str(
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <meta name=\"generator\" content=\"vnedoc stats\">\n",
        );
        let _ = writeln!(
            out,
            "<title>Thống kê ký số văn bản điện tử — {}</title>",
            esc(&period)
        );
        out.push_str("<style>\n");
        out.push_str(CSS);
        out.push_str("</style>\n</head>\n<body data-ready=\"0\">\n");

        self.summary(&mut out, &period);

        // Drill-down.
        out.push_str(
            "<section id=\"drill\">\n<h2>Theo đơn vị <span class=\"en\">drill-down: \
             click a unit to see the units below it</span></h2>\n\
             <nav id=\"crumbs\" aria-label=\"breadcrumb\"><a href=\"#\">Tất cả \
             <span class=\"en\">all</span></a></nav>\n\
             <p id=\"view-note\" class=\"view-note\" hidden></p>\n",
        );
        legend(&mut out, self.target);
        self.chart(&mut out, &nodes);
        let node_rows = nodes.values().map(|n| (n.row, n.parent, n.has_children));
        self.table(
            &mut out,
            "drill-table",
            "Số liệu cả đơn vị và các đơn vị cấp dưới (each unit with everything below it)",
            node_rows,
        );
        out.push_str("</section>\n");

        let has_children: BTreeSet<&AgencyId> = nodes
            .iter()
            .filter(|(_, n)| n.has_children)
            .map(|(id, _)| *id)
            .collect();
        for (id, heading, caption, rows) in [
            (
                "units",
                "Từng đơn vị <span class=\"en\">units: each unit's own documents</span>",
                "Văn bản của chính từng đơn vị (each unit's own documents)",
                &self.units,
            ),
            (
                "rollup",
                "Tổng hợp <span class=\"en\">roll-up: each unit with everything below it</span>",
                "Tổng hợp theo cây đơn vị (roll-up over the directory)",
                &self.rollup,
            ),
        ] {
            let _ = writeln!(
                out,
                "<section id=\"{id}-section\">\n<h2>{heading}</h2>\n\
                 <p class=\"count\" id=\"{id}-count\">{} / {}</p>",
                rows.len(),
                rows.len()
            );
            let table_rows = rows
                .iter()
                .map(|r| (r, self.parent_of(&r.unit), has_children.contains(&r.unit)));
            self.table(&mut out, id, caption, table_rows);
            out.push_str("</section>\n");
        }

        // The data, for the script: `<` escaped so no name can close the script element.
        out.push_str("<script type=\"application/json\" id=\"stats-data\">");
        out.push_str(&script_json(&self.json_data()));
        out.push_str("</script>\n<script>\n");
        out.push_str(JS);
        out.push_str("</script>\n</body>\n</html>\n");
        out
    }

    /// The drill-down nodes by unit id: the roll-up row when there is one, else the own row.
    fn nodes(&self) -> BTreeMap<&AgencyId, Node<'_>> {
        let mut nodes: BTreeMap<&AgencyId, Node<'_>> = BTreeMap::new();
        for r in self.units.iter().chain(&self.rollup) {
            nodes.insert(
                &r.unit,
                Node {
                    row: r,
                    parent: self.parent_of(&r.unit),
                    has_children: false,
                },
            );
        }
        let parents: Vec<&AgencyId> = nodes.values().filter_map(|n| n.parent).collect();
        for p in parents {
            if let Some(n) = nodes.get_mut(p) {
                n.has_children = true;
            }
        }
        nodes
    }

    fn parent_of(&self, unit: &AgencyId) -> Option<&AgencyId> {
        self.placement.get(unit).and_then(|p| p.parent.as_ref())
    }

    fn below(&self, c: &Counts) -> bool {
        c.total > 0 && c.signed_share < self.target
    }

    fn summary(&self, out: &mut String, period: &str) {
        let mut all = Counts::default();
        for r in &self.units {
            all.add(&r.counts);
        }
        let below = self.below_target().len();
        out.push_str(
            "<header id=\"summary\">\n<h1>Thống kê ký số văn bản điện tử \
             <span class=\"en\">signed e-documents per unit</span></h1>\n<dl class=\"summary\">\n",
        );
        let period_text = if self.period.is_some() {
            esc(period)
        } else {
            "Toàn bộ thời gian <span class=\"en\">all time</span>".to_owned()
        };
        let items: [(&str, &str, &str, String); 9] = [
            ("period", "Kỳ báo cáo", "period", period_text),
            (
                "target",
                "Chỉ tiêu tỷ lệ ký số hợp lệ",
                "target",
                format!("{:.1}%", self.target),
            ),
            (
                "files",
                "Số tệp đã quét",
                "files scanned",
                self.files.to_string(),
            ),
            (
                "unreadable",
                "Tệp không đọc được",
                "unreadable",
                self.unreadable.len().to_string(),
            ),
            (
                "documents",
                "Số văn bản",
                "documents",
                all.total.to_string(),
            ),
            (
                "all-signed-valid",
                "Ký số hợp lệ",
                "signed valid",
                all.signed_valid.to_string(),
            ),
            (
                "all-signed-invalid",
                "Ký số không hợp lệ",
                "signed invalid",
                all.signed_invalid.to_string(),
            ),
            (
                "all-unsigned",
                "Không ký số",
                "unsigned",
                all.unsigned.to_string(),
            ),
            (
                "below-count",
                "Đơn vị dưới chỉ tiêu",
                "units below target",
                format!("{below} / {}", self.units.len()),
            ),
        ];
        for (id, vi, en, value) in items {
            let _ = writeln!(
                out,
                "<div><dt>{vi} <span class=\"en\">{en}</span></dt><dd id=\"{id}\">{value}</dd></div>"
            );
        }
        out.push_str("</dl>\n");
        let _ = writeln!(
            out,
            "<p class=\"overall\">Tỷ lệ ký số hợp lệ chung <span class=\"en\">overall signed \
             share</span>: <strong id=\"overall-share\">{:.1}%</strong></p>",
            all.signed_share
        );
        let _ = writeln!(
            out,
            "<details id=\"unreadable-files\"><summary>Danh sách tệp không đọc được \
             <span class=\"en\">unreadable or unplaced files</span> ({})</summary>",
            self.unreadable.len()
        );
        if self.unreadable.is_empty() {
            out.push_str("<p>Không có <span class=\"en\">none</span></p>\n");
        } else {
            out.push_str("<ul>\n");
            for s in &self.unreadable {
                let _ = writeln!(
                    out,
                    "<li><code>{}</code>: {}</li>",
                    esc(&s.file),
                    esc(&s.reason)
                );
            }
            out.push_str("</ul>\n");
        }
        out.push_str("</details>\n");
        out.push_str(
            "<p class=\"note\">Theo Quyết định 28/2018/QĐ-TTg, văn bản điện tử không ký số chỉ có \
             giá trị tham khảo. <span class=\"en\">Decision 28/2018: unsigned e-documents are \
             for reference only.</span></p>\n\
             <p id=\"glyph-warning\" class=\"warn\" hidden></p>\n</header>\n",
        );
    }

    /// A sortable table. `rows`: the row, its directory parent, whether it has units below it
    /// in the report (its id is then a drill-down link).
    fn table<'r>(
        &self,
        out: &mut String,
        id: &str,
        caption: &str,
        rows: impl Iterator<Item = (&'r Row, Option<&'r AgencyId>, bool)>,
    ) {
        let _ = write!(
            out,
            "<table id=\"{id}\" class=\"sortable\">\n<caption>{}</caption>\n<thead><tr>",
            esc(caption)
        );
        for (col, (vi, en)) in COLS.iter().zip(HEADINGS) {
            let _ = write!(
                out,
                "<th scope=\"col\" data-col=\"{col}\"><button type=\"button\">{vi}\
                 <span class=\"en\">{en}</span></button></th>"
            );
        }
        out.push_str("</tr></thead>\n<tbody>\n");
        for (r, parent, has_children) in rows {
            let unit = esc(r.unit.as_str());
            let _ = write!(
                out,
                "<tr data-unit=\"{unit}\" data-parent=\"{}\"",
                esc(parent.map(AgencyId::as_str).unwrap_or_default())
            );
            match (self.below(&r.counts), has_children) {
                (true, true) => out.push_str(" class=\"below-target has-kids\""),
                (true, false) => out.push_str(" class=\"below-target\""),
                (false, true) => out.push_str(" class=\"has-kids\""),
                (false, false) => {}
            }
            if has_children {
                let _ = write!(out, "><td><a href=\"#unit={unit}\">{unit}</a></td>");
            } else {
                let _ = write!(out, "><td>{unit}</td>");
            }
            let _ = write!(out, "<td>{}</td>", esc(&r.name));
            let c = &r.counts;
            for (col, v) in [
                ("total", c.total),
                ("signed_valid", c.signed_valid),
                ("signed_invalid", c.signed_invalid),
                ("unsigned", c.unsigned),
            ] {
                let _ = write!(out, "<td data-col=\"{col}\" data-value=\"{v}\">{v}</td>");
            }
            let _ = writeln!(
                out,
                "<td data-col=\"signed_share\" data-value=\"{}\">{:.1}%</td></tr>",
                c.signed_share, c.signed_share
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }

    /// The stacked bar chart: one `g.bar` per node, in id order, all laid out (the script
    /// hides and moves them for the drill-down).
    fn chart(&self, out: &mut String, nodes: &BTreeMap<&AgencyId, Node<'_>>) {
        let bars_end = TOP.saturating_add(
            ROW_H.saturating_mul(u32::try_from(nodes.len()).unwrap_or(u32::MAX / ROW_H)),
        );
        let height = bars_end.saturating_add(BOTTOM_PAD);
        let _ = writeln!(
            out,
            "<svg id=\"chart\" width=\"{CHART_W}\" height=\"{height}\" \
             viewBox=\"0 0 {CHART_W} {height}\" data-top=\"{TOP}\" data-row=\"{ROW_H}\" \
             data-pad=\"{BOTTOM_PAD}\" aria-label=\"Tỷ lệ ký số hợp lệ, ký số \
             không hợp lệ và không ký số theo đơn vị (signed valid, signed invalid and \
             unsigned shares per unit)\">"
        );
        // Percent grid and ticks.
        for pct in [0u32, 25, 50, 75, 100] {
            let x = BAR_X + BAR_W * f64::from(pct) / 100.0;
            let _ = writeln!(
                out,
                "<line class=\"v grid\" x1=\"{x}\" x2=\"{x}\" y1=\"16\" y2=\"{bars_end}\"/>\
                 <text class=\"tick\" x=\"{x}\" y=\"12\">{pct}%</text>"
            );
        }
        out.push_str("<g id=\"bars\">\n");
        let mut y = TOP;
        for (id, n) in nodes {
            self.bar(out, id, n, y);
            y = y.saturating_add(ROW_H);
        }
        out.push_str("</g>\n");
        let target = if self.target.is_finite() {
            self.target.clamp(0.0, 100.0)
        } else {
            0.0
        };
        let tx = BAR_X + BAR_W * target / 100.0;
        let _ = writeln!(
            out,
            "<line id=\"target-line\" class=\"v target\" x1=\"{tx:.2}\" x2=\"{tx:.2}\" y1=\"16\" \
             y2=\"{bars_end}\"/><text class=\"target-label\" x=\"{tx:.2}\" y=\"28\">\
             chỉ tiêu {:.1}%</text>\n</svg>",
            self.target
        );
    }

    fn bar(&self, out: &mut String, id: &AgencyId, n: &Node<'_>, y: u32) {
        let c = &n.row.counts;
        let unit = esc(id.as_str());
        let below = if self.below(c) { " below-target" } else { "" };
        let _ = write!(
            out,
            "<g class=\"bar{below}\" data-unit=\"{unit}\" data-parent=\"{}\" \
             transform=\"translate(0,{y})\"><title>{}</title>",
            esc(n.parent.map(AgencyId::as_str).unwrap_or_default()),
            esc(&tooltip(n.row))
        );
        let mut label = String::from(id.as_str());
        if !n.row.name.is_empty() {
            label.push(' ');
            label.extend(n.row.name.chars().take(LABEL_CHARS));
            if n.row.name.chars().nth(LABEL_CHARS).is_some() {
                label.push('…');
            }
        }
        let text = format!(
            "<text x=\"{LABEL_END}\" y=\"{}\">{}</text>",
            BAR_H.saturating_sub(3),
            esc(&label)
        );
        if n.has_children {
            let _ = write!(out, "<a href=\"#unit={unit}\">{text}</a>");
        } else {
            out.push_str(&text);
        }
        // Segment edges from cumulative shares, so the three widths add up to the bar.
        let valid_end = super::share(c.signed_valid, c.total);
        let invalid_end = super::share(c.signed_valid.saturating_add(c.signed_invalid), c.total);
        let unsigned_end = if c.total > 0 { 100.0 } else { 0.0 };
        let mut from = 0.0;
        for (col, class, value, to) in [
            ("signed_valid", "sv", c.signed_valid, valid_end),
            ("signed_invalid", "si", c.signed_invalid, invalid_end),
            ("unsigned", "un", c.unsigned, unsigned_end),
        ] {
            let x = num(BAR_X + BAR_W * from / 100.0);
            let w = num((BAR_W * (to - from) / 100.0).max(0.0));
            let _ = write!(
                out,
                "<rect class=\"{class}\" data-unit=\"{unit}\" data-col=\"{col}\" \
                 data-value=\"{value}\" x=\"{x}\" width=\"{w}\" height=\"{BAR_H}\"/>"
            );
            from = to;
        }
        let _ = writeln!(
            out,
            "<text class=\"pct\" x=\"{PCT_X}\" y=\"{}\">{:.1}%</text></g>",
            BAR_H.saturating_sub(3),
            c.signed_share
        );
    }

    /// The JSON contract with `placement` added.
    fn json_data(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(self).unwrap_or_default();
        if let Some(map) = v.as_object_mut() {
            map.insert(
                "placement".to_owned(),
                serde_json::to_value(&self.placement).unwrap_or_default(),
            );
        }
        v
    }
}

fn legend(out: &mut String, target: f64) {
    let _ = writeln!(
        out,
        "<p class=\"legend\"><span class=\"key sv\"></span>Ký số hợp lệ \
         <span class=\"en\">signed valid</span> <span class=\"key si\"></span>Ký số không hợp lệ \
         <span class=\"en\">signed invalid</span> <span class=\"key un\"></span>Không ký số \
         <span class=\"en\">unsigned</span> <span class=\"key tl\"></span>Chỉ tiêu \
         <span class=\"en\">target</span> {target:.1}% <span class=\"key bt\"></span>Dưới chỉ tiêu \
         <span class=\"en\">below target</span></p>"
    );
}

/// The tooltip of a bar: every number of the row.
fn tooltip(r: &Row) -> String {
    let c = &r.counts;
    let pct = |v: u64| super::share(v, c.total);
    let mut s = String::from(r.unit.as_str());
    if !r.name.is_empty() {
        s.push(' ');
        s.push_str(&r.name);
    }
    let _ = write!(
        s,
        "\nTổng số: {}\nKý số hợp lệ: {} ({:.1}%)\nKý số không hợp lệ: {} ({:.1}%)\n\
         Không ký số: {} ({:.1}%)",
        c.total,
        c.signed_valid,
        pct(c.signed_valid),
        c.signed_invalid,
        pct(c.signed_invalid),
        c.unsigned,
        pct(c.unsigned)
    );
    s
}

/// A coordinate with at most two decimals, without trailing zeros.
fn num(v: f64) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_owned()
    } else {
        s.to_owned()
    }
}

/// HTML escaping for text and double- or single-quoted attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

/// JSON for a `<script type="application/json">` element: `<`, `>` and `&` as `\u` escapes
/// (only ever inside strings in JSON), so no `</script>` or `<!--` can appear.
fn script_json(v: &serde_json::Value) -> String {
    let text = serde_json::to_string(v).unwrap_or_else(|_| "{}".to_owned());
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            _ => out.push(ch),
        }
    }
    out
}

const CSS: &str = r##":root{--sv:#1b7f3b;--si:#d84315;--un:#a6a6a6;--bad:#b71c1c;--bad-bg:#fdecea;--link:#0b57d0}
*{box-sizing:border-box}
[hidden]{display:none!important}
body{margin:0;padding:16px 24px 48px;font:14px/1.45 "Segoe UI","Noto Sans","DejaVu Sans","Liberation Sans",Arial,sans-serif;color:#1a1a1a;background:#fff}
h1{font-size:22px;margin:0 0 8px}
h2{font-size:18px;margin:28px 0 8px;padding-bottom:4px;border-bottom:2px solid #dde2e7}
.en{color:#5f6368;font-size:.85em;font-weight:normal}
a{color:var(--link)}
dl.summary{display:flex;flex-wrap:wrap;gap:8px;margin:8px 0}
dl.summary div{background:#f1f4f7;padding:6px 12px;border-radius:4px;min-width:9em}
dt{font-size:12px;color:#444}
dd{margin:0;font-size:18px;font-weight:600}
.note{border-left:4px solid var(--un);padding:4px 10px;background:#f7f7f7}
.warn{border:1px solid #d9b44a;background:#fff4ce;padding:6px 10px}
details{margin:8px 0}
summary{cursor:pointer}
details ul{max-height:20em;overflow:auto;margin:4px 0;font-size:13px}
#crumbs{font-size:15px;margin:4px 0 8px}
#crumbs .sep{color:#888;margin:0 6px}
.view-note{margin:4px 0;white-space:pre-line}
.legend{font-size:13px}
.key{display:inline-block;width:12px;height:12px;margin:0 4px 0 10px;vertical-align:-1px}
.key.sv{background:var(--sv)}.key.si{background:var(--si)}.key.un{background:var(--un)}
.key.tl{width:0;height:14px;border-left:2px dashed #000}
.key.bt{background:var(--bad-bg);border:1px solid var(--bad)}
#chart{display:block;max-width:100%;height:auto;margin:8px 0 16px}
#chart text{font-size:12px;fill:#1a1a1a;text-anchor:end}
#chart text.tick,#chart text.target-label{text-anchor:middle}
#chart text.pct{text-anchor:start}
#chart a text{fill:var(--link)}
#chart text.tick{fill:#666;font-size:11px}
#chart text.target-label{font-size:11px;font-weight:600}
rect.sv{fill:var(--sv)}rect.si{fill:var(--si)}rect.un{fill:var(--un)}
line.grid{stroke:#e2e2e2}
line.target{stroke:#000;stroke-width:1.5;stroke-dasharray:5 4}
g.below-target text.pct{fill:var(--bad);font-weight:600}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums;margin-bottom:8px}
caption{text-align:left;color:#555;font-size:13px;padding:2px 0}
th,td{padding:3px 8px;border-bottom:1px solid #e6e6e6;text-align:left;vertical-align:top}
td[data-col]{text-align:right;white-space:nowrap}
thead th{position:sticky;top:0;background:#eef1f4;vertical-align:bottom}
th button{font:inherit;font-weight:600;background:none;border:0;padding:0;cursor:pointer;color:inherit;text-align:inherit}
th .en{display:block}
th[data-col=total],th[data-col=signed_valid],th[data-col=signed_invalid],th[data-col=unsigned],th[data-col=signed_share]{text-align:right}
th[aria-sort=ascending] button::after{content:" \2191"}
th[aria-sort=descending] button::after{content:" \2193"}
tr.below-target td{background:var(--bad-bg)}
tr.below-target td:last-child{color:var(--bad);font-weight:600}
tr.below-target td:last-child::before{content:"\25BC  ";font-size:10px}
tr.has-kids{cursor:pointer}
tbody tr:hover td{background:#e8f0fe}
.count{color:#555;font-size:13px;margin:0}
@media print{thead th{position:static}#crumbs,.legend a{display:none}}
"##;

const JS: &str = r##"(function () {
"use strict";
var COLS = ["unit", "name", "total", "signed_valid", "signed_invalid", "unsigned", "signed_share"];
var body = document.body;
var data = JSON.parse(document.getElementById("stats-data").textContent);
var byId = function (id) { return document.getElementById(id); };
var show = function (el, on) { if (on) el.removeAttribute("hidden"); else el.setAttribute("hidden", ""); };
var each = function (list, f) { Array.prototype.forEach.call(list, f); };
var names = {}, own = {}, sub = {};
data.units.forEach(function (r) { names[r.unit] = r.name; own[r.unit] = r; });
data.rollup.forEach(function (r) { names[r.unit] = r.name; sub[r.unit] = r; });
var parentOf = {};
Object.keys(data.placement).forEach(function (u) { parentOf[u] = data.placement[u].parent || ""; });

// Glyph check: a character without a glyph in any installed font is drawn as the missing-glyph
// box, the same as U+10FFFD (private use, in no font).
function glyphCheck() {
  var chars = {};
  Object.keys(names).forEach(function (u) {
    for (var ch of names[u]) { if (ch.codePointAt(0) > 127) chars[ch] = true; }
  });
  var missing = [];
  var canvas = document.createElement("canvas");
  canvas.width = 48; canvas.height = 48;
  var ctx = canvas.getContext("2d", { willReadFrequently: true });
  if (!ctx) { body.dataset.missingGlyphs = "-1"; body.dataset.missingList = ""; return; }
  ctx.font = "24px " + getComputedStyle(body).fontFamily;
  ctx.textBaseline = "top";
  ctx.fillStyle = "#000";
  var draw = function (ch) {
    ctx.clearRect(0, 0, 48, 48);
    ctx.fillText(ch, 8, 8);
    return { w: ctx.measureText(ch).width, px: ctx.getImageData(0, 0, 48, 48).data };
  };
  var box = draw("\u{10FFFD}");
  var cp = function (ch) { return ch.codePointAt(0); };
  Object.keys(chars).sort(function (a, b) { return cp(a) - cp(b); }).forEach(function (ch) {
    var g = draw(ch);
    if (g.w !== box.w) return;
    for (var i = 0; i < g.px.length; i++) { if (g.px[i] !== box.px[i]) return; }
    missing.push("U+" + ch.codePointAt(0).toString(16).toUpperCase().padStart(4, "0"));
  });
  body.dataset.missingGlyphs = String(missing.length);
  body.dataset.missingList = missing.join(" ");
  if (missing.length) {
    var w = byId("glyph-warning");
    w.textContent = "Phông chữ trên máy này không hiển thị được " + missing.length +
      " ký tự trong tên đơn vị (characters without a glyph in the installed fonts): " +
      missing.join(" ");
    show(w, true);
  }
}

// Sorting.
var collator = new Intl.Collator("vi", { numeric: true });
var byUnit = function (a, b) { return a < b ? -1 : a > b ? 1 : 0; };
function sortTable(table, col, desc) {
  var idx = COLS.indexOf(col);
  if (idx < 0 || !table.tBodies[0]) return;
  var numeric = idx >= 2;
  var tb = table.tBodies[0];
  var keyed = Array.prototype.map.call(tb.rows, function (r) {
    var c = r.cells[idx], u = r.getAttribute("data-unit") || "";
    var k = idx === 0 ? u : numeric ? Number(c ? c.getAttribute("data-value") : 0) : (c ? c.textContent : "");
    return { r: r, k: k, u: u };
  });
  keyed.sort(function (a, b) {
    var d = numeric ? a.k - b.k : idx === 0 ? byUnit(a.k, b.k) : collator.compare(a.k, b.k);
    if (desc) d = -d;
    return d || byUnit(a.u, b.u);
  });
  var frag = document.createDocumentFragment();
  keyed.forEach(function (x) { frag.appendChild(x.r); });
  tb.appendChild(frag);
  table.setAttribute("data-sort", col + (desc ? ":desc" : ""));
  each(table.tHead.querySelectorAll("th[data-col]"), function (th) {
    if (th.getAttribute("data-col") === col) th.setAttribute("aria-sort", desc ? "descending" : "ascending");
    else th.removeAttribute("aria-sort");
  });
  if (table.id === "drill-table") layout();
}
each(document.querySelectorAll("table.sortable"), function (table) {
  table.tHead.addEventListener("click", function (e) {
    var th = e.target.closest("th[data-col]");
    if (!th) return;
    var col = th.getAttribute("data-col");
    sortTable(table, col, table.getAttribute("data-sort") === col);
  });
});

// Drill-down.
var drill = byId("drill-table"), chart = byId("chart");
var nodes = {}, bars = {}, kids = {};
each(drill.tBodies[0].rows, function (r) { nodes[r.getAttribute("data-unit")] = r; });
each(chart.querySelectorAll("g.bar"), function (g) { bars[g.getAttribute("data-unit")] = g; });
Object.keys(nodes).forEach(function (u) {
  var p = nodes[u].getAttribute("data-parent");
  if (p && nodes[p]) (kids[p] = kids[p] || []).push(u);
});
var isRoot = function (u) { var p = nodes[u].getAttribute("data-parent"); return !p || !nodes[p]; };
function inSubtree(u, top) {
  for (var x = u, n = 0; x && n < 100; x = parentOf[x], n++) { if (x === top) return true; }
  return false;
}
function layout() {
  var top = Number(chart.getAttribute("data-top")), row = Number(chart.getAttribute("data-row"));
  var y = top;
  each(drill.tBodies[0].rows, function (r) {
    var g = bars[r.getAttribute("data-unit")];
    if (!g) return;
    var on = !r.hasAttribute("hidden");
    show(g, on);
    if (on) { g.setAttribute("transform", "translate(0," + y + ")"); y += row; }
  });
  var h = y + Number(chart.getAttribute("data-pad"));
  chart.setAttribute("height", String(h));
  chart.setAttribute("viewBox", "0 0 " + chart.getAttribute("width") + " " + h);
  each(chart.querySelectorAll("line.v"), function (l) { l.setAttribute("y2", String(y)); });
}
function label(u) { return names[u] ? u + " " + names[u] : u; }
function fmt(r) {
  return r.total + " văn bản (documents): " + r.signed_valid + " ký số hợp lệ (signed valid), " +
    r.signed_invalid + " không hợp lệ (invalid), " + r.unsigned + " không ký số (unsigned); " +
    r.signed_share.toFixed(1) + "%";
}
function view(unit) {
  each(drill.tBodies[0].rows, function (r) {
    var u = r.getAttribute("data-unit");
    show(r, unit ? r.getAttribute("data-parent") === unit : isRoot(u));
  });
  ["units", "rollup"].forEach(function (id) {
    var t = byId(id), n = 0, all = t.tBodies[0].rows.length;
    each(t.tBodies[0].rows, function (r) {
      var on = !unit || inSubtree(r.getAttribute("data-unit"), unit);
      show(r, on);
      if (on) n++;
    });
    byId(id + "-count").textContent = n + " / " + all + (unit ? " (" + label(unit) + ")" : "");
  });
  layout();
  var crumbs = byId("crumbs");
  while (crumbs.childNodes.length > 1) crumbs.removeChild(crumbs.lastChild);
  var chain = [];
  for (var x = unit, n = 0; x && n < 100; x = parentOf[x], n++) chain.unshift(x);
  chain.forEach(function (u, i) {
    var sep = document.createElement("span");
    sep.className = "sep"; sep.textContent = "\u203A";
    crumbs.appendChild(sep);
    var el = document.createElement(i === chain.length - 1 ? "strong" : "a");
    if (el.tagName === "A") el.href = "#unit=" + u;
    el.textContent = label(u);
    crumbs.appendChild(el);
  });
  var note = byId("view-note");
  if (unit) {
    var lines = [];
    var s = sub[unit] || own[unit];
    if (s) lines.push("Cả đơn vị và cấp dưới (with units below): " + fmt(s));
    if (own[unit] && sub[unit]) lines.push("Văn bản của chính đơn vị (own documents): " + fmt(own[unit]));
    if (!kids[unit]) lines.push("Không có đơn vị cấp dưới có văn bản (no units below with documents).");
    note.textContent = lines.join("\n");
    show(note, true);
  } else {
    show(note, false);
  }
}
drill.tBodies[0].addEventListener("click", function (e) {
  var r = e.target.closest("tr");
  if (r && kids[r.getAttribute("data-unit")] && !e.target.closest("a")) location.hash = "unit=" + r.getAttribute("data-unit");
});

// The hash: unit=ID and sort=COL[:desc], joined by "&".
function apply() {
  var h = {};
  location.hash.replace(/^#/, "").split("&").forEach(function (p) {
    var i = p.indexOf("=");
    if (i > 0) {
      try { h[decodeURIComponent(p.slice(0, i))] = decodeURIComponent(p.slice(i + 1)); } catch (e) { }
    }
  });
  if (h.sort) {
    var m = /^([a-z_]+)(?::(asc|desc))?$/.exec(h.sort);
    if (m && COLS.indexOf(m[1]) >= 0) {
      each(document.querySelectorAll("table.sortable"), function (t) { sortTable(t, m[1], m[2] === "desc"); });
    }
  }
  var unit = h.unit && nodes[h.unit] ? h.unit : "";
  view(unit);
  if (h.unit && !unit) {
    var note = byId("view-note");
    note.textContent = "Không có đơn vị " + h.unit + " trong báo cáo (unit not in this report).";
    show(note, true);
  }
  body.dataset.view = unit || "root";
  body.dataset.ready = "1";
}
try { glyphCheck(); } catch (e) { body.dataset.missingGlyphs = "-1"; body.dataset.missingList = String(e); }
window.addEventListener("hashchange", function () {
  apply();
  var d = byId("drill");
  if (d.getBoundingClientRect().top < 0) d.scrollIntoView();
});
apply();
})();
"##;
