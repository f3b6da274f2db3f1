//! `vnedoc edxml pack|unpack`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use crate::emit;
use crate::inputs::{check_output_file, check_output_folder, io, read};

#[derive(Subcommand)]
pub(crate) enum EdxmlAction {
    /// Build an envelope from a metadata JSON file (the header fields, as `unpack` writes them)
    /// and attachment files.
    Pack {
        /// Metadata JSON.
        #[arg(long, value_name = "JSON")]
        meta: PathBuf,
        /// Output envelope.
        #[arg(short = 'o', long = "output", value_name = "OUT.edxml")]
        output: PathBuf,
        /// Attachments.
        #[arg(value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Write an envelope's metadata (metadata.json) and attachments into a folder.
    Unpack {
        /// The envelope.
        #[arg(value_name = "FILE.edxml")]
        file: PathBuf,
        /// Output folder (default: the envelope's name without extension).
        #[arg(short = 'o', long = "output", value_name = "DIR")]
        output: Option<PathBuf>,
    },
}

pub(crate) fn run_edxml(action: EdxmlAction) -> Result<ExitCode, String> {
    use vnedoc::exchange::edxml;
    match action {
        EdxmlAction::Pack {
            meta,
            output,
            files,
        } => {
            check_output_file(&output)?;
            let text = read(&meta)?;
            let meta: edxml::Metadata = serde_json::from_slice(&text).map_err(|e| {
                format!(
                    "{}: not the metadata JSON of an envelope: {e}",
                    meta.display()
                )
            })?;
            let files = files
                .iter()
                .map(|f| {
                    edxml::PackFile::from_path(f).map_err(|e| match e {
                        edxml::EdxmlError::Io { source, .. } => {
                            format!("{}: {}", f.display(), io(&source))
                        }
                        e => format!("{}: {e}", f.display()),
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            let env = edxml::pack(&meta, files);
            env.validate().map_err(|e| e.to_string())?;
            let out = std::fs::File::create(&output)
                .map_err(|e| format!("output {}: {}", output.display(), io(&e)))?;
            edxml::write_xml(&env, std::io::BufWriter::new(out))
                .map_err(|e| format!("output {}: {e}", output.display()))?;
            Ok(ExitCode::SUCCESS)
        }
        EdxmlAction::Unpack { file, output } => {
            let dir = output.unwrap_or_else(|| file.with_extension(""));
            // The folder is created, but not its parents: a mistyped path fails here instead
            // of becoming a tree of folders.
            check_output_folder(&dir)?;
            let bytes = read(&file)?;
            let looks_like_xml = starts_like_xml(&bytes);
            let env = match edxml::from_xml(bytes) {
                Ok(env) => env,
                // Not XML at all, or XML of another kind: input of an unsupported format (2),
                // as a file without the %PDF- header is for `verify`.
                Err(e)
                    if !looks_like_xml || matches!(e, edxml::EdxmlError::UnexpectedRoot { .. }) =>
                {
                    eprintln!("vnedoc: {}: not an edXML envelope: {e}", file.display());
                    return Ok(ExitCode::from(2));
                }
                // An envelope that is cut, malformed or refused by the reader's rules: a
                // document that was read and does not pass (1).
                Err(e) => {
                    eprintln!(
                        "vnedoc: {}: not a readable edXML envelope: {e}",
                        file.display()
                    );
                    return Ok(ExitCode::from(1));
                }
            };
            let report = edxml::unpack(&env, &dir).map_err(|e| e.to_string())?;
            let mut out = format!("{}\n", report.metadata.display());
            for f in &report.files {
                out.push_str(&format!("{}\n", f.display()));
            }
            Ok(emit(&out))
        }
    }
}

/// True when the first byte after an optional UTF-8 byte-order mark and white space is `<`:
/// the file may be XML (an envelope, or something else the reader then names).
fn starts_like_xml(bytes: &[u8]) -> bool {
    let rest = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    rest.iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'<')
}
