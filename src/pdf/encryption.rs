//! The standard security handler (ISO 32000-2 §7.6.4): the file encryption key from a password,
//! and the decryption of strings and streams object by object (§7.6.2, §7.6.3).
//!
//! ```text
//! /Encrypt << /Filter /Standard  /V 1|2|4|5  /R 2..6  /Length bits  /P int
//!             /O /U (32 bytes, R2-R4; 48 bytes, R5-R6)  /OE /UE (32 bytes, R5-R6)
//!             /CF << /StdCF << /CFM /V2|/AESV2|/AESV3 >> >>  /StmF /StrF  /EncryptMetadata >>
//! ```
//!
//! | V | R | cipher | file key |
//! |---|---|---|---|
//! | 1 | 2 | RC4, 40 bits | Algorithm 2 (MD5) |
//! | 2 | 2, 3 | RC4, 40–128 bits | Algorithm 2 |
//! | 4 | 4 | crypt filters: RC4 (/V2) or AES-128-CBC (/AESV2) | Algorithm 2 |
//! | 5 | 5, 6 | AES-256-CBC (/AESV3) | Algorithm 2.A (R5: SHA-256; R6: Algorithm 2.B) |
//!
//! What is never encrypted (§7.6.2): the trailer's /ID, the strings of the encryption dictionary
//! itself, cross-reference streams, anything inside an object stream (the stream is, as a
//! whole), and the /Contents of a signature dictionary. Strings and streams are decrypted here
//! only as they are read; the signature checks keep working on the bytes of the file.
//!
//! The password is tried as the user password and as the owner password; the empty user
//! password (a document that opens without one but restricts what may be done with it) is tried
//! whenever no password works. Permissions (/P) are not enforced: a verifier only reads.

use std::borrow::Cow;

use aes::cipher::block_padding::NoPadding;
use aes::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};
use md5::{Digest, Md5};
use rc4::{KeyInit, StreamCipher};

use super::object::{Dict, Object};
use crate::malformed::EncryptionError;

/// Algorithm 2 step a: the 32 bytes a password is padded with.
const PAD: [u8; 32] = [
    0x28, 0xBF, 0x4E, 0x5E, 0x4E, 0x75, 0x8A, 0x41, 0x64, 0x00, 0x4E, 0x56, 0xFF, 0xFA, 0x01, 0x08,
    0x2E, 0x2E, 0x00, 0xB6, 0xD0, 0x68, 0x3E, 0x80, 0x2F, 0x0C, 0xA9, 0xFE, 0x64, 0x53, 0x69, 0x7A,
];

/// A password as given by the user: tried against the user and the owner entries.
///
/// R2–R4 take the password in PDFDocEncoding, R5–R6 in UTF-8 after SASLprep (ISO 32000-2
/// §7.6.4.3.2, §7.6.4.3.3); both encodings are derived from the text here.
#[derive(Clone, Copy)]
pub struct PasswordText<'p>(pub &'p str);

impl PasswordText<'_> {
    /// Byte strings to try for R2–R4: the text in Latin-1 (which PDFDocEncoding agrees with on
    /// the printable characters) when it fits, and its UTF-8 bytes (some writers use them).
    fn legacy_candidates(self) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        let latin1: Option<Vec<u8>> = self.0.chars().map(|c| u8::try_from(c).ok()).collect();
        if let Some(l) = latin1 {
            out.push(l);
        }
        let utf8 = self.0.as_bytes().to_vec();
        if !out.contains(&utf8) {
            out.push(utf8);
        }
        out
    }

    /// Byte strings to try for R5–R6: SASLprep (RFC 4013) of the text, then the text as it is
    /// when SASLprep changes or refuses it; each truncated to 127 bytes (Algorithm 2.A step a).
    fn unicode_candidates(self) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        if let Ok(p) = stringprep::saslprep(self.0) {
            out.push(truncate127(p.as_bytes()));
        }
        let raw = truncate127(self.0.as_bytes());
        if !out.contains(&raw) {
            out.push(raw);
        }
        out
    }
}

fn truncate127(b: &[u8]) -> Vec<u8> {
    b.get(..127).unwrap_or(b).to_vec()
}

/// How strings or streams are encrypted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Method {
    /// Not encrypted (/Identity).
    Identity,
    /// RC4 with the object key (/V2, and V 1, 2).
    Rc4,
    /// AES-128-CBC with the object key, IV first (/AESV2).
    Aes128,
    /// AES-256-CBC with the file key, IV first (/AESV3).
    Aes256,
}

impl Method {
    fn describe(self, key_len: usize) -> String {
        match self {
            Method::Identity => "no cipher".to_string(),
            Method::Rc4 => format!("RC4 {}-bit", key_len.saturating_mul(8)),
            Method::Aes128 => "AES-128".to_string(),
            Method::Aes256 => "AES-256".to_string(),
        }
    }
}

/// The entries of an encryption dictionary the key derivation reads.
struct Params<'d> {
    r: i64,
    /// Length of the file key in bytes.
    key_len: usize,
    o: &'d [u8],
    u: &'d [u8],
    oe: &'d [u8],
    ue: &'d [u8],
    p: [u8; 4],
    id0: &'d [u8],
    encrypt_metadata: bool,
}

/// An opened standard security handler: the file key and how each kind of data is encrypted.
#[derive(Clone)]
pub struct SecurityHandler {
    key: Vec<u8>,
    strings: Method,
    streams: Method,
    /// The named crypt filters of /CF, for streams with a /Crypt filter of their own.
    filters: Vec<(Vec<u8>, Method)>,
    encrypt_metadata: bool,
    /// The object number and generation of the encryption dictionary (never decrypted).
    pub(crate) encrypt_object: Option<(u32, u16)>,
    /// What the document is encrypted with, for messages.
    pub(crate) description: String,
}

