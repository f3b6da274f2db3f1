//! The verification report (ETSI EN 319 102-1 vocabulary) and the verifier's options.

use serde::Serialize;

use super::finding::Finding;
pub use super::indication::{Indication, SubIndication};
use crate::pdf::Modifications;
use crate::pdf::document::Limits;
use crate::pki::{self, CertSummary, KeyUsageRule, TrustStore};
use crate::time::Timestamp;

/// Largest input accepted by default: 512 MiB. Raise it with [`VerifyOptions::max_input_size`].
pub const DEFAULT_MAX_INPUT: usize = 512 << 20;

/// Revocation status of the signer's certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RevocationStatus {
    /// A CRL or OCSP response valid at the validation time says the certificate is not revoked.
    Good,
    /// Revoked at or before the validation time.
    Revoked,
    /// Revocation data was found but could not be used (wrong issuer, out of date, malformed).
    Unknown,
    /// No revocation data for the certificate (the crate does not fetch any over the network).
    NotChecked,
}

/// Which validation time was used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValidationTime {
    /// A fixed time. The CLI passes "now" or `--at`.
    At(Timestamp),
    /// Each signature at its own claimed signing time (pyHanko `--validation-time claimed`).
    Claimed,
}

/// The signer's identity, from the certificate.
#[derive(Clone, Debug, Default, Serialize)]
#[non_exhaustive]
pub struct SignerReport {
    /// Subject CN: the person's name, or the agency's for an organisation certificate.
    pub common_name: Option<String>,
    /// Subject O: the agency (e.g. `UBND Tỉnh Đồng Tháp`).
    pub organization: Option<String>,
    /// Subject OU: the department within it.
    pub organizational_unit: Option<String>,
    /// Subject L: the province or city.
    pub locality: Option<String>,
    /// Subject C (`VN`).
    pub country: Option<String>,
    /// Subject UID (0.9.2342.19200300.100.1.1), where Vietnamese CAs put the citizen id, tax
    /// code or budget code with its prefix (`CCCD:`, `MST:`, `MNS:`, …).
    pub uid: Option<String>,
    /// Serial number, lower-case hexadecimal.
    pub serial: String,
    /// Issuer distinguished name (RFC 4514 text).
    pub issuer: String,
    /// SHA-256 of the certificate's DER, lower-case hexadecimal.
    pub sha256: String,
    /// Subject distinguished name (RFC 4514 text).
    pub subject: String,
}

impl From<&CertSummary> for SignerReport {
    fn from(c: &CertSummary) -> Self {
        SignerReport {
            common_name: c.common_name.clone(),
            organization: c.organization.clone(),
            organizational_unit: c.organizational_unit.clone(),
            locality: c.locality.clone(),
            country: c.country.clone(),
            uid: c.uid.clone(),
            serial: c.serial_hex.clone(),
            issuer: c.issuer.clone(),
            sha256: c.sha256_hex.clone(),
            subject: c.subject.clone(),
        }
    }
}

/// An RFC 3161 signature timestamp found in the unsigned attributes.
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct TimestampReport {
    /// The token's genTime; empty in JSON when the token could not be read.
    #[serde(serialize_with = "time_or_empty")]
    pub time: Option<Timestamp>,
    /// Imprint and TSA signature verified.
    pub integrity: bool,
    /// The TSA certificate's subject, when the token names a certificate that was found.
    pub tsa: Option<String>,
    /// Why the token does not hold; `None` when it does.
    pub error: Option<String>,
}

