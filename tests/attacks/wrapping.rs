//! Signature wrapping: `/ByteRange` moved so that attacker bytes sit in the gap or after the
//! signed revision. Except for the classic wrapping of a pyHanko file (whose original CMS still
//! matches, because the signed bytes were copied), every variant is re-signed by the trusted
//! key over exactly the ranges it claims: the CMS is then cryptographically valid and only the
//! byte-range rules of REFERENCE §6 can refuse it.

use vnedoc::internals::pdf::document::Entry;
use vnedoc::internals::pdf::object::Object;
use vnedoc::internals::pdf::{Document, Limits};
use vnedoc::verify::SubIndication::FormatFailure;

use super::kit;
use super::{Bases, Exp, Variant};

const G: &str = "wrapping";
const F: &str = "Signature1";

/// `/ByteRange` rewritten in place to `ranges`, then the CMS re-signed over `signed`.
fn rewrap(base: &[u8], text: String, signed: &[(usize, usize)]) -> Vec<u8> {
    let key = super::signer("leaf-rsa2048");
    let mut d = base.to_vec();
    let loc = kit::sig_loc(&d, F);
    kit::set_byte_range_text(&mut d, &loc, &text);
    kit::resign_over(&mut d, &loc, signed, &key);
    d
}

/// The newest cross-reference section's offset, in-file entries and trailer.
fn last_section(data: &[u8]) -> (usize, Vec<(u32, usize)>, String) {
    let doc = Document::parse(data, Limits::default()).expect("doc");
    let s = &doc.sections[0];
    let mut entries: Vec<(u32, usize)> = s
        .entries
        .iter()
        .filter_map(|(n, e)| match e {
            Entry::InFile { offset, .. } => Some((*n, *offset)),
            _ => None,
        })
        .collect();
    entries.sort_unstable();
    let t = String::from_utf8(kit::ser(&Object::Dict(s.trailer.clone()))).expect("ascii");
    let inside = t
        .trim()
        .trim_start_matches("<<")
        .trim_end_matches(">>")
        .trim()
        .to_string();
    (s.offset, entries, inside)
}

fn content_object(num: u32, text: &str) -> Vec<u8> {
    let mut o = format!("{num} 0 obj\n").into_bytes();
    o.extend_from_slice(&kit::stream(
        "",
        format!("BT /F1 16 Tf 72 770 Td ({text}) Tj ET").as_bytes(),
    ));
    o.extend_from_slice(b"\nendobj\n");
    o
}

pub fn variants(b: &Bases) -> Vec<Variant> {
    let s = &b.signed;
    let loc = kit::sig_loc(s, F);
    let [_, a, gb, c] = loc.byte_range;
    let fmt = || Exp::failed(F, FormatFailure).integrity(false);
    let mut v = Vec::new();

    // The gap is 16 bytes wider than /Contents on each side: those bytes of the signature
    // dictionary are unsigned.
    v.push(Variant::one(
        G,
        "wrap-gap-larger-than-contents",
        rewrap(
            s,
            format!("[0 {} {} {}]", a - 16, gb + 16, c - 16),
            &[(0, a - 16), (gb + 16, c - 16)],
        ),
        fmt(),
    ));
    // The second range starts 20 bytes inside the first and runs to the end of the file.
    let len2 = gb + c - (a - 20);
    v.push(Variant::one(
        G,
        "wrap-overlapping-ranges",
        rewrap(
            s,
            format!("[0 {a} {} {len2}]", a - 20),
            &[(0, a), (a - 20, len2)],
        ),
        fmt(),
    ));
    // 100 bytes past the end of the file (the CMS signs the in-bounds part, which is what a
    // reader that clamps ranges would hash).
    v.push(Variant::one(
        G,
        "wrap-range-past-eof",
        rewrap(
            s,
            format!("[0 {a} {gb} {}]", c + 100),
            &[(0, a), (gb, c + 100)],
        ),
        fmt(),
    ));
    // Byte 0 outside the signed ranges.
    v.push(Variant::one(
        G,
        "wrap-first-range-not-at-zero",
        rewrap(s, format!("[1 {} {gb} {c}]", a - 1), &[(1, a - 1), (gb, c)]),
        fmt(),
    ));

    // The signed ranges stop before the signing revision's cross-reference section; the
    // attacker writes his own section there, which also re-points object 4 (the page content)
    // to new text. The ranges are internally consistent but b + c ends no revision.
    {
        let (x, mut entries, trailer) = last_section(s);
        let mut d = rewrap(
            s,
            format!("[0 {a} {gb} {}]", x - gb),
            &[(0, a), (gb, x - gb)],
        );
        d.truncate(x);
        let obj = content_object(4, "So tien: 900.000.000 dong");
        entries.push((4, d.len()));
        d.extend_from_slice(&obj);
        let at = d.len();
        d.extend_from_slice(&kit::xref_section(&entries, &trailer, at));
        v.push(Variant::one(G, "wrap-range-ends-before-xref", d, fmt()));
    }

    // Classic signature wrapping of a pyHanko file, whose /ByteRange follows /Contents (inside
    // the second range): the second range's bytes are copied to the end of the file and the
    // range re-pointed there, so the original CMS still matches; the freed area now holds the
    // signature dictionary's tail with the new /ByteRange, then an attacker cross-reference
    // section exactly where the copied `startxref` points, and new page content.
    {
        let py = &b.pyhanko;
        let ploc = kit::sig_loc(py, F);
        let [_, pa, pb, pc] = ploc.byte_range;
        assert_eq!(pb + pc, py.len());
        let (x, mut entries, trailer) = last_section(py);
        assert!(pb < x && x < py.len(), "xref inside the second range");
        let obj = content_object(4, "So tien: 900.000.000 dong (da thay)");
        // The section's length does not depend on the offsets (fixed width).
        entries.push((4, 0));
        let probe = section_without_startxref(&entries, &trailer);
        let obj_at = x + probe.len();
        entries.retain(|(n, _)| *n != 4);
        entries.push((4, obj_at));
        let section = section_without_startxref(&entries, &trailer);
        assert_eq!(section.len(), probe.len());
        let new_b = obj_at + obj.len();
        let mut d = py[..x].to_vec();
        d.extend_from_slice(&section);
        d.extend_from_slice(&obj);
        d.extend_from_slice(&py[pb..]);
        kit::set_byte_range_text(&mut d, &ploc, &format!("[0 {pa} {new_b} {pc}]"));
        // Faithful wrapping: the claimed ranges hash exactly as the original ones.
        assert_eq!(
            kit::ranges_digest(&d, &[(0, pa), (new_b, pc)]),
            kit::ranges_digest(py, &[(0, pa), (pb, pc)])
        );
        v.push(Variant::one(G, "wrap-second-range-moved-to-copy", d, fmt()));
    }
    v
}

/// A cross-reference section and trailer without `startxref` (the copied tail supplies it).
fn section_without_startxref(entries: &[(u32, usize)], trailer: &str) -> Vec<u8> {
    let full = kit::xref_section(entries, trailer, 0);
    let cut = kit::rfind(&full, b"startxref").expect("startxref");
    full[..cut].to_vec()
}
