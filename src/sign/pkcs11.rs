//! Signing with a key on a PKCS#11 token (the USB tokens officials sign with, or an HSM).
//!
//! The PKCS#11 module (the token vendor's `.so` / `.dll`) is loaded at run time with `cryptoki`;
//! nothing about the token is needed at build time.
//!
//! | key on the token | mechanism                                     | algorithm                              |
//! | ---------------- | --------------------------------------------- | -------------------------------------- |
//! | RSA              | `CKM_SHA256_RSA_PKCS` (the token hashes)      | [`SignatureAlgorithm::RsaPkcs1Sha256`] |
//! | EC P-256         | SHA-256 in process, then `CKM_ECDSA`          | [`SignatureAlgorithm::EcdsaP256Sha256`] |
//! | EC P-384         | SHA-384 in process, then `CKM_ECDSA`          | [`SignatureAlgorithm::EcdsaP384Sha384`] |
//!
//! `CKM_ECDSA` returns the raw `r ‖ s`; [`Signer::sign`] returns it DER-encoded
//! (ECDSA-Sig-Value), as the CMS builder expects.
//!
//! ```no_run
//! use vnedoc::sign::pkcs11::Pkcs11Signer;
//!
//! let cert = std::fs::read("signer.der")?;
//! let signer = Pkcs11Signer::open(
//!     std::path::Path::new("/usr/lib/vendor/libtoken-pkcs11.so"),
//!     "MY TOKEN",
//!     "123456",
//!     "signing key",
//!     cert,
//!     Vec::new(),
//! )?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as P11Error, RvError};
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use x509_parser::public_key::PublicKey;

use super::{SignError, SignatureAlgorithm, Signer};

/// DER of the namedCurve OIDs as they appear in `CKA_EC_PARAMS` (ECParameters, RFC 5480).
const EC_PARAMS_P256: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const EC_PARAMS_P384: &[u8] = &[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22];

/// The kind of key found on the token, which fixes the mechanism and the algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TokenKey {
    Rsa,
    EcP256,
    EcP384,
}

impl TokenKey {
    fn algorithm(self) -> SignatureAlgorithm {
        match self {
            Self::Rsa => SignatureAlgorithm::RsaPkcs1Sha256,
            Self::EcP256 => SignatureAlgorithm::EcdsaP256Sha256,
            Self::EcP384 => SignatureAlgorithm::EcdsaP384Sha384,
        }
    }

    fn mechanism_type(self) -> MechanismType {
        match self {
            Self::Rsa => MechanismType::SHA256_RSA_PKCS,
            Self::EcP256 | Self::EcP384 => MechanismType::ECDSA,
        }
    }

    /// The size of r and of s in a raw ECDSA signature.
    fn ec_field_len(self) -> Option<usize> {
        match self {
            Self::Rsa => None,
            Self::EcP256 => Some(32),
            Self::EcP384 => Some(48),
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Self::Rsa => "RSA",
            Self::EcP256 => "EC P-256",
            Self::EcP384 => "EC P-384",
        }
    }
}

/// A [`Signer`] whose private key stays on a PKCS#11 token.
///
/// The session is logged in as the user for the signer's lifetime and closed when it is
/// dropped. The session sits behind a mutex, so the signer is `Send + Sync` and signatures from
/// several threads are made one at a time.
pub struct Pkcs11Signer {
    session: Mutex<Session>,
    key: ObjectHandle,
    kind: TokenKey,
    certificate: Vec<u8>,
    chain: Vec<Vec<u8>>,
    token_label: String,
    key_label: String,
}

impl fmt::Debug for Pkcs11Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pkcs11Signer")
            .field("token_label", &self.token_label)
            .field("key_label", &self.key_label)
            .field("algorithm", &self.kind.algorithm())
            .finish_non_exhaustive()
    }
}