impl std::fmt::Debug for SecurityHandler {
    /// Everything but the key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecurityHandler")
            .field("description", &self.description)
            .field("strings", &self.strings)
            .field("streams", &self.streams)
            .finish_non_exhaustive()
    }
}

fn dict_err(what: &'static str) -> EncryptionError {
    EncryptionError::Dictionary { what }
}

fn string_entry<'d>(d: &'d Dict, key: &[u8]) -> Option<&'d [u8]> {
    match d.get(key) {
        Some(Object::String(s)) => Some(&s.bytes),
        _ => None,
    }
}

/// An entry of at least `len` bytes, cut to `len` (writers pad /U with zeros or spaces).
fn fixed<'d>(
    d: &'d Dict,
    key: &[u8],
    len: usize,
    what: &'static str,
) -> Result<&'d [u8], EncryptionError> {
    string_entry(d, key)
        .and_then(|s| s.get(..len))
        .ok_or(dict_err(what))
}

/// /P as the four bytes Algorithm 2 hashes (low-order byte first). Writers give it signed
/// (-4) or as the unsigned 32-bit value (4294967292).
fn permissions(d: &Dict) -> Result<[u8; 4], EncryptionError> {
    let p = d
        .int(b"P")
        .ok_or(dict_err("/P is missing or not an integer"))?;
    i32::try_from(p)
        .map(i32::to_le_bytes)
        .or_else(|_| u32::try_from(p).map(u32::to_le_bytes))
        .map_err(|_| dict_err("/P does not fit in 32 bits"))
}

/// /Length in bytes: a multiple of 8 bits from 40 to 128 (ISO 32000-2 Table 20).
fn key_length(d: &Dict, default_bits: i64) -> Result<usize, EncryptionError> {
    let bits = match d.get(b"Length") {
        None => default_bits,
        Some(Object::Int(b)) => *b,
        Some(_) => return Err(dict_err("/Length is not an integer")),
    };
    if !(40..=128).contains(&bits) || bits % 8 != 0 {
        return Err(dict_err("/Length is not a multiple of 8 from 40 to 128"));
    }
    usize::try_from(bits / 8).map_err(|_| dict_err("/Length is out of range"))
}

/// The method of crypt filter `name` (ISO 32000-2 §7.6.6, Table 25).
fn crypt_filter(encrypt: &Dict, name: &[u8], v: i64) -> Result<Method, EncryptionError> {
    if name == b"Identity" {
        return Ok(Method::Identity);
    }
    let unsupported = |m: &[u8]| EncryptionError::UnsupportedCryptFilter {
        method: String::from_utf8_lossy(m).into_owned(),
    };
    let cf = match encrypt.get(b"CF") {
        Some(Object::Dict(cf)) => cf,
        _ => return Err(unsupported(name)),
    };
    let filter = match cf.get(name) {
        Some(Object::Dict(f)) => f,
        _ => return Err(unsupported(name)),
    };
    match (filter.name(b"CFM").unwrap_or(b"None"), v) {
        (b"V2", 4) => Ok(Method::Rc4),
        (b"AESV2", 4) => Ok(Method::Aes128),
        (b"AESV3", 5) => Ok(Method::Aes256),
        (m, _) => Err(unsupported(m)),
    }
}

impl SecurityHandler {
    /// Opens the handler of encryption dictionary `encrypt` with the first element of the
    /// trailer's /ID, trying `password` (as user, then as owner password) and then the empty
    /// user password.
    pub fn open(
        encrypt: &Dict,
        id0: &[u8],
        password: Option<&str>,
    ) -> Result<Self, EncryptionError> {
        match encrypt.name(b"Filter") {
            Some(b"Standard") => {}
            // ISO 32000-2 §7.6.5: public-key handlers, by /Filter or by their SubFilters.
            Some(f)
                if f == b"Adobe.PubSec"
                    || encrypt
                        .name(b"SubFilter")
                        .is_some_and(|s| s.starts_with(b"adbe.pkcs7.s")) =>
            {
                return Err(EncryptionError::PublicKey {
                    filter: String::from_utf8_lossy(f).into_owned(),
                });
            }
            Some(f) => {
                return Err(EncryptionError::UnsupportedHandler {
                    filter: String::from_utf8_lossy(f).into_owned(),
                });
            }
            None => return Err(dict_err("/Filter is missing")),
        }
        let v = encrypt.int(b"V").unwrap_or(0);
        let r = encrypt
            .int(b"R")
            .ok_or(dict_err("/R is missing or not an integer"))?;
        let unsupported = EncryptionError::UnsupportedVersion { v, r };
        let (key_len, strings, streams) = match (v, r) {
            (1, 2 | 3) => (5, Method::Rc4, Method::Rc4),
            (2, 2) => (5, Method::Rc4, Method::Rc4),
            (2, 3 | 4) => (key_length(encrypt, 40)?, Method::Rc4, Method::Rc4),
            (4, 4) => {
                let named = |key: &[u8]| -> Result<Method, EncryptionError> {
                    crypt_filter(encrypt, encrypt.name(key).unwrap_or(b"Identity"), v)
                };
                (key_length(encrypt, 128)?, named(b"StrF")?, named(b"StmF")?)
            }
            (5, 5 | 6) => {
                let named = |key: &[u8]| -> Result<Method, EncryptionError> {
                    crypt_filter(encrypt, encrypt.name(key).unwrap_or(b"Identity"), v)
                };
                (32, named(b"StrF")?, named(b"StmF")?)
            }
            _ => return Err(unsupported),
        };
        if [strings, streams].contains(&Method::Aes128) && key_len != 16 {
            return Err(dict_err("AESV2 needs a 128-bit key (/Length 128)"));
        }
        let modern = r >= 5;
        let (ol, ul) = if modern { (48, 48) } else { (32, 32) };
        let params = Params {
            r,
            key_len,
            o: fixed(encrypt, b"O", ol, "/O is missing or too short")?,
            u: fixed(encrypt, b"U", ul, "/U is missing or too short")?,
            oe: if modern {
                fixed(encrypt, b"OE", 32, "/OE is missing or too short")?
            } else {
                &[]
            },
            ue: if modern {
                fixed(encrypt, b"UE", 32, "/UE is missing or too short")?
            } else {
                &[]
            },
            p: permissions(encrypt)?,
            id0,
            encrypt_metadata: !matches!(encrypt.get(b"EncryptMetadata"), Some(Object::Bool(false))),
        };
        let shown = if streams == Method::Identity {
            strings
        } else {
            streams
        };
        let description = format!(
            "{}, standard security handler R{r}",
            shown.describe(key_len)
        );
        let key = authenticate(&params, password).ok_or_else(|| match password {
            Some(_) => EncryptionError::WrongPassword {
                method: description.clone(),
            },
            None => EncryptionError::PasswordNeeded {
                method: description.clone(),
            },
        })?;
        let mut filters = Vec::new();
        if let Some(Object::Dict(cf)) = encrypt.get(b"CF") {
            for (name, _) in &cf.entries {
                if let Ok(m) = crypt_filter(encrypt, name, v) {
                    filters.push((name.clone(), m));
                }
            }
        }
        Ok(SecurityHandler {
            key,
            strings,
            streams,
            filters,
            encrypt_metadata: params.encrypt_metadata,
            encrypt_object: None,
            description,
        })
    }

