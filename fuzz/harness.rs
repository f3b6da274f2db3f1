//! Bodies of the cargo-fuzz targets, shared by `fuzz/fuzz_targets/*.rs` and by the corpus
//! replay test `tests/fuzz_corpus.rs` (both include this file with `#[path]`).
//!
//! Every function takes arbitrary bytes, must return without panicking on any input, and
//! panics (with a message naming the broken rule) when a security invariant does not hold.
//! Nothing here may depend on state kept between calls: a crash must reproduce from its input
//! alone.

#![allow(dead_code)]

use std::sync::OnceLock;

use vnedoc::exchange::Directory;
use vnedoc::exchange::edxml;
use vnedoc::exchange::engine::Outgoing;
use vnedoc::internals::cms::signed_data::SignedData;
use vnedoc::internals::cms::timestamp::TstInfo;
use vnedoc::internals::cms::{SignerInfo, oid};
use vnedoc::internals::pdf::diff::Modifications;
use vnedoc::internals::pki::{
    CertSummary, KeyUsageRule, PathInput, PathOptions, PathOutcome, PathValidator, TrustStore,
};
use vnedoc::sign::{self, KeySigner, SignOptions};
use vnedoc::{DocumentReport, ValidationTime, Verifier, VerifyOptions};

const ROOT_PEM: &[u8] = include_bytes!("../fixtures/pki/root.pem");
const LEAF_KEY: &[u8] = include_bytes!("../fixtures/pki/leaf-p256.key");
const LEAF_PEM: &[u8] = include_bytes!("../fixtures/pki/leaf-p256.pem");
const INTERMEDIATE_PEM: &[u8] = include_bytes!("../fixtures/pki/intermediate.pem");

/// 2026-11-26T09:15:30+07:00: inside the validity of every fixture certificate.
pub const VALIDATION_TIME: i64 = 1_795_659_330;

/// The field name the sign round trip gives its signature.
const FUZZ_FIELD: &str = "VnedocFuzzSignature";

/// A trust store holding the fixture root (built once; cloned per input).
fn root_trust() -> &'static TrustStore {
    static TRUST: OnceLock<TrustStore> = OnceLock::new();
    TRUST.get_or_init(|| {
        let mut trust = TrustStore::new();
        for der in TrustStore::load_pem_or_der(ROOT_PEM).expect("fixtures/pki/root.pem") {
            trust.add_anchor_der(der).expect("root anchor");
        }
        trust
    })
}

/// A fresh verifier per input: the verifier's caches must not make a result depend on earlier
/// inputs.
fn verifier() -> Verifier {
    Verifier::new(VerifyOptions::new(
        root_trust().clone(),
        ValidationTime::At(vnedoc::time::saturating_timestamp(VALIDATION_TIME)),
    ))
}

fn signer() -> &'static KeySigner {
    static SIGNER: OnceLock<KeySigner> = OnceLock::new();
    SIGNER.get_or_init(|| {
        let leaf = TrustStore::load_pem_or_der(LEAF_PEM).expect("leaf-p256.pem");
        let chain = TrustStore::load_pem_or_der(INTERMEDIATE_PEM).expect("intermediate.pem");
        let leaf = leaf
            .into_iter()
            .next()
            .expect("one certificate in leaf-p256.pem");
        KeySigner::from_pkcs8(LEAF_KEY, leaf, chain).expect("leaf-p256 signer")
    })
}

/// Fail closed: in a document reported as all TOTAL_PASSED, every signature has verified
/// integrity, no disallowed change after it, and either covers the whole file or had what
/// follows it analysed and found allowed.
///
/// "Covers the whole file" is not required of every signature: an earlier signature of a
/// multi-signature document (fixtures/pdf/pyhanko-two-signatures.pdf) or one followed by an
/// allowed incremental update covers only its own revision by construction, and is reported
/// with `modifications: Allowed`.
fn check_report(report: &DocumentReport) {
    if !report.all_passed() {
        return;
    }
    for s in &report.signatures {
        assert!(
            s.integrity,
            "all_passed but signature {:?} has integrity=false",
            s.field
        );
        assert!(
            s.modifications != Modifications::Disallowed,
            "all_passed but signature {:?} has disallowed modifications",
            s.field
        );
        assert!(
            s.covers_whole_file || s.modifications == Modifications::Allowed,
            "all_passed but signature {:?} neither covers the file nor reports the bytes after it \
             (modifications {:?})",
            s.field,
            s.modifications
        );
    }
}

