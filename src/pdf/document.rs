//! Revisions and cross-reference sections (ISO 32000-1 §7.5), read straight from the original
//! bytes, and object lookup in any revision.
//!
//! Only what signature verification needs is parsed: the xref chain, the trailer, and the objects
//! asked for. There is no repair of broken files: nothing is guessed (no scan for `obj`
//! keywords), so a verdict is never based on a guessed structure. A chain that breaks is read
//! as far as it goes (newest sections first, then a whole older chain when one exists) and the
//! break is kept in [`Document::unreadable_tail`]: the signatures in what was read are still
//! found and their bytes checked, and every change after any of them is judged disallowed.
//!
//! Lenient where real writers break a rule and nothing is resolved through what they break
//! (each with a test in `tests/lenient.rs` showing what it must not open): a free xref
//! entry's generation may exceed 65535; an object stream whose /N overstates its header is
//! read for the pairs it lists, with a warning ([`Document::warnings`]). Hybrid-reference
//! sections (ISO 32000-1 §7.5.8.4) are read table first, then the /XRefStm stream for what the
//! table leaves free or missing.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::rc::Rc;

use super::adapter;
use super::encryption::SecurityHandler;
use super::modifications::RevisionVerdicts;
use super::object::{
    Dict, Lexer, Object, Stream, decimal, find, find_all, is_regular, is_white, rfind,
};
use crate::malformed::{EncryptionError, PdfError};

/// Bounds on the work a hostile document can cause.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Cross-reference entries across all sections. 4 million covers the largest real
    /// documents (a few hundred thousand objects) with a wide margin.
    pub max_objects: usize,
    /// Decoded size of any one stream (object and xref streams), 64 MiB by default.
    pub max_decompressed: usize,
    /// Cross-reference sections (one or two per revision). Real documents have tens.
    pub max_sections: usize,
    /// Length of a chain of references followed while resolving (Ref → Ref → …).
    pub max_ref_chain: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_objects: 4_000_000,
            max_decompressed: 64 << 20,
            max_sections: 1024,
            max_ref_chain: 32,
        }
    }
}

/// Most warnings a document keeps: a hostile file may have a million broken object streams,
/// and a report needs a few to say what was tolerated.
const MAX_WARNINGS: usize = 32;

/// How many earlier `startxref` keywords are tried when the newest one cannot be read.
const MAX_FALLBACKS: usize = 16;

/// Where an object lives, per a cross-reference entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entry {
    Free,
    InFile { offset: usize, generation: u16 },
    InStream { stream: u32, index: u32 },
}

/// One cross-reference section with its trailer.
#[derive(Clone, Debug)]
pub struct Section {
    pub offset: usize,
    pub entries: BTreeMap<u32, Entry>,
    pub trailer: Dict,
    /// End of the revision this section belongs to (just past `%%EOF` and its end-of-line).
    pub end: usize,
}

/// A revision: the file's prefix up to `end`.
#[derive(Clone, Debug)]
pub struct Revision {
    pub end: usize,
}

struct ObjStm {
    data: Vec<u8>,
    first: usize,
    offsets: Vec<(u32, usize)>,
}

/// A parsed document over the original bytes.
pub struct Document<'a> {
    pub data: &'a [u8],
    /// Sections in chain order, newest first.
    pub sections: Vec<Section>,
    /// Revisions in file order.
    pub revisions: Vec<Revision>,
    /// True when non-whitespace bytes follow the last readable revision.
    pub trailing_bytes: bool,
    /// Why part of the file could not be read: the newest revision(s), when the document was
    /// read from an earlier `startxref`, or an older section of the chain, when no chain reads
    /// to its end (the sections before the break are then the document). Either way every
    /// change after a signature is judged disallowed.
    pub unreadable_tail: Option<PdfError>,
    limits: Limits,
    objstm_cache: RefCell<HashMap<(u32, usize), Rc<ObjStm>>>,
    /// Positions of every `%%EOF` and every `startxref` with the offset it names, found in one
    /// scan when a section's own `startxref` is not right after it (damaged or unusual files).
    markers: RefCell<Option<Markers>>,
    /// Parsed large dictionaries by file offset (see [`PARSE_CACHE_MIN_SPAN`]).
    parsed: RefCell<HashMap<usize, Object>>,
    /// Positions of every `endstream`, found on first need (streams with a wrong /Length).
    endstreams: RefCell<Option<Vec<usize>>>,
    /// Verdicts of the change analysis per (revision, DocMDP level).
    pub(crate) revision_verdicts: RefCell<RevisionVerdicts>,
    /// Catalogs read so far, by revision (see [`super::fields::catalog`]).
    pub(crate) catalogs: RefCell<HashMap<usize, Catalog>>,
    /// The standard security handler of an encrypted document, opened with its password:
    /// objects read by number have their strings decrypted, and stream data is decrypted
    /// before its filters are applied.
    pub(crate) security: Option<SecurityHandler>,
    /// What was read leniently (see [`Document::warnings`]).
    warnings: RefCell<Vec<String>>,
}

/// Dictionaries at least this long in the file are kept once parsed.
const PARSE_CACHE_MIN_SPAN: usize = 1024;

struct Markers {
    eofs: Vec<usize>,
    startxrefs: Vec<(usize, Option<usize>)>,
}

impl Markers {
    fn scan(data: &[u8]) -> Self {
        Markers {
            eofs: find_all(data, b"%%EOF"),
            startxrefs: find_all(data, b"startxref")
                .into_iter()
                .map(|p| {
                    let mut lx = Lexer::new(data, p + 9, true);
                    (p, lx.uint().and_then(|v| usize::try_from(v).ok()))
                })
                .collect(),
        }
    }
}

/// A revision's catalog: its object number (when indirect) and its dictionary.
pub(crate) type Catalog = (Option<u32>, Rc<Dict>);

