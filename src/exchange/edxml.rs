//! edXML envelopes (QCVN 102:2016/BTTTT): the message format of the national document axis.
//!
//! An edXML file carries one e-document (or one processing status) between two document
//! management systems, hop by hop through the provincial hubs (LGSP) and the national axis:
//!
//! ```text
//! <edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">
//!   <edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">
//!     <edXML:edXMLHeader>
//!       <edXML:MessageHeader> … </edXML:MessageHeader>     (or <edXML:Status> … </edXML:Status>)
//!       <edXML:TraceHeaderList> TraceHeader* Bussiness? </edXML:TraceHeaderList>
//!       <edXML:DigitalSignature/>                           (or an XMLDSig <Signature>)
//!     </edXML:edXMLHeader>
//!     <edXML:edXMLBody>
//!       <edXML:edXMLManifest> <edXML:Reference xlink:href="cid:…"> … </edXML:Reference>* </…>
//!     </edXML:edXMLBody>
//!   </edXML:edXMLEnvelope>
//!   <AttachmentEncoded> <Attachment> … base64 … </Attachment>* </AttachmentEncoded>
//! </edXML>
//! ```
//!
//! * [`to_xml`] writes exactly that shape. Every element of the envelope carries the `edXML:`
//!   prefix: the national axis rejects unprefixed envelope children even though the default
//!   namespace is the same URI (REFERENCE.md §4). `AttachmentEncoded` sits outside the envelope,
//!   unprefixed, in the default namespace.
//! * [`from_xml`] reads what public SDKs emit: the `edXML:` prefix, any other prefix bound to the
//!   edXML namespace, the default namespace without prefix, or no namespace at all; attachments
//!   raw or zipped before base64; optional blocks missing. It treats the input as hostile:
//!   DOCTYPE declarations are refused (so no entity can be declared or expanded), nesting depth,
//!   element count, attachment count and decoded attachment size are bounded
//!   ([`ParseOptions`]), and every failure is a typed [`EdxmlError`].
//! * [`pack`] / [`unpack`] are the `vnedoc edxml pack|unpack` helpers.
//!
//! In the typed envelope an `Option` field is `None` when its element is absent, and [`to_xml`]
//! writes no element for `None`. A text field reads an empty element as `Some("")`; dates,
//! timestamps and numbers read an empty element as `None`. Field documentation names the
//! element each field maps to.
//!
//! ```
//! use vnedoc::exchange::edxml::*;
//!
//! let mut header = MessageHeader::new(
//!     Organization::new("000.00.00.G22"),
//!     vec![Organization::new("000.00.00.H41")],
//! );
//! header.subject = Some("Về việc triển khai văn bản điện tử".into());
//! let envelope = Envelope::new(Header::edoc(header));
//! let xml = to_xml(&envelope);
//! assert!(xml.contains("<edXML:Subject>Về việc triển khai văn bản điện tử</edXML:Subject>"));
//! assert_eq!(from_xml(xml.as_bytes())?, envelope);
//! # Ok::<(), EdxmlError>(())
//! ```
//!
//! ## Limitations
//! * Only UTF-8 input is read (edXML is exchanged as UTF-8); other declared encodings are
//!   refused with [`EdxmlError::UnsupportedEncoding`].
//! * The XML signature of the header is kept as raw XML and written back verbatim; it is not
//!   verified here. If it uses a namespace prefix declared on an ancestor element, the prefix is
//!   not re-declared when the envelope is written again.
//! * Attributes other than `xlink:href` (e.g. the SOAP-style `id`/`actor` of
//!   `TraceHeaderList`) and elements unknown to QCVN 102 are ignored when reading.
//! * Zipped attachment content is unzipped when read, and written back unzipped.
//! * Characters that XML 1.0 cannot carry (C0 controls other than tab/newline/CR) are read
//!   leniently in text and written as U+FFFD. In the signature element, which is written back
//!   verbatim, they are refused ([`EdxmlError::InvalidValue`] for `Signature`; [`RawXml::new`]
//!   refuses them too), so [`to_xml`] never writes them.

mod pack;
mod read;
mod write;
mod zip;

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::status::ProcessingStatus;

pub use pack::{
    AttachmentInfo, Metadata, PackFile, UnpackReport, guess_content_type, pack, unpack,
};
pub use read::{from_xml, from_xml_with};
pub use write::{to_xml, write_xml};

/// The edXML namespace of QCVN 102:2016.
pub const EDXML_NS: &str = "http://www.mic.gov.vn/TBT/QCVN_102_2016";
/// XLink, used by `edXML:Reference/@xlink:href`.
pub const XLINK_NS: &str = "http://www.w3.org/1999/xlink";
/// XML-DSig, the namespace of an enveloped `Signature` in the header.
pub const XMLDSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";

