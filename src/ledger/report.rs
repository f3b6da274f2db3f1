//! What `vnedoc stats` shows: the `units` and `rollup` tables with the files that could not be
//! read, as a text table, JSON, CSV or a self-contained HTML page ([`StatsReport::to_html`]).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::{Filter, Ledger, LedgerError, LedgerStore, Period, Row};
use crate::exchange::{AgencyId, Directory};

/// A file the scan could not turn into an entry, with the reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// The file as shown in reports (a [`Job::name`](super::scan::Job::name), or the path).
    pub file: String,
    /// Why it was left out, in words (`no unit folder`, `unreadable: …`).
    pub reason: String,
}

/// Where a unit sits in the directory, for the HTML drill-down.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Placement {
    /// The directory's parent; `None` for a root, or a unit missing from the directory.
    pub parent: Option<AgencyId>,
    /// The directory's level (`province`, `district`, `commune`, `central`, …); empty when the
    /// unit is not in the directory.
    pub level: String,
}

/// The statistics of one run: the two tables of the JSON contract and what was left out.
///
/// JSON: `{"units": [Row…], "rollup": [Row…], "period", "target", "files", "unreadable"}`,
/// where a row is `{"unit","name","total","signed_valid","signed_invalid","unsigned",
/// "signed_share"}`. `units` counts each unit's own documents; `rollup` has one row for every
/// ancestor unit with documents in its subtree, counting the whole subtree.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct StatsReport {
    /// One row per unit with documents, counting its own documents, by unit id.
    pub units: Vec<Row>,
    /// One row per ancestor unit of a unit with documents, counting its whole subtree, by
    /// unit id.
    pub rollup: Vec<Row>,
    /// The period counted (`2026-Q3`); `None`: all time.
    #[serde(serialize_with = "period_opt")]
    pub period: Option<Period>,
    /// The target signed share in percent.
    pub target: f64,
    /// Files looked at, readable or not.
    pub files: u64,
    /// Files that could not be read, or not placed in a unit; counted in `files`, not in the
    /// tables.
    pub unreadable: Vec<Skipped>,
    /// Parent and level of every unit of both tables.
    #[serde(skip)]
    pub placement: BTreeMap<AgencyId, Placement>,
}

fn period_opt<S: serde::Serializer>(p: &Option<Period>, s: S) -> Result<S::Ok, S::Error> {
    match p {
        Some(p) => s.serialize_str(&p.to_string()),
        None => s.serialize_none(),
    }
}

impl StatsReport {
    /// The report of a ledger for `filter` (its period is the one shown).
    pub fn build<S: LedgerStore>(
        ledger: &Ledger<S>,
        directory: &Directory,
        filter: &Filter,
        target: f64,
        files: u64,
        unreadable: Vec<Skipped>,
    ) -> Result<StatsReport, LedgerError> {
        let (units, rollup) = ledger.rollup_with(directory, filter)?;
        let placement = units
            .iter()
            .chain(&rollup)
            .map(|r| {
                let a = directory.get(&r.unit);
                (
                    r.unit.clone(),
                    Placement {
                        parent: a.and_then(|a| a.parent.clone()),
                        level: a.map(|a| a.level.to_string()).unwrap_or_default(),
                    },
                )
            })
            .collect();
        Ok(StatsReport {
            units,
            rollup,
            period: filter.period,
            target,
            files,
            unreadable,
            placement,
        })
    }

    /// Units whose signed share is below the target (documents present), lowest first.
    pub fn below_target(&self) -> Vec<&Row> {
        let mut rows: Vec<&Row> = self
            .units
            .iter()
            .filter(|r| r.counts.total > 0 && r.counts.signed_share < self.target)
            .collect();
        rows.sort_by(|a, b| {
            a.counts
                .signed_share
                .total_cmp(&b.counts.signed_share)
                .then_with(|| a.unit.cmp(&b.unit))
        });
        rows
    }

    /// The JSON contract, pretty-printed.
    pub fn to_json(&self) -> String {
        // Serialising plain data (strings, integers, finite floats) cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// One CSV table: `table,unit,name,total,signed_valid,signed_invalid,unsigned,signed_share`,
    /// where `table` is `units` or `rollup`. Fields are quoted per RFC 4180 when needed; UTF-8
    /// without a byte-order mark (for programs). [`StatsReport::to_csv_for_excel`] is the same
    /// table for people who open it in a spreadsheet.
    ///
    /// | column | content |
    /// |---|---|
    /// | `table` | `units` (each unit's own documents) or `rollup` (the unit and everything under it) |
    /// | `unit` | the agency id (Decision 20/2020) |
    /// | `name` | the unit's name in Vietnamese, as the directory gives it |
    /// | `total` | documents counted |
    /// | `signed_valid` | documents with a valid signature |
    /// | `signed_invalid` | signed documents whose signatures do not all pass |
    /// | `unsigned` | documents without any signature ("for reference only") |
    /// | `signed_share` | `signed_valid / total` in percent, two decimals, `.` as the decimal point |
    pub fn to_csv(&self) -> String {
        // Writing to memory cannot fail, every record has the header's eight fields, and the
        // fields are all UTF-8.
        self.write_csv()
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .unwrap_or_default()
    }

    /// [`StatsReport::to_csv`] preceded by the UTF-8 byte-order mark (U+FEFF). Excel reads a CSV
    /// file without one in the legacy code page of the user's Windows locale, which garbles every
    /// Vietnamese name ("Hà Nội" becomes "HÃ  Ná»™i"); with the mark it reads UTF-8. Python's
    /// `utf-8-sig`, pandas, LibreOffice and the `csv` crate skip the mark.
    pub fn to_csv_for_excel(&self) -> String {
        let mut out = String::from("\u{feff}");
        out.push_str(&self.to_csv());
        out
    }

    /// [`StatsReport::to_csv`] with the `csv` crate's writer: LF line ends, a field quoted only
    /// when it holds a comma, a quote or a line break, `""` for a quote.
    fn write_csv(&self) -> Result<Vec<u8>, csv::Error> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record([
            "table",
            "unit",
            "name",
            "total",
            "signed_valid",
            "signed_invalid",
            "unsigned",
            "signed_share",
        ])?;
        for (table, rows) in [("units", &self.units), ("rollup", &self.rollup)] {
            for r in rows {
                let c = &r.counts;
                w.write_record([
                    table,
                    r.unit.as_str(),
                    &r.name,
                    &c.total.to_string(),
                    &c.signed_valid.to_string(),
                    &c.signed_invalid.to_string(),
                    &c.unsigned.to_string(),
                    &format!("{:.2}", c.signed_share),
                ])?;
            }
        }
        w.into_inner().map_err(|e| e.into_error().into())
    }

