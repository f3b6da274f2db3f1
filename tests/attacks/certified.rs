//! Certified documents (DocMDP P=1 and P=2, certification signatures made by the hand signer
//! of `kit`, since the crate's signer does not certify): the Evil Annotation attack (an
//! annotation over the certified text) and the Sneaky Signature attack (a new signature field
//! whose visible appearance draws over the certified text).

use vnedoc::internals::pdf::Modifications;
use vnedoc::verify::SubIndication::NoCertificateChainFound;

use super::kit::{self, HandSig, Update, Widget};
use super::{Bases, Exp, Variant};

const G: &str = "certified";
const C: &str = "Certification";
const S: &str = "Sneaky";

/// `unsigned.pdf` certified by leaf-rsa2048 with DocMDP permission `p`.
pub fn certify(b: &Bases, p: i64) -> Vec<u8> {
    kit::hand_sign(
        &b.unsigned,
        &HandSig {
            key: &super::signer("leaf-rsa2048"),
            field: C,
            time: super::t_sign(),
            docmdp: Some(p),
            widget: None,
            edit: None,
        },
    )
}

/// The Evil Annotation: a FreeText annotation over the first line.
fn evil_annotation(certified: &[u8]) -> Vec<u8> {
    let mut u = Update::new(certified);
    let page = u.pages()[0];
    let a = super::isa::overlay_annotation(&mut u, "FreeText", "DA THANH TOAN 900.000.000 DONG");
    u.add_annotation(page, a);
    u.finish()
}

/// The Sneaky Signature: a new visible signature field over the first line, its appearance a
/// white box with other text, signed by `key` one hour after the certification.
fn sneaky_signature(certified: &[u8], key: &vnedoc::sign::KeySigner) -> Vec<u8> {
    kit::hand_sign(
        certified,
        &HandSig {
            key,
            field: S,
            time: super::t_sign() + 3600,
            docmdp: None,
            widget: Some(Widget {
                rect: [66, 760, 546, 790],
                appearance: b"1 1 1 rg 0 0 480 30 re f BT /F1 16 Tf 0 0 0 rg 6 9 Td (So tien: 900.000.000 dong) Tj ET".to_vec(),
            }),
            edit: None,
        },
    )
}

pub fn variants(b: &Bases) -> Vec<Variant> {
    let p1 = certify(b, 1);
    let p2 = certify(b, 2);
    let mut v = Vec::new();
    for (p, doc) in [(1, &p1), (2, &p2)] {
        let name = if p == 1 {
            "certified-p1-control"
        } else {
            "certified-p2-control"
        };
        v.push(Variant::one(
            G,
            name,
            doc.clone(),
            Exp::passed(C).mods(Modifications::None),
        ));
    }
    // Evil Annotation: annotations are not permitted by P=1 or P=2 (ISO 32000-1 Table 254).
    v.push(Variant::one(
        G,
        "certified-p1-evil-annotation",
        evil_annotation(&p1),
        Exp::disallowed(C),
    ));
    v.push(Variant::one(
        G,
        "certified-p2-evil-annotation",
        evil_annotation(&p2),
        Exp::disallowed(C),
    ));
    // Removing /Perms first does not lower the permission: DocMDP is read from the certified
    // revision, and the catalog change is itself not allowed.
    {
        let mut u = Update::new(&p1);
        let root = u.root();
        let mut cat = u.dict(root);
        cat.entries.retain(|(k, _)| k.as_slice() != b"Perms");
        u.put_dict(root, &cat);
        let page = u.pages()[0];
        let a =
            super::isa::overlay_annotation(&mut u, "FreeText", "DA THANH TOAN 900.000.000 DONG");
        u.add_annotation(page, a);
        v.push(Variant::one(
            G,
            "certified-p1-perms-removed-then-annotated",
            u.finish(),
            Exp::disallowed(C),
        ));
    }
    // Control: long-term validation data (a /DSS with a certificate) is the one change P=1
    // permits (PAdES part 4).
    {
        let mut u = Update::new(&p1);
        let root = u.root();
        let mut cat = u.dict(root);
        let der = super::certs_of("pki/intermediate.pem").remove(0);
        let cert = u.add(kit::stream("", &der));
        let dss = u.add(format!("<< /Certs [{cert} 0 R] >>").into_bytes());
        kit::set(
            &mut cat,
            b"DSS",
            vnedoc::internals::pdf::object::Object::Ref(dss, 0),
        );
        u.put_dict(root, &cat);
        v.push(Variant::one(
            G,
            "certified-p1-dss-added-control",
            u.finish(),
            Exp::passed(C).mods(Modifications::Allowed),
        ));
    }
    // Evil Annotation under P=3: creating annotations is what P=3 permits (ISO 32000-1 Table
    // 254), and nothing structural tells an overlay from a comment (README, Limitations: no
    // visual comparison); the change is reported as allowed. The crate refuses a new annotation
    // only when it overlaps an existing one.
    v.push(Variant::one(
        G,
        "certified-p3-evil-annotation",
        evil_annotation(&certify(b, 3)),
        Exp::passed(C).mods(Modifications::Allowed),
    ));
    // Sneaky Signature under P=1: no signature may be added. The certification fails; the
    // sneaky signature (leaf-rsa3072, trusted) is itself a valid signature over the whole file.
    v.push(Variant::new(
        G,
        "certified-p1-sneaky-signature",
        sneaky_signature(&p1, &super::signer("leaf-rsa3072")),
        vec![Exp::disallowed(C), Exp::passed(S).mods(Modifications::None)],
    ));
    // Sneaky Signature under P=2: signing is what P=2 permits (ISO 32000-1 Table 254) and the
    // whitelist of REFERENCE §6 admits new signatures with their fields; the overlay on page
    // content is not detected (README, Limitations: no visual comparison). So the
    // certification stays TOTAL_PASSED with `allowed` changes, and what warns the reader is the
    // sneaky signature's own verdict: here signed by leaf-other, a look-alike of leaf-rsa2048
    // from an untrusted root.
    v.push(Variant::new(
        G,
        "certified-p2-sneaky-signature",
        sneaky_signature(
            &p2,
            &super::signer_with("leaf-other", "pki/leaf-other.pem", &["pki/other-root.pem"]),
        ),
        vec![
            Exp::passed(C).mods(Modifications::Allowed),
            Exp::indeterminate(S, NoCertificateChainFound)
                .integrity(true)
                .mods(Modifications::None),
        ],
    ));
    v
}
