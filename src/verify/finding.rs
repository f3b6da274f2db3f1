//! Typed findings: everything that keeps a signature from TOTAL_PASSED.
//!
//! Each [`Finding`] has a stable [`code`](Finding::code) (part of the JSON contract: codes are
//! never renamed or reused), a message, and the ETSI EN 319 102-1 indication and sub-indication
//! it implies. When a signature has several, the report leads with the most severe indication
//! (TOTAL_FAILED over INDETERMINATE) and, within it, the finding of lowest
//! [`rank`](Finding::rank). Ranks follow the order of the validation steps: a failure of an
//! earlier step (the byte range, the CMS structure, the digest) is the cause a user must see
//! first, and later findings are often its consequences.

use serde::ser::{Serialize, SerializeStruct, Serializer};

use super::indication::{Indication, SubIndication};
use crate::cms::pkcs1::Pkcs1Error;
use crate::cms::signer::SignerProblem;
use crate::cms::timestamp::TimestampError;
use crate::malformed::{CmsError, PdfError};
use crate::time::Timestamp;

/// Why a signature is not TOTAL_PASSED.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Finding {
    /// The /ByteRange or /Contents breaks the signature rules.
    ByteRange(PdfError),
    /// /Contents is not a readable CMS SignedData.
    Cms(CmsError),
    /// An `adbe.x509.rsa_sha1` signature whose /Contents or /Cert cannot be read.
    Pkcs1(Pkcs1Error),
    /// The SignedData does not have exactly one SignerInfo.
    SignerInfo(CmsError),
    /// The SignerInfo's digest algorithm is not implemented.
    DigestUnsupported {
        /// Dotted OID.
        oid: String,
    },
    /// A detached SubFilter with encapsulated content.
    NotDetached {
        /// The SubFilter.
        sub_filter: String,
    },
    /// adbe.pkcs7.sha1 without the encapsulated SHA-1 digest.
    Sha1ContentMissing,
    /// adbe.pkcs7.sha1: the encapsulated digest is not that of the signed ranges.
    Sha1DigestMismatch,
    /// adbe.pkcs7.sha1 signs a SHA-1 digest.
    Sha1SubFilter,
    /// A document timestamp whose TSTInfo cannot be read.
    TstInfo(CmsError),
    /// A document timestamp whose imprint algorithm is not implemented.
    ImprintUnsupported,
    /// A document timestamp whose imprint is not the digest of the signed ranges.
    ImprintMismatch,
    /// A SubFilter this crate does not verify.
    SubFilterUnsupported {
        /// The SubFilter.
        sub_filter: String,
    },
    /// The SignerInfo check failed (signed attributes, signer, signature value).
    Signer(SignerProblem),
    /// The ESS signing-certificate attribute is malformed or names another certificate.
    SigningCertificate(CmsError),
    /// ETSI.CAdES.detached without the ESS signing-certificate-v2 attribute.
    SigningCertificateMissing,
    /// A SubFilter that requires signed attributes, without them.
    SignedAttributesRequired {
        /// The SubFilter.
        sub_filter: String,
    },
    /// A SHA-1 digest under a policy that rejects it.
    Sha1Rejected,
    /// An RSA key below the policy minimum.
    RsaKeyTooSmall {
        /// The key's size.
        bits: usize,
        /// The policy minimum.
        minimum: usize,
    },
    /// The signature timestamp does not hold.
    SignatureTimestamp(TimestampError),
    /// Validation at the claimed time, and nothing claims a time.
    NoClaimedTime,
    /// No certificate path to a trust anchor.
    NoChain,
    /// A certificate of the path is expired at the validation time.
    Expired {
        /// The validation time.
        at: Timestamp,
    },
    /// A certificate of the path is not yet valid at the validation time.
    NotYetValid,
    /// The signer's certificate had expired at the claimed signing time.
    ExpiredAtSigningTime,
    /// The signer's certificate was not yet valid at the claimed signing time.
    NotYetValidAtSigningTime,
    /// basicConstraints, pathLen, CA key usage or an unknown critical extension.
    ChainConstraints {
        /// What the path broke.
        reason: String,
    },
    /// The signer's key usage does not allow this signature.
    KeyUsage {
        /// What the key usage lacks.
        reason: String,
    },
    /// A certificate's signature does not verify with its issuer's key.
    BadCertSignature {
        /// The certificate's subject.
        subject: String,
    },
    /// A weak algorithm in the path.
    PathCryptoConstraints {
        /// Which.
        reason: String,
    },
    /// The signer's certificate was revoked at or before the claimed signing time.
    Revoked {
        /// Revocation time.
        at: Timestamp,
    },
    /// The signer's certificate was revoked after the claimed signing time, with no proof of
    /// existence before the revocation.
    RevokedNoPoe {
        /// Revocation time.
        at: Timestamp,
    },
    /// An algorithm or extension of the path this crate cannot judge.
    PathUnsupported {
        /// Which.
        what: String,
    },
    /// A change after signing that the signature's permissions do not allow.
    DisallowedChange {
        /// The first such change.
        what: String,
    },
    /// Nothing failed, yet integrity was not established (the verifier fails closed).
    IntegrityNotEstablished,
}