    /// The text tables: units, then the roll-up, then the units below target and the files
    /// left out.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let period = self
            .period
            .map(|p| p.to_string())
            .unwrap_or_else(|| "all time".to_owned());
        let _ = writeln!(
            out,
            "Period: {period}; target signed share: {:.1}%; files: {}; unreadable: {}",
            self.target,
            self.files,
            self.unreadable.len()
        );
        out.push('\n');
        out.push_str("Units\n");
        text_table(&mut out, &self.units);
        out.push('\n');
        out.push_str("Roll-up (each unit with everything below it)\n");
        text_table(&mut out, &self.rollup);
        let below = self.below_target();
        if !below.is_empty() {
            let _ = writeln!(out, "\nBelow target ({:.1}%):", self.target);
            for r in below {
                let _ = writeln!(
                    out,
                    "  {} {}: {:.1}%",
                    r.unit.as_str(),
                    r.name,
                    r.counts.signed_share
                );
            }
        }
        if !self.unreadable.is_empty() {
            let _ = writeln!(out, "\nUnreadable or unplaced files:");
            for s in &self.unreadable {
                let _ = writeln!(out, "  {}: {}", s.file, s.reason);
            }
        }
        out
    }
}

fn text_table(out: &mut String, rows: &[Row]) {
    const HEAD: [&str; 7] = [
        "unit",
        "name",
        "total",
        "signed_valid",
        "signed_invalid",
        "unsigned",
        "signed_share",
    ];
    let cells: Vec<[String; 7]> = rows
        .iter()
        .map(|r| {
            let c = &r.counts;
            [
                r.unit.as_str().to_owned(),
                r.name.clone(),
                c.total.to_string(),
                c.signed_valid.to_string(),
                c.signed_invalid.to_string(),
                c.unsigned.to_string(),
                format!("{:.1}%", c.signed_share),
            ]
        })
        .collect();
    let mut widths = HEAD.map(|h| h.chars().count());
    for row in &cells {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |out: &mut String, row: [&str; 7]| {
        for (i, (cell, w)) in row.iter().zip(widths).enumerate() {
            let pad = w.saturating_sub(cell.chars().count());
            if i > 0 {
                out.push_str("  ");
            }
            // Text left, numbers right.
            if i < 2 {
                out.push_str(cell);
                if i + 1 < row.len() {
                    out.extend(std::iter::repeat_n(' ', pad));
                }
            } else {
                out.extend(std::iter::repeat_n(' ', pad));
                out.push_str(cell);
            }
        }
        out.push('\n');
    };
    line(out, HEAD);
    for row in &cells {
        line(out, row.each_ref().map(String::as_str));
    }
    if cells.is_empty() {
        out.push_str("(no documents)\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::Counts;

    #[test]
    fn csv_bytes() {
        let row = |unit: &str, name: &str, counts| Row {
            unit: AgencyId::parse(unit).unwrap(),
            name: name.to_owned(),
            counts,
        };
        let report = StatsReport {
            units: vec![
                row("H26.001", "Quận Ba Đình", Counts::new(2, 0, 1)),
                row("H26.002", "Sở \"Nội vụ\", Hà Nội", Counts::new(0, 1, 0)),
                row("H26.003", "hai\ndòng\r", Counts::new(0, 0, 0)),
            ],
            rollup: vec![row("H26", "", Counts::new(2, 1, 1))],
            period: None,
            target: 90.0,
            files: 4,
            unreadable: Vec::new(),
            placement: BTreeMap::new(),
        };
        assert_eq!(
            report.to_csv(),
            "table,unit,name,total,signed_valid,signed_invalid,unsigned,signed_share\n\
             units,H26.001,Quận Ba Đình,3,2,0,1,66.67\n\
             units,H26.002,\"Sở \"\"Nội vụ\"\", Hà Nội\",1,0,1,0,0.00\n\
             units,H26.003,\"hai\ndòng\r\",0,0,0,0,0.00\n\
             rollup,H26,,4,2,1,1,50.00\n"
        );
    }
}
