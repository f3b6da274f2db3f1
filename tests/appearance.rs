//! Visible appearances (Decree 30/2020 Appendix I) on signed documents, checked as a reader sees
//! them: rendered with poppler's `pdftoppm` and sampled (blue signature in its box, red seal over
//! the left third of it, black stamps at the top right, also on a page shown turned by 90°),
//! extracted with `pdftotext` (Vietnamese stamp text exactly), and verified with the crate's own
//! verifier (every signature TOTAL_PASSED, the person's signature still valid with "allowed"
//! changes after the seal is added).
//!
//! The signature and seal images are drawn here (deterministic PNGs); the rotated page is made
//! from `fixtures/pdf/unsigned.pdf` by an incremental update written here.
//! Without poppler-utils the rendering checks fail when `CI=true` and are skipped otherwise.

// Test code: a panic is the failure report. Cargo.toml's [lints] denies unwrap and expect
// for the library; they are allowed here, as in the other test crates.
// Its `as` conversions are on sizes and counts it makes itself, not on untrusted input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::as_conversions)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use vnedoc::Verifier;
use vnedoc::sign::appearance::{Appearance, SealPlacement};
use vnedoc::sign::{self, KeySigner, SignOptions};
use vnedoc::verify::Indication;

const TIME: &str = "2026-11-26T09:15:30+07:00";
/// The person's signature box on the A4 page of `unsigned.pdf` (150 × 60 pt, the aspect ratio of
/// [`signature_png`], so the image fills it).
const PERSON: [f64; 4] = [330.0, 500.0, 480.0, 560.0];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn signer(leaf: &str) -> KeySigner {
    common::fixtures::key_signer(leaf)
}

fn verifier() -> Verifier {
    common::fixtures::default_verifier()
}

fn unsigned() -> Vec<u8> {
    std::fs::read(fixtures().join("pdf/unsigned.pdf")).unwrap()
}

fn sign_with(input: &[u8], leaf: &str, app: Appearance) -> Vec<u8> {
    let mut opts = SignOptions::new(vnedoc::time::parse_rfc3339_timestamp(TIME).unwrap());
    opts.appearance = Some(app);
    opts.page = 0;
    let out = sign::sign_pdf(input, &signer(leaf), &opts).unwrap();
    assert!(out.starts_with(input));
    out
}

fn assert_all_pass(pdf: &[u8], count: usize) -> vnedoc::verify::DocumentReport {
    let r = verifier().verify_bytes("appearance", pdf);
    assert_eq!(r.signatures.len(), count);
    for s in &r.signatures {
        assert_eq!(
            s.indication,
            Indication::TotalPassed,
            "{}: {:?} {:?}",
            s.field,
            s.errors,
            s.modification_details
        );
    }
    r
}

/// A PNG with `paint(x, y)` giving the opaque pixels in colour `rgb`, transparent elsewhere.
fn png_of(w: u32, h: u32, rgb: [u8; 3], paint: impl Fn(f64, f64) -> bool) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, w, h);
    enc.set_color(png::ColorType::Rgba);
    enc.set_depth(png::BitDepth::Eight);
    let mut writer = enc.write_header().unwrap();
    let mut data = Vec::new();
    for y in 0..h {
        for x in 0..w {
            data.extend_from_slice(&rgb);
            let inside = paint(f64::from(x) + 0.5, f64::from(y) + 0.5);
            data.push(if inside { 255 } else { 0 });
        }
    }
    writer.write_image_data(&data).unwrap();
    writer.finish().unwrap();
    out
}

/// A blue "handwritten" stroke: a thick wave across a 300 × 120 image.
fn signature_png() -> Vec<u8> {
    png_of(300, 120, [0, 0, 255], |x, y| {
        let wave = 60.0 + 40.0 * (x / 20.0).sin();
        x > 4.0 && x < 296.0 && (y - wave).abs() < 7.0
    })
}

/// A red seal: a ring and a central disc on a 200 × 200 image.
fn seal_png() -> Vec<u8> {
    png_of(200, 200, [230, 0, 0], |x, y| {
        let r = ((x - 100.0).powi(2) + (y - 100.0).powi(2)).sqrt();
        (80.0..98.0).contains(&r) || r < 30.0
    })
}

