//! Serialisation: [`to_xml`] / [`write_xml`].

use std::io::{self, Write};

use base64::engine::general_purpose::STANDARD;
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use super::{
    Business, Code, DocumentType, EDXML_NS, Envelope, Message, MessageHeader, Organization,
    OtherInfo, PromulgationInfo, Reference, ResponseFor, Signature, SignerInfo, StaffInfo, Status,
    TraceHeaderList, XLINK_NS,
};

/// Writes `envelope` as an edXML document (UTF-8, indented by two spaces).
///
/// Every envelope element carries the `edXML:` prefix; `AttachmentEncoded` is written only when
/// there are attachments, outside the envelope and without prefix.
pub fn to_xml(envelope: &Envelope) -> String {
    let mut out = Vec::new();
    // Writing into a Vec<u8> cannot fail: `write_all` on a Vec only errors on allocation
    // failure, which aborts instead. The error arm is therefore unreachable in practice.
    if write_xml(envelope, &mut out).is_err() {
        return String::new();
    }
    // Every byte written comes from a `&str` or from ASCII markup and base64, so this is
    // lossless.
    String::from_utf8_lossy(&out).into_owned()
}

/// Writes `envelope` to `out`, streaming attachment content as base64 (no second copy of the
/// encoded content is held in memory).
pub fn write_xml<W: Write>(envelope: &Envelope, out: W) -> io::Result<()> {
    let mut w = X {
        w: Writer::new_with_indent(out, b' ', 2),
    };
    w.w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let mut root = BytesStart::new("edXML");
    root.push_attribute(("xmlns", EDXML_NS));
    w.w.write_event(Event::Start(root))?;

    let mut env = BytesStart::new("edXML:edXMLEnvelope");
    env.push_attribute(("xmlns:edXML", EDXML_NS));
    w.w.write_event(Event::Start(env))?;

    w.start("edXML:edXMLHeader")?;
    match &envelope.header.message {
        Message::Edoc(h) => w.message_header(h)?,
        Message::Status(s) => w.status(s)?,
    }
    w.trace(&envelope.header.trace)?;
    match &envelope.header.signature {
        Signature::None => {}
        Signature::EmptyDigitalSignature => {
            w.w.write_event(Event::Empty(BytesStart::new("edXML:DigitalSignature")))?
        }
        Signature::Xml(raw) => {
            // Written verbatim: the signature covers these bytes. `RawXml` guarantees one
            // well-formed element. An empty text event stops the writer from indenting.
            w.w.write_indent()?;
            w.w.write_event(Event::Text(BytesText::from_escaped("")))?;
            w.w.get_mut().write_all(raw.as_str().as_bytes())?;
            // Line break and indentation before `</edXML:edXMLHeader>` (depth 2).
            w.w.write_event(Event::Text(BytesText::from_escaped("\n    ")))?;
        }
    }
    w.end("edXML:edXMLHeader")?;

    w.start("edXML:edXMLBody")?;
    w.start("edXML:edXMLManifest")?;
    for r in &envelope.body_manifest {
        w.reference(r)?;
    }
    w.end("edXML:edXMLManifest")?;
    w.end("edXML:edXMLBody")?;
    w.end("edXML:edXMLEnvelope")?;

    if !envelope.attachments.is_empty() {
        w.start("AttachmentEncoded")?;
        for a in &envelope.attachments {
            w.start("Attachment")?;
            w.opt("ContentType", a.content_type.as_deref())?;
            w.leaf("ContentId", &a.content_id)?;
            w.opt("Description", a.description.as_deref())?;
            w.w.write_event(Event::Start(BytesStart::new("ContentTransferEncoded")))?;
            w.w.write_event(Event::Text(BytesText::from_escaped("")))?;
            {
                let mut enc = base64::write::EncoderWriter::new(w.w.get_mut(), &STANDARD);
                enc.write_all(&a.content)?;
                enc.finish()?;
            }
            w.w.write_event(Event::End(BytesEnd::new("ContentTransferEncoded")))?;
            w.opt("AttachmentName", a.name.as_deref())?;
            w.end("Attachment")?;
        }
        w.end("AttachmentEncoded")?;
    }
    w.end("edXML")?;
    w.w.get_mut().write_all(b"\n")?;
    Ok(())
}

