//! Certificate-path attacks: `unsigned.pdf` signed by the crate's signer with certificates
//! that fail path validation (fixtures/pki and fixtures/attacks/pki, whose certificates reuse
//! the committed keys), and two CMS built with `cms_builder` where the signer certificate does
//! not match the ESS signing-certificate attribute or the signing key. Validation time: the
//! fixtures' 2026-11-26T00:00:00Z.

use vnedoc::verify::SubIndication::{
    ChainConstraintsFailure, Expired, NoCertificateChainFound, NoSigningCertificateFound,
    NotYetValid, OutOfBoundsNoPoe, SigCryptoFailure,
};

use vnedoc::sign::Signer;

use super::kit;
use super::{Bases, Exp, Variant};

const G: &str = "certs";
const F: &str = "Signature1";

fn attack_cert(name: &str) -> String {
    format!("attacks/pki/{name}.pem")
}

pub fn variants(b: &Bases) -> Vec<Variant> {
    let u = &b.unsigned;
    let sign = |key: &vnedoc::sign::KeySigner, t: i64| super::crate_sign(u, key, t, None);
    let mut v = Vec::new();

    // Expired signer, signing time (/M) inside its validity (2020–2022): at the validation
    // time no proof of existence before expiry is available.
    v.push(Variant::one(
        G,
        "cert-expired-leaf",
        sign(
            &super::signer("leaf-expired"),
            super::time("2021-06-01T09:00:00+07:00"),
        ),
        Exp::indeterminate(F, OutOfBoundsNoPoe).integrity(true),
    ));
    // The same signer claiming to have signed after its certificate expired: the signature
    // itself says it was made with an expired certificate (EN 319 102-1 TOTAL-FAILED/EXPIRED:
    // the signing time lies after notAfter).
    v.push(Variant::one(
        G,
        "cert-expired-leaf-claimed-after-expiry",
        sign(&super::signer("leaf-expired"), super::t_sign()),
        Exp::failed(F, Expired).integrity(true),
    ));
    // An intermediate that expired on 2025-01-01 (the leaf, valid to 2045, signed in 2024).
    v.push(Variant::one(
        G,
        "cert-expired-intermediate",
        sign(
            &super::signer_with(
                "leaf-rsa2048",
                &attack_cert("leaf-under-expired-ca"),
                &[&attack_cert("ca-expired")],
            ),
            super::time("2024-06-01T09:00:00+07:00"),
        ),
        Exp::indeterminate(F, OutOfBoundsNoPoe).integrity(true),
    ));
    // A signer valid from 2027-01-01 claiming to sign on 2026-06-01: signed before its
    // certificate was valid.
    let nyv = super::signer_with(
        "leaf-rsa2048",
        &attack_cert("leaf-not-yet-valid"),
        &["pki/intermediate.pem"],
    );
    v.push(Variant::one(
        G,
        "cert-not-yet-valid-leaf",
        sign(&nyv, super::t_sign()),
        Exp::failed(F, NotYetValid).integrity(true),
    ));
    // The same signer claiming a signing time in its validity but after the validation time
    // (2027-06-01). The signature exists at the validation time, which is before notBefore:
    // EN 319 102-1's best-signature-time (the validation time, without a timestamp) precedes
    // the issuance of the signing certificate, so TOTAL-FAILED/NOT_YET_VALID (what the EU DSS
    // returns, TSV_IBSTAIDOSC).
    v.push(Variant::one(
        G,
        "cert-not-yet-valid-leaf-future-claim",
        sign(&nyv, super::time("2027-06-01T09:00:00+07:00")),
        Exp::failed(F, NotYetValid).integrity(true),
    ));
    // keyUsage keyEncipherment only.
    v.push(Variant::one(
        G,
        "cert-wrong-key-usage",
        sign(&super::signer("leaf-noku"), super::t_sign()),
        Exp::indeterminate(F, ChainConstraintsFailure).integrity(true),
    ));
    // The issuer has basicConstraints CA:FALSE (RFC 5280 §6.1.4 (k)).
    v.push(Variant::one(
        G,
        "cert-ca-false-intermediate",
        sign(
            &super::signer_with(
                "leaf-rsa2048",
                &attack_cert("leaf-under-ca-false"),
                &[&attack_cert("ca-false")],
            ),
            super::t_sign(),
        ),
        Exp::indeterminate(F, ChainConstraintsFailure).integrity(true),
    ));
    // A sub-CA under intermediate.pem, whose pathLenConstraint is 0 (RFC 5280 §6.1.4 (l)).
    v.push(Variant::one(
        G,
        "cert-path-length-violation",
        sign(
            &super::signer_with(
                "leaf-rsa2048",
                &attack_cert("leaf-beyond-pathlen"),
                &[&attack_cert("subca-beyond-pathlen"), "pki/intermediate.pem"],
            ),
            super::t_sign(),
        ),
        Exp::indeterminate(F, ChainConstraintsFailure).integrity(true),
    ));
    // An unknown critical extension in the signer's certificate (RFC 5280 §4.2).
    v.push(Variant::one(
        G,
        "cert-unknown-critical-extension",
        sign(
            &super::signer_with(
                "leaf-rsa2048",
                &attack_cert("leaf-critext"),
                &["pki/intermediate.pem"],
            ),
            super::t_sign(),
        ),
        Exp::indeterminate(F, ChainConstraintsFailure).integrity(true),
    ));
    // A look-alike of leaf-rsa2048 (same subject) issued by an untrusted root.
    v.push(Variant::one(
        G,
        "cert-look-alike-untrusted-root",
        sign(
            &super::signer_with("leaf-other", "pki/leaf-other.pem", &["pki/other-root.pem"]),
            super::t_sign(),
        ),
        Exp::indeterminate(F, NoCertificateChainFound).integrity(true),
    ));

    // CMS built by hand over the ranges of a document the crate signed (room for a larger
    // CMS reserved): the digest is right, the certificates are not.
    let key2048 = super::signer("leaf-rsa2048");
    let base = super::crate_sign(u, &key2048, super::t_sign(), Some(8192));
    let loc = kit::sig_loc(&base, F);
    let [_, a, gb, c] = loc.byte_range;
    let digest = kit::ranges_digest(&base, &[(0, a), (gb, c)]);
    let rsa3072 = super::certs_of("pki/leaf-rsa3072.pem").remove(0);
    let mut chain = key2048.chain().to_vec();
    // ESS signing-certificate-v2 names leaf-rsa3072 (hash and issuerSerial); the
    // SignerIdentifier, the signing key and the embedded certificate are leaf-rsa2048's.
    {
        chain.push(rsa3072.clone());
        let cms = kit::cms(&key2048, key2048.certificate(), &rsa3072, &chain, &digest);
        let mut d = base.clone();
        kit::put_cms(&mut d, &loc, &cms);
        v.push(Variant::one(
            G,
            "cert-ess-signing-certificate-mismatch",
            d,
            Exp::indeterminate(F, NoSigningCertificateFound),
        ));
    }
    // Signed attributes for leaf-rsa2048 (SignerIdentifier, ESS, certificate), signature value
    // made with leaf-nonrep's key (also RSA-2048).
    {
        let other_key = super::signer("leaf-nonrep");
        let cms = kit::cms(
            &other_key,
            key2048.certificate(),
            key2048.certificate(),
            key2048.chain(),
            &digest,
        );
        let mut d = base.clone();
        kit::put_cms(&mut d, &loc, &cms);
        v.push(Variant::one(
            G,
            "cert-signature-key-does-not-match-certificate",
            d,
            Exp::failed(F, SigCryptoFailure).integrity(false),
        ));
    }
    v
}
