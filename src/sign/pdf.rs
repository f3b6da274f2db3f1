//! The PAdES signing pipeline: an incremental update that adds a signature field, its widget
//! and signature dictionary, with `/ByteRange` and `/Contents` reserved at fixed width and
//! patched in place. The input bytes are always a byte-exact prefix of the output.

use std::fmt::Write as _;

use super::cms_builder;
use super::{CertificateError, KeyError, SignError, SignatureAlgorithm, Signer};
use crate::crypto::{DigestAlgorithm, KeyKind, PublicKeyInfo};
use crate::pdf::document::{Document, Limits};
use crate::pdf::fields;
use crate::pdf::object::{Dict, Object};
use crate::pdf::writer::{self, ObjectWriter};
use crate::time::Timestamp;

/// Room kept in /Contents for an RFC 3161 token added after signing (a token with its TSA
/// chain is typically 3–6 KB).
const TIMESTAMP_MARGIN: usize = 8192;
/// Slack above the measured CMS size.
const CONTENTS_SLACK: usize = 256;
/// Width of each number in the /ByteRange placeholder.
const BR_WIDTH: usize = 10;

/// The /SubFilter of the new signature.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SubFilter {
    /// ETSI.CAdES.detached (PAdES baseline).
    #[default]
    Cades,
    /// adbe.pkcs7.detached.
    Pkcs7,
}

impl SubFilter {
    fn name(self) -> &'static str {
        match self {
            SubFilter::Cades => "ETSI.CAdES.detached",
            SubFilter::Pkcs7 => "adbe.pkcs7.detached",
        }
    }
}

/// What to sign and how. Built with [`SignOptions::new`], then adjusted field by field.
#[non_exhaustive]
pub struct SignOptions<'a> {
    /// The signature's `/SubFilter`; default ETSI.CAdES.detached.
    pub sub_filter: SubFilter,
    /// Field name; default `Signature<n>`, unique in the document.
    pub field_name: Option<String>,
    /// `/Reason` of the signature dictionary, the stated reason for signing; omitted when
    /// `None`.
    pub reason: Option<String>,
    /// `/Location`, where the document was signed; omitted when `None`.
    pub location: Option<String>,
    /// `/ContactInfo`, how to reach the signer; omitted when `None`.
    pub contact_info: Option<String>,
    /// `/Name`, the name of the person or authority signing (ISO 32000-1 §12.8.1: for when it
    /// cannot be taken from the certificate); omitted when `None`.
    pub name: Option<String>,
    /// Signing time, written to /M in Vietnam time (+07:00), to the second.
    pub signing_time: Timestamp,
    /// Page for the widget, 0-based.
    pub page: usize,
    /// Visible appearance; invisible when None.
    pub appearance: Option<super::appearance::Appearance>,
    /// RFC 3161 signature timestamp (PAdES B-T).
    pub tsa: Option<&'a dyn super::tsa::TsaClient>,
    /// Bytes reserved for the CMS; computed from the real CMS size when None.
    pub contents_reserve: Option<usize>,
}

impl SignOptions<'_> {
    /// Defaults: ETSI.CAdES.detached, invisible, first page.
    pub fn new(signing_time: Timestamp) -> Self {
        SignOptions {
            sub_filter: SubFilter::Cades,
            field_name: None,
            reason: None,
            location: None,
            contact_info: None,
            name: None,
            signing_time,
            page: 0,
            appearance: None,
            tsa: None,
            contents_reserve: None,
        }
    }
}

/// `2026-11-26T09:15:30+07:00`: ISO 8601 in Vietnam time, as Decree 30 stamps show it.
pub fn vietnam_time(t: Timestamp) -> String {
    crate::time::vietnam_iso(t)
}

/// `D:20261126091530+07'00'`: a PDF date (ISO 32000-1 §7.9.4) in Vietnam time, for /M.
fn pdf_date(t: Timestamp) -> String {
    let dt = crate::time::vietnam_datetime(t);
    format!(
        "D:{:04}{:02}{:02}{:02}{:02}{:02}+07'00'",
        dt.year(),
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    )
}

/// A document prepared for signing: everything but the signature value.
pub struct PreparedSignature<'a> {
    /// The document as given; never copied.
    input: &'a [u8],
    /// The appended revision (after an end-of-line when the input lacks one).
    update: Vec<u8>,
    /// Where the hex digits of /Contents start, in `update`.
    contents_start: usize,
    contents_capacity: usize,
    algorithm: SignatureAlgorithm,
    certificate: Vec<u8>,
    chain: Vec<Vec<u8>>,
    signed_attrs: Vec<u8>,
    tsa: Option<&'a dyn super::tsa::TsaClient>,
}

