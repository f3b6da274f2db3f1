//! The manifest check shared by `tests/corpus.rs` (`../shared/corpus`) and `tests/wild.rs`
//! (`../shared/corpus/wild`): runs `vnedoc verify --json` on every row of a MANIFEST.tsv and
//! checks its `expect` column.
//!
//! Rules, per `expect` (the corpus README, "How a test should use the corpus"):
//! - every row: the process ends within 5 s, exits 0/1/2 without a panic or
//!   signal, prints one JSON document, and exits 0 exactly when the document
//!   is fully valid (signed, >= 1 signature, all TOTAL_PASSED, no error);
//! - `intact`, `allowed-changes`: no document error, every signature has
//!   `integrity` true, none has `modifications == "disallowed"`, and the number
//!   of signatures equals the `signatures` column;
//! - `modified`: some signature has `modifications == "disallowed"`, and the
//!   document is not fully valid;
//! - `broken`: some signature has integrity false or TOTAL_FAILED, or the
//!   document has an error; and the document is not fully valid;
//! - `not-passing`: the document is not fully valid;
//! - `unsigned`: `signed == false` and no signatures;
//! - `parser-hardening`: only the every-row rules, plus not fully valid
//!   ("with an error or a non-passing result").
//!
//! Rows whose `basis` contains `uncertain` are printed, never asserted (unless
//! the process hangs or crashes). Every other mismatch must be listed in the
//! exceptions file (`path`, `reason`), and every listed exception must still
//! mismatch. A missing manifest is skipped with "skipped", and fails under CI=true.

use super::{
    Outcome, in_ci, parallel_map, parse_single_document, read_tsv, repo_dir, run_vnedoc, truncate,
};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

/// DSS's PAdESInfiniteLoopTest allows 3 s for its loop files; 5 s leaves room
/// for a debug build on a loaded 2-core CI machine.
const TIME_LIMIT: Duration = Duration::from_secs(5);

const EXPECTS: [&str; 7] = [
    "intact",
    "allowed-changes",
    "modified",
    "broken",
    "not-passing",
    "unsigned",
    "parser-hardening",
];

struct Row {
    line: usize,
    path: String,
    signatures: usize,
    expect: String,
    uncertain: bool,
}

/// The verdict on one row.
struct Check {
    /// What the crate said, on one line.
    said: String,
    /// Timeout, crash or unusable output: never excused by `uncertain`.
    hard_failure: Option<String>,
    /// Why the result does not meet the expectation (empty = agrees).
    problems: Vec<String>,
}

fn load_manifest(dir: &Path) -> Vec<Row> {
    let (header, rows) = read_tsv(&dir.join("MANIFEST.tsv")).unwrap_or_else(|e| panic!("{e}"));
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("MANIFEST.tsv has no `{name}` column"))
    };
    let (c_path, c_sigs, c_expect, c_basis) =
        (col("path"), col("signatures"), col("expect"), col("basis"));
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for (line, f) in rows {
        let get = |c: usize| {
            f.get(c)
                .unwrap_or_else(|| panic!("MANIFEST.tsv line {line}: missing column {c}"))
        };
        let path = get(c_path).clone();
        let expect = get(c_expect).clone();
        assert!(
            EXPECTS.contains(&expect.as_str()),
            "MANIFEST.tsv line {line}: unknown expect `{expect}`"
        );
        let signatures = get(c_sigs)
            .parse()
            .unwrap_or_else(|e| panic!("MANIFEST.tsv line {line}: bad signatures column: {e}"));
        assert!(
            seen.insert(path.clone()),
            "MANIFEST.tsv line {line}: duplicate path {path}"
        );
        out.push(Row {
            line,
            uncertain: get(c_basis).contains("uncertain"),
            path,
            signatures,
            expect,
        });
    }
    assert!(!out.is_empty(), "MANIFEST.tsv has no rows");
    out
}

