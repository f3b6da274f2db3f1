//! Parsing: [`from_xml`] / [`from_xml_with`].
//!
//! Two stages. First a bounded tree is built from quick-xml's namespace-resolving reader
//! (depth, element count and entity rules enforced there, DOCTYPE refused); text borrows the
//! input where it can, so a large base64 attachment is not copied. Then the tree is mapped to
//! the typed [`Envelope`], matching elements by local name in the edXML namespace (or in no
//! namespace), whatever prefix the sender used.

use std::borrow::Cow;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_PAD_INDIFFERENT;
use quick_xml::XmlVersion;
use quick_xml::events::{BytesCData, BytesDecl, BytesStart, Event};
use quick_xml::name::{Namespace, PrefixDeclaration, ResolveResult};
use quick_xml::reader::NsReader;

use super::{
    Attachment, Business, BusinessDocType, Code, DocumentType, EDXML_NS, EdxmlDate, EdxmlError,
    EdxmlTimestamp, Envelope, Header, Message, MessageHeader, Organization, OtherInfo,
    ParseOptions, PromulgationInfo, RawXml, Reference, ReplacementInfo, ResponseFor, Signature,
    SignerInfo, StaffInfo, Status, TraceHeader, TraceHeaderList, XLINK_NS, zip,
};
use crate::exchange::status::ProcessingStatus;

/// Parses an edXML document with the default [`ParseOptions`]. Accepts `&str` or `&[u8]`.
pub fn from_xml(input: impl AsRef<[u8]>) -> Result<Envelope, EdxmlError> {
    from_xml_with(input, &ParseOptions::default())
}

/// Parses an edXML document with explicit limits.
pub fn from_xml_with(
    input: impl AsRef<[u8]>,
    options: &ParseOptions,
) -> Result<Envelope, EdxmlError> {
    let text = decode_utf8(input.as_ref())?;
    let root = build_tree(text, options, false)?;
    map_envelope(&root, text, options)
}

/// Used by [`RawXml::new`]: one well-formed element, nothing else around it.
pub(super) fn check_single_element(xml: &str) -> Result<(), EdxmlError> {
    let trimmed = xml.trim_start();
    if !trimmed.starts_with('<') || trimmed.starts_with("<?") || trimmed.starts_with("<!") {
        return Err(EdxmlError::Malformed {
            offset: 0,
            reason: "expected one element".into(),
        });
    }
    if let Some((at, c)) = first_non_xml_char(xml) {
        return Err(EdxmlError::Malformed {
            offset: u64::try_from(at).unwrap_or(u64::MAX),
            reason: format!("U+{:04X} is not a character XML 1.0 allows", u32::from(c)),
        });
    }
    build_tree(xml, &ParseOptions::default(), true).map(|_| ())
}

/// The first character XML 1.0 cannot carry, with its byte offset in `s`.
fn first_non_xml_char(s: &str) -> Option<(usize, char)> {
    s.char_indices()
        .find(|&(_, c)| !super::write::is_xml_char(c))
}

fn decode_utf8(input: &[u8]) -> Result<&str, EdxmlError> {
    const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
    if input.starts_with(b"\xFF\xFE") || input.starts_with(b"\xFE\xFF") {
        return Err(EdxmlError::UnsupportedEncoding("UTF-16".into()));
    }
    let (body, skipped) = match input.strip_prefix(UTF8_BOM) {
        Some(rest) => (rest, UTF8_BOM.len()),
        None => (input, 0),
    };
    std::str::from_utf8(body).map_err(|e| EdxmlError::NotUtf8 {
        offset: e.valid_up_to().saturating_add(skipped),
    })
}

// ---------------------------------------------------------------------------------------------
// Stage 1: a bounded tree
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ns {
    /// The edXML namespace.
    Edxml,
    /// No namespace (some senders omit it).
    Unbound,
    /// Any other namespace (XML-DSig, extensions).
    Other,
}