impl PreparedSignature<'_> {
    /// The bytes to sign: the DER signed attributes. A token or remote service signs these
    /// with the algorithm given to [`prepare`] (hashing them itself).
    pub fn to_be_signed(&self) -> &[u8] {
        &self.signed_attrs
    }

    /// Completes the document with the raw signature value: the input followed by the signed
    /// revision, in a new buffer.
    pub fn complete(self, signature: &[u8]) -> Result<Vec<u8>, SignError> {
        let input = self.input;
        let update = self.finish(signature)?;
        let mut out = Vec::with_capacity(input.len().saturating_add(update.len()));
        out.extend_from_slice(input);
        out.extend_from_slice(&update);
        Ok(out)
    }

    /// Completes the document into `out`: the input bytes as they are, then the signed
    /// revision. Nothing the size of the document is allocated, so signing a large file needs
    /// about its own size in memory. Returns the number of bytes written.
    pub fn complete_to<W: std::io::Write>(
        self,
        signature: &[u8],
        mut out: W,
    ) -> Result<u64, SignError> {
        let input = self.input;
        let update = self.finish(signature)?;
        let io = SignError::Io;
        out.write_all(input).map_err(io)?;
        out.write_all(&update).map_err(io)?;
        out.flush().map_err(io)?;
        Ok(u64::try_from(input.len().saturating_add(update.len())).unwrap_or(u64::MAX))
    }

    /// The appended revision with the CMS in its /Contents.
    fn finish(self, signature: &[u8]) -> Result<Vec<u8>, SignError> {
        // The value must verify before it is embedded: a token that signed with another key or
        // algorithm must not produce a broken document.
        check_signature(
            &self.certificate,
            self.algorithm,
            &self.signed_attrs,
            signature,
        )?;
        let token = match self.tsa {
            Some(tsa) => {
                let imprint = self.algorithm.digest().digest(&[signature]);
                let token = tsa.timestamp(self.algorithm.digest(), &imprint)?;
                tracing::debug!(token_bytes = token.len(), "signature timestamp obtained");
                Some(token)
            }
            None => None,
        };
        let cms = cms_builder::signed_data(
            self.algorithm,
            &self.certificate,
            &self.chain,
            &self.signed_attrs,
            signature,
            token.as_deref(),
        )?;
        let hex_len = cms.len() * 2;
        if hex_len > self.contents_capacity {
            return Err(SignError::ContentsTooSmall {
                needed: cms.len(),
                reserved: self.contents_capacity / 2,
            });
        }
        let mut out = self.update;
        let mut hex = String::with_capacity(hex_len);
        for b in &cms {
            let _ = write!(hex, "{b:02x}");
        }
        let slot = out
            .get_mut(self.contents_start..self.contents_start + hex_len)
            .ok_or(SignError::Unsupported("contents slot out of range"))?;
        slot.copy_from_slice(hex.as_bytes());
        tracing::info!(
            cms_bytes = cms.len(),
            output_bytes = self.input.len().saturating_add(out.len()),
            timestamped = token.is_some(),
            "signature completed"
        );
        Ok(out)
    }
}

fn check_signature(
    cert: &[u8],
    alg: SignatureAlgorithm,
    message: &[u8],
    signature: &[u8],
) -> Result<(), SignError> {
    let (_, c) = x509_parser::parse_x509_certificate(cert).map_err(CertificateError::Parse)?;
    let key = PublicKeyInfo::from_spki_der(c.tbs_certificate.subject_pki.raw)
        .map_err(CertificateError::PublicKey)?;
    let (oid, params): (&[u8], Option<&[u8]>) = match alg {
        SignatureAlgorithm::RsaPkcs1Sha256 => (
            &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b],
            Some(&[0x05, 0x00]),
        ),
        SignatureAlgorithm::RsaPkcs1Sha384 => (
            &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c],
            Some(&[0x05, 0x00]),
        ),
        SignatureAlgorithm::RsaPkcs1Sha512 => (
            &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d],
            Some(&[0x05, 0x00]),
        ),
        SignatureAlgorithm::EcdsaP256Sha256 => {
            (&[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02], None)
        }
        SignatureAlgorithm::EcdsaP384Sha384 => {
            (&[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03], None)
        }
    };
    crate::crypto::verify_signature(&key, oid, params, Some(alg.digest()), message, signature)
        .map(|_| ())
        .map_err(|e| KeyError::SignatureDoesNotVerify(e).into())
}

