//! The PDF object model (ISO 32000-1 §7.3) and a strict parser over the original bytes.
//!
//! Values keep the byte span they were read from, so the signature checks can relate
//! `/ByteRange` to the exact position of `/Contents` in the file.

use crate::malformed::PdfError;

/// Deepest array/dictionary nesting accepted. Real documents rarely exceed 10; 64 stops stack
/// exhaustion from hostile input.
pub const MAX_NESTING: usize = 64;

/// Where a value was read from: a byte range of the file, or of a decoded object stream.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    /// False when the value came from a decoded object stream (offsets are then not file
    /// offsets).
    pub in_file: bool,
}

/// A PDF string with its decoded bytes.
#[derive(Clone, Debug)]
pub struct PdfString {
    pub bytes: Vec<u8>,
    pub hex: bool,
    pub span: Span,
}

/// A dictionary, entries in file order.
#[derive(Clone, Debug, Default)]
pub struct Dict {
    pub entries: Vec<(Vec<u8>, Object)>,
    pub span: Span,
}

impl Dict {
    /// The value of `key`, if present (the last one wins, as most readers do).
    pub fn get(&self, key: &[u8]) -> Option<&Object> {
        self.entries
            .iter()
            .rev()
            .find(|(k, _)| k.as_slice() == key)
            .map(|(_, v)| v)
    }

    /// True when `key` is present.
    pub fn has(&self, key: &[u8]) -> bool {
        self.get(key).is_some()
    }

    /// The value of `key` when it is a name.
    pub fn name(&self, key: &[u8]) -> Option<&[u8]> {
        match self.get(key) {
            Some(Object::Name(n)) => Some(n),
            _ => None,
        }
    }

    /// The value of `key` when it is an integer.
    pub fn int(&self, key: &[u8]) -> Option<i64> {
        match self.get(key) {
            Some(Object::Int(n)) => Some(*n),
            _ => None,
        }
    }

    /// `/Type`.
    pub fn type_name(&self) -> Option<&[u8]> {
        self.name(b"Type")
    }
}

/// A stream: its dictionary and where its raw data lies in the file.
#[derive(Clone, Debug)]
pub struct Stream {
    /// The object number and generation of the stream (streams are always indirect objects);
    /// an encrypted stream's key derives from them.
    pub id: (u32, u16),
    pub dict: Dict,
    pub data_start: usize,
    pub data_end: usize,
}

/// A PDF object.
#[derive(Clone, Debug)]
pub enum Object {
    Null,
    Bool(bool),
    Int(i64),
    Real(f64),
    Name(Vec<u8>),
    String(PdfString),
    Array(Vec<Object>),
    Dict(Dict),
    Ref(u32, u16),
    Stream(Stream),
}

impl Object {
    pub fn as_dict(&self) -> Option<&Dict> {
        match self {
            Object::Dict(d) => Some(d),
            Object::Stream(s) => Some(&s.dict),
            _ => None,
        }
    }

    pub fn as_ref_id(&self) -> Option<(u32, u16)> {
        match self {
            Object::Ref(n, g) => Some((*n, *g)),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Object]> {
        match self {
            Object::Array(a) => Some(a),
            _ => None,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Object::Null => "null",
            Object::Bool(_) => "boolean",
            Object::Int(_) => "integer",
            Object::Real(_) => "real",
            Object::Name(_) => "name",
            Object::String(_) => "string",
            Object::Array(_) => "array",
            Object::Dict(_) => "dictionary",
            Object::Ref(..) => "reference",
            Object::Stream(_) => "stream",
        }
    }
}

/// Character classes of ISO 32000-1 §7.2.2, one table lookup per byte in the lexer's loops.
const WHITE: u8 = 1;
const DELIM: u8 = 2;
static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < t.len() {
        t[b] = match b {
            // NUL, TAB, LF, FF, CR, SPACE
            0 | 9 | 10 | 12 | 13 | 32 => WHITE,
            // ( ) < > [ ] { } / %
            40 | 41 | 60 | 62 | 91 | 93 | 123 | 125 | 47 | 37 => DELIM,
            _ => 0,
        };
        b += 1;
    }
    t
};