#[derive(Debug)]
struct Node<'a> {
    local: String,
    ns: Ns,
    /// `xlink:href` (or an unprefixed `href`), the only attribute edXML gives meaning to.
    href: Option<String>,
    /// Character data of a leaf element; text around child elements is dropped.
    text: Cow<'a, str>,
    children: Vec<Node<'a>>,
    /// Byte span of the element in the input (start tag to end tag inclusive).
    start: usize,
    end: usize,
}

impl<'a> Node<'a> {
    fn is(&self, local: &str) -> bool {
        self.local == local && matches!(self.ns, Ns::Edxml | Ns::Unbound)
    }
}

fn malformed(offset: u64, e: impl std::fmt::Display) -> EdxmlError {
    EdxmlError::Malformed {
        offset,
        reason: e.to_string(),
    }
}

fn to_usize(v: u64) -> usize {
    // Positions are offsets into an in-memory &str, so they fit in usize.
    usize::try_from(v).unwrap_or(usize::MAX)
}

/// Resolves a predefined or character entity reference; anything else is refused (no DTD can
/// declare one, since DOCTYPE is refused).
fn resolve_entity(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => {
            let num = name.strip_prefix('#')?;
            let code = match num.strip_prefix('x') {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse::<u32>().ok()?,
            };
            char::from_u32(code).filter(|&c| super::write::is_xml_char(c))
        }
    }
}

fn append<'a>(node: &mut Node<'a>, piece: Cow<'a, str>) {
    if !node.children.is_empty() {
        return; // text between child elements: formatting whitespace or mixed content, dropped
    }
    if node.text.is_empty() {
        node.text = piece;
    } else {
        node.text.to_mut().push_str(&piece);
    }
}

fn build_tree<'a>(
    input: &'a str,
    options: &ParseOptions,
    predeclare_edxml: bool,
) -> Result<Node<'a>, EdxmlError> {
    let mut reader = tree_reader(input, predeclare_edxml)?;
    let mut tree = TreeBuilder {
        options,
        stack: Vec::new(),
        root: None,
        elements: 0,
    };
    loop {
        let pos = reader.buffer_position();
        let (ns, event) = next_event(&mut reader)?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                tree.admit_element(pos)?;
                let node = element_node(&reader, pos, ns, e)?;
                tree.place(node, matches!(event, Event::Start(_)));
            }
            Event::End(_) => tree.close(pos, reader.buffer_position())?,
            Event::Text(t) => tree.text(pos, t.xml10_content())?,
            Event::CData(t) => tree.cdata(pos, &t)?,
            Event::GeneralRef(r) => tree.entity(pos, &r)?,
            Event::DocType(_) => return Err(EdxmlError::DocType { offset: pos }),
            Event::Decl(d) => check_declared_encoding(pos, &d)?,
            Event::Comment(_) | Event::PI(_) => {}
            Event::Eof => return tree.finish(pos),
        }
    }
}

/// The namespace-resolving reader over `input`: end names and comments checked, empty
/// elements kept as such, and the `edXML:` prefix bound when `predeclare_edxml` is set.
fn tree_reader(input: &str, predeclare_edxml: bool) -> Result<NsReader<&[u8]>, EdxmlError> {
    let mut reader = NsReader::from_str(input);
    {
        let config = reader.config_mut();
        config.check_end_names = true;
        config.check_comments = true;
        config.expand_empty_elements = false;
    }
    if predeclare_edxml {
        // A raw signature element written inside our envelope may use the `edXML:` prefix that
        // the envelope declares.
        reader
            .resolver_mut()
            .add(PrefixDeclaration::Named("edXML"), Namespace(EDXML_NS))
            .map_err(|e| malformed(0, e))?;
    }
    Ok(reader)
}

/// The next event with the namespace of its element; an undeclared prefix is an error.
fn next_event<'a>(reader: &mut NsReader<&'a [u8]>) -> Result<(Ns, Event<'a>), EdxmlError> {
    match reader.read_resolved_event() {
        Ok((resolved, event)) => {
            let ns = match resolved {
                ResolveResult::Bound(Namespace(uri)) if uri == EDXML_NS => Ns::Edxml,
                ResolveResult::Bound(_) => Ns::Other,
                ResolveResult::Unbound => Ns::Unbound,
                ResolveResult::Unknown(prefix) => {
                    return Err(EdxmlError::UnknownPrefix { prefix });
                }
            };
            Ok((ns, event))
        }
        Err(e) => Err(malformed(reader.error_position(), e)),
    }
}