/// Media box, crop box and rotation of a page, following inheritance from the page tree
/// (ISO 32000-1 Table 30).
fn page_geometry(
    doc: &Document<'_>,
    rev: usize,
    page_id: u32,
) -> Result<super::appearance::PageGeometry, SignError> {
    let rect = |o: &Object| -> Option<[f64; 4]> {
        let a = doc.resolve(o, rev).ok()?;
        let v: Vec<f64> = a
            .as_array()?
            .iter()
            .map(|x| match doc.resolve(x, rev).ok()? {
                Object::Int(i) => i32::try_from(i).ok().map(f64::from),
                Object::Real(r) => Some(r),
                _ => None,
            })
            .collect::<Option<Vec<f64>>>()?;
        let [a, b, c, d] = v.as_slice() else {
            return None;
        };
        Some([a.min(*c), b.min(*d), a.max(*c), b.max(*d)])
    };
    let (mut media, mut crop, mut rotate) = (None, None, None);
    let mut node = Some(page_id);
    for _ in 0..32 {
        let Some(n) = node else { break };
        let Some(Object::Dict(d)) = doc.get(n, rev)? else {
            break;
        };
        if media.is_none() {
            media = d.get(b"MediaBox").and_then(rect);
        }
        if crop.is_none() {
            crop = d.get(b"CropBox").and_then(rect);
        }
        if rotate.is_none() {
            rotate = d.int(b"Rotate");
        }
        node = d.get(b"Parent").and_then(Object::as_ref_id).map(|(p, _)| p);
    }
    Ok(super::appearance::PageGeometry {
        media_box: media.unwrap_or([0.0, 0.0, 595.0, 842.0]),
        crop_box: crop,
        rotate: rotate.unwrap_or(0).rem_euclid(360),
    })
}

/// Upper bound of the signature value's size for the certificate's key.
fn signature_size(cert: &[u8]) -> Result<usize, SignError> {
    let (_, c) = x509_parser::parse_x509_certificate(cert).map_err(CertificateError::Parse)?;
    let key = PublicKeyInfo::from_spki_der(c.tbs_certificate.subject_pki.raw)
        .map_err(CertificateError::PublicKey)?;
    Ok(match key.kind() {
        KeyKind::Rsa { bits } => bits.div_ceil(8),
        KeyKind::Ec { .. } => 2 * 66 + 9,
        KeyKind::Ed25519 => 64,
        KeyKind::Other(_) => 1024,
    })
}

fn rewrite(dict: &Dict) -> Result<Vec<u8>, SignError> {
    writer::serialize(&Object::Dict(dict.clone()))
        .ok_or(SignError::Unsupported("object nesting too deep to rewrite"))
}

fn set(dict: &mut Dict, key: &[u8], value: Object) {
    dict.entries.retain(|(k, _)| k.as_slice() != key);
    dict.entries.push((key.to_vec(), value));
}

/// Adds `item` to the array at `key` of `dict` (object `dict_num`), rewriting either the array
/// object (when indirect) or the dictionary.
fn append_to_array(
    doc: &Document<'_>,
    rev: usize,
    w: &mut ObjectWriter,
    dict_num: u32,
    dict: &mut Dict,
    key: &[u8],
    item: Object,
) -> Result<bool, SignError> {
    match dict.get(key).cloned() {
        Some(Object::Ref(n, g)) => {
            let mut arr = match doc.resolve(&Object::Ref(n, g), rev)? {
                Object::Array(a) => a,
                _ => Vec::new(),
            };
            arr.push(item);
            w.put(
                n,
                writer::serialize(&Object::Array(arr))
                    .ok_or(SignError::Unsupported("array too deep"))?,
            );
            Ok(false)
        }
        Some(Object::Array(mut a)) => {
            a.push(item);
            set(dict, key, Object::Array(a));
            let _ = dict_num;
            Ok(true)
        }
        _ => {
            set(dict, key, Object::Array(vec![item]));
            Ok(true)
        }
    }
}

