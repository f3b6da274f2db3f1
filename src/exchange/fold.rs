//! Vietnamese name keys for directory search, with and without diacritics.
//!
//! Vietnamese letters carry at most one *modifier* (breve ă, circumflex â ê ô, horn ơ ư, or the
//! stroke of đ) and one *tone* (grave, acute, hook above, tilde, dot below). Text arrives
//! precomposed (NFC, as in the GSO data), decomposed (NFD, as typed on some systems), or mixed,
//! and with the marks of a decomposed letter in either order. Rather than pull in a Unicode
//! normalisation crate, this module maps every letter to `(base, modifier, tone)` with a table
//! of the 134 precomposed Vietnamese vowels and đ, and builds two keys from that:
//!
//! - the **folded** key: lower-case base letters only (`Thành phố Hà Nội` → `thanh pho ha noi`),
//!   with đ, Đ and the look-alike Ð (U+00D0, often typed for Đ) folded to `d`, and every other
//!   combining mark (U+0300..=U+036F) dropped;
//! - the **exact** key: lower case with the marks kept in a fixed order, so NFC and NFD spellings
//!   of the same name compare equal while `Bắc` and `Bạc` stay apart.
//!
//! Both keys are words joined by single spaces; punctuation separates words.
//! Letters outside Vietnamese (ç, ü, …) are only lower-cased.

use std::collections::HashMap;
use std::sync::OnceLock;

/// Vowel families, each in tone order: none, grave (huyền), acute (sắc), hook above (hỏi),
/// tilde (ngã), dot below (nặng). Paired with the base letter and the modifier index.
const FAMILIES: [(&str, char, u8); 12] = [
    ("aàáảãạ", 'a', 0),
    ("ăằắẳẵặ", 'a', 1),
    ("âầấẩẫậ", 'a', 2),
    ("eèéẻẽẹ", 'e', 0),
    ("êềếểễệ", 'e', 2),
    ("iìíỉĩị", 'i', 0),
    ("oòóỏõọ", 'o', 0),
    ("ôồốổỗộ", 'o', 2),
    ("ơờớởỡợ", 'o', 3),
    ("uùúủũụ", 'u', 0),
    ("ưừứửữự", 'u', 3),
    ("yỳýỷỹỵ", 'y', 0),
];

/// Combining characters of the modifiers, by index (0 = none): breve, circumflex, horn, stroke.
/// U+0335 (short stroke overlay) stands for the stroke of đ, which has no canonical
/// decomposition; it only appears in exact keys.
const MODIFIER_MARKS: [char; 5] = ['\0', '\u{306}', '\u{302}', '\u{31B}', '\u{335}'];
/// Index of the stroke modifier in [`MODIFIER_MARKS`].
const STROKE: u8 = 4;

/// Combining characters of the tones, by index (0 = none): grave, acute, hook above, tilde, dot
/// below.
const TONE_MARKS: [char; 6] = ['\0', '\u{300}', '\u{301}', '\u{309}', '\u{303}', '\u{323}'];

/// One letter: lower-case base, modifier index, tone index.
#[derive(Clone, Copy)]
struct Letter {
    base: char,
    modifier: u8,
    tone: u8,
}

fn table() -> &'static HashMap<char, Letter> {
    static TABLE: OnceLock<HashMap<char, Letter>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = HashMap::new();
        for (forms, base, modifier) in FAMILIES {
            for (tone, lower) in (0u8..).zip(forms.chars()) {
                let letter = Letter {
                    base,
                    modifier,
                    tone,
                };
                t.insert(lower, letter);
                for upper in lower.to_uppercase() {
                    t.insert(upper, letter);
                }
            }
        }
        let d = Letter {
            base: 'd',
            modifier: STROKE,
            tone: 0,
        };
        for c in ['đ', 'Đ', 'Ð', 'ð'] {
            t.insert(c, d);
        }
        t
    })
}

fn modifier_of_mark(c: char) -> Option<u8> {
    (1u8..)
        .zip(MODIFIER_MARKS.iter().skip(1))
        .find(|(_, m)| **m == c)
        .map(|(i, _)| i)
}

fn tone_of_mark(c: char) -> Option<u8> {
    (1u8..)
        .zip(TONE_MARKS.iter().skip(1))
        .find(|(_, m)| **m == c)
        .map(|(i, _)| i)
}

fn is_combining(c: char) -> bool {
    ('\u{300}'..='\u{36F}').contains(&c)
}

/// A character of the analysed text.
enum Unit {
    Letter(Letter),
    /// A combining mark that is neither a Vietnamese modifier nor a tone (or a second one).
    OtherMark(char),
    Separator,
}

