//! New objects for an incremental update (ISO 32000-1 §7.5.6). Bodies are PDF syntax written
//! by the caller; this module numbers them and serialises the update section.

use std::fmt::Write as _;

/// Objects to append in one incremental update.
#[derive(Debug, Default)]
pub struct ObjectWriter {
    next: u32,
    objects: Vec<(u32, Vec<u8>)>,
}

impl ObjectWriter {
    /// A writer whose new objects start at `first_free` (the trailer's /Size).
    pub fn new(first_free: u32) -> Self {
        ObjectWriter {
            next: first_free,
            objects: Vec::new(),
        }
    }

    /// Reserves an object number to be filled with [`ObjectWriter::put`].
    pub fn reserve(&mut self) -> u32 {
        let n = self.next;
        self.next = self.next.saturating_add(1);
        n
    }

    /// Sets the body of object `num` (a new number from [`reserve`](Self::reserve), or an
    /// existing object that this update replaces).
    pub fn put(&mut self, num: u32, body: Vec<u8>) {
        if let Some(slot) = self.objects.iter_mut().find(|(n, _)| *n == num) {
            slot.1 = body;
        } else {
            self.objects.push((num, body));
        }
    }

    /// Adds a new object and returns its number.
    pub fn add(&mut self, body: Vec<u8>) -> u32 {
        let n = self.reserve();
        self.put(n, body);
        n
    }

    /// Adds a stream; `dict_entries` is the dictionary's inside (without `<<`, `>>` and
    /// /Length).
    pub fn add_stream(&mut self, dict_entries: &str, data: &[u8]) -> u32 {
        let mut body =
            format!("<< {dict_entries} /Length {} >>\nstream\n", data.len()).into_bytes();
        body.extend_from_slice(data);
        body.extend_from_slice(b"\nendstream");
        self.add(body)
    }

    /// The next unused object number (the new trailer's /Size).
    pub fn size(&self) -> u32 {
        self.next
    }

    /// Objects written so far.
    pub fn objects(&self) -> &[(u32, Vec<u8>)] {
        &self.objects
    }
}

/// Escapes bytes as a PDF literal string `( … )`.
pub fn literal(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() + 2);
    s.push('(');
    for &b in bytes {
        match b {
            b'(' | b')' | b'\\' => {
                s.push('\\');
                s.push(char::from(b));
            }
            0x20..=0x7e => s.push(char::from(b)),
            _ => {
                let _ = write!(s, "\\{b:03o}");
            }
        }
    }
    s.push(')');
    s
}

/// A PDF text string: PDFDocEncoding-safe ASCII as is, anything else as UTF-16BE with a BOM,
/// hex-encoded.
pub fn text(s: &str) -> String {
    if s.bytes().all(|b| (0x20..=0x7e).contains(&b)) {
        return literal(s.as_bytes());
    }
    let mut out = String::from("<FEFF");
    for u in s.encode_utf16() {
        let _ = write!(out, "{u:04X}");
    }
    out.push('>');
    out
}

/// A real number in PDF syntax (no exponent, at most 4 decimals).
pub fn num(v: f64) -> String {
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() || s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// Serialises a direct object (strings as hex, names escaped). Streams cannot be rewritten this
/// way and yield `None`.
pub fn serialize(o: &super::object::Object) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    write_object(o, &mut out, 0)?;
    Some(out)
}

fn write_name(n: &[u8], out: &mut Vec<u8>) {
    out.push(b'/');
    for &b in n {
        if b.is_ascii_graphic() && !super::object::is_delim(b) && b != b'#' {
            out.push(b);
        } else {
            out.extend_from_slice(format!("#{b:02X}").as_bytes());
        }
    }
}

fn write_object(o: &super::object::Object, out: &mut Vec<u8>, depth: usize) -> Option<()> {
    use super::object::Object;
    if depth > super::object::MAX_NESTING {
        return None;
    }
    match o {
        Object::Null => out.extend_from_slice(b"null"),
        Object::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Object::Int(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Object::Real(r) => out.extend_from_slice(num(*r).as_bytes()),
        Object::Name(n) => write_name(n, out),
        Object::String(s) => {
            out.push(b'<');
            for b in &s.bytes {
                out.extend_from_slice(format!("{b:02X}").as_bytes());
            }
            out.push(b'>');
        }
        Object::Array(a) => {
            out.push(b'[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(b' ');
                }
                write_object(x, out, depth + 1)?;
            }
            out.push(b']');
        }
        Object::Dict(d) => write_dict(d, out, depth)?,
        Object::Ref(n, g) => out.extend_from_slice(format!("{n} {g} R").as_bytes()),
        Object::Stream(_) => return None,
    }
    Some(())
}

fn write_dict(d: &super::object::Dict, out: &mut Vec<u8>, depth: usize) -> Option<()> {
    out.extend_from_slice(b"<<");
    for (k, v) in &d.entries {
        out.push(b' ');
        write_name(k, out);
        out.push(b' ');
        write_object(v, out, depth + 1)?;
    }
    out.extend_from_slice(b" >>");
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_and_numbers() {
        assert_eq!(literal(b"a(b)\\\n"), "(a\\(b\\)\\\\\\012)");
        assert_eq!(text("Ký số"), "<FEFF004B00FD002000731ED1>");
        assert_eq!(num(1.5), "1.5");
        assert_eq!(num(2.0), "2");
        assert_eq!(num(-0.00001), "0");
    }

    #[test]
    fn numbering() {
        let mut w = ObjectWriter::new(10);
        let a = w.reserve();
        let b = w.add(b"<< >>".to_vec());
        w.put(a, b"[]".to_vec());
        assert_eq!((a, b, w.size()), (10, 11, 12));
        assert_eq!(w.objects().len(), 2);
    }
}