/// Default bound on one attachment's decoded size: 64 MiB. The national axis SDKs do not
/// publish a limit; 64 MiB is well above the scanned PDFs and office files exchanged in
/// practice and keeps one envelope's memory use predictable.
pub const DEFAULT_MAX_ATTACHMENT_SIZE: u64 = 64 * 1024 * 1024;
/// Default bound on element nesting. A QCVN 102 envelope nests 7 levels deep
/// (`edXML/edXMLEnvelope/edXMLHeader/MessageHeader/OtherInfo/Appendixes/Appendix`) and an
/// enveloped XML-DSig signature adds about 6 more; 32 leaves room for extensions.
pub const DEFAULT_MAX_DEPTH: usize = 32;
/// Default bound on the number of elements in one file: an envelope with 1,000 recipients and
/// 1,000 attachments holds about 25,000 elements. The bound keeps the in-memory tree of a
/// hostile file (millions of `<a/>`) small.
pub const DEFAULT_MAX_ELEMENTS: usize = 200_000;
/// Default bound on the number of attachments (and of manifest references).
pub const DEFAULT_MAX_ATTACHMENTS: usize = 1_000;

// ---------------------------------------------------------------------------------------------
// Envelope
// ---------------------------------------------------------------------------------------------

/// One edXML file: the header, the body manifest and the attachments carried beside the
/// envelope in `AttachmentEncoded`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// `edXMLHeader`: the message, the trace list and the signature.
    pub header: Header,
    /// `edXMLBody/edXMLManifest/Reference*`.
    #[serde(default)]
    pub body_manifest: Vec<Reference>,
    /// `AttachmentEncoded/Attachment*`, decoded (and unzipped).
    #[serde(default)]
    pub attachments: Vec<Attachment>,
}

impl Envelope {
    /// An envelope without attachments.
    pub fn new(header: Header) -> Self {
        Envelope {
            header,
            body_manifest: Vec::new(),
            attachments: Vec::new(),
        }
    }

    /// Appends the trace entry a hop adds when it forwards the envelope.
    pub fn append_trace(&mut self, organ_id: impl Into<String>, timestamp: EdxmlTimestamp) {
        self.header.trace.trace_headers.push(TraceHeader {
            organ_id: organ_id.into(),
            timestamp: Some(timestamp),
        });
    }

    /// Adds an attachment and its manifest reference (`xlink:href="cid:{content_id}"`).
    pub fn add_attachment(&mut self, attachment: Attachment) {
        self.body_manifest.push(Reference {
            href: Some(format!("cid:{}", attachment.content_id)),
            description: attachment.description.clone(),
            attachment_name: attachment.name.clone(),
            content_type: attachment.content_type.clone(),
            content_id: Some(format!("cid:{}", attachment.content_id)),
        });
        self.attachments.push(attachment);
    }

    /// The edoc header, if this is an edoc (not a status) message.
    pub fn message_header(&self) -> Option<&MessageHeader> {
        match &self.header.message {
            Message::Edoc(h) => Some(h.as_ref()),
            Message::Status(_) => None,
        }
    }

    /// The status, if this is a status message.
    pub fn status(&self) -> Option<&Status> {
        match &self.header.message {
            Message::Status(s) => Some(s.as_ref()),
            Message::Edoc(_) => None,
        }
    }

    /// Checks what a sender must get right before sending (the parser is more lenient about
    /// what it receives): a sender `OrganId`, at least one recipient each with an `OrganId`,
    /// unique non-empty attachment content ids, and every manifest reference resolving to an
    /// attachment.
    pub fn validate(&self) -> Result<(), EdxmlError> {
        let (parent, from) = match &self.header.message {
            Message::Edoc(h) => {
                if h.to.is_empty() {
                    return Err(EdxmlError::Missing {
                        parent: "MessageHeader",
                        element: "To",
                    });
                }
                if h.to.iter().any(|t| t.organ_id.trim().is_empty()) {
                    return Err(EdxmlError::Missing {
                        parent: "To",
                        element: "OrganId",
                    });
                }
                ("MessageHeader", &h.from)
            }
            Message::Status(s) => ("Status", &s.from),
        };
        if from.organ_id.trim().is_empty() {
            return Err(EdxmlError::Missing {
                parent,
                element: "From/OrganId",
            });
        }
        let mut seen = std::collections::HashSet::new();
        for a in &self.attachments {
            let id = strip_cid(&a.content_id);
            if id.is_empty() {
                return Err(EdxmlError::Missing {
                    parent: "Attachment",
                    element: "ContentId",
                });
            }
            if !seen.insert(id) {
                return Err(EdxmlError::Duplicate {
                    parent: "AttachmentEncoded",
                    element: "ContentId",
                });
            }
        }
        for r in &self.body_manifest {
            if self.attachment_for(r).is_none() {
                return Err(EdxmlError::InvalidValue {
                    element: "Reference",
                    value: r
                        .href
                        .clone()
                        .or_else(|| r.content_id.clone())
                        .unwrap_or_default(),
                    expected: "a cid: naming an attachment",
                });
            }
        }
        Ok(())
    }

    /// The attachment a manifest reference points to (`cid:` prefixes ignored on both sides).
    pub fn attachment_for(&self, reference: &Reference) -> Option<&Attachment> {
        let target = reference
            .href
            .as_deref()
            .or(reference.content_id.as_deref())?;
        let target = strip_cid(target);
        self.attachments
            .iter()
            .find(|a| strip_cid(&a.content_id) == target)
    }
}

fn strip_cid(s: &str) -> &str {
    s.trim().strip_prefix("cid:").unwrap_or(s.trim())
}