impl Finding {
    /// The stable identifier of this kind of finding, as the JSON report gives it.
    pub fn code(&self) -> &'static str {
        use Finding as F;
        match self {
            F::ByteRange(_) => "pdf.byte_range",
            F::Cms(_) => "cms.malformed",
            F::Pkcs1(_) => "pdf.pkcs1_signature",
            F::SignerInfo(_) => "cms.signer_info",
            F::DigestUnsupported { .. } => "crypto.digest_unsupported",
            F::NotDetached { .. } => "pdf.sub_filter.not_detached",
            F::Sha1ContentMissing => "pdf.sub_filter.sha1_content_missing",
            F::Sha1DigestMismatch => "hash.sha1_content_mismatch",
            F::Sha1SubFilter => "policy.sha1_sub_filter",
            F::TstInfo(_) => "timestamp.tst_info",
            F::ImprintUnsupported => "timestamp.imprint_unsupported",
            F::ImprintMismatch => "hash.imprint_mismatch",
            F::SubFilterUnsupported { .. } => "pdf.sub_filter.unsupported",
            F::Signer(p) => signer_code(p),
            F::SigningCertificate(_) => "cms.ess_signing_certificate",
            F::SigningCertificateMissing => "cms.ess_signing_certificate_missing",
            F::SignedAttributesRequired { .. } => "cms.signed_attributes_required",
            F::Sha1Rejected => "policy.sha1",
            F::RsaKeyTooSmall { .. } => "policy.rsa_key_size",
            F::SignatureTimestamp(_) => "timestamp.signature_timestamp",
            F::NoClaimedTime => "time.no_claimed_time",
            F::NoChain => "path.no_chain",
            F::Expired { .. } => "path.expired",
            F::NotYetValid => "path.not_yet_valid",
            F::ExpiredAtSigningTime => "path.expired_at_signing_time",
            F::NotYetValidAtSigningTime => "path.not_yet_valid_at_signing_time",
            F::ChainConstraints { .. } => "path.chain_constraints",
            F::KeyUsage { .. } => "path.key_usage",
            F::BadCertSignature { .. } => "path.certificate_signature",
            F::PathCryptoConstraints { .. } => "path.crypto_constraints",
            F::Revoked { .. } => "path.revoked",
            F::RevokedNoPoe { .. } => "path.revoked_no_poe",
            F::PathUnsupported { .. } => "path.unsupported",
            F::DisallowedChange { .. } => "pdf.disallowed_change",
            F::IntegrityNotEstablished => "integrity.not_established",
        }
    }

    /// The ETSI EN 319 102-1 indication and sub-indication this finding implies.
    pub fn indication(&self) -> (Indication, SubIndication) {
        use Finding as F;
        use Indication::{Indeterminate as I, TotalFailed as T};
        use SubIndication as S;
        match self {
            F::ByteRange(_) => (T, S::FormatFailure),
            F::Cms(e) => (T, cms_subindication(e)),
            F::Pkcs1(Pkcs1Error::NoCert) => (I, S::NoSigningCertificateFound),
            F::Pkcs1(_) => (T, S::FormatFailure),
            F::SignerInfo(_) => (T, S::FormatFailure),
            F::DigestUnsupported { .. } => (I, S::CryptoConstraintsFailure),
            F::NotDetached { .. } | F::Sha1ContentMissing => (T, S::FormatFailure),
            F::Sha1DigestMismatch => (T, S::HashFailure),
            F::Sha1SubFilter => (I, S::CryptoConstraintsFailure),
            F::TstInfo(_) => (T, S::FormatFailure),
            F::ImprintUnsupported => (I, S::CryptoConstraintsFailure),
            F::ImprintMismatch => (T, S::HashFailure),
            F::SubFilterUnsupported { .. } => (I, S::FormatFailure),
            F::Signer(p) => signer_indication(p),
            F::SigningCertificate(e) => (I, cms_subindication(e)),
            F::SigningCertificateMissing | F::SignedAttributesRequired { .. } => {
                (T, S::FormatFailure)
            }
            F::Sha1Rejected | F::RsaKeyTooSmall { .. } => (I, S::CryptoConstraintsFailure),
            F::SignatureTimestamp(_) => (T, S::SigConstraintsFailure),
            F::NoClaimedTime | F::NoChain => (I, S::NoCertificateChainFound),
            F::Expired { .. } => (I, S::OutOfBoundsNoPoe),
            // The signature exists at the validation time, so it was made before a certificate
            // of its path became valid: no later proof can change that (EN 319 102-1 lists
            // NOT_YET_VALID under TOTAL-FAILED).
            F::NotYetValid | F::NotYetValidAtSigningTime => (T, S::NotYetValid),
            F::ExpiredAtSigningTime => (T, S::Expired),
            F::ChainConstraints { .. } | F::KeyUsage { .. } => (I, S::ChainConstraintsFailure),
            F::BadCertSignature { .. } => (I, S::CertificateChainGeneralFailure),
            F::PathCryptoConstraints { .. } | F::PathUnsupported { .. } => {
                (I, S::CryptoConstraintsFailure)
            }
            F::Revoked { .. } => (T, S::Revoked),
            F::RevokedNoPoe { .. } => (I, S::RevokedNoPoe),
            F::DisallowedChange { .. } | F::IntegrityNotEstablished => (T, S::FormatFailure),
        }
    }

    /// Which finding leads the report when there are several of the same indication: the
    /// lowest rank. Ranks are the validation steps in order (structure, CMS, content digest,
    /// signed attributes, signature value, policy, signature timestamp, time, path, changes
    /// after signing); each step's findings share a band of ten.
    pub fn rank(&self) -> u32 {
        use Finding as F;
        match self {
            F::ByteRange(_) => 0,
            F::Pkcs1(Pkcs1Error::NoCert) => 30,
            F::Cms(_) | F::Pkcs1(_) => 10,
            F::SignerInfo(_) => 11,
            F::DigestUnsupported { .. } => 12,
            F::NotDetached { .. } => 20,
            F::Sha1ContentMissing => 21,
            F::Sha1DigestMismatch => 22,
            F::Sha1SubFilter => 23,
            F::TstInfo(_) => 24,
            F::ImprintUnsupported => 25,
            F::ImprintMismatch => 26,
            F::SubFilterUnsupported { .. } => 27,
            F::Signer(SignerProblem::CertificateNotFound) => 30,
            F::Signer(
                SignerProblem::Attribute(_)
                | SignerProblem::DigestNotOctetString
                | SignerProblem::DigestLength(_)
                | SignerProblem::DigestMismatch,
            ) => 40,
            F::SigningCertificate(_) | F::SigningCertificateMissing => 41,
            F::SignedAttributesRequired { .. } => 42,
            F::Signer(_) => 50,
            F::Sha1Rejected => 60,
            F::RsaKeyTooSmall { .. } => 61,
            F::SignatureTimestamp(_) => 70,
            F::NoClaimedTime => 80,
            F::NoChain
            | F::Expired { .. }
            | F::NotYetValid
            | F::ExpiredAtSigningTime
            | F::NotYetValidAtSigningTime
            | F::ChainConstraints { .. }
            | F::KeyUsage { .. }
            | F::BadCertSignature { .. }
            | F::PathCryptoConstraints { .. }
            | F::Revoked { .. }
            | F::RevokedNoPoe { .. }
            | F::PathUnsupported { .. } => 90,
            F::DisallowedChange { .. } => 100,
            F::IntegrityNotEstablished => 110,
        }
    }
}

