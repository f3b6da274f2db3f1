//! Incremental saving: content appended after the signed revision, as a proper update (written
//! with the crate's `ObjectWriter` and a hand-written cross-reference section) or as bytes
//! after `%%EOF` without a cross-reference section. The signature stays intact over its
//! revision; the later change is not on the whitelist, so it is `disallowed` and the signature
//! `TOTAL_FAILED/FORMAT_FAILURE` (the crate's rule: a signature followed by a disallowed change
//! is never `TOTAL_PASSED`).

use vnedoc::internals::pdf::object::Object;

use super::kit::{self, Update};
use super::{Bases, Exp, Variant};

const G: &str = "isa";
const F: &str = "Signature1";

/// A stream drawing `text` at (72, y) in Helvetica 16 (/F1 of the base documents).
pub fn text_stream(y: i32, text: &str) -> Vec<u8> {
    kit::stream(
        "",
        format!("BT /F1 16 Tf 72 {y} Td ({text}) Tj ET").as_bytes(),
    )
}

/// An annotation over the first line of `unsigned.pdf` (y = 770): a white box with red text in
/// its appearance.
pub fn overlay_annotation(u: &mut Update<'_>, subtype: &str, text: &str) -> u32 {
    let ap = u.add_stream(
        "/Type /XObject /Subtype /Form /BBox [0 0 480 30] /Resources << /Font << /Helv << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >>",
        format!("1 1 1 rg 0 0 480 30 re f BT /Helv 16 Tf 1 0 0 rg 2 8 Td ({text}) Tj ET").as_bytes(),
    );
    let extra = match subtype {
        "FreeText" => "/DA (/Helv 16 Tf 1 0 0 rg) ",
        "Stamp" => "/Name /Approved ",
        _ => "",
    };
    u.add(
        format!(
            "<< /Type /Annot /Subtype /{subtype} /Rect [66 760 546 790] /Contents {} {extra}/F 4 /AP << /N {ap} 0 R >> >>",
            vnedoc::internals::pdf::writer::literal(text.as_bytes())
        )
        .into_bytes(),
    )
}

