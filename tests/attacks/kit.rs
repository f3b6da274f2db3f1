//! Byte-level tools for making attacked PDFs: locating a signature's `/ByteRange` and
//! `/Contents`, same-length edits, CMS built over arbitrary ranges with the crate's
//! `cms_builder`, whole documents written from objects, incremental updates written with the
//! crate's `pdf::writer`, and a hand-made signer for what `sign_pdf` deliberately does not do
//! (certification signatures with DocMDP, visible widgets with arbitrary appearances).
//!
//! Everything is deterministic: RSA PKCS#1 v1.5 signatures (the only key type used here) do not
//! depend on randomness, and every time is fixed by the caller.

use std::fmt::Write as _;

use vnedoc::internals::cms_builder;
use vnedoc::internals::crypto::DigestAlgorithm;
use vnedoc::internals::pdf::byte_range;
use vnedoc::internals::pdf::fields;
use vnedoc::internals::pdf::object::{Dict, Object};
use vnedoc::internals::pdf::writer::{self, ObjectWriter};
use vnedoc::internals::pdf::{Document, Limits};
use vnedoc::sign::{KeySigner, Signer};

/// First occurrence of `needle` in `hay` at or after `from`.
pub fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// Last occurrence of `needle` in `hay`.
pub fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// Overwrites `data[at..at + old_len]` with `new` padded with spaces: offsets elsewhere in the
/// file stay valid. Panics when `new` is longer than the region.
pub fn overwrite(data: &mut [u8], at: usize, old_len: usize, new: &[u8]) {
    assert!(
        new.len() <= old_len,
        "replacement of {} bytes does not fit {old_len}",
        new.len()
    );
    let region = &mut data[at..at + old_len];
    region.fill(b' ');
    region[..new.len()].copy_from_slice(new);
}

/// Where a signature lives in the file.
#[derive(Clone, Copy, Debug)]
pub struct SigLoc {
    /// The signature dictionary, `<<` to `>>` inclusive.
    pub dict: (usize, usize),
    /// The `/Contents` hex string, `<` to `>` inclusive (the byte range's gap).
    pub contents: (usize, usize),
    /// `/ByteRange` as read.
    pub byte_range: [usize; 4],
}

/// The signature dictionary of field `field`, as the newest revision holding it sees it.
pub fn sig_loc(data: &[u8], field: &str) -> SigLoc {
    let doc = Document::parse(data, Limits::default()).expect("parsable base");
    for rev in (0..=doc.last_revision()).rev() {
        let Ok(fs) = fields::signature_fields(&doc, rev) else {
            continue;
        };
        if let Some(f) = fs.into_iter().find(|f| f.name == field) {
            let Some(Object::String(c)) = f.sig.get(b"Contents") else {
                panic!("{field}: /Contents is not a string");
            };
            let br = byte_range::read_byte_range(&f.sig).expect("well-formed /ByteRange");
            let u = |v: u64| usize::try_from(v).expect("small");
            return SigLoc {
                dict: (f.sig.span.start, f.sig.span.end),
                contents: (c.span.start, c.span.end),
                byte_range: [u(br[0]), u(br[1]), u(br[2]), u(br[3])],
            };
        }
    }
    panic!("no signature field {field}");
}

/// The `/ByteRange` value region of the dictionary at `loc`: from `[` to past `]` and the spaces
/// that follow it (pyHanko pads after the bracket, the crate's signer inside it).
pub fn byte_range_region(data: &[u8], loc: &SigLoc) -> (usize, usize) {
    let key = find(data, b"/ByteRange", loc.dict.0).expect("/ByteRange key");
    assert!(key < loc.dict.1);
    let open = find(data, b"[", key).expect("[");
    let close = find(data, b"]", open).expect("]");
    let mut end = close + 1;
    while data.get(end) == Some(&b' ') {
        end += 1;
    }
    (open, end)
}

/// Rewrites the `/ByteRange` value in place (same length, space padded).
pub fn set_byte_range_text(data: &mut [u8], loc: &SigLoc, text: &str) {
    let (s, e) = byte_range_region(data, loc);
    overwrite(data, s, e - s, text.as_bytes());
}

/// Blanks `/ByteRange` and its value: the key is gone, every offset stays.
pub fn remove_byte_range(data: &mut [u8], loc: &SigLoc) {
    let key = find(data, b"/ByteRange", loc.dict.0).expect("/ByteRange key");
    let (_, e) = byte_range_region(data, loc);
    overwrite(data, key, e - key, b"");
}