fn signer_code(p: &SignerProblem) -> &'static str {
    match p {
        SignerProblem::CertificateNotFound => "cms.signer_certificate_not_found",
        SignerProblem::Attribute(_) => "cms.signed_attribute",
        SignerProblem::DigestNotOctetString => "cms.message_digest_type",
        SignerProblem::DigestLength(_) => "hash.message_digest_length",
        SignerProblem::DigestMismatch => "hash.message_digest_mismatch",
        SignerProblem::SigningCertificate(_) => "cms.ess_signing_certificate",
        SignerProblem::KeyUnsupported { .. } => "crypto.key_unsupported",
        SignerProblem::Key(_) => "crypto.key_malformed",
        SignerProblem::AlgorithmUnsupported { .. } => "crypto.signature_algorithm_unsupported",
        _ => "crypto.signature_value",
    }
}

fn signer_indication(p: &SignerProblem) -> (Indication, SubIndication) {
    use Indication::{Indeterminate as I, TotalFailed as T};
    use SubIndication as S;
    match p {
        SignerProblem::CertificateNotFound => (I, S::NoSigningCertificateFound),
        SignerProblem::DigestLength(_) | SignerProblem::DigestMismatch => (T, S::HashFailure),
        SignerProblem::SigningCertificate(e) => (I, cms_subindication(e)),
        // A key the crate cannot read cannot judge the signature: INDETERMINATE with the
        // reason, never TOTAL_FAILED (the rule for keys ring refuses).
        SignerProblem::KeyUnsupported { .. }
        | SignerProblem::AlgorithmUnsupported { .. }
        | SignerProblem::Key(_) => (I, S::CryptoConstraintsFailure),
        SignerProblem::Attribute(_) | SignerProblem::DigestNotOctetString => (T, S::FormatFailure),
        _ => (T, S::SigCryptoFailure),
    }
}

