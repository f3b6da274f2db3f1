//! The verification pipeline and its report (ETSI EN 319 102-1 vocabulary).
//!
//! One path for every signature dictionary of a document (signature fields and document
//! timestamps), each step a function with a typed result:
//!
//! 1. bytes → revisions ([`Document::parse`]);
//! 2. revisions → signature dictionaries (`pdf::signatures`), the byte range of each checked
//!    against the revision it signs, and the changes made after it (`pdf::diff`);
//! 3. signature dictionary → CMS view (`cms`): the content digest the SubFilter calls for, the
//!    one SignerInfo check (`cms::signer`), the algorithm policy and the signature timestamp;
//! 4. CMS view → certificate path (`pki`), at the validation time;
//! 5. → report: typed [`Finding`]s, ranked, decide the indication.
//!
//! Every failure is fail-closed: a check that cannot be completed never yields `TOTAL_PASSED`.

mod digests;
mod extract;
mod finding;
mod indication;
mod pipeline;
mod report;

pub use crate::pdf::{Limits, Modifications};
pub use extract::{ExtractedCertificate, ExtractedSignature, extract_signatures};
pub use finding::Finding;
pub use report::{
    DEFAULT_MAX_INPUT, DocumentErrorKind, DocumentReport, Indication, Password, RevocationStatus,
    SignatureReport, SignerReport, SubIndication, TimestampReport, ValidationTime, VerifyOptions,
};

use digests::RangeDigests;
use finding::Verdict;

use crate::malformed::PdfError;
use crate::pdf::document::Document;
use crate::pdf::fields::SigField;
use crate::pdf::signatures::{self, DssMaterial};
use crate::pki::PathValidator;

/// A reusable verifier. It caches verified issuer–subject pairs, so a batch does not re-verify
/// the same intermediates; it is `Sync` and can be shared across threads.
pub struct Verifier {
    options: VerifyOptions,
    paths: PathValidator,
    /// Signer summaries by certificate SHA-256 (bounded like the path caches).
    summaries: std::sync::RwLock<std::collections::HashMap<[u8; 32], crate::pki::CertSummary>>,
    recent_summaries:
        std::sync::RwLock<std::collections::VecDeque<(Vec<u8>, crate::pki::CertSummary)>>,
}

/// Why a file could not be verified at all. Everything about a readable file's content is in its
/// [`DocumentReport`] instead.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The file cannot be read.
    #[error("I/O on {path}: {source}")]
    Io {
        /// The file, as given.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The input is over [`VerifyOptions::max_input_size`].
    #[error(
        "input is {size} bytes, over the limit of {limit} (raise VerifyOptions::max_input_size)"
    )]
    TooLarge {
        /// The input's size in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// The document is encrypted and cannot be decrypted: it needs a password that was not
    /// given ([`VerifyOptions::password`]), the password is wrong, or its security handler is
    /// not implemented (public-key, or an unsupported revision).
    #[error(transparent)]
    Encryption(#[from] crate::malformed::EncryptionError),
}

impl VerifyError {
    /// The [`DocumentErrorKind`] a report on a file that failed this way carries.
    pub fn kind(&self) -> DocumentErrorKind {
        match self {
            VerifyError::Io { .. } => DocumentErrorKind::Io,
            VerifyError::TooLarge { .. } => DocumentErrorKind::TooLarge,
            VerifyError::Encryption(_) => DocumentErrorKind::Encrypted,
        }
    }
}

/// What all signatures of one document share.
struct PerDocument<'a> {
    dss: DssMaterial,
    digests: RangeDigests<'a>,
}

impl Verifier {
    /// A verifier with `options`.
    pub fn new(options: VerifyOptions) -> Self {
        Verifier {
            options,
            paths: PathValidator::new(),
            summaries: Default::default(),
            recent_summaries: Default::default(),
        }
    }

    /// The summary of a signer's certificate, computed once per certificate (the last few
    /// compared byte for byte, older ones found by SHA-256).
    fn summary(&self, cert: &[u8]) -> Option<crate::pki::CertSummary> {
        if let Ok(recent) = self.recent_summaries.read()
            && let Some((_, s)) = recent.iter().find(|(c, _)| c.as_slice() == cert)
        {
            return Some(s.clone());
        }
        let s = self.summary_by_digest(cert)?;
        if let Ok(mut recent) = self.recent_summaries.write() {
            if recent.len() >= 8 {
                recent.pop_back();
            }
            recent.push_front((cert.to_vec(), s.clone()));
        }
        Some(s)
    }