/// `edXMLHeader`: the message (edoc or status), the trace list and the signature.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// What the envelope carries: a `MessageHeader` (edoc) or a `Status`, exactly one of them.
    pub message: Message,
    /// `TraceHeaderList`, with the `Bussiness` block.
    #[serde(default)]
    pub trace: TraceHeaderList,
    /// The signature element, written after `TraceHeaderList`. When read, the header's first
    /// child named `Signature` (in any namespace) or `DigitalSignature`; [`Signature::None`] if
    /// there is none.
    #[serde(default)]
    pub signature: Signature,
}

impl Header {
    /// An edoc header with an empty trace list and an empty `DigitalSignature`.
    pub fn edoc(message: MessageHeader) -> Self {
        Header {
            message: Message::Edoc(Box::new(message)),
            trace: TraceHeaderList::default(),
            signature: Signature::EmptyDigitalSignature,
        }
    }

    /// A status header with an empty trace list and an empty `DigitalSignature`.
    pub fn status(status: Status) -> Self {
        Header {
            message: Message::Status(Box::new(status)),
            trace: TraceHeaderList::default(),
            signature: Signature::EmptyDigitalSignature,
        }
    }
}

/// The two message kinds of QCVN 102: an e-document or a processing status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Message {
    /// `MessageHeader`: a new, revoked, updated or replaced document (see [`Business`]).
    Edoc(Box<MessageHeader>),
    /// `Status`: processing feedback on a document received earlier.
    Status(Box<Status>),
}

impl From<MessageHeader> for Message {
    fn from(h: MessageHeader) -> Self {
        Message::Edoc(Box::new(h))
    }
}

impl From<Status> for Message {
    fn from(s: Status) -> Self {
        Message::Status(Box::new(s))
    }
}

/// `From` / `To`: an organisation.
///
/// ```text
/// From | To   OrganId, OrganizationInCharge, OrganName, OrganAdd, Email, Telephone, Fax, Website
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Organization {
    /// Agency identifier (Decision 20/2020 or legacy `000.00.00.G22` form); kept as sent.
    pub organ_id: String,
    /// `OrganizationInCharge`: the governing body (cơ quan chủ quản) the organisation reports to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization_in_charge: Option<String>,
    /// `OrganName`: the organisation's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organ_name: Option<String>,
    /// `OrganAdd`: its postal address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organ_add: Option<String>,
    /// `Email`: its contact e-mail address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// `Telephone`: its telephone number, as written by the sender.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub telephone: Option<String>,
    /// `Fax`: its fax number, as written by the sender.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fax: Option<String>,
    /// `Website`: its web site address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
}

impl Organization {
    /// An organisation known by its identifier only.
    pub fn new(organ_id: impl Into<String>) -> Self {
        Organization {
            organ_id: organ_id.into(),
            ..Organization::default()
        }
    }
}

/// `Code`: the document's number and notation, e.g. `7816` and `VPCP-TTĐT`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Code {
    /// `CodeNumber`: the document's number (số), e.g. `7816`.
    pub code_number: Option<String>,
    /// `CodeNotation`: its notation (ký hiệu), e.g. `VPCP-TTĐT`.
    pub code_notation: Option<String>,
}

/// `PromulgationInfo`: place and date of promulgation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PromulgationInfo {
    /// `Place`: the place name the document is dated at (địa danh), e.g. `Hà Nội`.
    pub place: Option<String>,
    /// `PromulgationDate`: the date of promulgation.
    pub promulgation_date: Option<EdxmlDate>,
}

/// `DocumentType`. Type codes differ between SDKs, so they are kept as data.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DocumentType {
    /// `Type`: the document-type code in the sending SDK's numbering (serde name `type`).
    #[serde(rename = "type")]
    pub type_code: Option<String>,
    /// `TypeName`: the type's name, e.g. `Công văn`, `Quyết định`, `Thông tư`.
    pub type_name: Option<String>,
    /// `TypeDetail`, emitted by some SDKs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub type_detail: Option<String>,
}

/// `SignerInfo`: `Competence` ("TL. Chủ tịch", "KT. Bộ trưởng", …), `Position`, `FullName`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SignerInfo {
    /// `Competence`: the signing authority, a prefix (`TM.`, `Q.`, `KT.`, `TL.`, `TUQ.`) and
    /// the principal, e.g. `KT. Bộ trưởng`.
    pub competence: Option<String>,
    /// `Position`: the signer's own position, e.g. `Thứ trưởng`.
    pub position: Option<String>,
    /// `FullName`: the signer's full name.
    pub full_name: Option<String>,
}

/// `OtherInfo`: urgency, scope of promulgation, typist, copy and page counts, appendixes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OtherInfo {
    /// `Priority`: the urgency (độ khẩn) code, e.g. `0`; kept as sent.
    pub priority: Option<String>,
    /// `SphereOfPromulgation`: the scope of circulation, free text (e.g. `Lưu hành nội bộ`).
    pub sphere_of_promulgation: Option<String>,
    /// `TyperNotation`: the typist's initials (ký hiệu người đánh máy, Decree 30), e.g. `TVC`.
    pub typer_notation: Option<String>,
    /// `PromulgationAmount`: the number of copies issued. Read as a non-negative decimal.
    pub promulgation_amount: Option<u32>,
    /// `PageAmount`: the number of pages. Read as a non-negative decimal.
    pub page_amount: Option<u32>,
    /// `Appendixes/Appendix*`; an empty list writes no `Appendixes` element.
    pub appendixes: Vec<String>,
}