fn analyse(s: &str) -> Vec<Unit> {
    let t = table();
    let mut out: Vec<Unit> = Vec::with_capacity(s.len());
    for c in s.chars() {
        if is_combining(c) {
            if let Some(Unit::Letter(l)) = out.last_mut() {
                if let (Some(m), 0) = (modifier_of_mark(c), l.modifier) {
                    l.modifier = m;
                    continue;
                }
                if let (Some(tn), 0) = (tone_of_mark(c), l.tone) {
                    l.tone = tn;
                    continue;
                }
            }
            out.push(Unit::OtherMark(c));
        } else if let Some(l) = t.get(&c) {
            out.push(Unit::Letter(*l));
        } else if c.is_alphanumeric() {
            for base in c.to_lowercase() {
                out.push(Unit::Letter(Letter {
                    base,
                    modifier: 0,
                    tone: 0,
                }));
            }
        } else {
            out.push(Unit::Separator);
        }
    }
    out
}

fn render(units: &[Unit], exact: bool) -> String {
    let mut out = String::new();
    let mut pending_space = false;
    for u in units {
        match u {
            Unit::Separator => pending_space = !out.is_empty(),
            Unit::OtherMark(c) => {
                if exact {
                    out.push(*c);
                }
            }
            Unit::Letter(l) => {
                if pending_space {
                    out.push(' ');
                    pending_space = false;
                }
                out.push(l.base);
                if exact {
                    if let Some(m) = MODIFIER_MARKS
                        .get(usize::from(l.modifier))
                        .filter(|_| l.modifier != 0)
                    {
                        out.push(*m);
                    }
                    if let Some(tn) = TONE_MARKS.get(usize::from(l.tone)).filter(|_| l.tone != 0) {
                        out.push(*tn);
                    }
                }
            }
        }
    }
    out
}

/// The folded key: lower case, no diacritics, words joined by single spaces.
pub fn fold(s: &str) -> String {
    render(&analyse(s), false)
}

/// The exact key: lower case, diacritics kept in a canonical order, words joined by single
/// spaces.
pub fn exact_key(s: &str) -> String {
    render(&analyse(s), true)
}

/// Whether `s` carries any diacritic (tone, modifier, đ, or another combining mark).
pub fn has_diacritics(s: &str) -> bool {
    analyse(s).iter().any(|u| match u {
        Unit::Letter(l) => l.modifier != 0 || l.tone != 0,
        Unit::OtherMark(_) => true,
        Unit::Separator => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_vietnamese() {
        assert_eq!(fold("Thành phố Hà Nội"), "thanh pho ha noi");
        assert_eq!(fold("Quận Ba Đình"), "quan ba dinh");
        assert_eq!(fold("ĐẮK LẮK"), "dak lak");
        assert_eq!(fold("Bà Rịa - Vũng Tàu"), "ba ria vung tau");
        assert_eq!(
            fold("Bộ Văn hóa, Thể thao và Du lịch"),
            "bo van hoa the thao va du lich"
        );
        assert_eq!(fold("  Ðồng   Tháp "), "dong thap");
        assert_eq!(
            fold("Ủy ban Dân tộc và Tôn giáo"),
            "uy ban dan toc va ton giao"
        );
    }

    #[test]
    fn all_table_entries_fold_to_ascii() {
        for (forms, base, _) in FAMILIES {
            for c in forms.chars() {
                assert_eq!(fold(&c.to_string()), base.to_string());
                assert_eq!(fold(&c.to_uppercase().to_string()), base.to_string());
            }
        }
        assert_eq!(table().len(), 12 * 6 * 2 + 4);
    }

    #[test]
    fn nfd_and_nfc_agree() {
        // "Hà Nội" decomposed: a + grave, o + circumflex + dot below.
        let nfd = "Ha\u{300} No\u{302}\u{323}i";
        // Marks in the other order (dot below first, as canonical NFD orders them).
        let nfd2 = "Ha\u{300} No\u{323}\u{302}i";
        assert_eq!(exact_key(nfd), exact_key("Hà Nội"));
        assert_eq!(exact_key(nfd2), exact_key("Hà Nội"));
        assert_eq!(fold(nfd), "ha noi");
        assert!(has_diacritics(nfd));
        assert!(!has_diacritics("Ha Noi"));
    }

    #[test]
    fn exact_keeps_distinctions() {
        assert_ne!(exact_key("Bắc Kạn"), exact_key("Bạc Kạn"));
        assert_eq!(exact_key("BẮC KẠN"), exact_key("bắc kạn"));
        assert_eq!(fold("Bắc"), fold("Bạc"));
    }
}