/// The node for a start (or empty) tag read at `pos`, with no text or children yet.
fn element_node<'a>(
    reader: &NsReader<&[u8]>,
    pos: u64,
    ns: Ns,
    e: &BytesStart<'_>,
) -> Result<Node<'a>, EdxmlError> {
    let local = e.local_name().into_inner().to_owned();
    let href = element_href(reader, pos, e)?;
    Ok(Node {
        local,
        ns,
        href,
        text: Cow::Borrowed(""),
        children: Vec::new(),
        start: to_usize(pos),
        end: to_usize(reader.buffer_position()),
    })
}

/// The tag's `xlink:href` (or unprefixed `href`), normalized; the last one wins. Every
/// attribute is checked for well-formedness and a known prefix.
fn element_href(
    reader: &NsReader<&[u8]>,
    pos: u64,
    e: &BytesStart<'_>,
) -> Result<Option<String>, EdxmlError> {
    let mut href = None;
    for attr in e.attributes() {
        let attr = attr.map_err(|err| malformed(pos, err))?;
        let (attr_ns, attr_local) = reader.resolver().resolve_attribute(attr.key);
        let is_href = attr_local.as_ref() == "href"
            && match attr_ns {
                ResolveResult::Bound(Namespace(uri)) => uri == XLINK_NS,
                ResolveResult::Unbound => true,
                ResolveResult::Unknown(prefix) => {
                    return Err(EdxmlError::UnknownPrefix { prefix });
                }
            };
        if is_href {
            let value = attr
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(|err| malformed(pos, err))?;
            href = Some(value.into_owned());
        }
    }
    Ok(href)
}

/// Refuses an XML declaration that names an encoding other than UTF-8.
fn check_declared_encoding(pos: u64, d: &BytesDecl<'_>) -> Result<(), EdxmlError> {
    if let Some(enc) = d.encoding() {
        let enc = enc.map_err(|e| malformed(pos, e))?;
        let norm = enc.trim().to_ascii_lowercase();
        if norm != "utf-8" && norm != "utf8" {
            return Err(EdxmlError::UnsupportedEncoding(
                enc.chars().take(64).collect(),
            ));
        }
    }
    Ok(())
}

/// The tree under construction: the open elements, the finished root, the element count.
struct TreeBuilder<'a, 'o> {
    options: &'o ParseOptions,
    stack: Vec<Node<'a>>,
    root: Option<Node<'a>>,
    elements: usize,
}