/// `ResponseFor`: the document a message answers (edoc header, 0..n) or a status is about.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ResponseFor {
    /// `OrganId`: the agency that issued the document answered.
    pub organ_id: Option<String>,
    /// `Code` as one text, e.g. `7816/VPCP-TTĐT`.
    pub code: Option<String>,
    /// `PromulgationDate`: that document's promulgation date.
    pub promulgation_date: Option<EdxmlDate>,
    /// `DocumentId` of that document (normally the [`DocumentId`] form); kept as sent.
    pub document_id: Option<String>,
}

/// `MessageHeader` of an edoc message.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MessageHeader {
    /// `From`: the sending organisation.
    pub from: Organization,
    /// `To`, one or more.
    pub to: Vec<Organization>,
    /// `Code`: the document's number and notation.
    pub code: Option<Code>,
    /// `PromulgationInfo`: where and when the document was promulgated.
    pub promulgation_info: Option<PromulgationInfo>,
    /// `DocumentType`: the kind of document (official letter, decision, …).
    pub document_type: Option<DocumentType>,
    /// `Subject`: the document's summary line (trích yếu), e.g. `V/v …`.
    pub subject: Option<String>,
    /// `Content`: a description of the content; some senders repeat the summary here.
    pub content: Option<String>,
    /// `SignerInfo`: who signed the document, and with what authority.
    pub signer_info: Option<SignerInfo>,
    /// `DueDate`: the deadline for handling the document (hạn xử lý).
    pub due_date: Option<EdxmlDate>,
    /// `ToPlaces/Place*`, free-text recipient groups; empty writes no `ToPlaces`.
    pub to_places: Vec<String>,
    /// `OtherInfo`: urgency, scope, typist, copy and page counts, appendixes.
    pub other_info: Option<OtherInfo>,
    /// `ResponseFor*`: the documents this one answers; empty when it answers none.
    pub response_for: Vec<ResponseFor>,
    /// `SteeringType`: marks a steering (chỉ đạo) document, e.g. `1`; kept as sent.
    pub steering_type: Option<String>,
    /// `DocumentId`, normally `{sender OrganId},{yyyy/MM/dd},{number}/{notation}`
    /// (see [`DocumentId`]); kept as sent.
    pub document_id: Option<String>,
}

impl MessageHeader {
    /// A header with its sender and recipients and nothing else.
    pub fn new(from: Organization, to: Vec<Organization>) -> Self {
        MessageHeader {
            from,
            to,
            ..MessageHeader::default()
        }
    }
}

/// `StaffInfo` (of a status, or of the `Bussiness` block).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct StaffInfo {
    /// `Department`: the staff member's unit or department.
    pub department: Option<String>,
    /// `Staff`: the staff member's name.
    pub staff: Option<String>,
    /// `Mobile`: their mobile telephone number.
    pub mobile: Option<String>,
    /// `Email`: their e-mail address.
    pub email: Option<String>,
}

/// `Status`: processing feedback from a recipient.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    /// `ResponseFor`: the document the status is about; all fields `None` when the element is
    /// absent.
    #[serde(default)]
    pub response_for: ResponseFor,
    /// `From`: the recipient reporting the status.
    pub from: Organization,
    /// `StatusCode`: the recipient's processing status.
    pub status_code: ProcessingStatus,
    /// `Description`: free text, e.g. the reason a document was rejected (`02`).
    #[serde(default)]
    pub description: Option<String>,
    /// `Timestamp`: when the status was set, Vietnam local time.
    #[serde(default)]
    pub timestamp: Option<EdxmlTimestamp>,
    /// `StaffInfo`: the staff member handling the document.
    #[serde(default)]
    pub staff_info: Option<StaffInfo>,
}

impl Status {
    /// A status about `response_for` from `from`.
    pub fn new(
        response_for: ResponseFor,
        from: Organization,
        status_code: ProcessingStatus,
    ) -> Self {
        Status {
            response_for,
            from,
            status_code,
            description: None,
            timestamp: None,
            staff_info: None,
        }
    }
}

/// `TraceHeaderList`: one `TraceHeader` per hop, then the `Bussiness` block.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TraceHeaderList {
    /// `TraceHeader*`, in the order the hops appended them (see [`Envelope::append_trace`]).
    pub trace_headers: Vec<TraceHeader>,
    /// The `Bussiness` (sic) block: what kind of edoc this is.
    pub business: Option<Business>,
}

/// `TraceHeader`: an organisation the envelope passed through, and when.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TraceHeader {
    /// `OrganId` of the hop (an agency, an LGSP or the axis); kept as sent, which in real
    /// traffic may be empty or the text `null`.
    pub organ_id: String,
    /// `Timestamp`: when the hop handled the envelope, Vietnam local time.
    pub timestamp: Option<EdxmlTimestamp>,
}

/// `BussinessDocType`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BusinessDocType {
    /// `0`: a new document.
    #[default]
    New,
    /// `1`: revokes an earlier document.
    Revoke,
    /// `2`: updates an earlier document.
    Update,
    /// `3`: replaces an earlier document.
    Replace,
}

