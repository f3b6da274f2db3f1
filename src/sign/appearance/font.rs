//! The font of the text stamps: Liberation Serif Regular (metric-compatible with Times New Roman,
//! which Decree 30/2020 Appendix I asks for), embedded as a subset in a composite font.
//!
//! ISO 32000-1 §9.7 (composite fonts): a Type0 font with `/Encoding /Identity-H` over a
//! `CIDFontType2` descendant whose `/CIDToGIDMap` is `/Identity`. The subsetter renumbers the
//! glyphs it keeps (0, 1, 2, … with .notdef first), and those new glyph ids are the CIDs the
//! content stream shows, two bytes each. `/W` gives each CID's advance and `/ToUnicode`
//! (§9.10.3) maps it back to the character so text extraction and search work for Vietnamese.
//!
//! No shaping: one character is one glyph, looked up in the font's `cmap`. Vietnamese written in
//! precomposed form (NFC, as keyboards and Unicode text in Vietnamese documents produce) has a
//! glyph for every letter in Liberation Serif 2; decomposed text (base letter plus combining
//! marks) is drawn with the font's zero-width combining marks, which places them roughly.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;

use sha2::{Digest, Sha256};

use super::AppearanceError;
use crate::pdf::writer::{ObjectWriter, num};
use crate::sign::SignError;

/// Liberation Serif 2.1.5 Regular, SIL Open Font License 1.1: see
/// `fonts/LICENSE-LiberationSerif.txt`.
static LIBERATION_SERIF: &[u8] = include_bytes!("../../../fonts/LiberationSerif-Regular.ttf");

/// PostScript name used in `/BaseFont` after the subset tag (ISO 32000-1 §9.6.4).
const POSTSCRIPT_NAME: &str = "LiberationSerif";

/// Glyph space of PDF fonts: widths and font-descriptor metrics are in 1/1000 em
/// (ISO 32000-1 §9.2.4).
const PDF_GLYPH_UNITS: f64 = 1000.0;

/// `/Flags` of the font descriptor (ISO 32000-1 §9.8.2, Table 123): bit 2 Serif (2) and bit 6
/// Nonsymbolic (32).
const DESCRIPTOR_FLAGS: u32 = 2 | 32;

/// `/StemV` (required, not used for TrueType rendering): the vertical stem width of the regular
/// weight as usually estimated for a book face (`80` is the value PDF producers commonly write
/// for Times-Roman-like regular fonts).
const STEM_V: u32 = 80;

/// Entries per `beginbfchar` block: the CMap syntax allows at most 100 (Adobe Technical Note
/// #5411, §1.4.2; ISO 32000-1 §9.10.3 refers to it).
const BFCHAR_BLOCK: usize = 100;

/// The embedded serif font, parsed.
pub(crate) struct SerifFont {
    face: ttf_parser::Face<'static>,
    units_per_em: f64,
}

impl SerifFont {
    pub(crate) fn load() -> Result<Self, SignError> {
        let face = ttf_parser::Face::parse(LIBERATION_SERIF, 0).map_err(AppearanceError::Font)?;
        let units_per_em = f64::from(face.units_per_em());
        Ok(SerifFont { face, units_per_em })
    }

    /// The glyph of `c` in the original font.
    pub(crate) fn glyph(&self, c: char) -> Result<u16, SignError> {
        self.face
            .glyph_index(c)
            .map(|g| g.0)
            .ok_or_else(|| AppearanceError::NoGlyph(c).into())
    }

    /// Advance of a glyph in PDF glyph units (1/1000 em), rounded as written to `/W` so that
    /// the layout and the viewer agree.
    pub(crate) fn advance(&self, gid: u16) -> u32 {
        let adv = self
            .face
            .glyph_hor_advance(ttf_parser::GlyphId(gid))
            .map_or(0.0, f64::from);
        round_u32(adv * PDF_GLYPH_UNITS / self.units_per_em)
    }

