//! Visible signature appearances of Vietnamese government e-documents (Decree 30/2020/ND-CP,
//! Appendix I, "Hình thức chữ ký số"):
//!
//! | signature | image | placement | text |
//! |---|---|---|---|
//! | competent person | PNG of the handwritten signature, blue, transparent background | centred between the signer's title and full name | none |
//! | issuing agency (seal) | PNG of the seal, red, real seal size, transparent | overlaps about 1/3 of the person's signature image, on its left | none |
//! | agency signature on an attachment in a separate file | none | top right of the first page | "số và ký hiệu văn bản; thời gian ký" |
//! | agency signature on an electronic copy | none | top right of the first page | "SAO Y / SAO LỤC / TRÍCH SAO; tên cơ quan sao; thời gian ký" |
//!
//! Text stamps are Times New Roman style (Liberation Serif, embedded as a subset), regular,
//! upright, 10 pt, black.
//!
//! [`build`] writes the objects of one appearance — a form XObject (ISO 32000-1 §8.10) used as
//! the widget annotation's normal appearance `/AP << /N … >>` (§12.5.5), with its images or
//! font — and returns the widget's `/Rect`. Pages with `/Rotate` get a form whose `/Matrix`
//! turns its content so that it reads upright as the page is shown (§12.5.5, Algorithm 8.1:
//! the bounding box transformed by `/Matrix` is fitted into `/Rect`), and positions such as
//! "top right" are taken on the page as the reader sees it, within the crop box.

use std::io::Cursor;

// The stamp font lives in a child module so that `sign/mod.rs` needs no change for it.
mod font;

use super::SignError;

