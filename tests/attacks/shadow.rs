//! Shadow attacks (Mainka et al., NDSS 2021) on a document prepared with hidden content, signed
//! by the crate's signer, then changed by an incremental update written with the crate's
//! `ObjectWriter`: hide (an overlay present when signing is removed), replace (a form field
//! value or a font swapped), hide-and-replace (an update of nothing but a cross-reference
//! section and trailer re-pointing to objects already in the signed revision).

use vnedoc::internals::pdf::object::Object;

use super::kit::{self, Part, Update};
use super::{Bases, Exp, Variant};

const G: &str = "shadow";
const F: &str = "Signature1";
/// Marks the hidden second body of object 4 in the shadow document.
const HIDDEN: &[u8] = b"%hidden body of object 4, in no cross-reference section\n";

/// The shadow document: two pages; page 1 shows an amount, and hides a clause under a white
/// box drawn by a second content stream (object 8) and a note under a white Square
/// annotation (object 22); a text field (object 21) holds the amount. It also carries, unused,
/// a complete second catalog and page tree (objects 40–43) showing another amount, and a second
/// body for object 4 that no cross-reference entry points at.
pub fn document() -> Vec<u8> {
    document_with(&Tweak::default())
}

/// Changes to the shadow document for the whitelist variants: extra catalog entries, another
/// /Info, extra keys in the cover stream's dictionary, the text field's value.
#[derive(Default)]
pub struct Tweak {
    pub catalog: &'static str,
    pub info: Option<u32>,
    pub cover: &'static str,
    pub field_value: Option<&'static str>,
}

pub fn document_with(t: &Tweak) -> Vec<u8> {
    let content = b"BT /F1 16 Tf 72 770 Td (UBND TINH DONG THAP - QUYET DINH) Tj ET\n\
BT /F1 14 Tf 72 700 Td (So tien phe duyet: 100.000.000 dong) Tj ET\n\
BT /F1 14 Tf 72 650 Td (Dieu khoan an: chuyen toan bo cho ben B) Tj ET\n\
BT /F1 14 Tf 72 600 Td (Ghi chu an duoi chu thich trang) Tj ET";
    let mut hidden = HIDDEN.to_vec();
    hidden.extend_from_slice(b"4 0 obj\n");
    hidden.extend_from_slice(&kit::stream(
        "",
        b"BT /F1 16 Tf 72 770 Td (UBND TINH DONG THAP - QUYET DINH) Tj ET\n\
BT /F1 14 Tf 72 700 Td (So tien phe duyet: 900.000.000 dong) Tj ET",
    ));
    hidden.extend_from_slice(b"\nendobj\n");
    let page = |parent: u32, contents: &str, extra: &str| {
        format!(
            "<< /Type /Page /Parent {parent} 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents {contents}{extra} >>"
        )
        .into_bytes()
    };
    let parts = vec![
        Part::Obj(
            1,
            format!("<< /Type /Catalog /Pages 2 0 R /AcroForm 20 0 R{} >>", t.catalog).into_bytes(),
        ),
        Part::Obj(2, b"<< /Type /Pages /Kids [3 0 R 30 0 R] /Count 2 >>".to_vec()),
        Part::Obj(3, page(2, "[4 0 R 8 0 R]", " /Annots [21 0 R 22 0 R 25 0 R 27 0 R]")),
        Part::Obj(4, kit::stream("", content)),
        Part::Raw(hidden),
        Part::Obj(
            5,
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
                .to_vec(),
        ),
        Part::Obj(
            6,
            b"<< /Title (Shadow attack base) /Producer (vnedoc tests/attacks) >>".to_vec(),
        ),
        Part::Obj(8, kit::stream(t.cover, b"1 1 1 rg 66 640 480 30 re f")),
        Part::Obj(
            20,
            b"<< /Fields [21 0 R 25 0 R 27 0 R] /DA (/F1 12 Tf 0 g) /DR << /Font << /F1 5 0 R >> >> >>"
                .to_vec(),
        ),
        Part::Obj(
            21,
            format!(
                "<< /Type /Annot /Subtype /Widget /FT /Tx /T (SoTien) /V ({}) /Rect [300 540 500 560] /P 3 0 R /F 4 /DA (/F1 12 Tf 0 g) /AP << /N 23 0 R >> >>",
                t.field_value.unwrap_or("100.000.000")
            )
            .into_bytes(),
        ),
        Part::Obj(
            22,
            b"<< /Type /Annot /Subtype /Square /Rect [66 590 546 620] /C [1 1 1] /IC [1 1 1] /F 4 /AP << /N 24 0 R >> >>".to_vec(),
        ),
        Part::Obj(
            23,
            kit::stream(
                "/Type /XObject /Subtype /Form /BBox [0 0 200 20] /Resources << /Font << /F1 5 0 R >> >>",
                b"/Tx BMC BT /F1 12 Tf 2 5 Td (100.000.000) Tj ET EMC",
            ),
        ),
        Part::Obj(
            24,
            kit::stream(
                "/Type /XObject /Subtype /Form /BBox [0 0 480 30]",
                b"1 1 1 rg 0 0 480 30 re f",
            ),
        ),
        // An empty signature field prepared for the agency's seal, hidden, whose appearance is
        // already there; and an empty visible one without appearance.
        Part::Obj(
            25,
            b"<< /Type /Annot /Subtype /Widget /FT /Sig /T (Seal) /Rect [66 590 546 620] /P 3 0 R /F 2 /AP << /N 26 0 R >> >>".to_vec(),
        ),
        Part::Obj(
            26,
            kit::stream(
                "/Type /XObject /Subtype /Form /BBox [0 0 480 30] /Resources << /Font << /F1 5 0 R >> >>",
                b"1 1 1 rg 0 0 480 30 re f BT /F1 14 Tf 0 0 0 rg 6 9 Td (Ghi chu: da duyet chi 900.000.000 dong) Tj ET",
            ),
        ),
        Part::Obj(
            27,
            b"<< /Type /Annot /Subtype /Widget /FT /Sig /T (Seal2) /Rect [66 690 546 720] /P 3 0 R /F 4 >>".to_vec(),
        ),
        Part::Obj(30, page(2, "31 0 R", "")),
        Part::Obj(
            31,
            kit::stream("", b"BT /F1 14 Tf 72 770 Td (Trang 2: phu luc) Tj ET"),
        ),
        Part::Obj(40, b"<< /Type /Catalog /Pages 41 0 R >>".to_vec()),
        Part::Obj(41, b"<< /Type /Pages /Kids [42 0 R] /Count 1 >>".to_vec()),
        Part::Obj(42, page(41, "43 0 R", "")),
        Part::Obj(
            43,
            kit::stream(
                "",
                b"BT /F1 14 Tf 72 700 Td (So tien phe duyet: 900.000.000 dong) Tj ET",
            ),
        ),
    ];
    kit::build_pdf(&parts, 1, Some(t.info.unwrap_or(6)))
}

