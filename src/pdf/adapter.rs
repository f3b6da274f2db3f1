//! The private adapter to lopdf. lopdf decodes stream filters (Flate with PNG/TIFF predictors,
//! LZW, ASCII85, …); nothing of lopdf leaves this module.

use super::object::{Dict, Object};
use crate::malformed::{FilterError, PdfError};

fn to_lopdf(o: &Object) -> lopdf::Object {
    match o {
        Object::Null => lopdf::Object::Null,
        Object::Bool(b) => lopdf::Object::Boolean(*b),
        Object::Int(i) => lopdf::Object::Integer(*i),
        // lopdf keeps reals as f32; filter parameters are small integers in practice.
        Object::Real(r) => lopdf::Object::Real(format!("{r}").parse::<f32>().unwrap_or(0.0)),
        Object::Name(n) => lopdf::Object::Name(n.clone()),
        Object::String(s) => lopdf::Object::String(s.bytes.clone(), lopdf::StringFormat::Literal),
        Object::Array(a) => lopdf::Object::Array(a.iter().map(to_lopdf).collect()),
        Object::Dict(d) => lopdf::Object::Dictionary(dict_to_lopdf(d)),
        Object::Ref(n, g) => lopdf::Object::Reference((*n, *g)),
        Object::Stream(s) => lopdf::Object::Dictionary(dict_to_lopdf(&s.dict)),
    }
}

fn dict_to_lopdf(d: &Dict) -> lopdf::Dictionary {
    let mut out = lopdf::Dictionary::new();
    for (k, v) in &d.entries {
        out.set(k.clone(), to_lopdf(v));
    }
    out
}

/// Decodes a stream's data with its /Filter and /DecodeParms (already resolved to direct
/// objects by the caller), producing at most `limit` bytes.
pub(crate) fn decode_stream(dict: &Dict, raw: &[u8], limit: usize) -> Result<Vec<u8>, PdfError> {
    let filter = dict.get(b"Filter");
    if filter.is_none() {
        if raw.len() > limit {
            return Err(PdfError::DecompressionLimit { limit });
        }
        return Ok(raw.to_vec());
    }
    // Plain FlateDecode (object and xref streams, most content): inflate with a bound, so a
    // bomb stops at `limit` with a clear error. Anything flate2 cannot read goes to lopdf,
    // which tolerates more damage.
    if let (Some(Object::Name(n)), None) = (filter, dict.get(b"DecodeParms"))
        && n.as_slice() == b"FlateDecode"
    {
        use std::io::Read;
        let mut out = Vec::new();
        let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
        if flate2::read::ZlibDecoder::new(raw)
            .take(cap)
            .read_to_end(&mut out)
            .is_ok()
        {
            if out.len() > limit {
                return Err(PdfError::DecompressionLimit { limit });
            }
            return Ok(out);
        }
    }
    let mut ld = lopdf::Dictionary::new();
    if let Some(f) = filter {
        ld.set("Filter", to_lopdf(f));
    }
    if let Some(p) = dict.get(b"DecodeParms") {
        ld.set("DecodeParms", to_lopdf(p));
    }
    let stream = lopdf::Stream::new(ld, raw.to_vec());
    // lopdf's filters are not written for hostile input; a panic inside them must become an
    // error, never abort the verification of a whole batch.
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        stream.decompressed_content_with_limit(limit)
    }));
    match result {
        Ok(Ok(v)) if v.len() <= limit => Ok(v),
        Ok(Ok(_)) => Err(PdfError::DecompressionLimit { limit }),
        Ok(Err(e)) => Err(PdfError::Filter(FilterError::Decoder(std::sync::Arc::new(
            e,
        )))),
        Err(_) => Err(PdfError::Filter(FilterError::Panicked)),
    }
}
