//! Trust anchors, certificates and CRLs named on the command line, the verifier built from
//! them, and the checks of output paths every command shares.

use std::path::{Path, PathBuf};

use vnedoc::{TrustProfile, TrustStore, ValidationTime, Verifier, VerifyOptions};

/// The trust options `verify` and `stats` share.
#[derive(clap::Args)]
pub(crate) struct TrustArgs {
    /// Trust anchor(s) added to the shipped trust: a PEM/DER file or a directory of them.
    #[arg(long = "trust", value_name = "PATH")]
    pub trust: Vec<PathBuf>,
    /// Trust only the --trust anchors, none of the shipped Vietnamese trust (pyHanko's word).
    #[arg(long, requires = "trust", conflicts_with = "trust_profile")]
    pub trust_replace: bool,
    /// The shipped Vietnamese trust: vn (both PKIs, confirmed roots), vn-gov (VGCA), vn-public
    /// (NEAC and the licensed CAs), vn-unconfirmed (opt-in: roots seen in one source only),
    /// none. Repeat to combine. `vnedoc trust list` shows what each holds.
    #[arg(long = "trust-profile", value_name = "PROFILE", default_value = "vn")]
    pub trust_profile: Vec<TrustProfile>,
    /// Extra intermediate certificate(s): a file or a directory.
    #[arg(long = "cert", value_name = "PATH")]
    pub cert: Vec<PathBuf>,
    /// CRL(s): a file or a directory.
    #[arg(long = "crl", value_name = "PATH")]
    pub crl: Vec<PathBuf>,
}

impl TrustArgs {
    /// The store: the shipped profiles (none with --trust-replace), then the files given.
    pub(crate) fn store(&self) -> Result<TrustStore, String> {
        let mut store = TrustStore::new();
        if !self.trust_replace {
            for p in &self.trust_profile {
                store.add_profile(*p);
            }
        }
        load(&self.trust, Kind::Anchor, |d| {
            store.add_anchor_der(d).map_err(|e| e.to_string())
        })?;
        load(&self.cert, Kind::Intermediate, |d| {
            store.add_intermediate_der(d).map_err(|e| e.to_string())
        })?;
        load(&self.crl, Kind::Crl, |d| {
            store.add_crl_der(d).map_err(|e| e.to_string())
        })?;
        Ok(store)
    }
}

pub(crate) fn verifier_from(
    trust: &TrustArgs,
    at: Option<&str>,
    max_size: usize,
    password: Option<&str>,
) -> Result<Verifier, String> {
    let store = trust.store()?;
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

/// What a `--trust`, `--cert` or `--crl` file holds.
#[derive(Clone, Copy)]
enum Kind {
    Anchor,
    Intermediate,
    Crl,
}

impl Kind {
    /// How messages name one file of this kind.
    fn what(self) -> &'static str {
        match self {
            Kind::Anchor => "trust anchor",
            Kind::Intermediate => "certificate",
            Kind::Crl => "CRL",
        }
    }

    fn read(self, bytes: &[u8]) -> Result<Vec<Vec<u8>>, vnedoc::error::PkiError> {
        match self {
            Kind::Anchor | Kind::Intermediate => TrustStore::load_certificates(bytes),
            Kind::Crl => TrustStore::load_crls(bytes),
        }
    }
}

/// The files of `path`: the file itself, or the files directly in a folder (sorted; hidden
/// files such as `.DS_Store` skipped). A folder without files is an error: an empty trust
/// folder would otherwise verify against no anchor at all.
fn files_in(path: &Path, kind: Kind) -> Result<Vec<PathBuf>, String> {
    let what = kind.what();
    let meta =
        std::fs::metadata(path).map_err(|e| format!("{what} {}: {}", path.display(), io(&e)))?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| format!("{what} folder {}: {}", path.display(), io(&e)))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    out.sort();
    if out.is_empty() {
        let files = match kind {
            Kind::Anchor | Kind::Intermediate => "certificate files",
            Kind::Crl => "CRL files",
        };
        return Err(format!(
            "{what} folder {}: the folder holds no {files}",
            path.display()
        ));
    }
    Ok(out)
}

fn load(
    paths: &[PathBuf],
    kind: Kind,
    mut add: impl FnMut(Vec<u8>) -> Result<(), String>,
) -> Result<(), String> {
    let what = kind.what();
    for p in paths {
        for f in files_in(p, kind)? {
            let bytes =
                std::fs::read(&f).map_err(|e| format!("{what} {}: {}", f.display(), io(&e)))?;
            let ders = kind
                .read(&bytes)
                .map_err(|e| format!("{what} {}: {e}", f.display()))?;
            for der in ders {
                add(der).map_err(|e| format!("{what} {}: {e}", f.display()))?;
            }
        }
    }
    Ok(())
}

/// An I/O error in the user's terms: the common kinds without the OS error number.
pub(crate) fn io(e: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match e.kind() {
        NotFound => "no such file or folder".to_owned(),
        PermissionDenied => "permission denied".to_owned(),
        IsADirectory => "is a folder, not a file".to_owned(),
        NotADirectory => "a part of the path is a file, not a folder".to_owned(),
        _ => e.to_string(),
    }
}

/// Reads an input file, naming it in the error.
pub(crate) fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{}: {}", path.display(), io(&e)))
}

/// The folder a file named `output` would be written into, checked to exist before any work
/// is done (a failed write after signing or scanning would waste it, and would name a
/// temporary file). `output` itself must not be a folder.
pub(crate) fn check_output_file(output: &Path) -> Result<(), String> {
    if output.is_dir() {
        return Err(format!(
            "output {}: is a folder; give a file name",
            output.display()
        ));
    }
    check_folder(parent(output))
}

/// For an output folder that the command creates: its parent must exist (only the last
/// component is created, so a typo in the path is not turned into a tree of folders), and
/// the folder itself, when it exists, must be a folder.
pub(crate) fn check_output_folder(output: &Path) -> Result<(), String> {
    if output.exists() && !output.is_dir() {
        return Err(format!(
            "output folder {}: is a file, not a folder",
            output.display()
        ));
    }
    if output.is_dir() {
        return Ok(());
    }
    check_folder(parent(output))
}

/// The folder holding `path` (`.` for a bare file name).
fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

fn check_folder(folder: &Path) -> Result<(), String> {
    match std::fs::metadata(folder) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(format!(
            "output folder {} is a file, not a folder",
            folder.display()
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(format!("output folder {} does not exist", folder.display()))
        }
        Err(e) => Err(format!("output folder {}: {}", folder.display(), io(&e))),
    }
}
