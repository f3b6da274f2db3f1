//! edXML (QCVN 102:2016) envelopes: round trip over generated envelopes, SDK-shaped fixtures,
//! hostile input. Fixtures: fixtures/edxml/ (hand-written SDK shapes; `gen.py` generates the
//! zipped ones and the defects).

// Test code: a panic is the failure report. Cargo.toml's [lints] denies unwrap and expect
// for the library; they are allowed here, as in the other test crates.
// Its `as` conversions are on sizes and counts it makes itself, not on untrusted input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::as_conversions)]

#[path = "common/tmp.rs"]
mod tmp;
use tmp::TempDir;

use std::io::Write as _;
use std::path::Path;

use base64::Engine as _;
use vnedoc::exchange::edxml::*;
use vnedoc::exchange::status::ProcessingStatus;

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/edxml")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn parse_fixture(name: &str) -> Envelope {
    from_xml(fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn date(y: u16, m: u8, d: u8) -> EdxmlDate {
    EdxmlDate::new(y, m, d).unwrap()
}

fn ts(s: &str) -> EdxmlTimestamp {
    EdxmlTimestamp::parse(s).unwrap()
}

const PDF_CONTENT: &str =
    "%PDF-1.4\n% Công văn số 7816/VPCP-TTĐT — tệp thử, không phải PDF thật\n%%EOF\n";

// ---------------------------------------------------------------------------------------------
// Deterministic generator (SplitMix64): many cases, reproducible, no extra dependency.
// ---------------------------------------------------------------------------------------------

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// Text mixing Vietnamese, XML-special characters, whitespace at the edges and line
    /// breaks of every kind.
    fn text(&mut self) -> String {
        const PIECES: &[&str] = &[
            "Văn phòng Chính phủ",
            "UBND tỉnh Nghệ An",
            "Về việc triển khai",
            "Sở Thông tin & Truyền thông",
            "a < b > c",
            "\"trích dẫn\" 'đơn'",
            "TL. Chủ tịch",
            "KT. Bộ trưởng",
            "Ưu tiên: hỏa tốc",
            "ĐĂNG KÝ — ỦY BAN",
            "7816/VPCP-TTĐT",
            " ",
            "\n",
            "\r\n",
            "\r",
            "\t",
            "]]>",
            "&amp;",
            "<![CDATA[x]]>",
            "😀 ký số",
            "",
            "x",
        ];
        let n = self.below(5);
        (0..n).map(|_| *self.pick(PIECES)).collect()
    }
    fn opt_text(&mut self) -> Option<String> {
        self.chance(70).then(|| self.text())
    }
    fn organ_id(&mut self) -> String {
        const IDS: &[&str] = &[
            "000.00.00.G22",
            "000.00.00.H41",
            "000.00.14.H20",
            "H26",
            "H26.001",
            "H26.001.00001",
            "H26.00070",
            "G06",
        ];
        self.pick(IDS).to_string()
    }
    fn date(&mut self) -> EdxmlDate {
        let y = 2015 + self.below(15) as u16;
        let m = 1 + self.below(12) as u8;
        let d = 1 + self.below(28) as u8;
        date(y, m, d)
    }
    fn opt_date(&mut self) -> Option<EdxmlDate> {
        self.chance(70).then(|| self.date())
    }
    fn timestamp(&mut self) -> EdxmlTimestamp {
        let d = self.date();
        EdxmlTimestamp::new(
            d,
            self.below(24) as u8,
            self.below(60) as u8,
            self.below(60) as u8,
        )
        .unwrap()
    }
    fn organization(&mut self) -> Organization {
        Organization {
            organ_id: self.organ_id(),
            organization_in_charge: self.opt_text(),
            organ_name: self.opt_text(),
            organ_add: self.opt_text(),
            email: self.opt_text(),
            telephone: self.opt_text(),
            fax: self.opt_text(),
            website: self.opt_text(),
        }
    }
    fn staff(&mut self) -> StaffInfo {
        StaffInfo {
            department: self.opt_text(),
            staff: self.opt_text(),
            mobile: self.opt_text(),
            email: self.opt_text(),
        }
    }
    fn response_for(&mut self) -> ResponseFor {
        ResponseFor {
            organ_id: self.chance(80).then(|| self.organ_id()),
            code: self.opt_text(),
            promulgation_date: self.opt_date(),
            document_id: self.opt_text(),
        }
    }
    fn list(&mut self, max: usize) -> Vec<String> {
        (0..self.below(max + 1)).map(|_| self.text()).collect()
    }

    fn message_header(&mut self) -> MessageHeader {
        let recipients = 1 + self.below(5);
        MessageHeader {
            from: self.organization(),
            to: (0..recipients).map(|_| self.organization()).collect(),
            code: self.chance(70).then(|| Code {
                code_number: self.opt_text(),
                code_notation: self.opt_text(),
            }),
            promulgation_info: self.chance(70).then(|| PromulgationInfo {
                place: self.opt_text(),
                promulgation_date: self.opt_date(),
            }),
            document_type: self.chance(70).then(|| DocumentType {
                type_code: self.opt_text(),
                type_name: self.opt_text(),
                type_detail: self.opt_text(),
            }),
            subject: self.opt_text(),
            content: self.opt_text(),
            signer_info: self.chance(70).then(|| SignerInfo {
                competence: self.opt_text(),
                position: self.opt_text(),
                full_name: self.opt_text(),
            }),
            due_date: self.opt_date(),
            to_places: self.list(3),
            other_info: self.chance(70).then(|| OtherInfo {
                priority: self.opt_text(),
                sphere_of_promulgation: self.opt_text(),
                typer_notation: self.opt_text(),
                promulgation_amount: self.chance(60).then(|| self.next() as u32),
                page_amount: self.chance(60).then(|| self.below(500) as u32),
                appendixes: self.list(3),
            }),
            response_for: (0..self.below(3)).map(|_| self.response_for()).collect(),
            steering_type: self.opt_text(),
            document_id: self.opt_text(),
        }
    }

    fn status(&mut self) -> Status {
        Status {
            response_for: self.response_for(),
            from: self.organization(),
            status_code: *self.pick(&ProcessingStatus::ALL),
            description: self.opt_text(),
            timestamp: self.chance(70).then(|| self.timestamp()),
            staff_info: self.chance(60).then(|| self.staff()),
        }
    }

    fn business(&mut self) -> Business {
        const KINDS: [BusinessDocType; 4] = [
            BusinessDocType::New,
            BusinessDocType::Revoke,
            BusinessDocType::Update,
            BusinessDocType::Replace,
        ];
        Business {
            doc_type: *self.pick(&KINDS),
            doc_reason: self.opt_text(),
            document_id: self.opt_text(),
            staff_info: self.chance(60).then(|| self.staff()),
            paper: self.chance(70).then(|| self.chance(50)),
            replacement_info: (0..self.below(3))
                .map(|_| ReplacementInfo {
                    document_id: self.text(),
                    organ_ids: (0..self.below(4)).map(|_| self.organ_id()).collect(),
                })
                .collect(),
        }
    }

    fn attachment(&mut self, i: usize) -> Attachment {
        let len = self.below(3000);
        let mut content: Vec<u8> = (0..len).map(|_| self.next() as u8).collect();
        if content.starts_with(b"PK\x03\x04") {
            content[0] = b'Q'; // a random ZIP signature would be unzipped on reading
        }
        Attachment {
            content_type: self.opt_text(),
            content_id: format!("{}-{}", i, self.text()),
            description: self.opt_text(),
            name: self.opt_text(),
            content,
        }
    }

    fn envelope(&mut self) -> Envelope {
        let message = if self.chance(30) {
            Message::Status(Box::new(self.status()))
        } else {
            Message::Edoc(Box::new(self.message_header()))
        };
        let signature = match self.below(3) {
            0 => Signature::None,
            1 => Signature::EmptyDigitalSignature,
            _ => Signature::Xml(
                RawXml::new(
                    r#"<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignatureValue>QUJD</SignatureValue></Signature>"#,
                )
                .unwrap(),
            ),
        };
        let mut envelope = Envelope::new(Header {
            message,
            trace: TraceHeaderList {
                trace_headers: (0..self.below(4))
                    .map(|_| TraceHeader {
                        organ_id: self.organ_id(),
                        timestamp: self.chance(80).then(|| self.timestamp()),
                    })
                    .collect(),
                business: self.chance(70).then(|| self.business()),
            },
            signature,
        });
        for i in 0..self.below(4) {
            let a = self.attachment(i);
            if self.chance(80) {
                envelope.add_attachment(a);
            } else {
                envelope.attachments.push(a);
            }
        }
        // Manifest entries with arbitrary values (e.g. an href needing attribute escapes).
        if self.chance(30) {
            envelope.body_manifest.push(Reference {
                href: self.opt_text(),
                description: self.opt_text(),
                attachment_name: self.opt_text(),
                content_type: self.opt_text(),
                content_id: self.opt_text(),
            });
        }
        envelope
    }
}

