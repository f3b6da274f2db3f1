//! `vnedoc trust list`: the Vietnamese trust certificates the crate ships, with the profile
//! each belongs to (`verify` and `stats` trust `--trust-profile vn` unless told otherwise).

use std::process::ExitCode;

use serde::Serialize;
use vnedoc::trust::{BuiltinCertificate, TrustProfile, builtin_certificates};

#[derive(clap::Subcommand)]
pub(crate) enum TrustAction {
    /// The shipped certificates: profile, role, whether confirmed, validity, SHA-256 and
    /// subject, one per line (tab-separated).
    List {
        /// Only the certificates this profile holds (vn, vn-gov, vn-public, vn-unconfirmed,
        /// none); all by default.
        #[arg(long, value_name = "PROFILE")]
        profile: Option<TrustProfile>,
        /// Print them as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Serialize)]
struct Row<'a> {
    file: &'a str,
    subject: &'a str,
    role: &'a str,
    profile: &'a str,
    /// Whether its root was found in two or more independent copies (so in the default
    /// profile `vn`).
    confirmed: bool,
    independent_copies: u8,
    not_before: String,
    not_after: String,
    sha256: &'a str,
    /// The root it verifies under; `null` for a root.
    issuer: Option<&'a str>,
}

fn row(c: &BuiltinCertificate) -> Row<'_> {
    let (from, to) = c.validity();
    Row {
        file: c.file,
        subject: c.subject,
        role: c.role.name(),
        profile: c.profile().name(),
        confirmed: c.confirmed,
        independent_copies: c.independent_copies,
        not_before: from.to_string(),
        not_after: to.to_string(),
        sha256: c.sha256,
        issuer: c.issuer,
    }
}

pub(crate) fn run_trust(action: TrustAction) -> Result<ExitCode, String> {
    let TrustAction::List { profile, json } = action;
    let rows: Vec<Row<'_>> = builtin_certificates()
        .iter()
        .filter(|c| profile.is_none_or(|p| p.includes(c)))
        .map(row)
        .collect();
    let out = if json {
        let mut text = serde_json::to_string_pretty(&rows).map_err(|e| e.to_string())?;
        text.push('\n');
        text
    } else {
        let mut text =
            String::from("PROFILE\tROLE\tCONFIRMED\tNOT_BEFORE\tNOT_AFTER\tSHA256\tSUBJECT\n");
        for r in &rows {
            text.push_str(&format!(
                "{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
                r.profile,
                r.role,
                if r.confirmed { "yes" } else { "no" },
                r.not_before,
                r.not_after,
                r.sha256,
                r.subject
            ));
        }
        text
    };
    Ok(crate::write_stdout(&out).into())
}