/// Members of object stream 8 of [`objstm_document`]: the page tree root (showing page 3, or
/// the hidden page 11) and the font.
fn objstm_members(hidden_page: bool) -> Vec<(u32, Vec<u8>)> {
    vec![
        (
            2,
            format!(
                "<< /Type /Pages /Kids [{} 0 R] /Count 1 >>",
                if hidden_page { 11 } else { 3 }
            )
            .into_bytes(),
        ),
        (
            5,
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
                .to_vec(),
        ),
    ]
}

/// A one-page document with a cross-reference stream and an object stream (object 8) holding
/// the page tree root and the font; page 11, with other content, is in no page tree.
pub fn objstm_document(hidden_page: bool) -> Vec<u8> {
    let page = |contents: u32| {
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents {contents} 0 R >>"
        )
        .into_bytes()
    };
    let parts = vec![
        Part::Obj(1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
        Part::Obj(3, page(4)),
        Part::Obj(
            4,
            kit::stream(
                "",
                b"BT /F1 14 Tf 72 700 Td (So tien phe duyet: 100.000.000 dong) Tj ET",
            ),
        ),
        Part::Obj(11, page(12)),
        Part::Obj(
            12,
            kit::stream(
                "",
                b"BT /F1 14 Tf 72 700 Td (So tien phe duyet: 900.000.000 dong) Tj ET",
            ),
        ),
    ];
    kit::build_pdf_objstm(&parts, &objstm_members(hidden_page), 8, 13, 1)
}

/// An update of nothing but a cross-reference section (`entries`, or only the conventional
/// free entry 0 when empty) and a trailer, optionally naming another /Root.
fn xref_only(base: &[u8], entries: &[(u32, usize)], root: Option<u32>) -> Vec<u8> {
    let mut u = Update::new(base);
    if let Some(r) = root {
        u.set_root(r);
    }
    let trailer = u.trailer_text();
    let mut d = base.to_vec();
    let at = d.len();
    if entries.is_empty() {
        d.extend_from_slice(
            format!(
                "xref\n0 1\n0000000000 65535 f \ntrailer\n<< {trailer} >>\nstartxref\n{at}\n%%EOF\n"
            )
            .as_bytes(),
        );
    } else {
        d.extend_from_slice(&kit::xref_section(entries, &trailer, at));
    }
    d
}