    /// Width of `s` at `size` points.
    pub(crate) fn width(&self, s: &str, size: f64) -> Result<f64, SignError> {
        let mut units = 0u64;
        for c in s.chars() {
            units = units.saturating_add(u64::from(self.advance(self.glyph(c)?)));
        }
        Ok(u64_to_f64(units) * size / PDF_GLYPH_UNITS)
    }

    /// Ascent above the baseline in 1/1000 em (`hhea` ascender).
    pub(crate) fn ascent(&self) -> f64 {
        self.scale(self.face.ascender())
    }

    /// Descent below the baseline in 1/1000 em, negative (`hhea` descender).
    pub(crate) fn descent(&self) -> f64 {
        self.scale(self.face.descender())
    }

    fn scale(&self, v: i16) -> f64 {
        f64::from(v) * PDF_GLYPH_UNITS / self.units_per_em
    }
}

/// Glyphs used by one stamp, renumbered for the subset.
pub(crate) struct FontSubset<'f> {
    font: &'f SerifFont,
    remapper: subsetter::GlyphRemapper,
    /// New glyph id (CID) → (old glyph id, character).
    used: BTreeMap<u16, (u16, char)>,
}

impl<'f> FontSubset<'f> {
    pub(crate) fn new(font: &'f SerifFont) -> Self {
        FontSubset {
            font,
            remapper: subsetter::GlyphRemapper::new(),
            used: BTreeMap::new(),
        }
    }

    /// `s` as a hex string of two-byte CIDs for `Tj`, recording the glyphs it uses.
    pub(crate) fn encode(&mut self, s: &str) -> Result<String, SignError> {
        let mut hex = String::with_capacity(s.len().saturating_mul(4).saturating_add(2));
        hex.push('<');
        for c in s.chars() {
            let old = self.font.glyph(c)?;
            let new = self.remapper.remap(old);
            // The first character wins for ToUnicode if two map to one glyph (rare).
            self.used.entry(new).or_insert((old, c));
            let _ = write!(hex, "{new:04X}");
        }
        hex.push('>');
        Ok(hex)
    }

    /// Writes the Type0 font with its descendant, descriptor, subset font file and ToUnicode
    /// CMap; returns the Type0 font's object number.
    pub(crate) fn write(&self, w: &mut ObjectWriter) -> Result<u32, SignError> {
        let sub = subsetter::subset(LIBERATION_SERIF, 0, &self.remapper)
            .map_err(AppearanceError::Subsetting)?;
        let tag = subset_tag(&sub);
        let base_font = format!("/{tag}+{POSTSCRIPT_NAME}");

        let file = w.add_stream(
            &format!("/Filter /FlateDecode /Length1 {}", sub.len()),
            &deflate(&sub)?,
        );

        let face = &self.font.face;
        let bbox = face.global_bounding_box();
        let cap_height = face.capital_height().unwrap_or(face.ascender());
        let descriptor = w.add(
            format!(
                "<< /Type /FontDescriptor /FontName {base_font} /Flags {DESCRIPTOR_FLAGS} \
                 /FontBBox [{} {} {} {}] /ItalicAngle {} /Ascent {} /Descent {} /CapHeight {} \
                 /StemV {STEM_V} /FontFile2 {file} 0 R >>",
                num(self.font.scale(bbox.x_min)),
                num(self.font.scale(bbox.y_min)),
                num(self.font.scale(bbox.x_max)),
                num(self.font.scale(bbox.y_max)),
                num(f64::from(face.italic_angle())),
                num(self.font.ascent()),
                num(self.font.descent()),
                num(self.font.scale(cap_height)),
            )
            .into_bytes(),
        );

        // /W [cid [w] cid [w] …] (ISO 32000-1 §9.7.4.3); .notdef (CID 0) keeps the default.
        let mut widths = String::new();
        for (cid, (old, _)) in &self.used {
            let _ = write!(widths, "{cid} [{}] ", self.font.advance(*old));
        }
        let cid_font = w.add(
            format!(
                "<< /Type /Font /Subtype /CIDFontType2 /BaseFont {base_font} \
                 /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> \
                 /FontDescriptor {descriptor} 0 R /DW 1000 /W [{}] /CIDToGIDMap /Identity >>",
                widths.trim_end()
            )
            .into_bytes(),
        );

        let cmap = self.to_unicode();
        let to_unicode = w.add_stream("/Filter /FlateDecode", &deflate(cmap.as_bytes())?);

        Ok(w.add(
            format!(
                "<< /Type /Font /Subtype /Type0 /BaseFont {base_font} /Encoding /Identity-H \
                 /DescendantFonts [{cid_font} 0 R] /ToUnicode {to_unicode} 0 R >>"
            )
            .into_bytes(),
        ))
    }

