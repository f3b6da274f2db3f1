//! The seam between the verifier and the code that acts on its verdicts.
//!
//! The exchange engine asks one question of an attached file, "is it signed, and are the
//! signatures valid?", through [`SignatureCheck`], and keeps the answer ([`CheckResult`]) with
//! the document. It never sees the verifier itself: [`crate::Verifier`] implements the trait in
//! [`crate::ledger`], which adds the ledger's [`Outcome`] and Decree 30 completeness to the
//! verdict, and a deployment may plug in any other checker.
//!
//! This module imports only the verifier's report vocabulary ([`crate::verify`]); the exchange
//! and the ledger both import it, so neither has to import the other to agree on a verdict.
//!
//! ```text
//! verify ◄── check ◄── exchange (engine, store)
//!               ▲          ▲
//!               └─ ledger ─┘   (implements SignatureCheck for Verifier, and the engine's Recorder)
//! ```

use serde::{Deserialize, Serialize};

use crate::verify::{DocumentReport, Indication, SubIndication};

/// The verdict on one attached file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Signed, and every signature passed.
    Valid,
    /// A signature failed, or the file could not be read.
    Invalid,
    /// Neither passed nor failed (e.g. revocation unknown, no checker configured).
    Indeterminate,
    /// No signature.
    Unsigned,
}

/// The result of checking one attached file, kept with the document in the inbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckResult {
    /// The attachment name.
    pub name: String,
    /// The verdict on the file as a whole.
    pub verdict: Verdict,
    /// Why it is not valid (first failing signature), for the `02` Description.
    pub reason: Option<String>,
    /// Signatures found.
    pub signatures: u32,
    /// The ledger's outcome for the file (signed-valid, signed-invalid with the first failing
    /// verdict, unsigned). `None` from a checker that does not verify (e.g.
    /// [`NoSignatureCheck`]): such files are not recorded in the ledger.
    #[serde(default)]
    pub outcome: Option<Outcome>,
    /// Decree 30 Art. 5 completeness ([`crate::ledger::legally_complete`]); `None` when it
    /// cannot be told, or from a checker that does not verify.
    #[serde(default)]
    pub legally_complete: Option<bool>,
}

/// Checks the signatures of one attached file. The exchange code only sees this trait;
/// [`crate::Verifier`] implements it in [`crate::ledger`], which adds its Decree 30 assessment
/// ([`crate::ledger::check_with`]).
pub trait SignatureCheck: Send + Sync {
    /// Checks `bytes`, the attachment called `name`.
    fn check(&self, name: &str, bytes: &[u8]) -> CheckResult;
}

/// Longest reason kept from a verification report (characters): enough for the field name, the
/// ETSI indication and the first error, short enough for an edXML `Description`.
pub const MAX_REASON_CHARS: usize = 500;

/// `s` cut to [`MAX_REASON_CHARS`] characters.
pub(crate) fn clip(s: String) -> String {
    if s.chars().count() <= MAX_REASON_CHARS {
        s
    } else {
        s.chars().take(MAX_REASON_CHARS).collect()
    }
}

impl CheckResult {
    /// The result of the verifier's `report` on the attachment `name`: [`Verdict::Valid`] when
    /// every signature passed, otherwise the first failing signature (a `TOTAL_FAILED` one
    /// before an `INDETERMINATE` one) gives the verdict and the reason. `outcome` and
    /// `legally_complete` are the ledger's assessment of the same report, carried along.
    pub fn from_report(
        name: &str,
        report: &DocumentReport,
        outcome: Option<Outcome>,
        legally_complete: Option<bool>,
    ) -> CheckResult {
        let signatures = u32::try_from(report.signatures.len()).unwrap_or(u32::MAX);
        let result = |verdict, reason: Option<String>| CheckResult {
            name: name.to_owned(),
            verdict,
            reason: reason.map(clip),
            signatures,
            outcome,
            legally_complete,
        };
        if let Some(err) = &report.error {
            return result(Verdict::Invalid, Some(format!("unreadable: {err}")));
        }
        if !report.signed || report.signatures.is_empty() {
            return result(Verdict::Unsigned, None);
        }
        let failing = report
            .signatures
            .iter()
            .find(|s| s.indication == Indication::TotalFailed)
            .or_else(|| {
                report
                    .signatures
                    .iter()
                    .find(|s| s.indication != Indication::TotalPassed)
            });
        let Some(sig) = failing else {
            return result(Verdict::Valid, None);
        };
        let mut reason = format!("{}: {:?}", sig.field, sig.indication);
        if let Some(sub) = sig.subindication {
            reason.push_str(&format!("/{sub:?}"));
        }
        if let Some(first) = sig.errors.first() {
            reason.push_str(": ");
            reason.push_str(first);
        }
        let verdict = if sig.indication == Indication::TotalFailed {
            Verdict::Invalid
        } else {
            Verdict::Indeterminate
        };
        result(verdict, Some(reason))
    }
}

/// The checker used when none is configured: every file is [`Verdict::Indeterminate`].
#[derive(Clone, Copy, Debug, Default)]
pub struct NoSignatureCheck;