/// Escapes text content and attribute values so that the reader gives back exactly `s`:
/// markup characters become entities, CR becomes `&#13;` (a literal CR would be normalised to
/// LF by any XML reader), and characters XML 1.0 cannot carry become U+FFFD.
pub(super) fn escape(s: &str, attribute: bool) -> std::borrow::Cow<'_, str> {
    let needs = s.chars().any(|c| {
        matches!(c, '&' | '<' | '>' | '"' | '\r') || !is_xml_char(c) || (attribute && c < ' ')
    });
    if !needs {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len().saturating_add(16));
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\r' => out.push_str("&#13;"),
            // Attribute-value normalisation turns literal tab/newline into spaces.
            '\t' if attribute => out.push_str("&#9;"),
            '\n' if attribute => out.push_str("&#10;"),
            c if !is_xml_char(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// XML 1.0 `Char` production (§2.2).
pub(super) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

struct X<W: Write> {
    w: Writer<W>,
}

impl<W: Write> X<W> {
    fn start(&mut self, name: &str) -> io::Result<()> {
        self.w.write_event(Event::Start(BytesStart::new(name)))
    }

    fn end(&mut self, name: &str) -> io::Result<()> {
        self.w.write_event(Event::End(BytesEnd::new(name)))
    }

    fn leaf(&mut self, name: &str, text: &str) -> io::Result<()> {
        self.start(name)?;
        self.w
            .write_event(Event::Text(BytesText::from_escaped(escape(text, false))))?;
        self.end(name)
    }

    fn opt(&mut self, name: &str, text: Option<&str>) -> io::Result<()> {
        match text {
            Some(t) => self.leaf(name, t),
            None => Ok(()),
        }
    }

    fn opt_display<T: std::fmt::Display>(&mut self, name: &str, v: Option<T>) -> io::Result<()> {
        match v {
            Some(v) => self.leaf(name, &v.to_string()),
            None => Ok(()),
        }
    }

    fn organization(&mut self, name: &str, o: &Organization) -> io::Result<()> {
        self.start(name)?;
        self.leaf("edXML:OrganId", &o.organ_id)?;
        self.opt(
            "edXML:OrganizationInCharge",
            o.organization_in_charge.as_deref(),
        )?;
        self.opt("edXML:OrganName", o.organ_name.as_deref())?;
        self.opt("edXML:OrganAdd", o.organ_add.as_deref())?;
        self.opt("edXML:Email", o.email.as_deref())?;
        self.opt("edXML:Telephone", o.telephone.as_deref())?;
        self.opt("edXML:Fax", o.fax.as_deref())?;
        self.opt("edXML:Website", o.website.as_deref())?;
        self.end(name)
    }

    fn code(&mut self, c: &Code) -> io::Result<()> {
        self.start("edXML:Code")?;
        self.opt("edXML:CodeNumber", c.code_number.as_deref())?;
        self.opt("edXML:CodeNotation", c.code_notation.as_deref())?;
        self.end("edXML:Code")
    }

    fn promulgation(&mut self, p: &PromulgationInfo) -> io::Result<()> {
        self.start("edXML:PromulgationInfo")?;
        self.opt("edXML:Place", p.place.as_deref())?;
        self.opt_display("edXML:PromulgationDate", p.promulgation_date)?;
        self.end("edXML:PromulgationInfo")
    }

    fn document_type(&mut self, d: &DocumentType) -> io::Result<()> {
        self.start("edXML:DocumentType")?;
        self.opt("edXML:Type", d.type_code.as_deref())?;
        self.opt("edXML:TypeName", d.type_name.as_deref())?;
        self.opt("edXML:TypeDetail", d.type_detail.as_deref())?;
        self.end("edXML:DocumentType")
    }

    fn signer(&mut self, s: &SignerInfo) -> io::Result<()> {
        self.start("edXML:SignerInfo")?;
        self.opt("edXML:Competence", s.competence.as_deref())?;
        self.opt("edXML:Position", s.position.as_deref())?;
        self.opt("edXML:FullName", s.full_name.as_deref())?;
        self.end("edXML:SignerInfo")
    }

    fn other_info(&mut self, o: &OtherInfo) -> io::Result<()> {
        self.start("edXML:OtherInfo")?;
        self.opt("edXML:Priority", o.priority.as_deref())?;
        self.opt(
            "edXML:SphereOfPromulgation",
            o.sphere_of_promulgation.as_deref(),
        )?;
        self.opt("edXML:TyperNotation", o.typer_notation.as_deref())?;
        self.opt_display("edXML:PromulgationAmount", o.promulgation_amount)?;
        self.opt_display("edXML:PageAmount", o.page_amount)?;
        if !o.appendixes.is_empty() {
            self.start("edXML:Appendixes")?;
            for a in &o.appendixes {
                self.leaf("edXML:Appendix", a)?;
            }
            self.end("edXML:Appendixes")?;
        }
        self.end("edXML:OtherInfo")
    }

    fn response_for(&mut self, r: &ResponseFor) -> io::Result<()> {
        self.start("edXML:ResponseFor")?;
        self.opt("edXML:OrganId", r.organ_id.as_deref())?;
        self.opt("edXML:Code", r.code.as_deref())?;
        self.opt_display("edXML:PromulgationDate", r.promulgation_date)?;
        self.opt("edXML:DocumentId", r.document_id.as_deref())?;
        self.end("edXML:ResponseFor")
    }

    fn staff(&mut self, s: &StaffInfo) -> io::Result<()> {
        self.start("edXML:StaffInfo")?;
        self.opt("edXML:Department", s.department.as_deref())?;
        self.opt("edXML:Staff", s.staff.as_deref())?;
        self.opt("edXML:Mobile", s.mobile.as_deref())?;
        self.opt("edXML:Email", s.email.as_deref())?;
        self.end("edXML:StaffInfo")
    }

    fn message_header(&mut self, h: &MessageHeader) -> io::Result<()> {
        self.start("edXML:MessageHeader")?;
        self.organization("edXML:From", &h.from)?;
        for to in &h.to {
            self.organization("edXML:To", to)?;
        }
        if let Some(c) = &h.code {
            self.code(c)?;
        }
        if let Some(p) = &h.promulgation_info {
            self.promulgation(p)?;
        }
        if let Some(d) = &h.document_type {
            self.document_type(d)?;
        }
        self.opt("edXML:Subject", h.subject.as_deref())?;
        self.opt("edXML:Content", h.content.as_deref())?;
        if let Some(s) = &h.signer_info {
            self.signer(s)?;
        }
        self.opt_display("edXML:DueDate", h.due_date)?;
        if !h.to_places.is_empty() {
            self.start("edXML:ToPlaces")?;
            for p in &h.to_places {
                self.leaf("edXML:Place", p)?;
            }
            self.end("edXML:ToPlaces")?;
        }
        if let Some(o) = &h.other_info {
            self.other_info(o)?;
        }
        for r in &h.response_for {
            self.response_for(r)?;
        }
        self.opt("edXML:SteeringType", h.steering_type.as_deref())?;
        self.opt("edXML:DocumentId", h.document_id.as_deref())?;
        self.end("edXML:MessageHeader")
    }

    fn status(&mut self, s: &Status) -> io::Result<()> {
        self.start("edXML:Status")?;
        self.response_for(&s.response_for)?;
        self.organization("edXML:From", &s.from)?;
        self.leaf("edXML:StatusCode", s.status_code.code())?;
        self.opt("edXML:Description", s.description.as_deref())?;
        self.opt_display("edXML:Timestamp", s.timestamp)?;
        if let Some(staff) = &s.staff_info {
            self.staff(staff)?;
        }
        self.end("edXML:Status")
    }

    fn business(&mut self, b: &Business) -> io::Result<()> {
        self.start("edXML:Bussiness")?;
        self.leaf("edXML:BussinessDocType", b.doc_type.as_str())?;
        self.opt("edXML:BussinessDocReason", b.doc_reason.as_deref())?;
        self.opt("edXML:DocumentId", b.document_id.as_deref())?;
        if let Some(s) = &b.staff_info {
            self.staff(s)?;
        }
        self.opt("edXML:Paper", b.paper.map(|p| if p { "1" } else { "0" }))?;
        if !b.replacement_info.is_empty() {
            self.start("edXML:ReplacementInfoList")?;
            for r in &b.replacement_info {
                self.start("edXML:ReplacementInfo")?;
                self.leaf("edXML:DocumentId", &r.document_id)?;
                self.start("edXML:OrganIdList")?;
                for id in &r.organ_ids {
                    self.leaf("edXML:OrganId", id)?;
                }
                self.end("edXML:OrganIdList")?;
                self.end("edXML:ReplacementInfo")?;
            }
            self.end("edXML:ReplacementInfoList")?;
        }
        self.end("edXML:Bussiness")
    }

    fn trace(&mut self, t: &TraceHeaderList) -> io::Result<()> {
        self.start("edXML:TraceHeaderList")?;
        for th in &t.trace_headers {
            self.start("edXML:TraceHeader")?;
            self.leaf("edXML:OrganId", &th.organ_id)?;
            self.opt_display("edXML:Timestamp", th.timestamp)?;
            self.end("edXML:TraceHeader")?;
        }
        if let Some(b) = &t.business {
            self.business(b)?;
        }
        self.end("edXML:TraceHeaderList")
    }

    fn reference(&mut self, r: &Reference) -> io::Result<()> {
        let mut start = BytesStart::new("edXML:Reference");
        if let Some(href) = &r.href {
            start.push_attribute(("xmlns:xlink", XLINK_NS));
            // `push_attribute` with a (&str, &str) pair escapes with quick-xml's rules, which
            // do not protect CR/LF/TAB from attribute-value normalisation: escape ourselves
            // and insert the already-escaped value.
            let escaped = escape(href, true);
            start.push_attribute(quick_xml::events::attributes::Attribute {
                key: quick_xml::name::QName("xlink:href"),
                value: std::borrow::Cow::Borrowed(escaped.as_ref()),
            });
            start.push_attribute(("xlink:type", "simple"));
        }
        self.w.write_event(Event::Start(start))?;
        self.opt("edXML:Description", r.description.as_deref())?;
        self.opt("edXML:AttachmentName", r.attachment_name.as_deref())?;
        self.opt("edXML:ContentType", r.content_type.as_deref())?;
        self.opt("edXML:ContentId", r.content_id.as_deref())?;
        self.end("edXML:Reference")
    }
}
