//! The library's `tracing` contract (see "Logging" in src/lib.rs): the spans a verification, a
//! signature and a TSA exchange open, the events their steps emit, and what never appears in
//! them (key material, whole documents, a password in a TSA URL).
//!
//! A small capturing subscriber, installed for one closure with
//! `tracing::subscriber::with_default`, records every span (name, fields, parent) and event
//! (level, fields, current span); the tests assert on those records, never on formatted lines.

// Test code: a panic is the failure report (STYLE.md: unwrap allowed in tests).
// Its `as` conversions are on sizes and counts it makes itself, not on untrusted input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::as_conversions)]

mod common;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use common::fixtures::{fixture_bytes, verify};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::Interest;
use tracing::{Event, Level, Metadata, Subscriber};
use vnedoc::Indication;

// ---------------------------------------------------------------------------------------------
// The capturing subscriber.

#[derive(Clone, Debug)]
struct SpanRec {
    name: &'static str,
    level: Level,
    fields: BTreeMap<&'static str, String>,
    parent: Option<u64>,
}

#[derive(Clone, Debug)]
struct EventRec {
    level: Level,
    target: String,
    fields: BTreeMap<&'static str, String>,
    /// The span current when the event was emitted.
    span: Option<u64>,
}

#[derive(Default)]
struct Log {
    /// Span `n` (an `Id` of `n`) is at index `n - 1`.
    spans: Vec<SpanRec>,
    events: Vec<EventRec>,
    /// Entered spans, innermost last (the tests run the traced code on their own thread).
    stack: Vec<u64>,
}

struct Capture(Arc<Mutex<Log>>);

struct Fields<'a>(&'a mut BTreeMap<&'static str, String>);

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name(), value.to_owned());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.insert(field.name(), format!("{value:?}"));
    }
}

impl Subscriber for Capture {
    fn register_callsite(&self, _: &'static Metadata<'static>) -> Interest {
        Interest::always()
    }
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(tracing::level_filters::LevelFilter::TRACE)
    }
    fn new_span(&self, attrs: &Attributes<'_>) -> Id {
        let mut log = self.0.lock().unwrap();
        let mut fields = BTreeMap::new();
        attrs.record(&mut Fields(&mut fields));
        let parent = match attrs.parent() {
            Some(p) => Some(p.into_u64()),
            None if attrs.is_contextual() => log.stack.last().copied(),
            None => None,
        };
        log.spans.push(SpanRec {
            name: attrs.metadata().name(),
            level: *attrs.metadata().level(),
            fields,
            parent,
        });
        Id::from_u64(log.spans.len() as u64)
    }
    fn record(&self, span: &Id, values: &Record<'_>) {
        let mut log = self.0.lock().unwrap();
        let rec = &mut log.spans[span.into_u64() as usize - 1];
        values.record(&mut Fields(&mut rec.fields));
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut log = self.0.lock().unwrap();
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        let span = match event.parent() {
            Some(p) => Some(p.into_u64()),
            None if event.is_contextual() => log.stack.last().copied(),
            None => None,
        };
        log.events.push(EventRec {
            level: *event.metadata().level(),
            target: event.metadata().target().to_owned(),
            fields,
            span,
        });
    }
    fn enter(&self, span: &Id) {
        self.0.lock().unwrap().stack.push(span.into_u64());
    }
    fn exit(&self, span: &Id) {
        let mut log = self.0.lock().unwrap();
        if let Some(i) = log.stack.iter().rposition(|s| *s == span.into_u64()) {
            log.stack.remove(i);
        }
    }
}

/// What `f` traced, with its result.
fn traced<R>(f: impl FnOnce() -> R) -> (R, Log) {
    let log = Arc::new(Mutex::new(Log::default()));
    let r = tracing::subscriber::with_default(Capture(Arc::clone(&log)), f);
    let log = std::mem::take(&mut *log.lock().unwrap());
    (r, log)
}

impl Log {
    /// `(id, span)` of every span named `name`, in creation order.
    fn spans_named(&self, name: &str) -> Vec<(u64, &SpanRec)> {
        self.spans
            .iter()
            .enumerate()
            .filter(|(_, s)| s.name == name)
            .map(|(i, s)| (i as u64 + 1, s))
            .collect()
    }

    fn children(&self, parent: u64, name: &str) -> Vec<(u64, &SpanRec)> {
        self.spans_named(name)
            .into_iter()
            .filter(|(_, s)| s.parent == Some(parent))
            .collect()
    }

    /// Events whose message is `message`.
    fn events(&self, message: &str) -> Vec<&EventRec> {
        self.events
            .iter()
            .filter(|e| e.fields.get("message").map(String::as_str) == Some(message))
            .collect()
    }