    /// The key of object `num` `generation` for `method` (Algorithm 1; the file key itself for
    /// AES-256).
    fn object_key(&self, method: Method, num: u32, generation: u16) -> Vec<u8> {
        if method == Method::Aes256 {
            return self.key.clone();
        }
        let mut h = Md5::new();
        h.update(&self.key);
        h.update(num.to_le_bytes().get(..3).unwrap_or_default());
        h.update(generation.to_le_bytes());
        if method == Method::Aes128 {
            h.update(b"sAlT");
        }
        let digest = h.finalize();
        let n = self.key.len().saturating_add(5).min(16);
        digest.get(..n).unwrap_or_default().to_vec()
    }

    fn decrypt(
        &self,
        method: Method,
        num: u32,
        generation: u16,
        data: &[u8],
    ) -> Result<Vec<u8>, EncryptionError> {
        let bad = |what| EncryptionError::Data {
            num,
            generation,
            what,
        };
        match method {
            Method::Identity => Ok(data.to_vec()),
            Method::Rc4 => {
                rc4(&self.object_key(method, num, generation), data).ok_or(bad("has a bad key"))
            }
            Method::Aes128 | Method::Aes256 => {
                aes_cbc_decrypt(&self.object_key(method, num, generation), data).map_err(bad)
            }
        }
    }

    /// Decrypts the strings of object `num` `generation` in place, as read from the file.
    /// Left as they are: the /Contents of a signature dictionary, and the dictionary of a
    /// cross-reference stream (whose /ID is never encrypted).
    pub fn decrypt_object(
        &self,
        num: u32,
        generation: u16,
        obj: &mut Object,
    ) -> Result<(), EncryptionError> {
        if self.encrypt_object == Some((num, generation)) || self.strings == Method::Identity {
            return Ok(());
        }
        if let Object::Stream(s) = obj
            && s.dict.type_name() == Some(b"XRef")
        {
            return Ok(());
        }
        self.decrypt_strings(num, generation, obj)
    }

    fn decrypt_strings(
        &self,
        num: u32,
        generation: u16,
        obj: &mut Object,
    ) -> Result<(), EncryptionError> {
        match obj {
            Object::String(s) => {
                s.bytes = self.decrypt(self.strings, num, generation, &s.bytes)?;
            }
            Object::Array(items) => {
                for item in items {
                    self.decrypt_strings(num, generation, item)?;
                }
            }
            Object::Dict(d) => self.decrypt_dict(num, generation, d)?,
            Object::Stream(s) => self.decrypt_dict(num, generation, &mut s.dict)?,
            _ => {}
        }
        Ok(())
    }

    fn decrypt_dict(&self, num: u32, generation: u16, d: &mut Dict) -> Result<(), EncryptionError> {
        // ISO 32000-2 §7.6.2: a signature dictionary's /Contents is not encrypted (it is
        // written after the rest of the file is fixed). A dictionary with /ByteRange, or typed
        // as a signature, is one.
        let signature =
            d.has(b"ByteRange") || matches!(d.type_name(), Some(b"Sig" | b"DocTimeStamp"));
        for (k, v) in &mut d.entries {
            if signature && k.as_slice() == b"Contents" {
                continue;
            }
            self.decrypt_strings(num, generation, v)?;
        }
        Ok(())
    }