impl<'a> TreeBuilder<'a, '_> {
    /// Counts a new element at `pos`, refusing a second root and the depth and count limits.
    fn admit_element(&mut self, pos: u64) -> Result<(), EdxmlError> {
        if self.root.is_some() {
            return Err(EdxmlError::TrailingContent { offset: pos });
        }
        if self.stack.len() >= self.options.max_depth {
            return Err(EdxmlError::TooDeep {
                limit: self.options.max_depth,
            });
        }
        self.elements = self.elements.saturating_add(1);
        if self.elements > self.options.max_elements {
            return Err(EdxmlError::TooManyElements {
                limit: self.options.max_elements,
            });
        }
        Ok(())
    }

    /// Opens `node` (a start tag) or, for an empty tag, completes it at once.
    fn place(&mut self, node: Node<'a>, open: bool) {
        if open {
            self.stack.push(node);
        } else {
            self.complete(node);
        }
    }

    /// Attaches a finished element to its parent, or makes it the root.
    fn complete(&mut self, node: Node<'a>) {
        match self.stack.last_mut() {
            Some(parent) => push_child(parent, node),
            None => self.root = Some(node),
        }
    }

    /// Closes the innermost open element at an end tag that finishes at `end`.
    fn close(&mut self, pos: u64, end: u64) -> Result<(), EdxmlError> {
        let Some(mut node) = self.stack.pop() else {
            return Err(malformed(pos, "unmatched end tag"));
        };
        node.end = to_usize(end);
        self.complete(node);
        Ok(())
    }

    /// Character data: kept in the open element; outside the root only whitespace is allowed.
    fn text(&mut self, pos: u64, piece: Cow<'a, str>) -> Result<(), EdxmlError> {
        match self.stack.last_mut() {
            Some(node) => append(node, piece),
            None if piece.trim().is_empty() => {}
            None => return Err(EdxmlError::TrailingContent { offset: pos }),
        }
        Ok(())
    }

    /// A CDATA section: kept in the open element, refused outside the root.
    fn cdata(&mut self, pos: u64, t: &BytesCData<'a>) -> Result<(), EdxmlError> {
        match self.stack.last_mut() {
            Some(node) => append(node, t.xml10_content()),
            None => return Err(EdxmlError::TrailingContent { offset: pos }),
        }
        Ok(())
    }

    /// An entity reference: a predefined or character one becomes text; any other is refused.
    fn entity(&mut self, pos: u64, name: &str) -> Result<(), EdxmlError> {
        let Some(c) = resolve_entity(name) else {
            return Err(EdxmlError::UnknownEntity {
                offset: pos,
                name: name.chars().take(64).collect(),
            });
        };
        match self.stack.last_mut() {
            Some(node) => {
                let mut buf = [0u8; 4];
                let s: &str = c.encode_utf8(&mut buf);
                append(node, Cow::Owned(s.to_owned()));
            }
            None => return Err(EdxmlError::TrailingContent { offset: pos }),
        }
        Ok(())
    }

    /// The root at the end of input, if every element was closed.
    fn finish(self, pos: u64) -> Result<Node<'a>, EdxmlError> {
        if !self.stack.is_empty() {
            return Err(malformed(pos, "unexpected end of input inside an element"));
        }
        self.root.ok_or_else(|| malformed(pos, "no root element"))
    }
}

fn push_child<'a>(parent: &mut Node<'a>, child: Node<'a>) {
    if parent.children.is_empty() {
        // The parent is a container: whatever text came before (indentation) is not data.
        parent.text = Cow::Borrowed("");
    }
    parent.children.push(child);
}

// ---------------------------------------------------------------------------------------------
// Stage 2: mapping to the typed envelope
// ---------------------------------------------------------------------------------------------

fn kids<'n, 'a>(n: &'n Node<'a>, local: &'n str) -> impl Iterator<Item = &'n Node<'a>> + 'n {
    n.children.iter().filter(move |c| c.is(local))
}

fn one<'n, 'a>(
    n: &'n Node<'a>,
    parent: &'static str,
    local: &'static str,
) -> Result<Option<&'n Node<'a>>, EdxmlError> {
    let mut it = kids(n, local);
    let first = it.next();
    if it.next().is_some() {
        return Err(EdxmlError::Duplicate {
            parent,
            element: local,
        });
    }
    Ok(first)
}

fn req<'n, 'a>(
    n: &'n Node<'a>,
    parent: &'static str,
    local: &'static str,
) -> Result<&'n Node<'a>, EdxmlError> {
    one(n, parent, local)?.ok_or(EdxmlError::Missing {
        parent,
        element: local,
    })
}

fn text(n: &Node, parent: &'static str, local: &'static str) -> Result<Option<String>, EdxmlError> {
    Ok(one(n, parent, local)?.map(|c| c.text.clone().into_owned()))
}

/// A leaf whose content is a token (date, number, code): surrounding whitespace is ignored and
/// an empty element means "absent".
fn token<'n>(
    n: &'n Node,
    parent: &'static str,
    local: &'static str,
) -> Result<Option<&'n str>, EdxmlError> {
    Ok(one(n, parent, local)?
        .map(|c| c.text.trim())
        .filter(|t| !t.is_empty()))
}

fn invalid(element: &'static str, value: &str, expected: &'static str) -> EdxmlError {
    EdxmlError::InvalidValue {
        element,
        // Bounded copy: the value is attacker-controlled.
        value: value.chars().take(128).collect(),
        expected,
    }
}

