//! Changes after signing: every revision after the signed one is compared with the revision
//! before it, object by object, against a whitelist (REFERENCE §6).
//!
//! Allowed: new signature fields and their signatures, filling an empty signature field,
//! document security store (/DSS, VRI) and document timestamps, metadata (/Info, XMP), the
//! structure tree, form filling and annotations where DocMDP permits them. Everything else
//! is disallowed, including pages, content streams or appearance streams shared with other
//! objects (the shadow and sneaky-appearance attacks).
//!
//! Form filling (ISO 32000-2 §12.8.2.2; pyHanko's FORM_FILLING): a field's /V, /AS, /MK, /DA,
//! and its widgets' /AP may change in a later revision with or without a new signature, after
//! an approval signature and under DocMDP P=2 and P=3; never under P=1. Without a new
//! signature, filling is a new value drawn by a new appearance object: an appearance that
//! changes over an unchanged value, a signed appearance stream rewritten in place, or
//! /NeedAppearances changed (viewers redraw every field from /V) change what the earlier
//! signer saw and not what the form says (the shadow "replace" attacks), so these stay
//! allowed only in a revision that adds a signature. FieldMDP (§12.8.2.4):
//! the /Lock of every signed signature field and the FieldMDP /TransformParams of every
//! signature's /Reference lock fields by fully qualified name (/Action /All, /Include or
//! /Exclude of /Fields, a name covering its descendants); a locked field may not change, and
//! a new visible signature field whose name is locked may not be added (an invisible one
//! changes nothing shown). The /P of a lock dictionary (PDF 2.0) restricts like DocMDP: the
//! strictest of DocMDP and every lock's /P applies.
//!
//! Objects are compared by what they resolve to, not by where they are stored: an unchanged
//! object written again, or moved into an object stream of a later revision (full
//! compression), is no change.
//!
//! Benign edits are decided by one rule: a change is benign when nothing that renders the
//! document or reads its form reads what changed (ISO 32000), never by the name of a key.
//! - The catalog may be written again under a new object number: the new catalog is compared
//!   with the old key by key, so one with other /Pages, an /OpenAction or /Names is caught;
//!   the old catalog object may then not change.
//! - A page tree node (not a leaf page) may change in any key other than those a reader
//!   takes from it (`PAGE_TREE_KEYS`: the node keys of Table 30 and the inheritable page
//!   attributes of Table 31), e.g. iText's /ITXT version stamp.
//! - The AcroForm's /DR (and its /Font or other category dictionaries, inline or indirect)
//!   may gain entries but not lose or change any: unchanged content reaches resources by
//!   name and names only the old ones.
//!
//! The whitelist never covers what the signed revision draws: an object reachable from its pages
//! is judged as page content whatever else it is named as (XMP metadata, /Info, a DSS entry, a
//! structure element); the objects of an object stream a revision rewrites are judged one by
//! one; an empty signature field, new or old, may change and show an appearance only in the
//! revision that signs it; and /NeedAppearances is form filling.

use std::collections::{HashMap, HashSet};

use super::document::{Document, Entry};
use super::fields::{self, catalog};
pub use super::modifications::{DocMdp, ModificationReport, Modifications};
use super::object::{Dict, Object};
use crate::malformed::PdfError;

/// Keys of the catalog a later revision may change.
const CATALOG_KEYS: &[&[u8]] = &[
    b"AcroForm",
    b"DSS",
    b"Extensions",
    b"Metadata",
    b"Version",
    b"StructTreeRoot",
];
/// Keys of the AcroForm dictionary a later revision may change.
const ACROFORM_KEYS: &[&[u8]] = &[b"Fields", b"SigFlags", b"DR", b"DA", b"NeedAppearances"];
/// Keys of an empty signature field (and its merged widget) that signing may set.
const SIG_FIELD_KEYS: &[&[u8]] = &[b"V", b"AP", b"AS", b"F", b"P", b"DA", b"MK", b"Lock", b"SV"];
/// Keys of a form field that form filling may change.
const FORM_FILL_KEYS: &[&[u8]] = &[b"V", b"AP", b"AS", b"MK", b"DA"];
/// Keys of a page that adding a widget may change.
const PAGE_KEYS: &[&[u8]] = &[b"Annots", b"StructParents"];
/// Keys a conforming reader reads from a page tree node (not a leaf): ISO 32000-2 Table 30
/// (/Type, /Parent, /Kids, /Count) and the inheritable page attributes of Table 31
/// (/Resources, /MediaBox, /CropBox, /Rotate). Any other key of a page tree node is read by
/// nothing that renders or fills the document (iText's /ITXT version stamp is one).
const PAGE_TREE_KEYS: &[&[u8]] = &[
    b"Type",
    b"Parent",
    b"Kids",
    b"Count",
    b"Resources",
    b"MediaBox",
    b"CropBox",
    b"Rotate",
];

/// Structural equality of two objects; streams compare dictionary and raw data.
pub fn same(doc: &Document<'_>, a: &Object, b: &Object) -> bool {
    match (a, b) {
        (Object::Null, Object::Null) => true,
        (Object::Bool(x), Object::Bool(y)) => x == y,
        (Object::Int(x), Object::Int(y)) => x == y,
        (Object::Real(x), Object::Real(y)) => x == y,
        (Object::Int(x), Object::Real(y)) | (Object::Real(y), Object::Int(x)) => {
            i32::try_from(*x).map(f64::from).is_ok_and(|v| v == *y)
        }
        (Object::Name(x), Object::Name(y)) => x == y,
        (Object::String(x), Object::String(y)) => x.bytes == y.bytes,
        (Object::Ref(n1, g1), Object::Ref(n2, g2)) => n1 == n2 && g1 == g2,
        (Object::Array(x), Object::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(doc, p, q))
        }
        (Object::Dict(x), Object::Dict(y)) => same_dict(doc, x, y, &[]),
        (Object::Stream(x), Object::Stream(y)) => {
            same_dict(doc, &x.dict, &y.dict, &[b"Length"])
                && doc.data.get(x.data_start..x.data_end) == doc.data.get(y.data_start..y.data_end)
        }
        _ => false,
    }
}

/// True when the dictionaries agree on every key outside `ignore`.
fn same_dict(doc: &Document<'_>, a: &Dict, b: &Dict, ignore: &[&[u8]]) -> bool {
    let keys: HashSet<&[u8]> = a
        .entries
        .iter()
        .chain(&b.entries)
        .map(|(k, _)| k.as_slice())
        .collect();
    keys.into_iter()
        .filter(|k| !ignore.contains(k))
        .all(|k| match (a.get(k), b.get(k)) {
            (None, None) => true,
            (Some(x), Some(y)) => same(doc, x, y),
            _ => false,
        })
}

/// Keys whose values differ between two dictionaries.
fn changed_keys(doc: &Document<'_>, a: &Dict, b: &Dict) -> Vec<Vec<u8>> {
    let mut keys: Vec<&[u8]> = a
        .entries
        .iter()
        .chain(&b.entries)
        .map(|(k, _)| k.as_slice())
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys.into_iter()
        .filter(|k| match (a.get(k), b.get(k)) {
            (None, None) => false,
            (Some(x), Some(y)) => !same(doc, x, y),
            _ => true,
        })
        .map(<[u8]>::to_vec)
        .collect()
}