impl SignatureCheck for NoSignatureCheck {
    fn check(&self, name: &str, _bytes: &[u8]) -> CheckResult {
        CheckResult {
            name: name.to_owned(),
            verdict: Verdict::Indeterminate,
            reason: Some("no signature checker configured".to_owned()),
            signatures: 0,
            outcome: None,
            legally_complete: None,
        }
    }
}

/// What the verifier said about the document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// At least one signature, and every signature `TOTAL_PASSED`.
    SignedValid,
    /// At least one signature not `TOTAL_PASSED`: the first one's verdict.
    SignedInvalid {
        /// The first failing signature's indication (`TOTAL_FAILED` or `INDETERMINATE`),
        /// serialized by its ETSI EN 319 102-1 name.
        #[serde(with = "indication_serde")]
        indication: Indication,
        /// Its sub-indication (ETSI name, e.g. `HASH_FAILURE`), `None` when it has none.
        #[serde(with = "subindication_serde")]
        subindication: Option<SubIndication>,
    },
    /// No signature (or only document timestamps, which nobody signs).
    Unsigned,
}

/// Stable names of the indications: ETSI EN 319 102-1 spelling, as in the verifier's JSON.
pub(crate) fn indication_code(i: Indication) -> &'static str {
    match i {
        Indication::TotalPassed => "TOTAL_PASSED",
        Indication::TotalFailed => "TOTAL_FAILED",
        Indication::Indeterminate => "INDETERMINATE",
    }
}

pub(crate) fn parse_indication(s: &str) -> Option<Indication> {
    [
        Indication::TotalPassed,
        Indication::TotalFailed,
        Indication::Indeterminate,
    ]
    .into_iter()
    .find(|i| indication_code(*i) == s)
}

/// Every sub-indication, for parsing back.
const SUBINDICATIONS: [SubIndication; 15] = [
    SubIndication::FormatFailure,
    SubIndication::HashFailure,
    SubIndication::SigCryptoFailure,
    SubIndication::Revoked,
    SubIndication::RevokedNoPoe,
    SubIndication::Expired,
    SubIndication::NotYetValid,
    SubIndication::OutOfBoundsNoPoe,
    SubIndication::NoSigningCertificateFound,
    SubIndication::NoCertificateChainFound,
    SubIndication::ChainConstraintsFailure,
    SubIndication::CertificateChainGeneralFailure,
    SubIndication::CryptoConstraintsFailure,
    SubIndication::SigConstraintsFailure,
    SubIndication::TryLater,
];

pub(crate) fn subindication_code(s: SubIndication) -> &'static str {
    match s {
        SubIndication::FormatFailure => "FORMAT_FAILURE",
        SubIndication::HashFailure => "HASH_FAILURE",
        SubIndication::SigCryptoFailure => "SIG_CRYPTO_FAILURE",
        SubIndication::Revoked => "REVOKED",
        SubIndication::RevokedNoPoe => "REVOKED_NO_POE",
        SubIndication::Expired => "EXPIRED",
        SubIndication::NotYetValid => "NOT_YET_VALID",
        SubIndication::OutOfBoundsNoPoe => "OUT_OF_BOUNDS_NO_POE",
        SubIndication::NoSigningCertificateFound => "NO_SIGNING_CERTIFICATE_FOUND",
        SubIndication::NoCertificateChainFound => "NO_CERTIFICATE_CHAIN_FOUND",
        SubIndication::ChainConstraintsFailure => "CHAIN_CONSTRAINTS_FAILURE",
        SubIndication::CertificateChainGeneralFailure => "CERTIFICATE_CHAIN_GENERAL_FAILURE",
        SubIndication::CryptoConstraintsFailure => "CRYPTO_CONSTRAINTS_FAILURE",
        SubIndication::SigConstraintsFailure => "SIG_CONSTRAINTS_FAILURE",
        SubIndication::TryLater => "TRY_LATER",
    }
}

pub(crate) fn parse_subindication(s: &str) -> Option<SubIndication> {
    SUBINDICATIONS
        .into_iter()
        .find(|x| subindication_code(*x) == s)
}

/// [`Indication`] as its ETSI name (the verifier's type is serialise-only).
mod indication_serde {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    use crate::verify::Indication;

    pub fn serialize<S: Serializer>(v: &Indication, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(super::indication_code(*v))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Indication, D::Error> {
        let s = String::deserialize(d)?;
        super::parse_indication(&s).ok_or_else(|| D::Error::custom("unknown indication"))
    }
}

/// `Option<SubIndication>` as its ETSI name or null.
mod subindication_serde {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    use crate::verify::SubIndication;

    pub fn serialize<S: Serializer>(v: &Option<SubIndication>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(x) => s.serialize_some(super::subindication_code(*x)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SubIndication>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|s| {
                super::parse_subindication(&s)
                    .ok_or_else(|| D::Error::custom("unknown subindication"))
            })
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for s in SUBINDICATIONS {
            let code = subindication_code(s);
            assert_eq!(parse_subindication(code), Some(s));
            // Same spelling as the verifier's own JSON.
            assert_eq!(serde_json::to_value(s).unwrap(), code);
        }
        for i in [
            Indication::TotalPassed,
            Indication::TotalFailed,
            Indication::Indeterminate,
        ] {
            assert_eq!(parse_indication(indication_code(i)), Some(i));
            assert_eq!(serde_json::to_value(i).unwrap(), indication_code(i));
        }
    }
}