    fn summary_by_digest(&self, cert: &[u8]) -> Option<crate::pki::CertSummary> {
        let key = crate::crypto::sha256(cert);
        if let Some(s) = self
            .summaries
            .read()
            .ok()
            .and_then(|m| m.get(&key).cloned())
        {
            return Some(s);
        }
        let s = PathValidator::summarize(cert).ok()?;
        if let Ok(mut m) = self.summaries.write() {
            if m.len() >= crate::pki::MAX_CACHED {
                m.clear();
            }
            m.insert(key, s.clone());
        }
        Some(s)
    }

    /// The options it verifies with.
    pub fn options(&self) -> &VerifyOptions {
        &self.options
    }

    /// Reads and verifies a file. I/O errors are returned; everything about the content is in
    /// the report.
    pub fn verify_file(&self, path: &std::path::Path) -> Result<DocumentReport, VerifyError> {
        let data = self.read_file(path).map_err(|e| {
            // The caller gets the error; it decides whether it is worth more than debug.
            tracing::debug!(path = %path.display(), error = %e, "file not verified");
            e
        })?;
        self.verify_logged(&path.display().to_string(), &data)
    }

    /// The file's bytes, within [`VerifyOptions::max_input_size`], in a `fetch` span.
    fn read_file(&self, path: &std::path::Path) -> Result<Vec<u8>, VerifyError> {
        let span = tracing::debug_span!(
            "fetch",
            kind = "file",
            path = %path.display(),
            bytes = tracing::field::Empty,
        );
        let _in = span.enter();
        let meta = std::fs::metadata(path).map_err(|source| VerifyError::Io {
            path: path.display().to_string(),
            source,
        })?;
        let size = usize::try_from(meta.len()).unwrap_or(usize::MAX);
        if size > self.options.max_input_size {
            return Err(VerifyError::TooLarge {
                size,
                limit: self.options.max_input_size,
            });
        }
        let data = std::fs::read(path).map_err(|source| VerifyError::Io {
            path: path.display().to_string(),
            source,
        })?;
        span.record("bytes", data.len());
        Ok(data)
    }

    /// [`Verifier::verify_file`] for many files, on the current rayon pool: each worker reads
    /// its next file while the others hash, so reading overlaps verification. Results come back
    /// in the order of `paths`. At most one file per worker is held in memory at a time.
    pub fn verify_files<P: AsRef<std::path::Path> + Sync>(
        &self,
        paths: &[P],
    ) -> Vec<Result<DocumentReport, VerifyError>> {
        use rayon::prelude::*;
        if paths.len() < 2 {
            // No pool to start for a single file.
            return paths.iter().map(|p| self.verify_file(p.as_ref())).collect();
        }
        paths
            .par_iter()
            .with_max_len(1)
            .map(|p| self.verify_file(p.as_ref()))
            .collect()
    }

    /// Verifies every signature of an in-memory document. A document that cannot be read at
    /// all (too large, or encrypted and not decryptable) is reported with its `error`.
    pub fn verify_bytes(&self, file: &str, data: &[u8]) -> DocumentReport {
        self.verify_logged(file, data)
            .unwrap_or_else(|e| DocumentReport::unreadable(file, e.kind(), e))
    }

    /// [`Verifier::verify_data`] inside its `document` span, its outcome logged.
    fn verify_logged(&self, file: &str, data: &[u8]) -> Result<DocumentReport, VerifyError> {
        let span = tracing::info_span!("document", file, len = data.len());
        let _in = span.enter();
        let result = self.verify_data(file, data);
        match &result {
            // The caller gets the error, or finds it in the report: its to judge.
            Err(error) => tracing::debug!(%error, "document not verified"),
            Ok(DocumentReport {
                error: Some(error), ..
            }) => tracing::debug!(%error, "document not verified"),
            Ok(report) => {
                let passed = report
                    .signatures
                    .iter()
                    .filter(|s| s.indication == Indication::TotalPassed)
                    .count();
                tracing::info!(
                    signatures = report.signatures.len(),
                    passed,
                    "document verified"
                );
            }
        }
        result
    }