/// The verdict on one signature dictionary.
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct SignatureReport {
    /// The signature field's fully qualified name (`/T` of the field and its parents).
    pub field: String,
    /// The signature dictionary's /SubFilter (`ETSI.CAdES.detached`, `adbe.pkcs7.detached`,
    /// `ETSI.RFC3161`, …).
    pub sub_filter: Option<String>,
    /// A document timestamp (`/Type /DocTimeStamp` or SubFilter `ETSI.RFC3161`) rather than a
    /// signature.
    pub is_doc_timestamp: bool,
    /// The verdict.
    pub indication: Indication,
    /// Why, when the verdict is not TOTAL_PASSED.
    pub subindication: Option<SubIndication>,
    /// Digest over the byte ranges and signature value both verified.
    pub integrity: bool,
    /// The signed bytes reach the end of the file (only line ends or zero padding after them).
    pub covers_whole_file: bool,
    /// How the document changed after this signature: none, allowed by its permissions, or
    /// disallowed.
    pub modifications: Modifications,
    /// The signer, when the signer's certificate was found.
    pub signer: Option<SignerReport>,
    /// Claimed signing time (signingTime attribute, else /M, else the timestamp).
    pub signing_time: Option<Timestamp>,
    /// The time the certificate path was validated at, and where it came from
    /// (`given`, `claimed`).
    pub validation_time: Option<Timestamp>,
    /// Where the validation time came from: `given` (the options' fixed time) or `claimed`
    /// (the signature's claimed signing time).
    pub validation_time_source: &'static str,
    /// The SignerInfo's digest algorithm (`SHA-256`, …).
    pub digest_algorithm: Option<String>,
    /// The signature algorithm (`RSA PKCS#1 v1.5 SHA-256`, `ECDSA P-256 SHA-256`, …).
    pub signature_algorithm: Option<String>,
    /// Certificate subjects, signer first.
    pub chain: Vec<String>,
    /// The signer's certificate's revocation status at the validation time.
    pub revocation: RevocationStatus,
    /// The signature timestamp in the unsigned attributes, if any.
    pub timestamp: Option<TimestampReport>,
    /// Why the verdict is not TOTAL_PASSED, in the order of the checks (the messages of
    /// `findings`).
    pub errors: Vec<String>,
    /// The same findings, typed: each with its stable `code`, its message and the indication
    /// and sub-indication it implies. The report's own indication is that of the leading one
    /// (see [`Finding::rank`]).
    pub findings: Vec<Finding>,
    /// Departures from the profiles that do not change the verdict.
    pub warnings: Vec<String>,
    /// What changed after signing.
    pub modification_details: Vec<String>,
}

impl SignatureReport {
    /// A report on the signature in `field` before any check: TOTAL_FAILED without a
    /// sub-indication, integrity not established, nothing known of the signer. The verifier
    /// fills it in; other producers of reports (a ledger fed from elsewhere) may too.
    pub fn new(field: impl Into<String>) -> Self {
        SignatureReport {
            field: field.into(),
            sub_filter: None,
            is_doc_timestamp: false,
            indication: Indication::TotalFailed,
            subindication: None,
            integrity: false,
            covers_whole_file: false,
            modifications: Modifications::None,
            signer: None,
            signing_time: None,
            validation_time: None,
            validation_time_source: "given",
            digest_algorithm: None,
            signature_algorithm: None,
            chain: Vec::new(),
            revocation: RevocationStatus::NotChecked,
            timestamp: None,
            errors: Vec::new(),
            findings: Vec::new(),
            warnings: Vec::new(),
            modification_details: Vec::new(),
        }
    }
}

impl TimestampReport {
    /// A report on a token that has not been read yet: no time, integrity not established.
    pub fn unread() -> Self {
        TimestampReport {
            time: None,
            integrity: false,
            tsa: None,
            error: None,
        }
    }
}

/// The verdict on one document.
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct DocumentReport {
    /// The file's name as given to the verifier.
    pub file: String,
    /// The document has at least one signature dictionary (signed or timestamped), valid or not.
    pub signed: bool,
    /// One report per signature dictionary: those of the newest revision, then any that
    /// earlier revisions had and later ones dropped or rewrote.
    pub signatures: Vec<SignatureReport>,
    /// Set when the document could not be read at all.
    pub error: Option<String>,
    /// What kind of failure [`DocumentReport::error`] is; the verifier sets it whenever it sets
    /// `error`.
    pub error_kind: Option<DocumentErrorKind>,
}