/// A cross-reference entry in its standard form at `at` (ISO 32000-1 §7.5.4: ten digits, a
/// space, five digits, a space, `n` or `f`), read without the lexer; `None` for anything else,
/// which the lexer then reads token by token with the same result.
fn classic_entry(data: &[u8], at: usize) -> Option<(u64, u64, &[u8])> {
    let e = data.get(at..at.checked_add(18)?)?;
    let ends_token = data.get(at + 18).is_none_or(|&b| !is_regular(b));
    match (e.get(10), e.get(16), e.get(17..18)) {
        (Some(b' '), Some(b' '), Some(kind @ (b"n" | b"f"))) if ends_token => {
            Some((decimal(e.get(..10)?)?, decimal(e.get(11..16)?)?, kind))
        }
        _ => None,
    }
}

/// The /W field widths and the /Index (first, count) pairs of the cross-reference stream at
/// `off` with dictionary `dict`; /Index defaults to one subsection of /Size objects.
fn xref_stream_layout(dict: &Dict, off: usize) -> Result<(Vec<usize>, Vec<i64>), PdfError> {
    let xerr = |what| PdfError::Xref { offset: off, what };
    let widths: Vec<usize> = match dict.get(b"W") {
        Some(Object::Array(a)) if a.len() == 3 => a
            .iter()
            .map(|o| match o {
                Object::Int(i) if (0..=8).contains(i) => usize::try_from(*i).ok(),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| xerr("bad /W"))?,
        _ => return Err(xerr("missing /W")),
    };
    let size = dict.int(b"Size").ok_or_else(|| xerr("missing /Size"))?;
    let index: Vec<i64> = match dict.get(b"Index") {
        Some(Object::Array(a)) => a
            .iter()
            .map(|o| match o {
                Object::Int(i) if *i >= 0 => Some(*i),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| xerr("bad /Index"))?,
        _ => vec![0, size],
    };
    Ok((widths, index))
}

/// The entries of the decoded cross-reference stream at `off`: rows of `widths` bytes, numbered
/// by the (first, count) pairs of `index`.
fn xref_stream_entries(
    decoded: &[u8],
    widths: &[usize],
    index: &[i64],
    off: usize,
) -> Result<BTreeMap<u32, Entry>, PdfError> {
    let xerr = |what| PdfError::Xref { offset: off, what };
    let row: usize = widths.iter().sum();
    if row == 0 {
        return Err(xerr("/W sums to zero"));
    }
    let field = |bytes: &[u8]| bytes.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
    let mut entries = BTreeMap::new();
    let mut rows = decoded.chunks_exact(row);
    for pair in index.chunks(2) {
        let [first, count] = pair else {
            return Err(xerr("odd /Index length"));
        };
        for i in 0..*count {
            let Some(r) = rows.next() else {
                return Err(xerr("stream shorter than /Index says"));
            };
            let (w0, w1) = (
                widths.first().copied().unwrap_or(0),
                widths.get(1).copied().unwrap_or(0),
            );
            let t = if w0 == 0 {
                1
            } else {
                field(r.get(..w0).unwrap_or(&[]))
            };
            let f2 = field(r.get(w0..w0 + w1).unwrap_or(&[]));
            let f3 = field(r.get(w0 + w1..).unwrap_or(&[]));
            let num = u32::try_from(first.saturating_add(i))
                .map_err(|_| xerr("object number too large"))?;
            let e = match t {
                0 => Entry::Free,
                1 => Entry::InFile {
                    offset: usize::try_from(f2).map_err(|_| xerr("bad offset"))?,
                    generation: u16::try_from(f3).map_err(|_| xerr("bad generation"))?,
                },
                2 => Entry::InStream {
                    stream: u32::try_from(f2).map_err(|_| xerr("bad stream number"))?,
                    index: u32::try_from(f3).map_err(|_| xerr("bad index"))?,
                },
                // ISO 32000-1 Table 18: other types are treated as null references.
                _ => Entry::Free,
            };
            entries.entry(num).or_insert(e);
        }
    }
    Ok(entries)
}

fn eol_len(data: &[u8], at: usize) -> usize {
    match (data.get(at), data.get(at + 1)) {
        (Some(b'\r'), Some(b'\n')) => 2,
        (Some(b'\r' | b'\n'), _) => 1,
        _ => 0,
    }
}

impl<'a> Document<'a> {
    /// Reads the revision structure of `data`. An encrypted document is opened with the empty
    /// user password; [`Document::parse_with_password`] takes another.
    pub fn parse(data: &'a [u8], limits: Limits) -> Result<Self, PdfError> {
        Self::parse_with_password(data, limits, None)
    }

    /// [`Document::parse`] for a document that may be encrypted: `password` is tried as its
    /// user and owner password, then the empty user password. A document that none of them
    /// opens, or that uses a security handler the crate does not implement, is an
    /// [`PdfError::Encryption`] error.
    pub fn parse_with_password(
        data: &'a [u8],
        limits: Limits,
        password: Option<&str>,
    ) -> Result<Self, PdfError> {
        let head = data.get(..data.len().min(1024)).unwrap_or(&[]);
        if find(head, b"%PDF-", 0).is_none() {
            return Err(PdfError::NoHeader);
        }
        let mut doc = Document {
            data,
            sections: Vec::new(),
            revisions: Vec::new(),
            trailing_bytes: false,
            unreadable_tail: None,
            limits,
            objstm_cache: RefCell::new(HashMap::new()),
            markers: RefCell::new(None),
            parsed: RefCell::new(HashMap::new()),
            endstreams: RefCell::new(None),
            revision_verdicts: RefCell::new(HashMap::new()),
            catalogs: RefCell::new(HashMap::new()),
            security: None,
            warnings: RefCell::new(Vec::new()),
        };
        // Read the chain from the last `startxref`. When the newest revision cannot be read,
        // fall back to the one before it and remember why: the unreadable bytes then count as
        // a later revision that changed the document (fail closed), instead of hiding the
        // signatures of the revisions before it.
        let mut before = data.len();
        let mut first_error = None;
        // The sections of the newest chain that broke before its end (a section it names
        // cannot be read), read up to the break.
        let mut partial: Vec<Section> = Vec::new();
        for _ in 0..MAX_FALLBACKS {
            let Some(sx) = rfind(data, b"startxref", before) else {
                break;
            };
            before = sx;
            let mut lx = Lexer::new(data, sx + 9, true);
            let Some(start) = lx.uint().and_then(|v| usize::try_from(v).ok()) else {
                first_error.get_or_insert(PdfError::NoStartXref);
                continue;
            };
            match doc.read_chain(start) {
                Ok(sections) => {
                    doc.sections = sections;
                    break;
                }
                Err((read, e)) => {
                    // The newest chain that read anything: its sections are the newest.
                    if partial.is_empty() {
                        partial = read;
                    }
                    first_error.get_or_insert(e);
                }
            }
        }
        // An earlier `startxref` read to its end, but a newer chain read some sections before
        // it broke (a /Prev that names no section): those newer sections come first, so that
        // the revisions they make (and the signatures in them) are not dropped. The break is
        // kept as unreadable, and every change after a signature is disallowed.
        if let (Some(newest), Some(read)) = (doc.sections.first().map(|s| s.end), partial.first())
            && read.end > newest
        {
            let known: HashSet<usize> = doc.sections.iter().map(|s| s.offset).collect();
            let mut merged: Vec<Section> = std::mem::take(&mut partial)
                .into_iter()
                .filter(|s| s.end > newest && !known.contains(&s.offset))
                .collect();
            merged.append(&mut doc.sections);
            doc.sections = merged;
        }
        // No chain reads to its end: the newest sections that read are the document, and the
        // break is kept as a part that cannot be read. Every signature is then still found and
        // its bytes checked, and every change after any of them is disallowed (the analysis
        // cannot see what the unreadable part held: fail closed), so a file-level error never
        // turns a signed document into an unsigned one, nor a broken one into a valid one.
        if doc.sections.is_empty() {
            if partial.is_empty() {
                return Err(first_error.unwrap_or(PdfError::NoStartXref));
            }
            doc.sections = partial;
        }
        doc.unreadable_tail = first_error;
        let mut ends: Vec<usize> = doc.sections.iter().map(|s| s.end).collect();
        ends.sort_unstable();
        ends.dedup();
        doc.revisions = ends.iter().map(|&end| Revision { end }).collect();
        let last = ends.last().copied().unwrap_or(0);
        doc.trailing_bytes = data
            .get(last..)
            .is_some_and(|rest| rest.iter().any(|b| !is_white(*b)));
        doc.security = doc.open_security(password).map_err(PdfError::Encryption)?;
        Ok(doc)
    }

    /// The security handler named by the newest trailer's /Encrypt, opened with `password`;
    /// `None` for a document that is not encrypted. (A later revision that adds, drops or
    /// changes /Encrypt is a disallowed change for the signatures before it.)
    fn open_security(
        &self,
        password: Option<&str>,
    ) -> Result<Option<SecurityHandler>, EncryptionError> {
        let bad = |what| EncryptionError::Dictionary { what };
        let Some(trailer) = self.sections.first().map(|s| &s.trailer) else {
            return Ok(None);
        };
        let (dict, object) = match trailer.get(b"Encrypt") {
            None | Some(Object::Null) => return Ok(None),
            Some(Object::Dict(d)) => (d.clone(), None),
            // ISO 32000-2 §7.5.7: the encryption dictionary is never in an object stream, and
            // it is read as written (its strings are not encrypted).
            Some(Object::Ref(n, g)) => match self.sections.iter().find_map(|s| s.entries.get(n)) {
                Some(Entry::InFile { offset, .. }) => match self.parse_at(*offset, None, 0) {
                    Ok((num, generation, Object::Dict(d))) if (num, generation) == (*n, *g) => {
                        (d, Some((*n, *g)))
                    }
                    _ => return Err(bad("/Encrypt does not name a dictionary")),
                },
                _ => return Err(bad("/Encrypt names no object in the file")),
            },
            Some(_) => return Err(bad("/Encrypt is not a dictionary")),
        };
        // The first /ID string; a document without one gets the key of an empty one (which
        // a writer that omitted it must have used too).
        let id0 = match trailer.get(b"ID") {
            Some(Object::Array(a)) => match a.first() {
                Some(Object::String(s)) => s.bytes.clone(),
                _ => Vec::new(),
            },
            _ => Vec::new(),
        };
        let mut handler = SecurityHandler::open(&dict, &id0, password)?;
        handler.encrypt_object = object;
        Ok(Some(handler))
    }

    /// What the document is encrypted with (`AES-256, standard security handler R6`), or
    /// `None` when it is not.
    pub fn encryption(&self) -> Option<&str> {
        self.security.as_ref().map(|s| s.description.as_str())
    }

    /// The raw data of stream `s` decrypted, and its filters (made direct) to decode it with.
    fn decrypted_stream(
        &self,
        s: &Stream,
        raw: &'a [u8],
        rev: usize,
    ) -> Result<(std::borrow::Cow<'a, [u8]>, Dict), PdfError> {
        let filters = self.resolve_filter_params(&s.dict, rev)?;
        match &self.security {
            None => Ok((std::borrow::Cow::Borrowed(raw), filters)),
            Some(h) => h
                .decrypt_stream(s.id.0, s.id.1, &s.dict, filters, raw)
                .map_err(PdfError::Encryption),
        }
    }

    /// The chain of sections from the one at `start` along /Prev; when a section cannot be
    /// read, the error with the sections read before it.
    fn read_chain(&self, start: usize) -> Result<Vec<Section>, (Vec<Section>, PdfError)> {
        let mut sections: Vec<Section> = Vec::new();
        match self.read_chain_into(start, &mut sections) {
            Ok(()) => Ok(sections),
            Err(e) => Err((sections, e)),
        }
    }

    fn read_chain_into(&self, start: usize, sections: &mut Vec<Section>) -> Result<(), PdfError> {
        let limits = self.limits;
        let mut visited = HashSet::new();
        let mut next = Some(start);
        let mut total_entries = 0usize;
        while let Some(off) = next {
            if !visited.insert(off) {
                return Err(PdfError::Xref {
                    offset: off,
                    what: "/Prev loops back to an earlier section",
                });
            }
            if sections.len() >= limits.max_sections {
                return Err(PdfError::TooManyObjects {
                    limit: limits.max_sections,
                });
            }
            let mut section = self.read_section(off)?;
            // Hybrid-reference files (ISO 32000-1 §7.5.8.4): the table's trailer names an xref
            // stream whose entries fill in the compressed objects.
            if let Some(xs) = section.trailer.int(b"XRefStm") {
                let xs = usize::try_from(xs).map_err(|_| PdfError::Xref {
                    offset: off,
                    what: "negative /XRefStm",
                })?;
                if visited.insert(xs) {
                    let extra = self.read_section(xs)?;
                    for (num, e) in extra.entries {
                        let slot = section.entries.entry(num).or_insert(Entry::Free);
                        if *slot == Entry::Free {
                            *slot = e;
                        }
                    }
                }
            }
            total_entries = total_entries.saturating_add(section.entries.len());
            if total_entries > limits.max_objects {
                return Err(PdfError::TooManyObjects {
                    limit: limits.max_objects,
                });
            }
            next = match section.trailer.get(b"Prev") {
                Some(Object::Int(p)) => Some(usize::try_from(*p).map_err(|_| PdfError::Xref {
                    offset: off,
                    what: "negative /Prev",
                })?),
                Some(_) => {
                    return Err(PdfError::Xref {
                        offset: off,
                        what: "/Prev is not an integer",
                    });
                }
                None => None,
            };
            sections.push(section);
        }
        Ok(())
    }

    /// The end of the revision whose cross-reference section is at `off`: the `%%EOF` after a
    /// `startxref` that names this section, else the first `%%EOF` after the section.
    fn revision_end_for(&self, off: usize) -> usize {
        let after_eof = |eof: usize| eof + 5 + eol_len(self.data, eof + 5);
        // Fast path: the first `startxref` after the section names it, and a `%%EOF` follows.
        // This reads only the section, not the whole file.
        if let Some(sx) = find(self.data, b"startxref", off) {
            let mut lx = Lexer::new(self.data, sx + 9, true);
            if lx.uint().and_then(|v| usize::try_from(v).ok()) == Some(off) {
                // White space only: the lexer's own skip would take `%%EOF` for a comment.
                let mut p = lx.pos;
                while self.data.get(p).copied().is_some_and(is_white) {
                    p += 1;
                }
                if self.data.get(p..p + 5) == Some(&b"%%EOF"[..]) {
                    return after_eof(p);
                }
            }
        }
        let mut markers = self.markers.borrow_mut();
        let m = markers.get_or_insert_with(|| Markers::scan(self.data));
        let eof_after = |pos: usize| {
            let i = m.eofs.partition_point(|&e| e < pos);
            m.eofs.get(i).map(|&eof| after_eof(eof))
        };
        m.startxrefs
            .iter()
            .find(|(_, v)| *v == Some(off))
            .and_then(|(p, _)| eof_after(*p))
            .or_else(|| eof_after(off))
            .unwrap_or(self.data.len())
    }

    /// The first `endstream` at or after `pos`.
    fn endstream_after(&self, pos: usize) -> Option<usize> {
        let mut cache = self.endstreams.borrow_mut();
        let all = cache.get_or_insert_with(|| find_all(self.data, b"endstream"));
        let i = all.partition_point(|&e| e < pos);
        all.get(i).copied()
    }

    fn read_section(&self, off: usize) -> Result<Section, PdfError> {
        let xerr = |what| PdfError::Xref { offset: off, what };
        if off >= self.data.len() {
            return Err(xerr("offset past the end of the file"));
        }
        let mut lx = Lexer::new(self.data, off, true);
        let end = self.revision_end_for(off);
        if lx.token() == b"xref" {
            let entries = self.read_xref_table(&mut lx, off)?;
            lx.keyword(b"trailer", "expected 'trailer'")?;
            let trailer = match lx.object(0)? {
                Object::Dict(d) => d,
                _ => return Err(xerr("trailer is not a dictionary")),
            };
            return Ok(Section {
                offset: off,
                entries,
                trailer,
                end,
            });
        }
        self.read_xref_stream(off, end)
    }

    /// The subsections of a classic cross-reference table (ISO 32000-1 §7.5.4), read from `lx`
    /// just after the `xref` keyword of the table at `off` up to its `trailer`.
    fn read_xref_table(
        &self,
        lx: &mut Lexer<'_>,
        off: usize,
    ) -> Result<BTreeMap<u32, Entry>, PdfError> {
        let xerr = |what| PdfError::Xref { offset: off, what };
        let mut entries = BTreeMap::new();
        loop {
            let before = lx.pos;
            let Some(first) = lx.uint() else {
                lx.pos = before;
                break;
            };
            let count = lx.uint().ok_or_else(|| xerr("bad subsection header"))?;
            let remaining = self.data.len().saturating_sub(lx.pos) / 18;
            if usize::try_from(count).map_or(true, |c| c > remaining) {
                return Err(xerr("subsection count exceeds the file"));
            }
            for i in 0..count {
                let (num, e) = self.read_table_entry(lx, off, first, i)?;
                // Within one section the first definition of a number wins.
                entries.entry(num).or_insert(e);
                if entries.len() > self.limits.max_objects {
                    return Err(PdfError::TooManyObjects {
                        limit: self.limits.max_objects,
                    });
                }
            }
        }
        Ok(entries)
    }

    /// Entry `i` of the subsection starting at object `first` of the table at `off`.
    fn read_table_entry(
        &self,
        lx: &mut Lexer<'_>,
        off: usize,
        first: u64,
        i: u64,
    ) -> Result<(u32, Entry), PdfError> {
        let xerr = |what| PdfError::Xref { offset: off, what };
        lx.skip_ws();
        let (o, g, kind) = match classic_entry(self.data, lx.pos) {
            Some(e) => {
                lx.pos += 18;
                e
            }
            None => {
                let o = lx.uint().ok_or_else(|| xerr("bad entry offset"))?;
                let g = lx.uint().ok_or_else(|| xerr("bad entry generation"))?;
                (o, g, lx.token())
            }
        };
        let num = first
            .checked_add(i)
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| xerr("object number too large"))?;
        let e = match kind {
            // An in-use entry's generation names the object (`num gen obj`, and every
            // `num gen R`): one above 65535 (ISO 32000-1 §7.5.4: the largest is 65535) is an
            // error, never cut to 16 bits, where it would alias generation 0 of the same number.
            b"n" => Entry::InFile {
                offset: usize::try_from(o).map_err(|_| xerr("bad offset"))?,
                generation: u16::try_from(g).map_err(|_| xerr("generation too large"))?,
            },
            // A free entry's generation is only the one a writer would give the number's next
            // object; nothing is resolved through it. Writers that count the free list's head
            // past 65535 (`0000000000 65536 f`, pdf.js's corpus, some PDF libraries) write it,
            // and every reader accepts it: so does this one, whatever the number.
            b"f" => Entry::Free,
            _ => return Err(xerr("entry type is not n or f")),
        };
        Ok((num, e))
    }

    /// A cross-reference stream (ISO 32000-1 §7.5.8) at `off`, of the revision ending at `end`.
    fn read_xref_stream(&self, off: usize, end: usize) -> Result<Section, PdfError> {
        let xerr = |what| PdfError::Xref { offset: off, what };
        let (_, _, obj) = self.parse_at(off, None, 0)?;
        let Object::Stream(stream) = obj else {
            return Err(xerr("neither 'xref' nor a cross-reference stream"));
        };
        if stream.dict.type_name() != Some(b"XRef") {
            return Err(xerr("stream is not /Type /XRef"));
        }
        let raw = self
            .data
            .get(stream.data_start..stream.data_end)
            .ok_or_else(|| xerr("stream data out of bounds"))?;
        let decoded = adapter::decode_stream(&stream.dict, raw, self.limits.max_decompressed)?;
        let (widths, index) = xref_stream_layout(&stream.dict, off)?;
        let entries = xref_stream_entries(&decoded, &widths, &index, off)?;
        Ok(Section {
            offset: off,
            entries,
            trailer: stream.dict,
            end,
        })
    }

    /// Parses the indirect object at a file offset, returning its number, generation and value.
    /// `rev` is used to resolve an indirect `/Length`.
    fn parse_at(
        &self,
        off: usize,
        rev: Option<usize>,
        depth: usize,
    ) -> Result<(u32, u16, Object), PdfError> {
        let mut lx = Lexer::new(self.data, off, true);
        let (num, generation) = lx.object_header()?;
        let obj = lx.object(0)?;
        let Object::Dict(dict) = obj else {
            return Ok((num, generation, obj));
        };
        let save = lx.pos;
        if lx.token() != b"stream" {
            let _ = save;
            return Ok((num, generation, Object::Dict(dict)));
        }
        let mut start = lx.pos;
        match (self.data.get(start), self.data.get(start + 1)) {
            (Some(b'\r'), Some(b'\n')) => start += 2,
            (Some(b'\n' | b'\r'), _) => start += 1,
            _ => {}
        }
        let declared = match dict.get(b"Length") {
            Some(Object::Int(n)) => usize::try_from(*n).ok(),
            Some(Object::Ref(n, _)) if depth < 2 => match rev {
                Some(r) => match self.get(*n, r) {
                    Ok(Some(Object::Int(v))) => usize::try_from(v).ok(),
                    _ => None,
                },
                None => self.latest_int(*n, depth + 1),
            },
            _ => None,
        };
        let end = declared
            .and_then(|len| start.checked_add(len))
            .filter(|&e| {
                let mut l = Lexer::new(self.data, e, true);
                e <= self.data.len() && l.token() == b"endstream"
            })
            .or_else(|| {
                // The declared /Length is wrong: fall back to the keyword, as every reader does.
                self.endstream_after(start).map(|p| {
                    let mut e = p;
                    if e > start && self.data.get(e - 1) == Some(&b'\n') {
                        e -= 1;
                    }
                    if e > start && self.data.get(e - 1) == Some(&b'\r') {
                        e -= 1;
                    }
                    e
                })
            })
            .ok_or(PdfError::Object {
                num,
                generation,
                what: "stream without 'endstream'",
            })?;
        Ok((
            num,
            generation,
            Object::Stream(Stream {
                id: (num, generation),
                dict,
                data_start: start,
                data_end: end,
            }),
        ))
    }

    /// An integer object from the newest section, for /Length while reading xref streams.
    fn latest_int(&self, num: u32, depth: usize) -> Option<usize> {
        let e = self.sections.iter().find_map(|s| s.entries.get(&num))?;
        if let Entry::InFile { offset, .. } = e
            && let Ok((_, _, Object::Int(v))) = self.parse_at(*offset, None, depth)
        {
            return usize::try_from(v).ok();
        }
        None
    }

    /// What was read leniently so far: structure that breaks a rule of ISO 32000 in a way that
    /// real writers do and every reader tolerates (an object stream whose /N overstates what
    /// it holds). Each is said once; none changes which bytes an object is read from.
    pub fn warnings(&self) -> Vec<String> {
        self.warnings.borrow().clone()
    }

    /// Notes a leniency, once; at most [`MAX_WARNINGS`] are kept.
    fn warn(&self, what: String) {
        let mut w = self.warnings.borrow_mut();
        if w.len() < MAX_WARNINGS && !w.contains(&what) {
            w.push(what);
        }
    }

    /// The index of the newest revision.
    pub fn last_revision(&self) -> usize {
        self.revisions.len().saturating_sub(1)
    }

    /// Sections that belong to revision `rev` or an earlier one, newest first.
    fn sections_upto(&self, rev: usize) -> impl Iterator<Item = &Section> {
        let end = self.revisions.get(rev).map_or(0, |r| r.end);
        self.sections.iter().filter(move |s| s.end <= end)
    }

    /// The trailer of revision `rev`.
    pub fn trailer(&self, rev: usize) -> Option<&Dict> {
        let end = self.revisions.get(rev)?.end;
        self.sections
            .iter()
            .find(|s| s.end == end)
            .map(|s| &s.trailer)
    }

    /// The cross-reference entry of `num` as seen in revision `rev`.
    pub fn entry(&self, num: u32, rev: usize) -> Option<Entry> {
        self.sections_upto(rev)
            .find_map(|s| s.entries.get(&num).copied())
    }

    /// Object numbers written by the sections of revision `rev` itself.
    pub fn written_in(&self, rev: usize) -> Vec<(u32, Entry)> {
        let Some(end) = self.revisions.get(rev).map(|r| r.end) else {
            return Vec::new();
        };
        let mut out: Vec<(u32, Entry)> = Vec::new();
        let mut seen = HashSet::new();
        for s in self.sections.iter().filter(|s| s.end == end) {
            for (n, e) in &s.entries {
                if seen.insert(*n) {
                    out.push((*n, *e));
                }
            }
        }
        out.sort_by_key(|(n, _)| *n);
        out
    }

    /// Object `num` as of revision `rev`; `None` when free or absent.
    pub fn get(&self, num: u32, rev: usize) -> Result<Option<Object>, PdfError> {
        self.get_depth(num, rev, 0)
    }

    fn get_depth(&self, num: u32, rev: usize, depth: usize) -> Result<Option<Object>, PdfError> {
        if depth > self.limits.max_ref_chain {
            return Err(PdfError::TooManyReferences {
                limit: self.limits.max_ref_chain,
            });
        }
        match self.entry(num, rev) {
            None | Some(Entry::Free) => Ok(None),
            Some(Entry::InFile { offset, generation }) => {
                if let Some(obj) = self.parsed.borrow().get(&offset) {
                    return Ok(Some(obj.clone()));
                }
                let (n, g, mut obj) = self.parse_at(offset, Some(rev), depth)?;
                if n != num || g != generation {
                    return Err(PdfError::Object {
                        num,
                        generation,
                        what: "the object at the xref offset has another number",
                    });
                }
                if let Some(h) = &self.security {
                    h.decrypt_object(num, generation, &mut obj)
                        .map_err(PdfError::Encryption)?;
                }
                // Large plain dictionaries (signature dictionaries with their /Contents) are
                // asked for by the field walk and again by the verifier: parse them once.
                if let Object::Dict(d) = &obj
                    && d.span.end.saturating_sub(d.span.start) >= PARSE_CACHE_MIN_SPAN
                {
                    self.parsed.borrow_mut().insert(offset, obj.clone());
                }
                Ok(Some(obj))
            }
            Some(Entry::InStream { stream, index }) => {
                let stm = self.object_stream(stream, rev, depth + 1)?;
                let (n, off) = stm
                    .offsets
                    .get(usize::try_from(index).unwrap_or(usize::MAX))
                    .copied()
                    .ok_or(PdfError::Object {
                        num,
                        generation: 0,
                        what: "object stream index out of range",
                    })?;
                if n != num {
                    return Err(PdfError::Object {
                        num,
                        generation: 0,
                        what: "object stream holds another object at this index",
                    });
                }
                let pos = stm.first.checked_add(off).ok_or(PdfError::Object {
                    num,
                    generation: 0,
                    what: "bad object stream offset",
                })?;
                if pos >= stm.data.len() {
                    return Err(PdfError::Object {
                        num,
                        generation: 0,
                        what: "object stream offset past its data",
                    });
                }
                let mut lx = Lexer::new(&stm.data, pos, false);
                Ok(Some(lx.object(0)?))
            }
        }
    }

    fn object_stream(&self, num: u32, rev: usize, depth: usize) -> Result<Rc<ObjStm>, PdfError> {
        let bad = |what| PdfError::Object {
            num,
            generation: 0,
            what,
        };
        let Some(Entry::InFile { offset, .. }) = self.entry(num, rev) else {
            return Err(bad("object stream is not an uncompressed object"));
        };
        if let Some(c) = self.objstm_cache.borrow().get(&(num, offset)) {
            return Ok(Rc::clone(c));
        }
        let Some(Object::Stream(s)) = self.get_depth(num, rev, depth)? else {
            return Err(bad("object stream is not a stream"));
        };
        let raw = self
            .data
            .get(s.data_start..s.data_end)
            .ok_or(bad("stream out of bounds"))?;
        let (raw, dict) = self.decrypted_stream(&s, raw, rev)?;
        let data = adapter::decode_stream(&dict, &raw, self.limits.max_decompressed)?;
        let n = s
            .dict
            .int(b"N")
            .and_then(|v| usize::try_from(v).ok())
            .ok_or(bad("missing /N"))?;
        let first = s
            .dict
            .int(b"First")
            .and_then(|v| usize::try_from(v).ok())
            .ok_or(bad("missing /First"))?;
        // The header (ISO 32000-1 §7.5.7: /N pairs of integers before /First) is read within
        // its own bytes only, so an overstated /N can never read an object's body as a pair,
        // and within the decoded data only, so nothing past the stream is ever read.
        let header = data.get(..first).unwrap_or(&data);
        // Each pair takes at least four bytes (`0 0 `): the table never outgrows the stream,
        // whatever /N says.
        let cap = header.len() / 4 + 1;
        let mut lx = Lexer::new(header, 0, false);
        let mut offsets = Vec::with_capacity(n.min(cap));
        for _ in 0..n.min(cap) {
            let pair = lx
                .uint()
                .and_then(|v| u32::try_from(v).ok())
                .zip(lx.uint().and_then(|v| usize::try_from(v).ok()));
            let Some(pair) = pair else {
                break;
            };
            offsets.push(pair);
        }
        // Writers that count the objects before dropping some (real files do) state more than
        // the header lists: the objects that are there are read, the rest are absent (an entry
        // naming one of them is an error where it is used), and the report says so.
        if offsets.len() < n {
            self.warn(format!(
                "object stream {num}: /N says {n} objects, its header lists {}; those are read",
                offsets.len()
            ));
        }
        let past = offsets
            .iter()
            .filter(|(_, o)| first.checked_add(*o).is_none_or(|p| p >= data.len()))
            .count();
        if past > 0 {
            self.warn(format!(
                "object stream {num}: {past} of its offsets run past its data; those objects are absent"
            ));
        }
        let stm = Rc::new(ObjStm {
            data,
            first,
            offsets,
        });
        self.objstm_cache
            .borrow_mut()
            .insert((num, offset), Rc::clone(&stm));
        Ok(stm)
    }

    /// A copy of a stream dictionary with /Filter and /DecodeParms made direct.
    pub fn resolve_filter_params(&self, dict: &Dict, rev: usize) -> Result<Dict, PdfError> {
        let mut out = Dict::default();
        for key in [&b"Filter"[..], b"DecodeParms"] {
            if let Some(v) = dict.get(key) {
                out.entries.push((key.to_vec(), self.resolve(v, rev)?));
            }
        }
        Ok(out)
    }

    /// Follows references until a direct object.
    pub fn resolve(&self, obj: &Object, rev: usize) -> Result<Object, PdfError> {
        let mut cur = obj.clone();
        for _ in 0..self.limits.max_ref_chain {
            match cur {
                Object::Ref(n, _) => cur = self.get(n, rev)?.unwrap_or(Object::Null),
                other => return Ok(other),
            }
        }
        Err(PdfError::TooManyReferences {
            limit: self.limits.max_ref_chain,
        })
    }

    /// The decoded data of a stream object.
    pub fn stream_data(&self, s: &Stream, rev: usize) -> Result<Vec<u8>, PdfError> {
        let raw = self
            .data
            .get(s.data_start..s.data_end)
            .ok_or(PdfError::Syntax {
                offset: s.data_start,
                what: "stream out of bounds",
            })?;
        let (raw, dict) = self.decrypted_stream(s, raw, rev)?;
        adapter::decode_stream(&dict, &raw, self.limits.max_decompressed)
    }

    /// The revision that ends exactly at `end`, allowing the end-of-line after `%%EOF` to be
    /// inside or outside the signed bytes.
    pub fn revision_ending_at(&self, end: usize) -> Option<usize> {
        self.revisions.iter().position(|r| {
            if r.end == end {
                return true;
            }
            // `end` may stop right after %%EOF while the revision counts its EOL.
            end < r.end
                && self.data.get(end.saturating_sub(5)..end) == Some(&b"%%EOF"[..])
                && self
                    .data
                    .get(end..r.end)
                    .is_some_and(|t| t.iter().all(|b| *b == b'\r' || *b == b'\n'))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn minimal_pdf() -> Vec<u8> {
        let mut v = b"%PDF-1.7\n".to_vec();
        let o1 = v.len();
        v.extend_from_slice(b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
        let o2 = v.len();
        v.extend_from_slice(b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n");
        let x = v.len();
        v.extend_from_slice(
            format!(
                "xref\n0 3\n0000000000 65535 f \n{o1:010} 00000 n \n{o2:010} 00000 n \ntrailer\n<< /Size 3 /Root 1 0 R >>\nstartxref\n{x}\n%%EOF\n"
            )
            .as_bytes(),
        );
        v
    }

    #[test]
    fn reads_a_minimal_file() {
        let data = minimal_pdf();
        let doc = Document::parse(&data, Limits::default()).unwrap();
        assert_eq!(doc.revisions.len(), 1);
        assert_eq!(doc.revisions[0].end, data.len());
        assert!(!doc.trailing_bytes);
        let cat = doc.get(1, 0).unwrap().unwrap();
        assert_eq!(cat.as_dict().unwrap().type_name(), Some(&b"Catalog"[..]));
        assert!(doc.get(7, 0).unwrap().is_none());
    }

    #[test]
    fn xref_entries_read_alike_in_any_spacing() {
        // The standard 20-byte entries take a fast path; loose ones go through the lexer.
        let standard = minimal_pdf();
        let text = String::from_utf8_lossy(&standard).into_owned();
        let x = text.find("xref\n").unwrap();
        let o1 = text.find("1 0 obj").unwrap();
        let o2 = text.find("2 0 obj").unwrap();
        let entries = |data: &[u8]| {
            let doc = Document::parse(data, Limits::default()).unwrap();
            // In object order (a BTreeMap).
            doc.sections[0]
                .entries
                .clone()
                .into_iter()
                .collect::<Vec<(u32, Entry)>>()
        };
        let want = entries(&standard);
        assert_eq!(want.len(), 3);
        assert_eq!(
            want[1].1,
            Entry::InFile {
                offset: o1,
                generation: 0
            }
        );
        let loose = [
            format!("0 65535 f\n{o1} 0 n\n{o2} 0 n\n"),
            format!("0000000000 65535 f\r\n{o1:010} 00000 n\r\n{o2:010} 00000 n\r\n"),
            format!("0000000000  65535 f \n{o1:010} 00000 n\t\n  {o2:010} 00000 n\n"),
        ];
        for body in loose {
            let table = format!("xref\n0 3\n{body}trailer");
            let mut data = text[..x].to_string();
            data.push_str(&table);
            data.push_str(&text[text.find("\n<< /Size").unwrap()..]);
            assert_eq!(entries(data.as_bytes()), want, "{body:?}");
        }
        // A standard-looking entry of another kind is still refused.
        let bad = text.replacen(
            &format!("{o1:010} 00000 n"),
            &format!("{o1:010} 00000 x"),
            1,
        );
        assert!(Document::parse(bad.as_bytes(), Limits::default()).is_err());
        let glued = text.replacen(
            &format!("{o1:010} 00000 n \n"),
            &format!("{o1:010} 00000 nn\n"),
            1,
        );
        assert!(Document::parse(glued.as_bytes(), Limits::default()).is_err());
    }

    /// `minimal_pdf` with the free head's generation written as `generation`.
    fn with_free_head(generation: &str) -> Vec<u8> {
        String::from_utf8_lossy(&minimal_pdf())
            .replacen(
                "0000000000 65535 f",
                &format!("0000000000 {generation} f"),
                1,
            )
            .into_bytes()
    }

    #[test]
    fn free_entry_generation_is_not_used() {
        for generation in ["65535", "65536", "99999"] {
            let data = with_free_head(generation);
            let doc = Document::parse(&data, Limits::default()).unwrap();
            assert_eq!(doc.entry(0, 0), Some(Entry::Free), "{generation}");
            assert!(doc.unreadable_tail.is_none());
        }
        // In use, a generation past 65535 is refused, never cut to 16 bits.
        let data = String::from_utf8_lossy(&minimal_pdf())
            .replacen(" 00000 n ", " 65536 n ", 1)
            .into_bytes();
        assert!(matches!(
            Document::parse(&data, Limits::default()),
            Err(PdfError::Xref {
                what: "generation too large",
                ..
            })
        ));
    }

    /// A one-revision file whose catalog is object 1 in object stream 3, whose header is
    /// `header` and /N `n`.
    fn objstm_pdf(n: &str, header: &str) -> Vec<u8> {
        let body = "<< /Type /Catalog /Pages 2 0 R >>";
        let data = format!("{header}{body}");
        let mut v = b"%PDF-1.7\n".to_vec();
        let o2 = v.len();
        v.extend_from_slice(b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n");
        let o3 = v.len();
        v.extend_from_slice(
            format!(
                "3 0 obj\n<< /Type /ObjStm /N {n} /First {} /Length {} >>\nstream\n{data}\nendstream\nendobj\n",
                header.len(),
                data.len()
            )
            .as_bytes(),
        );
        let x = v.len();
        let at = |o: usize| u32::try_from(o).unwrap();
        let rows: Vec<u8> = [
            (0u8, 0u32, 0u16),
            (2, 3, 0),
            (1, at(o2), 0),
            (1, at(o3), 0),
            (1, at(x), 0),
        ]
        .iter()
        .flat_map(|(t, a, b)| {
            let mut r = vec![*t];
            r.extend_from_slice(&a.to_be_bytes());
            r.extend_from_slice(&b.to_be_bytes());
            r
        })
        .collect();
        v.extend_from_slice(
            format!(
                "4 0 obj\n<< /Type /XRef /Size 5 /W [1 4 2] /Root 1 0 R /Length {} >>\nstream\n",
                rows.len()
            )
            .as_bytes(),
        );
        v.extend_from_slice(&rows);
        v.extend_from_slice(format!("\nendstream\nendobj\nstartxref\n{x}\n%%EOF\n").as_bytes());
        v
    }

    #[test]
    fn object_stream_with_overstated_n_reads_what_is_there() {
        for n in ["1", "5", "1000000000000"] {
            let data = objstm_pdf(n, "1 0 ");
            let doc = Document::parse(&data, Limits::default()).unwrap();
            let cat = doc.get(1, 0).unwrap().unwrap();
            assert_eq!(
                cat.as_dict().unwrap().type_name(),
                Some(&b"Catalog"[..]),
                "{n}"
            );
            let warned = doc.warnings().iter().any(|w| w.contains("/N says"));
            assert_eq!(warned, n != "1", "{n}: {:?}", doc.warnings());
        }
        // The header is read within /First: an object body of integers is never a pair.
        let data = objstm_pdf("2", "1 0 ");
        let doc = Document::parse(&data, Limits::default()).unwrap();
        assert!(doc.get(1, 0).unwrap().is_some());
        // An offset past the stream's data: that object is absent, with a warning.
        let data = objstm_pdf("1", "1 900 ");
        let doc = Document::parse(&data, Limits::default()).unwrap();
        assert!(doc.get(1, 0).is_err());
        assert!(doc.warnings().iter().any(|w| w.contains("run past")));
    }

    #[test]
    fn prev_loop_is_an_error() {
        let mut data = minimal_pdf();
        let x = rfind(&data, b"xref", data.len() - 20).unwrap();
        let s = String::from_utf8_lossy(&data)
            .replace("/Size 3 /Root", &format!("/Size 3 /Prev {x} /Root"));
        data = s.into_bytes();
        // The sections before the loop are the document; the loop is the part that cannot be
        // read (every change after a signature is then disallowed).
        let doc = Document::parse(&data, Limits::default()).unwrap();
        assert_eq!(doc.sections.len(), 1);
        assert!(matches!(
            doc.unreadable_tail,
            Some(PdfError::Xref {
                what: "/Prev loops back to an earlier section",
                ..
            })
        ));
    }

    #[test]
    fn no_header() {
        assert_eq!(
            Document::parse(b"hello", Limits::default()).err(),
            Some(PdfError::NoHeader)
        );
    }
}