    /// [`Verifier::verify_bytes`], with the errors that make a file unreadable as such: its size
    /// and its encryption. Every other defect is in the report.
    fn verify_data(&self, file: &str, data: &[u8]) -> Result<DocumentReport, VerifyError> {
        let mut report = DocumentReport::new(file);
        if data.len() > self.options.max_input_size {
            return Err(VerifyError::TooLarge {
                size: data.len(),
                limit: self.options.max_input_size,
            });
        }
        // A PDF whose structure cannot be read is a document that does not pass; only input
        // without the header is "not a PDF" (see DocumentErrorKind).
        let pdf_error = |e: &PdfError| {
            let kind = match e {
                PdfError::NoHeader => DocumentErrorKind::NotPdf,
                _ => DocumentErrorKind::Malformed,
            };
            Ok(DocumentReport::unreadable(
                file,
                kind,
                format_args!("PDF: {e}"),
            ))
        };
        // Bytes → revisions (decrypted with the password, when the document is encrypted).
        let password = self.options.password.as_ref().map(Password::as_str);
        let doc = match Document::parse_with_password(data, self.options.limits, password) {
            Ok(d) => d,
            Err(PdfError::Encryption(e)) => return Err(VerifyError::Encryption(e)),
            Err(e) => return pdf_error(&e),
        };
        // Revisions → signature dictionaries.
        let sigs = match signatures::all_signature_fields(&doc) {
            Ok(s) => s,
            Err(e) => return pdf_error(&e),
        };
        report.signed = !sigs.is_empty();
        if let (true, Some(e)) = (sigs.is_empty(), &doc.unreadable_tail) {
            return pdf_error(e);
        }
        let shared = PerDocument {
            dss: signatures::dss_material(&doc),
            digests: RangeDigests::new(data, &sigs),
        };
        // Each signature dictionary → CMS view → certificate path → report.
        for sf in &sigs {
            report.signatures.push(self.verify_one(&doc, sf, &shared));
        }
        // What the reader tolerated (read while verifying, so known only now) is said with
        // every signature whose verdict it may have touched.
        let tolerated = doc.warnings();
        for rep in &mut report.signatures {
            rep.warnings
                .extend(tolerated.iter().map(|w| format!("PDF: {w}")));
        }
        Ok(report)
    }

    /// One signature's report: the pipeline's findings decide its indication, and nothing
    /// passes without verified integrity.
    fn verify_one(
        &self,
        doc: &Document<'_>,
        sf: &SigField,
        shared: &PerDocument<'_>,
    ) -> SignatureReport {
        let mut rep = SignatureReport::new(sf.name.clone());
        rep.sub_filter = sf
            .sig
            .name(b"SubFilter")
            .map(|n| String::from_utf8_lossy(n).into_owned());
        let span = tracing::info_span!(
            "signature",
            field = sf.name.as_str(),
            sub_filter = rep.sub_filter.as_deref(),
        );
        let _in = span.enter();
        rep.is_doc_timestamp = sf.sig.type_name() == Some(b"DocTimeStamp")
            || rep.sub_filter.as_deref() == Some("ETSI.RFC3161");
        rep.validation_time_source = match self.options.time {
            ValidationTime::At(_) => "given",
            ValidationTime::Claimed => "claimed",
        };
        let mut v = Verdict::default();
        // A `Stop` means the finding that ended the checks is already in `v`.
        let _ = self.check_signature(doc, sf, shared, &mut rep, &mut v);
        if v.result().0 == Indication::TotalPassed && !rep.integrity {
            // Fail closed: nothing may pass without verified integrity.
            v.push(Finding::IntegrityNotEstablished);
        }
        (rep.indication, rep.subindication) = v.result();
        tracing::info!(
            indication = crate::check::indication_code(rep.indication),
            subindication = rep.subindication.map(crate::check::subindication_code),
            findings = v.len(),
            "signature checked"
        );
        rep.findings = v.into_findings();
        rep.errors = rep.findings.iter().map(ToString::to_string).collect();
        rep
    }
}