/// Prepares `input` for a signature by `certificate` with `algorithm`: writes the incremental
/// update and returns the bytes to be signed. No private key is needed.
pub fn prepare<'a>(
    input: &'a [u8],
    certificate: &[u8],
    chain: &[Vec<u8>],
    algorithm: SignatureAlgorithm,
    opts: &SignOptions<'a>,
) -> Result<PreparedSignature<'a>, SignError> {
    let mut target = open_target(input, opts.page)?;
    let mut w = ObjectWriter::new(target.size);
    let sig_id = w.reserve();
    let field_id = w.reserve();
    let name = unique_field_name(&target.doc, target.rev, opts.field_name.as_ref())?;
    write_widget(&target, opts, &mut w, sig_id, field_id, &name)?;
    add_to_page_annots(&mut target, &mut w, field_id)?;
    add_to_acroform(&mut target, &mut w, field_id)?;
    let reserve = contents_reserve(certificate, chain, algorithm, opts)?;
    let br_placeholder = write_signature_dict(&mut w, sig_id, reserve, opts);

    // Serialise the update, after the input (offsets count from the start of the file).
    let base = input.len();
    let (mut out, offsets) = write_objects(&target, input, &w);
    let xref_num = w.size().max(target.size);
    let trailer = update_trailer(&target, xref_num, input, certificate, opts.signing_time)?;
    let xref_offset = base + out.len();
    if trailer.uses_streams {
        write_xref_stream(&mut out, &offsets, xref_num, xref_offset, &trailer.entries)?;
    } else {
        write_xref_table(&mut out, &offsets, &trailer.entries);
    }
    out.extend_from_slice(format!("startxref\n{xref_offset}\n%%EOF\n").as_bytes());
    let gap = patch_byte_range(&mut out, base, &offsets, sig_id, reserve, &br_placeholder)?;

    // Digest of the two ranges, straight from the input and the update (one pass).
    let digest = algorithm.digest().digest(&[
        input,
        out.get(..gap.start).unwrap_or(&[]),
        out.get(gap.end..).unwrap_or(&[]),
    ]);
    let signed_attrs = cms_builder::signed_attributes(algorithm.digest(), &digest, certificate)?;
    tracing::info!(
        field = name.as_str(),
        sub_filter = opts.sub_filter.name(),
        input_bytes = input.len(),
        update_bytes = out.len(),
        reserved = reserve,
        visible = opts.appearance.is_some(),
        "signature prepared"
    );
    Ok(PreparedSignature {
        input,
        update: out,
        contents_start: gap.start + 1,
        contents_capacity: reserve * 2,
        algorithm,
        certificate: certificate.to_vec(),
        chain: chain.to_vec(),
        signed_attrs,
        tsa: opts.tsa,
    })
}

/// The revision a signature is added to: its trailer, the first object number the update may
/// use, the catalog and the page that gets the widget.
struct SignTarget<'a> {
    doc: Document<'a>,
    rev: usize,
    trailer: Dict,
    /// The first object number above every one the file defines.
    size: u32,
    root_id: u32,
    catalog: Dict,
    page_id: u32,
    page: Dict,
}

/// One cross-reference row of the update: (number, offset in the file, generation).
type XrefRow = (u32, usize, u16);

/// Parses `input` and finds what the update builds on, refusing files it cannot extend
/// safely: bytes after the last revision, encryption, a DocMDP P=1 certification.
fn open_target(input: &[u8], page: usize) -> Result<SignTarget<'_>, SignError> {
    let doc = Document::parse(input, Limits::default())?;
    if doc.unreadable_tail.is_some() || doc.trailing_bytes {
        return Err(SignError::Unsupported(
            "the file has bytes after its last readable revision",
        ));
    }
    let rev = doc.last_revision();
    let trailer = doc
        .trailer(rev)
        .cloned()
        .ok_or(SignError::Unsupported("no trailer"))?;
    if trailer.has(b"Encrypt") {
        return Err(SignError::Unsupported("encrypted documents"));
    }
    let size = first_free_number(&doc, &trailer)?;
    if fields::docmdp_level(&doc, rev) == Some(1) {
        return Err(SignError::Unsupported(
            "the document is certified with no changes allowed (DocMDP P=1)",
        ));
    }
    let (root_id, catalog) = fields::catalog(&doc, rev)?;
    let catalog = Dict::clone(&catalog);
    let root_id = root_id.ok_or(SignError::Unsupported("/Root is not an indirect object"))?;
    let (pages, _) = fields::page_ids(&doc, rev)?;
    let page_id = *pages
        .get(page)
        .ok_or(SignError::Unsupported("no such page"))?;
    let page = match doc.get(page_id, rev)? {
        Some(Object::Dict(d)) => d,
        _ => return Err(SignError::Unsupported("page is not a dictionary")),
    };
    Ok(SignTarget {
        doc,
        rev,
        trailer,
        size,
        root_id,
        catalog,
        page_id,
        page,
    })
}