/// `path -> reason` from the exceptions file `rel` (relative to the repository).
fn load_exceptions(rel: &str) -> BTreeMap<String, String> {
    let file = repo_dir().join(rel);
    let (header, rows) = read_tsv(&file).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        header,
        ["path", "reason"],
        "{rel}: header must be `path<TAB>reason`"
    );
    let mut out = BTreeMap::new();
    for (line, f) in rows {
        let [path, reason] = f.as_slice() else {
            panic!("{rel} line {line}: expected 2 columns, got {}", f.len());
        };
        assert!(!reason.trim().is_empty(), "{rel} line {line}: empty reason");
        assert!(
            out.insert(path.clone(), reason.clone()).is_none(),
            "{rel} line {line}: duplicate path {path}"
        );
    }
    out
}

fn str_field<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// Signed, at least one signature, all TOTAL_PASSED, no document error: the
/// condition under which `vnedoc verify` must exit 0.
fn fully_valid(doc: &Value, sigs: &[Value]) -> bool {
    doc.get("signed").and_then(Value::as_bool) == Some(true)
        && !sigs.is_empty()
        && sigs
            .iter()
            .all(|s| str_field(s, "indication") == Some("TOTAL_PASSED"))
        && doc.get("error").is_none_or(Value::is_null)
}

fn summarize(out: &Outcome, doc: &Value, sigs: &[Value]) -> String {
    let mut s = format!(
        "{}; signed={}",
        out.describe_end(),
        doc.get("signed").map_or("?".into(), Value::to_string)
    );
    for sig in sigs {
        let b = |k: &str| match sig.get(k).and_then(Value::as_bool) {
            Some(true) => "1",
            Some(false) => "0",
            None => "?",
        };
        s.push_str(&format!(
            " [{}{}: {}{} int={} whole={} mod={}]",
            str_field(sig, "field").unwrap_or("?"),
            if sig.get("is_doc_timestamp").and_then(Value::as_bool) == Some(true) {
                " (ts)"
            } else {
                ""
            },
            str_field(sig, "indication").unwrap_or("?"),
            str_field(sig, "subindication").map_or(String::new(), |x| format!("/{x}")),
            b("integrity"),
            b("covers_whole_file"),
            str_field(sig, "modifications").unwrap_or("?"),
        ));
    }
    if let Some(e) = str_field(doc, "error") {
        s.push_str(&format!(" error: {}", truncate(e, 100)));
    }
    s
}

fn check(dir: &Path, row: &Row) -> Check {
    let file = dir.join(&row.path);
    if !file.is_file() {
        return Check {
            said: "-".into(),
            hard_failure: Some(format!("file missing: {}", file.display())),
            problems: vec![],
        };
    }
    let out = run_vnedoc(&file, TIME_LIMIT);
    let fail = |said: String, why: String| Check {
        said,
        hard_failure: Some(why),
        problems: vec![],
    };
    if out.timed_out() {
        return fail(
            out.describe_end(),
            format!("did not finish within {TIME_LIMIT:?}"),
        );
    }
    if let Some(p) = out.panic_line() {
        return fail(out.describe_end(), format!("panic: {p}"));
    }
    let code = out.code();
    if !matches!(code, Some(0..=2)) {
        return fail(out.describe_end(), "crashed (exit code not 0/1/2)".into());
    }
    let doc = match parse_single_document(&out.stdout) {
        Ok(d) => d,
        Err(e) => return fail(out.describe_end(), e),
    };
    let sigs: Vec<Value> = match doc.get("signatures") {
        Some(Value::Array(a)) => a.clone(),
        None | Some(Value::Null) => Vec::new(),
        Some(other) => {
            return fail(
                out.describe_end(),
                format!(
                    "\"signatures\" is not an array: {}",
                    truncate(&other.to_string(), 60)
                ),
            );
        }
    };
    let said = summarize(&out, &doc, &sigs);
    let valid = fully_valid(&doc, &sigs);
    let has_error = doc.get("error").is_some_and(|e| !e.is_null());
    let mut problems = Vec::new();

    if (code == Some(0)) != valid {
        problems.push(format!(
            "exit code {} disagrees with the JSON (fully valid: {valid})",
            code.unwrap_or(-1)
        ));
    }
    let any = |pred: &dyn Fn(&Value) -> bool| sigs.iter().any(pred);
    let integrity = |s: &Value| s.get("integrity").and_then(Value::as_bool);
    let disallowed = |s: &Value| str_field(s, "modifications") == Some("disallowed");

    match row.expect.as_str() {
        "intact" | "allowed-changes" => {
            if has_error {
                problems.push("document error".into());
            }
            if any(&|s| integrity(s) != Some(true)) {
                problems.push("a signature lacks integrity".into());
            }
            if any(&disallowed) {
                problems.push("disallowed modifications reported".into());
            }
            if sigs.len() != row.signatures {
                problems.push(format!(
                    "{} signatures, manifest says {}",
                    sigs.len(),
                    row.signatures
                ));
            }
        }
        "modified" => {
            if !any(&disallowed) {
                problems.push("no signature reports disallowed modifications".into());
            }
            if valid {
                problems.push("reported fully valid".into());
            }
        }
        "broken" => {
            let failed = any(&|s| {
                integrity(s) == Some(false) || str_field(s, "indication") == Some("TOTAL_FAILED")
            });
            if !failed && !has_error {
                problems.push("no signature fails integrity/TOTAL_FAILED and no error".into());
            }
            if valid {
                problems.push("reported fully valid".into());
            }
        }
        "not-passing" | "parser-hardening" => {
            if valid {
                problems.push("reported fully valid".into());
            }
        }
        "unsigned" => {
            if doc.get("signed").and_then(Value::as_bool) != Some(false) || !sigs.is_empty() {
                problems.push("reports a signature".into());
            }
        }
        other => unreachable!("expect {other} was validated when loading"),
    }
    Check {
        said,
        hard_failure: None,
        problems,
    }
}

