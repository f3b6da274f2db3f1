//! RFC 3161 timestamp tokens: the TSTInfo inside a SignedData.
//!
//! ```text
//! TSTInfo ::= SEQUENCE {
//!   version INTEGER { v1(1) }, policy TSAPolicyId, messageImprint MessageImprint,
//!   serialNumber INTEGER, genTime GeneralizedTime, accuracy Accuracy OPTIONAL,
//!   ordering BOOLEAN DEFAULT FALSE, nonce INTEGER OPTIONAL, tsa [0] GeneralName OPTIONAL,
//!   extensions [1] IMPLICIT Extensions OPTIONAL }
//! MessageImprint ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier, hashedMessage OCTET STRING }
//! ```

use super::{SignedData, oid};
use crate::der::{self, TAG_GENTIME, TAG_INTEGER, TAG_OCTET_STRING, TAG_OID, TAG_SEQUENCE};
use crate::malformed::CmsError;
use crate::time::Timestamp;

/// The fields of a TSTInfo the verifier uses.
#[derive(Clone, Debug)]
pub struct TstInfo {
    pub imprint_algorithm: Vec<u8>,
    pub imprint: Vec<u8>,
    pub gen_time: Timestamp,
}

impl TstInfo {
    /// Extracts the TSTInfo of a timestamp token.
    pub fn from_token(token: &SignedData<'_>) -> Result<Self, CmsError> {
        if token.encap_content_type != oid::TST_INFO {
            return Err(CmsError::NotTstInfo {
                oid: der::oid_to_string(token.encap_content_type),
            });
        }
        let content = token
            .encap_content
            .as_ref()
            .ok_or(CmsError::MissingContent)?;
        let tst = der::parse_exact(content)?.expect(TAG_SEQUENCE)?;
        let mut r = tst.children();
        r.expect(TAG_INTEGER)?;
        r.expect(TAG_OID)?;
        let mut mi = r.expect(TAG_SEQUENCE)?.children();
        let mut alg = mi.expect(TAG_SEQUENCE)?.children();
        let imprint_algorithm = alg.expect(TAG_OID)?.content.to_vec();
        let imprint = mi.expect(TAG_OCTET_STRING)?.content.to_vec();
        mi.finish()?;
        r.expect(TAG_INTEGER)?;
        let gen_time = der::read_time(&r.expect(TAG_GENTIME)?)?;
        Ok(TstInfo {
            imprint_algorithm,
            imprint,
            gen_time,
        })
    }
}

/// Why a signature timestamp token does not hold.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TimestampError {
    /// The token is not a readable SignedData over a TSTInfo.
    #[error("{0}")]
    Token(CmsError),
    /// The imprint's digest algorithm is not implemented.
    #[error("imprint algorithm not supported")]
    ImprintUnsupported,
    /// The imprint is not the digest of what the token should cover.
    #[error("imprint does not match the signature value")]
    ImprintMismatch,
    /// The token's SignerInfo does not check out.
    #[error("TSA {0}")]
    Signer(#[from] super::signer::TokenSignerError),
}

/// The outcome of checking a signature timestamp token.
#[derive(Debug)]
pub struct TokenCheck<'a> {
    /// The token's genTime, when its TSTInfo could be read.
    pub gen_time: Option<Timestamp>,
    /// The TSA certificate the token names, when found.
    pub tsa_cert: Option<&'a [u8]>,
    /// Whether imprint and TSA signature hold.
    pub result: Result<(), TimestampError>,
}

/// Checks an RFC 3161 token whose imprint must cover `signed_value` (a signature timestamp,
/// RFC 3161 appendix A): the imprint, then the token's SignerInfo by the crate's one SignerInfo
/// check, with the TSA certificate looked up in the token and then in `pool`.
pub fn check_signature_timestamp<'a>(
    token: &'a [u8],
    signed_value: &[u8],
    pool: &[&'a [u8]],
) -> TokenCheck<'a> {
    let mut out = TokenCheck {
        gen_time: None,
        tsa_cert: None,
        result: Ok(()),
    };
    out.result = (|| {
        let sd = SignedData::from_der(token).map_err(TimestampError::Token)?;
        let tst = TstInfo::from_token(&sd).map_err(TimestampError::Token)?;
        out.gen_time = Some(tst.gen_time);
        let ialg = crate::crypto::DigestAlgorithm::from_oid(&tst.imprint_algorithm)
            .ok_or(TimestampError::ImprintUnsupported)?;
        if ialg.digest(&[signed_value]) != tst.imprint {
            return Err(TimestampError::ImprintMismatch);
        }
        let mut certs = sd.certificates.clone();
        certs.extend_from_slice(pool);
        if let Ok(signer) = sd.single_signer() {
            out.tsa_cert = super::signer::find_signer(&certs, &signer.sid);
        }
        super::signer::verify_token_signer(&sd, &certs)?;
        Ok(())
    })();
    out
}
