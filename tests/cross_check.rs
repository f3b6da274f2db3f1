//! Cross-checks `vnedoc verify` against two independent verifiers on every PDF
//! under fixtures/pdf/ and fixtures/defects/: per signature, the three must
//! agree on **integrity** (digest over the ByteRange and signature value).
//! Trust, revocation and modification analysis are not compared.
//!
//! Peers, as installed by `.ci/run` (versions current when this was written):
//! - poppler `pdfsig` 22.12.0 (Debian poppler-utils 22.12.0-2+deb12u3), run as
//!   `pdfsig -nocert FILE`; it exits 0 even on a digest mismatch, so its text
//!   is parsed. Per signature: `Signature is Valid.` = intact;
//!   `Digest Mismatch.` / `Signature is Invalid.` = not intact; anything else
//!   (`Signature has not yet been verified.`, `Unknown Validation Failure.`,
//!   `Document isn't signed or corrupted data.`, `The signature form field is
//!   not signed.`) = pdfsig cannot tell. pdfsig never checks document
//!   timestamps, so those are skipped for it.
//! - pyHanko 0.38.0 (pyhanko-certvalidator 0.33.0, Python 3.11), through
//!   tests/peers/pyhanko_integrity.py, started once for all files. Integrity
//!   is `intact && valid` (pyHanko's `valid` is the signature value check, not
//!   trust). Signatures pyHanko could not evaluate are skipped. The
//!   interpreter is `python3`, or `$PYTHON` if set.
//!
//! Signatures are matched by fully qualified field name. A peer that does not
//! list a signature cannot tell about it, except when vnedoc calls that
//! signature intact (then it is a disagreement); vnedoc not listing a
//! signature a peer judged is a disagreement, unless vnedoc rejected the file
//! with an error and the peer says not intact.
//!
//! Disagreements are allowed only through tests/cross-check-exceptions.tsv
//! (`file`, `field`, `peer`, `reason`; `field` may be `*`), and an exception
//! that no longer matches a disagreement fails the test. A missing peer fails
//! the test when CI=true and is skipped otherwise. Run with `--nocapture` to
//! see the per-signature report.

// Test code: a panic is the failure report (STYLE.md: unwrap allowed in tests).
// Its `as` conversions are on sizes and counts it makes itself, not on untrusted input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::as_conversions)]

mod common;

use common::{Outcome, in_ci, parallel_map, read_tsv, repo_dir, run_with_timeout, truncate};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// Same bound as the corpus test; fixtures are small.
const VNEDOC_LIMIT: Duration = Duration::from_secs(5);
/// pdfsig takes well under a second per fixture.
const PDFSIG_LIMIT: Duration = Duration::from_secs(30);
/// pyHanko runs once for all files: ~0.6 s start-up, then ~0.1 s per file
/// (12 s for the 151-file corpus, diff analysis included).
const PYHANKO_LIMIT: Duration = Duration::from_secs(600);

const FIXTURE_DIRS: [&str; 2] = ["fixtures/pdf", "fixtures/defects"];

/// What one peer says about one signature.
#[derive(Clone, Debug)]
enum PeerSays {
    Intact(bool),
    /// The peer looked but cannot tell; the text says why.
    CannotTell(String),
}

/// What one peer says about one file.
#[derive(Debug)]
enum PeerFile {
    /// Field name -> verdict, in the peer's order.
    Signatures(Vec<(String, PeerSays)>),
    /// The peer rejected the file as a whole.
    Rejected(String),
}

const PEERS: [&str; 2] = ["pdfsig", "pyhanko"];

fn tool_works(cmd: &mut Command) -> bool {
    run_with_timeout(cmd, Duration::from_secs(60)).is_ok_and(|o| o.code() == Some(0))
}

fn python() -> String {
    std::env::var("PYTHON").unwrap_or_else(|_| "python3".into())
}

