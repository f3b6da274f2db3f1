//! Hostile inputs end within 5 seconds with a clear error (memory is checked by
//! `benches/limits.sh` with /usr/bin/time): decompression bombs, deep nesting, reference,
//! /Prev and xref cycles, a huge /Length, a million objects, a huge /ByteRange, deeply nested
//! BER in a CMS, deep XML, the billion laughs, a 1 GiB attachment claim, and a directory of a
//! million rows.

// Test code: a panic is the failure report. Cargo.toml's [lints] denies unwrap and expect
// for the library; they are allowed here, as in the other test crates.
// Its `as` conversions are on sizes and counts it makes itself, not on untrusted input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::as_conversions)]

mod common;

use std::time::{Duration, Instant};

use common::hostile::{self, Target};
use vnedoc::exchange::Directory;
use vnedoc::exchange::edxml;

const LIMIT: Duration = Duration::from_secs(5);

/// What an input gave: the error or verdict, as text, for the assertions.
fn outcome(target: Target, bytes: &[u8]) -> String {
    match target {
        Target::Pdf => {
            let v = common::fixtures::default_verifier();
            let r = v.verify_bytes("hostile.pdf", bytes);
            match (&r.error, r.signatures.first()) {
                (Some(e), _) => format!("error: {e}"),
                (None, Some(s)) => format!(
                    "signature: {:?}/{:?}: {}",
                    s.indication,
                    s.subindication,
                    s.errors.join("; ")
                ),
                (None, None) => "no signature".into(),
            }
        }
        Target::Edxml => match edxml::from_xml(bytes) {
            Ok(_) => "parsed".into(),
            Err(e) => format!("error: {e}"),
        },
        Target::Directory => match Directory::parse(&String::from_utf8_lossy(bytes)) {
            Ok(d) => format!("loaded {} agencies", d.len()),
            Err(e) => format!("error: {e}"),
        },
    }
}

#[test]
fn hostile_inputs_end_quickly_with_a_clear_error() {
    // Signed by the crate's signer, whose /ByteRange slot has room for 18-digit numbers.
    let signed = vnedoc::sign::sign_pdf(
        &common::fixtures::fixture_bytes("pdf/unsigned.pdf"),
        &common::fixtures::key_signer("leaf-rsa2048"),
        &vnedoc::sign::SignOptions::new(vnedoc::time::timestamp(1_748_743_200).unwrap()),
    )
    .expect("sign");
    let inputs = hostile::all(&signed);
    let mut failures = Vec::new();
    for h in &inputs {
        let start = Instant::now();
        let got = outcome(h.target, &h.bytes);
        let took = start.elapsed();
        println!(
            "{:<24} {:>10} bytes {:>8.0?}  {}",
            h.name,
            h.bytes.len(),
            took,
            common::truncate(&got, 160)
        );
        if took > LIMIT {
            failures.push(format!("{}: took {took:?}", h.name));
        }
        let expected: &[&str] = match h.name {
            "decompression-bomb.pdf" => &["error", "stream decodes to more than 67108864 bytes"],
            "nested-arrays.pdf" | "nested-dicts.pdf" => &["error", "nesting deeper than 64"],
            "reference-cycle.pdf" => &["error", "reference chain longer than 32"],
            "prev-cycle.pdf" | "xref-loop.pdf" => &["error", "/Prev loops back"],
            // The stream ends at its `endstream`; the document simply has no signature.
            "huge-length.pdf" => &["no signature"],
            // A million objects are read (the limit is 4 million) and the catalog has no form.
            "million-objects.pdf" => &["no signature"],
            "huge-byte-range.pdf" => &[
                "TotalFailed/Some(FormatFailure)",
                "past the end of the file",
            ],
            "overflow-byte-range.pdf" => &["TotalFailed/Some(FormatFailure)", "four integers"],
            "deep-ber-cms.pdf" => &["TotalFailed/Some(FormatFailure)", "nesting deeper than 64"],
            "deep-nesting.edxml" => &["error", "nesting deeper than 32"],
            "billion-laughs.edxml" => &["error", "DOCTYPE", "refused"],
            "attachment-1gb.edxml" => &["error", "1073741824", "over the limit"],
            "million-rows.csv" => &["error", "more than 500000 agencies"],
            other => panic!("no expectation for {other}"),
        };
        if !expected.iter().all(|e| got.contains(e)) {
            failures.push(format!("{}: expected {expected:?}, got {got}", h.name));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