pub(crate) fn is_white(b: u8) -> bool {
    CLASS[usize::from(b)] == WHITE
}

pub(crate) fn is_delim(b: u8) -> bool {
    CLASS[usize::from(b)] == DELIM
}

/// A regular character: part of a token or name.
pub(crate) fn is_regular(b: u8) -> bool {
    CLASS[usize::from(b)] == 0
}

/// The value of 1 to 19 ASCII digits (19 always fit in a `u64`); `None` for anything else.
pub(crate) fn decimal(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || digits.len() > 19 {
        return None;
    }
    digits.iter().try_fold(0u64, |acc, &d| {
        d.is_ascii_digit().then(|| acc * 10 + u64::from(d - b'0'))
    })
}

/// Length of the run of regular characters at the start of `bytes`.
fn regular_run(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .position(|&b| !is_regular(b))
        .unwrap_or(bytes.len())
}

/// A cursor over PDF syntax.
pub struct Lexer<'a> {
    pub data: &'a [u8],
    pub pos: usize,
    pub in_file: bool,
}

impl<'a> Lexer<'a> {
    pub fn new(data: &'a [u8], pos: usize, in_file: bool) -> Self {
        Lexer { data, pos, in_file }
    }

    fn err(&self, what: &'static str) -> PdfError {
        PdfError::Syntax {
            offset: self.pos,
            what,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.data.get(self.pos).copied()
    }

    /// Skips whitespace and comments.
    pub fn skip_ws(&mut self) {
        while let Some(b) = self.peek() {
            if is_white(b) {
                self.pos += 1;
            } else if b == b'%' {
                while let Some(c) = self.peek() {
                    if c == b'\n' || c == b'\r' {
                        break;
                    }
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    /// Reads a regular token (keyword or number) without consuming delimiters.
    pub fn token(&mut self) -> &'a [u8] {
        self.skip_ws();
        let rest = self.data.get(self.pos..).unwrap_or(&[]);
        let t = rest.get(..regular_run(rest)).unwrap_or(&[]);
        self.pos += t.len();
        t
    }

    /// Consumes `kw` as the next token, or fails.
    pub fn keyword(&mut self, kw: &'static [u8], what: &'static str) -> Result<(), PdfError> {
        let save = self.pos;
        if self.token() == kw {
            Ok(())
        } else {
            self.pos = save;
            Err(self.err(what))
        }
    }

    /// Reads an unsigned integer token.
    pub fn uint(&mut self) -> Option<u64> {
        let save = self.pos;
        let t = self.token();
        let v = decimal(t);
        if v.is_none() {
            self.pos = save;
        }
        v
    }

    /// Parses "N G obj", returning (N, G).
    pub fn object_header(&mut self) -> Result<(u32, u16), PdfError> {
        let num = self
            .uint()
            .ok_or_else(|| self.err("expected object number"))?;
        let generation = self
            .uint()
            .ok_or_else(|| self.err("expected generation number"))?;
        self.keyword(b"obj", "expected 'obj'")?;
        let num = u32::try_from(num).map_err(|_| self.err("object number too large"))?;
        let generation = u16::try_from(generation).map_err(|_| self.err("generation too large"))?;
        Ok((num, generation))
    }

    /// Parses one direct object. `depth` bounds nesting.
    pub fn object(&mut self, depth: usize) -> Result<Object, PdfError> {
        if depth > MAX_NESTING {
            return Err(PdfError::TooDeep { limit: MAX_NESTING });
        }
        self.skip_ws();
        let start = self.pos;
        let b = self
            .peek()
            .ok_or_else(|| self.err("unexpected end of data"))?;
        match b {
            b'/' => {
                self.pos += 1;
                Ok(Object::Name(self.name_body()))
            }
            b'(' => {
                let bytes = self.literal_string()?;
                Ok(Object::String(PdfString {
                    bytes,
                    hex: false,
                    span: self.span(start),
                }))
            }
            b'<' if self.data.get(self.pos + 1) == Some(&b'<') => {
                self.pos += 2;
                let d = self.dict_body(start, depth)?;
                Ok(Object::Dict(d))
            }
            b'<' => {
                let bytes = self.hex_string()?;
                Ok(Object::String(PdfString {
                    bytes,
                    hex: true,
                    span: self.span(start),
                }))
            }
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_ws();
                    match self.peek() {
                        Some(b']') => {
                            self.pos += 1;
                            break;
                        }
                        None => return Err(self.err("unterminated array")),
                        _ => items.push(self.object(depth + 1)?),
                    }
                }
                Ok(Object::Array(items))
            }
            _ => {
                let t = self.token();
                match t {
                    b"true" => Ok(Object::Bool(true)),
                    b"false" => Ok(Object::Bool(false)),
                    b"null" => Ok(Object::Null),
                    [] => {
                        self.pos += 1;
                        Err(PdfError::Syntax {
                            offset: start,
                            what: "unexpected delimiter",
                        })
                    }
                    _ => self.number_or_ref(t, start),
                }
            }
        }
    }

    fn span(&self, start: usize) -> Span {
        Span {
            start,
            end: self.pos,
            in_file: self.in_file,
        }
    }

    fn number_or_ref(&mut self, t: &[u8], start: usize) -> Result<Object, PdfError> {
        let bad = PdfError::Syntax {
            offset: start,
            what: "invalid token",
        };
        let s = std::str::from_utf8(t).map_err(|_| bad.clone())?;
        if t.iter().all(u8::is_ascii_digit) {
            // Possibly "N G R".
            let save = self.pos;
            if let Some(g) = self.uint() {
                let save2 = self.pos;
                if self.token() == b"R" {
                    let n = u32::try_from(s.parse::<u64>().map_err(|_| bad.clone())?)
                        .map_err(|_| bad.clone())?;
                    let g = u16::try_from(g).map_err(|_| bad.clone())?;
                    return Ok(Object::Ref(n, g));
                }
                let _ = save2;
            }
            self.pos = save;
        }
        if let Ok(i) = s.parse::<i64>() {
            return Ok(Object::Int(i));
        }
        let valid_real = !t.is_empty()
            && t.iter()
                .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'-' | b'+'))
            && t.iter().filter(|c| **c == b'.').count() <= 1;
        if valid_real {
            let norm = if s.starts_with('.') || s.starts_with("-.") || s.starts_with("+.") {
                s.replacen('.', "0.", 1)
            } else {
                s.to_string()
            };
            let norm = if norm.ends_with('.') {
                format!("{norm}0")
            } else {
                norm
            };
            if let Ok(f) = norm.parse::<f64>() {
                return Ok(Object::Real(f));
            }
        }
        Err(bad)
    }