impl Pkcs11Signer {
    /// Load the PKCS#11 `module`, find the token labelled `token_label`, log in as the user with
    /// `pin`, and find the private key whose `CKA_LABEL` is `key_label`.
    ///
    /// `certificate_der` must be the certificate of that key (checked against the key: the RSA
    /// modulus, or the EC curve); `chain` holds the intermediates to embed, issuer first.
    ///
    /// Token errors are [`SignError::Device`]; a certificate that cannot be parsed or does not
    /// belong to the key is [`SignError::Certificate`]. The PIN appears in no error.
    pub fn open(
        module: &Path,
        token_label: &str,
        pin: &str,
        key_label: &str,
        certificate_der: Vec<u8>,
        chain: Vec<Vec<u8>>,
    ) -> Result<Self, SignError> {
        let pkcs11 = Pkcs11::new(module).map_err(|e| {
            SignError::Device(format!(
                "cannot load the PKCS#11 module {}: {e}",
                module.display()
            ))
        })?;
        match pkcs11.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
            // Another signer in this process (or the application itself) initialised it.
            Ok(()) | Err(P11Error::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
            Err(e) => return Err(device("C_Initialize", &e)),
        }

        let slot = find_token(&pkcs11, token_label)?;
        let session = pkcs11
            .open_ro_session(slot)
            .map_err(|e| device("opening a session", &e))?;
        match session.login(UserType::User, Some(&AuthPin::from(pin))) {
            // Login state is per application and token: another session is already logged in.
            Ok(()) | Err(P11Error::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => {}
            Err(P11Error::Pkcs11(RvError::PinIncorrect, _)) => {
                return Err(SignError::Device(format!(
                    "wrong PIN for token '{token_label}'"
                )));
            }
            Err(P11Error::Pkcs11(RvError::PinLocked, _)) => {
                return Err(SignError::Device(format!(
                    "the user PIN of token '{token_label}' is locked"
                )));
            }
            Err(e) => return Err(device("logging in", &e)),
        }

        let key = find_private_key(&session, key_label)?;
        let kind = key_kind(&session, key, key_label)?;
        check_certificate(&session, key, kind, &certificate_der)?;

        // Fail here rather than at the first signature when the token lacks the mechanism. A
        // token that cannot list its mechanisms is given the benefit of the doubt.
        if let Ok(mechanisms) = pkcs11.get_mechanism_list(slot)
            && !mechanisms.contains(&kind.mechanism_type())
        {
            return Err(SignError::Device(format!(
                "token '{token_label}' does not offer {} for its {} key",
                kind.mechanism_type(),
                kind.describe()
            )));
        }

        Ok(Self {
            session: Mutex::new(session),
            key,
            kind,
            certificate: certificate_der,
            chain,
            token_label: token_label.to_owned(),
            key_label: key_label.to_owned(),
        })
    }

    fn session(&self) -> MutexGuard<'_, Session> {
        // A panic while holding the lock leaves no half-done state in the session: each
        // C_Sign call is complete or failed.
        self.session
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Signer for Pkcs11Signer {
    fn certificate(&self) -> &[u8] {
        &self.certificate
    }

    fn chain(&self) -> &[Vec<u8>] {
        &self.chain
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        self.kind.algorithm()
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        match self.kind {
            TokenKey::Rsa => self
                .session()
                .sign(&Mechanism::Sha256RsaPkcs, self.key, message)
                .map_err(|e| device("signing", &e)),
            TokenKey::EcP256 | TokenKey::EcP384 => {
                let digest_alg = if self.kind == TokenKey::EcP256 {
                    &ring::digest::SHA256
                } else {
                    &ring::digest::SHA384
                };
                let digest = ring::digest::digest(digest_alg, message);
                let raw = self
                    .session()
                    .sign(&Mechanism::Ecdsa, self.key, digest.as_ref())
                    .map_err(|e| device("signing", &e))?;
                let field_len = self.kind.ec_field_len().unwrap_or(0);
                ecdsa_raw_to_der(&raw, field_len)
            }
        }
    }
}

/// A token error as [`SignError::Device`], with what was being done.
fn device(doing: &str, e: &P11Error) -> SignError {
    match e {
        // RvError's Display is the specification's paragraph; its name is clearer in a message.
        P11Error::Pkcs11(rv, function) => {
            SignError::Device(format!("{doing}: {function} failed with {rv:?}"))
        }
        other => SignError::Device(format!("{doing}: {other}")),
    }
}

/// The slot holding the token labelled `label` (labels are compared without the padding spaces).
fn find_token(pkcs11: &Pkcs11, label: &str) -> Result<Slot, SignError> {
    let wanted = label.trim_end_matches(' ');
    let slots = pkcs11
        .get_slots_with_token()
        .map_err(|e| device("listing slots", &e))?;
    let mut found = Vec::new();
    let mut seen = Vec::new();
    for slot in slots {
        // A slot whose token cannot be read (being removed, in error) is not the one wanted.
        let Ok(info) = pkcs11.get_token_info(slot) else {
            continue;
        };
        let have = info.label().trim_end_matches(' ');
        if have == wanted {
            found.push(slot);
        } else {
            seen.push(format!("'{have}'"));
        }
    }
    match found.as_slice() {
        [slot] => Ok(*slot),
        [] if seen.is_empty() => Err(SignError::Device(format!(
            "no token labelled '{wanted}': no token is present"
        ))),
        [] => Err(SignError::Device(format!(
            "no token labelled '{wanted}' (present: {})",
            seen.join(", ")
        ))),
        _ => Err(SignError::Device(format!(
            "{} tokens are labelled '{wanted}'",
            found.len()
        ))),
    }
}

fn find_private_key(session: &Session, label: &str) -> Result<ObjectHandle, SignError> {
    let template = [
        Attribute::Class(ObjectClass::PRIVATE_KEY),
        Attribute::Label(label.as_bytes().to_vec()),
    ];
    let keys = session
        .find_objects(&template)
        .map_err(|e| device("searching for the private key", &e))?;
    match keys.as_slice() {
        [key] => Ok(*key),
        [] => Err(SignError::Device(format!(
            "no private key labelled '{label}' on the token"
        ))),
        _ => Err(SignError::Device(format!(
            "{} private keys are labelled '{label}' on the token",
            keys.len()
        ))),
    }
}

fn key_kind(session: &Session, key: ObjectHandle, label: &str) -> Result<TokenKey, SignError> {
    let attrs = session
        .get_attributes(key, &[AttributeType::KeyType])
        .map_err(|e| device("reading the key type", &e))?;
    let key_type = attrs.iter().find_map(|a| match a {
        Attribute::KeyType(t) => Some(*t),
        _ => None,
    });
    match key_type {
        Some(KeyType::RSA) => Ok(TokenKey::Rsa),
        Some(KeyType::EC) => {
            let attrs = session
                .get_attributes(key, &[AttributeType::EcParams])
                .map_err(|e| device("reading the key's curve (CKA_EC_PARAMS)", &e))?;
            let params = attrs.iter().find_map(|a| match a {
                Attribute::EcParams(p) => Some(p.as_slice()),
                _ => None,
            });
            match params {
                Some(EC_PARAMS_P256) => Ok(TokenKey::EcP256),
                Some(EC_PARAMS_P384) => Ok(TokenKey::EcP384),
                Some(other) => Err(SignError::Device(format!(
                    "key '{label}' is on an unsupported curve (CKA_EC_PARAMS {}); P-256 and \
                     P-384 are supported",
                    hex(other)
                ))),
                None => Err(SignError::Device(format!(
                    "key '{label}' does not reveal its curve (CKA_EC_PARAMS)"
                ))),
            }
        }
        Some(other) => Err(SignError::Device(format!(
            "key '{label}' is of type {other}; RSA and EC keys are supported"
        ))),
        None => Err(SignError::Device(format!(
            "key '{label}' does not reveal its type (CKA_KEY_TYPE)"
        ))),
    }
}

/// Check that `certificate` carries the public key of the token's `key`: the same RSA modulus
/// (when the token shows it), or the same curve.
fn check_certificate(
    session: &Session,
    key: ObjectHandle,
    kind: TokenKey,
    certificate: &[u8],
) -> Result<(), SignError> {
    let (_, cert) = x509_parser::parse_x509_certificate(certificate)
        .map_err(|e| SignError::Certificate(format!("cannot parse the certificate: {e}")))?;
    let spki = cert.public_key();
    let parsed = spki.parsed().map_err(|e| {
        SignError::Certificate(format!("cannot parse the certificate's public key: {e}"))
    })?;
    let mismatch = |what: &str| {
        SignError::Certificate(format!(
            "the certificate does not belong to the token's {} key: {what}",
            kind.describe()
        ))
    };
    match (kind, parsed) {
        (TokenKey::Rsa, PublicKey::RSA(rsa)) => {
            // CKA_MODULUS is required on RSA private keys, but a token may keep it sensitive.
            let modulus = session
                .get_attributes(key, &[AttributeType::Modulus])
                .ok()
                .and_then(|attrs| {
                    attrs.into_iter().find_map(|a| match a {
                        Attribute::Modulus(m) => Some(m),
                        _ => None,
                    })
                });
            match modulus {
                Some(m) if strip_zeros(&m) != strip_zeros(rsa.modulus) => {
                    Err(mismatch("the RSA moduli differ"))
                }
                _ => Ok(()),
            }
        }
        (TokenKey::EcP256 | TokenKey::EcP384, PublicKey::EC(_)) => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok());
            let want = match kind {
                TokenKey::EcP256 => &EC_PARAMS_P256[2..],
                _ => &EC_PARAMS_P384[2..],
            };
            match curve {
                Some(oid) if oid.as_bytes() == want => Ok(()),
                Some(oid) => Err(mismatch(&format!("the certificate's curve is {oid}"))),
                None => Err(mismatch("the certificate's key names no curve")),
            }
        }
        (_, _) => Err(mismatch("the certificate's key is of another type")),
    }
}

fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    bytes.get(start..).unwrap_or(&[])
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `r ‖ s` (each `field_len` bytes, big-endian, as PKCS#11 `CKM_ECDSA` returns them) to the DER
/// `ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }` (RFC 3279 §2.2.3).
fn ecdsa_raw_to_der(raw: &[u8], field_len: usize) -> Result<Vec<u8>, SignError> {
    if field_len == 0 || raw.len() != field_len.saturating_mul(2) {
        return Err(SignError::Device(format!(
            "the token returned a {}-byte ECDSA signature; {} bytes were expected",
            raw.len(),
            field_len.saturating_mul(2)
        )));
    }
    let (r, s) = raw.split_at(field_len);
    let mut body = Vec::with_capacity(raw.len().saturating_add(6));
    for half in [r, s] {
        let magnitude = strip_zeros(half);
        if magnitude.is_empty() {
            return Err(SignError::Device(
                "the token returned an ECDSA signature with a zero r or s".into(),
            ));
        }
        let pad = magnitude.first().is_some_and(|b| b & 0x80 != 0);
        crate::der::encode_header(
            0x02,
            magnitude.len().saturating_add(usize::from(pad)),
            &mut body,
        );
        if pad {
            body.push(0);
        }
        body.extend_from_slice(magnitude);
    }
    let mut out = Vec::with_capacity(body.len().saturating_add(4));
    crate::der::encode_header(0x30, body.len(), &mut out);
    out.extend_from_slice(&body);
    Ok(out)
}