/// Every element inside `edXML:edXMLEnvelope` carries the `edXML:` prefix.
fn assert_envelope_prefixed(xml: &str) {
    let start = xml.find("<edXML:edXMLEnvelope").expect("envelope");
    let end = xml.find("</edXML:edXMLEnvelope>").expect("envelope end");
    let inner = &xml[start..end];
    for (i, _) in inner.match_indices('<') {
        let tag = &inner[i + 1..];
        let tag = tag.strip_prefix('/').unwrap_or(tag);
        assert!(
            tag.starts_with("edXML:"),
            "unprefixed element in envelope: {}",
            &tag[..tag.len().min(40)]
        );
    }
}

#[test]
fn round_trip_generated_envelopes() {
    let mut rng = Rng(0x5EED_2016_0102);
    let mut kinds = [0usize; 4];
    let mut statuses = 0;
    for case in 0..600 {
        let envelope = rng.envelope();
        let xml = to_xml(&envelope);
        let parsed = from_xml(xml.as_bytes()).unwrap_or_else(|e| panic!("case {case}: {e}\n{xml}"));
        assert_eq!(parsed, envelope, "case {case}\n{xml}");
        // Serialising the parsed envelope again gives the same bytes.
        assert_eq!(to_xml(&parsed), xml, "case {case}");
        if !matches!(envelope.header.signature, Signature::Xml(_)) {
            assert_envelope_prefixed(&xml);
        }
        // The metadata JSON round-trips too.
        let json = serde_json::to_string(&envelope.header).unwrap();
        let back: Header = serde_json::from_str(&json).unwrap();
        assert_eq!(back, envelope.header, "case {case}: JSON {json}");

        if let Some(b) = &envelope.header.trace.business {
            kinds[b.doc_type.as_str().parse::<usize>().unwrap()] += 1;
        }
        statuses += usize::from(envelope.status().is_some());
    }
    assert!(kinds.iter().all(|&k| k > 20), "Bussiness kinds {kinds:?}");
    assert!(statuses > 100, "status messages {statuses}");
}

