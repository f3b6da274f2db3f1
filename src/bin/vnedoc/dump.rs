//! `vnedoc dump`: a PDF's signatures taken apart into a folder (pdfsig `-dump`, pyHanko's
//! revision extraction), for inspection with other tools.
//!
//! For signature N (numbered as in `vnedoc verify`'s report, from 1), into DIR (default: FILE
//! with the extension `.dump`):
//!
//! - `sigN-FIELD.revision.pdf`: the revision it signs, bytes 0 to the end of its /ByteRange: a
//!   complete PDF that the signature covers, and `vnedoc verify` can check on its own;
//! - `sigN.p7s`: the CMS from /Contents, as the signer encoded it, without the zero padding;
//! - `sigN-certK.der`: each certificate the CMS carries, K from 1 in the CMS's order;
//! - for an `adbe.x509.rsa_sha1` signature, which has no CMS, `sigN.pkcs1.bin` instead of the
//!   `.p7s`: the PKCS#1 v1.5 signature value from /Contents (`openssl pkeyutl -verifyrecover`
//!   reads it with the signer's key), and the certificates are those of /Cert, the signer first;
//! - `index.json`: what was written for each signature (field, SubFilter, byte range, signer
//!   and certificate subjects, file names) and, for what could not be written, why.
//!
//! FIELD is the field name with everything but ASCII letters, digits, `-` and `_` replaced by
//! `_` (the name comes from the file). Fail closed: a signature whose byte range breaks a rule
//! gets no revision file, only the reason in the index, and the command exits 1; so does one
//! whose /Contents holds no CMS (or, for `adbe.x509.rsa_sha1`, no PKCS#1 value). The paths written are printed, one per line, `index.json`
//! last.
//!
//! DIR is created if needed; an existing DIR that is not empty is refused (exit 2) unless
//! `--force`, which writes into it and replaces files of the same names, leaving the others.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde::Serialize;
use vnedoc::error::PdfError;
use vnedoc::verify::{ExtractedSignature, Limits, extract_signatures};

use crate::Exit;

/// Longest FIELD part of a revision file's name, in bytes (all ASCII): field names are
/// untrusted and a file name has a limit (255 bytes on common file systems).
const MAX_FIELD_IN_NAME: usize = 64;

/// `vnedoc dump` arguments.
#[derive(clap::Args)]
pub(crate) struct DumpArgs {
    /// The signed PDF.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Output folder (default: FILE with the extension .dump, e.g. doc.pdf → doc.dump).
    #[arg(short = 'o', long = "output", value_name = "DIR")]
    output: Option<PathBuf>,
    /// Write into DIR even when it is not empty, replacing files of the same names.
    #[arg(long)]
    force: bool,
    /// Largest file accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = vnedoc::verify::DEFAULT_MAX_INPUT)]
    max_size: usize,
}

/// `index.json`.
#[derive(Serialize)]
struct Index<'a> {
    /// FILE as given.
    file: &'a str,
    signatures: Vec<Entry<'a>>,
}

/// One signature in `index.json`: what was written, and why anything was not.
#[derive(Serialize)]
struct Entry<'a> {
    number: usize,
    field: &'a str,
    sub_filter: Option<&'a str>,
    document_timestamp: bool,
    byte_range: Option<[u64; 4]>,
    /// The revision file, or `null` with `revision_error`.
    revision: Option<RevisionFile>,
    revision_error: Option<String>,
    /// The `.p7s` file name, or `null` with `cms_error`.
    cms: Option<String>,
    cms_error: Option<String>,
    /// `adbe.x509.rsa_sha1` only: the `.pkcs1.bin` file name, or `null` with `cms_error`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pkcs1_signature: Option<String>,
    /// The signer's certificate's subject, when the CMS carries it.
    signer: Option<&'a str>,
    certificates: Vec<CertificateFile<'a>>,
}

#[derive(Serialize)]
struct RevisionFile {
    file: String,
    bytes: usize,
}

#[derive(Serialize)]
struct CertificateFile<'a> {
    file: String,
    subject: Option<&'a str>,
    issuer: Option<&'a str>,
    sha256: &'a str,
    /// The certificate the SignerInfo names.
    signer: bool,
}