fn name(k: &[u8]) -> String {
    String::from_utf8_lossy(k).into_owned()
}

fn refs_of(doc: &Document<'_>, o: Option<&Object>, rev: usize) -> Result<Vec<u32>, PdfError> {
    let Some(o) = o else { return Ok(Vec::new()) };
    Ok(match doc.resolve(o, rev)? {
        Object::Array(a) => a
            .iter()
            .filter_map(|x| x.as_ref_id().map(|(n, _)| n))
            .collect(),
        _ => Vec::new(),
    })
}

/// What revision `rev` looks like, for classifying changes made after it.
struct Context {
    root: Option<u32>,
    catalog: std::rc::Rc<Dict>,
    acroform: Option<u32>,
    fields_array: Option<u32>,
    info: Option<u32>,
    metadata: Option<u32>,
    dss: HashSet<u32>,
    struct_root: Option<u32>,
    pages: HashSet<u32>,
    page_nodes: HashSet<u32>,
    annots_arrays: HashMap<u32, u32>,
    empty_sig_fields: HashSet<u32>,
    signed_sig_fields: HashSet<u32>,
    sig_dicts: HashSet<u32>,
    form_fields: HashSet<u32>,
    widget_ap_streams: HashMap<u32, u32>,
    /// Widget annotations of signature fields (merged field-widgets and /Kids widgets).
    sig_widgets: HashSet<u32>,
    /// The field of each /Kids widget (which need not have a /Parent).
    widget_field: HashMap<u32, u32>,
    /// Objects of the catalog's /Extensions (ISO 32000-1 §7.12), updated by newer signers.
    extensions: HashSet<u32>,
    /// The AcroForm's /DR dictionary and its resource-category dictionaries, when indirect.
    dr_objects: HashSet<u32>,
    /// The AcroForm's /NeedAppearances is true: viewers draw fields from /V, /DA and /DR.
    need_appearances: bool,
    /// Fully qualified name of each terminal field, by the field's object number.
    field_names: HashMap<u32, String>,
    /// The FieldMDP locks of the signed signature fields.
    locks: Vec<fields::FieldLock>,
}

/// The object number an entry names, when it is a reference.
fn ref_id(o: Option<&Object>) -> Option<u32> {
    o.and_then(|x| x.as_ref_id()).map(|(n, _)| n)
}

impl Context {
    fn build(doc: &Document<'_>, rev: usize) -> Result<Self, PdfError> {
        let (root, cat) = catalog(doc, rev)?;
        let trailer = doc.trailer(rev).cloned().unwrap_or_default();
        let acroform = ref_id(cat.get(b"AcroForm"));
        let fields_array = fields_array(doc, &cat, rev)?;
        let dss = dss_objects(doc, &cat, rev)?;
        let (pages, nodes) = fields::page_ids(doc, rev)?;
        let annots_arrays = annots_arrays(doc, &pages, rev)?;
        let extensions = extension_objects(doc, &cat, rev)?;
        let mut ctx = Context {
            root,
            catalog: cat.clone(),
            acroform,
            fields_array,
            info: ref_id(trailer.get(b"Info")),
            metadata: ref_id(cat.get(b"Metadata")),
            dss,
            struct_root: ref_id(cat.get(b"StructTreeRoot")),
            pages: pages.into_iter().collect(),
            page_nodes: nodes.into_iter().collect(),
            annots_arrays,
            empty_sig_fields: HashSet::new(),
            signed_sig_fields: HashSet::new(),
            sig_dicts: HashSet::new(),
            form_fields: HashSet::new(),
            widget_ap_streams: HashMap::new(),
            sig_widgets: HashSet::new(),
            widget_field: HashMap::new(),
            extensions,
            dr_objects: dr_objects(doc, &cat, rev)?,
            need_appearances: need_appearances(doc, &cat, rev),
            field_names: HashMap::new(),
            locks: fields::field_locks(doc, rev)?,
        };
        for f in fields::walk_fields(doc, rev)? {
            let Some(fid) = f.id else { continue };
            ctx.field_names.insert(fid, f.name.clone());
            ctx.add_field(fid, &f);
            // Appearance streams of the field's widget(s), for in-place appearance updates.
            if let Some(Object::Dict(fd)) = doc.get(fid, rev)? {
                let widgets = ctx.add_kids(doc, rev, fid, &f, fd)?;
                for w in widgets {
                    ctx.add_appearances(doc, rev, fid, &w)?;
                }
            }
        }
        Ok(ctx)
    }

    /// Files field `fid` as a signature widget, a signed or empty signature field (with its
    /// signature dictionary) or a form field.
    fn add_field(&mut self, fid: u32, f: &fields::FieldNode) {
        if f.is_sig {
            self.sig_widgets.insert(fid);
        }
        match (f.is_sig, f.has_value) {
            (true, true) => {
                self.signed_sig_fields.insert(fid);
                if let Some(v) = f.value_id {
                    self.sig_dicts.insert(v);
                }
            }
            (true, false) => {
                self.empty_sig_fields.insert(fid);
            }
            (false, _) => {
                self.form_fields.insert(fid);
            }
        }
    }

    /// Files the /Kids widgets of field `fid` (dictionary `fd`) like the field itself, and
    /// returns the field's widgets: `fd` and its dictionary kids.
    fn add_kids(
        &mut self,
        doc: &Document<'_>,
        rev: usize,
        fid: u32,
        f: &fields::FieldNode,
        fd: Dict,
    ) -> Result<Vec<Dict>, PdfError> {
        let kids = fd.get(b"Kids").map(|k| doc.resolve(k, rev)).transpose()?;
        let mut widgets = vec![fd];
        if let Some(Object::Array(kids)) = kids {
            for k in kids.iter().take(64) {
                if let Object::Dict(kd) = doc.resolve(k, rev)? {
                    if let Some(n) = ref_id(Some(k)) {
                        self.widget_field.insert(n, fid);
                        if f.is_sig {
                            self.sig_widgets.insert(n);
                        }
                        if f.is_sig && !f.has_value {
                            self.empty_sig_fields.insert(n);
                        } else if !f.is_sig {
                            self.form_fields.insert(n);
                        }
                    }
                    widgets.push(kd);
                }
            }
        }
        Ok(widgets)
    }