impl BusinessDocType {
    /// The digit written in `BussinessDocType`.
    pub fn as_str(self) -> &'static str {
        match self {
            BusinessDocType::New => "0",
            BusinessDocType::Revoke => "1",
            BusinessDocType::Update => "2",
            BusinessDocType::Replace => "3",
        }
    }

    /// Reads `0`…`3`.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "0" => Some(BusinessDocType::New),
            "1" => Some(BusinessDocType::Revoke),
            "2" => Some(BusinessDocType::Update),
            "3" => Some(BusinessDocType::Replace),
            _ => None,
        }
    }
}

/// The `Bussiness` block (the standard's spelling).
///
/// ```text
/// Bussiness  BussinessDocType 0 new · 1 revoke · 2 update · 3 replace, BussinessDocReason,
///            DocumentId (of the document revoked/updated/replaced), StaffInfo, Paper (0/1),
///            ReplacementInfoList/ReplacementInfo(DocumentId, OrganIdList)
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Business {
    /// `BussinessDocType`: new, revoke, update or replace; [`BusinessDocType::New`] when the
    /// element is absent or empty.
    pub doc_type: BusinessDocType,
    /// `BussinessDocReason`: why the earlier document is revoked, updated or replaced.
    pub doc_reason: Option<String>,
    /// The document revoked, updated or replaced.
    pub document_id: Option<String>,
    /// `StaffInfo`: the staff member responsible for the document.
    pub staff_info: Option<StaffInfo>,
    /// `Paper`: `1` when a paper copy is also sent.
    pub paper: Option<bool>,
    /// `ReplacementInfoList/ReplacementInfo*`; empty writes no list.
    pub replacement_info: Vec<ReplacementInfo>,
}

/// `ReplacementInfo`: a replaced document and the organisations that received it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReplacementInfo {
    /// `DocumentId` of the replaced document, kept as sent.
    pub document_id: String,
    /// `OrganIdList/OrganId*`.
    pub organ_ids: Vec<String>,
}

/// The header's signature.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Signature {
    /// No signature element.
    None,
    /// An empty `<edXML:DigitalSignature/>`, as the SDKs write when they do not sign.
    #[default]
    EmptyDigitalSignature,
    /// An XML-DSig `Signature` (or a non-empty `DigitalSignature`), kept as the raw bytes
    /// received and written back verbatim.
    Xml(RawXml),
}

/// One well-formed XML element, kept verbatim.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RawXml(String);

impl RawXml {
    /// Checks that `xml` is exactly one well-formed element (no DOCTYPE, no unknown entity,
    /// no undeclared prefix) before accepting it, so [`to_xml`] never writes broken XML.
    pub fn new(xml: impl Into<String>) -> Result<Self, EdxmlError> {
        let xml = xml.into();
        read::check_single_element(&xml)?;
        Ok(RawXml(xml))
    }

    /// Taken from a document that was already parsed as well-formed.
    pub(crate) fn from_parsed(xml: String) -> Self {
        RawXml(xml)
    }

    /// The element's XML text, exactly as accepted.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for RawXml {
    type Error = EdxmlError;
    fn try_from(s: String) -> Result<Self, EdxmlError> {
        RawXml::new(s)
    }
}

impl From<RawXml> for String {
    fn from(r: RawXml) -> String {
        r.0
    }
}

/// `edXMLManifest/Reference`: points at an attachment by content id.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Reference {
    /// `@xlink:href`, normally `cid:{content id}`.
    pub href: Option<String>,
    /// `Description` of the attachment.
    pub description: Option<String>,
    /// `AttachmentName`: the attachment's file name.
    pub attachment_name: Option<String>,
    /// `ContentType`: the attachment's MIME type.
    pub content_type: Option<String>,
    /// `ContentId`; [`Envelope::add_attachment`] writes it with the `cid:` prefix, and
    /// [`Envelope::attachment_for`] falls back to it when `href` is `None`.
    pub content_id: Option<String>,
}

/// `AttachmentEncoded/Attachment`, decoded.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// `ContentType`: the MIME type, e.g. `application/pdf`.
    #[serde(default)]
    pub content_type: Option<String>,
    /// `ContentId`, without the `cid:` prefix in SDK output.
    pub content_id: String,
    /// `Description`: free text about the attachment.
    #[serde(default)]
    pub description: Option<String>,
    /// `AttachmentName`: the file name.
    #[serde(default)]
    pub name: Option<String>,
    /// The decoded (and, if it came zipped, unzipped) content.
    #[serde(skip)]
    pub content: Vec<u8>,
}

impl fmt::Debug for Attachment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Attachment")
            .field("content_type", &self.content_type)
            .field("content_id", &self.content_id)
            .field("description", &self.description)
            .field("name", &self.name)
            .field("content_len", &self.content.len())
            .finish()
    }
}

// ---------------------------------------------------------------------------------------------
// Dates and identifiers
// ---------------------------------------------------------------------------------------------

/// A calendar date written `yyyy/MM/dd` (PromulgationDate, DueDate, DocumentId).
///
/// The crate's [`Date`](crate::time::Date) with edXML's text form: a newtype only because the
/// text (and so the serde form) is `yyyy/MM/dd`, not `YYYY-MM-DD`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EdxmlDate(crate::time::Date);

impl EdxmlDate {
    /// A valid Gregorian date with a four-digit year, or `None`.
    pub fn new(year: u16, month: u8, day: u8) -> Option<Self> {
        crate::time::Date::new(year, month, day).map(EdxmlDate)
    }

    /// The same day as the crate's date type.
    pub fn date(self) -> crate::time::Date {
        self.0
    }