/// The sub-indication of a CMS error that stops verification.
fn cms_subindication(e: &CmsError) -> SubIndication {
    match e {
        CmsError::UnsupportedDigest { .. } => SubIndication::CryptoConstraintsFailure,
        CmsError::SignerCertificateNotFound | CmsError::SigningCertificateMismatch => {
            SubIndication::NoSigningCertificateFound
        }
        _ => SubIndication::FormatFailure,
    }
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use Finding as F;
        match self {
            F::ByteRange(e) => write!(f, "{e}"),
            F::Cms(e) | F::SignerInfo(e) => write!(f, "CMS: {e}"),
            F::Pkcs1(e) => write!(f, "adbe.x509.rsa_sha1: {e}"),
            F::DigestUnsupported { oid } => write!(f, "digest algorithm {oid} is not supported"),
            F::NotDetached { sub_filter } => write!(
                f,
                "SubFilter {sub_filter} requires detached content, but the CMS encapsulates content"
            ),
            F::Sha1ContentMissing => {
                f.write_str("adbe.pkcs7.sha1 requires the SHA-1 digest encapsulated")
            }
            F::Sha1DigestMismatch => {
                f.write_str("encapsulated SHA-1 digest does not match the signed ranges")
            }
            F::Sha1SubFilter => {
                f.write_str("adbe.pkcs7.sha1 signs a SHA-1 digest, which the policy rejects")
            }
            F::TstInfo(e) => write!(f, "CMS: {e}"),
            F::ImprintUnsupported => f.write_str("timestamp imprint algorithm not supported"),
            F::ImprintMismatch => {
                f.write_str("document timestamp imprint does not match the signed ranges")
            }
            F::SubFilterUnsupported { sub_filter } => {
                write!(f, "SubFilter {sub_filter} is not supported")
            }
            F::Signer(p) => write!(f, "{p}"),
            F::SigningCertificate(e) => write!(f, "{e}"),
            F::SigningCertificateMissing => {
                f.write_str("ETSI.CAdES.detached requires the ESS signing-certificate-v2 attribute")
            }
            F::SignedAttributesRequired { sub_filter } => {
                write!(f, "SubFilter {sub_filter} requires signed attributes")
            }
            F::Sha1Rejected => f.write_str("SHA-1 digest rejected by the policy"),
            F::RsaKeyTooSmall { bits, minimum } => {
                write!(f, "RSA-{bits} key is below the policy minimum of {minimum}")
            }
            F::SignatureTimestamp(e) => write!(f, "signature timestamp: {e}"),
            F::NoClaimedTime => f.write_str("no claimed signing time to validate at"),
            F::NoChain => f.write_str("no certificate path to a trust anchor"),
            F::Expired { at } => write!(
                f,
                "a certificate of the path is expired at the validation time {at}"
            ),
            F::NotYetValid => {
                f.write_str("a certificate of the path is not yet valid at the validation time")
            }
            F::ExpiredAtSigningTime => {
                f.write_str("the signer's certificate had expired at the claimed signing time")
            }
            F::NotYetValidAtSigningTime => f.write_str(
                "the signer's certificate was not yet valid at the claimed signing time",
            ),
            F::ChainConstraints { reason } | F::PathCryptoConstraints { reason } => {
                f.write_str(reason)
            }
            F::KeyUsage { reason } => write!(f, "key usage: {reason}"),
            F::BadCertSignature { subject } => {
                write!(f, "certificate signature does not verify: {subject}")
            }
            F::Revoked { at } => write!(f, "signer certificate revoked at {at}"),
            F::RevokedNoPoe { at } => write!(
                f,
                "signer certificate revoked at {at}, after the claimed signing time, with no proof of existence before it"
            ),
            F::PathUnsupported { what } => write!(f, "certificate path: {what} not supported"),
            F::DisallowedChange { what } => write!(f, "disallowed change after signing: {what}"),
            F::IntegrityNotEstablished => f.write_str("integrity was not established"),
        }
    }
}