/// Parses `pdfsig -nocert FILE` output (poppler 22.12 format).
fn parse_pdfsig(out: &Outcome) -> PeerFile {
    let stdout = String::from_utf8_lossy(&out.stdout);
    if out.timed_out() {
        return PeerFile::Rejected(out.describe_end());
    }
    if stdout.contains("does not contain any signatures") {
        return PeerFile::Signatures(Vec::new());
    }
    if !stdout.contains("Digital Signature Info of:") {
        let err = String::from_utf8_lossy(&out.stderr);
        return PeerFile::Rejected(format!(
            "{}: {}",
            out.describe_end(),
            truncate(err.lines().next().unwrap_or(""), 120)
        ));
    }
    // Each block starts with `Signature #N:`; the field name line is missing
    // when the field has no name, so fall back to `#N`.
    let mut sigs: Vec<(String, Option<PeerSays>)> = Vec::new();
    for line in stdout.lines() {
        if let Some(n) = line.strip_prefix("Signature #") {
            sigs.push((format!("#{}", n.trim_end_matches(':')), None));
        } else if let Some(last) = sigs.last_mut() {
            let l = line.trim();
            if let Some(name) = l.strip_prefix("- Signature Field Name: ") {
                last.0 = name.to_owned();
            } else if l == "The signature form field is not signed." {
                last.1 = Some(PeerSays::CannotTell(l.into()));
            } else if let Some(v) = l.strip_prefix("- Signature Validation: ") {
                last.1 = Some(match v {
                    "Signature is Valid." => PeerSays::Intact(true),
                    "Digest Mismatch." | "Signature is Invalid." => PeerSays::Intact(false),
                    other => PeerSays::CannotTell(other.into()),
                });
            }
        }
    }
    PeerFile::Signatures(
        sigs.into_iter()
            .map(|(name, says)| {
                let says =
                    says.unwrap_or_else(|| PeerSays::CannotTell("no validation line".into()));
                (name, says)
            })
            .collect(),
    )
}

/// Runs tests/peers/pyhanko_integrity.py once over all files.
fn run_pyhanko(files: &[PathBuf]) -> BTreeMap<PathBuf, PeerFile> {
    let script = repo_dir().join("tests/peers/pyhanko_integrity.py");
    let mut cmd = Command::new(python());
    cmd.arg(&script).args(files);
    let out = run_with_timeout(&mut cmd, PYHANKO_LIMIT).expect("cannot start python");
    assert_eq!(
        out.code(),
        Some(0),
        "pyhanko_integrity.py failed ({}): {}",
        out.describe_end(),
        truncate(&String::from_utf8_lossy(&out.stderr), 2000)
    );
    let mut map = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let v: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("pyhanko_integrity.py printed bad JSON ({e}): {line}"));
        let file = PathBuf::from(v["file"].as_str().expect("file"));
        let peer = if let Some(err) = v["error"].as_str() {
            PeerFile::Rejected(err.to_owned())
        } else {
            let sigs = v["signatures"]
                .as_array()
                .expect("signatures")
                .iter()
                .map(|s| {
                    let field = s["field"].as_str().unwrap_or("?").to_owned();
                    let says = match (s["intact"].as_bool(), s["valid"].as_bool()) {
                        (Some(i), Some(v)) => PeerSays::Intact(i && v),
                        _ => PeerSays::CannotTell(
                            s["error"].as_str().unwrap_or("no verdict").to_owned(),
                        ),
                    };
                    (field, says)
                })
                .collect();
            PeerFile::Signatures(sigs)
        };
        map.insert(file, peer);
    }
    for f in files {
        assert!(
            map.contains_key(f),
            "pyhanko_integrity.py printed nothing for {}",
            f.display()
        );
    }
    map
}

/// vnedoc's report on one file: (field, integrity, is_doc_timestamp) per
/// signature, and the document error. `Err` on a crash, hang or unusable
/// output: those are bugs, never excusable as disagreements.
type VnedocReport = (Vec<(String, Option<bool>, bool)>, Option<String>);