    /// The data of stream `num` `generation` (dictionary `dict`) decrypted, and its filters
    /// (`filters`: /Filter and /DecodeParms, made direct) without a leading /Crypt filter, which
    /// names the crypt filter used instead of the default (ISO 32000-2 §7.4.10).
    pub fn decrypt_stream<'r>(
        &self,
        num: u32,
        generation: u16,
        dict: &Dict,
        filters: Dict,
        raw: &'r [u8],
    ) -> Result<(Cow<'r, [u8]>, Dict), EncryptionError> {
        if dict.type_name() == Some(b"XRef")
            || (!self.encrypt_metadata && dict.type_name() == Some(b"Metadata"))
        {
            return Ok((Cow::Borrowed(raw), filters));
        }
        let (method, filters) = self.stream_method(filters)?;
        match method {
            Method::Identity => Ok((Cow::Borrowed(raw), filters)),
            m => Ok((Cow::Owned(self.decrypt(m, num, generation, raw)?), filters)),
        }
    }

    /// The stream's method: the one its /Crypt filter names (the filter removed from the
    /// list), else the default for streams.
    fn stream_method(&self, filters: Dict) -> Result<(Method, Dict), EncryptionError> {
        let first_is_crypt = match filters.get(b"Filter") {
            Some(Object::Name(n)) => n.as_slice() == b"Crypt",
            Some(Object::Array(a)) => {
                matches!(a.first(), Some(Object::Name(n)) if n.as_slice() == b"Crypt")
            }
            _ => false,
        };
        if !first_is_crypt {
            return Ok((self.streams, filters));
        }
        let parms = match filters.get(b"DecodeParms") {
            Some(Object::Array(a)) => a.first().cloned(),
            other => other.cloned(),
        };
        let name = parms
            .as_ref()
            .and_then(Object::as_dict)
            .and_then(|d| d.name(b"Name"))
            .unwrap_or(b"Identity")
            .to_vec();
        let method = if name == b"Identity" {
            Method::Identity
        } else {
            self.filters
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, m)| *m)
                .ok_or_else(|| EncryptionError::UnsupportedCryptFilter {
                    method: String::from_utf8_lossy(&name).into_owned(),
                })?
        };
        let mut rest = Dict::default();
        for (k, v) in filters.entries {
            let v = match v {
                Object::Array(mut a) if !a.is_empty() => {
                    a.remove(0);
                    if a.is_empty() {
                        continue;
                    }
                    Object::Array(a)
                }
                // The single /Crypt filter and its parameters.
                _ => continue,
            };
            rest.entries.push((k, v));
        }
        Ok((method, rest))
    }
}

/// RC4 of `data` with `key` (1 to 256 bytes).
fn rc4(key: &[u8], data: &[u8]) -> Option<Vec<u8>> {
    let mut cipher = rc4::Rc4::new_from_slice(key).ok()?;
    let mut out = data.to_vec();
    cipher.apply_keystream(&mut out);
    Some(out)
}

/// AES-CBC decryption of `data`: a 16-byte IV, then whole blocks ending in PKCS#7 padding
/// (ISO 32000-2 §7.6.3.2). An empty input is an empty string (writers leave `()` as it is); an
/// IV with no block after it is one too, as pdf.js and qpdf read it.
fn aes_cbc_decrypt(key: &[u8], data: &[u8]) -> Result<Vec<u8>, &'static str> {
    if data.is_empty() {
        return Ok(Vec::new());
    }
    let (Some(iv), Some(body)) = (data.get(..16), data.get(16..)) else {
        return Err("is shorter than the 16-byte AES IV");
    };
    if body.is_empty() {
        return Ok(Vec::new());
    }
    if body.len() % 16 != 0 {
        return Err("is not a whole number of AES blocks");
    }
    let mut buf = body.to_vec();
    let plain_len = aes_cbc_raw_decrypt(key, iv, &mut buf).ok_or("has a bad AES key")?;
    debug_assert_eq!(plain_len, buf.len());
    let pad = buf.last().copied().map_or(0, usize::from);
    let keep = buf
        .len()
        .checked_sub(pad)
        .filter(|_| (1..=16).contains(&pad));
    match keep {
        Some(k)
            if buf
                .get(k..)
                .is_some_and(|p| p.iter().all(|&b| usize::from(b) == pad)) =>
        {
            buf.truncate(k);
            Ok(buf)
        }
        _ => Err("has bad AES padding"),
    }
}

/// AES-CBC decryption of whole blocks in place, without padding; `None` for a key or IV of the
/// wrong size or a partial block.
fn aes_cbc_raw_decrypt(key: &[u8], iv: &[u8], buf: &mut [u8]) -> Option<usize> {
    let n = match key.len() {
        16 => cbc::Decryptor::<aes::Aes128>::new_from_slices(key, iv)
            .ok()?
            .decrypt_padded::<NoPadding>(buf)
            .ok()?
            .len(),
        32 => cbc::Decryptor::<aes::Aes256>::new_from_slices(key, iv)
            .ok()?
            .decrypt_padded::<NoPadding>(buf)
            .ok()?
            .len(),
        _ => return None,
    };
    Some(n)
}

