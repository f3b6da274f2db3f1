//! Signature fields and the document structure the modification analysis needs
//! (ISO 32000-1 §12.7 interactive forms, §12.8 digital signatures).

use std::collections::HashSet;
use std::rc::Rc;

use super::document::Document;
use super::object::{Dict, Object};
use crate::malformed::PdfError;

/// Deepest field or page tree walked; real forms nest a few levels.
const MAX_TREE_DEPTH: usize = 32;
/// Most nodes visited in one tree walk.
const MAX_TREE_NODES: usize = 200_000;

/// A signature field with a value.
#[derive(Clone, Debug)]
pub struct SigField {
    /// Fully qualified field name (ISO 32000-1 §12.7.3.2).
    pub name: String,
    /// Object number of the field dictionary, when indirect.
    pub field_id: Option<u32>,
    /// Object number of the signature dictionary, when indirect.
    pub sig_id: Option<u32>,
    /// The signature dictionary as seen in the revision that was walked.
    pub sig: Dict,
    /// The revision that was walked.
    pub revision: usize,
}

/// A form field found while walking /Fields.
#[derive(Clone, Debug)]
pub struct FieldNode {
    pub id: Option<u32>,
    pub name: String,
    pub is_sig: bool,
    pub has_value: bool,
    /// Object number of the value when it is indirect (the signature dictionary for /Sig).
    pub value_id: Option<u32>,
}

fn text(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xfe, 0xff]) {
        let units: Vec<u16> = rest
            .chunks(2)
            .map(|c| {
                u16::from_be_bytes([
                    c.first().copied().unwrap_or(0),
                    c.get(1).copied().unwrap_or(0),
                ])
            })
            .collect();
        return String::from_utf16_lossy(&units);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xef, 0xbb, 0xbf]) {
        return String::from_utf8_lossy(rest).into_owned();
    }
    // PDFDocEncoding agrees with Latin-1 on the printable range.
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// Decodes a PDF text string (UTF-16BE with BOM, UTF-8 with BOM, or PDFDocEncoding).
pub fn text_string(o: Option<&Object>) -> Option<String> {
    match o {
        Some(Object::String(s)) => Some(text(&s.bytes)),
        _ => None,
    }
}

/// The catalog of revision `rev`, with its object number. It is read once per document and
/// revision: the field walk, the change analysis and the DSS lookup all start from it.
pub fn catalog(doc: &Document<'_>, rev: usize) -> Result<(Option<u32>, Rc<Dict>), PdfError> {
    if let Some(c) = doc.catalogs.borrow().get(&rev) {
        return Ok((c.0, Rc::clone(&c.1)));
    }
    let trailer = doc.trailer(rev).ok_or(PdfError::NoStartXref)?;
    let root = trailer.get(b"Root").ok_or(PdfError::Xref {
        offset: 0,
        what: "trailer has no /Root",
    })?;
    let id = root.as_ref_id().map(|(n, _)| n);
    match doc.resolve(root, rev)? {
        Object::Dict(d) => {
            let d = Rc::new(d);
            doc.catalogs.borrow_mut().insert(rev, (id, Rc::clone(&d)));
            Ok((id, d))
        }
        _ => Err(PdfError::Object {
            num: id.unwrap_or(0),
            generation: 0,
            what: "/Root is not a dictionary",
        }),
    }
}

/// The form fields of revision `rev`, each signature field with its /V as written.
fn walk(doc: &Document<'_>, rev: usize) -> Result<Vec<(FieldNode, Option<Object>)>, PdfError> {
    let (_, cat) = catalog(doc, rev)?;
    let Some(af) = cat.get(b"AcroForm") else {
        return Ok(Vec::new());
    };
    let Object::Dict(af) = doc.resolve(af, rev)? else {
        return Ok(Vec::new());
    };
    let Some(fields) = af.get(b"Fields") else {
        return Ok(Vec::new());
    };
    let Object::Array(fields) = doc.resolve(fields, rev)? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut budget = MAX_TREE_NODES;
    for f in &fields {
        walk_field(doc, rev, f, "", None, 0, &mut seen, &mut budget, &mut out)?;
    }
    Ok(out)
}

