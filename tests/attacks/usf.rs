//! Universal signature forgery: the signature dictionary's `/Contents`, `/ByteRange`, `/Filter`
//! or `/SubFilter` missing or malformed, so that a lenient validator skips the cryptography.
//! In-place edits keep every offset (same-length, space-padded replacements) of
//! `pyhanko-rsa2048-cades.pdf`; two more rewrite the signature dictionary in an incremental
//! update that also replaces the page content.

use vnedoc::verify::SubIndication::{FormatFailure, HashFailure};

use super::kit::{self, SigLoc};
use super::{Bases, Exp, Variant};

const G: &str = "usf";
const F: &str = "Signature1";

/// `/Key value` of a name-valued key inside the dictionary at `loc`: (start of the key, end of
/// the value).
fn name_entry(data: &[u8], loc: &SigLoc, key: &[u8]) -> (usize, usize) {
    let mut from = loc.dict.0;
    loop {
        let at = kit::find(data, key, from).expect("key present");
        assert!(at < loc.dict.1, "key outside the dictionary");
        // Not the tail of a longer name (/Filter inside /SubFilter).
        if data[at - 1].is_ascii_alphanumeric() {
            from = at + 1;
            continue;
        }
        let mut end = at + key.len();
        while data[end] == b' ' {
            end += 1;
        }
        assert_eq!(data[end], b'/', "name value");
        end += 1;
        while !b" \r\n\t/<>[]()".contains(&data[end]) {
            end += 1;
        }
        return (at, end);
    }
}

fn edit(base: &[u8], f: impl FnOnce(&mut Vec<u8>, &SigLoc)) -> Vec<u8> {
    let mut d = base.to_vec();
    let loc = kit::sig_loc(&d, F);
    f(&mut d, &loc);
    d
}