/// The trailer's /Size, raised above every number a cross-reference section defines.
fn first_free_number(doc: &Document<'_>, trailer: &Dict) -> Result<u32, SignError> {
    let size = trailer
        .int(b"Size")
        .and_then(|s| u32::try_from(s).ok())
        .ok_or(SignError::Unsupported("trailer without /Size"))?;
    // New objects start above every number a cross-reference section defines: with a trailer
    // /Size that is too small (damaged files; one of a linearized file's two sections) they
    // would otherwise replace existing objects, such as the catalog.
    Ok(doc
        .sections
        .iter()
        .flat_map(|s| s.entries.keys())
        .max()
        .map_or(size, |n| size.max(n.saturating_add(1))))
}

/// The signature field's name: the requested one if no field has it, else the first free
/// `Signature<n>`.
fn unique_field_name(
    doc: &Document<'_>,
    rev: usize,
    requested: Option<&String>,
) -> Result<String, SignError> {
    // Field name, unique among existing fields.
    let existing: Vec<String> = fields::walk_fields(doc, rev)?
        .into_iter()
        .map(|f| f.name)
        .collect();
    Ok(match requested {
        Some(n) if existing.contains(n) => {
            return Err(SignError::Unsupported("a field with this name exists"));
        }
        Some(n) => n.clone(),
        None => (1..)
            .map(|i| format!("Signature{i}"))
            .find(|n| !existing.contains(n))
            .unwrap_or_else(|| "Signature".to_string()),
    })
}

/// Writes the merged field/widget `field_id` (pointing at signature `sig_id`), with its
/// appearance stream when one is asked for.
fn write_widget(
    t: &SignTarget<'_>,
    opts: &SignOptions<'_>,
    w: &mut ObjectWriter,
    sig_id: u32,
    field_id: u32,
    name: &str,
) -> Result<(), SignError> {
    let (rect, ap) = match &opts.appearance {
        Some(app) => {
            let geometry = page_geometry(&t.doc, t.rev, t.page_id)?;
            let built =
                super::appearance::build(app, &geometry, &vietnam_time(opts.signing_time), w)?;
            (built.rect, Some(built.normal))
        }
        None => ([0.0; 4], None),
    };
    let mut widget = format!(
        "<< /Type /Annot /Subtype /Widget /FT /Sig /T {} /V {sig_id} 0 R /F 132 /P {} {} R /Rect [{} {} {} {}]",
        writer::text(name),
        t.page_id,
        generation_of(&t.doc, t.rev, t.page_id),
        writer::num(rect[0]),
        writer::num(rect[1]),
        writer::num(rect[2]),
        writer::num(rect[3])
    );
    if let Some(ap) = ap {
        let _ = write!(widget, " /AP << /N {ap} 0 R >>");
    }
    widget.push_str(" >>");
    w.put(field_id, widget.into_bytes());
    Ok(())
}

/// Adds the widget to the page's /Annots, rewriting the page when the array is direct.
fn add_to_page_annots(
    t: &mut SignTarget<'_>,
    w: &mut ObjectWriter,
    field_id: u32,
) -> Result<(), SignError> {
    if append_to_array(
        &t.doc,
        t.rev,
        w,
        t.page_id,
        &mut t.page,
        b"Annots",
        Object::Ref(field_id, 0),
    )? {
        w.put(t.page_id, rewrite(&t.page)?);
    }
    Ok(())
}

/// Adds the field to the AcroForm's /Fields and sets /SigFlags 3, rewriting the AcroForm, or
/// the catalog when the AcroForm is direct or missing.
fn add_to_acroform(
    t: &mut SignTarget<'_>,
    w: &mut ObjectWriter,
    field_id: u32,
) -> Result<(), SignError> {
    match t.catalog.get(b"AcroForm").cloned() {
        Some(Object::Ref(af_id, _)) => {
            let mut af = match t.doc.get(af_id, t.rev)? {
                Some(Object::Dict(d)) => d,
                _ => Dict::default(),
            };
            append_to_array(
                &t.doc,
                t.rev,
                w,
                af_id,
                &mut af,
                b"Fields",
                Object::Ref(field_id, 0),
            )?;
            set(&mut af, b"SigFlags", Object::Int(3));
            w.put(af_id, rewrite(&af)?);
        }
        Some(Object::Dict(mut af)) => {
            append_to_array(
                &t.doc,
                t.rev,
                w,
                t.root_id,
                &mut af,
                b"Fields",
                Object::Ref(field_id, 0),
            )?;
            set(&mut af, b"SigFlags", Object::Int(3));
            set(&mut t.catalog, b"AcroForm", Object::Dict(af));
            w.put(t.root_id, rewrite(&t.catalog)?);
        }
        _ => {
            let af_id = w.add(format!("<< /Fields [{field_id} 0 R] /SigFlags 3 >>").into_bytes());
            set(&mut t.catalog, b"AcroForm", Object::Ref(af_id, 0));
            w.put(t.root_id, rewrite(&t.catalog)?);
        }
    }
    Ok(())
}