// ---------------------------------------------------------------------------------------------
// pdf_verify
// ---------------------------------------------------------------------------------------------

pub fn pdf_verify(data: &[u8]) {
    let report = verifier().verify_bytes("fuzz.pdf", data);
    check_report(&report);
}

// ---------------------------------------------------------------------------------------------
// cms_verify
// ---------------------------------------------------------------------------------------------

const SIGNED_OIDS: &[&[u8]] = &[
    oid::CONTENT_TYPE,
    oid::MESSAGE_DIGEST,
    oid::SIGNING_TIME,
    oid::SIGNING_CERTIFICATE,
    oid::SIGNING_CERTIFICATE_V2,
    oid::ADBE_REVOCATION,
];

/// Walks a DER value's tree (bounded), touching every accessor.
fn walk_tlv(tlv: vnedoc::internals::der::Tlv<'_>, budget: &mut usize) {
    if *budget == 0 {
        return;
    }
    *budget -= 1;
    let _ = tlv.octets();
    let _ = tlv.unsigned_integer();
    let _ = tlv.small_integer();
    let _ = vnedoc::internals::der::parse_time(&tlv);
    if tlv.tag == vnedoc::internals::der::TAG_OID {
        let _ = vnedoc::internals::der::oid_to_string(tlv.content);
    }
    if tlv.is_constructed() {
        for child in tlv.children().take(64) {
            match child {
                Ok(c) => walk_tlv(c, budget),
                Err(_) => break,
            }
        }
    }
}

fn walk_signer(si: &SignerInfo<'_>, depth: usize) {
    let _ = si.digest_algorithm.oid_string();
    let _ = si.signature_algorithm.oid_string();
    let _ = vnedoc::internals::crypto::DigestAlgorithm::from_oid(si.digest_algorithm.oid);
    if let Some(sa) = &si.signed_attrs {
        let bytes = sa.signed_bytes();
        assert_eq!(bytes.len(), sa.raw.len(), "signed_bytes changed the length");
        for a in &sa.attrs {
            let _ = vnedoc::internals::der::oid_to_string(a.oid);
            let mut budget = 256;
            for v in &a.values {
                walk_tlv(*v, &mut budget);
            }
        }
    }
    for o in SIGNED_OIDS {
        let _ = si.signed_attr(o);
        if let Ok(Some(v)) = si.single_signed_value(o) {
            let _ = vnedoc::internals::der::parse_time(&v);
            let _ = v.octets();
        }
    }
    let _ = SignedData::adobe_revocation(si);
    for token in si.unsigned_values(oid::SIGNATURE_TIMESTAMP) {
        if depth < 2 {
            cms_walk(token.raw, depth + 1);
        }
    }
    for a in &si.unsigned_attrs {
        let _ = vnedoc::internals::der::oid_to_string(a.oid);
    }
}

fn walk_signed_data(sd: &SignedData<'_>, depth: usize) {
    for a in &sd.digest_algorithms {
        let _ = a.oid_string();
    }
    let _ = vnedoc::internals::der::oid_to_string(sd.encap_content_type);
    let _ = sd.single_signer();
    if let Ok(tst) = TstInfo::from_token(sd) {
        let _ = vnedoc::internals::crypto::DigestAlgorithm::from_oid(&tst.imprint_algorithm);
        let _ = tst.gen_time.to_string();
    }
    for si in &sd.signer_infos {
        walk_signer(si, depth);
    }
    for c in sd.certificates.iter().take(4) {
        let _ = CertSummary::from_der(c);
    }
}

fn cms_walk(data: &[u8], depth: usize) {
    if let Ok(sd) = SignedData::from_der(data) {
        walk_signed_data(&sd, depth);
    }
}

pub fn cms_verify(data: &[u8]) {
    cms_walk(data, 0);
    if let Ok(sd) = SignedData::from_pdf_contents(data) {
        walk_signed_data(&sd, 0);
    }
}

// ---------------------------------------------------------------------------------------------
// cert_path
// ---------------------------------------------------------------------------------------------