/// Why a document could not be read at all (the class of [`DocumentReport::error`]).
///
/// The line it draws is between input that is not a PDF document the verifier could look at
/// (`Io`, `TooLarge`, `NotPdf`, `Encrypted`: the CLI's exit code 2, like a usage error) and a PDF whose
/// structure is broken (`Malformed`: a document that does not pass, exit code 1). A file that
/// starts like a PDF but whose revisions cannot be read may be a truncated or tampered signed
/// document, so it is a failed verification, never "not a PDF".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DocumentErrorKind {
    /// The file could not be read (missing, a directory, no permission, …).
    Io,
    /// Over [`VerifyOptions::max_input_size`].
    TooLarge,
    /// No `%PDF-` header in the first 1024 bytes: an empty file or another format.
    NotPdf,
    /// A PDF (it has the header) whose revisions or signature fields cannot be read.
    Malformed,
    /// An encrypted PDF that cannot be decrypted: it needs a password that was not given
    /// ([`VerifyOptions::password`]), the password is wrong, or its security handler is not
    /// implemented (public-key, or an unsupported revision).
    Encrypted,
}

impl DocumentErrorKind {
    /// True for the kinds that mean the input is not a PDF the verifier could read at all
    /// (`Io`, `TooLarge`, `NotPdf`, `Encrypted`), false for a PDF that is broken (`Malformed`).
    pub fn is_unreadable_input(self) -> bool {
        !matches!(self, DocumentErrorKind::Malformed)
    }
}

impl DocumentReport {
    /// An empty report on `file`: not signed, no signatures, no error.
    pub fn new(file: impl Into<String>) -> Self {
        DocumentReport {
            file: file.into(),
            signed: false,
            signatures: Vec::new(),
            error: None,
            error_kind: None,
        }
    }

    /// A report on `file` that could not be read at all: `error` and `error_kind` set.
    pub fn unreadable(
        file: impl Into<String>,
        kind: DocumentErrorKind,
        error: impl std::fmt::Display,
    ) -> Self {
        let mut r = DocumentReport::new(file);
        r.error = Some(error.to_string());
        r.error_kind = Some(kind);
        r
    }

    /// True when the document has at least one signature and all are TOTAL_PASSED.
    pub fn all_passed(&self) -> bool {
        self.error.is_none()
            && !self.signatures.is_empty()
            && self
                .signatures
                .iter()
                .all(|s| s.indication == Indication::TotalPassed)
    }
}

/// Policy and inputs for verification.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct VerifyOptions {
    /// Trust anchors, intermediates and CRLs the paths are built from.
    pub trust: TrustStore,
    /// When the certificate paths are validated.
    pub time: ValidationTime,
    /// Which key usages a signer's certificate must carry.
    pub key_usage: KeyUsageRule,
    /// Accept SHA-1 digests (off by default: CRYPTO_CONSTRAINTS_FAILURE).
    pub allow_sha1: bool,
    /// Smallest RSA key accepted (2048 by default).
    pub min_rsa_bits: usize,
    /// Largest document accepted, in bytes ([`DEFAULT_MAX_INPUT`] by default).
    pub max_input_size: usize,
    /// Bounds on the PDF reader (objects, nesting, decompressed sizes).
    pub limits: Limits,
    /// The password of encrypted documents, tried as the user and as the owner password
    /// (ISO 32000-2 §7.6.4). The empty user password is always tried too, so documents that
    /// open without a password need none here. `None` by default.
    pub password: Option<Password>,
}

/// A password for encrypted documents. Its `Debug` output does not show it, so options can be
/// logged.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// The password `text` (UTF-8; converted to each security handler revision's encoding when
    /// tried).
    pub fn new(text: impl Into<String>) -> Self {
        Password(text.into())
    }

    /// The password's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(..)")
    }
}

impl VerifyOptions {
    /// Strict defaults, validating at `time`.
    pub fn new(trust: TrustStore, time: ValidationTime) -> Self {
        VerifyOptions {
            trust,
            time,
            key_usage: KeyUsageRule::default(),
            allow_sha1: false,
            min_rsa_bits: pki::DEFAULT_MIN_RSA_BITS,
            max_input_size: DEFAULT_MAX_INPUT,
            limits: Limits::default(),
            password: None,
        }
    }
}

/// An optional instant as its RFC 3339 text, or `""` when absent (the report's JSON contract for
/// a token whose TSTInfo could not be read).
fn time_or_empty<S: serde::Serializer>(t: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.collect_str(t),
        None => s.serialize_str(""),
    }
}