/// Bytes to reserve for the CMS: as asked, or the size of a dummy CMS with this certificate
/// and chain plus slack (and room for a timestamp token when a TSA is used).
fn contents_reserve(
    certificate: &[u8],
    chain: &[Vec<u8>],
    algorithm: SignatureAlgorithm,
    opts: &SignOptions<'_>,
) -> Result<usize, SignError> {
    if let Some(r) = opts.contents_reserve {
        return Ok(r);
    }
    let dummy_sig = vec![0xffu8; signature_size(certificate)?];
    let dummy_attrs = cms_builder::signed_attributes(
        algorithm.digest(),
        &vec![0u8; algorithm.digest().output_len()],
        certificate,
    )?;
    let cms = cms_builder::signed_data(
        algorithm,
        certificate,
        chain,
        &dummy_attrs,
        &dummy_sig,
        None,
    )?;
    Ok(cms.len()
        + CONTENTS_SLACK
        + if opts.tsa.is_some() {
            TIMESTAMP_MARGIN
        } else {
            0
        })
}

/// Writes the signature dictionary `sig_id` with fixed-width placeholders for /ByteRange and
/// /Contents (`reserve` bytes); returns the /ByteRange placeholder.
fn write_signature_dict(
    w: &mut ObjectWriter,
    sig_id: u32,
    reserve: usize,
    opts: &SignOptions<'_>,
) -> String {
    let br_placeholder = format!(
        "/ByteRange [0 {:width$} {:width$} {:width$}]",
        0,
        0,
        0,
        width = BR_WIDTH
    );
    let mut sig = format!(
        "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /{} {br_placeholder} /Contents <{}> /M {}",
        opts.sub_filter.name(),
        "0".repeat(reserve * 2),
        writer::literal(pdf_date(opts.signing_time).as_bytes())
    );
    for (key, value) in [
        ("Reason", &opts.reason),
        ("Location", &opts.location),
        ("ContactInfo", &opts.contact_info),
        ("Name", &opts.name),
    ] {
        if let Some(v) = value {
            let _ = write!(sig, " /{key} {}", writer::text(v));
        }
    }
    sig.push_str(" >>");
    w.put(sig_id, sig.into_bytes());
    br_placeholder
}

