//! `vnedoc`: a thin command line over the library.
//!
//! ```text
//! vnedoc verify [--trust PATH]... [--cert PATH]... [--crl PATH]... [--at RFC3339|claimed] [--json] [--threads N] FILE...
//! ```
//! Exit 0: every file has at least one signature and every signature is TOTAL_PASSED.
//! Exit 1: anything else. Exit 2: usage error or unreadable file.
//!
//! ```text
//! vnedoc stats [--trust PATH]... [--units-from folders|edxml] [--directory 2019|2025|FILE]
//!              [--period 2026-Q3] [--target 90] [--json|--csv|--html OUT] PATH...
//! ```
//! Exit 0 with the tables (unreadable files are listed, never fatal); exit 2 on a usage error.

#![forbid(unsafe_code)]

mod edxml;
mod inputs;
mod logging;
mod sign;
mod stats;
mod verify;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use vnedoc::exchange::cli::{self as excli, DirectorySource};

#[derive(Parser)]
#[command(
    name = "vnedoc",
    version,
    about = "Vietnamese government e-documents: PDF signature verification"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// More log lines on stderr: -v info, -vv debug, -vvv trace (VNEDOC_LOG overrides).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    /// Errors only on stderr; the report on stdout is unchanged.
    #[arg(short, long, global = true)]
    quiet: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Sign a PDF: an incremental PAdES signature, optionally visible (Decree 30/2020) and
    /// timestamped.
    Sign(Box<sign::SignArgs>),
    /// edXML (QCVN 102:2016) envelopes: pack metadata and files, or unpack an envelope.
    Edxml {
        #[command(subcommand)]
        action: edxml::EdxmlAction,
    },
    /// Agency directory: list or search.
    Directory {
        #[command(subcommand)]
        action: DirectoryAction,
    },
    /// Hops from one agency to others (ids, or groups such as @communes:H26, @provinces).
    Route {
        /// 2019, 2025 (embedded samples) or a CSV/JSON file.
        #[arg(long, value_name = "2019|2025|FILE", default_value = "2025")]
        directory: DirectorySource,
        #[arg(long, value_name = "ID")]
        from: String,
        #[arg(long, value_name = "ID", required = true, num_args = 1..)]
        to: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Count signed-valid, signed-invalid and unsigned documents per unit, rolled up the
    /// directory: a table, JSON, CSV or an HTML report.
    Stats(Box<stats::StatsArgs>),
    /// Verify every signature of PDF files.
    Verify(Box<verify::VerifyArgs>),
}

#[derive(Subcommand)]
enum DirectoryAction {
    /// Every agency.
    List {
        #[arg(long, value_name = "2019|2025|FILE", default_value = "2025")]
        directory: DirectorySource,
        #[arg(long)]
        json: bool,
    },
    /// Agencies whose name contains NAME (with or without diacritics).
    Find {
        name: String,
        #[arg(long, value_name = "2019|2025|FILE", default_value = "2025")]
        directory: DirectorySource,
    },
}

/// Writes `out` to stdout; a closed pipe (`vnedoc directory list | head`) is not an error.
fn emit(out: &str) -> ExitCode {
    use std::io::Write;
    match std::io::stdout().write_all(out.as_bytes()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(_) => ExitCode::from(2),
    }
}

fn exchange_result(result: Result<String, excli::CliError>) -> ExitCode {
    match result {
        Ok(out) => emit(&out),
        Err(e) => {
            eprintln!("vnedoc: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

fn run() -> Result<ExitCode, String> {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // `--help` and `--version` are answers, not errors: clap gives them exit code 0,
            // and a usage error 2.
            return Ok(ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2)));
        }
    };
    logging::init(cli.verbose, cli.quiet);
    match cli.command {
        Command::Sign(a) => sign::run_sign(*a),
        Command::Stats(a) => stats::run_stats(*a),
        Command::Edxml { action } => edxml::run_edxml(action),
        Command::Verify(a) => verify::run_verify(*a),
        Command::Directory {
            action: DirectoryAction::List { directory, json },
        } => Ok(exchange_result(excli::directory_list(&directory, json))),
        Command::Directory {
            action: DirectoryAction::Find { name, directory },
        } => Ok(exchange_result(excli::directory_find(&directory, &name))),
        Command::Route {
            directory,
            from,
            to,
            json,
        } => {
            // Validity dates are checked against today in Vietnam (UTC+7).
            let today = vnedoc::time::vietnam_date(vnedoc::time::now());
            Ok(exchange_result(excli::route(
                &directory, &from, &to, json, today,
            )))
        }
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(c) => c,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("vnedoc: {e}");
            }
            ExitCode::from(2)
        }
    }
}