/// All form fields of revision `rev`, with the ids of the AcroForm and /Fields array.
pub fn walk_fields(doc: &Document<'_>, rev: usize) -> Result<Vec<FieldNode>, PdfError> {
    Ok(walk(doc, rev)?.into_iter().map(|(f, _)| f).collect())
}

#[allow(clippy::too_many_arguments)]
fn walk_field(
    doc: &Document<'_>,
    rev: usize,
    node: &Object,
    parent_name: &str,
    inherited_ft: Option<&[u8]>,
    depth: usize,
    seen: &mut HashSet<u32>,
    budget: &mut usize,
    out: &mut Vec<(FieldNode, Option<Object>)>,
) -> Result<(), PdfError> {
    if depth > MAX_TREE_DEPTH {
        return Err(PdfError::TooDeep {
            limit: MAX_TREE_DEPTH,
        });
    }
    *budget = budget.checked_sub(1).ok_or(PdfError::TooManyObjects {
        limit: MAX_TREE_NODES,
    })?;
    let id = node.as_ref_id().map(|(n, _)| n);
    if let Some(n) = id
        && !seen.insert(n)
    {
        // A field reached twice (a loop, or a shared kid): visit once.
        return Ok(());
    }
    let Object::Dict(d) = doc.resolve(node, rev)? else {
        return Ok(());
    };
    let partial = text_string(d.get(b"T"));
    let name = match (&partial, parent_name.is_empty()) {
        (Some(p), true) => p.clone(),
        (Some(p), false) => format!("{parent_name}.{p}"),
        (None, _) => parent_name.to_string(),
    };
    let ft = d.name(b"FT").or(inherited_ft);
    if let Some(Object::Array(kids)) = d.get(b"Kids").map(|k| doc.resolve(k, rev)).transpose()? {
        // Kids that are fields (have /T) are walked; pure widgets are not fields.
        let mut has_field_kids = false;
        for k in &kids {
            if let Object::Dict(kd) = doc.resolve(k, rev)?
                && kd.has(b"T")
            {
                has_field_kids = true;
                walk_field(doc, rev, k, &name, ft, depth + 1, seen, budget, out)?;
            }
        }
        if has_field_kids {
            return Ok(());
        }
    }
    let value = d.get(b"V");
    let is_sig = ft == Some(b"Sig");
    out.push((
        FieldNode {
            id,
            name,
            is_sig,
            has_value: value.is_some_and(|v| !matches!(v, Object::Null)),
            value_id: value.and_then(|v| v.as_ref_id()).map(|(n, _)| n),
        },
        value.filter(|_| is_sig).cloned(),
    ));
    Ok(())
}

/// The signature fields with a value in revision `rev`, in field order.
pub fn signature_fields(doc: &Document<'_>, rev: usize) -> Result<Vec<SigField>, PdfError> {
    let mut out = Vec::new();
    for (f, v) in walk(doc, rev)? {
        if !f.is_sig || !f.has_value {
            continue;
        }
        let Some(v) = v else {
            continue;
        };
        // A signature field whose value cannot be read as a dictionary is still a signature,
        // a broken one: it is reported with an empty dictionary (no /ByteRange, so it fails
        // closed) instead of making the document look unsigned or hiding the revision's other
        // signatures.
        let sig = match doc.resolve(&v, rev) {
            Ok(Object::Dict(sig)) => sig,
            _ => Dict::default(),
        };
        out.push(SigField {
            name: f.name,
            field_id: f.id,
            sig_id: f.value_id,
            sig,
            revision: rev,
        });
    }
    Ok(out)
}

