//! RFC 3161 timestamp clients (being written; replaced by the full module).

use super::SignError;
use crate::crypto::DigestAlgorithm;

pub trait TsaClient: Send + Sync {
    fn timestamp(&self, algorithm: DigestAlgorithm, imprint: &[u8]) -> Result<Vec<u8>, SignError>;
}