    /// Files the appearance objects of widget `w` (its /AP dictionary, the streams or state
    /// dictionaries in it and the streams in those) as belonging to field `fid`.
    fn add_appearances(
        &mut self,
        doc: &Document<'_>,
        rev: usize,
        fid: u32,
        w: &Dict,
    ) -> Result<(), PdfError> {
        if let Some(n) = ref_id(w.get(b"AP")) {
            self.widget_ap_streams.insert(n, fid);
        }
        if let Some(Object::Dict(ap)) = w.get(b"AP").map(|a| doc.resolve(a, rev)).transpose()? {
            for (_, v) in &ap.entries {
                if let Some(n) = ref_id(Some(v)) {
                    self.widget_ap_streams.insert(n, fid);
                }
                if let Object::Dict(sub) = doc.resolve(v, rev)? {
                    for (_, sv) in &sub.entries {
                        if let Some(n) = ref_id(Some(sv)) {
                            self.widget_ap_streams.insert(n, fid);
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// The object number of the /Fields array of the catalog's AcroForm, when indirect.
fn fields_array(doc: &Document<'_>, cat: &Dict, rev: usize) -> Result<Option<u32>, PdfError> {
    Ok(
        match cat
            .get(b"AcroForm")
            .map(|a| doc.resolve(a, rev))
            .transpose()?
        {
            Some(Object::Dict(af)) => ref_id(af.get(b"Fields")),
            _ => None,
        },
    )
}

/// The AcroForm's /DR dictionary and the resource-category dictionaries in it (/Font, …),
/// when they are indirect objects.
fn dr_objects(doc: &Document<'_>, cat: &Dict, rev: usize) -> Result<HashSet<u32>, PdfError> {
    let mut out = HashSet::new();
    let Some(Object::Dict(af)) = cat
        .get(b"AcroForm")
        .map(|a| doc.resolve(a, rev))
        .transpose()?
    else {
        return Ok(out);
    };
    let Some(dr) = af.get(b"DR") else {
        return Ok(out);
    };
    out.extend(ref_id(Some(dr)));
    if let Object::Dict(d) = doc.resolve(dr, rev)? {
        out.extend(d.entries.iter().filter_map(|(_, v)| ref_id(Some(v))));
    }
    Ok(out)
}

/// True when the AcroForm of catalog `cat` sets /NeedAppearances true.
fn need_appearances(doc: &Document<'_>, cat: &Dict, rev: usize) -> bool {
    match cat.get(b"AcroForm").map(|a| doc.resolve(a, rev)) {
        Some(Ok(Object::Dict(af))) => matches!(
            af.get(b"NeedAppearances").map(|n| doc.resolve(n, rev)),
            Some(Ok(Object::Bool(true)))
        ),
        _ => false,
    }
}

/// True when `new` keeps every entry of `old` (resource dictionaries one level down compared
/// the same way): entries were only added. Unchanged content names only the old entries, so
/// what it draws does not change (ISO 32000-1 §7.8.3: a content stream reaches resources by
/// name).
fn adds_only(doc: &Document<'_>, old: &Dict, new: &Dict, depth: usize) -> bool {
    old.entries.iter().all(|(k, ov)| match (ov, new.get(k)) {
        (_, None) => false,
        (Object::Dict(a), Some(Object::Dict(b))) if depth == 0 => adds_only(doc, a, b, 1),
        (a, Some(b)) => same(doc, a, b),
    })
}

/// The objects of the catalog's /DSS: the dictionary, its entries and the entries of its VRI.
fn dss_objects(doc: &Document<'_>, cat: &Dict, rev: usize) -> Result<HashSet<u32>, PdfError> {
    let mut dss = HashSet::new();
    if let Some(d) = cat.get(b"DSS") {
        if let Some(n) = ref_id(Some(d)) {
            dss.insert(n);
        }
        if let Object::Dict(dd) = doc.resolve(d, rev)? {
            for (k, v) in &dd.entries {
                if let Some(n) = ref_id(Some(v)) {
                    dss.insert(n);
                }
                if k.as_slice() == b"VRI"
                    && let Object::Dict(vri) = doc.resolve(v, rev)?
                {
                    for (_, e) in &vri.entries {
                        if let Some(n) = ref_id(Some(e)) {
                            dss.insert(n);
                        }
                    }
                }
            }
        }
    }
    Ok(dss)
}

/// The indirect /Annots arrays of `pages`, each with its page.
fn annots_arrays(
    doc: &Document<'_>,
    pages: &[u32],
    rev: usize,
) -> Result<HashMap<u32, u32>, PdfError> {
    let mut annots_arrays = HashMap::new();
    for p in pages {
        if let Some(Object::Dict(pd)) = doc.get(*p, rev)?
            && let Some(n) = ref_id(pd.get(b"Annots"))
        {
            annots_arrays.insert(n, *p);
        }
    }
    Ok(annots_arrays)
}

/// The objects of the catalog's /Extensions: the dictionary and its entries.
fn extension_objects(doc: &Document<'_>, cat: &Dict, rev: usize) -> Result<HashSet<u32>, PdfError> {
    let mut extensions = HashSet::new();
    if let Some(e) = cat.get(b"Extensions") {
        if let Some(n) = ref_id(Some(e)) {
            extensions.insert(n);
        }
        if let Object::Dict(ed) = doc.resolve(e, rev)? {
            for (_, v) in &ed.entries {
                if let Some(n) = ref_id(Some(v)) {
                    extensions.insert(n);
                }
            }
        }
    }
    Ok(extensions)
}

/// Analyses the revisions after `signed_rev`. `docmdp` is the DocMDP level of the document's
/// certification signature, if any.
pub fn analyse(
    doc: &Document<'_>,
    signed_rev: usize,
    docmdp: DocMdp,
) -> Result<ModificationReport, PdfError> {
    let mut findings = Vec::new();
    let mut level = Modifications::None;
    let last = doc.last_revision();
    for rev in signed_rev + 1..=last {
        // Each revision is judged once per document, however many signatures precede it.
        let cached = doc.revision_verdicts.borrow().get(&(rev, docmdp)).cloned();
        let (lvl, found) = match cached {
            Some(hit) => hit,
            None => {
                let mut found = Vec::new();
                let lvl = analyse_revision(doc, rev, docmdp, &mut found)?;
                doc.revision_verdicts
                    .borrow_mut()
                    .insert((rev, docmdp), (lvl, found.clone()));
                (lvl, found)
            }
        };
        findings.extend(found);
        level = level.max(lvl);
    }
    if let Some(e) = &doc.unreadable_tail {
        findings.push(format!(
            "part of the file cannot be read, so what changed after signing cannot be judged ({e})"
        ));
        level = Modifications::Disallowed;
    } else if doc.trailing_bytes {
        findings.push("bytes after the last %%EOF that are not a revision".to_string());
        level = Modifications::Disallowed;
    }
    Ok(ModificationReport { level, findings })
}

fn analyse_revision(
    doc: &Document<'_>,
    rev: usize,
    docmdp: DocMdp,
    findings: &mut Vec<String>,
) -> Result<Modifications, PdfError> {
    let before = rev - 1;
    let ctx = Context::build(doc, before)?;
    let after = Context::build(doc, rev)?;
    let start = findings.len();
    let mut scratch = Modifications::Allowed;
    let new_sigs: Vec<u32> = after
        .sig_dicts
        .difference(&ctx.sig_dicts)
        .copied()
        .collect();
    // The /P of a signed field's lock (PDF 2.0) restricts like DocMDP: the strictest applies.
    let docmdp = ctx.locks.iter().filter_map(|l| l.p).chain(docmdp).min();
    let judge = Judge {
        doc,
        before,
        rev,
        // Form filling (field values, their appearances, /NeedAppearances) is allowed after
        // an approval signature and under DocMDP P=2 and P=3 (ISO 32000-2 §12.8.2.2), with
        // or without a new signature; FieldMDP locks are checked field by field.
        fill_ok: docmdp.is_none_or(|p| p >= 2),
        adds_signature: !new_sigs.is_empty(),
        annots_ok: docmdp == Some(3),
        ctx,
        after,
    };
    judge.signatures(docmdp, &new_sigs, findings);
    judge.catalog_and_trailer(findings, &mut scratch)?;
    // Objects drawn on the pages of the signed revision, computed when first needed.
    let mut rendered: Option<HashSet<u32>> = None;
    for (num, entry) in written_with_stream_members(doc, before, rev)? {
        judge.object(num, entry, &mut rendered, findings, &mut scratch)?;
    }
    judge.new_fields(findings)?;
    if findings.len() > start || scratch == Modifications::Disallowed {
        Ok(Modifications::Disallowed)
    } else {
        Ok(Modifications::Allowed)
    }
}

/// Whether a rule of [`Judge::object`] judged an object, so that no later rule applies.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Judged {
    Yes,
    No,
}

/// Revision `rev` judged against revision `before`, what each looks like (`ctx`, `after`) and
/// what DocMDP and a new signature permit.
struct Judge<'r, 'a> {
    doc: &'r Document<'a>,
    before: usize,
    rev: usize,
    ctx: Context,
    after: Context,
    /// Form filling is allowed (DocMDP P ≥ 2 or none).
    fill_ok: bool,
    /// The revision adds a signature, whose signer saw the fields as they are drawn now.
    adds_signature: bool,
    /// Annotations may be added (DocMDP P = 3).
    annots_ok: bool,
}

impl Judge<'_, '_> {
    /// What a new signature's signer saw may be redrawn: /NeedAppearances changed (viewers
    /// redraw every field from /V, /DA and /DR instead of the signed appearances) or a signed
    /// appearance stream rewritten in place. Without a new signature both change what the
    /// earlier signer saw while the form says the same (the shadow "replace" attacks);
    /// filling without a signature writes a new value and a new appearance object.
    fn redraw_ok(&self) -> bool {
        self.fill_ok && self.adds_signature
    }

    fn deny(&self, findings: &mut Vec<String>, why: String) {
        findings.push(format!("revision {}: {why}", self.rev + 1));
    }

    /// Signatures added under DocMDP P=1, and signed fields that lose their value.
    fn signatures(&self, docmdp: DocMdp, new_sigs: &[u32], findings: &mut Vec<String>) {
        let (doc, rev) = (self.doc, self.rev);
        if docmdp == Some(1) {
            // P=1: no changes at all, except DSS/timestamps (PAdES part 4 allows LTV data).
            if !new_sigs.is_empty() && new_sigs.iter().any(|n| !is_doc_timestamp(doc, *n, rev)) {
                self.deny(
                    findings,
                    "a signature was added where DocMDP or a field lock's /P allows no changes"
                        .into(),
                );
            }
        }
        // Signature fields that lose their value, or signatures that disappear.
        for f in &self.ctx.signed_sig_fields {
            if !self.after.signed_sig_fields.contains(f) {
                self.deny(findings, format!("signed field {f} removed or emptied"));
            }
        }
    }

    /// The catalog, even when /Root now names another object, and the trailer's /Encrypt.
    fn catalog_and_trailer(
        &self,
        findings: &mut Vec<String>,
        scratch: &mut Modifications,
    ) -> Result<(), PdfError> {
        let (doc, before, rev) = (self.doc, self.before, self.rev);
        let (_, new_cat) = catalog(doc, rev)?;
        // A catalog written again under a new number (iText, some signing servers) is judged
        // by what it says: check_catalog compares the two catalogs key by key, so one that
        // names other /Pages, adds /OpenAction or /Names is caught there.
        check_catalog(
            doc,
            before,
            rev,
            &self.ctx.catalog,
            &new_cat,
            self.redraw_ok(),
            findings,
            scratch,
        );
        let trailer_old = doc.trailer(before).cloned().unwrap_or_default();
        let trailer_new = doc.trailer(rev).cloned().unwrap_or_default();
        for key in [&b"Encrypt"[..], b"Info"] {
            let (a, b) = (trailer_old.get(key), trailer_new.get(key));
            let same_value = match (a, b) {
                (None, None) => true,
                (Some(x), Some(y)) => same(doc, x, y),
                _ => false,
            };
            if !same_value && key == b"Encrypt" {
                self.deny(findings, "trailer /Encrypt changed".into());
            }
        }
        Ok(())
    }

    /// Judges object `num`, which revision `rev` writes (`entry`), by what it was in `before`.
    fn object(
        &self,
        num: u32,
        entry: Entry,
        rendered: &mut Option<HashSet<u32>>,
        findings: &mut Vec<String>,
        scratch: &mut Modifications,
    ) -> Result<(), PdfError> {
        let (doc, before, rev) = (self.doc, self.before, self.rev);
        let old = doc.get(num, before)?;
        let new = match entry {
            Entry::Free => None,
            _ => doc.get(num, rev)?,
        };
        let (old, new) = match (old, new) {
            (None, _) => return Ok(()), // a new object: judged where something refers to it
            (Some(o), None) => {
                if !is_container(&o) {
                    self.deny(findings, format!("object {num} deleted"));
                }
                return Ok(());
            }
            (Some(o), Some(n)) => (o, n),
        };
        if is_container(&old) || same(doc, &old, &new) {
            return Ok(());
        }
        let (od, nd) = (old.as_dict(), new.as_dict());
        if Some(num) == self.ctx.root {
            if self.ctx.root != self.after.root {
                // The former catalog rewritten while /Root names another: nothing reads it
                // as the catalog any more, but the rewrite has no reason; fail closed.
                self.deny(
                    findings,
                    format!("former catalog {num} changed after /Root moved"),
                );
            }
            return Ok(()); // judged through check_catalog
        }
        if self.whitelisted(num, &old, od, rendered, findings)? == Judged::Yes
            || self.form_objects(num, &old, &new, od, nd, findings, scratch)? == Judged::Yes
            || self.fields(num, od, nd, findings)? == Judged::Yes
            || self.page_objects(num, &old, &new, od, nd, findings, scratch)? == Judged::Yes
        {
            return Ok(());
        }
        self.deny(
            findings,
            format!("object {num} ({}) changed", describe(&old)),
        );
        Ok(())
    }

    /// Metadata, DSS, structure and extension objects may change, but not when the signed
    /// revision also draws them on a page (a content stream named as XMP metadata, /Info or a
    /// DSS entry would otherwise be a shadow attack the whitelist waves through).
    fn whitelisted(
        &self,
        num: u32,
        old: &Object,
        od: Option<&Dict>,
        rendered: &mut Option<HashSet<u32>>,
        findings: &mut Vec<String>,
    ) -> Result<Judged, PdfError> {
        let ctx = &self.ctx;
        let is_struct = || {
            Some(num) == ctx.struct_root
                || od.is_some_and(|d| {
                    matches!(d.type_name(), Some(b"StructElem" | b"StructTreeRoot"))
                })
        };
        let whitelisted = Some(num) == ctx.info
            || Some(num) == ctx.metadata
            || ctx.dss.contains(&num)
            || ctx.extensions.contains(&num)
            || is_struct();
        if whitelisted
            && rendered
                .get_or_insert_with(|| rendered_objects(self.doc, self.before))
                .contains(&num)
        {
            self.deny(
                findings,
                format!("object {num} ({}), drawn on a page, changed", describe(old)),
            );
            return Ok(Judged::Yes);
        }
        if Some(num) == ctx.info || Some(num) == ctx.metadata || ctx.dss.contains(&num) {
            return Ok(Judged::Yes);
        }
        if ctx.extensions.contains(&num) {
            self.extension(num, findings)?;
            return Ok(Judged::Yes);
        }
        Ok(if is_struct() { Judged::Yes } else { Judged::No })
    }

    /// Developer extensions may be updated, unless the object is also used elsewhere.
    fn extension(&self, num: u32, findings: &mut Vec<String>) -> Result<(), PdfError> {
        let ctx = &self.ctx;
        let owners: HashSet<u32> = ctx
            .root
            .into_iter()
            .chain(ctx.extensions.iter().copied())
            .collect();
        let in_catalog = ctx
            .catalog
            .entries
            .iter()
            .any(|(k, v)| k.as_slice() != b"Extensions" && mentions(v, num, 0));
        if in_catalog || shared(self.doc, self.before, num, &owners)? {
            self.deny(
                findings,
                format!("extensions object {num}, shared with other objects, changed"),
            );
        }
        Ok(())
    }

    /// The AcroForm dictionary, its /Fields array, earlier signature dictionaries and signed
    /// signature fields.
    #[allow(clippy::too_many_arguments)]
    fn form_objects(
        &self,
        num: u32,
        old: &Object,
        new: &Object,
        od: Option<&Dict>,
        nd: Option<&Dict>,
        findings: &mut Vec<String>,
        scratch: &mut Modifications,
    ) -> Result<Judged, PdfError> {
        let (doc, before, rev, ctx) = (self.doc, self.before, self.rev, &self.ctx);
        if Some(num) == ctx.acroform {
            if let (Some(a), Some(b)) = (od, nd) {
                check_acroform(
                    doc,
                    before,
                    rev,
                    a,
                    b,
                    self.redraw_ok(),
                    findings,
                    scratch,
                    rev,
                );
            } else {
                self.deny(findings, "AcroForm replaced by a non-dictionary".into());
            }
            return Ok(Judged::Yes);
        }
        if ctx.dr_objects.contains(&num) {
            // /DR is read only to draw a field from its value (ISO 32000-1 §12.7.3.3): it
            // changes what is shown only where viewers are told to redraw the fields.
            if self.after.need_appearances
                && !(od.zip(nd).is_some_and(|(a, b)| adds_only(doc, a, b, 0)))
            {
                self.deny(
                    findings,
                    format!("AcroForm resources {num} changed other than by additions"),
                );
            }
            return Ok(Judged::Yes);
        }
        if Some(num) == ctx.fields_array {
            if !is_superset(
                &refs_of(doc, Some(old), before)?,
                &refs_of(doc, Some(new), rev)?,
            ) {
                self.deny(findings, "form fields removed from /Fields".into());
            }
            return Ok(Judged::Yes);
        }
        if ctx.sig_dicts.contains(&num) {
            self.deny(
                findings,
                format!("signature dictionary {num} of an earlier signature changed"),
            );
            return Ok(Judged::Yes);
        }
        if ctx.signed_sig_fields.contains(&num) {
            self.deny(findings, format!("signed signature field {num} changed"));
            return Ok(Judged::Yes);
        }
        Ok(Judged::No)
    }

    /// Empty signature fields and form fields (and their widgets): a shared appearance they
    /// stop using, then the keys they change.
    fn fields(
        &self,
        num: u32,
        od: Option<&Dict>,
        nd: Option<&Dict>,
        findings: &mut Vec<String>,
    ) -> Result<Judged, PdfError> {
        let ctx = &self.ctx;
        if (ctx.empty_sig_fields.contains(&num) || ctx.form_fields.contains(&num))
            && let (Some(a), Some(b)) = (od, nd)
            && let Some((ap, _)) = a.get(b"AP").and_then(Object::as_ref_id)
        {
            let replaced = b.get(b"AP").and_then(Object::as_ref_id).map(|(n, _)| n) != Some(ap);
            if replaced && referenced_elsewhere(self.doc, self.before, ap, num)? {
                self.deny(
                    findings,
                    format!("field {num}: appearance {ap}, shared with other objects, replaced"),
                );
            }
        }
        if ctx.empty_sig_fields.contains(&num) {
            if let (Some(a), Some(b)) = (od, nd) {
                self.empty_sig_field(num, a, b, findings);
            }
            return Ok(Judged::Yes);
        }
        if ctx.form_fields.contains(&num) {
            if let (Some(a), Some(b)) = (od, nd) {
                self.form_field(num, a, b, findings)?;
            }
            return Ok(Judged::Yes);
        }
        Ok(Judged::No)
    }

    /// An empty signature field (`a` before, `b` after) may change only in the keys signing
    /// sets, and only by being signed.
    fn empty_sig_field(&self, num: u32, a: &Dict, b: &Dict, findings: &mut Vec<String>) {
        let keys = changed_keys(self.doc, a, b);
        let bad: Vec<String> = keys
            .iter()
            .filter(|k| !SIG_FIELD_KEYS.contains(&k.as_slice()))
            .map(|k| name(k))
            .collect();
        if !bad.is_empty() {
            self.deny(
                findings,
                format!("signature field {num}: {} changed", bad.join(", ")),
            );
        } else if !keys.is_empty() && !signed_in(&self.after, num, b) {
            // Filling an empty signature field means signing it: a new appearance or
            // visibility without a signature is an overlay.
            self.deny(
                findings,
                format!("empty signature field {num} changed without being signed"),
            );
        }
    }

    /// A form field (`a` before, `b` after) may change only in the keys form filling sets,
    /// and only where form filling is allowed.
    fn form_field(
        &self,
        num: u32,
        a: &Dict,
        b: &Dict,
        findings: &mut Vec<String>,
    ) -> Result<(), PdfError> {
        let fill_ok = self.fill_ok;
        let bad: Vec<String> = changed_keys(self.doc, a, b)
            .iter()
            .filter(|k| !FORM_FILL_KEYS.contains(&k.as_slice()))
            .map(|k| name(k))
            .collect();
        if fill_ok && bad.is_empty() {
            self.lock_check(num, findings);
            if changed_keys(self.doc, a, b)
                .iter()
                .any(|k| k.as_slice() == b"AP")
            {
                self.appearance_follows_value(num, findings)?;
            }
            return Ok(());
        }
        let why = if fill_ok {
            format!(": {}", bad.join(", "))
        } else {
            " where DocMDP permits no form filling".to_string()
        };
        self.deny(findings, format!("form field {num} changed{why}"));
        Ok(())
    }

    /// Filling a field redraws it from its new value. A new appearance over an unchanged
    /// value, in a revision no one signs, changes what the signer saw and not what the form
    /// says: the shadow "replace" attack (a value hidden under another appearance when
    /// signed, revealed later), so it is disallowed.
    fn appearance_follows_value(
        &self,
        num: u32,
        findings: &mut Vec<String>,
    ) -> Result<(), PdfError> {
        if self.adds_signature {
            return Ok(());
        }
        let (doc, before, rev) = (self.doc, self.before, self.rev);
        let field = self.ctx.widget_field.get(&num).copied().unwrap_or(num);
        let value = |r: usize| -> Result<Option<Object>, PdfError> {
            let Some(Object::Dict(fd)) = doc.get(field, r)? else {
                return Ok(None);
            };
            fd.get(b"V").map(|v| doc.resolve(v, r)).transpose()
        };
        let changed = match (value(before)?, value(rev)?) {
            (None, None) => false,
            (Some(a), Some(b)) => !same(doc, &a, &b),
            _ => true,
        };
        if !changed {
            self.deny(
                findings,
                format!("field {field}: appearance changed but not its value"),
            );
        }
        Ok(())
    }

    /// The fully qualified name of field or widget `num` of the signed revision.
    fn field_name(&self, num: u32) -> Option<&str> {
        let ctx = &self.ctx;
        ctx.field_names
            .get(&num)
            .or_else(|| {
                ctx.widget_field
                    .get(&num)
                    .and_then(|f| ctx.field_names.get(f))
            })
            .map(String::as_str)
    }

    /// Denies a change of field (or widget) `num` that a signature's FieldMDP lock covers.
    fn lock_check(&self, num: u32, findings: &mut Vec<String>) {
        if let Some(name) = self.field_name(num)
            && self.ctx.locks.iter().any(|l| l.locks(name))
        {
            self.deny(
                findings,
                format!("field {num} '{name}', locked by a signature (FieldMDP), changed"),
            );
        }
    }

    /// Widget appearance streams, pages, their /Annots arrays and page tree nodes.
    #[allow(clippy::too_many_arguments)]
    fn page_objects(
        &self,
        num: u32,
        old: &Object,
        new: &Object,
        od: Option<&Dict>,
        nd: Option<&Dict>,
        findings: &mut Vec<String>,
        scratch: &mut Modifications,
    ) -> Result<Judged, PdfError> {
        let (doc, before, rev, ctx) = (self.doc, self.before, self.rev, &self.ctx);
        if let Some(field) = ctx.widget_ap_streams.get(&num) {
            let field_ok = (ctx.empty_sig_fields.contains(field)
                && self.after.signed_sig_fields.contains(field))
                || (ctx.form_fields.contains(field) && self.redraw_ok());
            if !field_ok || referenced_elsewhere(doc, before, num, *field)? {
                self.deny(findings, format!("appearance stream {num} overwritten"));
            } else if ctx.form_fields.contains(field) {
                self.lock_check(*field, findings);
                self.appearance_follows_value(*field, findings)?;
            }
            return Ok(Judged::Yes);
        }
        if ctx.pages.contains(&num) {
            if let (Some(a), Some(b)) = (od, nd) {
                self.page(num, a, b, findings, scratch)?;
            }
            return Ok(Judged::Yes);
        }
        if ctx.annots_arrays.contains_key(&num) {
            check_annots(
                doc,
                before,
                rev,
                Some(old),
                Some(new),
                self.annots_ok,
                &self.after,
                findings,
                scratch,
                rev,
            )?;
            return Ok(Judged::Yes);
        }
        if ctx.page_nodes.contains(&num) {
            let keys = od
                .zip(nd)
                .map(|(a, b)| changed_keys(doc, a, b))
                .unwrap_or_else(|| vec![b"Type".to_vec()]);
            let read: Vec<String> = keys
                .iter()
                .filter(|k| PAGE_TREE_KEYS.contains(&k.as_slice()))
                .map(|k| name(k))
                .collect();
            if !read.is_empty() {
                self.deny(
                    findings,
                    format!("page tree node {num}: {} changed", read.join(", ")),
                );
            }
            return Ok(Judged::Yes);
        }
        Ok(Judged::No)
    }

    /// A page (`a` before, `b` after) may change only in the keys adding a widget sets, and
    /// its annotations as [`check_annots`] allows.
    fn page(
        &self,
        num: u32,
        a: &Dict,
        b: &Dict,
        findings: &mut Vec<String>,
        scratch: &mut Modifications,
    ) -> Result<(), PdfError> {
        let keys = changed_keys(self.doc, a, b);
        let bad: Vec<String> = keys
            .iter()
            .filter(|k| !PAGE_KEYS.contains(&k.as_slice()))
            .map(|k| name(k))
            .collect();
        if !bad.is_empty() {
            self.deny(findings, format!("page {num}: {} changed", bad.join(", ")));
        } else if keys.iter().any(|k| k.as_slice() == b"Annots") {
            check_annots(
                self.doc,
                self.before,
                self.rev,
                a.get(b"Annots"),
                b.get(b"Annots"),
                self.annots_ok,
                &self.after,
                findings,
                scratch,
                self.rev,
            )?;
        }
        Ok(())
    }

    /// New fields added to /Fields must be signature fields (or filled fields with a
    /// signature).
    fn new_fields(&self, findings: &mut Vec<String>) -> Result<(), PdfError> {
        let ctx = &self.ctx;
        for f in fields::walk_fields(self.doc, self.rev)? {
            let Some(id) = f.id else { continue };
            let known = ctx.signed_sig_fields.contains(&id)
                || ctx.empty_sig_fields.contains(&id)
                || ctx.form_fields.contains(&id);
            if !known && !f.is_sig {
                self.deny(
                    findings,
                    format!("new non-signature field {id} '{}' added", f.name),
                );
            } else if !known
                && self.ctx.locks.iter().any(|l| l.locks(&f.name))
                && self.visible_field(id)?
            {
                // A new invisible signature field changes nothing shown (LTV updates and
                // later signers add them under /All locks); a visible one is a form change
                // the lock forbids (pyHanko's rule as well).
                self.deny(
                    findings,
                    format!(
                        "new visible signature field {id} '{}' added against a field lock",
                        f.name
                    ),
                );
            }
        }
        Ok(())
    }
}

impl Judge<'_, '_> {
    /// True when field `id` of revision `rev`, or one of its widget kids, has a visible area.
    fn visible_field(&self, id: u32) -> Result<bool, PdfError> {
        let (doc, rev) = (self.doc, self.rev);
        let Some(Object::Dict(fd)) = doc.get(id, rev)? else {
            return Ok(false);
        };
        if visible_rect(doc, &fd, rev).is_some() {
            return Ok(true);
        }
        for k in refs_of(doc, fd.get(b"Kids"), rev)?.into_iter().take(64) {
            if let Some(Object::Dict(kd)) = doc.get(k, rev)?
                && visible_rect(doc, &kd, rev).is_some()
            {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

/// True when signature widget or field `num` (`d`, as revision `after` has it) belongs to a
/// field that has a signature in `after`.
fn signed_in(after: &Context, num: u32, d: &Dict) -> bool {
    after.signed_sig_fields.contains(&num)
        || after
            .widget_field
            .get(&num)
            .is_some_and(|f| after.signed_sig_fields.contains(f))
        || d.get(b"Parent")
            .and_then(Object::as_ref_id)
            .is_some_and(|(p, _)| after.signed_sig_fields.contains(&p))
}

/// The objects revision `rev` writes, plus the objects stored in an object stream it rewrites:
/// their entries still name the stream, so they change with it though no entry of `rev` lists
/// them (hide-and-replace through object streams).
fn written_with_stream_members(
    doc: &Document<'_>,
    before: usize,
    rev: usize,
) -> Result<Vec<(u32, Entry)>, PdfError> {
    let mut written = doc.written_in(rev);
    let listed: HashSet<u32> = written.iter().map(|(n, _)| *n).collect();
    // The objects of `before` that live in a stream `rev` writes again, by their container.
    let end = doc.revisions.get(before).map_or(0, |r| r.end);
    let mut candidates: Vec<(u32, u32)> = Vec::new();
    for s in doc.sections.iter().filter(|s| s.end <= end) {
        for num in s.entries.keys() {
            if !listed.contains(num)
                && let Some(Entry::InStream { stream, .. }) = doc.entry(*num, before)
                && listed.contains(&stream)
            {
                candidates.push((*num, stream));
            }
        }
    }
    if candidates.is_empty() {
        return Ok(written);
    }
    // Only a container that `before` has as an object stream counts. The other written objects
    // are not parsed here: the caller reads each of them anyway.
    let mut streams: HashSet<u32> = HashSet::new();
    let containers: HashSet<u32> = candidates.iter().map(|(_, s)| *s).collect();
    for num in containers {
        if let Some(Object::Stream(s)) = doc.get(num, before)?
            && s.dict.type_name() == Some(b"ObjStm")
        {
            streams.insert(num);
        }
    }
    let mut members: Vec<u32> = candidates
        .into_iter()
        .filter(|(_, s)| streams.contains(s))
        .map(|(n, _)| n)
        .collect();
    members.sort_unstable();
    members.dedup();
    for num in members {
        if let Some(e) = doc.entry(num, rev) {
            written.push((num, e));
        }
    }
    Ok(written)
}

/// Objects reachable from the page tree of revision `rev`: pages, content streams, resources,
/// annotations and their appearances. Back pointers (/Parent, /P), field values (/V, which
/// lead to signature dictionaries and through them to the catalog), /Data and /Metadata are
/// not followed. Unreadable objects are skipped.
fn rendered_objects(doc: &Document<'_>, rev: usize) -> HashSet<u32> {
    const NOT_FOLLOWED: &[&[u8]] = &[b"Parent", b"P", b"V", b"Data", b"Metadata"];
    fn refs(o: &Object, out: &mut Vec<u32>, depth: usize) {
        if depth > super::object::MAX_NESTING {
            return;
        }
        let dict = match o {
            Object::Ref(n, _) => return out.push(*n),
            Object::Array(a) => return a.iter().for_each(|x| refs(x, out, depth + 1)),
            Object::Dict(d) => d,
            Object::Stream(s) => &s.dict,
            _ => return,
        };
        dict.entries
            .iter()
            .filter(|(k, _)| !NOT_FOLLOWED.contains(&k.as_slice()))
            .for_each(|(_, v)| refs(v, out, depth + 1));
    }
    let mut seen = HashSet::new();
    let mut stack: Vec<u32> = Vec::new();
    if let Ok((_, cat)) = catalog(doc, rev)
        && let Some(p) = cat.get(b"Pages")
    {
        refs(p, &mut stack, 0);
    }
    while let Some(n) = stack.pop() {
        if !seen.insert(n) {
            continue;
        }
        if let Ok(Some(o)) = doc.get(n, rev) {
            refs(&o, &mut stack, 0);
        }
    }
    seen
}

fn is_doc_timestamp(doc: &Document<'_>, n: u32, rev: usize) -> bool {
    matches!(doc.get(n, rev), Ok(Some(Object::Dict(d))) if d.type_name() == Some(b"DocTimeStamp") || d.name(b"SubFilter") == Some(b"ETSI.RFC3161"))
}

fn is_container(o: &Object) -> bool {
    matches!(o, Object::Stream(s) if matches!(s.dict.type_name(), Some(b"XRef" | b"ObjStm")))
}

fn describe(o: &Object) -> String {
    match o.as_dict().and_then(Dict::type_name) {
        Some(t) => format!("/{}", name(t)),
        None => o.kind().to_string(),
    }
}

fn is_superset(old: &[u32], new: &[u32]) -> bool {
    let set: HashSet<_> = new.iter().collect();
    old.iter().all(|o| set.contains(o))
}

#[allow(clippy::too_many_arguments)]
fn check_catalog(
    doc: &Document<'_>,
    before: usize,
    rev: usize,
    old: &Dict,
    new: &Dict,
    redraw_ok: bool,
    findings: &mut Vec<String>,
    level: &mut Modifications,
) {
    for k in changed_keys(doc, old, new) {
        if !CATALOG_KEYS.contains(&k.as_slice()) {
            findings.push(format!(
                "revision {}: catalog /{} changed",
                rev + 1,
                name(&k)
            ));
            *level = Modifications::Disallowed;
        } else if k.as_slice() == b"AcroForm" {
            let a = old.get(b"AcroForm").map(|o| doc.resolve(o, before));
            let b = new.get(b"AcroForm").map(|o| doc.resolve(o, rev));
            match (a, b) {
                (Some(Ok(Object::Dict(a))), Some(Ok(Object::Dict(b)))) => {
                    check_acroform(doc, before, rev, &a, &b, redraw_ok, findings, level, rev)
                }
                (None, Some(Ok(Object::Dict(_)))) => {}
                _ => {
                    findings.push(format!(
                        "revision {}: AcroForm removed or unreadable",
                        rev + 1
                    ));
                    *level = Modifications::Disallowed;
                }
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn check_acroform(
    doc: &Document<'_>,
    before: usize,
    rev: usize,
    old: &Dict,
    new: &Dict,
    redraw_ok: bool,
    findings: &mut Vec<String>,
    level: &mut Modifications,
    shown: usize,
) {
    for k in changed_keys(doc, old, new) {
        // NeedAppearances makes viewers redraw every field from its value: a change of what
        // the pages show, allowed only in a revision that signs what it shows
        // (`Judge::redraw_ok`).
        if !ACROFORM_KEYS.contains(&k.as_slice())
            || (k.as_slice() == b"NeedAppearances" && !redraw_ok)
            || (k.as_slice() == b"DR"
                && matches!(new.get(b"NeedAppearances"), Some(Object::Bool(true)))
                && !dr_added_to(doc, before, rev, old, new))
        {
            findings.push(format!(
                "revision {}: AcroForm /{} changed",
                shown + 1,
                name(&k)
            ));
            *level = Modifications::Disallowed;
        }
    }
    let old_f = refs_of(doc, old.get(b"Fields"), before).unwrap_or_default();
    let new_f = refs_of(doc, new.get(b"Fields"), rev).unwrap_or_default();
    if !is_superset(&old_f, &new_f) {
        findings.push(format!("revision {}: form fields removed", shown + 1));
        *level = Modifications::Disallowed;
    }
}

/// True when the AcroForm /DR of `new` (revision `rev`) keeps every resource of `old`'s
/// (revision `before`), or `old` had none: resources were only added.
fn dr_added_to(doc: &Document<'_>, before: usize, rev: usize, old: &Dict, new: &Dict) -> bool {
    if !old.has(b"DR") {
        return true;
    }
    let resolved = |d: &Dict, r: usize| match d.get(b"DR").map(|x| doc.resolve(x, r)) {
        Some(Ok(Object::Dict(d))) => Some(d),
        _ => None,
    };
    match (resolved(old, before), resolved(new, rev)) {
        (Some(a), Some(b)) => adds_only_resolved(doc, before, rev, &a, &b),
        _ => false,
    }
}

/// [`adds_only`] for two /DR dictionaries whose category entries may be indirect.
fn adds_only_resolved(doc: &Document<'_>, before: usize, rev: usize, a: &Dict, b: &Dict) -> bool {
    a.entries.iter().all(|(k, av)| {
        let Some(bv) = b.get(k) else { return false };
        match (doc.resolve(av, before), doc.resolve(bv, rev)) {
            (Ok(Object::Dict(x)), Ok(Object::Dict(y))) => adds_only(doc, &x, &y, 1),
            (Ok(x), Ok(y)) => same(doc, &x, &y),
            _ => false,
        }
    })
}

#[allow(clippy::too_many_arguments)]
fn check_annots(
    doc: &Document<'_>,
    before: usize,
    rev: usize,
    old: Option<&Object>,
    new: Option<&Object>,
    annots_ok: bool,
    after: &Context,
    findings: &mut Vec<String>,
    level: &mut Modifications,
    shown: usize,
) -> Result<(), PdfError> {
    let sig_widgets = &after.sig_widgets;
    let old_a = refs_of(doc, old, before)?;
    let new_a = refs_of(doc, new, rev)?;
    if !is_superset(&old_a, &new_a) {
        findings.push(format!(
            "revision {}: annotations removed from a page",
            shown + 1
        ));
        *level = Modifications::Disallowed;
    }
    let old_set: HashSet<u32> = old_a.into_iter().collect();
    for a in new_a.iter().filter(|a| !old_set.contains(a)) {
        let annot = doc.get(*a, rev)?;
        let d = annot.as_ref().and_then(Object::as_dict);
        let is_sig_widget = d.is_some_and(|d| {
            d.name(b"Subtype") == Some(b"Widget")
                && (d.name(b"FT") == Some(b"Sig")
                    || sig_widgets.contains(a)
                    || d.get(b"Parent").and_then(|p| p.as_ref_id()).is_some_and(|(p, _)| {
                        matches!(doc.get(p, rev), Ok(Some(Object::Dict(pd))) if pd.name(b"FT") == Some(b"Sig"))
                    }))
        });
        // A new signature widget that stays unsigned draws whatever its appearance says: when
        // visible it is an annotation like any other (an empty field to sign later is added
        // invisible, or signed in the revision that adds it).
        let unsigned_overlay = is_sig_widget
            && d.is_some_and(|d| visible_rect(doc, d, rev).is_some() && !signed_in(after, *a, d));
        if (!is_sig_widget || unsigned_overlay) && !annots_ok {
            findings.push(format!(
                "revision {}: annotation {a} added to a page",
                shown + 1
            ));
            *level = Modifications::Disallowed;
            continue;
        }
        // A visible new widget drawn over an existing annotation can hide or fake what was
        // signed (the EU DSS flags overlapping annotations for this reason).
        if let Some(r) = d.and_then(|d| visible_rect(doc, d, rev)) {
            for o in &old_set {
                // Signature widgets may overlap each other: Decree 30/2020 places the agency's
                // seal over the left third of the competent person's signature.
                if sig_widgets.contains(o) {
                    continue;
                }
                let od = doc.get(*o, before)?;
                if let Some(orect) = od
                    .as_ref()
                    .and_then(Object::as_dict)
                    .and_then(|d| visible_rect(doc, d, before))
                    && overlap(r, orect)
                {
                    findings.push(format!(
                        "revision {}: new annotation {a} overlaps annotation {o}",
                        shown + 1
                    ));
                    *level = Modifications::Disallowed;
                }
            }
        }
    }
    Ok(())
}

/// The /Rect of a visible annotation (not Hidden or NoView, ISO 32000-1 Table 165), when it has
/// an area.
fn visible_rect(doc: &Document<'_>, d: &Dict, rev: usize) -> Option<[f64; 4]> {
    let flags = d.int(b"F").unwrap_or(0);
    if flags & (2 | 32) != 0 {
        return None;
    }
    let rect = doc.resolve(d.get(b"Rect")?, rev).ok()?;
    let nums: Vec<f64> = rect
        .as_array()?
        .iter()
        .map(|v| match v {
            Object::Int(i) => i32::try_from(*i).ok().map(f64::from),
            Object::Real(r) => Some(*r),
            _ => None,
        })
        .collect::<Option<Vec<f64>>>()?;
    let [x1, y1, x2, y2] = nums.as_slice() else {
        return None;
    };
    let r = [x1.min(*x2), y1.min(*y2), x1.max(*x2), y1.max(*y2)];
    (r[2] - r[0] > 0.0 && r[3] - r[1] > 0.0).then_some(r)
}

fn overlap(a: [f64; 4], b: [f64; 4]) -> bool {
    a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]
}

/// True when object `target` is referred to by the trailer or by an object of `rev` outside
/// `owners`. Catches appearance objects shared with page content, other annotations or the
/// catalog (the "sneaky" appearance attacks): changing them changes more than the field.
fn shared(
    doc: &Document<'_>,
    rev: usize,
    target: u32,
    owners: &HashSet<u32>,
) -> Result<bool, PdfError> {
    if doc
        .trailer(rev)
        .is_some_and(|t| t.entries.iter().any(|(_, v)| mentions(v, target, 0)))
    {
        return Ok(true);
    }
    let mut nums: HashSet<u32> = HashSet::new();
    for s in doc
        .sections
        .iter()
        .filter(|s| doc.revisions.get(rev).is_some_and(|r| s.end <= r.end))
    {
        nums.extend(s.entries.keys().copied());
    }
    for n in nums {
        if owners.contains(&n) || n == target {
            continue;
        }
        let Ok(Some(o)) = doc.get(n, rev) else {
            continue;
        };
        if mentions(&o, target, 0) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// True when the appearance object `target` of field `owner` (or the indirect /AP dictionary
/// holding it) is shared with anything outside the field and its widgets.
fn referenced_elsewhere(
    doc: &Document<'_>,
    rev: usize,
    target: u32,
    owner: u32,
) -> Result<bool, PdfError> {
    let mut owners: HashSet<u32> = HashSet::from([owner]);
    let mut ap_dicts = Vec::new();
    if let Some(Object::Dict(fd)) = doc.get(owner, rev)? {
        let mut widgets = vec![fd.clone()];
        for k in refs_of(doc, fd.get(b"Kids"), rev)? {
            owners.insert(k);
            if let Some(Object::Dict(kd)) = doc.get(k, rev)? {
                widgets.push(kd);
            }
        }
        for w in widgets {
            if let Some((n, _)) = w.get(b"AP").and_then(Object::as_ref_id) {
                ap_dicts.push(n);
            }
        }
    }
    let with_ap: HashSet<u32> = owners
        .iter()
        .copied()
        .chain(ap_dicts.iter().copied())
        .collect();
    if shared(doc, rev, target, &with_ap)? {
        return Ok(true);
    }
    for ap in ap_dicts {
        if ap != target && shared(doc, rev, ap, &owners)? {
            return Ok(true);
        }
    }
    Ok(false)
}

fn mentions(o: &Object, target: u32, depth: usize) -> bool {
    if depth > super::object::MAX_NESTING {
        return false;
    }
    match o {
        Object::Ref(n, _) => *n == target,
        Object::Array(a) => a.iter().any(|x| mentions(x, target, depth + 1)),
        Object::Dict(d) => d
            .entries
            .iter()
            .any(|(_, v)| mentions(v, target, depth + 1)),
        Object::Stream(s) => s
            .dict
            .entries
            .iter()
            .any(|(_, v)| mentions(v, target, depth + 1)),
        _ => false,
    }
}