fn date(
    n: &Node,
    parent: &'static str,
    local: &'static str,
) -> Result<Option<EdxmlDate>, EdxmlError> {
    token(n, parent, local)?
        .map(|t| EdxmlDate::parse(t).ok_or_else(|| invalid(local, t, "yyyy/MM/dd")))
        .transpose()
}

fn timestamp(
    n: &Node,
    parent: &'static str,
    local: &'static str,
) -> Result<Option<EdxmlTimestamp>, EdxmlError> {
    token(n, parent, local)?
        .map(|t| EdxmlTimestamp::parse(t).ok_or_else(|| invalid(local, t, "yyyy/MM/dd HH:mm:ss")))
        .transpose()
}

fn number(n: &Node, parent: &'static str, local: &'static str) -> Result<Option<u32>, EdxmlError> {
    token(n, parent, local)?
        .map(|t| super::digits(t).ok_or_else(|| invalid(local, t, "a non-negative decimal number")))
        .transpose()
}

fn map_envelope(root: &Node, input: &str, options: &ParseOptions) -> Result<Envelope, EdxmlError> {
    let (envelope, attachments_node) = if root.is("edXML") {
        let env = req(root, "edXML", "edXMLEnvelope")?;
        let att = match one(root, "edXML", "AttachmentEncoded")? {
            Some(a) => Some(a),
            // Some senders put it inside the envelope.
            None => one(env, "edXMLEnvelope", "AttachmentEncoded")?,
        };
        (env, att)
    } else if root.is("edXMLEnvelope") {
        (root, one(root, "edXMLEnvelope", "AttachmentEncoded")?)
    } else {
        return Err(EdxmlError::UnexpectedRoot {
            found: root.local.chars().take(64).collect(),
        });
    };

    let header = map_header(req(envelope, "edXMLEnvelope", "edXMLHeader")?, input)?;

    let mut body_manifest = Vec::new();
    let manifest = match one(envelope, "edXMLEnvelope", "edXMLBody")? {
        Some(body) => one(body, "edXMLBody", "edXMLManifest")?,
        None => None,
    };
    if let Some(manifest) = manifest {
        for r in kids(manifest, "Reference") {
            if body_manifest.len() >= options.max_attachments {
                return Err(EdxmlError::TooManyAttachments {
                    limit: options.max_attachments,
                });
            }
            body_manifest.push(Reference {
                href: r.href.clone(),
                description: text(r, "Reference", "Description")?,
                attachment_name: text(r, "Reference", "AttachmentName")?,
                content_type: text(r, "Reference", "ContentType")?,
                content_id: text(r, "Reference", "ContentId")?,
            });
        }
    }

    let mut attachments = Vec::new();
    if let Some(list) = attachments_node {
        for (index, a) in kids(list, "Attachment").enumerate() {
            if index >= options.max_attachments {
                return Err(EdxmlError::TooManyAttachments {
                    limit: options.max_attachments,
                });
            }
            attachments.push(map_attachment(a, index, options)?);
        }
    }

    Ok(Envelope {
        header,
        body_manifest,
        attachments,
    })
}

fn map_attachment(
    a: &Node,
    index: usize,
    options: &ParseOptions,
) -> Result<Attachment, EdxmlError> {
    let name = text(a, "Attachment", "AttachmentName")?;
    let encoded = req(a, "Attachment", "ContentTransferEncoded")?;
    let mut content = decode_base64(&encoded.text, index, options.max_attachment_size)?;
    if options.unzip_attachments && zip::looks_zipped(&content) && !is_zip_format(name.as_deref()) {
        match zip::extract_single(&content, options.max_attachment_size) {
            Ok(Some(inner)) => content = inner,
            Ok(None) => {} // not a single-entry archive: a real archive sent as is
            Err(zip::Failure::TooLarge(size)) => {
                return Err(EdxmlError::AttachmentTooLarge {
                    index,
                    size,
                    limit: options.max_attachment_size,
                });
            }
            Err(zip::Failure::Bad(reason)) => return Err(EdxmlError::Zip { index, reason }),
        }
    }
    Ok(Attachment {
        content_type: text(a, "Attachment", "ContentType")?,
        content_id: text(a, "Attachment", "ContentId")?.ok_or(EdxmlError::Missing {
            parent: "Attachment",
            element: "ContentId",
        })?,
        description: text(a, "Attachment", "Description")?,
        name,
        content,
    })
}