/// Checks every row of `dir/MANIFEST.tsv` against the rules above, with the exceptions of
/// `exceptions_file` (relative to the repository); `label` names the corpus in the report.
/// Run the test with `--nocapture` to see the per-row report.
pub fn check_manifest(dir: &Path, exceptions_file: &str, label: &str) {
    if !dir.join("MANIFEST.tsv").is_file() {
        let msg = format!("corpus not found at {}", dir.display());
        assert!(!in_ci(), "{msg}");
        println!("skipped: {msg}");
        return;
    }
    let rows = load_manifest(dir);
    let exceptions = load_exceptions(exceptions_file);
    let mut failures = Vec::new();
    for path in exceptions.keys() {
        match rows.iter().find(|r| &r.path == path) {
            None => failures.push(format!("exception names a path not in the manifest: {path}")),
            Some(r) if r.uncertain => failures.push(format!(
                "exception for {path} is not needed: its basis is uncertain, so it is never asserted"
            )),
            Some(_) => {}
        }
    }

    let checks = parallel_map(&rows, |row| check(dir, row));

    let (mut agree, mut excepted, mut uncertain, mut mismatches) = (0, 0, 0, 0);
    for (row, c) in rows.iter().zip(&checks) {
        let mut why: Vec<String> = c.hard_failure.iter().cloned().collect();
        why.extend(c.problems.iter().cloned());
        let exception = exceptions.get(&row.path);
        let verdict = if why.is_empty() {
            if row.uncertain {
                uncertain += 1;
                "UNCERTAIN (agrees)".to_owned()
            } else if exception.is_some() {
                failures.push(format!(
                    "stale exception: {} now agrees (remove it from {exceptions_file})",
                    row.path
                ));
                mismatches += 1;
                "MISMATCH (stale exception)".to_owned()
            } else {
                agree += 1;
                "OK".to_owned()
            }
        } else if row.uncertain && c.hard_failure.is_none() {
            uncertain += 1;
            format!("UNCERTAIN (differs: {})", why.join("; "))
        } else if let Some(reason) = exception {
            excepted += 1;
            format!("EXCEPTION ({}) [{reason}]", why.join("; "))
        } else {
            mismatches += 1;
            failures.push(format!(
                "{} (line {}, expect {}): {}",
                row.path,
                row.line,
                row.expect,
                why.join("; ")
            ));
            format!("MISMATCH ({})", why.join("; "))
        };
        println!(
            "{}\texpect={}\t{}\t{}",
            row.path, row.expect, c.said, verdict
        );
    }
    println!(
        "{label}: {} rows, {agree} agree, {excepted} excepted, {uncertain} uncertain, {mismatches} mismatches",
        rows.len()
    );
    assert!(
        failures.is_empty(),
        "{} {label} problem(s):\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
}
