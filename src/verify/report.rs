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
    Good,
    Revoked,
    Unknown,
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
    pub common_name: Option<String>,
    pub organization: Option<String>,
    pub organizational_unit: Option<String>,
    pub locality: Option<String>,
    pub country: Option<String>,
    pub uid: Option<String>,
    pub serial: String,
    pub issuer: String,
    pub sha256: String,
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
    pub tsa: Option<String>,
    pub error: Option<String>,
}

/// The verdict on one signature dictionary.
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct SignatureReport {
    pub field: String,
    pub sub_filter: Option<String>,
    pub is_doc_timestamp: bool,
    pub indication: Indication,
    pub subindication: Option<SubIndication>,
    /// Digest over the byte ranges and signature value both verified.
    pub integrity: bool,
    pub covers_whole_file: bool,
    pub modifications: Modifications,
    pub signer: Option<SignerReport>,
    /// Claimed signing time (signingTime attribute, else /M, else the timestamp).
    pub signing_time: Option<Timestamp>,
    /// The time the certificate path was validated at, and where it came from
    /// (`given`, `claimed`).
    pub validation_time: Option<Timestamp>,
    pub validation_time_source: &'static str,
    pub digest_algorithm: Option<String>,
    pub signature_algorithm: Option<String>,
    /// Certificate subjects, signer first.
    pub chain: Vec<String>,
    pub revocation: RevocationStatus,
    pub timestamp: Option<TimestampReport>,
    /// Why the verdict is not TOTAL_PASSED, in the order of the checks (the messages of
    /// `findings`).
    pub errors: Vec<String>,
    /// The same findings, typed: each with its stable `code`, its message and the indication
    /// and sub-indication it implies. The report's own indication is that of the leading one
    /// (see [`Finding::rank`]).
    pub findings: Vec<Finding>,
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
    /// A report on a token that has not been read yet.
    pub(crate) fn unread() -> Self {
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
    pub file: String,
    pub signed: bool,
    pub signatures: Vec<SignatureReport>,
    /// Set when the document could not be read at all.
    pub error: Option<String>,
}

impl DocumentReport {
    /// An empty report on `file`: not signed, no signatures, no error.
    pub fn new(file: impl Into<String>) -> Self {
        DocumentReport {
            file: file.into(),
            signed: false,
            signatures: Vec::new(),
            error: None,
        }
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
    pub trust: TrustStore,
    pub time: ValidationTime,
    pub key_usage: KeyUsageRule,
    /// Accept SHA-1 digests (off by default: CRYPTO_CONSTRAINTS_FAILURE).
    pub allow_sha1: bool,
    /// Smallest RSA key accepted (2048 by default).
    pub min_rsa_bits: usize,
    pub max_input_size: usize,
    pub limits: Limits,
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
