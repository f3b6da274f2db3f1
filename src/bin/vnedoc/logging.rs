//! The CLI's log output: the library's `tracing` spans and events as lines on stderr.
//!
//! | flags        | shown                                   |
//! |--------------|-----------------------------------------|
//! | `-q`         | errors only (the library logs none); no warnings, notes or progress bar from the CLI either |
//! | (none)       | warnings                                |
//! | `-v`         | and info: one line per document, summaries |
//! | `-vv`        | and debug: each verification step        |
//! | `-vvv`       | and trace                               |
//!
//! `VNEDOC_LOG`, when set and not empty, replaces the level the flags give with a filter in
//! `tracing-subscriber`'s `EnvFilter` syntax (`VNEDOC_LOG=vnedoc::verify=debug`,
//! `VNEDOC_LOG=info,vnedoc::exchange=trace`). `RUST_LOG` is not read: a service that runs
//! `vnedoc` as a child process may have set it for itself, and its filter would then flood the
//! child's stderr with lines nobody asked `vnedoc` for.
//!
//! Logs go to stderr only: stdout carries the reports (text, JSON, CSV), which stay the same
//! whatever the level.

use std::sync::atomic::{AtomicBool, Ordering};

use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::LevelFilter;

/// `-q` was given: the CLI's own warnings, notes and progress bar stay off stderr too.
static QUIET: AtomicBool = AtomicBool::new(false);

/// True when `-q` asked for errors only: callers skip their warnings, notes and progress bars
/// (the report on stdout is never skipped).
pub(crate) fn quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// The environment variable read for a filter.
const ENV: &str = "VNEDOC_LOG";

/// The level `-v` (counted) and `-q` ask for: `-q` wins, it is the one a script passes.
fn level(verbose: u8, quiet: bool) -> LevelFilter {
    match (quiet, verbose) {
        (true, _) => LevelFilter::ERROR,
        (false, 0) => LevelFilter::WARN,
        (false, 1) => LevelFilter::INFO,
        (false, 2) => LevelFilter::DEBUG,
        (false, _) => LevelFilter::TRACE,
    }
}

/// Installs the subscriber for the whole process: `VNEDOC_LOG` if set (an unreadable filter is
/// reported and the flags' level used instead), else the level of `-v`/`-q`.
pub(crate) fn init(verbose: u8, quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
    let from_flags = level(verbose, quiet);
    let filter = match std::env::var(ENV) {
        Ok(spec) if !spec.trim().is_empty() => match EnvFilter::builder().parse(spec.trim()) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("vnedoc: {ENV}: {e}; logging at {from_flags} instead");
                EnvFilter::default().add_directive(from_flags.into())
            }
        },
        _ => EnvFilter::default().add_directive(from_flags.into()),
    };
    // Fails only when a subscriber is already installed, which this binary never does twice.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}