pub fn variants(b: &Bases) -> Vec<Variant> {
    let s = &b.signed;
    let mut v = Vec::new();
    let dis = || Exp::disallowed(F);

    // Page content added: a second stream in the page's /Contents.
    {
        let mut u = Update::new(s);
        let page = u.pages()[0];
        let extra = u.add(text_stream(700, "DA THANH TOAN 900.000.000 DONG"));
        let mut pd = u.dict(page);
        let old = pd.get(b"Contents").cloned().expect("contents");
        kit::set(
            &mut pd,
            b"Contents",
            Object::Array(vec![old, Object::Ref(extra, 0)]),
        );
        u.put_dict(page, &pd);
        v.push(Variant::one(G, "isa-page-content-added", u.finish(), dis()));
    }
    // Page content replaced: the content stream object itself rewritten.
    {
        let mut u = Update::new(s);
        let content = match u.dict(u.pages()[0]).get(b"Contents") {
            Some(Object::Ref(n, _)) => *n,
            _ => panic!("indirect content"),
        };
        u.put(
            content,
            text_stream(770, "Van ban da bi thay the hoan toan"),
        );
        v.push(Variant::one(
            G,
            "isa-page-content-replaced",
            u.finish(),
            dis(),
        ));
    }
    // A page added to the page tree.
    {
        let mut u = Update::new(s);
        let root = u.root();
        let pages = match u.dict(root).get(b"Pages") {
            Some(Object::Ref(n, _)) => *n,
            _ => panic!("pages"),
        };
        let content = u.add(text_stream(770, "Trang bo sung sau khi ky"));
        let page = u.add(
            format!(
                "<< /Type /Page /Parent {pages} 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents {content} 0 R >>"
            )
            .into_bytes(),
        );
        let mut pd = u.dict(pages);
        let mut kids = pd
            .get(b"Kids")
            .and_then(Object::as_array)
            .expect("kids")
            .to_vec();
        kids.push(Object::Ref(page, 0));
        kit::set(
            &mut pd,
            b"Count",
            Object::Int(i64::try_from(kids.len()).expect("n")),
        );
        kit::set(&mut pd, b"Kids", Object::Array(kids));
        u.put_dict(pages, &pd);
        v.push(Variant::one(G, "isa-page-added", u.finish(), dis()));
    }
    // A page removed (the two-page shadow document: its second page).
    {
        let mut u = Update::new(&b.shadow_signed);
        let root = u.root();
        let pages = match u.dict(root).get(b"Pages") {
            Some(Object::Ref(n, _)) => *n,
            _ => panic!("pages"),
        };
        let mut pd = u.dict(pages);
        let kids = pd
            .get(b"Kids")
            .and_then(Object::as_array)
            .expect("kids")
            .to_vec();
        assert_eq!(kids.len(), 2);
        kit::set(&mut pd, b"Kids", Object::Array(kids[..1].to_vec()));
        kit::set(&mut pd, b"Count", Object::Int(1));
        u.put_dict(pages, &pd);
        v.push(Variant::one(G, "isa-page-removed", u.finish(), dis()));
    }
    // /Root re-pointed to a new catalog (same AcroForm, so the signature field is still
    // there) whose page tree shows other content.
    {
        let mut u = Update::new(s);
        let root = u.root();
        let mut cat = u.dict(root);
        let pages = u.reserve();
        let content = u.add(text_stream(770, "Van ban gia mao qua /Root moi"));
        let page = u.add(
            format!(
                "<< /Type /Page /Parent {pages} 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents {content} 0 R >>"
            )
            .into_bytes(),
        );
        u.put(
            pages,
            format!("<< /Type /Pages /Kids [{page} 0 R] /Count 1 >>").into_bytes(),
        );
        kit::set(&mut cat, b"Pages", Object::Ref(pages, 0));
        let new_root = u.add(kit::ser(&Object::Dict(cat)));
        u.set_root(new_root);
        v.push(Variant::one(G, "isa-root-repointed", u.finish(), dis()));
    }
    // Bytes after %%EOF that are no revision: a new body for object 4 (the page content), no
    // cross-reference section, no trailer. A reader that rebuilds the xref by scanning for
    // `obj` keywords would show it; the signed revision does not end the file.
    {
        let mut d = s.clone();
        d.extend_from_slice(b"4 0 obj\n");
        d.extend_from_slice(&text_stream(770, "Noi dung moi khong co xref"));
        d.extend_from_slice(b"\nendobj\n");
        v.push(Variant::one(
            G,
            "isa-appended-objects-no-xref-no-trailer",
            d,
            dis(),
        ));
    }
    // Objects and a trailer appended after %%EOF, with `startxref` pointing at the trailer:
    // an update without a cross-reference section.
    {
        let u = Update::new(s);
        let trailer = u.trailer_text();
        let mut d = s.clone();
        d.extend_from_slice(b"4 0 obj\n");
        d.extend_from_slice(&text_stream(770, "Noi dung moi, trailer khong xref"));
        d.extend_from_slice(b"\nendobj\n");
        let at = d.len();
        d.extend_from_slice(
            format!("trailer\n<< {trailer} >>\nstartxref\n{at}\n%%EOF\n").as_bytes(),
        );
        v.push(Variant::one(
            G,
            "isa-appended-objects-trailer-no-xref",
            d,
            dis(),
        ));
    }
    // Annotations drawn over the signed text (no certification: the crate allows annotations
    // only under DocMDP P=3).
    for (subtype, name) in [
        ("FreeText", "isa-freetext-over-text"),
        ("Stamp", "isa-stamp-over-text"),
    ] {
        let mut u = Update::new(s);
        let page = u.pages()[0];
        let a = overlay_annotation(&mut u, subtype, "DA THANH TOAN 900.000.000 DONG");
        u.add_annotation(page, a);
        v.push(Variant::one(G, name, u.finish(), dis()));
    }
    // An update chained with /Prev to the revision before the signed one, re-listing the
    // signed revision's objects at their offsets and replacing the page content: the signed
    // revision is no longer in the chain, so its byte range ends no revision.
    {
        let doc =
            vnedoc::internals::pdf::Document::parse(s, vnedoc::internals::pdf::Limits::default())
                .expect("doc");
        let signed_rev: Vec<(u32, usize)> = doc
            .written_in(doc.last_revision())
            .into_iter()
            .filter_map(|(n, e)| match e {
                vnedoc::internals::pdf::document::Entry::InFile { offset, .. } => Some((n, offset)),
                _ => None,
            })
            .collect();
        let first = doc.sections.last().expect("first section").offset;
        let mut u = Update::new(s);
        u.relist(&signed_rev);
        u.set_prev(first);
        u.put(4, text_stream(770, "Van ban da bi thay the"));
        v.push(Variant::one(
            G,
            "isa-prev-skips-signed-revision",
            u.finish(),
            Exp::failed(F, vnedoc::verify::SubIndication::FormatFailure).integrity(false),
        ));
    }
    // An empty signature field (no /V, nothing signed) whose visible widget draws over the
    // text: an annotation like the two above, only typed as a signature widget.
    {
        let mut u = Update::new(s);
        let page = u.pages()[0];
        let ap = u.add_stream(
            "/Type /XObject /Subtype /Form /BBox [0 0 480 30] /Resources << /Font << /Helv << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >>",
            b"1 1 1 rg 0 0 480 30 re f BT /Helv 16 Tf 0 0 0 rg 2 8 Td (So tien: 900.000.000 dong) Tj ET",
        );
        let field = u.add(
            format!(
                "<< /Type /Annot /Subtype /Widget /FT /Sig /T (Signature2) /F 4 /P {page} 0 R /Rect [66 760 546 790] /AP << /N {ap} 0 R >> >>"
            )
            .into_bytes(),
        );
        u.add_annotation(page, field);
        let root = u.root();
        let af = match u.dict(root).get(b"AcroForm") {
            Some(Object::Ref(n, _)) => *n,
            _ => panic!("indirect AcroForm"),
        };
        let mut afd = u.dict(af);
        let mut fields = afd
            .get(b"Fields")
            .and_then(Object::as_array)
            .expect("fields")
            .to_vec();
        fields.push(Object::Ref(field, 0));
        kit::set(&mut afd, b"Fields", Object::Array(fields));
        u.put_dict(af, &afd);
        v.push(Variant::one(
            G,
            "isa-empty-signature-field-overlay",
            u.finish(),
            dis(),
        ));
    }
    v
}