/// File formats that are ZIP containers themselves and must never be unwrapped.
fn is_zip_format(name: Option<&str>) -> bool {
    const ZIP_BASED: [&str; 12] = [
        "zip", "docx", "xlsx", "pptx", "odt", "ods", "odp", "epub", "jar", "apk", "xps", "ofd",
    ];
    let Some(ext) = name.and_then(|n| n.rsplit_once('.')).map(|(_, e)| e) else {
        return false;
    };
    ZIP_BASED.iter().any(|z| z.eq_ignore_ascii_case(ext.trim()))
}

/// Decodes base64 (line breaks and other XML whitespace allowed, padding optional) after
/// checking the decoded size against `limit` from the encoded length alone.
fn decode_base64(encoded: &str, index: usize, limit: u64) -> Result<Vec<u8>, EdxmlError> {
    let is_ws = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    let significant = encoded.bytes().filter(|b| !is_ws(b)).count();
    let padding = encoded
        .bytes()
        .rev()
        .filter(|b| !is_ws(b))
        .take(2)
        .take_while(|&b| b == b'=')
        .count();
    // Each base64 character carries 6 bits; this is the exact decoded size of valid input.
    let estimate = u64::try_from(significant.saturating_sub(padding)).unwrap_or(u64::MAX) / 4 * 3
        + u64::try_from(significant.saturating_sub(padding) % 4 * 3 / 4).unwrap_or(0);
    if estimate > limit {
        return Err(EdxmlError::AttachmentTooLarge {
            index,
            size: estimate,
            limit,
        });
    }
    let compact: Cow<'_, [u8]> = if significant == encoded.len() {
        Cow::Borrowed(encoded.as_bytes())
    } else {
        Cow::Owned(encoded.bytes().filter(|b| !is_ws(b)).collect())
    };
    STANDARD_PAD_INDIFFERENT
        .decode(compact.as_ref())
        .map_err(|_| EdxmlError::Base64 { index })
}

fn organization(n: &Node, parent: &'static str) -> Result<Organization, EdxmlError> {
    let organ_id = text(n, parent, "OrganId")?.ok_or(EdxmlError::Missing {
        parent,
        element: "OrganId",
    })?;
    Ok(Organization {
        organ_id,
        organization_in_charge: text(n, parent, "OrganizationInCharge")?,
        organ_name: text(n, parent, "OrganName")?,
        organ_add: text(n, parent, "OrganAdd")?,
        email: text(n, parent, "Email")?,
        telephone: text(n, parent, "Telephone")?,
        fax: text(n, parent, "Fax")?,
        website: text(n, parent, "Website")?,
    })
}

fn response_for(n: &Node) -> Result<ResponseFor, EdxmlError> {
    const P: &str = "ResponseFor";
    Ok(ResponseFor {
        organ_id: text(n, P, "OrganId")?,
        code: text(n, P, "Code")?,
        promulgation_date: date(n, P, "PromulgationDate")?,
        document_id: text(n, P, "DocumentId")?,
    })
}

fn staff_info(n: &Node) -> Result<StaffInfo, EdxmlError> {
    const P: &str = "StaffInfo";
    Ok(StaffInfo {
        department: text(n, P, "Department")?,
        staff: text(n, P, "Staff")?,
        mobile: text(n, P, "Mobile")?,
        email: text(n, P, "Email")?,
    })
}