#[test]
fn written_shape_follows_reference() {
    let mut header = MessageHeader::new(
        Organization::new("000.00.00.G22"),
        vec![Organization::new("000.00.00.H41")],
    );
    header.subject = Some("Về việc <thử> & \"kiểm tra\"".into());
    let mut envelope = Envelope::new(Header::edoc(header));
    envelope.append_trace("000.00.00.G22", ts("2024/03/15 09:15:30"));
    envelope.add_attachment(Attachment {
        content_type: Some("application/pdf".into()),
        content_id: "abc".into(),
        description: None,
        name: Some("cv.pdf".into()),
        content: b"hello".to_vec(),
    });
    let xml = to_xml(&envelope);
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
    assert!(xml.contains("<edXML xmlns=\"http://www.mic.gov.vn/TBT/QCVN_102_2016\">"));
    assert!(
        xml.contains(
            "<edXML:edXMLEnvelope xmlns:edXML=\"http://www.mic.gov.vn/TBT/QCVN_102_2016\">"
        )
    );
    assert!(
        xml.contains(
            "<edXML:Subject>Về việc &lt;thử&gt; &amp; &quot;kiểm tra&quot;</edXML:Subject>"
        )
    );
    assert!(xml.contains("xlink:href=\"cid:abc\""));
    assert!(xml.contains("<edXML:Timestamp>2024/03/15 09:15:30</edXML:Timestamp>"));
    assert!(xml.contains("<edXML:DigitalSignature/>"));
    // AttachmentEncoded: after the envelope, no prefix.
    let env_end = xml.find("</edXML:edXMLEnvelope>").unwrap();
    let att = xml.find("<AttachmentEncoded>").unwrap();
    assert!(att > env_end);
    assert!(xml.contains("<ContentTransferEncoded>aGVsbG8=</ContentTransferEncoded>"));
    assert!(xml.contains("<ContentId>abc</ContentId>"));
    assert_envelope_prefixed(&xml);
}

#[test]
fn raw_signature_is_written_verbatim() {
    let env = parse_fixture("sdk-xmldsig-signature.edxml");
    let Signature::Xml(raw) = &env.header.signature else {
        panic!("expected raw signature, got {:?}", env.header.signature);
    };
    assert!(
        raw.as_str()
            .starts_with("<Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\">")
    );
    assert!(raw.as_str().ends_with("</Signature>"));
    let xml = to_xml(&env);
    assert!(xml.contains(raw.as_str()));
    assert_eq!(from_xml(&xml).unwrap(), env);
}

#[test]
fn validate_before_sending() {
    let env = parse_fixture("sdk-edoc-new-edxml-prefix.edxml");
    env.validate().unwrap();
    let mut no_to = env.clone();
    if let Message::Edoc(h) = &mut no_to.header.message {
        h.to.clear();
    }
    assert!(matches!(
        no_to.validate(),
        Err(EdxmlError::Missing { element: "To", .. })
    ));
    let mut dangling = env.clone();
    dangling.attachments.clear();
    assert!(matches!(
        dangling.validate(),
        Err(EdxmlError::InvalidValue {
            element: "Reference",
            ..
        })
    ));
    let mut dup = env.clone();
    dup.attachments.push(dup.attachments[0].clone());
    assert!(matches!(dup.validate(), Err(EdxmlError::Duplicate { .. })));
    parse_fixture("sdk-status-03-accepted.edxml")
        .validate()
        .unwrap();
}

#[test]
fn raw_xml_must_be_one_element() {
    assert!(RawXml::new("<a><b/></a>").is_ok());
    assert!(RawXml::new("<edXML:DigitalSignature>x</edXML:DigitalSignature>").is_ok());
    assert!(RawXml::new("<a>").is_err());
    assert!(RawXml::new("<a/><b/>").is_err());
    assert!(RawXml::new("text").is_err());
    assert!(RawXml::new("<x:a/>").is_err());
    assert!(RawXml::new("<!DOCTYPE a><a/>").is_err());
    assert!(serde_json::from_str::<RawXml>("\"<a>\"").is_err());
    // Written back verbatim, so it may hold only characters XML 1.0 allows.
    assert!(RawXml::new("<a>\u{0}</a>").is_err());
    assert!(RawXml::new("<a b=\"\u{1f}\"/>").is_err());
    assert!(RawXml::new("<a>\t\u{FFFD}\u{10000}</a>").is_ok());
}

