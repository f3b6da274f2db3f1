//! The ETSI EN 319 102-1 indications a signature's validation ends in.

use serde::Serialize;

/// ETSI EN 319 102-1 main indication.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Indication {
    TotalPassed,
    TotalFailed,
    Indeterminate,
}

/// ETSI EN 319 102-1 sub-indications used by this crate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum SubIndication {
    FormatFailure,
    HashFailure,
    SigCryptoFailure,
    Revoked,
    RevokedNoPoe,
    Expired,
    NotYetValid,
    OutOfBoundsNoPoe,
    NoSigningCertificateFound,
    NoCertificateChainFound,
    ChainConstraintsFailure,
    CertificateChainGeneralFailure,
    CryptoConstraintsFailure,
    SigConstraintsFailure,
    TryLater,
}