/// The replace attack's edit: text field 21 given the value 900.000.000 and an appearance (23)
/// that shows it.
fn replace_field_value(u: &mut Update<'_>) {
    let mut fd = u.dict(21);
    kit::set(
        &mut fd,
        b"V",
        Object::String(vnedoc::internals::pdf::object::PdfString {
            bytes: b"900.000.000".to_vec(),
            hex: false,
            span: Default::default(),
        }),
    );
    u.put_dict(21, &fd);
    u.put(
        23,
        kit::stream(
            "/Type /XObject /Subtype /Form /BBox [0 0 200 20] /Resources << /Font << /F1 5 0 R >> >>",
            b"/Tx BMC BT /F1 12 Tf 2 5 Td (900.000.000) Tj ET EMC",
        ),
    );
}

pub fn variants(b: &Bases) -> Vec<Variant> {
    let s = &b.shadow_signed;
    let dis = || Exp::disallowed(F);
    let mut v = Vec::new();

    // Hide: the cover stream leaves the page's /Contents, revealing the clause under it.
    {
        let mut u = Update::new(s);
        let mut pd = u.dict(3);
        kit::set(&mut pd, b"Contents", Object::Array(vec![Object::Ref(4, 0)]));
        u.put_dict(3, &pd);
        v.push(Variant::one(
            G,
            "shadow-hide-overlay-content-removed",
            u.finish(),
            dis(),
        ));
    }
    // Hide: the white Square annotation leaves the page's /Annots, revealing the note.
    {
        let mut u = Update::new(s);
        let mut pd = u.dict(3);
        let annots: Vec<Object> = pd
            .get(b"Annots")
            .and_then(Object::as_array)
            .expect("annots")
            .iter()
            .filter(|a| a.as_ref_id().map(|(n, _)| n) != Some(22))
            .cloned()
            .collect();
        kit::set(&mut pd, b"Annots", Object::Array(annots));
        u.put_dict(3, &pd);
        v.push(Variant::one(
            G,
            "shadow-hide-overlay-annotation-removed",
            u.finish(),
            dis(),
        ));
    }
    // Replace: the text field's value and appearance, with no new signature.
    {
        let mut u = Update::new(s);
        replace_field_value(&mut u);
        v.push(Variant::one(
            G,
            "shadow-replace-form-field-value",
            u.finish(),
            dis(),
        ));
    }
    // The same replacement made in a revision that also adds a signature (by leaf-other, from
    // an untrusted root): form filling followed by signing is on the whitelist when no DocMDP
    // forbids it (an in-place appearance rewrite too, as the new signer signs what it shows), so
    // Signature1 stays TOTAL_PASSED with `allowed` changes, and the reader is warned by the
    // new signature's own verdict.
    {
        let key = super::signer_with("leaf-other", "pki/leaf-other.pem", &["pki/other-root.pem"]);
        let d = kit::hand_sign(
            s,
            &kit::HandSig {
                key: &key,
                field: "Signature2",
                time: super::t_sign() + 3600,
                docmdp: None,
                widget: None,
                edit: Some(&replace_field_value),
            },
        );
        v.push(Variant::new(
            G,
            "shadow-replace-form-field-value-with-new-signature",
            d,
            vec![
                Exp::passed(F).mods(vnedoc::internals::pdf::Modifications::Allowed),
                Exp::indeterminate(
                    "Signature2",
                    vnedoc::verify::SubIndication::NoCertificateChainFound,
                )
                .integrity(true),
            ],
        ));
    }
    // Replace: the font object swapped (another font program draws other glyphs for the same
    // codes; Courier stands for it here, the structural change is the same).
    {
        let mut u = Update::new(s);
        u.put(
            5,
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>"
                .to_vec(),
        );
        v.push(Variant::one(G, "shadow-replace-font", u.finish(), dis()));
    }
    // Hide-and-replace: only a new trailer, whose /Root is the complete second catalog hidden
    // in the signed revision (the signature field goes with the old catalog).
    v.push(Variant::one(
        G,
        "shadow-hide-and-replace-root",
        xref_only(s, &[], Some(40)),
        dis(),
    ));
    // Hide-and-replace: only a cross-reference entry, re-pointing object 4 (the page content)
    // to the second body of object 4 hidden in the signed revision.
    let hidden_at = kit::find(s, HIDDEN, 0).expect("hidden body") + HIDDEN.len();
    assert!(s[hidden_at..].starts_with(b"4 0 obj"));
    v.push(Variant::one(
        G,
        "shadow-hide-and-replace-xref-entry",
        xref_only(s, &[(4, hidden_at)], None),
        dis(),
    ));
    // The same, re-pointing object 4 at the body of object 43 (another number): the entry is
    // unreadable, which is itself a disallowed change.
    let other_at = kit::find(s, b"\n43 0 obj\n", 0).expect("object 43") + 1;
    v.push(Variant::one(
        G,
        "shadow-hide-and-replace-xref-to-other-object",
        xref_only(s, &[(4, other_at)], None),
        dis(),
    ));
    // Empty signature fields are for signing: changing one in a revision that does not sign
    // it is not "filling an empty signature field". Un-hiding the prepared, hidden one shows
    // its appearance over the note; giving the visible one an appearance draws over the amount.
    {
        let mut u = Update::new(s);
        let mut fd = u.dict(25);
        kit::set(&mut fd, b"F", Object::Int(4));
        u.put_dict(25, &fd);
        v.push(Variant::one(
            G,
            "shadow-empty-signature-field-unhidden",
            u.finish(),
            dis(),
        ));
    }
    {
        let mut u = Update::new(s);
        let ap = u.add_stream(
            "/Type /XObject /Subtype /Form /BBox [0 0 480 30] /Resources << /Font << /F1 5 0 R >> >>",
            b"1 1 1 rg 0 0 480 30 re f BT /F1 14 Tf 0 0 0 rg 6 9 Td (So tien phe duyet: 900.000.000 dong) Tj ET",
        );
        let mut fd = u.dict(27);
        let mut apd = vnedoc::internals::pdf::object::Dict::default();
        kit::set(&mut apd, b"N", Object::Ref(ap, 0));
        kit::set(&mut fd, b"AP", Object::Dict(apd));
        u.put_dict(27, &fd);
        v.push(Variant::one(
            G,
            "shadow-empty-signature-field-appearance-set",
            u.finish(),
            dis(),
        ));
    }
    // Hide-and-replace through an object stream: the page tree root lives in object stream 8;
    // the update rewrites only object 8, whose new copy of the page tree root shows a page
    // hidden in the signed revision. No object of the page tree is listed in the update's
    // cross-reference stream, only the object stream.
    {
        let signed = super::crate_sign(
            &objstm_document(false),
            &super::signer("leaf-rsa2048"),
            super::t_sign(),
            None,
        );
        let mut u = Update::new(&signed);
        u.put(8, kit::object_stream(&objstm_members(true)));
        v.push(Variant::one(
            G,
            "shadow-object-stream-rewritten",
            u.finish_xref_stream(),
            dis(),
        ));
    }

    // Shadow through the whitelist: the cover stream (object 8, drawn on page 1) is also what
    // the signed revision names as a whitelisted object (XMP metadata, /Info, a DSS entry, the
    // structure tree root, a /Type /StructElem, a developer extension). Rewriting it in an
    // update reveals the clause under it; the object is page content, so the change is
    // disallowed whatever else the object is named as.
    for (name, tweak) in [
        (
            "shadow-whitelisted-metadata-is-page-content",
            Tweak {
                catalog: " /Metadata 8 0 R",
                ..Tweak::default()
            },
        ),
        (
            "shadow-whitelisted-info-is-page-content",
            Tweak {
                info: Some(8),
                ..Tweak::default()
            },
        ),
        (
            "shadow-whitelisted-dss-entry-is-page-content",
            Tweak {
                catalog: " /DSS << /OCSPs 8 0 R >>",
                ..Tweak::default()
            },
        ),
        (
            "shadow-whitelisted-struct-root-is-page-content",
            Tweak {
                catalog: " /StructTreeRoot 8 0 R",
                ..Tweak::default()
            },
        ),
        (
            "shadow-whitelisted-structelem-type-on-page-content",
            Tweak {
                cover: "/Type /StructElem /S /Artifact",
                ..Tweak::default()
            },
        ),
        (
            "shadow-whitelisted-extensions-is-page-content",
            Tweak {
                catalog: " /Extensions 8 0 R",
                ..Tweak::default()
            },
        ),
    ] {
        let signed = super::crate_sign(
            &document_with(&tweak),
            &super::signer("leaf-rsa2048"),
            super::t_sign(),
            None,
        );
        let mut u = Update::new(&signed);
        u.put(8, kit::stream(tweak.cover, b"% cover removed"));
        v.push(Variant::one(G, name, u.finish(), dis()));
    }
    // Replace through appearance regeneration: the signed text field's value (900.000.000)
    // differs from its appearance (100.000.000, what the signer saw); the update only sets
    // AcroForm /NeedAppearances, which makes viewers redraw the field from its value. A change
    // of what the page shows, with no new signature: disallowed like any form filling without
    // a signature.
    {
        let signed = super::crate_sign(
            &document_with(&Tweak {
                field_value: Some("900.000.000"),
                ..Tweak::default()
            }),
            &super::signer("leaf-rsa2048"),
            super::t_sign(),
            None,
        );
        let mut u = Update::new(&signed);
        let mut af = u.dict(20);
        kit::set(&mut af, b"NeedAppearances", Object::Bool(true));
        u.put_dict(20, &af);
        v.push(Variant::one(
            G,
            "shadow-replace-need-appearances",
            u.finish(),
            dis(),
        ));
    }
    v
}