#[test]
fn a_signature_with_characters_xml_cannot_carry_is_refused() {
    // Found by fuzzing (fixtures/fuzz-regressions/edxml_parse/signature-raw-control-chars.edxml):
    // text with raw C0 controls is read leniently and written back as U+FFFD, but the signature
    // is written verbatim, so the writer produced XML with a NUL in it.
    let input = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/fuzz-regressions/edxml_parse/signature-raw-control-chars.edxml"),
    )
    .unwrap();
    match from_xml(&input) {
        Err(EdxmlError::InvalidValue { element, value, .. }) => {
            assert_eq!(element, "Signature");
            assert!(value.starts_with("U+0000 at byte "), "{value}");
        }
        other => panic!("expected the signature to be refused, got {other:?}"),
    }
    // The same envelope with a clean signature reads, and its text NUL becomes U+FFFD on writing.
    let clean = String::from_utf8(input)
        .unwrap()
        .replace("<Signature>\u{0}</Signature>", "<Signature>x</Signature>");
    let env = from_xml(clean.as_bytes()).unwrap();
    let xml = to_xml(&env);
    assert!(!xml.contains('\u{0}'), "{xml}");
    assert!(xml.contains("<Signature>x</Signature>"), "{xml}");
}

// ---------------------------------------------------------------------------------------------
// Fixtures shaped like public SDK output
// ---------------------------------------------------------------------------------------------

fn assert_full_sdk_edoc(env: &Envelope) {
    let h = env.message_header().expect("edoc");
    assert_eq!(h.from.organ_id, "000.00.00.G22");
    assert_eq!(h.from.organ_name.as_deref(), Some("Văn phòng Chính phủ"));
    assert_eq!(h.from.fax.as_deref(), Some(""));
    assert_eq!(h.to.len(), 2);
    assert_eq!(
        h.to[1].organ_name.as_deref(),
        Some("Sở Thông tin & Truyền thông Đồng Tháp")
    );
    let code = h.code.as_ref().unwrap();
    assert_eq!(code.code_number.as_deref(), Some("7816"));
    assert_eq!(code.code_notation.as_deref(), Some("VPCP-TTĐT"));
    assert_eq!(
        h.promulgation_info.as_ref().unwrap().promulgation_date,
        Some(date(2024, 3, 15))
    );
    assert_eq!(
        h.document_type.as_ref().unwrap().type_detail.as_deref(),
        Some("0")
    );
    assert_eq!(
        h.subject.as_deref(),
        Some("V/v triển khai gửi, nhận văn bản điện tử <thử nghiệm>")
    );
    assert_eq!(
        h.signer_info.as_ref().unwrap().competence.as_deref(),
        Some("KT. Bộ trưởng, Chủ nhiệm")
    );
    assert_eq!(h.due_date, Some(date(2024, 3, 30)));
    assert_eq!(h.to_places.len(), 2);
    let other = h.other_info.as_ref().unwrap();
    assert_eq!(other.page_amount, Some(2));
    assert_eq!(other.appendixes, vec!["Phụ lục I".to_string()]);
    let id = DocumentId::parse(h.document_id.as_deref().unwrap()).unwrap();
    assert_eq!(id.organ_id, "000.00.00.G22");
    assert_eq!(id.number, "7816");
    assert_eq!(id.notation, "VPCP-TTĐT");

    let trace = &env.header.trace;
    assert_eq!(trace.trace_headers.len(), 1);
    assert_eq!(
        trace.trace_headers[0].timestamp,
        Some(ts("2024/03/15 09:15:30"))
    );
    let b = trace.business.as_ref().unwrap();
    assert_eq!(b.doc_type, BusinessDocType::New);
    assert_eq!(b.paper, Some(false));
    assert_eq!(
        b.staff_info.as_ref().unwrap().staff.as_deref(),
        Some("Trần Thị B")
    );
    assert_eq!(env.header.signature, Signature::EmptyDigitalSignature);

    assert_eq!(env.body_manifest.len(), 1);
    let r = &env.body_manifest[0];
    assert_eq!(
        r.href.as_deref(),
        Some("cid:3f2c1e4a-0b1d-4c5e-9f00-1a2b3c4d5e6f")
    );
    assert_eq!(env.attachments.len(), 1);
    let a = env.attachment_for(r).expect("reference resolves");
    assert_eq!(a.name.as_deref(), Some("7816-VPCP-TTDT.pdf"));
    assert_eq!(a.content, PDF_CONTENT.as_bytes());
}

#[test]
fn sdk_edxml_prefix() {
    let env = parse_fixture("sdk-edoc-new-edxml-prefix.edxml");
    assert_full_sdk_edoc(&env);
    // Re-serialised with the prefix, it reads back the same.
    assert_eq!(from_xml(to_xml(&env)).unwrap(), env);
}

#[test]
fn sdk_prefix_variants_read_the_same() {
    let reference = parse_fixture("sdk-edoc-new-edxml-prefix.edxml");
    for name in [
        "sdk-edoc-new-other-prefix.edxml",
        "sdk-edoc-new-default-namespace.edxml",
    ] {
        assert_eq!(parse_fixture(name), reference, "{name}");
    }
}

#[test]
fn sdk_minimal_missing_optional_blocks() {
    let env = parse_fixture("sdk-minimal-missing-optional.edxml");
    let h = env.message_header().unwrap();
    assert_eq!(h.from.organ_id, "H26.001");
    assert_eq!(h.to[0].organ_id, "H26");
    assert_eq!(h.subject.as_deref(), Some("Báo cáo tình hình"));
    assert_eq!(h.due_date, None, "an empty DueDate is absent");
    assert!(h.code.is_none() && h.other_info.is_none() && h.signer_info.is_none());
    assert_eq!(env.header.trace, TraceHeaderList::default());
    assert_eq!(env.header.signature, Signature::None);
    assert!(env.body_manifest.is_empty() && env.attachments.is_empty());
    let id = DocumentId::parse(h.document_id.as_deref().unwrap()).unwrap();
    assert_eq!(id.date, date(2025, 7, 1));
}

