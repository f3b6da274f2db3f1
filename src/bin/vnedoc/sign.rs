//! `vnedoc sign`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::inputs::{check_output_file, io, read};

#[derive(clap::Args)]
pub(crate) struct SignArgs {
    /// Private key: PKCS#8, PKCS#1 (RSA PRIVATE KEY) or SEC1 (EC PRIVATE KEY), PEM or DER,
    /// unencrypted. Not needed with --pkcs11-module.
    #[arg(long, value_name = "KEY")]
    key: Option<PathBuf>,
    /// Signer certificate (PEM or DER; further certificates in the file are the chain).
    #[arg(long, value_name = "CERT")]
    cert: PathBuf,
    /// Intermediate certificate(s) to embed.
    #[arg(long = "chain", value_name = "CERT")]
    chain: Vec<PathBuf>,
    /// pades (ETSI.CAdES.detached) or pkcs7 (adbe.pkcs7.detached).
    #[arg(long, value_name = "pades|pkcs7", default_value = "pades")]
    sub_filter: String,
    /// Signature field name (default: the first free Signature<n>); a name already taken is
    /// refused.
    #[arg(long, value_name = "NAME")]
    field: Option<String>,
    /// Reason for signing (/Reason).
    #[arg(long, value_name = "TEXT")]
    reason: Option<String>,
    /// Place of signing (/Location).
    #[arg(long, value_name = "TEXT")]
    location: Option<String>,
    /// Visible appearance: person, seal, attachment or copy (Decree 30/2020 Appendix I).
    #[arg(long, value_name = "person|seal|attachment|copy")]
    appearance: Option<String>,
    /// PNG image for person (blue signature) or seal (red seal).
    #[arg(long, value_name = "PNG")]
    image: Option<PathBuf>,
    /// Page number, 1-based.
    #[arg(long, default_value_t = 1)]
    page: usize,
    /// Rectangle X1,Y1,X2,Y2 in points: the person image's box, or for a seal the person box it
    /// overlaps (the seal goes over its left third).
    #[arg(long, value_name = "X1,Y1,X2,Y2")]
    rect: Option<String>,
    /// Real size of the seal in millimetres.
    #[arg(long, default_value_t = 35.0)]
    seal_size_mm: f64,
    /// Document number and notation, for the attachment stamp ("123/UBND-VP").
    #[arg(long, value_name = "TEXT")]
    doc_number: Option<String>,
    /// SAO Y, SAO LỤC or TRÍCH SAO, for the copy stamp.
    #[arg(long, value_name = "TEXT")]
    copy_form: Option<String>,
    /// Name of the copying agency, for the copy stamp.
    #[arg(long, value_name = "TEXT")]
    agency: Option<String>,
    /// RFC 3161 timestamp authority URL (PAdES B-T).
    #[arg(long, value_name = "URL")]
    tsa: Option<String>,
    /// Signing time (RFC 3339); default now.
    #[arg(long, value_name = "RFC3339")]
    time: Option<String>,
    /// PKCS#11 module of a token or HSM (e.g. /usr/lib/softhsm/libsofthsm2.so).
    #[arg(long, value_name = "PATH")]
    pkcs11_module: Option<PathBuf>,
    /// Token label.
    #[arg(long, value_name = "LABEL")]
    pkcs11_token: Option<String>,
    /// Private key label on the token.
    #[arg(long, value_name = "LABEL")]
    pkcs11_key_label: Option<String>,
    /// User PIN (or set VNEDOC_PKCS11_PIN).
    #[arg(long, value_name = "PIN")]
    pkcs11_pin: Option<String>,
    /// The PDF to sign.
    #[arg(value_name = "IN.pdf")]
    input: PathBuf,
    /// The signed PDF; may be IN.pdf itself, which is replaced only once signing succeeded.
    #[arg(short = 'o', long = "output", value_name = "OUT.pdf")]
    output: PathBuf,
}

fn parse_rect(s: &str) -> Result<[f64; 4], String> {
    let v: Vec<f64> = s
        .split(',')
        .map(|p| {
            p.trim()
                .parse::<f64>()
                .map_err(|_| format!("--rect: not a number: {p}"))
        })
        .collect::<Result<_, _>>()?;
    match v.as_slice() {
        [a, b, c, d] => Ok([*a, *b, *c, *d]),
        _ => Err("--rect needs X1,Y1,X2,Y2".to_string()),
    }
}