fn map_header(h: &Node, input: &str) -> Result<Header, EdxmlError> {
    const P: &str = "edXMLHeader";
    let message = match (one(h, P, "MessageHeader")?, one(h, P, "Status")?) {
        (Some(_), Some(_)) => return Err(EdxmlError::BothMessageKinds),
        (None, None) => return Err(EdxmlError::NoMessage),
        (Some(m), None) => Message::Edoc(Box::new(message_header(m)?)),
        (None, Some(s)) => Message::Status(Box::new(status(s)?)),
    };
    let trace = match one(h, P, "TraceHeaderList")? {
        Some(t) => trace_list(t)?,
        None => TraceHeaderList::default(),
    };
    // The first signature element is kept; XML-DSig `Signature` may be in its own namespace.
    let signature = match h
        .children
        .iter()
        .find(|c| c.local == "Signature" || c.is("DigitalSignature"))
    {
        None => Signature::None,
        Some(s) if s.local == "DigitalSignature" && s.children.is_empty() => {
            if s.text.trim().is_empty() {
                Signature::EmptyDigitalSignature
            } else {
                raw_signature(s, input)?
            }
        }
        Some(s) => raw_signature(s, input)?,
    };
    Ok(Header {
        message,
        trace,
        signature,
    })
}

/// The signature element as received. It is written back verbatim (the signature covers its
/// bytes), so unlike text it cannot have characters XML 1.0 cannot carry replaced: such a
/// signature is refused rather than written back as XML no reader accepts.
fn raw_signature(s: &Node, input: &str) -> Result<Signature, EdxmlError> {
    let Some(whole) = input.get(s.start..s.end) else {
        return Ok(Signature::None);
    };
    // Skip whatever whitespace the reader position included before `<`.
    let raw = whole.trim_start();
    let lead = whole.len() - raw.len();
    if let Some((at, c)) = first_non_xml_char(raw) {
        return Err(EdxmlError::InvalidValue {
            element: "Signature",
            value: format!("U+{:04X} at byte {}", u32::from(c), s.start + lead + at),
            expected: "characters XML 1.0 allows (the signature is kept verbatim)",
        });
    }
    Ok(Signature::Xml(RawXml::from_parsed(raw.to_owned())))
}

fn message_header(m: &Node) -> Result<MessageHeader, EdxmlError> {
    const P: &str = "MessageHeader";
    let from = organization(req(m, P, "From")?, "From")?;
    let to = kids(m, "To")
        .map(|t| organization(t, "To"))
        .collect::<Result<Vec<_>, _>>()?;
    if to.is_empty() {
        return Err(EdxmlError::Missing {
            parent: P,
            element: "To",
        });
    }
    let code = one(m, P, "Code")?
        .map(|c| -> Result<Code, EdxmlError> {
            Ok(Code {
                code_number: text(c, "Code", "CodeNumber")?,
                code_notation: text(c, "Code", "CodeNotation")?,
            })
        })
        .transpose()?;
    let promulgation_info = one(m, P, "PromulgationInfo")?
        .map(|p| -> Result<PromulgationInfo, EdxmlError> {
            Ok(PromulgationInfo {
                place: text(p, "PromulgationInfo", "Place")?,
                promulgation_date: date(p, "PromulgationInfo", "PromulgationDate")?,
            })
        })
        .transpose()?;
    let document_type = one(m, P, "DocumentType")?
        .map(|d| -> Result<DocumentType, EdxmlError> {
            Ok(DocumentType {
                type_code: text(d, "DocumentType", "Type")?,
                type_name: text(d, "DocumentType", "TypeName")?,
                type_detail: text(d, "DocumentType", "TypeDetail")?,
            })
        })
        .transpose()?;
    let signer_info = one(m, P, "SignerInfo")?
        .map(|s| -> Result<SignerInfo, EdxmlError> {
            Ok(SignerInfo {
                competence: text(s, "SignerInfo", "Competence")?,
                position: text(s, "SignerInfo", "Position")?,
                full_name: text(s, "SignerInfo", "FullName")?,
            })
        })
        .transpose()?;
    let to_places = match one(m, P, "ToPlaces")? {
        Some(tp) => kids(tp, "Place").map(|p| p.text.to_string()).collect(),
        None => Vec::new(),
    };
    let other_info = one(m, P, "OtherInfo")?
        .map(|o| -> Result<OtherInfo, EdxmlError> {
            const O: &str = "OtherInfo";
            Ok(OtherInfo {
                priority: text(o, O, "Priority")?,
                sphere_of_promulgation: text(o, O, "SphereOfPromulgation")?,
                typer_notation: text(o, O, "TyperNotation")?,
                promulgation_amount: number(o, O, "PromulgationAmount")?,
                page_amount: number(o, O, "PageAmount")?,
                appendixes: match one(o, O, "Appendixes")? {
                    Some(a) => kids(a, "Appendix").map(|x| x.text.to_string()).collect(),
                    None => Vec::new(),
                },
            })
        })
        .transpose()?;
    let response_for = kids(m, "ResponseFor")
        .map(response_for)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(MessageHeader {
        from,
        to,
        code,
        promulgation_info,
        document_type,
        subject: text(m, P, "Subject")?,
        content: text(m, P, "Content")?,
        signer_info,
        due_date: date(m, P, "DueDate")?,
        to_places,
        other_info,
        response_for,
        steering_type: text(m, P, "SteeringType")?,
        document_id: text(m, P, "DocumentId")?,
    })
}

