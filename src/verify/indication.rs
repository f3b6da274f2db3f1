//! The ETSI EN 319 102-1 indications a signature's validation ends in.

use serde::Serialize;

/// ETSI EN 319 102-1 main indication.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Indication {
    /// Every check passed: the signature is valid.
    TotalPassed,
    /// A check failed in a way no further information can change (the signature is invalid).
    TotalFailed,
    /// A check could not be completed or its result could change with more information (a
    /// trust anchor, revocation data, proof of existence).
    Indeterminate,
}

/// ETSI EN 319 102-1 sub-indications used by this crate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum SubIndication {
    /// The signature or the document does not conform to its format (PDF, CMS, PAdES), or was
    /// changed after signing in a way its permissions do not allow.
    FormatFailure,
    /// The digest of the signed data does not match the one the signature carries.
    HashFailure,
    /// The signature value does not verify with the signer's key.
    SigCryptoFailure,
    /// The signer's certificate was revoked at or before the claimed signing time.
    Revoked,
    /// The signer's certificate was revoked after the claimed signing time, with no proof that
    /// the signature existed before the revocation.
    RevokedNoPoe,
    /// The signer's certificate had expired at the claimed signing time.
    Expired,
    /// A certificate of the path was not yet valid when the signature was made.
    NotYetValid,
    /// A certificate of the path is expired at the validation time, with no proof that the
    /// signature existed while it was valid.
    OutOfBoundsNoPoe,
    /// The signer's certificate cannot be found or identified.
    NoSigningCertificateFound,
    /// No certificate path to a trust anchor (or no time to validate it at).
    NoCertificateChainFound,
    /// The path breaks a constraint: basic constraints, path length, key usage, an unknown
    /// critical extension.
    ChainConstraintsFailure,
    /// The path cannot be validated for another reason (a certificate's signature does not
    /// verify).
    CertificateChainGeneralFailure,
    /// An algorithm or key size the policy rejects, or one the crate cannot judge.
    CryptoConstraintsFailure,
    /// A signature constraint is not met (the signature timestamp does not hold).
    SigConstraintsFailure,
    /// Revocation status not yet available; validating later may succeed.
    TryLater,
}