    /// Whether span `id` is `ancestor` or lies inside it.
    fn within(&self, id: Option<u64>, ancestor: u64) -> bool {
        let mut cur = id;
        while let Some(c) = cur {
            if c == ancestor {
                return true;
            }
            cur = self.spans[c as usize - 1].parent;
        }
        false
    }

    /// Every recorded value, span fields and event fields, with where it was found.
    fn values(&self) -> Vec<(String, &str)> {
        let spans = self.spans.iter().flat_map(|s| {
            s.fields
                .iter()
                .map(move |(k, v)| (format!("span {} {k}", s.name), v.as_str()))
        });
        let events = self.events.iter().flat_map(|e| {
            e.fields
                .iter()
                .map(move |(k, v)| (format!("event {} {k}", e.target), v.as_str()))
        });
        spans.chain(events).collect()
    }

    /// No value is long enough to be a document, a certificate or a key, none is PEM, and none
    /// holds any of `secrets`.
    fn assert_no_material(&self, secrets: &[String]) {
        for (at, v) in self.values() {
            assert!(v.len() <= 512, "{at}: {} chars logged", v.len());
            assert!(!v.contains("-----BEGIN"), "{at}: PEM logged: {v}");
            for s in secrets {
                assert!(!v.contains(s.as_str()), "{at}: secret logged: {v}");
            }
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What of `fixtures/pki/<name>.key` must never be logged: its base64 lines, and the hex of
/// its DER in pieces of 16 bytes (upper and lower case).
fn key_secrets(name: &str) -> Vec<String> {
    let pem = String::from_utf8(fixture_bytes(&format!("pki/{name}.key"))).unwrap();
    let body: Vec<&str> = pem
        .lines()
        .filter(|l| !l.starts_with("-----") && !l.is_empty())
        .collect();
    let der = vnedoc::sign::key::pem_or_der(pem.as_bytes(), "PRIVATE KEY").unwrap();
    let mut secrets: Vec<String> = body.iter().map(|l| (*l).to_owned()).collect();
    for chunk in der.chunks(16).filter(|c| c.len() == 16) {
        secrets.push(hex(chunk));
        secrets.push(hex(chunk).to_uppercase());
    }
    secrets
}

/// The steps of src/verify/pipeline.rs, in order, for a signature that passes them all.
const ALL_STEPS: [&str; 12] = [
    "byte_range",
    "modifications",
    "cms",
    "signer_info",
    "content_digest",
    "signer_certificate",
    "signed_attributes",
    "signature_value",
    "policy",
    "signature_timestamp",
    "certificate_path",
    "disallowed_changes",
];

// ---------------------------------------------------------------------------------------------
// Verification.

#[test]
fn verifying_two_signatures_opens_a_document_span_two_signature_spans_and_their_steps() {
    let file = "pdf/pyhanko-two-signatures.pdf";
    let (report, log) = traced(|| verify(file));
    assert_eq!(report.signatures.len(), 2, "{report:#?}");

    let docs = log.spans_named("document");
    let [(doc_id, doc)] = docs.as_slice() else {
        panic!("expected one document span: {:#?}", log.spans);
    };
    assert_eq!(doc.level, Level::INFO);
    assert_eq!(doc.fields["file"], "pyhanko-two-signatures.pdf");
    assert_eq!(doc.fields["len"], fixture_bytes(file).len().to_string());

    let sigs = log.children(*doc_id, "signature");
    assert_eq!(
        log.spans_named("signature").len(),
        2,
        "every signature span is inside the document span"
    );
    let names: Vec<&str> = sigs
        .iter()
        .map(|(_, s)| s.fields["field"].as_str())
        .collect();
    let expected: Vec<&str> = report.signatures.iter().map(|s| s.field.as_str()).collect();
    assert_eq!(names, expected);
    for (sig_id, sig) in &sigs {
        assert_eq!(sig.fields["sub_filter"], "ETSI.CAdES.detached");
        let steps: Vec<&str> = log
            .children(*sig_id, "step")
            .iter()
            .map(|(_, s)| s.fields["name"].as_str())
            .collect();
        assert_eq!(steps, ALL_STEPS, "steps of {}", sig.fields["field"]);
        for (step_id, step) in log.children(*sig_id, "step") {
            assert_eq!(step.level, Level::DEBUG);
            let done: Vec<&EventRec> = log
                .events("step done")
                .into_iter()
                .filter(|e| e.span == Some(step_id))
                .collect();
            let [done] = done.as_slice() else {
                panic!("one `step done` per step: {:#?}", log.events);
            };
            assert_eq!(done.level, Level::DEBUG);
            assert_eq!(done.fields["outcome"], "ok");
            assert_eq!(done.fields["step"], step.fields["name"]);
        }
        let checked: Vec<&EventRec> = log
            .events("signature checked")
            .into_iter()
            .filter(|e| e.span == Some(*sig_id))
            .collect();
        let [checked] = checked.as_slice() else {
            panic!("one `signature checked` per signature: {:#?}", log.events);
        };
        assert_eq!(checked.level, Level::INFO);
        assert_eq!(checked.fields["indication"], "TOTAL_PASSED");
    }
    let verified = log.events("document verified");
    let [verified] = verified.as_slice() else {
        panic!("one `document verified`: {:#?}", log.events);
    };
    assert_eq!(verified.span, Some(*doc_id));
    assert_eq!(verified.level, Level::INFO);
    assert_eq!(verified.fields["signatures"], "2");
    assert_eq!(verified.fields["passed"], "2");
    // Nothing the verifier checks is a fault of the program: no warning, no error.
    assert!(
        log.events.iter().all(|e| e.level > Level::WARN),
        "{:#?}",
        log.events
    );
    let mut secrets = key_secrets("leaf-rsa2048");
    secrets.extend(key_secrets("leaf-p256"));
    log.assert_no_material(&secrets);
}

#[test]
fn a_step_that_stops_says_which_finding_at_info_and_no_later_step_runs() {
    let (report, log) = traced(|| verify("pdf/tamper-one-byte.pdf"));
    let [sig] = report.signatures.as_slice() else {
        panic!("{report:#?}");
    };
    assert_eq!(sig.indication, Indication::TotalFailed);
    let code = sig.findings[0].code();

    let stopped = log.events("signature check stopped");
    let [stopped] = stopped.as_slice() else {
        panic!("one stop: {:#?}", log.events);
    };
    assert_eq!(stopped.level, Level::INFO);
    assert_eq!(stopped.fields["code"], code);
    let step = &stopped.fields["step"];
    let steps: Vec<&str> = log
        .spans_named("step")
        .iter()
        .map(|(_, s)| s.fields["name"].as_str())
        .collect();
    assert_eq!(steps.last().copied(), Some(step.as_str()), "{steps:?}");
    assert!(steps.len() < ALL_STEPS.len(), "{steps:?}");
    let done = log.events("step done");
    let last = done.last().unwrap();
    assert_eq!(last.fields["outcome"], "stopped");
    assert_eq!(&last.fields["step"], step);
}

#[test]
fn an_unreadable_document_is_a_debug_event_not_a_warning() {
    let (report, log) = traced(|| {
        common::fixtures::default_verifier().verify_bytes("garbage.pdf", b"not a PDF at all")
    });
    assert!(report.error.is_some());
    let events = log.events("document not verified");
    let [e] = events.as_slice() else {
        panic!("{:#?}", log.events);
    };
    assert_eq!(e.level, Level::DEBUG);
    assert!(log.spans_named("signature").is_empty());
}

// ---------------------------------------------------------------------------------------------
// Signing.

fn key_signer() -> vnedoc::sign::KeySigner {
    let pki = common::fixtures::fixtures_dir().join("pki");
    vnedoc::sign::KeySigner::from_files(
        &pki.join("leaf-rsa2048.key"),
        &pki.join("leaf-rsa2048.pem"),
        &[pki.join("intermediate.pem")],
    )
    .unwrap()
}

#[test]
fn signing_logs_the_field_sub_filter_and_sizes_but_no_key() {
    let signer = key_signer();
    let input = fixture_bytes("pdf/unsigned.pdf");
    let opts = vnedoc::sign::SignOptions::new(common::fixtures::validation_time());
    let (signed, log) = traced(|| vnedoc::sign::sign_pdf(&input, &signer, &opts).unwrap());

    let spans = log.spans_named("sign");
    let [(sign_id, sign)] = spans.as_slice() else {
        panic!("one sign span: {:#?}", log.spans);
    };
    assert_eq!(sign.fields["sub_filter"], "ETSI.CAdES.detached");
    assert_eq!(sign.fields["input_bytes"], input.len().to_string());

    let report = verify_signed(&signed);
    let prepared = log.events("signature prepared");
    let [prepared] = prepared.as_slice() else {
        panic!("{:#?}", log.events);
    };
    assert!(log.within(prepared.span, *sign_id));
    assert_eq!(prepared.fields["field"], report.signatures[0].field);
    assert_eq!(prepared.fields["sub_filter"], "ETSI.CAdES.detached");
    let completed = log.events("signature completed");
    let [completed] = completed.as_slice() else {
        panic!("{:#?}", log.events);
    };
    assert_eq!(completed.fields["output_bytes"], signed.len().to_string());
    assert_eq!(completed.fields["timestamped"], "false");
    log.assert_no_material(&key_secrets("leaf-rsa2048"));
}

fn verify_signed(signed: &[u8]) -> vnedoc::DocumentReport {
    let report = common::fixtures::default_verifier().verify_bytes("signed.pdf", signed);
    assert_eq!(report.signatures.len(), 1, "{report:#?}");
    report
}

// ---------------------------------------------------------------------------------------------
// TSA exchanges.

#[cfg(feature = "http")]
mod tsa {
    use std::time::Duration;

    use super::common::tsa_server::{TsaServer, openssl_available};
    use super::*;
    use vnedoc::internals::crypto::DigestAlgorithm;
    use vnedoc::sign::tsa::{HttpTsa, TsaClient};

    fn ask(url: &str) -> Result<Vec<u8>, vnedoc::sign::tsa::TsaError> {
        let imprint = DigestAlgorithm::Sha256.digest(&[b"tracing"]);
        HttpTsa::new(url)
            .with_timeout(Duration::from_secs(10))
            .timestamp(DigestAlgorithm::Sha256, &imprint)
    }

    #[test]
    fn a_tsa_error_answer_is_a_fetch_span_with_url_and_status() {
        let server = TsaServer::fixed(503, "text/plain", b"busy\n").unwrap();
        let url = server.url();
        let (result, log) = traced(|| ask(&url));
        assert!(result.is_err());
        let fetches = log.spans_named("fetch");
        let [(_, fetch)] = fetches.as_slice() else {
            panic!("one fetch span: {:#?}", log.spans);
        };
        assert_eq!(fetch.level, Level::INFO);
        assert_eq!(fetch.fields["kind"], "tsa");
        assert_eq!(fetch.fields["url"], url);
        assert_eq!(fetch.fields["status"], "503");
        assert!(fetch.fields.contains_key("elapsed_ms"), "{fetch:#?}");
        // The caller gets the error: not a warning.
        assert!(log.events.iter().all(|e| e.level > Level::WARN));
    }

    #[test]
    fn a_password_in_the_tsa_url_is_never_logged() {
        let server = TsaServer::fixed(401, "text/plain", b"who are you\n").unwrap();
        let url = server.url().replace("http://", "http://alice:s3cret-pw@");
        let (_, log) = traced(|| ask(&url));
        let fetches = log.spans_named("fetch");
        let [(_, fetch)] = fetches.as_slice() else {
            panic!("one fetch span: {:#?}", log.spans);
        };
        assert_eq!(
            fetch.fields["url"],
            server.url().replace("http://", "http://***@")
        );
        log.assert_no_material(&["s3cret-pw".to_owned()]);
    }

    #[test]
    fn signing_with_a_tsa_fetches_inside_the_sign_span() {
        if !openssl_available() {
            assert!(!common::in_ci(), "openssl is required under CI=true");
            eprintln!("skipped: openssl not found");
            return;
        }
        let server = TsaServer::openssl().expect("start the loopback TSA");
        let tsa = HttpTsa::new(server.url()).with_timeout(Duration::from_secs(30));
        let signer = key_signer();
        let input = fixture_bytes("pdf/unsigned.pdf");
        let mut opts = vnedoc::sign::SignOptions::new(vnedoc::time::now());
        opts.tsa = Some(&tsa);
        let (signed, log) = traced(|| vnedoc::sign::sign_pdf(&input, &signer, &opts).unwrap());
        assert_eq!(server.served(), 1);

        let signs = log.spans_named("sign");
        let [(sign_id, _)] = signs.as_slice() else {
            panic!("one sign span: {:#?}", log.spans);
        };
        let fetches = log.spans_named("fetch");
        let [(fetch_id, fetch)] = fetches.as_slice() else {
            panic!("one fetch span: {:#?}", log.spans);
        };
        assert!(log.within(Some(*fetch_id), *sign_id));
        assert_eq!(fetch.fields["url"], server.url());
        assert_eq!(fetch.fields["status"], "200");
        let bytes: usize = fetch.fields["bytes"].parse().unwrap();
        assert!(bytes > 100, "a TimeStampResp of {bytes} bytes");
        let answered = log.events("TSA answered");
        let [answered] = answered.as_slice() else {
            panic!("{:#?}", log.events);
        };
        assert_eq!(answered.span, Some(*fetch_id));
        assert_eq!(answered.fields["bytes"], bytes.to_string());
        let completed = log.events("signature completed");
        assert_eq!(completed.len(), 1);
        assert_eq!(completed[0].fields["timestamped"], "true");
        let report = verify_signed(&signed);
        assert!(report.signatures[0].timestamp.is_some());
        log.assert_no_material(&key_secrets("leaf-rsa2048"));
    }
}
