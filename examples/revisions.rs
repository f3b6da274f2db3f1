//! Prints the revision structure of a PDF: each revision's end offset and the objects its
//! cross-reference sections write, with their type. Useful to see what changed after signing.
//!
//! `cargo run --example revisions -- FILE.pdf`

// Example code: a panic is the failure report. Cargo.toml's [lints] denies unwrap and expect
// for the library; they are allowed here, as in the other test crates.
// Its `as` conversions are on sizes and counts it makes itself, not on untrusted input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::as_conversions)]

use vnedoc::internals::pdf::{Document, Limits};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: revisions FILE.pdf")?;
    let data = std::fs::read(&path)?;
    let doc = Document::parse(&data, Limits::default())?;
    for (i, r) in doc.revisions.iter().enumerate() {
        println!("revision {} ends at {}", i + 1, r.end);
        for (num, _) in doc.written_in(i) {
            let describe = |rev: usize| match doc.get(num, rev) {
                Ok(Some(o)) => {
                    let s = o.to_string();
                    s.chars().take(300).collect::<String>()
                }
                Ok(None) => "-".to_string(),
                Err(e) => format!("error: {e}"),
            };
            let old = if i > 0 {
                describe(i - 1)
            } else {
                "-".to_string()
            };
            println!("  {num}: new {}\n      old {}", describe(i), old);
        }
    }
    println!("bytes after the last revision: {}", doc.trailing_bytes);
    Ok(())
}