#[test]
fn sdk_envelope_as_root() {
    let env = parse_fixture("envelope-as-root.edxml");
    assert_eq!(env.message_header().unwrap().from.organ_id, "H26.00070");
    assert!(env.attachments.is_empty());
}

#[test]
fn sdk_status_message() {
    let env = parse_fixture("sdk-status-03-accepted.edxml");
    let s = env.status().expect("status");
    assert_eq!(s.status_code, ProcessingStatus::Accepted);
    assert_eq!(s.from.organ_id, "000.00.00.H41");
    assert_eq!(
        s.response_for.document_id.as_deref(),
        Some("000.00.00.G22,2024/03/15,7816/VPCP-TTĐT")
    );
    assert_eq!(s.response_for.code.as_deref(), Some("7816/VPCP-TTĐT"));
    assert_eq!(s.response_for.promulgation_date, Some(date(2024, 3, 15)));
    assert_eq!(s.timestamp, Some(ts("2024/03/15 14:02:11")));
    assert_eq!(
        s.staff_info.as_ref().unwrap().email.as_deref(),
        Some("vanthu@nghean.gov.vn")
    );
    assert_eq!(from_xml(to_xml(&env)).unwrap(), env);
}

#[test]
fn sdk_replace_business_block() {
    let env = parse_fixture("sdk-edoc-replace-business.edxml");
    let b = env.header.trace.business.as_ref().unwrap();
    assert_eq!(b.doc_type, BusinessDocType::Replace);
    assert_eq!(b.paper, Some(true));
    assert_eq!(b.document_id.as_deref(), Some("G06,2025/07/28,98/BTC-NSNN"));
    assert_eq!(b.replacement_info.len(), 1);
    assert_eq!(b.replacement_info[0].organ_ids, vec!["H29", "H26"]);
    assert_eq!(env.header.trace.trace_headers.len(), 2);
    let h = env.message_header().unwrap();
    assert_eq!(h.response_for.len(), 1);
    assert_eq!(h.to.len(), 2);
    assert_eq!(from_xml(to_xml(&env)).unwrap(), env);
}

#[test]
fn sdk_zipped_attachments_are_unzipped() {
    for name in [
        "sdk-zipped-deflate-attachment.edxml",
        "sdk-zipped-stored-attachment.edxml",
        "sdk-zipped-data-descriptor-attachment.edxml",
    ] {
        let env = parse_fixture(name);
        assert_eq!(env.attachments[0].content, PDF_CONTENT.as_bytes(), "{name}");
        assert_eq!(env.attachments[0].name.as_deref(), Some("congvan.pdf"));
    }
    // Unzipping can be turned off.
    let env = from_xml_with(
        fixture("sdk-zipped-deflate-attachment.edxml"),
        &ParseOptions::default().unzip_attachments(false),
    )
    .unwrap();
    assert!(env.attachments[0].content.starts_with(b"PK\x03\x04"));
}

#[test]
fn real_archives_are_not_unzipped() {
    // Two entries: a genuine archive.
    let env = parse_fixture("sdk-zip-multi-entry-kept.edxml");
    assert!(env.attachments[0].content.starts_with(b"PK\x03\x04"));
    // A .docx is a ZIP container by nature.
    let env = parse_fixture("sdk-zip-docx-name-kept.edxml");
    assert!(env.attachments[0].content.starts_with(b"PK\x03\x04"));
}

#[test]
fn raw_unpadded_base64() {
    let env = parse_fixture("sdk-raw-unpadded-base64.edxml");
    assert_eq!(env.attachments[0].content, PDF_CONTENT.as_bytes());
}

// ---------------------------------------------------------------------------------------------
// Helpers: identifiers, codes, dates
// ---------------------------------------------------------------------------------------------

#[test]
fn document_id_parse_and_format() {
    let id = DocumentId::parse("000.00.00.G22,2024/03/15,7816/VPCP-TTĐT").unwrap();
    assert_eq!(
        id,
        DocumentId::new("000.00.00.G22", date(2024, 3, 15), "7816", "VPCP-TTĐT")
    );
    assert_eq!(id.to_string(), "000.00.00.G22,2024/03/15,7816/VPCP-TTĐT");
    let decree = DocumentId::parse("G06,2024/12/31,123/2024/NĐ-CP").unwrap();
    assert_eq!(decree.number, "123");
    assert_eq!(decree.notation, "2024/NĐ-CP");
    assert_eq!(decree.to_string(), "G06,2024/12/31,123/2024/NĐ-CP");
    assert_eq!(
        DocumentId::parse("doc-123"),
        Err(DocumentIdError::MissingPart)
    );
    assert_eq!(
        DocumentId::parse("G06,2024-12-31,1/A"),
        Err(DocumentIdError::BadDate)
    );
    assert_eq!(
        DocumentId::parse(",2024/12/31,1/A"),
        Err(DocumentIdError::EmptyOrganId)
    );
    assert_eq!(
        DocumentId::parse("G06,2024/12/31,1A"),
        Err(DocumentIdError::MissingSlash)
    );
}