    /// The year, 1..=9999.
    pub fn year(self) -> u16 {
        self.0.year()
    }
    /// The month, 1..=12.
    pub fn month(self) -> u8 {
        self.0.month()
    }
    /// The day of the month, 1..=31.
    pub fn day(self) -> u8 {
        self.0.day()
    }

    /// Reads exactly `yyyy/MM/dd`.
    pub fn parse(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        if b.len() != 10 || b.get(4) != Some(&b'/') || b.get(7) != Some(&b'/') {
            return None;
        }
        let year = digits(s.get(0..4)?)?;
        let month = digits(s.get(5..7)?)?;
        let day = digits(s.get(8..10)?)?;
        EdxmlDate::new(
            u16::try_from(year).ok()?,
            u8::try_from(month).ok()?,
            u8::try_from(day).ok()?,
        )
    }
}

impl From<crate::time::Date> for EdxmlDate {
    fn from(d: crate::time::Date) -> Self {
        EdxmlDate(d)
    }
}

impl fmt::Debug for EdxmlDate {
    /// As the field-by-field struct this used to be, so that debug output stays as it was.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EdxmlDate")
            .field("year", &self.year())
            .field("month", &self.month())
            .field("day", &self.day())
            .finish()
    }
}

/// Parses ASCII digits only (no sign, no spaces).
fn digits(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

impl fmt::Display for EdxmlDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}/{:02}/{:02}",
            self.year(),
            self.month(),
            self.day()
        )
    }
}

impl TryFrom<String> for EdxmlDate {
    type Error = EdxmlError;
    fn try_from(s: String) -> Result<Self, EdxmlError> {
        EdxmlDate::parse(&s).ok_or(EdxmlError::InvalidValue {
            element: "date",
            value: s,
            expected: "yyyy/MM/dd",
        })
    }
}

impl From<EdxmlDate> for String {
    fn from(d: EdxmlDate) -> String {
        d.to_string()
    }
}

/// A time written `yyyy/MM/dd HH:mm:ss` (TraceHeader and Status timestamps), Vietnam local
/// time as the SDKs write it.
///
/// A wall-clock reading as written, not an instant: it keeps its fields rather than a
/// `jiff::civil::DateTime` because the SDKs' text admits second 60 (a leap second), which
/// jiff's civil time cannot hold, and a read envelope must write back byte for byte. Use
/// [`EdxmlTimestamp::in_vietnam`] to make one from an instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EdxmlTimestamp {
    date: EdxmlDate,
    hour: u8,
    minute: u8,
    second: u8,
}

impl EdxmlTimestamp {
    /// A timestamp on `date` at `hour:minute:second`, or `None` unless `hour` < 24,
    /// `minute` < 60 and `second` <= 60 (60 being a leap second).
    pub fn new(date: EdxmlDate, hour: u8, minute: u8, second: u8) -> Option<Self> {
        // 60 admits a leap second.
        (hour < 24 && minute < 60 && second <= 60).then_some(EdxmlTimestamp {
            date,
            hour,
            minute,
            second,
        })
    }

    /// The Vietnam wall-clock time at `t` (`None` outside years 1..=9999).
    pub fn in_vietnam(t: crate::time::Timestamp) -> Option<Self> {
        let dt = crate::time::vietnam_datetime(t);
        let date = EdxmlDate::from(crate::time::Date::from_civil(dt.date())?);
        EdxmlTimestamp::new(
            date,
            u8::try_from(dt.hour()).ok()?,
            u8::try_from(dt.minute()).ok()?,
            u8::try_from(dt.second()).ok()?,
        )
    }

    /// The calendar date.
    pub fn date(self) -> EdxmlDate {
        self.date
    }
    /// The wall-clock time as `(hour, minute, second)`.
    pub fn hms(self) -> (u8, u8, u8) {
        (self.hour, self.minute, self.second)
    }

    /// Reads exactly `yyyy/MM/dd HH:mm:ss`.
    pub fn parse(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        if b.len() != 19 || b.get(10) != Some(&b' ') || b.get(13) != Some(&b':') {
            return None;
        }
        if b.get(16) != Some(&b':') {
            return None;
        }
        let date = EdxmlDate::parse(s.get(0..10)?)?;
        let h = u8::try_from(digits(s.get(11..13)?)?).ok()?;
        let m = u8::try_from(digits(s.get(14..16)?)?).ok()?;
        let sec = u8::try_from(digits(s.get(17..19)?)?).ok()?;
        EdxmlTimestamp::new(date, h, m, sec)
    }
}

impl fmt::Display for EdxmlTimestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {:02}:{:02}:{:02}",
            self.date, self.hour, self.minute, self.second
        )
    }
}

impl TryFrom<String> for EdxmlTimestamp {
    type Error = EdxmlError;
    fn try_from(s: String) -> Result<Self, EdxmlError> {
        EdxmlTimestamp::parse(&s).ok_or(EdxmlError::InvalidValue {
            element: "timestamp",
            value: s,
            expected: "yyyy/MM/dd HH:mm:ss",
        })
    }
}

impl From<EdxmlTimestamp> for String {
    fn from(t: EdxmlTimestamp) -> String {
        t.to_string()
    }
}