/// Why a visible appearance cannot be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AppearanceError {
    /// A seal size outside (0, [`MAX_SEAL_MM`]] mm.
    #[error("seal size {size_mm} mm is outside (0, {MAX_SEAL_MM}]")]
    SealSize {
        /// The size mm.
        size_mm: f64,
    },
    /// A copy form other than those of [`COPY_FORMS`].
    #[error("copy form {form:?} is not one of {COPY_FORMS:?}")]
    CopyForm {
        /// The form.
        form: String,
    },
    /// A rectangle with a NaN or infinite coordinate; `what` names it.
    #[error("{what} {rect:?} is not finite")]
    RectNotFinite {
        /// What is wrong.
        what: &'static str,
        /// The rectangle (points: x0, y0, x1, y1).
        rect: [f64; 4],
    },
    /// A rectangle of zero width or height; `what` names it.
    #[error("{what} {rect:?} is empty")]
    RectEmpty {
        /// What is wrong.
        what: &'static str,
        /// The rectangle (points: x0, y0, x1, y1).
        rect: [f64; 4],
    },
    /// A text field that is empty or blank; `what` names it.
    #[error("{what} is empty")]
    FieldEmpty {
        /// What is wrong.
        what: &'static str,
    },
    /// A text field with control characters; `what` names it.
    #[error("{what} {value:?} contains control characters")]
    FieldControl {
        /// What is wrong.
        what: &'static str,
        /// The offending value.
        value: String,
    },
    /// The page's /CropBox does not meet its /MediaBox.
    #[error("the /CropBox lies outside the /MediaBox")]
    CropOutsideMedia,
    /// A page /Rotate that is not a multiple of 90.
    #[error("/Rotate {rotate} is not a multiple of 90")]
    Rotate {
        /// The rotate.
        rotate: i64,
    },
    /// The image is not a PNG that can be drawn.
    #[error("PNG: {0}")]
    Png(#[from] PngError),
    /// The PNG file is larger than [`MAX_PNG_BYTES`].
    #[error("PNG of {size} bytes exceeds {MAX_PNG_BYTES}")]
    PngBytes {
        /// Size in bytes.
        size: usize,
    },
    /// A PNG side of 0 or over [`MAX_IMAGE_SIDE`] pixels.
    #[error("PNG of {width}×{height} pixels: each side must be 1..={MAX_IMAGE_SIDE}")]
    PngSize {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
    },
    /// Stamp text over the length limit.
    #[error("stamp text longer than {MAX_STAMP_CHARS} characters")]
    StampTooLong,
    /// The embedded font does not parse (a build defect).
    #[error("embedded font: {0}")]
    Font(#[source] ttf_parser::FaceParsingError),
    /// The stamp text has a character the font lacks.
    #[error("the stamp font has no glyph for U+{:04X}", u32::from(*.0))]
    NoGlyph(char),
    /// The font subset cannot be built.
    #[error("font subsetting failed: {0:?}")]
    Subsetting(#[source] subsetter::Error),
    /// Compressing a stream failed.
    #[error("compression: {0}")]
    Compression(#[source] std::io::Error),
}

/// Why a PNG cannot be decoded into pixels.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PngError {
    /// The png crate refused the data.
    #[error("{0}")]
    Decode(#[from] png::DecodingError),
    /// The decoded image does not fit in memory.
    #[error("image too large")]
    TooLarge,
    /// A bit depth other than 8 after normalisation.
    #[error("unexpected bit depth {0:?}")]
    BitDepth(png::BitDepth),
    /// A palette image after normalisation.
    #[error("palette not expanded")]
    Palette,
    /// A dimension that does not fit `usize`.
    #[error("{0}")]
    Dimension(#[from] std::num::TryFromIntError),
    /// Rows shorter than width × channels.
    #[error("inconsistent row size")]
    RowSize,
    /// Fewer rows or bytes than the header announces.
    #[error("short image data")]
    ShortData,
    /// A pixel of the wrong number of channels.
    #[error("bad pixel")]
    BadPixel,
}
use crate::pdf::writer::{ObjectWriter, num};
use font::{FontSubset, SerifFont, deflate};

/// Points per millimetre: 1 pt = 1/72 in (ISO 32000-1 §8.3.2.3, default user space unit) and
/// 1 in = 25.4 mm.
pub const PT_PER_MM: f64 = 72.0 / 25.4;

/// Real size of an agency seal when the caller has none: 35 mm, the common diameter of the round
/// seals of provincial and district agencies (Decree 99/2016/ND-CP on seals leaves sizes to the
/// Ministry of Public Security, whose circulars give 32–42 mm; 35 mm is the usual value in
/// Vietnamese signing software).
pub const DEFAULT_SEAL_MM: f64 = 35.0;

/// Largest seal accepted, in mm: a seal wider than 200 mm does not fit an A4 page (210 mm).
pub const MAX_SEAL_MM: f64 = 200.0;

/// Largest width and height of a signature or seal image, in pixels. A scanned signature at
/// 600 dpi over the 20 cm of an A4 page is under 5000 px; 8192 leaves room and bounds the decoded
/// size (8192 × 8192 RGBA = 256 MiB).
pub const MAX_IMAGE_SIDE: u32 = 8192;

/// Largest PNG file accepted, in bytes: 32 MiB, far above any signature or seal image and a bound
/// on the work spent on untrusted input before the header limits apply.
pub const MAX_PNG_BYTES: usize = 32 << 20;

/// Font size of text stamps in points (Decree 30/2020, Appendix I: "cỡ chữ 10").
pub const STAMP_FONT_SIZE: f64 = 10.0;

/// Distance between baselines of a wrapped stamp: 1.2 × the font size, the usual single line
/// spacing of word processors.
const STAMP_LEADING: f64 = STAMP_FONT_SIZE * 1.2;

/// Distance of a text stamp from the top and right edges of the visible page: 10 mm, inside the
/// 20–25 mm top margin and the 15–20 mm right margin of Decree 30/2020 Appendix I (section II.4),
/// so the stamp does not cover the text of the document.
const STAMP_MARGIN: f64 = 10.0 * PT_PER_MM;

/// A stamp wider than this fraction of the visible page width is wrapped onto several lines
/// (keeps it within the right half of the page, above the "Quốc hiệu" block it sits next to).
const STAMP_MAX_WIDTH_FRACTION: f64 = 0.45;

/// Longest stamp text in characters: a document number, an agency name and a time are far
/// shorter; the bound keeps the layout work and the stamp's size small.
const MAX_STAMP_CHARS: usize = 1024;

/// Copy forms of Decree 30/2020 Article 25 ("bản sao y", "bản sao lục", "bản trích sao") as
/// Appendix I writes them on an electronic copy.
pub const COPY_FORMS: [&str; 3] = ["SAO Y", "SAO LỤC", "TRÍCH SAO"];

/// The page the appearance is placed on: its boxes in default user space and its `/Rotate`.
#[derive(Clone, Debug, PartialEq)]
pub struct PageGeometry {
    /// The page's `/MediaBox`, `[x0, y0, x1, y1]` in points (corners in any order).
    pub media_box: [f64; 4],
    /// The page's `/CropBox`, the part shown, clipped to the media box; `None`: the whole
    /// media box.
    pub crop_box: Option<[f64; 4]>,
    /// Clockwise rotation of the page when shown, a multiple of 90 (ISO 32000-1 §7.7.3.3).
    pub rotate: i64,
}

/// What a signature's visible appearance shows (Decree 30/2020 Appendix I).
#[derive(Clone, Debug, PartialEq)]
pub enum Appearance {
    /// The competent person's handwritten signature, a blue PNG, centred in `rect` (default user
    /// space) with its aspect ratio kept, upright as the page is shown (on a page with
    /// `/Rotate 90` a `rect` 60 wide and 150 high in user space is shown 150 wide and 60 high).
    Person {
        /// The signature image, PNG (at most [`MAX_PNG_BYTES`], each side at most
        /// [`MAX_IMAGE_SIDE`] pixels).
        png: Vec<u8>,
        /// The box the image is fitted into, `[x0, y0, x1, y1]` in points.
        rect: [f64; 4],
    },
    /// The issuing agency's seal, a red PNG drawn at real size: `size_mm` wide and high (a square
    /// box, the image's aspect ratio kept; [`DEFAULT_SEAL_MM`] when unknown).
    Seal {
        /// The seal image, PNG (same limits as [`Appearance::Person`]'s).
        png: Vec<u8>,
        /// The seal's real width and height in millimetres, in (0, [`MAX_SEAL_MM`]].
        size_mm: f64,
        /// Where the seal goes on the page.
        placement: SealPlacement,
    },
    /// Agency signature on an attachment in a separate file: `<doc number>; <signing time>` at
    /// the top right of the page.
    Attachment {
        /// The document's number and symbol (số và ký hiệu, e.g. `123/QĐ-UBND`): not blank, no
        /// control characters.
        doc_number: String,
    },
    /// Agency signature on an electronic copy: `<form>; <copying agency>; <signing time>` at the
    /// top right of the page; `form` is one of [`COPY_FORMS`].
    Copy {
        /// The copy form, one of [`COPY_FORMS`].
        form: String,
        /// The name of the agency making the copy: not blank, no control characters.
        agency: String,
    },
}

impl Appearance {
    /// A seal of the default real size ([`DEFAULT_SEAL_MM`]).
    pub fn seal(png: Vec<u8>, placement: SealPlacement) -> Self {
        Appearance::Seal {
            png,
            size_mm: DEFAULT_SEAL_MM,
            placement,
        }
    }
}

/// Where a seal goes.
#[derive(Clone, Debug, PartialEq)]
pub enum SealPlacement {
    /// Centred on the centre of this rectangle (default user space).
    Rect([f64; 4]),
    /// Over the left part of the person's signature image whose rectangle (default user space,
    /// as passed in [`Appearance::Person`] or, to follow the image exactly, as returned by
    /// [`person_image_rect`]) is given: the seal's right edge lies one third of the way into the
    /// image from its left edge (as the page is shown), and the seal is centred vertically on it.
    OverlapPerson([f64; 4]),
}

/// The objects written for one appearance.
#[derive(Clone, Debug, PartialEq)]
pub struct BuiltAppearance {
    /// The widget annotation's `/Rect`, in default user space.
    pub rect: [f64; 4],
    /// Object number of the form XObject to use as `/AP << /N … >>`.
    pub normal: u32,
}

/// Writes the objects of `app` for a page with geometry `page` into `w`. `signing_time` is the
/// time shown by text stamps, ISO 8601 with the Vietnam offset (`2026-11-26T09:15:30+07:00`).
pub fn build(
    app: &Appearance,
    page: &PageGeometry,
    signing_time: &str,
    w: &mut ObjectWriter,
) -> Result<BuiltAppearance, SignError> {
    let view = View::new(page)?;
    match app {
        Appearance::Person { png, rect } => {
            let img = decode_png(png)?;
            let box_v = view.rect_to_visual(checked_rect(rect, "person rectangle")?);
            image_form(&view, &img, box_v, w)
        }
        Appearance::Seal {
            png,
            size_mm,
            placement,
        } => {
            if !size_mm.is_finite() || *size_mm <= 0.0 || *size_mm > MAX_SEAL_MM {
                return Err(AppearanceError::SealSize { size_mm: *size_mm }.into());
            }
            let side = size_mm * PT_PER_MM;
            let box_v = seal_box(&view, side, placement)?;
            let img = decode_png(png)?;
            image_form(&view, &img, box_v, w)
        }
        Appearance::Attachment { doc_number } => {
            check_field(doc_number, "document number")?;
            check_field(signing_time, "signing time")?;
            text_form(&view, &format!("{doc_number}; {signing_time}"), w)
        }
        Appearance::Copy { form, agency } => {
            if !COPY_FORMS.contains(&form.as_str()) {
                return Err(AppearanceError::CopyForm { form: form.clone() }.into());
            }
            check_field(agency, "copying agency")?;
            check_field(signing_time, "signing time")?;
            text_form(&view, &format!("{form}; {agency}; {signing_time}"), w)
        }
    }
}

/// The rectangle (default user space) that the person's signature image covers when drawn in
/// `rect` on `page`: centred, aspect ratio kept. Pass it to [`SealPlacement::OverlapPerson`] to
/// place the seal over the image itself rather than over its whole box.
pub fn person_image_rect(
    png: &[u8],
    rect: [f64; 4],
    page: &PageGeometry,
) -> Result<[f64; 4], SignError> {
    let view = View::new(page)?;
    let img = decode_png(png)?;
    let box_v = view.rect_to_visual(checked_rect(&rect, "person rectangle")?);
    let [ox, oy, dw, dh] = fit(&img, width(&box_v), height(&box_v));
    Ok(view.rect_to_user([
        box_v[0] + ox,
        box_v[1] + oy,
        box_v[0] + ox + dw,
        box_v[1] + oy + dh,
    ]))
}

/// The square box of a seal of side `side`, in visual coordinates.
fn seal_box(view: &View, side: f64, placement: &SealPlacement) -> Result<[f64; 4], SignError> {
    let (cx, cy) = match placement {
        SealPlacement::Rect(r) => {
            let v = view.rect_to_visual(checked_rect(r, "seal rectangle")?);
            ((v[0] + v[2]) / 2.0, (v[1] + v[3]) / 2.0)
        }
        SealPlacement::OverlapPerson(r) => {
            let p = view.rect_to_visual(checked_rect(r, "person rectangle")?);
            // Decree 30/2020 Appendix I: "trùm lên khoảng 1/3 hình ảnh chữ ký số của người có
            // thẩm quyền về phía bên trái" — the left third of the person's image is covered.
            let right = p[0] + width(&p) / 3.0;
            (right - side / 2.0, (p[1] + p[3]) / 2.0)
        }
    };
    let h = side / 2.0;
    Ok([cx - h, cy - h, cx + h, cy + h])
}

/// Rejects non-finite or empty rectangles; returns it normalised (lower left, upper right).
fn checked_rect(r: &[f64; 4], what: &'static str) -> Result<[f64; 4], SignError> {
    if r.iter().any(|v| !v.is_finite()) {
        return Err(AppearanceError::RectNotFinite { what, rect: *r }.into());
    }
    let n = normalise(*r);
    if width(&n) <= 0.0 || height(&n) <= 0.0 {
        return Err(AppearanceError::RectEmpty { what, rect: *r }.into());
    }
    Ok(n)
}

fn check_field(s: &str, what: &'static str) -> Result<(), SignError> {
    if s.trim().is_empty() {
        return Err(AppearanceError::FieldEmpty { what }.into());
    }
    if s.chars().any(char::is_control) {
        return Err(AppearanceError::FieldControl {
            what,
            value: s.to_owned(),
        }
        .into());
    }
    Ok(())
}

fn normalise(r: [f64; 4]) -> [f64; 4] {
    [
        r[0].min(r[2]),
        r[1].min(r[3]),
        r[0].max(r[2]),
        r[1].max(r[3]),
    ]
}

fn width(r: &[f64; 4]) -> f64 {
    r[2] - r[0]
}

fn height(r: &[f64; 4]) -> f64 {
    r[3] - r[1]
}

/// The page as the reader sees it: the visible box (crop box clipped to the media box, ISO
/// 32000-1 §14.11.2) turned by `/Rotate`. Visual coordinates `(u, v)` start at the visible
/// lower left corner as shown, `u` to the right and `v` up.
#[derive(Clone, Debug)]
struct View {
    /// Visible box in default user space, normalised.
    vis: [f64; 4],
    /// `/Rotate` reduced to 0, 90, 180 or 270.
    rotate: u16,
}

impl View {
    fn new(page: &PageGeometry) -> Result<Self, SignError> {
        let media = checked_rect(&page.media_box, "/MediaBox")?;
        let vis = match &page.crop_box {
            None => media,
            Some(c) => {
                let c = checked_rect(c, "/CropBox")?;
                let v = [
                    c[0].max(media[0]),
                    c[1].max(media[1]),
                    c[2].min(media[2]),
                    c[3].min(media[3]),
                ];
                if width(&v) <= 0.0 || height(&v) <= 0.0 {
                    return Err(AppearanceError::CropOutsideMedia.into());
                }
                v
            }
        };
        let rotate = match page.rotate.rem_euclid(360) {
            0 => 0,
            90 => 90,
            180 => 180,
            270 => 270,
            _ => {
                return Err(AppearanceError::Rotate {
                    rotate: page.rotate,
                }
                .into());
            }
        };
        Ok(View { vis, rotate })
    }

    /// Visual width and height of the page.
    fn size(&self) -> (f64, f64) {
        let (w, h) = (width(&self.vis), height(&self.vis));
        if !matches!(self.rotate, 90 | 270) {
            (w, h)
        } else {
            (h, w)
        }
    }

    /// Default user space → visual coordinates. With `/Rotate 90` the page is turned clockwise:
    /// its left edge is shown on top and its top edge on the right.
    fn to_visual(&self, x: f64, y: f64) -> (f64, f64) {
        let [x0, y0, x1, y1] = self.vis;
        match self.rotate {
            90 => (y - y0, x1 - x),
            180 => (x1 - x, y1 - y),
            270 => (y1 - y, x - x0),
            _ => (x - x0, y - y0),
        }
    }

    /// Visual coordinates → default user space (inverse of [`View::to_visual`]).
    fn to_user(&self, u: f64, v: f64) -> (f64, f64) {
        let [x0, y0, x1, y1] = self.vis;
        match self.rotate {
            90 => (x1 - v, y0 + u),
            180 => (x1 - u, y1 - v),
            270 => (x0 + v, y1 - u),
            _ => (x0 + u, y0 + v),
        }
    }

    fn rect_to_visual(&self, r: [f64; 4]) -> [f64; 4] {
        let (a, b) = self.to_visual(r[0], r[1]);
        let (c, d) = self.to_visual(r[2], r[3]);
        normalise([a, b, c, d])
    }

    fn rect_to_user(&self, r: [f64; 4]) -> [f64; 4] {
        let (a, b) = self.to_user(r[0], r[1]);
        let (c, d) = self.to_user(r[2], r[3]);
        normalise([a, b, c, d])
    }

    /// `/Matrix` of a form drawn in visual orientation: maps its `u` axis and `v` axis onto the
    /// user-space directions that are shown as right and up. The translation is left to
    /// Algorithm 8.1, which moves the transformed box onto `/Rect`.
    fn matrix(&self) -> &'static str {
        match self.rotate {
            90 => "[0 1 -1 0 0 0]",
            180 => "[-1 0 0 -1 0 0]",
            270 => "[0 -1 1 0 0 0]",
            _ => "[1 0 0 1 0 0]",
        }
    }
}

/// A decoded PNG: 8-bit RGB samples and, when the PNG has transparency, 8-bit alpha.
#[derive(Debug)]
struct Image {
    width: u32,
    height: u32,
    rgb: Vec<u8>,
    alpha: Option<Vec<u8>>,
}

fn png_err(e: impl Into<PngError>) -> SignError {
    AppearanceError::Png(e.into()).into()
}

/// Decodes a PNG of any colour type and depth (palette and `tRNS` expanded, 16-bit reduced to 8)
/// into RGB plus optional alpha.
fn decode_png(data: &[u8]) -> Result<Image, SignError> {
    if data.len() > MAX_PNG_BYTES {
        return Err(AppearanceError::PngBytes { size: data.len() }.into());
    }
    let mut decoder = png::Decoder::new(Cursor::new(data));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().map_err(png_err)?;
    let (wd, ht) = reader.info().size();
    if wd == 0 || ht == 0 || wd > MAX_IMAGE_SIDE || ht > MAX_IMAGE_SIDE {
        return Err(AppearanceError::PngSize {
            width: wd,
            height: ht,
        }
        .into());
    }
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| png_err(PngError::TooLarge))?;
    let mut buf = vec![0u8; size];
    let frame = reader.next_frame(&mut buf).map_err(png_err)?;
    if frame.bit_depth != png::BitDepth::Eight {
        return Err(png_err(PngError::BitDepth(frame.bit_depth)));
    }
    let channels: usize = match frame.color_type {
        png::ColorType::Grayscale => 1,
        png::ColorType::GrayscaleAlpha => 2,
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        png::ColorType::Indexed => return Err(png_err(PngError::Palette)),
    };
    let w = usize::try_from(frame.width).map_err(png_err)?;
    let h = usize::try_from(frame.height).map_err(png_err)?;
    let row_len = w
        .checked_mul(channels)
        .filter(|&n| n <= frame.line_size)
        .ok_or_else(|| png_err(PngError::RowSize))?;
    let pixels = w
        .checked_mul(h)
        .ok_or_else(|| png_err(PngError::TooLarge))?;
    let mut rgb = Vec::with_capacity(pixels.saturating_mul(3));
    let has_alpha = matches!(
        frame.color_type,
        png::ColorType::GrayscaleAlpha | png::ColorType::Rgba
    );
    let mut alpha = Vec::with_capacity(if has_alpha { pixels } else { 0 });
    let rows = buf.chunks(frame.line_size).take(h);
    let mut seen = 0usize;
    for row in rows {
        let row = row
            .get(..row_len)
            .ok_or_else(|| png_err(PngError::ShortData))?;
        for px in row.chunks_exact(channels) {
            match *px {
                [g] => rgb.extend_from_slice(&[g, g, g]),
                [g, a] => {
                    rgb.extend_from_slice(&[g, g, g]);
                    alpha.push(a);
                }
                [r, g, b] => rgb.extend_from_slice(&[r, g, b]),
                [r, g, b, a] => {
                    rgb.extend_from_slice(&[r, g, b]);
                    alpha.push(a);
                }
                _ => return Err(png_err(PngError::BadPixel)),
            }
        }
        seen = seen.saturating_add(1);
    }
    if seen != h {
        return Err(png_err(PngError::ShortData));
    }
    Ok(Image {
        width: frame.width,
        height: frame.height,
        rgb,
        alpha: has_alpha.then_some(alpha),
    })
}

/// Writes the image XObject (ISO 32000-1 §8.9.5) with its soft mask (§11.6.5.3).
fn write_image(img: &Image, w: &mut ObjectWriter) -> Result<u32, SignError> {
    let smask = match &img.alpha {
        Some(a) => {
            let n = w.add_stream(
                &format!(
                    "/Type /XObject /Subtype /Image /Width {} /Height {} /ColorSpace /DeviceGray \
                     /BitsPerComponent 8 /Filter /FlateDecode",
                    img.width, img.height
                ),
                &deflate(a)?,
            );
            format!(" /SMask {n} 0 R")
        }
        None => String::new(),
    };
    Ok(w.add_stream(
        &format!(
            "/Type /XObject /Subtype /Image /Width {} /Height {} /ColorSpace /DeviceRGB \
             /BitsPerComponent 8 /Filter /FlateDecode{smask}",
            img.width, img.height
        ),
        &deflate(&img.rgb)?,
    ))
}

/// Offset and size `[ox, oy, w, h]` of `img` fitted into a `bw × bh` box: centred, aspect ratio
/// kept, as large as fits.
fn fit(img: &Image, bw: f64, bh: f64) -> [f64; 4] {
    let (iw, ih) = (f64::from(img.width), f64::from(img.height));
    let scale = (bw / iw).min(bh / ih);
    let (dw, dh) = (iw * scale, ih * scale);
    [(bw - dw) / 2.0, (bh - dh) / 2.0, dw, dh]
}

/// A form with `img` fitted into the visual box `box_v`.
fn image_form(
    view: &View,
    img: &Image,
    box_v: [f64; 4],
    w: &mut ObjectWriter,
) -> Result<BuiltAppearance, SignError> {
    let (bw, bh) = (width(&box_v), height(&box_v));
    let [ox, oy, dw, dh] = fit(img, bw, bh);
    let image = write_image(img, w)?;
    let content = format!(
        "q {} 0 0 {} {} {} cm /Im0 Do Q\n",
        num(dw),
        num(dh),
        num(ox),
        num(oy)
    );
    let normal = w.add_stream(
        &format!(
            "/Type /XObject /Subtype /Form /FormType 1 /BBox [0 0 {} {}] /Matrix {} \
             /Resources << /XObject << /Im0 {image} 0 R >> >>",
            num(bw),
            num(bh),
            view.matrix()
        ),
        content.as_bytes(),
    );
    Ok(BuiltAppearance {
        rect: view.rect_to_user(box_v),
        normal,
    })
}

/// Breaks `text` into lines no wider than `max` points, at spaces; a word wider than `max` alone
/// is broken between characters.
fn wrap(font: &SerifFont, text: &str, max: f64) -> Result<Vec<String>, SignError> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if font.width(&candidate, STAMP_FONT_SIZE)? <= max {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        for c in word.chars() {
            let mut next = line.clone();
            next.push(c);
            if !line.is_empty() && font.width(&next, STAMP_FONT_SIZE)? > max {
                lines.push(std::mem::take(&mut line));
                line.push(c);
            } else {
                line = next;
            }
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    Ok(lines)
}

/// A text stamp at the top right of the page as shown.
fn text_form(view: &View, text: &str, w: &mut ObjectWriter) -> Result<BuiltAppearance, SignError> {
    if text.chars().count() > MAX_STAMP_CHARS {
        return Err(AppearanceError::StampTooLong.into());
    }
    let font = SerifFont::load()?;
    let (page_w, page_h) = view.size();
    let lines = wrap(&font, text, page_w * STAMP_MAX_WIDTH_FRACTION)?;
    let mut widths = Vec::with_capacity(lines.len());
    for l in &lines {
        widths.push(font.width(l, STAMP_FONT_SIZE)?);
    }
    let bw = widths.iter().copied().fold(0.0, f64::max);
    let ascent = font.ascent() * STAMP_FONT_SIZE / 1000.0;
    let descent = font.descent() * STAMP_FONT_SIZE / 1000.0;
    let extra_lines = f64::from(u32::try_from(lines.len().saturating_sub(1)).unwrap_or(u32::MAX));
    let bh = extra_lines * STAMP_LEADING + ascent - descent;

    let mut subset = FontSubset::new(&font);
    let mut content = format!("BT /F0 {} Tf 0 g\n", num(STAMP_FONT_SIZE));
    let mut baseline = bh - ascent;
    for (line, lw) in lines.iter().zip(&widths) {
        // Right-aligned: every line ends at the stamp's right edge.
        content.push_str(&format!(
            "1 0 0 1 {} {} Tm {} Tj\n",
            num(bw - lw),
            num(baseline),
            subset.encode(line)?
        ));
        baseline -= STAMP_LEADING;
    }
    content.push_str("ET\n");
    let font_obj = subset.write(w)?;

    // The stamp's box, right and top at the margin, kept on the page if the page is small.
    let right = (page_w - STAMP_MARGIN).max(bw.min(page_w));
    let top = (page_h - STAMP_MARGIN).max(bh.min(page_h));
    let box_v = [right - bw, top - bh, right, top];
    let normal = w.add_stream(
        &format!(
            "/Type /XObject /Subtype /Form /FormType 1 /BBox [0 0 {} {}] /Matrix {} \
             /Resources << /Font << /F0 {font_obj} 0 R >> >>",
            num(bw),
            num(bh),
            view.matrix()
        ),
        content.as_bytes(),
    );
    Ok(BuiltAppearance {
        rect: view.rect_to_user(box_v),
        normal,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An RGBA PNG: a coloured disc (`rgb`) on a transparent background.
    pub(crate) fn disc_png(w: u32, h: u32, rgb: [u8; 3]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().unwrap();
        let mut data = Vec::new();
        let (cx, cy, r) = (
            f64::from(w) / 2.0,
            f64::from(h) / 2.0,
            f64::from(w.min(h)) / 2.0,
        );
        for y in 0..h {
            for x in 0..w {
                let (dx, dy) = (f64::from(x) + 0.5 - cx, f64::from(y) + 0.5 - cy);
                let inside = dx * dx + dy * dy <= r * r;
                data.extend_from_slice(&rgb);
                data.push(if inside { 255 } else { 0 });
            }
        }
        writer.write_image_data(&data).unwrap();
        writer.finish().unwrap();
        out
    }

    fn encode(
        w: u32,
        h: u32,
        color: png::ColorType,
        depth: png::BitDepth,
        data: &[u8],
        palette: Option<(&[u8], &[u8])>,
    ) -> Vec<u8> {
        let mut out = Vec::new();
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(color);
        enc.set_depth(depth);
        if let Some((p, t)) = palette {
            enc.set_palette(p.to_vec());
            enc.set_trns(t.to_vec());
        }
        let mut writer = enc.write_header().unwrap();
        writer.write_image_data(data).unwrap();
        writer.finish().unwrap();
        out
    }

    fn a4() -> PageGeometry {
        PageGeometry {
            media_box: [0.0, 0.0, 595.0, 842.0],
            crop_box: None,
            rotate: 0,
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-6
    }

    fn body(w: &ObjectWriter, n: u32) -> String {
        let (_, b) = w.objects().iter().find(|(m, _)| *m == n).unwrap();
        String::from_utf8_lossy(b).into_owned()
    }

    #[test]
    fn decode_rgba_keeps_alpha() {
        let img = decode_png(&disc_png(8, 4, [0, 0, 200])).unwrap();
        assert_eq!((img.width, img.height, img.rgb.len()), (8, 4, 96));
        let alpha = img.alpha.unwrap();
        assert_eq!(alpha.len(), 32);
        assert_eq!(alpha[0], 0, "corner transparent");
        assert_eq!(alpha[2 * 8 + 4], 255, "centre opaque");
        assert_eq!(&img.rgb[..3], &[0, 0, 200]);
    }

    #[test]
    fn decode_other_colour_types() {
        // Grey 8-bit, no alpha.
        let img = decode_png(&encode(
            2,
            1,
            png::ColorType::Grayscale,
            png::BitDepth::Eight,
            &[10, 200],
            None,
        ))
        .unwrap();
        assert_eq!(img.rgb, vec![10, 10, 10, 200, 200, 200]);
        assert!(img.alpha.is_none());
        // RGB 16-bit → 8-bit.
        let img = decode_png(&encode(
            1,
            1,
            png::ColorType::Rgb,
            png::BitDepth::Sixteen,
            &[0xff, 0, 0x80, 0, 0, 0],
            None,
        ))
        .unwrap();
        assert_eq!(img.rgb, vec![255, 128, 0]);
        // Palette with tRNS → RGB + alpha.
        let img = decode_png(&encode(
            2,
            1,
            png::ColorType::Indexed,
            png::BitDepth::Eight,
            &[0, 1],
            Some((&[255, 0, 0, 0, 0, 255], &[0])),
        ))
        .unwrap();
        assert_eq!(img.rgb, vec![255, 0, 0, 0, 0, 255]);
        assert_eq!(img.alpha, Some(vec![0, 255]));
        // Grey + alpha.
        let img = decode_png(&encode(
            1,
            1,
            png::ColorType::GrayscaleAlpha,
            png::BitDepth::Eight,
            &[7, 9],
            None,
        ))
        .unwrap();
        assert_eq!((img.rgb, img.alpha), (vec![7, 7, 7], Some(vec![9])));
    }

    #[test]
    fn malformed_pngs_are_errors() {
        let good = disc_png(16, 16, [200, 0, 0]);
        // Cuts inside the header and inside IDAT (a PNG cut after its image data, in IEND, still
        // decodes: the image is complete).
        for cut in [0, 8, 20, 33, 40, good.len() / 2, good.len() - 20] {
            let r = decode_png(&good[..cut]);
            assert!(
                matches!(r, Err(SignError::Appearance(_))),
                "cut at {cut}: {r:?}"
            );
        }
        assert!(decode_png(b"GIF89a not a png").is_err());
        // Any single corrupted byte gives an image or an error, never a panic.
        let small = disc_png(6, 5, [200, 0, 0]);
        for i in 0..small.len() {
            for x in [0x01, 0x80, 0xff] {
                let mut bad = small.clone();
                bad[i] ^= x;
                let _ = decode_png(&bad);
            }
        }
        let mut flipped = good.clone();
        let mid = flipped.len() / 2;
        flipped[mid] ^= 0xff;
        assert!(decode_png(&flipped).is_err(), "CRC or zlib error expected");
        // Too wide.
        let wide = encode(
            MAX_IMAGE_SIDE + 1,
            1,
            png::ColorType::Grayscale,
            png::BitDepth::One,
            &vec![0; 1025],
            None,
        );
        let e = decode_png(&wide).unwrap_err().to_string();
        assert!(e.contains("8193"), "{e}");
    }

    #[test]
    fn person_image_with_smask_centred() {
        let mut w = ObjectWriter::new(10);
        let app = Appearance::Person {
            png: disc_png(40, 20, [0, 0, 255]),
            rect: [300.0, 200.0, 400.0, 300.0],
        };
        let built = build(&app, &a4(), "", &mut w).unwrap();
        assert_eq!(built.rect, [300.0, 200.0, 400.0, 300.0]);
        // SMask, image, form.
        assert_eq!(w.objects().len(), 3);
        let smask = body(&w, 10);
        assert!(smask.contains("/ColorSpace /DeviceGray") && smask.contains("/Width 40"));
        let image = body(&w, 11);
        assert!(image.contains("/ColorSpace /DeviceRGB") && image.contains("/SMask 10 0 R"));
        let form = body(&w, built.normal);
        assert!(
            form.contains("/BBox [0 0 100 100] /Matrix [1 0 0 1 0 0]"),
            "{form}"
        );
        // 40×20 into 100×100: 100×50, 25 from the bottom.
        assert!(form.contains("q 100 0 0 50 0 25 cm /Im0 Do Q"), "{form}");
        let r = person_image_rect(
            &disc_png(40, 20, [0, 0, 255]),
            [300.0, 200.0, 400.0, 300.0],
            &a4(),
        )
        .unwrap();
        assert_eq!(r, [300.0, 225.0, 400.0, 275.0]);
    }

    #[test]
    fn seal_overlaps_left_third_of_person() {
        let person = [300.0, 200.0, 450.0, 260.0];
        let mut w = ObjectWriter::new(1);
        let app = Appearance::seal(
            disc_png(30, 30, [255, 0, 0]),
            SealPlacement::OverlapPerson(person),
        );
        let built = build(&app, &a4(), "", &mut w).unwrap();
        let side = 35.0 * 72.0 / 25.4;
        let [x0, y0, x1, y1] = built.rect;
        assert!(
            close(x1 - x0, side) && close(y1 - y0, side),
            "real size: {:?}",
            built.rect
        );
        // The seal's right edge is a third of the way into the person's image...
        assert!(close(x1, 300.0 + 150.0 / 3.0), "{x1}");
        // ...so it covers the image's left third and nothing of the rest,
        assert!(x0 < 300.0);
        // and is centred vertically on it.
        assert!(close((y0 + y1) / 2.0, 230.0));
        let form = body(&w, built.normal);
        assert!(
            form.contains(&format!("/BBox [0 0 {} {}]", num(side), num(side))),
            "{form}"
        );

        // On a page shown turned by 90°, "left" is the side shown on the left: user space bottom.
        let page = PageGeometry { rotate: 90, ..a4() };
        let built = build(&app, &page, "", &mut ObjectWriter::new(1)).unwrap();
        let [x0, y0, x1, y1] = built.rect;
        assert!(close(y1, 200.0 + 60.0 / 3.0), "{:?}", built.rect);
        assert!(close((x0 + x1) / 2.0, 375.0));
        assert!(close(x1 - x0, side) && close(y1 - y0, side));
    }

    #[test]
    fn seal_explicit_rect_and_bad_size() {
        let png = disc_png(20, 10, [255, 0, 0]);
        let app = Appearance::Seal {
            png: png.clone(),
            size_mm: 40.0,
            placement: SealPlacement::Rect([100.0, 100.0, 200.0, 200.0]),
        };
        let mut w = ObjectWriter::new(1);
        let built = build(&app, &a4(), "", &mut w).unwrap();
        let side = 40.0 * PT_PER_MM;
        assert!(
            close(built.rect[0], 150.0 - side / 2.0) && close(built.rect[3], 150.0 + side / 2.0)
        );
        // 20×10 image: full width, half height, centred.
        let form = body(&w, built.normal);
        assert!(
            form.contains(&format!(
                "q {} 0 0 {} 0 {} cm",
                num(side),
                num(side / 2.0),
                num(side / 4.0)
            )),
            "{form}"
        );
        for bad in [0.0, -1.0, f64::NAN, 500.0] {
            let app = Appearance::Seal {
                png: png.clone(),
                size_mm: bad,
                placement: SealPlacement::Rect([0.0, 0.0, 1.0, 1.0]),
            };
            assert!(build(&app, &a4(), "", &mut ObjectWriter::new(1)).is_err());
        }
        let app = Appearance::Person {
            png,
            rect: [1.0, 1.0, 1.0, 5.0],
        };
        assert!(build(&app, &a4(), "", &mut ObjectWriter::new(1)).is_err());
    }

    /// Where form-space point `(fx, fy)` of a built appearance lands in default user space
    /// (ISO 32000-1 §12.5.5, Algorithm 8.1).
    fn form_to_user(form: &str, rect: [f64; 4], fx: f64, fy: f64) -> (f64, f64) {
        let nums = |key: &str| -> Vec<f64> {
            let s = &form[form.find(key).unwrap() + key.len()..];
            let s = &s[s.find('[').unwrap() + 1..s.find(']').unwrap()];
            s.split_whitespace().map(|t| t.parse().unwrap()).collect()
        };
        let bbox = nums("/BBox");
        let m = nums("/Matrix");
        let t = |x: f64, y: f64| (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]);
        let corners = [
            t(bbox[0], bbox[1]),
            t(bbox[2], bbox[1]),
            t(bbox[0], bbox[3]),
            t(bbox[2], bbox[3]),
        ];
        let minx = corners.iter().map(|c| c.0).fold(f64::INFINITY, f64::min);
        let miny = corners.iter().map(|c| c.1).fold(f64::INFINITY, f64::min);
        let maxx = corners
            .iter()
            .map(|c| c.0)
            .fold(f64::NEG_INFINITY, f64::max);
        let maxy = corners
            .iter()
            .map(|c| c.1)
            .fold(f64::NEG_INFINITY, f64::max);
        let (sx, sy) = (
            (rect[2] - rect[0]) / (maxx - minx),
            (rect[3] - rect[1]) / (maxy - miny),
        );
        // Only the 4-decimal rounding of /BBox may scale it.
        assert!(
            (sx - 1.0).abs() < 1e-5 && (sy - 1.0).abs() < 1e-5,
            "the form is scaled: {sx} {sy}"
        );
        let (x, y) = t(fx, fy);
        (rect[0] + (x - minx) * sx, rect[1] + (y - miny) * sy)
    }

    #[test]
    fn text_stamp_top_right_for_each_rotation() {
        let time = "2026-11-26T09:15:30+07:00";
        let m = STAMP_MARGIN;
        // Media box not at the origin, and a crop box inside it.
        let media = [10.0, 20.0, 605.0, 862.0];
        let crop = [20.0, 30.0, 595.0, 852.0];
        for rotate in [0, 90, 180, 270, -90, 450] {
            let page = PageGeometry {
                media_box: media,
                crop_box: Some(crop),
                rotate,
            };
            let mut w = ObjectWriter::new(1);
            let app = Appearance::Attachment {
                doc_number: "123/QĐ-UBND".into(),
            };
            let built = build(&app, &page, time, &mut w).unwrap();
            let [x0, y0, x1, y1] = built.rect;
            let form = body(&w, built.normal);
            // The corner of the form's box that is its top right as drawn (upright text).
            let bbox_w: f64;
            let bbox_h: f64;
            {
                let s = &form[form.find("/BBox [0 0 ").unwrap() + 11..];
                let mut it = s[..s.find(']').unwrap()]
                    .split_whitespace()
                    .map(|t| t.parse::<f64>().unwrap());
                bbox_w = it.next().unwrap();
                bbox_h = it.next().unwrap();
            }
            let top_right = form_to_user(&form, built.rect, bbox_w, bbox_h);
            let bottom_left = form_to_user(&form, built.rect, 0.0, 0.0);
            let r = rotate.rem_euclid(360);
            // The crop box's corner shown at the top right, and the stamp's corner there.
            let (corner, expect_tr) = match r {
                0 => ((crop[2], crop[3]), (x1, y1)),
                90 => ((crop[0], crop[3]), (x0, y1)),
                180 => ((crop[0], crop[1]), (x0, y0)),
                _ => ((crop[2], crop[1]), (x1, y0)),
            };
            assert!(
                close(top_right.0, expect_tr.0) && close(top_right.1, expect_tr.1),
                "rotate {rotate}: {top_right:?} vs {expect_tr:?}"
            );
            assert!(
                close((corner.0 - expect_tr.0).abs(), m)
                    && close((corner.1 - expect_tr.1).abs(), m),
                "rotate {rotate}: margin from {corner:?}: {:?}",
                built.rect
            );
            // The text's baseline runs along the direction shown as "right".
            let along = (top_right.0 - bottom_left.0, top_right.1 - bottom_left.1);
            match r {
                0 => assert!(along.0 > 0.0 && along.1 > 0.0),
                90 => assert!(along.1 > 0.0 && along.0 < 0.0),
                180 => assert!(along.0 < 0.0 && along.1 < 0.0),
                _ => assert!(along.1 < 0.0 && along.0 > 0.0),
            }
            assert!(form.contains("/F0 10 Tf"));
        }
    }

    #[test]
    fn copy_stamp_wraps_and_validates() {
        let time = "2026-11-26T09:15:30+07:00";
        let app = Appearance::Copy {
            form: "SAO Y".into(),
            agency: "Văn phòng UBND Tỉnh Đồng Tháp".into(),
        };
        let mut w = ObjectWriter::new(1);
        let built = build(&app, &a4(), time, &mut w).unwrap();
        let form = body(&w, built.normal);
        let lines = form.matches(" Tj").count();
        let font = SerifFont::load().unwrap();
        let full = font
            .width(
                &format!("SAO Y; Văn phòng UBND Tỉnh Đồng Tháp; {time}"),
                10.0,
            )
            .unwrap();
        assert!(
            full > 595.0 * 0.45,
            "the example is wide enough to wrap: {full}"
        );
        assert_eq!(lines, 2, "{form}");
        assert!(built.rect[2] - built.rect[0] <= 595.0 * 0.45 + 1e-9);
        let lines = wrap(
            &font,
            &format!("SAO Y; Văn phòng UBND Tỉnh Đồng Tháp; {time}"),
            595.0 * 0.45,
        )
        .unwrap();
        assert_eq!(
            lines.join(" "),
            format!("SAO Y; Văn phòng UBND Tỉnh Đồng Tháp; {time}")
        );
        // A single long word breaks between characters.
        let lines = wrap(&font, &"Đ".repeat(100), 100.0).unwrap();
        assert!(lines.len() > 1 && lines.concat() == "Đ".repeat(100));

        for (form, agency) in [("SAO CHÉP", "X"), ("SAO Y", ""), ("SAO Y", "a\nb")] {
            let app = Appearance::Copy {
                form: form.into(),
                agency: agency.into(),
            };
            assert!(
                build(&app, &a4(), time, &mut ObjectWriter::new(1)).is_err(),
                "{form} {agency}"
            );
        }
        let app = Appearance::Attachment {
            doc_number: "\u{E000}".into(),
        };
        assert!(
            build(&app, &a4(), time, &mut ObjectWriter::new(1)).is_err(),
            "no glyph"
        );
        let bad_page = PageGeometry { rotate: 45, ..a4() };
        let app = Appearance::Attachment {
            doc_number: "1".into(),
        };
        assert!(build(&app, &bad_page, time, &mut ObjectWriter::new(1)).is_err());
    }
}