fn run_vnedoc(file: &Path) -> Result<VnedocReport, String> {
    let out = common::run_vnedoc(file, VNEDOC_LIMIT);
    if out.timed_out() || !matches!(out.code(), Some(0..=2)) {
        return Err(out.describe_end());
    }
    if let Some(p) = out.panic_line() {
        return Err(format!("{}: {p}", out.describe_end()));
    }
    let doc = common::parse_single_document(&out.stdout)?;
    let sigs = doc["signatures"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|s| {
                    (
                        s["field"].as_str().unwrap_or("?").to_owned(),
                        s["integrity"].as_bool(),
                        s["is_doc_timestamp"].as_bool() == Some(true),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    Ok((sigs, doc["error"].as_str().map(str::to_owned)))
}

/// (file, field, peer) -> reason, from tests/cross-check-exceptions.tsv.
type Exceptions = BTreeMap<(String, String, String), String>;

fn load_exceptions() -> Exceptions {
    let path = repo_dir().join("tests/cross-check-exceptions.tsv");
    let (header, rows) = read_tsv(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        header,
        ["file", "field", "peer", "reason"],
        "tests/cross-check-exceptions.tsv: header must be file/field/peer/reason"
    );
    let mut out = Exceptions::new();
    for (line, f) in rows {
        let [file, field, peer, reason] = f.as_slice() else {
            panic!("tests/cross-check-exceptions.tsv line {line}: expected 4 columns");
        };
        assert!(
            PEERS.contains(&peer.as_str()),
            "tests/cross-check-exceptions.tsv line {line}: peer must be pdfsig or pyhanko"
        );
        assert!(
            !reason.trim().is_empty(),
            "tests/cross-check-exceptions.tsv line {line}: empty reason"
        );
        let key = (file.clone(), field.clone(), peer.clone());
        assert!(
            out.insert(key, reason.clone()).is_none(),
            "tests/cross-check-exceptions.tsv line {line}: duplicate entry"
        );
    }
    out
}

#[derive(Default)]
struct Tally {
    compared: usize,
    agreed: usize,
    skipped: usize,
}

#[test]
fn integrity_agrees_with_pdfsig_and_pyhanko() {
    let root = repo_dir();
    let files: Vec<PathBuf> = FIXTURE_DIRS
        .iter()
        .flat_map(|d| common::pdfs_under(&root.join(d)))
        .collect();
    if files.is_empty() {
        let msg = format!("no PDFs under {}", FIXTURE_DIRS.join(", "));
        assert!(!in_ci(), "{msg}");
        println!("skipped: {msg}");
        return;
    }

    let mut available = Vec::new();
    for (peer, works) in [
        ("pdfsig", tool_works(Command::new("pdfsig").arg("-v"))),
        (
            "pyhanko",
            tool_works(Command::new(python()).args(["-c", "import pyhanko.sign.validation"])),
        ),
    ] {
        if works {
            available.push(peer);
        } else {
            assert!(
                !in_ci(),
                "{peer} not found (CI=true: .ci/run should have installed it)"
            );
            println!("skipped: {peer} not found");
        }
    }
    if available.is_empty() {
        return;
    }

    let exceptions = load_exceptions();
    let rel = |p: &Path| {
        p.strip_prefix(&root)
            .unwrap_or(p)
            .to_string_lossy()
            .replace('\\', "/")
    };
    for (file, _, _) in exceptions.keys() {
        assert!(
            files.iter().any(|f| &rel(f) == file),
            "tests/cross-check-exceptions.tsv names {file}, which is not a fixture"
        );
    }

    // pyHanko is one long CPU-bound process: start it first and let the
    // vnedoc and pdfsig runs overlap with it.
    let (vnedoc, pdfsig, pyhanko) = std::thread::scope(|s| {
        let pyhanko = s.spawn(|| {
            if available.contains(&"pyhanko") {
                run_pyhanko(&files)
            } else {
                BTreeMap::new()
            }
        });
        let vnedoc = parallel_map(&files, |f| run_vnedoc(f));
        let pdfsig: Vec<Option<PeerFile>> = parallel_map(&files, |f| {
            available.contains(&"pdfsig").then(|| {
                let mut cmd = Command::new("pdfsig");
                cmd.arg("-nocert").arg(f);
                let out = run_with_timeout(&mut cmd, PDFSIG_LIMIT).expect("cannot start pdfsig");
                parse_pdfsig(&out)
            })
        });
        let pyhanko = pyhanko
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        (vnedoc, pdfsig, pyhanko)
    });

    let mut tally: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut used_exceptions = BTreeSet::new();
    let mut excepted = 0;
    let mut compared_sigs = BTreeSet::new();

    let mut problems = Vec::new();
    for ((file, report), pdfsig_file) in files.iter().zip(&vnedoc).zip(pdfsig) {
        let name = rel(file);
        let (vsigs, verror) = match report {
            Ok(r) => r,
            Err(e) => {
                println!("{name}\t*\t-\tVNEDOC FAILED {e}");
                problems.push(format!("vnedoc failed on {name}: {e}"));
                continue;
            }
        };
        for peer in PEERS {
            let peer_file = match peer {
                "pdfsig" => pdfsig_file.as_ref(),
                _ => pyhanko.get(file),
            };
            let Some(peer_file) = peer_file else { continue };
            let t = tally.entry(peer).or_default();
            let peer_sigs = match peer_file {
                PeerFile::Rejected(why) => {
                    t.skipped += vsigs.len();
                    println!(
                        "{name}\t*\t{peer}\tSKIP peer rejected the file: {}",
                        truncate(why, 120)
                    );
                    continue;
                }
                PeerFile::Signatures(s) => s,
            };
            // Union of field names, vnedoc's order first.
            let mut fields: Vec<&str> = vsigs.iter().map(|s| s.0.as_str()).collect();
            for (f, _) in peer_sigs {
                if !fields.contains(&f.as_str()) {
                    fields.push(f);
                }
            }
            for field in fields {
                let ours = vsigs.iter().find(|s| s.0 == field);
                let theirs = peer_sigs.iter().find(|s| s.0 == field).map(|s| &s.1);
                let is_ts = ours.is_some_and(|s| s.2);
                let v_int: Option<bool> = match ours {
                    Some((_, i, _)) => *i,
                    None if verror.is_some() => Some(false),
                    None => None,
                };
                let v_text = match (ours, v_int) {
                    (None, Some(_)) => "file rejected".to_owned(),
                    (None, None) => "not listed".to_owned(),
                    (Some(_), None) => "integrity null".to_owned(),
                    (Some(_), Some(b)) => format!("integrity={b}"),
                };
                let disagreement: Option<String> = match (theirs, v_int) {
                    _ if peer == "pdfsig" && is_ts => {
                        t.skipped += 1;
                        println!(
                            "{name}\t{field}\t{peer}\tSKIP doc timestamp (pdfsig does not check them); vnedoc {v_text}"
                        );
                        continue;
                    }
                    (Some(PeerSays::CannotTell(why)), _) => {
                        t.skipped += 1;
                        println!(
                            "{name}\t{field}\t{peer}\tSKIP peer cannot tell ({why}); vnedoc {v_text}"
                        );
                        continue;
                    }
                    (None, Some(true)) => {
                        Some("vnedoc says intact, peer lists no such signature".into())
                    }
                    (None, _) => {
                        t.skipped += 1;
                        println!(
                            "{name}\t{field}\t{peer}\tSKIP peer does not list it; vnedoc {v_text}"
                        );
                        continue;
                    }
                    (Some(PeerSays::Intact(p)), Some(v)) if *p == v => None,
                    (Some(PeerSays::Intact(p)), _) => {
                        Some(format!("peer intact={p}, vnedoc {v_text}"))
                    }
                };
                t.compared += 1;
                compared_sigs.insert((name.clone(), field.to_owned()));
                let Some(what) = disagreement else {
                    t.agreed += 1;
                    println!("{name}\t{field}\t{peer}\tAGREE {v_text}");
                    continue;
                };
                let key = |f: &str| (name.clone(), f.to_owned(), peer.to_owned());
                let exc = [key(field), key("*")]
                    .into_iter()
                    .find(|k| exceptions.contains_key(k));
                if let Some(k) = exc {
                    excepted += 1;
                    println!(
                        "{name}\t{field}\t{peer}\tEXCEPTION {what} [{}]",
                        exceptions[&k]
                    );
                    used_exceptions.insert(k);
                } else {
                    println!("{name}\t{field}\t{peer}\tDISAGREE {what}");
                    problems.push(format!("{name} {field} ({peer}): {what}"));
                }
            }
        }
    }

    for (k, reason) in &exceptions {
        if available.contains(&k.2.as_str()) && !used_exceptions.contains(k) {
            problems.push(format!(
                "stale exception {} {} ({}): no longer a disagreement [{reason}]",
                k.0, k.1, k.2
            ));
        }
    }
    let per_peer: Vec<String> = tally
        .iter()
        .map(|(p, t)| {
            format!(
                "{p} {}/{} agree ({} skipped)",
                t.agreed, t.compared, t.skipped
            )
        })
        .collect();
    println!(
        "cross-check: {} files, {} signatures compared, {}, {excepted} excepted",
        files.len(),
        compared_sigs.len(),
        per_peer.join(", ")
    );
    assert!(
        problems.is_empty(),
        "{} cross-check problem(s):\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
}