/// `unsigned.pdf` with its page shown turned by `rotate` degrees and a crop box inside its media
/// box, as an incremental update of the page object.
fn rotated(rotate: i64) -> Vec<u8> {
    let mut pdf = unsigned();
    let text = String::from_utf8_lossy(&pdf).into_owned();
    let start = text.find("3 0 obj").unwrap();
    let end = start + text[start..].find("endobj").unwrap();
    let page = text[start + "3 0 obj".len()..end].trim();
    let page = page.strip_suffix(">>").unwrap();
    let prev: usize = text[text.rfind("startxref").unwrap() + 9..]
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let offset = pdf.len();
    pdf.extend_from_slice(
        format!("3 0 obj\n{page} /CropBox [20 30 575 822] /Rotate {rotate} >>\nendobj\n")
            .as_bytes(),
    );
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!(
            "xref\n0 1\n0000000000 65535 f \n3 1\n{offset:010} 00000 n \ntrailer\n\
             << /Size 7 /Root 1 0 R /Info 6 0 R /Prev {prev} \
             /ID [<5641454E45444F4346495854555245AB> <5641454E45444F4346495854555245AB>] >>\n\
             startxref\n{xref}\n%%EOF\n"
        )
        .as_bytes(),
    );
    pdf
}

/// Whether poppler-utils are here; without them the test fails on CI and is skipped elsewhere.
fn have_poppler() -> bool {
    let ok = ["pdftoppm", "pdftotext"]
        .iter()
        .all(|t| Command::new(t).arg("-v").output().is_ok());
    if !ok {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "pdftoppm/pdftotext (poppler-utils) are required on CI"
        );
        eprintln!("skipped: pdftoppm/pdftotext (poppler-utils) not installed");
    }
    ok
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("appearance");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(format!("{name}-{}", std::process::id()))
}

/// Page 1's crop box rendered at 72 dpi (one pixel per point), as shown (turned by /Rotate),
/// as RGB rows from the top.
struct Raster {
    width: usize,
    height: usize,
    rgb: Vec<u8>,
}

impl Raster {
    fn render(pdf: &[u8], name: &str) -> Raster {
        let base = scratch(name);
        let input = base.with_extension("pdf");
        std::fs::write(&input, pdf).unwrap();
        let status = Command::new("pdftoppm")
            .args([
                "-r",
                "72",
                "-png",
                "-cropbox",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
            ])
            .arg(&input)
            .arg(&base)
            .status()
            .unwrap();
        assert!(status.success(), "pdftoppm failed");
        let png_path = base.with_extension("png");
        let data = std::fs::read(&png_path).unwrap();
        // Set VNEDOC_KEEP_RENDERS=1 to look at the files (under target/tmp/appearance).
        if std::env::var_os("VNEDOC_KEEP_RENDERS").is_none() {
            let _ = std::fs::remove_file(&png_path);
            let _ = std::fs::remove_file(&input);
        }
        let mut dec = png::Decoder::new(std::io::Cursor::new(data));
        dec.set_transformations(png::Transformations::normalize_to_color8());
        let mut reader = dec.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        let channels = match info.color_type {
            png::ColorType::Rgb => 3,
            png::ColorType::Rgba => 4,
            other => panic!("pdftoppm wrote {other:?}"),
        };
        let (width, height) = (info.width as usize, info.height as usize);
        let mut rgb = Vec::with_capacity(width * height * 3);
        for row in buf.chunks(info.line_size).take(height) {
            for px in row[..width * channels].chunks(channels) {
                rgb.extend_from_slice(&px[..3]);
            }
        }
        Raster { width, height, rgb }
    }

    fn px(&self, x: usize, y: usize) -> [u8; 3] {
        let i = (y * self.width + x) * 3;
        [self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]]
    }

    /// Pixels in the rectangle of columns `x0..x1` and rows `y0..y1` (clamped) matching `f`.
    fn count(&self, [x0, y0, x1, y1]: [usize; 4], f: impl Fn([u8; 3]) -> bool) -> usize {
        let mut n = 0;
        for y in y0..y1.min(self.height) {
            for x in x0..x1.min(self.width) {
                n += usize::from(f(self.px(x, y)));
            }
        }
        n
    }

    /// Bounding box `[x0, y0, x1, y1]` of the pixels matching `f` in a region.
    fn bbox(
        &self,
        [x0, y0, x1, y1]: [usize; 4],
        f: impl Fn([u8; 3]) -> bool,
    ) -> Option<[usize; 4]> {
        let mut b: Option<[usize; 4]> = None;
        for y in y0..y1.min(self.height) {
            for x in x0..x1.min(self.width) {
                if f(self.px(x, y)) {
                    let c = b.get_or_insert([x, y, x, y]);
                    *c = [c[0].min(x), c[1].min(y), c[2].max(x + 1), c[3].max(y + 1)];
                }
            }
        }
        b
    }
}

