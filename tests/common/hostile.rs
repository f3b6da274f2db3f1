//! Hostile inputs for the resource-limit tests (`tests/resource_limits.rs`) and the memory
//! script (`benches/limits.sh`, through `examples/hostile_inputs.rs`, which includes this file
//! by path). Every input is built here, deterministically, with `std`, `flate2` and the crate.

#![allow(dead_code)]

use std::fmt::Write as _;
use std::io::Write as _;

/// What a hostile input is fed to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// `vnedoc verify` / `Verifier::verify_bytes`.
    Pdf,
    /// `vnedoc edxml unpack` / `edxml::from_xml`.
    Edxml,
    /// `vnedoc directory list --directory FILE` / `Directory::parse`.
    Directory,
}

/// One hostile input.
pub struct Hostile {
    pub name: &'static str,
    pub target: Target,
    pub bytes: Vec<u8>,
}

/// A PDF made of `objects` (number, body) with a classic cross-reference table and `trailer`
/// entries (`/Size` is added).
pub fn pdf_with(objects: &[(u32, Vec<u8>)], trailer: &str) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (num, body) in objects {
        offsets.push((*num, out.len()));
        out.extend_from_slice(format!("{num} 0 obj\n").as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let size = objects.iter().map(|(n, _)| n + 1).max().unwrap_or(1);
    let xref = out.len();
    let mut table = format!("xref\n0 {size}\n0000000000 65535 f \n");
    for n in 1..size {
        match offsets.iter().find(|(m, _)| *m == n) {
            Some((_, off)) => {
                let _ = writeln!(table, "{off:010} 00000 n ");
            }
            None => table.push_str("0000000000 65535 f \n"),
        }
    }
    let _ = write!(
        table,
        "trailer\n<< /Size {size} {trailer} >>\nstartxref\n{xref}\n%%EOF\n"
    );
    out.extend_from_slice(table.as_bytes());
    out
}

fn catalog_and_page() -> Vec<(u32, Vec<u8>)> {
    vec![
        (1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
        (2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec()),
        (
            3,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>".to_vec(),
        ),
    ]
}

/// `n` bytes of zeros, deflated (about n / 1000 bytes).
fn deflated_zeros(n: usize) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let chunk = vec![0u8; 1 << 20];
    let mut left = n;
    while left > 0 {
        let k = left.min(chunk.len());
        e.write_all(&chunk[..k]).expect("deflate");
        left -= k;
    }
    e.finish().expect("deflate")
}

/// An object stream (the catalog is inside it) whose FlateDecode data inflates to 1 GiB.
pub fn decompression_bomb() -> Vec<u8> {
    let data = deflated_zeros(1 << 30);
    let mut stream = format!(
        "<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length {} >>\nstream\n",
        data.len()
    )
    .into_bytes();
    stream.extend_from_slice(&data);
    stream.extend_from_slice(b"\nendstream");
    // Object 1 (the catalog) is compressed in object stream 4: an xref stream says so.
    let mut out = b"%PDF-1.7\n".to_vec();
    let objstm_off = out.len();
    out.extend_from_slice(b"4 0 obj\n");
    out.extend_from_slice(&stream);
    out.extend_from_slice(b"\nendobj\n");
    let xref_off = out.len();
    let mut rows = Vec::new();
    rows.extend_from_slice(&[0, 0, 0, 0, 0, 0xff, 0xff]);
    rows.extend_from_slice(&[2, 0, 0, 0, 4, 0, 0]); // 1: in stream 4, index 0
    rows.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0]);
    rows.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0]);
    let off = u32::try_from(objstm_off).expect("small");
    rows.push(1);
    rows.extend_from_slice(&off.to_be_bytes());
    rows.extend_from_slice(&[0, 0]);
    let off = u32::try_from(xref_off).expect("small");
    rows.push(1);
    rows.extend_from_slice(&off.to_be_bytes());
    rows.extend_from_slice(&[0, 0]);
    out.extend_from_slice(
        format!(
            "5 0 obj\n<< /Type /XRef /Size 6 /W [1 4 2] /Root 1 0 R /Length {} >>\nstream\n",
            rows.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(&rows);
    out.extend_from_slice(
        format!("\nendstream\nendobj\nstartxref\n{xref_off}\n%%EOF\n").as_bytes(),
    );
    out
}

/// Object 1 is `[[[[…]]]]` `depth` deep (and the catalog points at it).
pub fn nested_arrays(depth: usize) -> Vec<u8> {
    let mut body = b"<< /Type /Catalog /Pages 2 0 R /Deep ".to_vec();
    body.extend(std::iter::repeat_n(b'[', depth));
    body.extend(std::iter::repeat_n(b']', depth));
    body.extend_from_slice(b" >>");
    let mut objects = catalog_and_page();
    objects[0].1 = body;
    pdf_with(&objects, "/Root 1 0 R")
}

/// Object 1 is `<< /A << /A << … >> >> >>` `depth` deep.
pub fn nested_dicts(depth: usize) -> Vec<u8> {
    let mut body = b"<< /Type /Catalog /Pages 2 0 R /Deep ".to_vec();
    for _ in 0..depth {
        body.extend_from_slice(b"<< /A ");
    }
    for _ in 0..depth {
        body.extend_from_slice(b">> ");
    }
    body.extend_from_slice(b">>");
    let mut objects = catalog_and_page();
    objects[0].1 = body;
    pdf_with(&objects, "/Root 1 0 R")
}

/// `/Pages 5 0 R`, with 5 → 6 → 5: resolving never ends unless bounded.
pub fn reference_cycle() -> Vec<u8> {
    let objects = vec![
        (
            1,
            b"<< /Type /Catalog /Pages 5 0 R /AcroForm 6 0 R >>".to_vec(),
        ),
        (5, b"6 0 R".to_vec()),
        (6, b"5 0 R".to_vec()),
    ];
    pdf_with(&objects, "/Root 1 0 R")
}

/// The trailer's `/Prev` names its own cross-reference section.
pub fn prev_cycle() -> Vec<u8> {
    let mut pdf = pdf_with(&catalog_and_page(), "/Root 1 0 R /Prev 0000000000");
    let xref = find_last(&pdf, b"startxref\n").expect("startxref") + 10;
    let xref_off: usize = std::str::from_utf8(&pdf[xref..])
        .expect("ascii")
        .lines()
        .next()
        .expect("offset")
        .parse()
        .expect("offset");
    let at = find_last(&pdf, b"/Prev 0000000000").expect("prev") + 6;
    pdf[at..at + 10].copy_from_slice(format!("{xref_off:010}").as_bytes());
    pdf
}

/// Two sections whose `/Prev` name each other: a loop through two revisions.
pub fn xref_loop() -> Vec<u8> {
    // The first section's /Prev is a placeholder, patched once the second section's offset is
    // known (same width, so no offset moves).
    let mut pdf = pdf_with(&catalog_and_page(), "/Root 1 0 R /Prev 0000000000");
    let first = find_last(&pdf, b"xref\n0 ").expect("xref");
    let second = pdf.len();
    pdf.extend_from_slice(b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
    let xref2 = pdf.len();
    pdf.extend_from_slice(
        format!(
            "xref\n1 1\n{second:010} 00000 n \ntrailer\n<< /Size 4 /Root 1 0 R /Prev {first} >>\nstartxref\n{xref2}\n%%EOF\n"
        )
        .as_bytes(),
    );
    let at = find_last(&pdf[..second], b"/Prev 0000000000").expect("prev") + 6;
    pdf[at..at + 10].copy_from_slice(format!("{xref2:010}").as_bytes());
    pdf
}

/// A stream whose `/Length` claims about 10^14 bytes.
pub fn huge_length() -> Vec<u8> {
    let mut objects = catalog_and_page();
    objects[2].1 =
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>".to_vec();
    objects.push((
        4,
        b"<< /Length 99999999999999 >>\nstream\nBT /F1 12 Tf (x) Tj ET\nendstream".to_vec(),
    ));
    pdf_with(&objects, "/Root 1 0 R")
}

/// A million objects (`null`), all in the cross-reference table.
pub fn million_objects() -> Vec<u8> {
    let n: u32 = 1_000_000;
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::with_capacity(n as usize);
    let mut push = |out: &mut Vec<u8>, num: u32, body: &[u8]| {
        offsets.push(out.len());
        out.extend_from_slice(format!("{num} 0 obj\n").as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    };
    push(&mut out, 1, b"<< /Type /Catalog /Pages 2 0 R >>");
    push(&mut out, 2, b"<< /Type /Pages /Kids [] /Count 0 >>");
    for num in 3..=n {
        push(&mut out, num, b"null");
    }
    let xref = out.len();
    let mut table = String::with_capacity(20 * (n as usize + 2));
    let _ = write!(table, "xref\n0 {}\n0000000000 65535 f \n", n + 1);
    for off in &offsets {
        let _ = writeln!(table, "{off:010} 00000 n ");
    }
    let _ = write!(
        table,
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        n + 1
    );
    out.extend_from_slice(table.as_bytes());
    out
}

/// A signed document (given) whose /ByteRange numbers are replaced, in place, by huge ones:
/// as many nines as fit (up to 18, still an integer) when `overflow` is false, twenty (more
/// than any integer the reader takes) when it is true.
pub fn huge_byte_range(signed: &[u8], overflow: bool) -> Vec<u8> {
    let mut pdf = signed.to_vec();
    let at = find_last(&pdf, b"/ByteRange [").expect("/ByteRange") + 12;
    let close = at + pdf[at..].iter().position(|b| *b == b']').expect("]");
    let width = close - at;
    let digits = if overflow {
        20
    } else {
        ((width - 4) / 3).min(18)
    };
    let nines = "9".repeat(digits);
    let mut huge = format!("0 {nines} {nines} {nines}").into_bytes();
    huge.truncate(width);
    huge.resize(width, b' ');
    pdf[at..close].copy_from_slice(&huge);
    pdf
}

/// A signed document (given) whose /Contents is replaced, in place, by BER nested as deep as
/// it fits: SEQUENCE (indefinite length) inside SEQUENCE inside…
pub fn deep_ber_cms(signed: &[u8]) -> Vec<u8> {
    let mut pdf = signed.to_vec();
    let at = find_last(&pdf, b"/Contents <").expect("/Contents") + 11;
    let close = at + pdf[at..].iter().position(|b| *b == b'>').expect(">");
    let slot = close - at;
    let mut hex = Vec::with_capacity(slot);
    while hex.len() + 4 <= slot {
        hex.extend_from_slice(b"3080");
    }
    hex.resize(slot, b'0');
    pdf[at..close].copy_from_slice(&hex);
    pdf
}

/// edXML nested `depth` elements deep inside the header.
pub fn xml_deep(depth: usize) -> Vec<u8> {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<edXML:edXMLEnvelope xmlns:edXML=\"http://www.mic.gov.vn/TBT/QCVN_102_2016\"><edXML:edXMLHeader>",
    );
    for _ in 0..depth {
        s.push_str("<a>");
    }
    for _ in 0..depth {
        s.push_str("</a>");
    }
    s.push_str("</edXML:edXMLHeader></edXML:edXMLEnvelope>");
    s.into_bytes()
}

/// The billion laughs: ten levels of ten entity references.
pub fn billion_laughs() -> Vec<u8> {
    let mut s = String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n");
    for i in 1..=9 {
        let prev = if i == 1 {
            "lol".to_owned()
        } else {
            format!("lol{}", i - 1)
        };
        let _ = writeln!(
            s,
            " <!ENTITY lol{i} \"{}\">",
            format!("&{prev};").repeat(10)
        );
    }
    s.push_str("]>\n<edXML:edXMLEnvelope xmlns:edXML=\"http://www.mic.gov.vn/TBT/QCVN_102_2016\"><edXML:edXMLHeader>&lol9;</edXML:edXMLHeader></edXML:edXMLEnvelope>");
    s.into_bytes()
}

/// A ZIP archive of one deflated entry that inflates to 1 GiB (and says so in its headers).
pub fn zip_bomb() -> Vec<u8> {
    let size: u32 = 1 << 30;
    let mut raw = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    let chunk = vec![0u8; 1 << 20];
    let mut crc = flate2::Crc::new();
    for _ in 0..(size as usize / chunk.len()) {
        raw.write_all(&chunk).expect("deflate");
        crc.update(&chunk);
    }
    let data = raw.finish().expect("deflate");
    let name = b"congvan.pdf";
    let mut out = Vec::new();
    let le16 = |v: u16| v.to_le_bytes();
    let le32 = |v: u32| v.to_le_bytes();
    let comp = u32::try_from(data.len()).expect("small");
    // Local file header.
    out.extend_from_slice(&le32(0x0403_4b50));
    out.extend_from_slice(&le16(20));
    out.extend_from_slice(&le16(0));
    out.extend_from_slice(&le16(8));
    out.extend_from_slice(&le16(0));
    out.extend_from_slice(&le16(0x21));
    out.extend_from_slice(&le32(crc.sum()));
    out.extend_from_slice(&le32(comp));
    out.extend_from_slice(&le32(size));
    out.extend_from_slice(&le16(name.len() as u16));
    out.extend_from_slice(&le16(0));
    out.extend_from_slice(name);
    out.extend_from_slice(&data);
    let central = out.len();
    out.extend_from_slice(&le32(0x0201_4b50));
    out.extend_from_slice(&le16(20));
    out.extend_from_slice(&le16(20));
    out.extend_from_slice(&le16(0));
    out.extend_from_slice(&le16(8));
    out.extend_from_slice(&le16(0));
    out.extend_from_slice(&le16(0x21));
    out.extend_from_slice(&le32(crc.sum()));
    out.extend_from_slice(&le32(comp));
    out.extend_from_slice(&le32(size));
    out.extend_from_slice(&le16(name.len() as u16));
    out.extend_from_slice(&[0; 8]);
    out.extend_from_slice(&le32(0));
    out.extend_from_slice(&le32(0));
    out.extend_from_slice(name);
    let central_len = u32::try_from(out.len() - central).expect("small");
    out.extend_from_slice(&le32(0x0605_4b50));
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&le16(1));
    out.extend_from_slice(&le16(1));
    out.extend_from_slice(&le32(central_len));
    out.extend_from_slice(&le32(u32::try_from(central).expect("small")));
    out.extend_from_slice(&le16(0));
    out
}

/// An edXML envelope whose one attachment is [`zip_bomb`]: 1 GiB claimed.
pub fn edxml_attachment_claim() -> Vec<u8> {
    use vnedoc::exchange::edxml::{
        Attachment, Envelope, Header, MessageHeader, Organization, to_xml,
    };
    let mut h = MessageHeader::new(Organization::new("H26"), vec![Organization::new("G06")]);
    h.document_id = Some("H26,2025/01/02,1,VP".into());
    let mut env = Envelope::new(Header::edoc(h));
    env.add_attachment(Attachment {
        content_type: Some("application/pdf".into()),
        content_id: "van-ban".into(),
        description: None,
        name: Some("congvan.pdf".into()),
        content: zip_bomb(),
    });
    to_xml(&env).into_bytes()
}

/// A directory CSV of a million rows: one province, a thousand districts, a thousand communes
/// under each (less one).
pub fn million_row_directory() -> Vec<u8> {
    let mut s = String::with_capacity(48 << 20);
    s.push_str("id,name,level,parent\nH01,Tỉnh Thử Nghiệm,province,\n");
    let mut rows = 1;
    'outer: for d in 1..=1000u32 {
        let _ = writeln!(s, "H01.{d:03},Huyện {d},district,H01");
        rows += 1;
        for c in 1..=999u32 {
            if rows >= 1_000_000 {
                break 'outer;
            }
            let _ = writeln!(
                s,
                "H01.{d:03}.{:05},Xã {c} huyện {d},commune,H01.{d:03}",
                d * 1000 + c
            );
            rows += 1;
        }
    }
    s.into_bytes()
}