/// Splits the input into at most 8 DER elements laid end to end (as `cat a.der b.der` makes);
/// whatever does not parse as one element ends the list as a raw chunk.
pub fn split_der(data: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut rest = data;
    while !rest.is_empty() && out.len() < 7 {
        match vnedoc::internals::der::read_tlv(rest, 0) {
            Ok((tlv, tail)) if !tlv.raw.is_empty() => {
                out.push(tlv.raw);
                rest = tail;
            }
            _ => break,
        }
    }
    if !rest.is_empty() {
        out.push(rest);
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A certificate's subject and SubjectPublicKeyInfo, as encoded: what makes it a trust anchor.
fn entity(der: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let (_, c) = x509_parser::parse_x509_certificate(der).ok()?;
    Some((c.subject().as_raw().to_vec(), c.public_key().raw.to_vec()))
}

/// Trust anchors and extra certificates of one path-building attempt.
type Layout<'a> = (Vec<&'a [u8]>, Vec<&'a [u8]>);

pub fn cert_path(data: &[u8]) {
    let _ = TrustStore::load_pem_or_der(data);
    let chunks = split_der(data);
    let Some((&signer, rest)) = chunks.split_first() else {
        return;
    };
    for c in &chunks {
        let _ = CertSummary::from_der(c);
        let _ = PathValidator::summarize(c);
    }
    // Two layouts: the last element alone as the anchor (leaf, intermediates…, root), and
    // every element after the signer as an anchor.
    let layouts: [Layout<'_>; 2] = match rest.split_last() {
        Some((&last, middle)) => [(vec![last], middle.to_vec()), (rest.to_vec(), Vec::new())],
        None => [(vec![signer], Vec::new()), (Vec::new(), Vec::new())],
    };
    for (i, (anchors, extra)) in layouts.iter().enumerate() {
        let mut store = TrustStore::new();
        let mut anchor_hashes = Vec::new();
        for a in anchors {
            if store.add_anchor_der(a.to_vec()).is_ok() {
                anchor_hashes.push(hex(&vnedoc::ledger::sha256(a)));
            }
        }
        let input = PathInput {
            signer_der: signer,
            extra_certs: extra,
            embedded_crls: rest,
            embedded_ocsp: rest,
        };
        let mut opts = PathOptions::new(vnedoc::time::Timestamp::constant(VALIDATION_TIME, 0));
        opts.signing_time = Some(vnedoc::time::Timestamp::constant(
            VALIDATION_TIME - 86_400,
            0,
        ));
        if i == 1 {
            opts.key_usage = KeyUsageRule::Any;
            opts.allow_sha1 = true;
            opts.min_rsa_bits = 1024;
        }
        let report = PathValidator::new().validate(&store, &input, &opts);
        if report.outcome == PathOutcome::Valid {
            let signer_hash = hex(&vnedoc::ledger::sha256(signer));
            let first = report.chain.first().map(|c| c.sha256_hex.as_str());
            assert_eq!(
                first,
                Some(signer_hash.as_str()),
                "a valid path must start at the signer"
            );
            // A trust anchor is a name and a key (RFC 5280 §6.1.1 d): the path ends at an
            // anchor itself, or at a certificate with an anchor's subject and public key.
            let last = report.chain.last().map(|c| c.sha256_hex.clone());
            let last_der = last.as_ref().and_then(|h| {
                chunks
                    .iter()
                    .find(|c| hex(&vnedoc::ledger::sha256(c)) == *h)
                    .copied()
            });
            let anchored = last.as_ref().is_some_and(|h| anchor_hashes.contains(h))
                || last_der
                    .and_then(entity)
                    .is_some_and(|e| anchors.iter().filter_map(|a| entity(a)).any(|a| a == e));
            assert!(anchored, "a valid path must end at a trust anchor");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// edxml_parse
// ---------------------------------------------------------------------------------------------

pub fn edxml_parse(data: &[u8]) {
    let _ = edxml::from_xml_with(
        data,
        &edxml::ParseOptions::default().unzip_attachments(false),
    );
    let Ok(env) = edxml::from_xml(data) else {
        return;
    };
    let _ = env.validate();
    let _ = env.message_header();
    let _ = env.status();
    let xml = edxml::to_xml(&env);
    let again = match edxml::from_xml(&xml) {
        Ok(e) => e,
        Err(e) => panic!("to_xml output does not parse again: {e}\n{xml}"),
    };
    // Writing is deterministic and reading what was written loses nothing, except what the
    // writer documents: characters XML 1.0 cannot carry (read leniently from raw input) are
    // written as U+FFFD.
    let xml2 = edxml::to_xml(&again);
    assert_eq!(xml, xml2, "to_xml ∘ from_xml is not stable");
    if env != again {
        let expected = non_xml_chars_replaced(&format!("{env:#?}"));
        let got = format!("{again:#?}");
        assert_eq!(
            expected, got,
            "the round trip changed the envelope beyond the U+FFFD replacement"
        );
    }
    if let Ok(out) = Outgoing::from_envelope(&env) {
        assert_eq!(
            out.envelope,
            xml.as_bytes(),
            "Outgoing carries another serialization"
        );
    }
}

/// XML 1.0 `Char` (§2.2), as the edXML writer tests it.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// `Debug` text of a value with every escaped non-XML character (`\0`, `\u{1}`, `\u{fffe}`…)
/// replaced by the U+FFFD the writer puts in its place.
fn non_xml_chars_replaced(debug: &str) -> String {
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug;
    while let Some(i) = rest.find('\\') {
        out.push_str(&rest[..i]);
        let esc = &rest[i..];
        if let Some(tail) = esc.strip_prefix("\\0") {
            out.push('\u{FFFD}');
            rest = tail;
        } else if let Some(body) = esc.strip_prefix("\\u{")
            && let Some(end) = body.find('}')
            && let Some(c) = u32::from_str_radix(&body[..end], 16)
                .ok()
                .and_then(char::from_u32)
        {
            if is_xml_char(c) {
                out.push_str(&esc[..end + 4]);
            } else {
                out.push('\u{FFFD}');
            }
            rest = &body[end + 1..];
        } else {
            // `\\`, `\"`, `\n`…: two characters kept as they are.
            let two: String = esc.chars().take(2).collect();
            out.push_str(&two);
            rest = &esc[two.len()..];
        }
    }
    out.push_str(rest);
    out
}

// ---------------------------------------------------------------------------------------------
// directory_load
// ---------------------------------------------------------------------------------------------

fn walk_directory(dir: &Directory) {
    let _ = dir.len();
    let _ = dir.roots().count();
    for a in dir.iter().take(32) {
        let _ = dir.get(&a.id);
        let _ = dir.children(&a.id);
        let _ = dir.subtree(&a.id);
        let _ = dir.ancestors(&a.id);
        if let Some(hub) = dir.hub_of(&a.id) {
            let _ = dir.hub_name(hub);
        }
        let _ = dir.with_level(&a.level).count();
        let q: String = a.name.chars().take(6).collect();
        let _ = dir.find_by_name(&q);
    }
}

pub fn directory_load(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for dir in [
        Directory::from_csv(&text),
        Directory::from_json(&text),
        Directory::parse(&text),
    ]
    .into_iter()
    .flatten()
    {
        walk_directory(&dir);
    }
}

// ---------------------------------------------------------------------------------------------
// sign_roundtrip
// ---------------------------------------------------------------------------------------------

pub fn sign_roundtrip(data: &[u8]) {
    let mut opts = SignOptions::new(vnedoc::time::Timestamp::constant(
        VALIDATION_TIME - 3_600,
        0,
    ));
    opts.field_name = Some(FUZZ_FIELD.to_string());
    let Ok(signed) = sign::sign_pdf(data, signer(), &opts) else {
        return;
    };
    assert!(
        signed.starts_with(data),
        "the signed output does not start with the input unchanged"
    );
    let report = verifier().verify_bytes("signed.pdf", &signed);
    let Some(newest) = report.signatures.iter().find(|s| s.field == FUZZ_FIELD) else {
        panic!(
            "the new signature is not found on verification: error {:?}, fields {:?}",
            report.error,
            report
                .signatures
                .iter()
                .map(|s| s.field.as_str())
                .collect::<Vec<_>>()
        );
    };
    assert!(
        newest.integrity && newest.covers_whole_file,
        "the new signature: integrity {} covers_whole_file {} errors {:?}",
        newest.integrity,
        newest.covers_whole_file,
        newest.errors
    );
    check_report(&report);
}