/// The update's objects in number order (after an end-of-line when the input lacks one), with
/// their cross-reference rows; a rewritten object keeps its generation.
fn write_objects(t: &SignTarget<'_>, input: &[u8], w: &ObjectWriter) -> (Vec<u8>, Vec<XrefRow>) {
    let base = input.len();
    let mut out: Vec<u8> = Vec::new();
    if !matches!(input.last(), Some(b'\n' | b'\r')) {
        out.push(b'\n');
    }
    let mut offsets: Vec<XrefRow> = Vec::new();
    let mut objects: Vec<&(u32, Vec<u8>)> = w.objects().iter().collect();
    objects.sort_by_key(|(n, _)| *n);
    for (num, body) in objects {
        let generation = generation_of(&t.doc, t.rev, *num);
        offsets.push((*num, base + out.len(), generation));
        out.extend_from_slice(format!("{num} {generation} obj\n").as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    (out, offsets)
}

/// The update's trailer entries, and whether they go in an xref stream.
struct UpdateTrailer {
    /// `/Size … /Root … /Prev …`, then /Info and /ID.
    entries: String,
    /// The section the update chains to is an xref stream, so the update writes one too.
    uses_streams: bool,
}

/// The trailer of the update: /Size past `xref_num`, /Root, /Prev, the input's /Info and a
/// new second file identifier.
fn update_trailer(
    t: &SignTarget<'_>,
    xref_num: u32,
    input: &[u8],
    certificate: &[u8],
    signing_time: Timestamp,
) -> Result<UpdateTrailer, SignError> {
    // /Prev is the section the input's last `startxref` names (the head of the chain, ISO
    // 32000-1 §7.5.6), even when a stray `startxref`/`%%EOF` earlier in the file makes that
    // section look like it belongs to an earlier revision: any other section would drop the
    // newer ones from the chain.
    let prev = t
        .doc
        .sections
        .first()
        .map(|s| s.offset)
        .ok_or(SignError::Unsupported("no cross-reference section"))?;
    let uses_streams = t
        .doc
        .sections
        .iter()
        .any(|s| s.offset == prev && s.trailer.type_name() == Some(b"XRef"));
    let mut entries = format!(
        "/Size {} /Root {} {} R /Prev {prev}",
        xref_num + u32::from(uses_streams),
        t.root_id,
        generation_of(&t.doc, t.rev, t.root_id)
    );
    if let Some(info) = t.trailer.get(b"Info") {
        let _ = write!(
            entries,
            " /Info {}",
            String::from_utf8_lossy(&writer::serialize(info).unwrap_or_default())
        );
    }
    write_file_id(&mut entries, &t.trailer, input, certificate, signing_time);
    Ok(UpdateTrailer {
        entries,
        uses_streams,
    })
}

/// Appends `/ID [first second]`: the input's first identifier (or the new one when it has
/// none) and a new second one.
fn write_file_id(
    entries: &mut String,
    trailer: &Dict,
    input: &[u8],
    certificate: &[u8],
    signing_time: Timestamp,
) {
    let id_first = match trailer.get(b"ID") {
        Some(Object::Array(a)) => a.first().and_then(writer::serialize),
        _ => None,
    };
    // The second file identifier changes with every update (ISO 32000-1 §14.4): derived from
    // the signing time, the size, the certificate and the end of the input, not from a second
    // pass over the whole document.
    let tail = input
        .get(input.len().saturating_sub(4096)..)
        .unwrap_or(input);
    let new_id = DigestAlgorithm::Sha256.digest(&[
        &signing_time.as_second().to_be_bytes(),
        &u64::try_from(input.len()).unwrap_or(u64::MAX).to_be_bytes(),
        certificate,
        tail,
    ]);
    let new_id_hex: String = new_id.iter().take(16).map(|b| format!("{b:02X}")).collect();
    let first = id_first
        .map(|v| String::from_utf8_lossy(&v).into_owned())
        .unwrap_or_else(|| format!("<{new_id_hex}>"));
    let _ = write!(entries, " /ID [{first} <{new_id_hex}>]");
}

/// Writes the update's cross-reference as an xref stream `xref_num` at `xref_offset` (ISO
/// 32000-1 §7.5.8), uncompressed, W [1 4 2].
fn write_xref_stream(
    out: &mut Vec<u8>,
    offsets: &[XrefRow],
    xref_num: u32,
    xref_offset: usize,
    trailer_entries: &str,
) -> Result<(), SignError> {
    let mut rows: Vec<XrefRow> = offsets.to_vec();
    rows.push((xref_num, xref_offset, 0));
    rows.sort_by_key(|(n, _, _)| *n);
    let mut data = Vec::new();
    let mut index = String::new();
    for (num, off, generation) in &rows {
        let off32 =
            u32::try_from(*off).map_err(|_| SignError::Unsupported("file larger than 4 GiB"))?;
        data.push(1u8);
        data.extend_from_slice(&off32.to_be_bytes());
        data.extend_from_slice(&generation.to_be_bytes());
        let _ = write!(index, "{num} 1 ");
    }
    out.extend_from_slice(
        format!(
            "{xref_num} 0 obj\n<< /Type /XRef {trailer_entries} /W [1 4 2] /Index [{}] /Length {} >>\nstream\n",
            index.trim_end(),
            data.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(&data);
    out.extend_from_slice(b"\nendstream\nendobj\n");
    Ok(())
}

/// Writes the update's cross-reference as a classic table and trailer.
fn write_xref_table(out: &mut Vec<u8>, offsets: &[XrefRow], trailer_entries: &str) {
    let mut xref = String::from("xref\n");
    for (num, off, generation) in offsets {
        let _ = write!(xref, "{num} 1\n{off:010} {generation:05} n\r\n");
    }
    let _ = write!(xref, "trailer\n<< {trailer_entries} >>\n");
    out.extend_from_slice(xref.as_bytes());
}

/// The /Contents value in the update: from its `<` to after its `>`.
struct ContentsGap {
    start: usize,
    end: usize,
}

/// Fills the /ByteRange placeholder of signature `sig_id` with the ranges around its
/// /Contents (of `reserve` bytes); returns where /Contents lies in the update.
fn patch_byte_range(
    out: &mut [u8],
    base: usize,
    offsets: &[XrefRow],
    sig_id: u32,
    reserve: usize,
    br_placeholder: &str,
) -> Result<ContentsGap, SignError> {
    let sig_off = offsets
        .iter()
        .find(|(n, _, _)| *n == sig_id)
        .map(|(_, o, _)| *o)
        .ok_or(SignError::Unsupported("signature object missing"))?;
    let sig_rel = sig_off.saturating_sub(base);
    let rel = crate::pdf::object::find(out, b"/Contents <", sig_rel)
        .ok_or(SignError::Unsupported("contents placeholder missing"))?;
    // In the update, then in the file.
    let gap_start_rel = rel + b"/Contents ".len();
    let gap_end_rel = gap_start_rel + reserve * 2 + 2;
    let gap_start = base + gap_start_rel;
    let gap_end = base + gap_end_rel;
    let end = base + out.len();
    let br_at = crate::pdf::object::find(out, br_placeholder.as_bytes(), sig_rel)
        .ok_or(SignError::Unsupported("byte range placeholder missing"))?;
    let br = format!(
        "/ByteRange [0 {:<width$} {:<width$} {:<width$}]",
        gap_start,
        gap_end,
        end - gap_end,
        width = BR_WIDTH
    );
    if br.len() != br_placeholder.len() {
        return Err(SignError::Unsupported(
            "byte range does not fit its placeholder",
        ));
    }
    out.get_mut(br_at..br_at + br.len())
        .ok_or(SignError::Unsupported("byte range slot out of range"))?
        .copy_from_slice(br.as_bytes());
    Ok(ContentsGap {
        start: gap_start_rel,
        end: gap_end_rel,
    })
}

/// The generation of object `num` in revision `rev` (0 for new or compressed objects): an
/// update that rewrites or refers to an object must use the generation the file gives it.
fn generation_of(doc: &Document<'_>, rev: usize, num: u32) -> u16 {
    match doc.entry(num, rev) {
        Some(crate::pdf::document::Entry::InFile { generation, .. }) => generation,
        _ => 0,
    }
}

/// [`sign_pdf`] writing into `out` (a file, a socket) instead of a new buffer: the input is
/// written as it is, then the signed revision, so memory stays about the size of the input.
pub fn sign_pdf_to<W: std::io::Write>(
    input: &[u8],
    signer: &dyn Signer,
    opts: &SignOptions<'_>,
    out: W,
) -> Result<u64, SignError> {
    let span = sign_span(input, opts);
    let _in = span.enter();
    logged(sign_pdf_to_unlogged(input, signer, opts, out))
}

fn sign_pdf_to_unlogged<W: std::io::Write>(
    input: &[u8],
    signer: &dyn Signer,
    opts: &SignOptions<'_>,
    out: W,
) -> Result<u64, SignError> {
    let prepared = prepare(
        input,
        signer.certificate(),
        signer.chain(),
        signer.algorithm(),
        opts,
    )?;
    let signature = signer.sign(prepared.to_be_signed())?;
    prepared.complete_to(&signature, out)
}

/// The `sign` span of a one-step signature: the SubFilter and the input's size (the field name
/// comes with the `signature prepared` event inside it).
fn sign_span(input: &[u8], opts: &SignOptions<'_>) -> tracing::Span {
    tracing::info_span!(
        "sign",
        sub_filter = opts.sub_filter.name(),
        input_bytes = input.len(),
        tsa = opts.tsa.is_some(),
    )
}

/// `result`, with its error as a debug event: the caller gets it and decides what it is worth.
fn logged<T>(result: Result<T, SignError>) -> Result<T, SignError> {
    match &result {
        // Its message holds the TSA's URL as given, which may carry a password; the `fetch`
        // span has already logged the exchange without it.
        Err(SignError::Timestamp(_)) => tracing::debug!("signing failed: no timestamp"),
        Err(e) => tracing::debug!(error = %e, "signing failed"),
        Ok(_) => {}
    }
    result
}

/// Signs in one step with a signer that holds (or reaches) the key.
pub fn sign_pdf(
    input: &[u8],
    signer: &dyn Signer,
    opts: &SignOptions<'_>,
) -> Result<Vec<u8>, SignError> {
    let span = sign_span(input, opts);
    let _in = span.enter();
    logged(sign_pdf_unlogged(input, signer, opts))
}

fn sign_pdf_unlogged(
    input: &[u8],
    signer: &dyn Signer,
    opts: &SignOptions<'_>,
) -> Result<Vec<u8>, SignError> {
    let prepared = prepare(
        input,
        signer.certificate(),
        signer.chain(),
        signer.algorithm(),
        opts,
    )?;
    let signature = signer.sign(prepared.to_be_signed())?;
    prepared.complete(&signature)
}