/// The edXML document identifier `{sender OrganId},{yyyy/MM/dd},{number}/{notation}`,
/// e.g. `000.00.00.G22,2024/03/15,7816/VPCP-TTĐT`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DocumentId {
    /// The sender's `OrganId`, e.g. `000.00.00.G22`.
    pub organ_id: String,
    /// The date in the identifier, normally the document's promulgation date.
    pub date: EdxmlDate,
    /// The document's number, e.g. `7816`: everything before the first `/`.
    pub number: String,
    /// Everything after the first `/` (a notation may itself hold `/`, e.g. `2024/NĐ-CP`).
    pub notation: String,
}

/// Why a string is not a [`DocumentId`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum DocumentIdError {
    /// Expected three comma-separated parts.
    #[error("expected three comma-separated parts")]
    MissingPart,
    /// Empty sender OrganId.
    #[error("empty sender OrganId")]
    EmptyOrganId,
    /// Date is not yyyy/MM/dd.
    #[error("date is not yyyy/MM/dd")]
    BadDate,
    /// Expected number/notation after the date.
    #[error("expected number/notation after the date")]
    MissingSlash,
}

impl DocumentId {
    /// An identifier from its parts, unchecked: [`Display`](fmt::Display) writes them as
    /// `{organ_id},{date},{number}/{notation}`, which [`parse`](Self::parse) reads back only if
    /// `organ_id` holds no `,`, is not blank and has no surrounding whitespace, and `number`
    /// holds no `/`.
    pub fn new(
        organ_id: impl Into<String>,
        date: EdxmlDate,
        number: impl Into<String>,
        notation: impl Into<String>,
    ) -> Self {
        DocumentId {
            organ_id: organ_id.into(),
            date,
            number: number.into(),
            notation: notation.into(),
        }
    }

    /// Parses `{OrganId},{yyyy/MM/dd},{number}/{notation}`.
    pub fn parse(s: &str) -> Result<Self, DocumentIdError> {
        let mut parts = s.splitn(3, ',');
        let (Some(organ), Some(date), Some(code)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(DocumentIdError::MissingPart);
        };
        if organ.trim().is_empty() {
            return Err(DocumentIdError::EmptyOrganId);
        }
        let date = EdxmlDate::parse(date.trim()).ok_or(DocumentIdError::BadDate)?;
        let (number, notation) = code.split_once('/').ok_or(DocumentIdError::MissingSlash)?;
        Ok(DocumentId {
            organ_id: organ.trim().to_owned(),
            date,
            number: number.to_owned(),
            notation: notation.to_owned(),
        })
    }
}

impl fmt::Display for DocumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{},{},{}/{}",
            self.organ_id, self.date, self.number, self.notation
        )
    }
}

impl std::str::FromStr for DocumentId {
    type Err = DocumentIdError;
    fn from_str(s: &str) -> Result<Self, DocumentIdError> {
        DocumentId::parse(s)
    }
}

impl TryFrom<String> for DocumentId {
    type Error = DocumentIdError;
    fn try_from(s: String) -> Result<Self, DocumentIdError> {
        DocumentId::parse(&s)
    }
}

impl From<DocumentId> for String {
    fn from(d: DocumentId) -> String {
        d.to_string()
    }
}

// ---------------------------------------------------------------------------------------------
// Options and errors
// ---------------------------------------------------------------------------------------------

/// Limits and leniencies for [`from_xml_with`]; start from `ParseOptions::default()`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParseOptions {
    /// Bound on one attachment's decoded size, checked from the base64 length before decoding
    /// and again while unzipping. Default [`DEFAULT_MAX_ATTACHMENT_SIZE`].
    pub max_attachment_size: u64,
    /// Bound on element nesting. Default [`DEFAULT_MAX_DEPTH`].
    pub max_depth: usize,
    /// Bound on the number of elements. Default [`DEFAULT_MAX_ELEMENTS`].
    pub max_elements: usize,
    /// Bound on attachments and on manifest references. Default [`DEFAULT_MAX_ATTACHMENTS`].
    pub max_attachments: usize,
    /// Unzip attachment content that is a single-entry ZIP archive whose attachment name does
    /// not end in `.zip` (some senders zip before base64). Default `true`.
    pub unzip_attachments: bool,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions {
            max_attachment_size: DEFAULT_MAX_ATTACHMENT_SIZE,
            max_depth: DEFAULT_MAX_DEPTH,
            max_elements: DEFAULT_MAX_ELEMENTS,
            max_attachments: DEFAULT_MAX_ATTACHMENTS,
            unzip_attachments: true,
        }
    }
}

impl ParseOptions {
    /// Sets the bound on one attachment's decoded size, in bytes.
    pub fn max_attachment_size(mut self, bytes: u64) -> Self {
        self.max_attachment_size = bytes;
        self
    }
    /// Sets the bound on element nesting.
    pub fn max_depth(mut self, depth: usize) -> Self {
        self.max_depth = depth;
        self
    }
    /// Sets the bound on the number of elements in the file.
    pub fn max_elements(mut self, n: usize) -> Self {
        self.max_elements = n;
        self
    }
    /// Sets the bound on the number of attachments and of manifest references.
    pub fn max_attachments(mut self, n: usize) -> Self {
        self.max_attachments = n;
        self
    }
    /// Sets whether single-entry ZIP content is unzipped (see the field of the same name).
    pub fn unzip_attachments(mut self, yes: bool) -> Self {
        self.unzip_attachments = yes;
        self
    }
}