    fn name_body(&mut self) -> Vec<u8> {
        let rest = self.data.get(self.pos..).unwrap_or(&[]);
        let run = rest.get(..regular_run(rest)).unwrap_or(&[]);
        self.pos += run.len();
        if !run.contains(&b'#') {
            return run.to_vec();
        }
        // `#xx` is the byte with hex code xx (ISO 32000-1 §7.3.5); any other `#` stays as it is.
        let mut out = Vec::with_capacity(run.len());
        let mut i = 0;
        while let Some(&b) = run.get(i) {
            i += 1;
            if b == b'#'
                && let Some(v) = run
                    .get(i..i + 2)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(v);
                i += 2;
                continue;
            }
            out.push(b);
        }
        out
    }

    fn literal_string(&mut self) -> Result<Vec<u8>, PdfError> {
        self.pos += 1; // '('
        let mut out = Vec::new();
        let mut level = 1usize;
        loop {
            let b = self.peek().ok_or_else(|| self.err("unterminated string"))?;
            self.pos += 1;
            match b {
                b'(' => {
                    level += 1;
                    out.push(b);
                }
                b')' => {
                    level -= 1;
                    if level == 0 {
                        return Ok(out);
                    }
                    out.push(b);
                }
                b'\\' => {
                    let e = self.peek().ok_or_else(|| self.err("unterminated string"))?;
                    self.pos += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'\r' => {
                            if self.peek() == Some(b'\n') {
                                self.pos += 1;
                            }
                        }
                        b'\n' => {}
                        b'0'..=b'7' => {
                            let mut v = u32::from(e - b'0');
                            for _ in 0..2 {
                                match self.peek() {
                                    Some(d @ b'0'..=b'7') => {
                                        v = v * 8 + u32::from(d - b'0');
                                        self.pos += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push(u8::try_from(v & 0xff).unwrap_or(0));
                        }
                        other => out.push(other),
                    }
                }
                other => out.push(other),
            }
        }
    }

    fn hex_string(&mut self) -> Result<Vec<u8>, PdfError> {
        self.pos += 1; // '<'
        // Fast path: digits only, in pairs, up to the '>' (signature /Contents, file IDs).
        if let Some(body) = self.data.get(self.pos..)
            && let Some(len) = memchr::memchr(b'>', body)
            && let Some(digits) = body.get(..len)
            && len % 2 == 0
            && let Some(out) = decode_hex_pairs(digits)
        {
            self.pos += len + 1;
            return Ok(out);
        }
        let mut out = Vec::new();
        let mut hi: Option<u8> = None;
        loop {
            let b = self
                .peek()
                .ok_or_else(|| self.err("unterminated hex string"))?;
            self.pos += 1;
            let v = match b {
                b'>' => break,
                b'0'..=b'9' => b - b'0',
                b'a'..=b'f' => b - b'a' + 10,
                b'A'..=b'F' => b - b'A' + 10,
                w if is_white(w) => continue,
                _ => return Err(self.err("invalid hex digit")),
            };
            match hi.take() {
                Some(h) => out.push(h << 4 | v),
                None => hi = Some(v),
            }
        }
        if let Some(h) = hi {
            out.push(h << 4);
        }
        Ok(out)
    }

    fn dict_body(&mut self, start: usize, depth: usize) -> Result<Dict, PdfError> {
        let mut entries = Vec::new();
        loop {
            self.skip_ws();
            match self.peek() {
                Some(b'>') if self.data.get(self.pos + 1) == Some(&b'>') => {
                    self.pos += 2;
                    break;
                }
                Some(b'/') => {
                    self.pos += 1;
                    let key = self.name_body();
                    let value = self.object(depth + 1)?;
                    entries.push((key, value));
                }
                None => return Err(self.err("unterminated dictionary")),
                _ => return Err(self.err("dictionary key is not a name")),
            }
        }
        Ok(Dict {
            entries,
            span: self.span(start),
        })
    }
}

/// Finds `needle` in `hay` starting at `from`.
/// Decodes an even run of hex digits (SIMD where the CPU has it); `None` if any byte is not
/// one. Signature /Contents run to tens of kilobytes, and this is most of their parse.
fn decode_hex_pairs(digits: &[u8]) -> Option<Vec<u8>> {
    let mut out = vec![0u8; digits.len() / 2];
    faster_hex::hex_decode(digits, &mut out).ok()?;
    Some(out)
}

pub(crate) fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let h = hay.get(from..)?;
    if needle.is_empty() {
        return None;
    }
    memchr::memmem::find(h, needle).map(|p| p + from)
}