/// Writes `cms` as lowercase hex into the `/Contents` slot, zero padded.
pub fn put_cms(data: &mut [u8], loc: &SigLoc, cms: &[u8]) {
    let (lt, gt) = loc.contents;
    let slot = gt - lt - 2;
    assert!(
        cms.len() * 2 <= slot,
        "CMS of {} bytes does not fit the {} hex digits of /Contents",
        cms.len(),
        slot
    );
    let mut hex = String::with_capacity(slot);
    for b in cms {
        let _ = write!(hex, "{b:02x}");
    }
    while hex.len() < slot {
        hex.push('0');
    }
    data[lt + 1..gt - 1].copy_from_slice(hex.as_bytes());
}

/// The hex digits of the `/Contents` slot (without `<` `>`).
pub fn contents_hex(data: &[u8], loc: &SigLoc) -> Vec<u8> {
    data[loc.contents.0 + 1..loc.contents.1 - 1].to_vec()
}

/// SHA-256 of the concatenated `(start, length)` ranges, clipped to the file (what a lenient
/// reader that clamps out-of-bounds ranges would hash).
pub fn ranges_digest(data: &[u8], ranges: &[(usize, usize)]) -> Vec<u8> {
    let parts: Vec<&[u8]> = ranges
        .iter()
        .map(|&(s, l)| {
            let s = s.min(data.len());
            &data[s..(s + l).min(data.len())]
        })
        .collect();
    DigestAlgorithm::Sha256.digest(&parts)
}

/// A CAdES CMS over a document digest: signed attributes (contentType, messageDigest, ESS
/// signing-certificate-v2 naming `ess_cert`) signed by `key`, SignerIdentifier naming
/// `sid_cert`, certificates `sid_cert` + `chain`. With `ess_cert == sid_cert ==
/// key.certificate()` this is exactly what the crate's signer embeds.
pub fn cms(
    key: &KeySigner,
    sid_cert: &[u8],
    ess_cert: &[u8],
    chain: &[Vec<u8>],
    digest: &[u8],
) -> Vec<u8> {
    let alg = key.algorithm();
    let attrs = cms_builder::signed_attributes(alg.digest(), digest, ess_cert).expect("attrs");
    let value = key.sign(&attrs).expect("sign");
    cms_builder::signed_data(alg, sid_cert, chain, &attrs, &value, None).expect("CMS")
}

/// Re-signs the signature at `loc` over `ranges` with `key` (its own certificate and chain):
/// the CMS is then cryptographically valid for exactly these ranges, so only the structural
/// rules can refuse it.
pub fn resign_over(data: &mut [u8], loc: &SigLoc, ranges: &[(usize, usize)], key: &KeySigner) {
    let digest = ranges_digest(data, ranges);
    let c = cms(
        key,
        key.certificate(),
        key.certificate(),
        key.chain(),
        &digest,
    );
    put_cms(data, loc, &c);
}

/// A piece of a document written from scratch: an object listed in the cross-reference
/// table, or raw bytes that no entry points at (hidden content of a shadow document).
pub enum Part {
    Obj(u32, Vec<u8>),
    Raw(Vec<u8>),
}

/// A complete one-revision PDF 1.7 from its parts, with a classic cross-reference table.
pub fn build_pdf(parts: &[Part], root: u32, info: Option<u32>) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets: Vec<(u32, usize)> = Vec::new();
    for p in parts {
        match p {
            Part::Obj(n, body) => {
                offsets.push((*n, out.len()));
                out.extend_from_slice(format!("{n} 0 obj\n").as_bytes());
                out.extend_from_slice(body);
                out.extend_from_slice(b"\nendobj\n");
            }
            Part::Raw(b) => out.extend_from_slice(b),
        }
    }
    let size = offsets.iter().map(|(n, _)| n + 1).max().unwrap_or(1);
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {size}\n0000000000 65535 f \n").as_bytes());
    for n in 1..size {
        match offsets.iter().find(|(m, _)| *m == n) {
            Some((_, off)) => out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes()),
            None => out.extend_from_slice(b"0000000000 65535 f \n"),
        }
    }
    let info = info.map(|i| format!(" /Info {i} 0 R")).unwrap_or_default();
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {size} /Root {root} 0 R{info} /ID [<41545441434B53> <41545441434B53>] >>\nstartxref\n{xref}\n%%EOF\n"
        )
        .as_bytes(),
    );
    out
}