#[test]
fn status_codes() {
    let codes: Vec<&str> = ProcessingStatus::ALL.iter().map(|c| c.code()).collect();
    assert_eq!(
        codes,
        ["01", "02", "03", "04", "05", "06", "13", "14", "15", "16"]
    );
    for c in ProcessingStatus::ALL {
        assert_eq!(ProcessingStatus::parse(c.code()), Some(c));
    }
    assert_eq!(
        ProcessingStatus::parse("3"),
        Some(ProcessingStatus::Accepted)
    );
    assert_eq!(
        ProcessingStatus::parse(" 06 "),
        Some(ProcessingStatus::Done)
    );
    assert!(ProcessingStatus::RequestAgreed14.is_request_agreed());
    assert!(ProcessingStatus::RequestAgreed15.is_request_agreed());
    for bad in ["00", "07", "12", "17", "99", "", "+1", "001", "aa"] {
        assert_eq!(ProcessingStatus::parse(bad), None, "{bad:?}");
    }
}

#[test]
fn dates_and_timestamps() {
    assert_eq!(date(2024, 2, 29).to_string(), "2024/02/29");
    assert!(EdxmlDate::new(2023, 2, 29).is_none());
    assert!(EdxmlDate::new(2024, 13, 1).is_none());
    for bad in [
        "2024-03-15",
        "2024/3/15",
        "15/03/2024",
        "2024/03/15 ",
        "２０２４/03/15",
    ] {
        assert!(EdxmlDate::parse(bad).is_none(), "{bad:?}");
    }
    let t = ts("2024/03/15 09:05:07");
    assert_eq!(t.to_string(), "2024/03/15 09:05:07");
    assert_eq!(t.hms(), (9, 5, 7));
    assert!(EdxmlTimestamp::parse("2024/03/15 24:00:00").is_none());
    assert!(EdxmlTimestamp::parse("2024/03/15T09:05:07").is_none());
}

// ---------------------------------------------------------------------------------------------
// pack / unpack
// ---------------------------------------------------------------------------------------------