/// Finds the last `needle` in `hay[..before]`.
pub(crate) fn rfind(hay: &[u8], needle: &[u8], before: usize) -> Option<usize> {
    let h = hay.get(..before.min(hay.len()))?;
    if needle.is_empty() {
        return None;
    }
    memchr::memmem::rfind(h, needle)
}

/// Every position of `needle` in `hay`, in order.
pub(crate) fn find_all(hay: &[u8], needle: &[u8]) -> Vec<usize> {
    memchr::memmem::find_iter(hay, needle).collect()
}

/// PDF-like text of an object, for diagnostics (long strings and stream data elided).
impl std::fmt::Display for Object {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Object::Null => write!(f, "null"),
            Object::Bool(b) => write!(f, "{b}"),
            Object::Int(i) => write!(f, "{i}"),
            Object::Real(r) => write!(f, "{r}"),
            Object::Name(n) => write!(f, "/{}", String::from_utf8_lossy(n)),
            Object::String(s) if s.bytes.len() > 40 => write!(f, "<{} bytes>", s.bytes.len()),
            Object::String(s) => write!(f, "({})", String::from_utf8_lossy(&s.bytes)),
            Object::Array(a) => {
                write!(f, "[")?;
                for (i, x) in a.iter().enumerate() {
                    if i > 0 {
                        write!(f, " ")?;
                    }
                    write!(f, "{x}")?;
                }
                write!(f, "]")
            }
            Object::Dict(d) => write!(f, "{d}"),
            Object::Ref(n, g) => write!(f, "{n} {g} R"),
            Object::Stream(s) => write!(
                f,
                "{} stream[{} bytes]",
                s.dict,
                s.data_end.saturating_sub(s.data_start)
            ),
        }
    }
}

