//! Helpers shared by the integration tests that drive the `vnedoc` binary and
//! peer verifiers as child processes (`tests/corpus.rs`, `tests/wild.rs`,
//! `tests/cross_check.rs`, `tests/cli.rs`; the manifest check of the first two is
//! [`manifest`]), and, in [`fixtures`], the library-level helpers of the
//! fixture tests.
//!
//! Only std, serde_json and the crate itself, so the tests build wherever the
//! crate builds.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

pub mod docgen;
pub mod fixtures;
pub mod hostile;
#[cfg(feature = "cli")]
pub mod manifest;
pub mod pdfsig;
pub mod tmp;
pub mod tsa_server;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

/// Root of the shared signed-PDF corpus (`../shared/corpus` next to the repo,
/// both on developer machines and in CI).
pub fn corpus_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus"))
}

/// The repository root.
pub fn repo_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// True when running under CI, where a missing tool or input is a failure
/// rather than a reason to skip.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// What happened to a child process run with [`run_with_timeout`].
pub struct Outcome {
    /// `None` when the process was killed because it ran over the limit.
    pub status: Option<ExitStatus>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub elapsed: Duration,
}

impl Outcome {
    pub fn timed_out(&self) -> bool {
        self.status.is_none()
    }

    /// Exit code, `None` if killed by a signal or by the timeout.
    pub fn code(&self) -> Option<i32> {
        self.status.and_then(|s| s.code())
    }

    /// One-line description of how the process ended.
    pub fn describe_end(&self) -> String {
        match self.status {
            None => format!("TIMEOUT after {:.1}s", self.elapsed.as_secs_f64()),
            Some(s) => match s.code() {
                Some(c) => format!("exit {c}"),
                None => format!("killed by signal ({s})"),
            },
        }
    }

    /// First line of stderr that looks like a Rust panic message, if any.
    pub fn panic_line(&self) -> Option<String> {
        String::from_utf8_lossy(&self.stderr)
            .lines()
            .find(|l| l.contains("panicked at"))
            .map(|l| truncate(l, 200))
    }
}

/// Runs `cmd` with stdin closed and stdout/stderr captured, killing it after
/// `limit`. Output is drained on separate threads so a chatty child cannot
/// block on a full pipe. `Err` only if the program could not be started.
pub fn run_with_timeout(cmd: &mut Command, limit: Duration) -> std::io::Result<Outcome> {
    let start = Instant::now();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let out_reader = drain(child.stdout.take());
    let err_reader = drain(child.stderr.take());
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break Some(status);
        }
        if start.elapsed() >= limit {
            // The child may exit between try_wait and kill; both are fine.
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        thread::sleep(Duration::from_millis(5));
    };
    let elapsed = start.elapsed();
    let stdout = out_reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    Ok(Outcome {
        status,
        stdout,
        stderr,
        elapsed,
    })
}

fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut p) = pipe {
            let _ = p.read_to_end(&mut buf);
        }
        buf
    })
}

/// Maps `f` over `items` on a small pool of std threads, keeping input order.
/// The pool has 2..=4 threads (the CI machine has 2 cores; the work is mostly
/// waiting on child processes).
pub fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .clamp(2, 4);
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let r = f(item);
                    results.lock().unwrap()[i] = Some(r);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap()
        .into_iter()
        .map(|r| r.expect("every item was processed"))
        .collect()
}

/// A TSV file: header fields, then (line number, fields) per row.
pub type Tsv = (Vec<String>, Vec<(usize, Vec<String>)>);

/// Reads a tab-separated file with a header line. Blank lines and lines
/// starting with `#` are ignored. Returns (line number, fields) pairs; the
/// caller checks the column count so that no row is dropped silently.
pub fn read_tsv(path: &Path) -> Result<Tsv, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'));
    let (_, header) = lines
        .next()
        .ok_or_else(|| format!("{} is empty (a header line is required)", path.display()))?;
    let header = header.split('\t').map(str::to_owned).collect();
    let rows = lines
        .map(|(n, l)| (n, l.split('\t').map(str::to_owned).collect()))
        .collect();
    Ok((header, rows))
}

/// Parses the `--json` report printed by `vnedoc verify` and returns its single
/// document object.
pub fn parse_single_document(stdout: &[u8]) -> Result<serde_json::Value, String> {
    let v: serde_json::Value = serde_json::from_slice(stdout).map_err(|e| {
        format!(
            "stdout is not JSON ({e}): {:?}",
            truncate(&String::from_utf8_lossy(stdout), 120)
        )
    })?;
    let docs = v
        .get("documents")
        .and_then(|d| d.as_array())
        .ok_or("JSON has no \"documents\" array")?;
    match docs.as_slice() {
        [doc] => Ok(doc.clone()),
        _ => Err(format!(
            "expected 1 document in the JSON, got {}",
            docs.len()
        )),
    }
}

/// Runs `vnedoc verify --json FILE` with a time limit. The binary exists only with the `cli`
/// feature; the tests that call this require it (Cargo.toml).
#[cfg(feature = "cli")]
pub fn run_vnedoc(file: &Path, limit: Duration) -> Outcome {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vnedoc"));
    cmd.arg("verify").arg("--json").arg(file);
    run_with_timeout(&mut cmd, limit).expect("cannot start the vnedoc binary")
}

/// Shortens `s` to at most `max` characters for one-line reports.
pub fn truncate(s: &str, max: usize) -> String {
    let s = s.trim();
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let cut: String = s.chars().take(max).collect();
        format!("{cut}…")
    }
}

/// All `*.pdf` files below `dir`, recursively, sorted. A missing directory
/// yields nothing.
pub fn pdfs_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x.eq_ignore_ascii_case("pdf")) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}