#[test]
fn pack_then_unpack_then_pack() {
    let mut header = MessageHeader::new(
        Organization::new("H26"),
        vec![Organization::new("H26.00070"), Organization::new("H29")],
    );
    header.subject = Some("Kế hoạch năm 2026".into());
    header.document_id =
        Some(DocumentId::new("H26", date(2026, 1, 5), "12", "KH-UBND").to_string());
    let meta = Metadata {
        header: Header::edoc(header),
        manifest: Vec::new(),
        attachments: vec![AttachmentInfo {
            content_id: "kehoach".into(),
            description: Some("Kế hoạch".into()),
            name: Some("Kế hoạch 12.pdf".into()),
            ..AttachmentInfo::default()
        }],
    };
    let files = vec![
        PackFile {
            name: "Kế hoạch 12.pdf".into(),
            content: PDF_CONTENT.as_bytes().to_vec(),
            content_type: None,
            description: None,
        },
        PackFile {
            name: "../../phu-luc.docx".into(), // hostile name, confined on unpack
            content: b"PK\x03\x04 not really".to_vec(),
            content_type: None,
            description: None,
        },
    ];
    let envelope = pack(&meta, files.clone());
    assert_eq!(envelope.attachments[0].content_id, "kehoach");
    assert_eq!(
        envelope.attachments[0].content_type.as_deref(),
        Some("application/pdf")
    );
    assert!(envelope.attachments[1].content_id.ends_with("@vnedoc"));
    assert_eq!(envelope.body_manifest.len(), 2);
    for r in &envelope.body_manifest {
        assert!(envelope.attachment_for(r).is_some());
    }
    // Deterministic.
    assert_eq!(pack(&meta, files), envelope);
    envelope.validate().unwrap();

    let xml = to_xml(&envelope);
    let parsed = from_xml(&xml).unwrap();
    assert_eq!(parsed, envelope);

    let dir = TempDir::new("unpack");
    let report = unpack(&parsed, &dir).unwrap();
    assert_eq!(report.files.len(), 2);
    for f in &report.files {
        assert_eq!(f.parent(), Some(dir.path()), "{}", f.display());
    }
    assert_eq!(
        std::fs::read(dir.join("Kế hoạch 12.pdf")).unwrap(),
        PDF_CONTENT.as_bytes()
    );
    assert!(dir.join("phu-luc.docx").exists());
    let meta_back: Metadata =
        serde_json::from_slice(&std::fs::read(&report.metadata).unwrap()).unwrap();
    assert_eq!(meta_back.header, envelope.header);

    // Pack again from what unpack wrote: the same envelope.
    let files_back: Vec<PackFile> = meta_back
        .attachments
        .iter()
        .map(|a| {
            let mut f = PackFile::from_path(&dir.join(a.file.as_ref().unwrap())).unwrap();
            f.name = a.file.clone().unwrap();
            f
        })
        .collect();
    let again = pack(&meta_back, files_back);
    assert_eq!(again, envelope);

    // Unpacking twice into the same directory refuses to overwrite.
    assert!(matches!(unpack(&parsed, &dir), Err(EdxmlError::Io { .. })));
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---------------------------------------------------------------------------------------------
// Hostile and broken input
// ---------------------------------------------------------------------------------------------

fn defect(name: &str) -> EdxmlError {
    match from_xml(fixture(&format!("defects/{name}"))) {
        Ok(env) => panic!("{name}: parsed {env:?}"),
        Err(e) => e,
    }
}

#[test]
fn doctype_and_entities_are_refused() {
    assert!(matches!(
        defect("doctype-billion-laughs.edxml"),
        EdxmlError::DocType { .. }
    ));
    assert!(matches!(
        defect("doctype-external-entity.edxml"),
        EdxmlError::DocType { .. }
    ));
    match defect("undeclared-entity.edxml") {
        EdxmlError::UnknownEntity { name, .. } => assert_eq!(name, "nbsp"),
        e => panic!("{e:?}"),
    }
}

#[test]
fn malformed_xml() {
    assert!(matches!(
        defect("malformed-mismatched-end-tag.edxml"),
        EdxmlError::Malformed { .. }
    ));
    assert!(matches!(
        defect("malformed-truncated.edxml"),
        EdxmlError::Malformed { .. }
    ));
    assert!(matches!(
        defect("second-root.edxml"),
        EdxmlError::TrailingContent { .. }
    ));
    match defect("unknown-prefix.edxml") {
        EdxmlError::UnknownPrefix { prefix } => assert_eq!(prefix, "ds"),
        e => panic!("{e:?}"),
    }
    assert!(matches!(
        defect("encoding-windows-1258.edxml"),
        EdxmlError::UnsupportedEncoding(_)
    ));
    for (input, what) in [
        (&b""[..], "empty"),
        (b"   ", "blank"),
        (b"<edXML", "unclosed tag"),
        (b"<edXML></edXML>junk", "trailing text"),
        (b"<a/>", "wrong root"),
        (b"\xFF\xFE<\x00", "UTF-16"),
        (b"<edXML>\xC3\x28</edXML>", "invalid UTF-8"),
        (b"<edXML a='1' a='2'/>", "duplicate attribute"),
        (b"<edXML><!-- a -- b --></edXML>", "bad comment"),
        (b"<edXML>&#0;</edXML>", "NUL char ref"),
        (b"<edXML>&#xD800;</edXML>", "surrogate char ref"),
    ] {
        assert!(from_xml(input).is_err(), "{what} accepted");
    }
}

#[test]
fn structural_errors() {
    assert!(matches!(
        defect("missing-from.edxml"),
        EdxmlError::Missing {
            parent: "MessageHeader",
            element: "From"
        }
    ));
    assert!(matches!(
        defect("both-message-kinds.edxml"),
        EdxmlError::BothMessageKinds
    ));
    match defect("status-code-unknown.edxml") {
        EdxmlError::InvalidValue { element, value, .. } => {
            assert_eq!((element, value.as_str()), ("StatusCode", "99"))
        }
        e => panic!("{e:?}"),
    }
    match defect("bad-promulgation-date.edxml") {
        EdxmlError::InvalidValue { element, value, .. } => {
            assert_eq!(
                (element, value.as_str()),
                ("PromulgationDate", "15/03/2024")
            )
        }
        e => panic!("{e:?}"),
    }
}

#[test]
fn bad_base64_and_bad_zip() {
    assert!(matches!(
        defect("bad-base64.edxml"),
        EdxmlError::Base64 { index: 0 }
    ));
    assert!(matches!(
        defect("zip-bad-crc.edxml"),
        EdxmlError::Zip {
            index: 0,
            reason: ZipError::BadCrc
        }
    ));
}

fn with_attachment_text(encoded: &str) -> String {
    let text = String::from_utf8(fixture("sdk-raw-unpadded-base64.edxml")).unwrap();
    let start = text.find("<ContentTransferEncoded>").unwrap() + "<ContentTransferEncoded>".len();
    let end = text.find("</ContentTransferEncoded>").unwrap();
    format!("{}{}{}", &text[..start], encoded, &text[end..])
}

#[test]
fn oversized_attachment_is_refused_before_decoding() {
    // Just over the 64 MiB default: 4 base64 characters per 3 bytes.
    let chars = (DEFAULT_MAX_ATTACHMENT_SIZE as usize / 3 + 1) * 4;
    let xml = with_attachment_text(&"A".repeat(chars));
    match from_xml(&xml) {
        Err(EdxmlError::AttachmentTooLarge { index, size, limit }) => {
            assert_eq!(index, 0);
            assert_eq!(limit, DEFAULT_MAX_ATTACHMENT_SIZE);
            assert!(size > limit);
        }
        other => panic!("{other:?}"),
    }
    // The limit is an option.
    let small = ParseOptions::default().max_attachment_size(10);
    let xml = with_attachment_text("QUJDREVGR0hJSktMTU5PUA==");
    assert!(matches!(
        from_xml_with(&xml, &small),
        Err(EdxmlError::AttachmentTooLarge { .. })
    ));
    assert!(from_xml_with(&xml, &ParseOptions::default().max_attachment_size(16)).is_ok());
}

/// A single-entry deflate ZIP, for the zip-bomb test.
fn zip_single(name: &str, data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(data).unwrap();
    let deflated = enc.finish().unwrap();
    let mut crc = flate2::Crc::new();
    crc.update(data);
    let (crc, csize, usize_) = (crc.sum(), deflated.len() as u32, data.len() as u32);
    let mut z = Vec::new();
    let header = |z: &mut Vec<u8>, sig: &[u8], central: bool| {
        z.extend_from_slice(sig);
        if central {
            z.extend_from_slice(&20u16.to_le_bytes()); // version made by
        }
        z.extend_from_slice(&20u16.to_le_bytes()); // version needed
        z.extend_from_slice(&0u16.to_le_bytes()); // flags
        z.extend_from_slice(&8u16.to_le_bytes()); // deflate
        z.extend_from_slice(&[0; 4]); // time, date
        z.extend_from_slice(&crc.to_le_bytes());
        z.extend_from_slice(&csize.to_le_bytes());
        z.extend_from_slice(&usize_.to_le_bytes());
        z.extend_from_slice(&(name.len() as u16).to_le_bytes());
        z.extend_from_slice(&0u16.to_le_bytes()); // extra
        if central {
            z.extend_from_slice(&[0; 12]); // comment len, disk, attrs
            z.extend_from_slice(&0u32.to_le_bytes()); // local header offset
        }
        z.extend_from_slice(name.as_bytes());
    };
    header(&mut z, b"PK\x03\x04", false);
    z.extend_from_slice(&deflated);
    let cd_offset = z.len() as u32;
    header(&mut z, b"PK\x01\x02", true);
    let cd_size = z.len() as u32 - cd_offset;
    z.extend_from_slice(b"PK\x05\x06");
    z.extend_from_slice(&[0; 4]);
    z.extend_from_slice(&1u16.to_le_bytes());
    z.extend_from_slice(&1u16.to_le_bytes());
    z.extend_from_slice(&cd_size.to_le_bytes());
    z.extend_from_slice(&cd_offset.to_le_bytes());
    z.extend_from_slice(&0u16.to_le_bytes());
    z
}

#[test]
fn zip_bomb_is_bounded() {
    let zeros = vec![0u8; 8 * 1024 * 1024];
    let bomb = zip_single("bomb.pdf", &zeros);
    assert!(bomb.len() < 64 * 1024, "bomb is {} bytes", bomb.len());
    let xml = with_attachment_text(&base64::engine::general_purpose::STANDARD.encode(&bomb));
    let opts = ParseOptions::default().max_attachment_size(1024 * 1024);
    assert!(matches!(
        from_xml_with(&xml, &opts),
        Err(EdxmlError::AttachmentTooLarge { index: 0, .. })
    ));
    // Within the limit, it is unzipped.
    let env = from_xml(&xml).unwrap();
    assert_eq!(env.attachments[0].content.len(), zeros.len());
}

#[test]
fn deep_nesting_is_bounded() {
    let depth = 100_000;
    let xml = format!("{}{}", "<a>".repeat(depth), "</a>".repeat(depth));
    assert!(matches!(
        from_xml(&xml),
        Err(EdxmlError::TooDeep {
            limit: DEFAULT_MAX_DEPTH
        })
    ));
    // Deep inside a valid envelope too.
    let text = String::from_utf8(fixture("sdk-minimal-missing-optional.edxml")).unwrap();
    let nested = format!("{}{}", "<edXML:X>".repeat(40), "</edXML:X>".repeat(40));
    let xml = text.replace("<edXML:DueDate/>", &nested);
    assert!(matches!(from_xml(&xml), Err(EdxmlError::TooDeep { .. })));
}

#[test]
fn element_and_attachment_counts_are_bounded() {
    let xml = format!("<edXML>{}</edXML>", "<a/>".repeat(DEFAULT_MAX_ELEMENTS + 1));
    assert!(matches!(
        from_xml(&xml),
        Err(EdxmlError::TooManyElements { .. })
    ));
    let text = String::from_utf8(fixture("sdk-zip-multi-entry-kept.edxml")).unwrap();
    let start = text.find("<Attachment>").unwrap();
    let end = text.find("</Attachment>").unwrap() + "</Attachment>".len();
    let one = &text[start..end];
    let xml = text.replace(one, &one.repeat(5));
    assert_eq!(from_xml(&xml).unwrap().attachments.len(), 5);
    let opts = ParseOptions::default().max_attachments(4);
    assert!(matches!(
        from_xml_with(&xml, &opts),
        Err(EdxmlError::TooManyAttachments { limit: 4 })
    ));
}

/// Truncations and byte flips of valid envelopes never panic.
#[test]
fn mutations_never_panic() {
    let mut rng = Rng(42);
    let seeds: Vec<Vec<u8>> = [
        "sdk-edoc-new-edxml-prefix.edxml",
        "sdk-zipped-deflate-attachment.edxml",
        "sdk-status-03-accepted.edxml",
        "sdk-xmldsig-signature.edxml",
    ]
    .iter()
    .map(|n| fixture(n))
    .collect();
    for seed in &seeds {
        for cut in (0..seed.len()).step_by(7) {
            let _ = from_xml(&seed[..cut]);
        }
    }
    const INSERTS: &[&[u8]] = &[
        b"<",
        b">",
        b"&",
        b"&#",
        b"]]>",
        b"<!DOCTYPE a>",
        b"\xC3",
        b"PK\x03\x04",
        b"\"",
        b"/",
    ];
    for _ in 0..3000 {
        let mut data = rng.pick(&seeds).clone();
        for _ in 0..1 + rng.below(4) {
            let at = rng.below(data.len());
            match rng.below(3) {
                0 => data[at] = rng.next() as u8,
                1 => {
                    let ins = *rng.pick(INSERTS);
                    data.splice(at..at, ins.iter().copied());
                }
                _ => {
                    let end = (at + rng.below(32)).min(data.len());
                    data.drain(at..end);
                }
            }
        }
        let _ = from_xml(&data);
    }
}
