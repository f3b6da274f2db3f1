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
use crate::error::CmsError;

/// The fields of a TSTInfo the verifier uses.
#[derive(Clone, Debug)]
pub struct TstInfo {
    pub imprint_algorithm: Vec<u8>,
    pub imprint: Vec<u8>,
    pub gen_time: i64,
}

impl TstInfo {
    /// Extracts the TSTInfo of a timestamp token.
    pub fn from_token(token: &SignedData<'_>) -> Result<Self, CmsError> {
        if token.encap_content_type != oid::TST_INFO {
            return Err(CmsError::Timestamp(format!(
                "encapsulated content is {}, not id-ct-TSTInfo",
                der::oid_to_string(token.encap_content_type)
            )));
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
        let gen_time = der::parse_time(&r.expect(TAG_GENTIME)?)?;
        Ok(TstInfo {
            imprint_algorithm,
            imprint,
            gen_time,
        })
    }
}