fn md5(parts: &[&[u8]]) -> [u8; 16] {
    let mut h = Md5::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

/// The password padded or cut to 32 bytes (Algorithm 2 step a).
fn pad32(password: &[u8]) -> [u8; 32] {
    let mut out = PAD;
    let n = password.len().min(32);
    for (slot, b) in out.iter_mut().zip(
        password
            .get(..n)
            .unwrap_or_default()
            .iter()
            .chain(PAD.iter()),
    ) {
        *slot = *b;
    }
    out
}

/// The first `n` bytes of `b` (`n` at most 16, checked by the caller through the key length).
fn first(b: &[u8], n: usize) -> &[u8] {
    b.get(..n).unwrap_or(b)
}

/// The file key, trying `password` as user and owner password, then the empty user password.
fn authenticate(p: &Params<'_>, password: Option<&str>) -> Option<Vec<u8>> {
    let given = password.map(PasswordText);
    if p.r >= 5 {
        let mut tries: Vec<Vec<u8>> = given
            .map(PasswordText::unicode_candidates)
            .unwrap_or_default();
        tries.push(Vec::new());
        return tries
            .iter()
            .find_map(|pw| modern_user_key(p, pw).or_else(|| modern_owner_key(p, pw)));
    }
    let mut tries: Vec<Vec<u8>> = given
        .map(PasswordText::legacy_candidates)
        .unwrap_or_default();
    tries.push(Vec::new());
    tries
        .iter()
        .find_map(|pw| legacy_user_key(p, pw).or_else(|| legacy_owner_key(p, pw)))
}

/// Algorithm 2: the file key from a (user) password, R2–R4.
fn legacy_file_key(p: &Params<'_>, password: &[u8]) -> Vec<u8> {
    let mut h = Md5::new();
    h.update(pad32(password));
    h.update(p.o);
    h.update(p.p);
    h.update(p.id0);
    if p.r >= 4 && !p.encrypt_metadata {
        h.update([0xff; 4]);
    }
    let mut digest: [u8; 16] = h.finalize().into();
    let n = p.key_len.min(16);
    if p.r >= 3 {
        for _ in 0..50 {
            digest = md5(&[first(&digest, n)]);
        }
    }
    first(&digest, n).to_vec()
}

/// RC4 applied with `key` XOR 1, XOR 2, … XOR 19 after the plain key (Algorithm 5 step e,
/// Algorithm 7 step b in reverse when `reverse`).
fn rc4_rounds(key: &[u8], data: &[u8], reverse: bool) -> Option<Vec<u8>> {
    let mut out = data.to_vec();
    let rounds: Vec<u8> = if reverse {
        (0..=19).rev().collect()
    } else {
        (0..=19).collect()
    };
    for i in rounds {
        let k: Vec<u8> = key.iter().map(|b| b ^ i).collect();
        out = rc4(&k, &out)?;
    }
    Some(out)
}

/// Algorithm 6: the file key when `password` is the user password, R2–R4.
fn legacy_user_key(p: &Params<'_>, password: &[u8]) -> Option<Vec<u8>> {
    let key = legacy_file_key(p, password);
    let ok = if p.r == 2 {
        // Algorithm 4: RC4 of the padding with the key is /U.
        rc4(&key, &PAD)?.as_slice() == p.u
    } else {
        // Algorithm 5: MD5 of the padding and /ID[0], through twenty RC4 rounds, is the first
        // 16 bytes of /U (the rest is arbitrary padding).
        let h = md5(&[&PAD, p.id0]);
        rc4_rounds(&key, &h, false)?.get(..16) == p.u.get(..16)
    };
    ok.then_some(key)
}

/// Algorithm 7: the file key when `password` is the owner password, R2–R4: /O decrypted with
/// the key of the owner password (Algorithm 3 steps a–d) is the padded user password.
fn legacy_owner_key(p: &Params<'_>, password: &[u8]) -> Option<Vec<u8>> {
    let mut digest = md5(&[&pad32(password)]);
    if p.r >= 3 {
        for _ in 0..50 {
            digest = md5(&[&digest]);
        }
    }
    let n = if p.r == 2 { 5 } else { p.key_len.min(16) };
    let key = first(&digest, n);
    let user = if p.r == 2 {
        rc4(key, p.o)?
    } else {
        rc4_rounds(key, p.o, true)?
    };
    legacy_user_key(p, &user)
}

/// Algorithm 2.B (R6) or SHA-256 (R5) of the password, a salt and (for the owner) /U.
fn modern_hash(r: i64, password: &[u8], salt: &[u8], udata: &[u8]) -> Option<[u8; 32]> {
    use sha2::{Sha256, Sha384, Sha512};
    let mut k: Vec<u8> = Sha256::new()
        .chain_update(password)
        .chain_update(salt)
        .chain_update(udata)
        .finalize()
        .to_vec();
    if r == 6 {
        // Algorithm 2.B: at least 64 rounds, then until the last byte of E is at most the
        // round number minus 32 (E's last byte is at most 255, so at most 288 rounds).
        let mut round: usize = 0;
        loop {
            let mut block = Vec::with_capacity(
                password
                    .len()
                    .saturating_add(k.len())
                    .saturating_add(udata.len())
                    .saturating_mul(64),
            );
            for _ in 0..64 {
                block.extend_from_slice(password);
                block.extend_from_slice(&k);
                block.extend_from_slice(udata);
            }
            let (key, iv) = (k.get(..16)?, k.get(16..32)?);
            let len = block.len();
            let e = cbc::Encryptor::<aes::Aes128>::new_from_slices(key, iv)
                .ok()?
                .encrypt_padded::<NoPadding>(&mut block, len)
                .ok()?
                .to_vec();
            // The first 16 bytes of E as a big-endian number, mod 3: 256 ≡ 1 (mod 3), so the
            // sum of the bytes has the same remainder.
            let rem = e.get(..16)?.iter().map(|&b| u32::from(b)).sum::<u32>() % 3;
            k = match rem {
                0 => Sha256::digest(&e).to_vec(),
                1 => Sha384::digest(&e).to_vec(),
                _ => Sha512::digest(&e).to_vec(),
            };
            round = round.saturating_add(1);
            let last = usize::from(*e.last()?);
            if round >= 64 && last <= round.saturating_sub(32) {
                break;
            }
        }
    }
    k.get(..32)?.try_into().ok()
}

/// AES-256-CBC without padding and with a zero IV of a 32-byte key entry (/OE, /UE).
fn unwrap_key(intermediate: &[u8; 32], wrapped: &[u8]) -> Option<Vec<u8>> {
    let mut buf = wrapped.get(..32)?.to_vec();
    cbc::Decryptor::<aes::Aes256>::new_from_slices(intermediate, &[0u8; 16])
        .ok()?
        .decrypt_padded::<NoPadding>(&mut buf)
        .ok()?;
    Some(buf)
}

/// Algorithm 2.A steps e–f: the user password's hash with /U's validation salt is /U's first
/// 32 bytes; its hash with the key salt unwraps /UE.
fn modern_user_key(p: &Params<'_>, password: &[u8]) -> Option<Vec<u8>> {
    let (hash, vsalt, ksalt) = (p.u.get(..32)?, p.u.get(32..40)?, p.u.get(40..48)?);
    if modern_hash(p.r, password, vsalt, &[])?.as_slice() != hash {
        return None;
    }
    unwrap_key(&modern_hash(p.r, password, ksalt, &[])?, p.ue)
}

/// Algorithm 2.A steps c–d: the same for the owner password, /O and /OE, with /U hashed in.
fn modern_owner_key(p: &Params<'_>, password: &[u8]) -> Option<Vec<u8>> {
    let (hash, vsalt, ksalt) = (p.o.get(..32)?, p.o.get(32..40)?, p.o.get(40..48)?);
    let u = p.u.get(..48)?;
    if modern_hash(p.r, password, vsalt, u)?.as_slice() != hash {
        return None;
    }
    unwrap_key(&modern_hash(p.r, password, ksalt, u)?, p.oe)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::object::Lexer;

    fn dict(src: &str) -> Dict {
        match Lexer::new(src.as_bytes(), 0, true).object(0).unwrap() {
            Object::Dict(d) => d,
            other => panic!("{other:?}"),
        }
    }

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    /// An RC4 encryption dictionary for the empty user password and owner password `owner`,
    /// built with the algorithms of this module run forwards (Algorithm 3 for /O, Algorithm 5
    /// for /U).
    fn rc4_dict(r: i64, bits: usize, owner: &[u8], id0: &[u8]) -> Dict {
        let n = bits / 8;
        let mut digest = md5(&[&pad32(owner)]);
        if r >= 3 {
            for _ in 0..50 {
                digest = md5(&[&digest]);
            }
        }
        let okey = first(&digest, n).to_vec();
        let o = if r == 2 {
            rc4(&okey, &PAD).unwrap()
        } else {
            rc4_rounds(&okey, &PAD, false).unwrap()
        };
        let v = if bits == 40 && r == 2 { 1 } else { 2 };
        let partial = Params {
            r,
            key_len: n,
            o: &o,
            u: &[0; 32],
            oe: &[],
            ue: &[],
            p: (-4i32).to_le_bytes(),
            id0,
            encrypt_metadata: true,
        };
        let key = legacy_file_key(&partial, b"");
        let u = if r == 2 {
            rc4(&key, &PAD).unwrap()
        } else {
            let mut u = rc4_rounds(&key, &md5(&[&PAD, id0]), false).unwrap();
            u.extend_from_slice(&[0; 16]);
            u
        };
        dict(&format!(
            "<< /Filter /Standard /V {v} /R {r} /Length {bits} /P -4 /O <{}> /U <{}> >>",
            hex(&o),
            hex(&u)
        ))
    }

    #[test]
    fn rc4_handler_opens_with_empty_and_owner_password() {
        let id0 = b"0123456789abcdef";
        for (r, bits) in [(2, 40), (3, 128), (3, 56)] {
            let d = rc4_dict(r, bits, b"owner", id0);
            let empty = SecurityHandler::open(&d, id0, None).unwrap();
            let owner = SecurityHandler::open(&d, id0, Some("owner")).unwrap();
            assert_eq!(empty.key, owner.key, "R{r} {bits}");
            assert_eq!(empty.key.len(), bits / 8);
            // Another /ID gives another key, which the empty password no longer opens.
            assert_eq!(
                SecurityHandler::open(&d, b"another id", None).err(),
                Some(EncryptionError::PasswordNeeded {
                    method: format!("RC4 {bits}-bit, standard security handler R{r}")
                })
            );
        }
    }

    #[test]
    fn object_key_round_trip_and_per_object() {
        let id0 = b"id";
        let h = SecurityHandler::open(&rc4_dict(3, 128, b"o", id0), id0, None).unwrap();
        let plain = b"Nguyen Van An".to_vec();
        // RC4 is its own inverse: decrypting the plaintext encrypts it.
        let enc = h.decrypt(Method::Rc4, 7, 0, &plain).unwrap();
        assert_ne!(enc, plain);
        assert_eq!(h.decrypt(Method::Rc4, 7, 0, &enc).unwrap(), plain);
        assert_ne!(h.decrypt(Method::Rc4, 8, 0, &enc).unwrap(), plain);
        assert_ne!(h.decrypt(Method::Rc4, 7, 1, &enc).unwrap(), plain);
    }

    fn aes128_encrypt(key: &[u8], iv: [u8; 16], plain: &[u8]) -> Vec<u8> {
        let mut buf = plain.to_vec();
        let pad = 16 - plain.len() % 16;
        buf.extend(std::iter::repeat_n(u8::try_from(pad).unwrap(), pad));
        let len = buf.len();
        cbc::Encryptor::<aes::Aes128>::new_from_slices(key, &iv)
            .unwrap()
            .encrypt_padded::<NoPadding>(&mut buf, len)
            .unwrap();
        let mut out = iv.to_vec();
        out.extend(buf);
        out
    }

    #[test]
    fn aes_data_is_checked() {
        let key = [7u8; 16];
        for plain in [
            &b""[..],
            b"x",
            b"exactly sixteen!",
            b"a longer string, two blocks",
        ] {
            let enc = aes128_encrypt(&key, [3; 16], plain);
            assert_eq!(aes_cbc_decrypt(&key, &enc).unwrap(), plain);
        }
        let enc = aes128_encrypt(&key, [3; 16], b"payload");
        assert_eq!(
            aes_cbc_decrypt(&key, &enc[..10]),
            Err("is shorter than the 16-byte AES IV")
        );
        assert_eq!(
            aes_cbc_decrypt(&key, &enc[..enc.len() - 1]),
            Err("is not a whole number of AES blocks")
        );
        // Another key: the padding no longer checks out (all 256 values of the last byte but a
        // valid padding are refused; this key gives an invalid one).
        assert_eq!(
            aes_cbc_decrypt(&[8u8; 16], &enc),
            Err("has bad AES padding")
        );
        // Zero padding bytes are never valid PKCS#7.
        let mut zero = vec![0u8; 16];
        cbc::Encryptor::<aes::Aes128>::new_from_slices(&key, &[3; 16])
            .unwrap()
            .encrypt_padded::<NoPadding>(&mut zero, 16)
            .unwrap();
        let mut data = vec![3u8; 16];
        data.extend(zero);
        assert_eq!(aes_cbc_decrypt(&key, &data), Err("has bad AES padding"));
        assert_eq!(aes_cbc_decrypt(&key, &[]), Ok(Vec::new()));
        assert_eq!(aes_cbc_decrypt(&key, &[1; 16]), Ok(Vec::new()));
    }

    #[test]
    fn handlers_refused_with_their_reason() {
        let err = |src: &str| SecurityHandler::open(&dict(src), b"", None).err().unwrap();
        assert_eq!(
            err("<< /Filter /Adobe.PubSec /SubFilter /adbe.pkcs7.s5 /V 4 /R 4 >>"),
            EncryptionError::PublicKey {
                filter: "Adobe.PubSec".into()
            }
        );
        assert_eq!(
            err("<< /Filter /FOPN_foweb /V 1 /R 2 >>"),
            EncryptionError::UnsupportedHandler {
                filter: "FOPN_foweb".into()
            }
        );
        assert_eq!(
            err("<< /Filter /Standard /V 3 /R 3 >>"),
            EncryptionError::UnsupportedVersion { v: 3, r: 3 }
        );
        assert_eq!(
            err("<< /Filter /Standard /V 5 /R 4 >>"),
            EncryptionError::UnsupportedVersion { v: 5, r: 4 }
        );
        let o32 = format!("<{}>", "00".repeat(32));
        assert_eq!(
            err(&format!(
                "<< /Filter /Standard /V 2 /R 3 /Length 44 /P -4 /O {o32} /U {o32} >>"
            )),
            EncryptionError::Dictionary {
                what: "/Length is not a multiple of 8 from 40 to 128"
            }
        );
        assert_eq!(
            err(&format!(
                "<< /Filter /Standard /V 2 /R 3 /Length 256 /P -4 /O {o32} /U {o32} >>"
            )),
            EncryptionError::Dictionary {
                what: "/Length is not a multiple of 8 from 40 to 128"
            }
        );
        assert_eq!(
            err(&format!(
                "<< /Filter /Standard /V 2 /R 3 /P -4 /O <0011> /U {o32} >>"
            )),
            EncryptionError::Dictionary {
                what: "/O is missing or too short"
            }
        );
        assert_eq!(
            err(&format!(
                "<< /Filter /Standard /V 5 /R 6 /P -4 /O {o32} /U {o32} /StmF /StdCF /StrF /StdCF /CF << /StdCF << /CFM /AESV3 >> >> >>"
            )),
            EncryptionError::Dictionary {
                what: "/O is missing or too short"
            }
        );
        let o48 = format!("<{}>", "00".repeat(48));
        assert_eq!(
            err(&format!(
                "<< /Filter /Standard /V 5 /R 6 /P -4 /O {o48} /U {o48} /OE <00> /UE {o32} /StmF /StdCF /StrF /StdCF /CF << /StdCF << /CFM /AESV3 >> >> >>"
            )),
            EncryptionError::Dictionary {
                what: "/OE is missing or too short"
            }
        );
        assert_eq!(
            err(&format!(
                "<< /Filter /Standard /V 4 /R 4 /P -4 /O {o32} /U {o32} /StmF /StdCF /CF << /StdCF << /CFM /None >> >> >>"
            )),
            EncryptionError::UnsupportedCryptFilter {
                method: "None".into()
            }
        );
        assert_eq!(
            err(&format!(
                "<< /Filter /Standard /V 4 /R 4 /Length 40 /P -4 /O {o32} /U {o32} /StmF /StdCF /CF << /StdCF << /CFM /AESV2 >> >> >>"
            )),
            EncryptionError::Dictionary {
                what: "AESV2 needs a 128-bit key (/Length 128)"
            }
        );
        assert_eq!(
            err(&format!(
                "<< /Filter /Standard /V 2 /R 3 /P 1.5 /O {o32} /U {o32} >>"
            )),
            EncryptionError::Dictionary {
                what: "/P is missing or not an integer"
            }
        );
        assert_eq!(
            err(&format!(
                "<< /Filter /Standard /V 2 /R 3 /P 99999999999 /O {o32} /U {o32} >>"
            )),
            EncryptionError::Dictionary {
                what: "/P does not fit in 32 bits"
            }
        );
        // A well-formed dictionary whose entries match no password.
        assert_eq!(
            err(&format!(
                "<< /Filter /Standard /V 2 /R 3 /Length 128 /P -4 /O {o32} /U {o32} >>"
            )),
            EncryptionError::PasswordNeeded {
                method: "RC4 128-bit, standard security handler R3".into()
            }
        );
        assert_eq!(
            SecurityHandler::open(
                &dict(&format!(
                    "<< /Filter /Standard /V 5 /R 6 /P -4 /O {o48} /U {o48} /OE {o32} /UE {o32} /StmF /StdCF /StrF /StdCF /CF << /StdCF << /CFM /AESV3 >> >> >>"
                )),
                b"",
                Some("guess")
            )
            .err(),
            Some(EncryptionError::WrongPassword {
                method: "AES-256, standard security handler R6".into()
            })
        );
    }

    #[test]
    fn permissions_signed_or_unsigned() {
        let signed = dict("<< /P -4 >>");
        let unsigned = dict("<< /P 4294967292 >>");
        assert_eq!(permissions(&signed), permissions(&unsigned));
        assert_eq!(permissions(&signed).unwrap(), [0xfc, 0xff, 0xff, 0xff]);
    }

    #[test]
    fn r6_hash_terminates_and_depends_on_every_input() {
        let a = modern_hash(6, b"pw", b"saltsalt", &[]).unwrap();
        assert_ne!(a, modern_hash(6, b"pX", b"saltsalt", &[]).unwrap());
        assert_ne!(a, modern_hash(6, b"pw", b"saltsalX", &[]).unwrap());
        assert_ne!(a, modern_hash(6, b"pw", b"saltsalt", &[0; 48]).unwrap());
        assert_ne!(a, modern_hash(5, b"pw", b"saltsalt", &[]).unwrap());
        // The longest password Algorithm 2.A allows.
        assert!(modern_hash(6, &[b'x'; 127], b"saltsalt", &[1; 48]).is_some());
    }

    #[test]
    fn crypt_filter_in_a_stream_overrides_the_default() {
        let h = SecurityHandler {
            key: vec![1; 16],
            strings: Method::Aes128,
            streams: Method::Aes128,
            filters: vec![(b"StdCF".to_vec(), Method::Aes128)],
            encrypt_metadata: true,
            encrypt_object: None,
            description: String::new(),
        };
        let raw = b"not encrypted";
        let filters =
            dict("<< /Filter [/Crypt /FlateDecode] /DecodeParms [<< /Name /Identity >> null] >>");
        let (data, rest) = h
            .decrypt_stream(5, 0, &Dict::default(), filters, raw)
            .unwrap();
        assert_eq!(&*data, raw);
        assert!(matches!(rest.get(b"Filter"), Some(Object::Array(a)) if a.len() == 1));
        let named = dict("<< /Filter /Crypt /DecodeParms << /Name /Secret >> >>");
        assert_eq!(
            h.decrypt_stream(5, 0, &Dict::default(), named, raw).err(),
            Some(EncryptionError::UnsupportedCryptFilter {
                method: "Secret".into()
            })
        );
        // Cross-reference streams are never encrypted; metadata only when EncryptMetadata.
        let xref = dict("<< /Type /XRef >>");
        let (data, _) = h.decrypt_stream(5, 0, &xref, Dict::default(), raw).unwrap();
        assert_eq!(&*data, raw);
        assert!(
            h.decrypt_stream(5, 0, &dict("<< /Type /Metadata >>"), Dict::default(), raw)
                .is_err()
        );
    }

    #[test]
    fn signature_contents_stay_as_written() {
        let h = SecurityHandler::open(&rc4_dict(3, 128, b"o", b"id"), b"id", None).unwrap();
        let mut o = Object::Dict(dict(
            "<< /Type /Sig /ByteRange [0 1 2 3] /Contents <3082> /M (D:2025) /Reason <00ff> >>",
        ));
        h.decrypt_object(9, 0, &mut o).unwrap();
        let d = o.as_dict().unwrap();
        assert!(matches!(d.get(b"Contents"), Some(Object::String(s)) if s.bytes == [0x30, 0x82]));
        assert!(matches!(d.get(b"M"), Some(Object::String(s)) if s.bytes != b"D:2025"));
        let mut plain = Object::Dict(dict("<< /Contents <3082> >>"));
        h.decrypt_object(9, 0, &mut plain).unwrap();
        assert!(
            matches!(plain.as_dict().unwrap().get(b"Contents"), Some(Object::String(s)) if s.bytes != [0x30, 0x82])
        );
    }

    #[test]
    fn passwords_in_both_encodings() {
        assert_eq!(
            PasswordText("Đồng").legacy_candidates(),
            vec!["Đồng".as_bytes().to_vec()]
        );
        assert_eq!(
            PasswordText("café").legacy_candidates(),
            vec![b"caf\xe9".to_vec(), "café".as_bytes().to_vec()]
        );
        assert_eq!(
            PasswordText("abc").legacy_candidates(),
            vec![b"abc".to_vec()]
        );
        // SASLprep maps the no-break space to a space.
        assert_eq!(
            PasswordText("a\u{a0}b").unicode_candidates(),
            vec![b"a b".to_vec(), "a\u{a0}b".as_bytes().to_vec()]
        );
        assert_eq!(
            PasswordText(&"x".repeat(200)).unicode_candidates()[0].len(),
            127
        );
    }
}