fn blue([r, g, b]: [u8; 3]) -> bool {
    b > 180 && r < 90 && g < 90
}

fn red([r, g, b]: [u8; 3]) -> bool {
    r > 180 && g < 90 && b < 90
}

fn dark([r, g, b]: [u8; 3]) -> bool {
    r.max(g).max(b) < 128
}

/// A user-space rectangle of the unrotated A4 page as pixel columns and rows.
fn px_rect(r: [f64; 4]) -> [usize; 4] {
    [
        r[0] as usize,
        (842.0 - r[3]) as usize,
        r[2].ceil() as usize,
        (842.0 - r[1]).ceil() as usize,
    ]
}

/// Words of page 1 (crop box as shown, 72 dpi) whose centre lies in the pixel rectangle, in
/// reading order, joined by single spaces (from `pdftotext -bbox`; its `-x/-y/-W/-H` crop does
/// not follow /Rotate in poppler 22).
fn text_in(pdf: &[u8], name: &str, [x0, y0, x1, y1]: [usize; 4]) -> String {
    let base = scratch(name);
    let input = base.with_extension("pdf");
    std::fs::write(&input, pdf).unwrap();
    let out = Command::new("pdftotext")
        .args(["-f", "1", "-l", "1", "-cropbox", "-bbox", "-enc", "UTF-8"])
        .arg(&input)
        .arg("-")
        .output()
        .unwrap();
    if std::env::var_os("VNEDOC_KEEP_RENDERS").is_none() {
        let _ = std::fs::remove_file(&input);
    }
    assert!(out.status.success(), "pdftotext failed");
    let html = String::from_utf8(out.stdout).unwrap();
    let attr = |tag: &str, key: &str| -> f64 {
        let k = format!("{key}=\"");
        let s = &tag[tag.find(&k).unwrap() + k.len()..];
        s[..s.find('"').unwrap()].parse().unwrap()
    };
    let mut words = Vec::new();
    for part in html.split("<word ").skip(1) {
        let (tag, rest) = part.split_once('>').unwrap();
        let word = rest.split_once("</word>").unwrap().0;
        let cx = (attr(tag, "xMin") + attr(tag, "xMax")) / 2.0;
        let cy = (attr(tag, "yMin") + attr(tag, "yMax")) / 2.0;
        if (x0 as f64..x1 as f64).contains(&cx) && (y0 as f64..y1 as f64).contains(&cy) {
            words.push(
                word.replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&quot;", "\"")
                    .replace("&apos;", "'")
                    .replace("&amp;", "&"),
            );
        }
    }
    words.join(" ")
}