/// Every hostile input; `signed` is a valid signed PDF the in-place attacks start from.
pub fn all(signed: &[u8]) -> Vec<Hostile> {
    use Target::*;
    vec![
        Hostile {
            name: "decompression-bomb.pdf",
            target: Pdf,
            bytes: decompression_bomb(),
        },
        Hostile {
            name: "nested-arrays.pdf",
            target: Pdf,
            bytes: nested_arrays(100_000),
        },
        Hostile {
            name: "nested-dicts.pdf",
            target: Pdf,
            bytes: nested_dicts(100_000),
        },
        Hostile {
            name: "reference-cycle.pdf",
            target: Pdf,
            bytes: reference_cycle(),
        },
        Hostile {
            name: "prev-cycle.pdf",
            target: Pdf,
            bytes: prev_cycle(),
        },
        Hostile {
            name: "xref-loop.pdf",
            target: Pdf,
            bytes: xref_loop(),
        },
        Hostile {
            name: "huge-length.pdf",
            target: Pdf,
            bytes: huge_length(),
        },
        Hostile {
            name: "million-objects.pdf",
            target: Pdf,
            bytes: million_objects(),
        },
        Hostile {
            name: "huge-byte-range.pdf",
            target: Pdf,
            bytes: huge_byte_range(signed, false),
        },
        Hostile {
            name: "overflow-byte-range.pdf",
            target: Pdf,
            bytes: huge_byte_range(signed, true),
        },
        Hostile {
            name: "deep-ber-cms.pdf",
            target: Pdf,
            bytes: deep_ber_cms(signed),
        },
        Hostile {
            name: "deep-nesting.edxml",
            target: Edxml,
            bytes: xml_deep(100_000),
        },
        Hostile {
            name: "billion-laughs.edxml",
            target: Edxml,
            bytes: billion_laughs(),
        },
        Hostile {
            name: "attachment-1gb.edxml",
            target: Edxml,
            bytes: edxml_attachment_claim(),
        },
        Hostile {
            name: "million-rows.csv",
            target: Directory,
            bytes: million_row_directory(),
        },
    ]
}

fn find_last(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}