    /// The ToUnicode CMap (ISO 32000-1 §9.10.3): two-byte codes, each CID to its character in
    /// UTF-16BE.
    fn to_unicode(&self) -> String {
        let mut s = String::from(
            "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
             /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
             /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
             1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
        );
        let entries: Vec<_> = self.used.iter().collect();
        for block in entries.chunks(BFCHAR_BLOCK) {
            let _ = writeln!(s, "{} beginbfchar", block.len());
            for (cid, (_, c)) in block {
                let _ = write!(s, "<{cid:04X}> <");
                let mut buf = [0u16; 2];
                for u in c.encode_utf16(&mut buf) {
                    let _ = write!(s, "{u:04X}");
                }
                s.push_str(">\n");
            }
            s.push_str("endbfchar\n");
        }
        s.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
        s
    }
}

/// Six uppercase letters naming the subset (ISO 32000-1 §9.6.4), derived from the subset's
/// bytes so the output is deterministic.
fn subset_tag(font: &[u8]) -> String {
    Sha256::digest(font)
        .iter()
        .take(6)
        .map(|b| char::from(b'A' + b % 26))
        .collect()
}

pub(crate) fn deflate(data: &[u8]) -> Result<Vec<u8>, SignError> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data)
        .and_then(|()| e.finish())
        .map_err(|err| AppearanceError::Compression(err).into())
}

/// Rounds a non-negative finite value to `u32`, saturating; NaN gives 0.
pub(crate) fn round_u32(v: f64) -> u32 {
    let r = v.round();
    if r.is_nan() || r <= 0.0 {
        0
    } else if r >= f64::from(u32::MAX) {
        u32::MAX
    } else {
        // Exact: r is an integer within u32's range.
        #[allow(
            clippy::as_conversions,
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss
        )]
        let n = r as u32;
        n
    }
}

/// `u64` to `f64`; values here (sums of glyph widths) are far below 2^53, where it is exact.
fn u64_to_f64(v: u64) -> f64 {
    u32::try_from(v).map_or(f64::from(u32::MAX), f64::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_glyphs_and_subset() {
        let font = SerifFont::load().unwrap();
        let mut sub = FontSubset::new(&font);
        let hex = sub.encode("Đồng Tháp ỷ ữ").unwrap();
        assert!(hex.starts_with("<0001"));
        let mut w = ObjectWriter::new(1);
        let f = sub.write(&mut w).unwrap();
        let body = String::from_utf8_lossy(&w.objects().last().unwrap().1).to_string();
        assert_eq!(w.objects().last().unwrap().0, f);
        assert!(body.contains("/Identity-H"));
        // The subset is much smaller than the whole font.
        let file = &w.objects()[0].1;
        assert!(file.len() < LIBERATION_SERIF.len() / 4, "{}", file.len());
        let cmap = sub.to_unicode();
        assert!(cmap.contains("<0110>"), "Đ is U+0110: {cmap}");
        assert!(cmap.contains("<1ED3>"), "ồ is U+1ED3");
    }

    #[test]
    fn widths_match_times_metrics() {
        let font = SerifFont::load().unwrap();
        // Times-Roman AFM: space 250, 'S' 556, 'A' 722, 'O' 722, 'Y' 722.
        assert_eq!(font.advance(font.glyph(' ').unwrap()), 250);
        assert_eq!(font.advance(font.glyph('S').unwrap()), 556);
        assert_eq!(font.advance(font.glyph('A').unwrap()), 722);
        assert!(font.glyph('\u{E000}').is_err());
    }
}