/// A stream object body.
pub fn stream(dict_entries: &str, data: &[u8]) -> Vec<u8> {
    let mut body = format!("<< {dict_entries} /Length {} >>\nstream\n", data.len()).into_bytes();
    body.extend_from_slice(data);
    body.extend_from_slice(b"\nendstream");
    body
}

/// Serialises a direct object with the crate's writer.
pub fn ser(o: &Object) -> Vec<u8> {
    writer::serialize(o).expect("serialisable")
}

/// Sets `key` in `dict`, replacing any earlier value.
pub fn set(dict: &mut Dict, key: &[u8], value: Object) {
    dict.entries.retain(|(k, _)| k.as_slice() != key);
    dict.entries.push((key.to_vec(), value));
}

/// A cross-reference table section with one subsection per object, then the trailer,
/// `startxref` and `%%EOF`. `xref_at` is the file offset the section is written at.
pub fn xref_section(entries: &[(u32, usize)], trailer: &str, xref_at: usize) -> Vec<u8> {
    let mut sorted = entries.to_vec();
    sorted.sort_unstable();
    let mut s = String::from("xref\n");
    for (n, off) in sorted {
        let _ = write!(s, "{n} 1\n{off:010} 00000 n \n");
    }
    let _ = write!(s, "trailer\n<< {trailer} >>\nstartxref\n{xref_at}\n%%EOF\n");
    s.into_bytes()
}

/// An incremental update over `base` (ISO 32000-1 §7.5.6), written by hand: objects numbered
/// with the crate's `ObjectWriter`, a classic cross-reference section chained with `/Prev` to
/// the base's last one, and the base's trailer entries carried over.
pub struct Update<'a> {
    pub base: &'a [u8],
    pub doc: Document<'a>,
    pub rev: usize,
    w: ObjectWriter,
    root: u32,
    prev: Option<usize>,
    extra: Vec<(u32, usize)>,
}

impl<'a> Update<'a> {
    pub fn new(base: &'a [u8]) -> Self {
        let doc = Document::parse(base, Limits::default()).expect("parsable base");
        let rev = doc.last_revision();
        let size = doc
            .trailer(rev)
            .and_then(|t| t.int(b"Size"))
            .and_then(|s| u32::try_from(s).ok())
            .expect("trailer /Size");
        let root = doc
            .trailer(rev)
            .and_then(|t| t.get(b"Root"))
            .and_then(Object::as_ref_id)
            .expect("indirect /Root")
            .0;
        Update {
            base,
            doc,
            rev,
            w: ObjectWriter::new(size),
            root,
            prev: None,
            extra: Vec::new(),
        }
    }

    /// Object `num` as the base's newest revision has it.
    pub fn get(&self, num: u32) -> Object {
        self.doc
            .get(num, self.rev)
            .expect("readable object")
            .unwrap_or_else(|| panic!("object {num} is absent"))
    }

    pub fn dict(&self, num: u32) -> Dict {
        match self.get(num) {
            Object::Dict(d) => d,
            o => panic!("object {num} is a {}", o.kind()),
        }
    }

    pub fn root(&self) -> u32 {
        self.root
    }

    /// Leaf pages, in order.
    pub fn pages(&self) -> Vec<u32> {
        fields::page_ids(&self.doc, self.rev).expect("page tree").0
    }

    pub fn reserve(&mut self) -> u32 {
        self.w.reserve()
    }

    pub fn put(&mut self, num: u32, body: Vec<u8>) {
        self.w.put(num, body);
    }

    pub fn put_dict(&mut self, num: u32, d: &Dict) {
        self.w.put(num, ser(&Object::Dict(d.clone())));
    }

    pub fn add(&mut self, body: Vec<u8>) -> u32 {
        self.w.add(body)
    }

    pub fn add_stream(&mut self, dict_entries: &str, data: &[u8]) -> u32 {
        self.w.add_stream(dict_entries, data)
    }

    /// Makes the new trailer's `/Root` name `num`.
    pub fn set_root(&mut self, num: u32) {
        self.root = num;
    }

    /// Appends `annot` to the `/Annots` of page `page` (direct or indirect array).
    pub fn add_annotation(&mut self, page: u32, annot: u32) {
        let mut pd = self.dict(page);
        match pd.get(b"Annots").cloned() {
            Some(Object::Ref(n, _)) => {
                let mut arr = match self.get(n) {
                    Object::Array(a) => a,
                    _ => Vec::new(),
                };
                arr.push(Object::Ref(annot, 0));
                self.put(n, ser(&Object::Array(arr)));
            }
            Some(Object::Array(mut a)) => {
                a.push(Object::Ref(annot, 0));
                set(&mut pd, b"Annots", Object::Array(a));
                self.put_dict(page, &pd);
            }
            _ => {
                set(
                    &mut pd,
                    b"Annots",
                    Object::Array(vec![Object::Ref(annot, 0)]),
                );
                self.put_dict(page, &pd);
            }
        }
    }