/// Object numbers of the leaf pages of revision `rev`, and of the intermediate page-tree nodes.
pub fn page_ids(doc: &Document<'_>, rev: usize) -> Result<(Vec<u32>, Vec<u32>), PdfError> {
    let (_, cat) = catalog(doc, rev)?;
    let mut leaves = Vec::new();
    let mut nodes = Vec::new();
    let mut seen = HashSet::new();
    let mut stack: Vec<(Object, usize)> = cat
        .get(b"Pages")
        .cloned()
        .map(|p| (p, 0))
        .into_iter()
        .collect();
    while let Some((o, depth)) = stack.pop() {
        if depth > MAX_TREE_DEPTH || seen.len() > MAX_TREE_NODES {
            return Err(PdfError::TooDeep {
                limit: MAX_TREE_DEPTH,
            });
        }
        let Some((n, _)) = o.as_ref_id() else {
            continue;
        };
        if !seen.insert(n) {
            continue;
        }
        let Some(Object::Dict(d)) = doc.get(n, rev)? else {
            continue;
        };
        match d.type_name() {
            Some(b"Pages") => {
                nodes.push(n);
                if let Some(Object::Array(kids)) =
                    d.get(b"Kids").map(|k| doc.resolve(k, rev)).transpose()?
                {
                    for k in kids.into_iter().rev() {
                        stack.push((k, depth + 1));
                    }
                }
            }
            _ => leaves.push(n),
        }
    }
    Ok((leaves, nodes))
}

/// DocMDP permission of the document's certification signature (ISO 32000-1 §12.8.2.2).
pub fn docmdp_level(doc: &Document<'_>, rev: usize) -> Option<i64> {
    let (_, cat) = catalog(doc, rev).ok()?;
    let perms = doc.resolve(cat.get(b"Perms")?, rev).ok()?;
    let sig = doc.resolve(perms.as_dict()?.get(b"DocMDP")?, rev).ok()?;
    let refs = doc.resolve(sig.as_dict()?.get(b"Reference")?, rev).ok()?;
    for r in refs.as_array()? {
        let Ok(Object::Dict(rd)) = doc.resolve(r, rev) else {
            continue;
        };
        if rd.name(b"TransformMethod") == Some(b"DocMDP") {
            let p = rd
                .get(b"TransformParams")
                .and_then(|t| doc.resolve(t, rev).ok())
                .and_then(|t| t.as_dict().and_then(|d| d.int(b"P")));
            return Some(p.unwrap_or(2));
        }
    }
    Some(2)
}

/// What a FieldMDP lock covers (ISO 32000-2 Table 236, /Action of a signature field's /Lock
/// dictionary and of the FieldMDP transform parameters, Table 257).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LockAction {
    /// `/All`: every field.
    All,
    /// `/Include`: the fields named (and their descendants).
    Include(Vec<String>),
    /// `/Exclude`: every field except those named (and their descendants).
    Exclude(Vec<String>),
}

/// A field lock of a signed signature field: which fields its signature locks, and the /P of
/// the lock dictionary (PDF 2.0: the DocMDP permission the signature grants, 1 to 3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldLock {
    pub action: LockAction,
    pub p: Option<i64>,
}