/// `{"code", "message", "indication", "subindication"}`.
impl Serialize for Finding {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (indication, subindication) = self.indication();
        let mut s = serializer.serialize_struct("Finding", 4)?;
        s.serialize_field("code", self.code())?;
        s.serialize_field("message", &self.to_string())?;
        s.serialize_field("indication", &indication)?;
        s.serialize_field("subindication", &subindication)?;
        s.end()
    }
}

/// The findings of one signature, in the order the checks made them.
#[derive(Debug, Default)]
pub(crate) struct Verdict {
    findings: Vec<Finding>,
}

impl Verdict {
    /// Records a finding.
    pub(crate) fn push(&mut self, f: Finding) {
        self.findings.push(f);
    }

    /// Records a finding that ends the verification of this signature.
    pub(crate) fn stop(&mut self, f: Finding) -> Stop {
        self.findings.push(f);
        Stop
    }

    /// The report's indication: TOTAL_PASSED without findings; else the most severe indication
    /// among them, with the sub-indication of its lowest-ranked finding.
    pub(crate) fn result(&self) -> (Indication, Option<SubIndication>) {
        let lead = |wanted: Indication| {
            self.findings
                .iter()
                .filter(|f| f.indication().0 == wanted)
                .min_by_key(|f| f.rank())
                .map(|f| f.indication().1)
        };
        if let Some(s) = lead(Indication::TotalFailed) {
            (Indication::TotalFailed, Some(s))
        } else if let Some(s) = lead(Indication::Indeterminate) {
            (Indication::Indeterminate, Some(s))
        } else {
            (Indication::TotalPassed, None)
        }
    }