    /// Chains the update to the section at `offset` instead of the base's newest one.
    pub fn set_prev(&mut self, offset: usize) {
        self.prev = Some(offset);
    }

    /// Also lists `(number, offset)` entries of objects already in the file.
    pub fn relist(&mut self, entries: &[(u32, usize)]) {
        self.extra.extend_from_slice(entries);
    }

    /// Offset of the base's newest cross-reference section (the new `/Prev`).
    pub fn prev(&self) -> usize {
        if let Some(p) = self.prev {
            return p;
        }
        let end = self.doc.revisions[self.rev].end;
        self.doc
            .sections
            .iter()
            .find(|s| s.end == end)
            .expect("section of the newest revision")
            .offset
    }

    /// The trailer entries of the update: `/Size`, `/Root`, `/Prev`, and the base's `/Info`
    /// and `/ID`.
    pub fn trailer_text(&self) -> String {
        let t = self.doc.trailer(self.rev).cloned().unwrap_or_default();
        let mut s = format!(
            "/Size {} /Root {} 0 R /Prev {}",
            self.w.size(),
            self.root,
            self.prev()
        );
        for key in [&b"Info"[..], b"ID"] {
            if let Some(v) = t.get(key) {
                let _ = write!(
                    s,
                    " /{} {}",
                    String::from_utf8_lossy(key),
                    String::from_utf8_lossy(&ser(v))
                );
            }
        }
        s
    }

    /// The objects of the update, serialised from `at` (a file offset), with their offsets.
    pub fn bodies(&self, at: usize) -> (Vec<u8>, Vec<(u32, usize)>) {
        let mut out = Vec::new();
        let mut offs = Vec::new();
        let mut objs: Vec<&(u32, Vec<u8>)> = self.w.objects().iter().collect();
        objs.sort_by_key(|(n, _)| *n);
        for (n, body) in objs {
            offs.push((*n, at + out.len()));
            out.extend_from_slice(format!("{n} 0 obj\n").as_bytes());
            out.extend_from_slice(body);
            out.extend_from_slice(b"\nendobj\n");
        }
        (out, offs)
    }

    /// The base followed by the update.
    pub fn finish(self) -> Vec<u8> {
        let mut out = self.base.to_vec();
        if !matches!(out.last(), Some(b'\n' | b'\r')) {
            out.push(b'\n');
        }
        let (bodies, mut offs) = self.bodies(out.len());
        out.extend_from_slice(&bodies);
        let at = out.len();
        offs.extend_from_slice(&self.extra);
        out.extend_from_slice(&xref_section(&offs, &self.trailer_text(), at));
        out
    }

    /// The base followed by the update, with a cross-reference stream (uncompressed,
    /// `/W [1 4 2]`) instead of a table, as an update of a file that uses xref streams is
    /// written.
    pub fn finish_xref_stream(mut self) -> Vec<u8> {
        let xref_num = self.w.reserve();
        let mut out = self.base.to_vec();
        if !matches!(out.last(), Some(b'\n' | b'\r')) {
            out.push(b'\n');
        }
        let (bodies, offs) = self.bodies(out.len());
        out.extend_from_slice(&bodies);
        let at = out.len();
        let mut rows: Vec<(u32, XEntry)> = offs.iter().map(|(n, o)| (*n, XEntry::At(*o))).collect();
        rows.push((xref_num, XEntry::At(at)));
        let trailer = self.trailer_text();
        out.extend_from_slice(&xref_stream(xref_num, &rows, &trailer, at));
        out
    }
}

/// A cross-reference stream entry: an offset in the file, or (stream, index) in an object
/// stream.
#[derive(Clone, Copy)]
pub enum XEntry {
    At(usize),
    InStream(u32, u32),
}