pub(crate) fn run_sign(a: SignArgs) -> Result<ExitCode, String> {
    use vnedoc::sign::appearance::{Appearance, SealPlacement};
    use vnedoc::sign::{SignOptions, SubFilter};
    // Before any work (a TSA request, a token login): where the output goes.
    check_output_file(&a.output)?;
    let input = read(&a.input)?;
    let time = match &a.time {
        Some(t) => vnedoc::time::parse_rfc3339_timestamp(t)
            .ok_or_else(|| format!("--time: not RFC 3339: {t}"))?,
        None => vnedoc::time::now(),
    };
    let mut opts = SignOptions::new(time);
    opts.sub_filter = match a.sub_filter.as_str() {
        "pades" | "cades" => SubFilter::Cades,
        "pkcs7" => SubFilter::Pkcs7,
        other => return Err(format!("--sub-filter: pades or pkcs7, not {other}")),
    };
    opts.field_name = a.field.clone();
    opts.reason = a.reason.clone();
    opts.location = a.location.clone();
    opts.page = a.page.checked_sub(1).ok_or("--page starts at 1")?;
    let image = || -> Result<Vec<u8>, String> {
        let p = a
            .image
            .as_ref()
            .ok_or("--image is required for this appearance")?;
        read(p)
    };
    let rect = a.rect.as_deref().map(parse_rect).transpose()?;
    opts.appearance = match a.appearance.as_deref() {
        None => None,
        Some("person") => Some(Appearance::Person {
            png: image()?,
            rect: rect.ok_or("--rect is required for person")?,
        }),
        Some("seal") => Some(Appearance::Seal {
            png: image()?,
            size_mm: a.seal_size_mm,
            placement: SealPlacement::OverlapPerson(
                rect.ok_or("--rect (the person signature's box) is required for seal")?,
            ),
        }),
        Some("attachment") => Some(Appearance::Attachment {
            doc_number: a
                .doc_number
                .clone()
                .ok_or("--doc-number is required for attachment")?,
        }),
        Some("copy") => Some(Appearance::Copy {
            form: a.copy_form.clone().unwrap_or_else(|| "SAO Y".to_string()),
            agency: a.agency.clone().ok_or("--agency is required for copy")?,
        }),
        Some(other) => {
            return Err(format!(
                "--appearance: person, seal, attachment or copy, not {other}"
            ));
        }
    };
    let tsa = a.tsa.as_ref().map(vnedoc::sign::tsa::HttpTsa::new);
    opts.tsa = tsa
        .as_ref()
        .map(|t| -> &dyn vnedoc::sign::tsa::TsaClient { t });
    match &a.pkcs11_module {
        Some(module) => {
            let pin = match &a.pkcs11_pin {
                Some(p) => p.clone(),
                None => std::env::var("VNEDOC_PKCS11_PIN")
                    .map_err(|_| "--pkcs11-pin or VNEDOC_PKCS11_PIN is required")?,
            };
            let (cert, certs) = vnedoc::sign::key::read_certificates(&a.cert, &a.chain)
                .map_err(|e| vnedoc::sign::SignError::from(e).to_string())?;
            let signer = vnedoc::sign::pkcs11::Pkcs11Signer::open(
                module,
                a.pkcs11_token
                    .as_deref()
                    .ok_or("--pkcs11-token is required")?,
                &pin,
                a.pkcs11_key_label
                    .as_deref()
                    .ok_or("--pkcs11-key-label is required")?,
                cert,
                certs,
            )
            .map_err(|e| e.to_string())?;
            warn_before_signing(&signer, &opts);
            write_signed(&input, &a.input, &signer, &opts, &a.output)
        }
        None => {
            let key = a
                .key
                .as_ref()
                .ok_or("--key or --pkcs11-module is required")?;
            let signer = vnedoc::sign::KeySigner::from_files(key, &a.cert, &a.chain)
                .map_err(|e| e.to_string())?;
            warn_before_signing(&signer, &opts);
            write_signed(&input, &a.input, &signer, &opts, &a.output)
        }
    }?;
    Ok(ExitCode::SUCCESS)
}

/// Prints what will stop the signature from validating (an expired or not yet valid
/// certificate, a key usage that does not allow signing) as warnings: the document is still
/// signed. `-q` leaves them out.
fn warn_before_signing(signer: &dyn vnedoc::sign::Signer, opts: &vnedoc::sign::SignOptions<'_>) {
    if crate::logging::quiet() {
        return;
    }
    // A certificate that does not parse was refused when the signer was built.
    if let Ok(warnings) = vnedoc::sign::preflight(signer.certificate(), opts.signing_time) {
        for w in warnings {
            eprintln!("vnedoc: warning: {w}");
        }
    }
}

/// Streams the signed document into a temporary file beside `output`, then renames it: memory
/// stays about the input's size, and a failure never leaves a half-written output (the input
/// may be the output).
fn write_signed(
    input: &[u8],
    input_path: &Path,
    signer: &dyn vnedoc::sign::Signer,
    opts: &vnedoc::sign::SignOptions<'_>,
    output: &Path,
) -> Result<(), String> {
    use vnedoc::error::PdfError;
    use vnedoc::sign::SignError;
    let mut tmp = output.as_os_str().to_owned();
    tmp.push(format!(".partial-{}", std::process::id()));
    let tmp = PathBuf::from(tmp);
    // The temporary file is an implementation detail: errors name the output.
    let result = std::fs::File::create(&tmp)
        .map_err(|e| format!("output {}: cannot create it: {}", output.display(), io(&e)))
        .and_then(|f| {
            vnedoc::sign::sign_pdf_to(input, signer, opts, std::io::BufWriter::new(f)).map_err(
                |e| match e {
                    SignError::Pdf(PdfError::NoHeader) => format!(
                        "{}: not a PDF file (no %PDF- header in the first 1024 bytes)",
                        input_path.display()
                    ),
                    SignError::Pdf(e) => format!("{}: {e}", input_path.display()),
                    SignError::Io(e) => format!("output {}: {}", output.display(), io(&e)),
                    e => e.to_string(),
                },
            )
        })
        .and_then(|_| {
            std::fs::rename(&tmp, output)
                .map_err(|e| format!("output {}: {}", output.display(), io(&e)))
        });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
