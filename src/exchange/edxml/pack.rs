//! Helpers behind `vnedoc edxml pack` and `vnedoc edxml unpack`.
//!
//! The metadata JSON is the same in both directions ([`Metadata`]): `unpack` writes it beside
//! the attachments, and `pack` reads it back, so `unpack` then `pack` rebuilds the envelope.
//!
//! ```json
//! { "header": { "message": { "edoc": { "from": { "organ_id": "000.00.00.G22" },
//!                                       "to": [ { "organ_id": "000.00.00.H41" } ],
//!                                       "subject": "…", "document_id": "…" } },
//!               "trace": { "trace_headers": [], "business": { "doc_type": "new" } },
//!               "signature": "empty_digital_signature" },
//!   "attachments": [ { "content_id": "…", "name": "cv.pdf", "file": "cv.pdf", "size": 1234 } ] }
//! ```

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Attachment, EdxmlError, Envelope, Header, Reference};

/// File name of the metadata written by [`unpack`].
pub const METADATA_FILE: &str = "metadata.json";

/// Longest file name [`unpack`] writes, in characters (common file systems allow 255 bytes;
/// 150 characters of Vietnamese stay under that in UTF-8 for most names).
const MAX_FILE_NAME_CHARS: usize = 150;

/// The metadata JSON of `vnedoc edxml pack` / `unpack`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata {
    /// The envelope header, written back unchanged by [`pack`].
    pub header: Header,
    /// The manifest as received (informational: [`pack`] rebuilds it from the attachments).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub manifest: Vec<Reference>,
    /// Attachment descriptions; [`pack`] matches them to files by `file` or `name`.
    #[serde(default)]
    pub attachments: Vec<AttachmentInfo>,
}

/// An attachment without its content.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AttachmentInfo {
    /// `ContentId` as sent; when empty, [`pack`] derives one from the file's position,
    /// name and content.
    pub content_id: String,
    /// `ContentType`; [`pack`] uses it unless the [`PackFile`] names a type, and guesses from
    /// the file name when both are `None`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// `Description`; [`pack`] uses it unless the [`PackFile`] has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `AttachmentName` as sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The file written by [`unpack`], relative to its output directory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Size of the decoded content in bytes (informational: [`pack`] does not read it).
    pub size: u64,
}

/// One file to attach.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackFile {
    /// Becomes `AttachmentName`.
    pub name: String,
    /// The bytes to attach, base64-encoded as they are (not zipped).
    pub content: Vec<u8>,
    /// Guessed from the name when `None` (see [`guess_content_type`]).
    pub content_type: Option<String>,
    /// Becomes `Description`; when `None`, the matching metadata entry's description is used.
    pub description: Option<String>,
}

impl PackFile {
    /// Reads a file from disk; its name is the path's last component.
    pub fn from_path(path: &Path) -> Result<Self, EdxmlError> {
        let span = tracing::debug_span!(
            "fetch",
            kind = "file",
            path = %path.display(),
            bytes = tracing::field::Empty,
        );
        let _in = span.enter();
        let content = std::fs::read(path).map_err(|source| {
            // The caller gets the error.
            tracing::debug!(error = %source, "attachment not readable");
            EdxmlError::Io {
                path: path.display().to_string(),
                source,
            }
        })?;
        span.record("bytes", content.len());
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "attachment".to_owned());
        Ok(PackFile {
            name,
            content,
            content_type: None,
            description: None,
        })
    }
}

/// Builds an envelope from metadata and files.
///
/// Each file takes its content id, type and description from the metadata entry whose `file`
/// or `name` equals the file's name, if there is one; otherwise the content id is derived from
/// a SHA-256 of the position, name and content (so packing is reproducible) and the type is
/// guessed from the extension. The manifest gets one `Reference` per attachment.
pub fn pack(meta: &Metadata, files: Vec<PackFile>) -> Envelope {
    let mut envelope = Envelope::new(meta.header.clone());
    let mut used = vec![false; meta.attachments.len()];
    for (i, file) in files.into_iter().enumerate() {
        let matched = meta.attachments.iter().enumerate().find(|(j, info)| {
            !used.get(*j).copied().unwrap_or(true)
                && (info.file.as_deref() == Some(file.name.as_str())
                    || info.name.as_deref() == Some(file.name.as_str()))
        });
        let info = matched.map(|(j, info)| {
            if let Some(u) = used.get_mut(j) {
                *u = true;
            }
            info
        });
        let content_id = info
            .map(|i| i.content_id.clone())
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| derived_content_id(i, &file.name, &file.content));
        let content_type = file
            .content_type
            .or_else(|| info.and_then(|i| i.content_type.clone()))
            .unwrap_or_else(|| guess_content_type(&file.name).to_owned());
        let description = file
            .description
            .or_else(|| info.and_then(|i| i.description.clone()));
        let name = info
            .and_then(|i| i.name.clone())
            .unwrap_or_else(|| file.name.clone());
        envelope.add_attachment(Attachment {
            content_type: Some(content_type),
            content_id,
            description,
            name: Some(name),
            content: file.content,
        });
    }
    envelope
}

fn derived_content_id(index: usize, name: &str, content: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(u64::try_from(index).unwrap_or(u64::MAX).to_be_bytes());
    h.update(name.as_bytes());
    h.update([0u8]);
    h.update(content);
    let digest = h.finalize();
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("{hex}@vnedoc")
}