impl std::fmt::Display for Dict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<<")?;
        for (k, v) in &self.entries {
            write!(f, " /{} {v}", String::from_utf8_lossy(k))?;
        }
        write!(f, " >>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &[u8]) -> Object {
        Lexer::new(s, 0, true).object(0).unwrap()
    }

    #[test]
    fn scalars_and_refs() {
        assert!(matches!(parse(b"12 0 R"), Object::Ref(12, 0)));
        assert!(matches!(parse(b"12 0 obj"), Object::Int(12)));
        assert!(matches!(parse(b"-3.5"), Object::Real(r) if (r + 3.5).abs() < 1e-9));
        assert!(matches!(parse(b".5"), Object::Real(_)));
        assert!(matches!(parse(b"/A#20B"), Object::Name(n) if n == b"A B"));
        assert!(matches!(parse(b"(a\\(b\\)c)"), Object::String(s) if s.bytes == b"a(b)c"));
        assert!(matches!(parse(b"<41 42 4>"), Object::String(s) if s.bytes == b"AB@" && s.hex));
    }

    #[test]
    fn dict_spans() {
        let src = b"<< /Contents <00ff> /ByteRange [0 1 2 3] >>";
        let o = parse(src);
        let d = o.as_dict().unwrap();
        assert_eq!(d.span.start, 0);
        assert_eq!(d.span.end, src.len());
        match d.get(b"Contents") {
            Some(Object::String(s)) => assert_eq!((s.span.start, s.span.end), (13, 19)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn nesting_is_bounded() {
        let mut v = vec![b'['; 10_000];
        v.extend(vec![b']'; 10_000]);
        assert!(matches!(
            Lexer::new(&v, 0, true).object(0),
            Err(PdfError::TooDeep { .. })
        ));
    }

    #[test]
    fn character_classes_follow_the_standard() {
        // ISO 32000-1 Table 1 (white space) and Table 2 (delimiters).
        for b in 0..=255u8 {
            assert_eq!(is_white(b), b"\0\t\n\x0c\r ".contains(&b), "{b}");
            assert_eq!(is_delim(b), b"()<>[]{}/%".contains(&b), "{b}");
            assert_eq!(is_regular(b), !is_white(b) && !is_delim(b), "{b}");
        }
    }

    #[test]
    fn names_and_integers() {
        let mut lx = Lexer::new(
            b"/Type/Sig /A#2fB /C#zz 18446744073709551615 1234567890123456789 007",
            0,
            true,
        );
        assert!(matches!(lx.object(0), Ok(Object::Name(n)) if n == b"Type"));
        assert!(matches!(lx.object(0), Ok(Object::Name(n)) if n == b"Sig"));
        assert!(matches!(lx.object(0), Ok(Object::Name(n)) if n == b"A/B"));
        assert!(matches!(lx.object(0), Ok(Object::Name(n)) if n == b"C#zz"));
        // Twenty digits are not an unsigned integer token; nineteen are.
        assert_eq!(lx.uint(), None);
        assert_eq!(lx.token(), b"18446744073709551615");
        assert_eq!(lx.uint(), Some(1_234_567_890_123_456_789));
        assert_eq!(lx.uint(), Some(7));
        assert_eq!(lx.uint(), None);
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(Lexer::new(b"<< /A ", 0, true).object(0).is_err());
        assert!(Lexer::new(b")", 0, true).object(0).is_err());
        assert!(Lexer::new(b"<zz>", 0, true).object(0).is_err());
    }
}