/// A cross-reference stream object `num` written at `at` (uncompressed, `/W [1 4 2]`), then
/// `startxref` and `%%EOF`. `trailer` holds the trailer entries (`/Size` included).
pub fn xref_stream(num: u32, rows: &[(u32, XEntry)], trailer: &str, at: usize) -> Vec<u8> {
    let mut rows = rows.to_vec();
    rows.sort_by_key(|(n, _)| *n);
    let mut data = Vec::new();
    let mut index = String::new();
    for (n, e) in &rows {
        let (t, f2, f3) = match e {
            XEntry::At(o) => (1u8, u32::try_from(*o).expect("small"), 0u16),
            XEntry::InStream(s, i) => (2u8, *s, u16::try_from(*i).expect("small")),
        };
        data.push(t);
        data.extend_from_slice(&f2.to_be_bytes());
        data.extend_from_slice(&f3.to_be_bytes());
        let _ = write!(index, "{n} 1 ");
    }
    let mut out = format!(
        "{num} 0 obj\n<< /Type /XRef {trailer} /W [1 4 2] /Index [{}] /Length {} >>\nstream\n",
        index.trim_end(),
        data.len()
    )
    .into_bytes();
    out.extend_from_slice(&data);
    out.extend_from_slice(format!("\nendstream\nendobj\nstartxref\n{at}\n%%EOF\n").as_bytes());
    out
}

/// A one-revision PDF whose `members` live in object stream `objstm` and whose
/// cross-reference is stream `xref_num` (ISO 32000-1 §7.5.7, §7.5.8), uncompressed.
pub fn build_pdf_objstm(
    parts: &[Part],
    members: &[(u32, Vec<u8>)],
    objstm: u32,
    xref_num: u32,
    root: u32,
) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut rows: Vec<(u32, XEntry)> = Vec::new();
    for p in parts {
        match p {
            Part::Obj(n, body) => {
                rows.push((*n, XEntry::At(out.len())));
                out.extend_from_slice(format!("{n} 0 obj\n").as_bytes());
                out.extend_from_slice(body);
                out.extend_from_slice(b"\nendobj\n");
            }
            Part::Raw(b) => out.extend_from_slice(b),
        }
    }
    rows.push((objstm, XEntry::At(out.len())));
    out.extend_from_slice(format!("{objstm} 0 obj\n").as_bytes());
    out.extend_from_slice(&object_stream(members));
    out.extend_from_slice(b"\nendobj\n");
    for (i, (n, _)) in members.iter().enumerate() {
        rows.push((
            *n,
            XEntry::InStream(objstm, u32::try_from(i).expect("small")),
        ));
    }
    let at = out.len();
    rows.push((xref_num, XEntry::At(at)));
    let size = rows.iter().map(|(n, _)| n + 1).max().unwrap_or(1);
    let trailer = format!("/Size {size} /Root {root} 0 R /ID [<41545441434B53> <41545441434B53>]");
    out.extend_from_slice(&xref_stream(xref_num, &rows, &trailer, at));
    out
}

/// The body of an uncompressed object stream holding `members`.
pub fn object_stream(members: &[(u32, Vec<u8>)]) -> Vec<u8> {
    let mut header = String::new();
    let mut data = Vec::new();
    for (n, body) in members {
        let _ = write!(header, "{n} {} ", data.len());
        data.extend_from_slice(body);
        data.push(b'\n');
    }
    let first = header.len();
    let mut all = header.into_bytes();
    all.extend_from_slice(&data);
    stream(
        &format!("/Type /ObjStm /N {} /First {first}", members.len()),
        &all,
    )
}

/// `D:YYYYMMDDHHmmSS+07'00'` for a Unix time (Vietnam time, as the crate's signer writes /M).
pub fn pdf_date(t: i64) -> String {
    let iso = vnedoc::time::vietnam_iso(vnedoc::time::saturating_timestamp(t));
    let digits: String = iso.chars().take(19).filter(char::is_ascii_digit).collect();
    format!("D:{digits}+07'00'")
}

/// A visible widget: its rectangle and the content stream of its normal appearance (drawn in
/// a form XObject whose BBox is the rectangle's size, with Helvetica as /F1).
pub struct Widget {
    pub rect: [i32; 4],
    pub appearance: Vec<u8>,
}

/// What the hand-made signer writes.
pub struct HandSig<'k> {
    pub key: &'k KeySigner,
    pub field: &'static str,
    pub time: i64,
    /// A certification signature with this DocMDP permission (catalog `/Perms`, signature
    /// `/Reference`).
    pub docmdp: Option<i64>,
    pub widget: Option<Widget>,
    /// Other changes made in the signing revision (not to the first page or the catalog,
    /// which the signer rewrites from the base).
    pub edit: Option<&'k dyn Fn(&mut Update<'_>)>,
}

