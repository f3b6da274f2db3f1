//! PEM text (RFC 7468): the blocks of a file with their labels, so that a file holding the
//! wrong kind of block can be named for what it holds ("found: PRIVATE KEY") rather than
//! failing as malformed DER.
//!
//! ```text
//! -----BEGIN label-----
//! [Proc-Type: 4,ENCRYPTED        RFC 1421 headers, written by legacy OpenSSL encryption]
//! [DEK-Info: AES-256-CBC,…]
//! base64 lines
//! -----END label-----
//! ```
//! Text outside the blocks (OpenSSL's "Bag Attributes", comments) is ignored, as RFC 7468 §2
//! allows.

use base64::Engine as _;

const BEGIN: &[u8] = b"-----BEGIN ";
const END: &[u8] = b"-----END ";
const DASHES: &[u8] = b"-----";

/// Why a PEM block's contents could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PemProblem {
    /// The body is not base64.
    Base64,
    /// The file ends before the block's `-----END` line.
    NoEnd,
}

/// One `-----BEGIN …-----` … `-----END …-----` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PemBlock {
    /// The label of the BEGIN line (`CERTIFICATE`, `PRIVATE KEY`, `X509 CRL`, …).
    pub label: String,
    /// The block carries RFC 1421 header lines (`Proc-Type: 4,ENCRYPTED`, `DEK-Info: …`).
    pub has_headers: bool,
    /// The decoded body.
    pub contents: Result<Vec<u8>, PemProblem>,
}

/// True when `bytes` hold a `-----BEGIN ` line, i.e. are meant as PEM.
pub(crate) fn is_pem(bytes: &[u8]) -> bool {
    bytes.windows(BEGIN.len()).any(|w| w == BEGIN)
}

/// Every block of `bytes`, in order.
pub(crate) fn blocks(bytes: &[u8]) -> Vec<PemBlock> {
    let mut out = Vec::new();
    let mut current: Option<(String, bool, Vec<u8>)> = None;
    for line in bytes.split(|&b| b == b'\n') {
        let line = line.trim_ascii();
        if let Some(label) = line
            .strip_prefix(BEGIN)
            .and_then(|l| l.strip_suffix(DASHES))
        {
            if let Some((label, has_headers, _)) = current.take() {
                out.push(PemBlock {
                    label,
                    has_headers,
                    contents: Err(PemProblem::NoEnd),
                });
            }
            current = Some((
                String::from_utf8_lossy(label).into_owned(),
                false,
                Vec::new(),
            ));
        } else if line.starts_with(END) {
            if let Some((label, has_headers, body)) = current.take() {
                let contents = base64::engine::general_purpose::STANDARD
                    .decode(&body)
                    .map_err(|_| PemProblem::Base64);
                out.push(PemBlock {
                    label,
                    has_headers,
                    contents,
                });
            }
        } else if let Some((_, has_headers, body)) = current.as_mut() {
            if line.contains(&b':') {
                *has_headers = true;
            } else {
                body.extend(line.iter().filter(|b| !b.is_ascii_whitespace()));
            }
        }
    }
    if let Some((label, has_headers, _)) = current {
        out.push(PemBlock {
            label,
            has_headers,
            contents: Err(PemProblem::NoEnd),
        });
    }
    out
}

/// The distinct labels of `blocks`, in order of appearance, for messages.
pub(crate) fn labels(blocks: &[PemBlock]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for b in blocks {
        if !out.contains(&b.label) {
            out.push(b.label.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_bodies_headers_and_unfinished_blocks() {
        let text = b"Bag Attributes: x\r\n-----BEGIN CERTIFICATE-----\r\nAAEC\r\nAw==\r\n\
            -----END CERTIFICATE-----\n-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\
            DEK-Info: AES-256-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n\
            -----BEGIN X509 CRL-----\n!!!!\n-----END X509 CRL-----\n-----BEGIN PRIVATE KEY-----\nAA";
        let b = blocks(text);
        assert_eq!(b.len(), 4);
        assert_eq!(b[0].label, "CERTIFICATE");
        assert_eq!(b[0].contents, Ok(vec![0, 1, 2, 3]));
        assert!(!b[0].has_headers);
        assert_eq!(b[1].label, "RSA PRIVATE KEY");
        assert!(b[1].has_headers);
        assert_eq!(b[2].contents, Err(PemProblem::Base64));
        assert_eq!(b[3].contents, Err(PemProblem::NoEnd));
        assert_eq!(
            labels(&b),
            ["CERTIFICATE", "RSA PRIVATE KEY", "X509 CRL", "PRIVATE KEY"]
        );
        assert!(is_pem(text));
        assert!(!is_pem(b"hello"));
        assert!(blocks(b"hello\n").is_empty());
    }
}
