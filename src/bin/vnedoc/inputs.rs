//! Trust anchors, certificates and CRLs named on the command line, and the verifier built from them.

use std::path::{Path, PathBuf};

use vnedoc::{TrustStore, ValidationTime, Verifier, VerifyOptions};

pub(crate) fn verifier_from(
    trust: &[PathBuf],
    cert: &[PathBuf],
    crl: &[PathBuf],
    at: Option<&str>,
    max_size: usize,
    password: Option<&str>,
) -> Result<Verifier, String> {
    let mut store = TrustStore::new();
    load(trust, "trust anchor", |d| {
        store.add_anchor_der(d).map_err(|e| e.to_string())
    })?;
    load(cert, "certificate", |d| {
        store.add_intermediate_der(d).map_err(|e| e.to_string())
    })?;
    load(crl, "CRL", |d| {
        store.add_crl_der(d).map_err(|e| e.to_string())
    })?;
    let time = match at {
        None => ValidationTime::At(vnedoc::time::now()),
        Some("claimed") => ValidationTime::Claimed,
        Some(s) => ValidationTime::At(
            vnedoc::time::parse_rfc3339_timestamp(s)
                .ok_or_else(|| format!("--at: not RFC 3339: {s}"))?,
        ),
    };
    let mut options = VerifyOptions::new(store, time);
    options.max_input_size = max_size;
    options.password = password.map(vnedoc::verify::Password::new);
    Ok(Verifier::new(options))
}

fn files_in(path: &Path) -> Result<Vec<PathBuf>, String> {
    if path.is_dir() {
        let mut out: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| format!("{}: {e}", path.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        out.sort();
        Ok(out)
    } else {
        Ok(vec![path.to_path_buf()])
    }
}

fn load(
    paths: &[PathBuf],
    what: &str,
    mut add: impl FnMut(Vec<u8>) -> Result<(), String>,
) -> Result<(), String> {
    for p in paths {
        for f in files_in(p)? {
            let bytes = std::fs::read(&f).map_err(|e| format!("{what} {}: {e}", f.display()))?;
            let ders = TrustStore::load_pem_or_der(&bytes)
                .map_err(|e| format!("{what} {}: {e}", f.display()))?;
            for der in ders {
                add(der).map_err(|e| format!("{what} {}: {e}", f.display()))?;
            }
        }
    }
    Ok(())
}