#[test]
fn person_then_seal_over_its_left_third() {
    let person = sign_with(
        &unsigned(),
        "leaf-rsa2048",
        Appearance::Person {
            png: signature_png(),
            rect: PERSON,
        },
    );
    assert_all_pass(&person, 1);
    let sealed = sign_with(
        &person,
        "leaf-rsa3072",
        Appearance::seal(seal_png(), SealPlacement::OverlapPerson(PERSON)),
    );
    if !have_poppler() {
        return;
    }
    let before = Raster::render(&person, "person");
    let after = Raster::render(&sealed, "sealed");
    assert_eq!((after.width, after.height), (595, 842));
    let [x0, y0, x1, y1] = px_rect(PERSON);
    let third = x0 + (x1 - x0) / 3;

    // The blue signature fills its box and nothing outside it is blue.
    let inside = before.count([x0, y0, x1, y1], blue);
    assert!(inside > 600, "blue pixels in the person box: {inside}");
    assert_eq!(
        before.count([0, 0, 595, 842], blue),
        inside,
        "blue outside the box"
    );
    assert_eq!(before.count([0, 0, 595, 842], red), 0);

    // The seal is red, over the left third of the signature and not beyond it.
    let over = after.count([x0, y0, third, y1], red);
    assert!(over > 500, "red pixels over the left third: {over}");
    assert_eq!(
        after.count([third + 2, 0, 595, 842], red),
        0,
        "red right of the left third"
    );
    // It covers strokes of the signature there...
    let covered = (y0..y1)
        .flat_map(|y| (x0..third).map(move |x| (x, y)))
        .filter(|&(x, y)| blue(before.px(x, y)) && red(after.px(x, y)))
        .count();
    assert!(covered > 40, "blue strokes under the seal: {covered}");
    // ...leaves the rest of the signature as it was,
    assert_eq!(
        after.count([third + 2, y0, x1, y1], blue),
        before.count([third + 2, y0, x1, y1], blue)
    );
    // and has its real size: 35 mm ≈ 99 pt wide, centred on the signature's height.
    let b = after.bbox([0, 0, 595, 842], red).unwrap();
    let side = 35.0 * 72.0 / 25.4;
    assert!(
        ((b[2] - b[0]) as f64 - side).abs() < 4.0,
        "seal width {b:?}"
    );
    assert!(
        ((b[3] - b[1]) as f64 - side).abs() < 4.0,
        "seal height {b:?}"
    );
    assert!(
        (((b[1] + b[3]) / 2) as i64 - ((y0 + y1) / 2) as i64).abs() <= 2,
        "{b:?}"
    );
}

/// Decree 30 puts the seal over the person's signature: the overlap of the two signature widgets
/// is an allowed change for the first signature.
#[test]
fn seal_over_person_keeps_first_signature_valid() {
    for (page, person_rect) in [
        (unsigned(), PERSON),
        (rotated(90), [300.0, 330.0, 360.0, 480.0]),
    ] {
        let person = sign_with(
            &page,
            "leaf-rsa2048",
            Appearance::Person {
                png: signature_png(),
                rect: person_rect,
            },
        );
        let sealed = sign_with(
            &person,
            "leaf-rsa3072",
            Appearance::seal(seal_png(), SealPlacement::OverlapPerson(person_rect)),
        );
        let r = assert_all_pass(&sealed, 2);
        let first = r
            .signatures
            .iter()
            .find(|s| s.field == "Signature1")
            .unwrap();
        assert_eq!(
            first.modifications,
            vnedoc::internals::pdf::Modifications::Allowed
        );
        assert!(!first.covers_whole_file);
    }
}

/// The top right strip of the page as shown, in pixels: the right half, 60 px high.
fn top_right(r: &Raster) -> [usize; 4] {
    [r.width / 2, 0, r.width, 60]
}

fn check_stamp(unsigned: &[u8], signed: &[u8], name: &str, expect: &str) {
    assert_all_pass(signed, 1);
    if !have_poppler() {
        return;
    }
    let before = Raster::render(unsigned, &format!("{name}-before"));
    let after = Raster::render(signed, name);
    assert_eq!((before.width, before.height), (after.width, after.height));
    let region = top_right(&after);
    let added = after.count(region, dark) as i64 - before.count(region, dark) as i64;
    assert!(
        added > 200,
        "{name}: dark pixels added at the top right: {added}"
    );
    // Nothing was drawn elsewhere.
    let whole = [0, 0, after.width, after.height];
    assert_eq!(
        after.count(whole, dark) as i64 - before.count(whole, dark) as i64,
        added,
        "{name}: dark pixels outside the top right"
    );
    // Upright text: what was added is wide and low, near the top and right edges (10 mm ≈ 28 pt).
    let mut b: Option<[usize; 4]> = None;
    for y in region[1]..region[3] {
        for x in region[0]..region[2] {
            if dark(after.px(x, y)) && !dark(before.px(x, y)) {
                let c = b.get_or_insert([x, y, x, y]);
                *c = [c[0].min(x), c[1].min(y), c[2].max(x + 1), c[3].max(y + 1)];
            }
        }
    }
    let b = b.unwrap();
    assert!(
        b[2] - b[0] > 4 * (b[3] - b[1]),
        "{name}: stamp box {b:?} is not a line of text"
    );
    let right = after.width - b[2];
    assert!(
        (26..=31).contains(&right),
        "{name}: right margin {right}: {b:?}"
    );
    assert!((26..=34).contains(&b[1]), "{name}: top margin {b:?}");
    // The text reads back exactly.
    let text = text_in(
        signed,
        name,
        [
            b[0].saturating_sub(4),
            b[1].saturating_sub(4),
            b[2] + 4,
            b[3] + 4,
        ],
    );
    assert_eq!(text, expect, "{name}");
}