impl FieldLock {
    /// Reads a /Lock dictionary or FieldMDP /TransformParams. Fails closed: an unknown or
    /// missing /Action, or an /Include list with an entry that is not a text string, locks
    /// every field; a /P outside 1..=3 is read as 1 (no changes).
    pub fn from_dict(doc: &Document<'_>, d: &Dict, rev: usize) -> Self {
        let names = || -> Option<Vec<String>> {
            let list = doc.resolve(d.get(b"Fields")?, rev).ok()?;
            list.as_array()?
                .iter()
                .map(|o| text_string(doc.resolve(o, rev).ok().as_ref()))
                .collect()
        };
        let action = match d.name(b"Action") {
            Some(b"Include") => names().map_or(LockAction::All, LockAction::Include),
            Some(b"Exclude") => {
                // An unreadable entry excludes nothing: fewer exclusions lock more.
                let list = doc
                    .resolve(d.get(b"Fields").unwrap_or(&Object::Null), rev)
                    .ok();
                let list = list
                    .as_ref()
                    .and_then(Object::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|o| text_string(doc.resolve(o, rev).ok().as_ref()))
                            .collect()
                    })
                    .unwrap_or_default();
                LockAction::Exclude(list)
            }
            _ => LockAction::All,
        };
        let p = d
            .int(b"P")
            .map(|p| if (1..=3).contains(&p) { p } else { 1 });
        FieldLock { action, p }
    }

    /// True when the lock covers the field with fully qualified name `name`. A name in
    /// /Fields covers its descendants too (`applicant` covers `applicant.id`), as a
    /// non-terminal field's value is its kids'.
    pub fn locks(&self, name: &str) -> bool {
        let covers = |list: &[String]| {
            list.iter().any(|f| {
                name == f
                    || name
                        .strip_prefix(f.as_str())
                        .is_some_and(|rest| rest.starts_with('.'))
            })
        };
        match &self.action {
            LockAction::All => true,
            LockAction::Include(list) => covers(list),
            LockAction::Exclude(list) => !covers(list),
        }
    }
}

/// The field locks in force in revision `rev`: the /Lock of every signed signature field and
/// the FieldMDP /TransformParams of every signature's /Reference (ISO 32000-2 §12.8.2.4). A
/// lock binds once its field is signed.
pub fn field_locks(doc: &Document<'_>, rev: usize) -> Result<Vec<FieldLock>, PdfError> {
    let mut locks = Vec::new();
    for (f, v) in walk(doc, rev)? {
        if !f.is_sig || !f.has_value {
            continue;
        }
        if let Some(id) = f.id
            && let Some(Object::Dict(fd)) = doc.get(id, rev)?
            && let Some(l) = fd.get(b"Lock")
            && let Ok(Object::Dict(ld)) = doc.resolve(l, rev)
        {
            locks.push(FieldLock::from_dict(doc, &ld, rev));
        }
        let Some(Ok(Object::Dict(sig))) = v.map(|v| doc.resolve(&v, rev)) else {
            continue;
        };
        let Some(Ok(Object::Array(refs))) = sig.get(b"Reference").map(|r| doc.resolve(r, rev))
        else {
            continue;
        };
        for r in refs.iter().take(64) {
            if let Ok(Object::Dict(rd)) = doc.resolve(r, rev)
                && rd.name(b"TransformMethod") == Some(b"FieldMDP")
            {
                let params = match rd.get(b"TransformParams").map(|t| doc.resolve(t, rev)) {
                    Some(Ok(Object::Dict(t))) => t,
                    // FieldMDP without readable parameters: lock everything.
                    _ => Dict::default(),
                };
                locks.push(FieldLock::from_dict(doc, &params, rev));
            }
        }
    }
    Ok(locks)
}

#[cfg(test)]
mod tests {
    use super::{FieldLock, LockAction};

    fn lock(action: LockAction) -> FieldLock {
        FieldLock { action, p: None }
    }

    #[test]
    fn a_name_covers_itself_and_its_descendants_only() {
        let l = lock(LockAction::Include(vec!["applicant".into()]));
        assert!(l.locks("applicant"));
        assert!(l.locks("applicant.id"));
        assert!(l.locks("applicant.id.part"));
        // A longer name with the same prefix is another field.
        assert!(!l.locks("applicant2"));
        assert!(!l.locks("applicantid"));
        assert!(!l.locks("name"));
    }

    #[test]
    fn exclude_locks_everything_else_and_all_locks_everything() {
        let l = lock(LockAction::Exclude(vec!["name".into()]));
        assert!(!l.locks("name"));
        assert!(l.locks("applicant.id"));
        assert!(l.locks("name2"));
        assert!(lock(LockAction::All).locks("anything"));
    }
}