pub fn variants(b: &Bases) -> Vec<Variant> {
    let py = &b.pyhanko;
    let loc = kit::sig_loc(py, F);
    let [_, a, gb, c] = loc.byte_range;
    let fmt = || Exp::failed(F, FormatFailure);
    let br = |text: String| edit(py, |d, l| kit::set_byte_range_text(d, l, &text));
    let mut v = Vec::new();

    // /Contents: the gap stays where /ByteRange says, its content is not a CMS.
    v.push(Variant::one(
        G,
        "usf-contents-zeroed",
        edit(py, |d, l| {
            d[l.contents.0 + 1..l.contents.1 - 1].fill(b'0');
        }),
        fmt(),
    ));
    v.push(Variant::one(
        G,
        "usf-contents-empty",
        edit(py, |d, l| {
            kit::overwrite(d, l.contents.0, l.contents.1 - l.contents.0, b"<>");
        }),
        fmt(),
    ));
    v.push(Variant::one(
        G,
        "usf-contents-null",
        edit(py, |d, l| {
            kit::overwrite(d, l.contents.0, l.contents.1 - l.contents.0, b"null");
        }),
        fmt(),
    ));
    // The valid CMS of another document by the same trusted signer, in the same-size slot: the
    // signature value verifies over its signed attributes, but messageDigest is another
    // document's.
    let other = super::crate_sign(
        &b.unsigned,
        &super::signer("leaf-rsa2048"),
        super::t_sign(),
        Some((loc.contents.1 - loc.contents.0 - 2) / 2),
    );
    let other_hex = kit::contents_hex(&other, &kit::sig_loc(&other, F));
    v.push(Variant::one(
        G,
        "usf-contents-cms-of-other-document",
        edit(py, |d, l| {
            assert_eq!(other_hex.len(), l.contents.1 - l.contents.0 - 2);
            d[l.contents.0 + 1..l.contents.1 - 1].copy_from_slice(&other_hex);
        }),
        Exp::failed(F, HashFailure).integrity(false),
    ));

    // /ByteRange missing or malformed (the CMS is still the original, valid for [0 a b c]).
    v.push(Variant::one(
        G,
        "usf-byterange-missing",
        edit(py, |d, l| kit::remove_byte_range(d, l)),
        fmt(),
    ));
    v.push(Variant::one(
        G,
        "usf-byterange-null",
        br("null".into()),
        fmt(),
    ));
    v.push(Variant::one(
        G,
        "usf-byterange-two-entries",
        br(format!("[0 {a}]")),
        fmt(),
    ));
    v.push(Variant::one(
        G,
        "usf-byterange-three-entries",
        br(format!("[0 {a} {gb}]")),
        fmt(),
    ));
    v.push(Variant::one(
        G,
        "usf-byterange-six-entries",
        br(format!("[0 {a} {gb} {c} 0 0]")),
        fmt(),
    ));
    v.push(Variant::one(
        G,
        "usf-byterange-negative",
        br(format!("[0 {a} {gb} -{c}]")),
        fmt(),
    ));
    v.push(Variant::one(
        G,
        "usf-byterange-real",
        br(format!("[0 {a}.0 {gb} {c}]")),
        fmt(),
    ));
    v.push(Variant::one(
        G,
        "usf-byterange-zeros",
        br("[0 0 0 0]".into()),
        fmt(),
    ));
    // Larger than any file and than i64: the value cannot be an offset.
    v.push(Variant::one(
        G,
        "usf-byterange-huge",
        br(format!("[0 {a} {gb} 99999999999999999999]")),
        fmt(),
    ));
    // Non-hexadecimal digits in /Contents.
    v.push(Variant::one(
        G,
        "usf-contents-not-hex-digits",
        edit(py, |d, l| {
            d[l.contents.0 + 1..l.contents.0 + 3].copy_from_slice(b"zz");
        }),
        fmt(),
    ));

    // /Filter and /SubFilter: pyHanko writes them after /Contents, inside the second signed
    // range, so removing or renaming them changes signed bytes.
    let entry = |key: &'static [u8], new: &'static [u8]| {
        edit(py, move |d, l| {
            let (s, e) = name_entry(d, l, key);
            kit::overwrite(d, s, e - s, new);
        })
    };
    v.push(Variant::one(
        G,
        "usf-filter-missing",
        entry(b"/Filter", b""),
        Exp::failed(F, HashFailure).integrity(false),
    ));
    v.push(Variant::one(
        G,
        "usf-filter-unknown",
        entry(b"/Filter", b"/Filter /Evil.PPK"),
        Exp::failed(F, HashFailure).integrity(false),
    ));
    // Without /SubFilter the verifier treats the CMS as adbe.pkcs7.detached (ISO 32000-1
    // makes /SubFilter optional) and finds the changed bytes.
    v.push(Variant::one(
        G,
        "usf-subfilter-missing",
        entry(b"/SubFilter", b""),
        Exp::failed(F, HashFailure).integrity(false),
    ));
    // An unknown /SubFilter: the verifier cannot know how the CMS relates to the byte ranges,
    // so it does not guess. Kept verdict: INDETERMINATE/FORMAT_FAILURE, the README's rule for
    // what the verifier cannot evaluate ("INDETERMINATE with the reason, never TOTAL_FAILED"),
    // and EN 319 102-1's format-checking outcome; never TOTAL_PASSED.
    v.push(Variant::one(
        G,
        "usf-subfilter-unknown",
        entry(b"/SubFilter", b"/SubFilter /ETSI.Evil.detached"),
        Exp::indeterminate(F, FormatFailure).integrity(false),
    ));

    // The same forgeries written as an incremental update that also replaces the page
    // content: the signature dictionary object is rewritten with /ByteRange removed (the
    // verifier then also reports the original signature, from the revision it signs) or with
    // /Contents null (same /ByteRange: the signed revision's own dictionary is verified).
    let sig_update = |f: &dyn Fn(&mut vnedoc::internals::pdf::object::Dict)| -> Vec<u8> {
        let mut u = kit::Update::new(&b.signed);
        let sig_id = sig_id(&b.signed);
        let mut d = u.dict(sig_id);
        f(&mut d);
        u.put_dict(sig_id, &d);
        u.put(
            4,
            kit::stream(
                "",
                b"BT /F1 16 Tf 72 770 Td (Van ban da sua - chu ky van hop le?) Tj ET",
            ),
        );
        u.finish()
    };
    v.push(Variant::new(
        G,
        "usf-update-byterange-removed",
        sig_update(&|d| d.entries.retain(|(k, _)| k.as_slice() != b"ByteRange")),
        vec![
            // The rewritten dictionary, as the newest revision has it.
            Exp::failed(F, FormatFailure).integrity(false),
            // The original, verified over its own revision; the rewrite is a disallowed change.
            Exp::disallowed(F),
        ],
    ));
    v.push(Variant::one(
        G,
        "usf-update-contents-null",
        sig_update(&|d| kit::set(d, b"Contents", vnedoc::internals::pdf::object::Object::Null)),
        Exp::disallowed(F),
    ));
    v
}

/// Object number of Signature1's signature dictionary.
pub fn sig_id(data: &[u8]) -> u32 {
    let doc =
        vnedoc::internals::pdf::Document::parse(data, vnedoc::internals::pdf::Limits::default())
            .expect("doc");
    let fs = vnedoc::internals::pdf::fields::signature_fields(&doc, doc.last_revision())
        .expect("fields");
    fs.iter()
        .find(|f| f.name == F)
        .and_then(|f| f.sig_id)
        .expect("indirect signature dictionary")
}
