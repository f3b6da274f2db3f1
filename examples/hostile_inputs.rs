//! Writes the hostile inputs of `tests/resource_limits.rs` into a folder, for
//! `benches/limits.sh` to run the command line on them under `/usr/bin/time -v`.
//!
//! ```text
//! cargo run --release --example hostile_inputs -- OUT_DIR
//! ```

// Example code: a panic is the failure report. Cargo.toml's [lints] denies unwrap and expect
// for the library; they are allowed here, as in the other test crates.
// Its `as` conversions are on sizes and counts it makes itself, not on untrusted input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::as_conversions)]

#[path = "../tests/common/hostile.rs"]
mod hostile;

use std::path::PathBuf;

fn main() {
    let out = PathBuf::from(
        std::env::args()
            .nth(1)
            .expect("usage: hostile_inputs OUT_DIR"),
    );
    std::fs::create_dir_all(&out).expect("output folder");
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let pki = repo.join("fixtures/pki");
    let signer = vnedoc::sign::KeySigner::from_files(
        &pki.join("leaf-rsa2048.key"),
        &pki.join("leaf-rsa2048.pem"),
        &[pki.join("intermediate.pem")],
    )
    .expect("signer");
    let signed = vnedoc::sign::sign_pdf(
        &std::fs::read(repo.join("fixtures/pdf/unsigned.pdf")).expect("unsigned.pdf"),
        &signer,
        &vnedoc::sign::SignOptions::new(vnedoc::time::Timestamp::constant(1_748_743_200, 0)),
    )
    .expect("sign");
    for h in hostile::all(&signed) {
        let kind = match h.target {
            hostile::Target::Pdf => "pdf",
            hostile::Target::Edxml => "edxml",
            hostile::Target::Directory => "directory",
        };
        std::fs::write(out.join(h.name), &h.bytes).expect("write");
        println!("{kind}\t{}\t{}", h.name, h.bytes.len());
    }
}