fn status(s: &Node) -> Result<Status, EdxmlError> {
    const P: &str = "Status";
    let code = token(s, P, "StatusCode")?.ok_or(EdxmlError::Missing {
        parent: P,
        element: "StatusCode",
    })?;
    let status_code = ProcessingStatus::parse(code)
        .ok_or_else(|| invalid("StatusCode", code, "01-06 or 13-16"))?;
    Ok(Status {
        response_for: match one(s, P, "ResponseFor")? {
            Some(r) => response_for(r)?,
            None => ResponseFor::default(),
        },
        from: organization(req(s, P, "From")?, "From")?,
        status_code,
        description: text(s, P, "Description")?,
        timestamp: timestamp(s, P, "Timestamp")?,
        staff_info: one(s, P, "StaffInfo")?.map(staff_info).transpose()?,
    })
}

fn trace_list(t: &Node) -> Result<TraceHeaderList, EdxmlError> {
    const P: &str = "TraceHeaderList";
    let trace_headers = kids(t, "TraceHeader")
        .map(|th| -> Result<TraceHeader, EdxmlError> {
            Ok(TraceHeader {
                organ_id: text(th, "TraceHeader", "OrganId")?.ok_or(EdxmlError::Missing {
                    parent: "TraceHeader",
                    element: "OrganId",
                })?,
                timestamp: timestamp(th, "TraceHeader", "Timestamp")?,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let business = one(t, P, "Bussiness")?.map(business).transpose()?;
    Ok(TraceHeaderList {
        trace_headers,
        business,
    })
}

fn business(b: &Node) -> Result<Business, EdxmlError> {
    const P: &str = "Bussiness";
    let doc_type = match token(b, P, "BussinessDocType")? {
        None => BusinessDocType::New,
        Some(t) => BusinessDocType::parse(t)
            .ok_or_else(|| invalid("BussinessDocType", t, "0, 1, 2 or 3"))?,
    };
    let paper = match token(b, P, "Paper")? {
        None => None,
        Some("0") | Some("false") => Some(false),
        Some("1") | Some("true") => Some(true),
        Some(t) => return Err(invalid("Paper", t, "0 or 1")),
    };
    let mut replacement_info = Vec::new();
    if let Some(list) = one(b, P, "ReplacementInfoList")? {
        for r in kids(list, "ReplacementInfo") {
            let document_id =
                text(r, "ReplacementInfo", "DocumentId")?.ok_or(EdxmlError::Missing {
                    parent: "ReplacementInfo",
                    element: "DocumentId",
                })?;
            let organ_ids = match one(r, "ReplacementInfo", "OrganIdList")? {
                Some(l) => kids(l, "OrganId").map(|o| o.text.to_string()).collect(),
                None => Vec::new(),
            };
            replacement_info.push(ReplacementInfo {
                document_id,
                organ_ids,
            });
        }
    }
    Ok(Business {
        doc_type,
        doc_reason: text(b, P, "BussinessDocReason")?,
        document_id: text(b, P, "DocumentId")?,
        staff_info: one(b, P, "StaffInfo")?.map(staff_info).transpose()?,
        paper,
        replacement_info,
    })
}