pub(crate) fn run_dump(a: DumpArgs) -> Result<ExitCode, String> {
    let shown = a.file.display().to_string();
    let meta = std::fs::metadata(&a.file).map_err(|e| format!("{shown}: {e}"))?;
    if !meta.is_file() {
        return Err(format!("{shown}: not a file"));
    }
    let size = usize::try_from(meta.len()).unwrap_or(usize::MAX);
    if size > a.max_size {
        return Err(format!(
            "{shown}: {size} bytes, over --max-size {}",
            a.max_size
        ));
    }
    let data = std::fs::read(&a.file).map_err(|e| format!("{shown}: {e}"))?;
    let sigs = match extract_signatures(&data, Limits::default()) {
        Ok(s) => s,
        // Not a PDF at all: like a file of the wrong kind on the command line.
        Err(e @ PdfError::NoHeader) => return Err(format!("{shown}: PDF: {e}")),
        // A PDF that is broken: a document that does not pass.
        Err(e) => {
            eprintln!("vnedoc: {shown}: PDF: {e}");
            return Ok(Exit::Fail.into());
        }
    };
    if sigs.is_empty() {
        eprintln!("vnedoc: {shown}: no signatures, nothing written");
        return Ok(Exit::Fail.into());
    }
    let dir = a.output.unwrap_or_else(|| a.file.with_extension("dump"));
    prepare_dir(&dir, a.force)?;

    let mut written: Vec<PathBuf> = Vec::new();
    let mut entries = Vec::new();
    let mut verdict = Exit::Ok;
    for (i, s) in sigs.iter().enumerate() {
        let n = i.saturating_add(1);
        let entry = dump_one(&dir, n, s, a.force, &mut written)?;
        for why in [&entry.revision_error, &entry.cms_error]
            .into_iter()
            .flatten()
        {
            verdict = Exit::Fail;
            eprintln!("vnedoc: {shown}: signature {n} ({}): {why}", s.field);
        }
        entries.push(entry);
    }
    let index = Index {
        file: &shown,
        signatures: entries,
    };
    let text = serde_json::to_string_pretty(&index).map_err(|e| e.to_string())?;
    let index_path = dir.join("index.json");
    write_file(&index_path, format!("{text}\n").as_bytes(), a.force)?;
    written.push(index_path);

    let mut out = String::new();
    for p in &written {
        out.push_str(&p.display().to_string());
        out.push('\n');
    }
    Ok(verdict.max(crate::write_stdout(&out)).into())
}

/// Writes the files of signature `n` and returns its index entry.
fn dump_one<'s>(
    dir: &Path,
    n: usize,
    s: &'s ExtractedSignature<'_>,
    force: bool,
    written: &mut Vec<PathBuf>,
) -> Result<Entry<'s>, String> {
    let mut write = |name: String, bytes: &[u8]| {
        let path = dir.join(&name);
        write_file(&path, bytes, force)?;
        written.push(path);
        Ok::<String, String>(name)
    };
    let (revision, revision_error) = match &s.signed_revision {
        Ok(bytes) => {
            let file = write(
                format!("sig{n}-{}.revision.pdf", file_part(&s.field)),
                bytes,
            )?;
            let bytes = bytes.len();
            (Some(RevisionFile { file, bytes }), None)
        }
        Err(e) => (None, Some(format!("/ByteRange: {e}; no revision written"))),
    };
    let (cms, cms_error, pkcs1_signature) = match (&s.cms, &s.pkcs1_signature) {
        (_, Some(Ok(value))) => (None, None, Some(write(format!("sig{n}.pkcs1.bin"), value)?)),
        (_, Some(Err(e))) => (
            None,
            Some(format!(
                "adbe.x509.rsa_sha1: {e}; no signature value written"
            )),
            None,
        ),
        (Ok(der), None) => (Some(write(format!("sig{n}.p7s"), der)?), None, None),
        (Err(e), None) => (None, Some(format!("{e}; no CMS written")), None),
    };
    let mut certificates = Vec::new();
    for (k, c) in s.certificates.iter().enumerate() {
        certificates.push(CertificateFile {
            file: write(format!("sig{n}-cert{}.der", k.saturating_add(1)), &c.der)?,
            subject: c.subject.as_deref(),
            issuer: c.issuer.as_deref(),
            sha256: &c.sha256,
            signer: s.signer_certificate == Some(k),
        });
    }
    let signer = s
        .signer_certificate
        .and_then(|k| s.certificates.get(k))
        .and_then(|c| c.subject.as_deref());
    Ok(Entry {
        number: n,
        field: &s.field,
        sub_filter: s.sub_filter.as_deref(),
        document_timestamp: s.is_doc_timestamp,
        byte_range: s.byte_range,
        revision,
        revision_error,
        cms,
        cms_error,
        pkcs1_signature,
        signer,
        certificates,
    })
}

/// Creates `dir`, or accepts it when it exists and is empty (or `force`).
fn prepare_dir(dir: &Path, force: bool) -> Result<(), String> {
    let shown = dir.display();
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() && !force {
                return Err(format!(
                    "{shown} is not empty (--force writes into it, replacing files of the same names)"
                ));
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir).map_err(|e| format!("{shown}: {e}"))
        }
        Err(e) => Err(format!("{shown}: {e}")),
    }
}

/// Writes a new file (or, with `force`, replaces one).
fn write_file(path: &Path, bytes: &[u8], force: bool) -> Result<(), String> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    options
        .open(path)
        .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()))
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// A field name as part of a file name: ASCII letters, digits, `-` and `_`, others as `_`.
fn file_part(field: &str) -> String {
    let s: String = field
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(MAX_FIELD_IN_NAME)
        .collect();
    if s.is_empty() { "unnamed".into() } else { s }
}

#[cfg(test)]
mod tests {
    use super::file_part;

    #[test]
    fn field_names_become_safe_file_names() {
        assert_eq!(file_part("Signature1"), "Signature1");
        assert_eq!(file_part("../../etc/passwd"), "______etc_passwd");
        assert_eq!(file_part("Chữ ký 1"), "Ch__k__1");
        assert_eq!(file_part(""), "unnamed");
        assert_eq!(file_part(&"x".repeat(300)).len(), super::MAX_FIELD_IN_NAME);
    }
}