#[test]
fn attachment_stamp_top_right() {
    let input = unsigned();
    let signed = sign_with(
        &input,
        "leaf-rsa3072",
        Appearance::Attachment {
            doc_number: "15/2026/QĐ-UBND".into(),
        },
    );
    check_stamp(
        &input,
        &signed,
        "attachment",
        &format!("15/2026/QĐ-UBND; {TIME}"),
    );
}

#[test]
fn copy_stamp_top_right_vietnamese_text() {
    let input = unsigned();
    let signed = sign_with(
        &input,
        "leaf-rsa3072",
        Appearance::Copy {
            form: "SAO Y".into(),
            agency: "Văn phòng UBND Tỉnh Đồng Tháp".into(),
        },
    );
    check_stamp(
        &input,
        &signed,
        "copy",
        &format!("SAO Y; Văn phòng UBND Tỉnh Đồng Tháp; {TIME}"),
    );
}

#[test]
fn stamps_on_a_page_shown_turned() {
    for rotate in [90, 180, 270] {
        let input = rotated(rotate);
        assert!(
            verifier()
                .verify_bytes("rotated", &input)
                .signatures
                .is_empty()
        );
        let signed = sign_with(
            &input,
            "leaf-rsa3072",
            Appearance::Copy {
                form: "TRÍCH SAO".into(),
                agency: "Sở Tư pháp tỉnh Đồng Tháp".into(),
            },
        );
        let name = format!("rotate{rotate}");
        check_stamp(
            &input,
            &signed,
            &name,
            &format!("TRÍCH SAO; Sở Tư pháp tỉnh Đồng Tháp; {TIME}"),
        );
        if have_poppler() {
            // The crop box (555 × 792 pt) is what is shown, turned.
            let r = Raster::render(&signed, &name);
            let expect = if rotate == 180 {
                (555, 792)
            } else {
                (792, 555)
            };
            assert_eq!((r.width, r.height), expect, "{name}");
        }
    }
}

#[test]
fn person_and_seal_on_a_page_shown_turned() {
    // On a page shown turned by 90°, a box given in user space is drawn upright; the seal goes
    // on the side shown as left (the user-space bottom).
    let input = rotated(90);
    let person_rect = [300.0, 330.0, 360.0, 480.0]; // 60 × 150 pt in user space, 150 × 60 shown
    let person = sign_with(
        &input,
        "leaf-rsa2048",
        Appearance::Person {
            png: signature_png(),
            rect: person_rect,
        },
    );
    let sealed = sign_with(
        &person,
        "leaf-rsa3072",
        Appearance::seal(seal_png(), SealPlacement::OverlapPerson(person_rect)),
    );
    assert_all_pass(&person, 1);
    if !have_poppler() {
        return;
    }
    let before = Raster::render(&person, "person90");
    let after = Raster::render(&sealed, "sealed90");
    // Shown: u = y - 30, v = 575 - x, row = 555 - v = x - 20.
    let (u0, u1) = (330 - 30, 480 - 30);
    let (row0, row1) = (300 - 20, 360 - 20);
    let blue_box = before
        .bbox([0, 0, before.width, before.height], blue)
        .unwrap();
    assert!(
        blue_box[0] >= u0 && blue_box[2] <= u1 && blue_box[1] >= row0 && blue_box[3] <= row1,
        "{blue_box:?}"
    );
    // Upright: the wave is wider than high as shown.
    assert!(
        blue_box[2] - blue_box[0] > 2 * (blue_box[3] - blue_box[1]),
        "{blue_box:?}"
    );
    let third = u0 + (u1 - u0) / 3;
    assert!(after.count([u0, row0, third, row1], red) > 500);
    assert_eq!(
        after.count([third + 2, 0, after.width, after.height], red),
        0
    );
}