const BR_PLACEHOLDER: &str = "[0 0000000000 0000000000 0000000000]";
/// Bytes reserved for the CMS.
const RESERVE: usize = 8192;

/// Signs `input` in a new revision that adds a signature field on the first page (what the
/// crate's signer does, plus certification and arbitrary appearances).
pub fn hand_sign(input: &[u8], spec: &HandSig<'_>) -> Vec<u8> {
    let mut u = Update::new(input);
    if let Some(edit) = spec.edit {
        edit(&mut u);
    }
    let page = u.pages()[0];
    let sig = u.reserve();
    let field = u.reserve();
    let mut sig_body = format!(
        "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange {BR_PLACEHOLDER} /Contents <{}> /M {}",
        "0".repeat(RESERVE * 2),
        writer::literal(pdf_date(spec.time).as_bytes())
    );
    if let Some(p) = spec.docmdp {
        let _ = write!(
            sig_body,
            " /Reference [<< /Type /SigRef /TransformMethod /DocMDP /TransformParams << /Type /TransformParams /P {p} /V /1.2 >> >>]"
        );
    }
    sig_body.push_str(" >>");
    u.put(sig, sig_body.into_bytes());
    let (rect, ap) = match &spec.widget {
        Some(w) => {
            let [x1, y1, x2, y2] = w.rect;
            let ap = u.add_stream(
                &format!(
                    "/Type /XObject /Subtype /Form /BBox [0 0 {} {}] /Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >> >> >>",
                    x2 - x1,
                    y2 - y1
                ),
                &w.appearance,
            );
            (w.rect, Some(ap))
        }
        None => ([0; 4], None),
    };
    let mut widget = format!(
        "<< /Type /Annot /Subtype /Widget /FT /Sig /T {} /V {sig} 0 R /F {} /P {page} 0 R /Rect [{} {} {} {}]",
        writer::literal(spec.field.as_bytes()),
        if ap.is_some() { 4 } else { 132 },
        rect[0],
        rect[1],
        rect[2],
        rect[3]
    );
    if let Some(ap) = ap {
        let _ = write!(widget, " /AP << /N {ap} 0 R >>");
    }
    widget.push_str(" >>");
    u.put(field, widget.into_bytes());
    u.add_annotation(page, field);

    let root = u.root();
    let mut cat = u.dict(root);
    match cat.get(b"AcroForm").cloned() {
        Some(Object::Ref(af, _)) => {
            let mut afd = u.dict(af);
            let mut fields = match afd.get(b"Fields").cloned() {
                Some(Object::Array(a)) => a,
                Some(r @ Object::Ref(..)) => match u.doc.resolve(&r, u.rev) {
                    Ok(Object::Array(a)) => a,
                    _ => Vec::new(),
                },
                _ => Vec::new(),
            };
            fields.push(Object::Ref(field, 0));
            set(&mut afd, b"Fields", Object::Array(fields));
            set(&mut afd, b"SigFlags", Object::Int(3));
            u.put_dict(af, &afd);
        }
        Some(_) => panic!("direct AcroForm not supported by the hand signer"),
        None => {
            let af = u.add(format!("<< /Fields [{field} 0 R] /SigFlags 3 >>").into_bytes());
            set(&mut cat, b"AcroForm", Object::Ref(af, 0));
        }
    }
    if spec.docmdp.is_some() {
        let mut perms = Dict::default();
        set(&mut perms, b"DocMDP", Object::Ref(sig, 0));
        set(&mut cat, b"Perms", Object::Dict(perms));
    }
    u.put_dict(root, &cat);

    let base_len = u.base.len();
    let mut out = u.finish();
    // Patch /ByteRange around /Contents, then sign.
    let sig_at = find(&out, format!("\n{sig} 0 obj\n").as_bytes(), base_len - 1).expect("sig");
    let br_at = find(&out, BR_PLACEHOLDER.as_bytes(), sig_at).expect("placeholder");
    let lt = find(&out, b"/Contents <", sig_at).expect("contents") + b"/Contents ".len();
    let gt = lt + RESERVE * 2 + 2;
    let br = format!("[0 {lt} {gt} {}]", out.len() - gt);
    overwrite(&mut out, br_at, BR_PLACEHOLDER.len(), br.as_bytes());
    let loc = SigLoc {
        dict: (sig_at, gt),
        contents: (lt, gt),
        byte_range: [0, lt, gt, out.len() - gt],
    };
    let tail = out.len() - gt;
    resign_over(&mut out, &loc, &[(0, lt), (gt, tail)], spec.key);
    out
}