/// Why a ZIP-wrapped attachment could not be opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ZipError {
    /// Truncated or inconsistent archive structure.
    #[error("truncated or inconsistent archive structure")]
    Malformed,
    /// Encrypted entry.
    #[error("encrypted entry")]
    Encrypted,
    /// Compression method … is unsupported (only stored and deflate).
    #[error("compression method {0} is unsupported (only stored and deflate)")]
    UnsupportedMethod(u16),
    /// ZIP64 archives are unsupported.
    #[error("ZIP64 archives are unsupported")]
    Zip64,
    /// CRC-32 mismatch.
    #[error("CRC-32 mismatch")]
    BadCrc,
    /// Corrupt deflate stream.
    #[error("corrupt deflate stream")]
    BadDeflate,
}

/// Errors of the edXML module.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum EdxmlError {
    /// Not well-formed XML. The reason is quick-xml's message: its error type is kept out of
    /// this crate's public API.
    #[error("malformed XML at byte {offset}: {reason}")]
    Malformed {
        /// Byte offset in the input.
        offset: u64,
        /// Why.
        reason: String,
    },
    /// Input is not UTF-8 (invalid byte at `offset`).
    #[error("input is not UTF-8 (invalid byte at {offset})")]
    NotUtf8 {
        /// Byte offset in the input.
        offset: usize,
    },
    /// Unsupported encoding …: edXML is read as UTF-8.
    #[error("unsupported encoding {0:?}: edXML is read as UTF-8")]
    UnsupportedEncoding(String),
    /// DOCTYPE at byte `offset`: document type declarations (and entities) are refused.
    #[error("DOCTYPE at byte {offset}: document type declarations (and entities) are refused")]
    DocType {
        /// Byte offset in the input.
        offset: u64,
    },
    /// Unknown entity reference &`name`; at byte `offset`.
    #[error("unknown entity reference &{name}; at byte {offset}")]
    UnknownEntity {
        /// Byte offset in the input.
        offset: u64,
        /// The name.
        name: String,
    },
    /// Undeclared namespace prefix `prefix`.
    #[error("undeclared namespace prefix {prefix:?}")]
    UnknownPrefix {
        /// The prefix.
        prefix: String,
    },
    /// Nesting deeper than `limit` elements (ParseOptions::max_depth).
    #[error("nesting deeper than {limit} elements (ParseOptions::max_depth)")]
    TooDeep {
        /// The limit that was reached.
        limit: usize,
    },
    /// More than `limit` elements (ParseOptions::max_elements).
    #[error("more than {limit} elements (ParseOptions::max_elements)")]
    TooManyElements {
        /// The limit that was reached.
        limit: usize,
    },
    /// More than `limit` attachments or references (ParseOptions::max_attachments).
    #[error("more than {limit} attachments or references (ParseOptions::max_attachments)")]
    TooManyAttachments {
        /// The limit that was reached.
        limit: usize,
    },
    /// Root element is `found`, expected edXML or edXMLEnvelope in the edXML namespace.
    #[error("root element is {found:?}, expected edXML or edXMLEnvelope in the edXML namespace")]
    UnexpectedRoot {
        /// What was found.
        found: String,
    },
    /// Missing `element` in `parent`.
    #[error("missing {element} in {parent}")]
    Missing {
        /// The parent unit.
        parent: &'static str,
        /// The XML element.
        element: &'static str,
    },
    /// `element` appears more than once in `parent`.
    #[error("{element} appears more than once in {parent}")]
    Duplicate {
        /// The parent unit.
        parent: &'static str,
        /// The XML element.
        element: &'static str,
    },
    /// Header holds neither MessageHeader nor Status.
    #[error("header holds neither MessageHeader nor Status")]
    NoMessage,
    /// Header holds both MessageHeader and Status.
    #[error("header holds both MessageHeader and Status")]
    BothMessageKinds,
    /// Invalid `element` `value`: expected `expected`.
    #[error("invalid {element} {value:?}: expected {expected}")]
    InvalidValue {
        /// The XML element.
        element: &'static str,
        /// The offending value.
        value: String,
        /// What was expected.
        expected: &'static str,
    },
    /// An attachment that decodes to more bytes than `ParseOptions::max_attachment_size`.
    #[error(
        "attachment {index} decodes to about {size} bytes, over the limit of {limit} \
         (ParseOptions::max_attachment_size)"
    )]
    AttachmentTooLarge {
        /// Position (0-based).
        index: usize,
        /// Size in bytes.
        size: u64,
        /// The limit that was reached.
        limit: u64,
    },
    /// Attachment `index`: invalid base64.
    #[error("attachment {index}: invalid base64")]
    Base64 {
        /// Position (0-based).
        index: usize,
    },
    /// A ZIP-wrapped attachment that cannot be opened.
    #[error("attachment {index}: zipped content: {reason}")]
    Zip {
        /// Position (0-based).
        index: usize,
        /// Why.
        #[source]
        reason: ZipError,
    },
    /// Text outside the root element or a second root at byte `offset`.
    #[error("text outside the root element or a second root at byte {offset}")]
    TrailingContent {
        /// Byte offset in the input.
        offset: u64,
    },
    /// Metadata JSON: ….
    #[error("metadata JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// I/O on `path`: `source`.
    #[error("I/O on {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}