/// A MIME type from a file extension, `application/octet-stream` when unknown.
pub fn guess_content_type(name: &str) -> &'static str {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "pdf" => "application/pdf",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "ppt" => "application/vnd.ms-powerpoint",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "odt" => "application/vnd.oasis.opendocument.text",
        "xml" => "application/xml",
        "zip" => "application/zip",
        "txt" => "text/plain",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "tif" | "tiff" => "image/tiff",
        _ => "application/octet-stream",
    }
}

/// What [`unpack`] wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnpackReport {
    /// Path of the `metadata.json` written into the output directory.
    pub metadata: PathBuf,
    /// One path per attachment, in order.
    pub files: Vec<PathBuf>,
}

/// Writes `metadata.json` and every attachment into `out_dir` (created if needed).
///
/// Attachment names come from the sender and are untrusted: only their last path component is
/// used, characters unsafe in file names are replaced, collisions get a numeric suffix, and
/// files are created new (an existing file, or a symlink planted in `out_dir`, is never
/// written through: the call fails instead).
pub fn unpack(envelope: &Envelope, out_dir: &Path) -> Result<UnpackReport, EdxmlError> {
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| EdxmlError::Io { path, source }
    };
    std::fs::create_dir_all(out_dir).map_err(io(out_dir))?;

    let mut taken: HashSet<String> = HashSet::new();
    taken.insert(METADATA_FILE.to_owned());
    let mut files = Vec::new();
    let mut infos = Vec::new();
    for (i, a) in envelope.attachments.iter().enumerate() {
        let wanted = a
            .name
            .as_deref()
            .map(sanitize_file_name)
            .filter(|n| !n.is_empty())
            .or_else(|| Some(sanitize_file_name(&a.content_id)).filter(|n| !n.is_empty()))
            .unwrap_or_else(|| format!("attachment-{}", i.saturating_add(1)));
        let file_name = unique_name(&wanted, &mut taken);
        let path = out_dir.join(&file_name);
        write_new(&path, &a.content).map_err(io(&path))?;
        infos.push(AttachmentInfo {
            content_id: a.content_id.clone(),
            content_type: a.content_type.clone(),
            description: a.description.clone(),
            name: a.name.clone(),
            file: Some(file_name),
            size: u64::try_from(a.content.len()).unwrap_or(u64::MAX),
        });
        files.push(path);
    }

    let meta = Metadata {
        header: envelope.header.clone(),
        manifest: envelope.body_manifest.clone(),
        attachments: infos,
    };
    let json = serde_json::to_vec_pretty(&meta)?;
    let metadata = out_dir.join(METADATA_FILE);
    write_new(&metadata, &json).map_err(io(&metadata))?;
    Ok(UnpackReport { metadata, files })
}

fn write_new(path: &Path, content: &[u8]) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    f.write_all(content)?;
    f.sync_all()
}

/// The last path component of `name`, with characters that are unsafe or reserved in file
/// names (on Linux, Windows or macOS) replaced by `_`, leading dots and trailing dots/spaces
/// removed, and the length bounded. Returns "" when nothing usable remains.
pub(crate) fn sanitize_file_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .map(|c| match c {
            '<' | '>' | ':' | '"' | '|' | '?' | '*' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .take(MAX_FILE_NAME_CHARS)
        .collect();
    let cleaned = cleaned.trim_start_matches(['.', ' ']);
    let cleaned = cleaned.trim_end_matches(['.', ' ']);
    // Windows device names would open a device rather than a file there.
    let stem = cleaned.split('.').next().unwrap_or("").to_ascii_uppercase();
    let reserved = matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || ((stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.len() == 4
            && stem.ends_with(|c: char| c.is_ascii_digit()));
    if reserved {
        format!("_{cleaned}")
    } else {
        cleaned.to_owned()
    }
}

fn unique_name(wanted: &str, taken: &mut HashSet<String>) -> String {
    let key = |s: &str| s.to_lowercase();
    if taken.insert(key(wanted)) {
        return wanted.to_owned();
    }
    let (stem, ext) = match wanted.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s, format!(".{e}")),
        _ => (wanted, String::new()),
    };
    let mut n: u64 = 2;
    loop {
        let candidate = format!("{stem}-{n}{ext}");
        if taken.insert(key(&candidate)) {
            return candidate;
        }
        n = n.saturating_add(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_are_confined() {
        assert_eq!(sanitize_file_name("../../etc/passwd"), "passwd");
        assert_eq!(sanitize_file_name("..\\..\\boot.ini"), "boot.ini");
        assert_eq!(sanitize_file_name(".."), "");
        assert_eq!(sanitize_file_name("a\u{0}b?.pdf"), "a_b_.pdf");
        assert_eq!(sanitize_file_name("CON.txt"), "_CON.txt");
        assert_eq!(sanitize_file_name("Công văn 12.pdf"), "Công văn 12.pdf");
    }

    #[test]
    fn collisions_get_suffixes() {
        let mut t = HashSet::new();
        assert_eq!(unique_name("a.pdf", &mut t), "a.pdf");
        assert_eq!(unique_name("A.pdf", &mut t), "A-2.pdf");
        assert_eq!(unique_name("a.pdf", &mut t), "a-3.pdf");
    }
}