    /// How many findings were recorded.
    pub(crate) fn len(&self) -> usize {
        self.findings.len()
    }

    /// The findings from the `from`-th on (those a step added), in the order they were made.
    pub(crate) fn since(&self, from: usize) -> &[Finding] {
        self.findings.get(from..).unwrap_or_default()
    }

    /// The findings, in the order they were made.
    pub(crate) fn into_findings(self) -> Vec<Finding> {
        self.findings
    }
}

/// The verification of one signature stopped at a finding already recorded.
#[derive(Debug)]
pub(crate) struct Stop;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_leads_over_indeterminate_whatever_the_order() {
        let mut v = Verdict::default();
        v.push(Finding::Sha1Rejected);
        v.push(Finding::DisallowedChange {
            what: "page content".into(),
        });
        assert_eq!(
            v.result(),
            (Indication::TotalFailed, Some(SubIndication::FormatFailure))
        );
    }

    #[test]
    fn lowest_rank_leads_within_an_indication() {
        let mut v = Verdict::default();
        v.push(Finding::DisallowedChange {
            what: "page content".into(),
        });
        v.push(Finding::ImprintMismatch);
        assert_eq!(
            v.result(),
            (Indication::TotalFailed, Some(SubIndication::HashFailure))
        );
        let mut v = Verdict::default();
        v.push(Finding::NoChain);
        v.push(Finding::RsaKeyTooSmall {
            bits: 1024,
            minimum: 2048,
        });
        assert_eq!(
            v.result(),
            (
                Indication::Indeterminate,
                Some(SubIndication::CryptoConstraintsFailure)
            )
        );
    }

    #[test]
    fn no_finding_passes() {
        assert_eq!(Verdict::default().result(), (Indication::TotalPassed, None));
    }

    #[test]
    fn codes_are_distinct_per_kind() {
        let all = [
            Finding::Sha1ContentMissing,
            Finding::Sha1DigestMismatch,
            Finding::Sha1SubFilter,
            Finding::ImprintUnsupported,
            Finding::ImprintMismatch,
            Finding::SigningCertificateMissing,
            Finding::Sha1Rejected,
            Finding::NoClaimedTime,
            Finding::NoChain,
            Finding::NotYetValid,
            Finding::ExpiredAtSigningTime,
            Finding::NotYetValidAtSigningTime,
            Finding::IntegrityNotEstablished,
            Finding::Signer(SignerProblem::CertificateNotFound),
            Finding::Signer(SignerProblem::DigestMismatch),
        ];
        let mut codes: Vec<_> = all.iter().map(Finding::code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
    }

    #[test]
    fn json_carries_code_message_and_indication() {
        let j = serde_json::to_value(Finding::ImprintMismatch).unwrap();
        assert_eq!(j["code"], "hash.imprint_mismatch");
        assert_eq!(
            j["message"],
            "document timestamp imprint does not match the signed ranges"
        );
        assert_eq!(j["indication"], "TOTAL_FAILED");
        assert_eq!(j["subindication"], "HASH_FAILURE");
    }
}
