//! Decree 30/2020 signature appearances (being written; replaced by the full module).

use super::SignError;
use crate::pdf::writer::ObjectWriter;

pub struct PageGeometry {
    pub media_box: [f64; 4],
    pub crop_box: Option<[f64; 4]>,
    pub rotate: i64,
}

pub enum Appearance {
    Person { png: Vec<u8>, rect: [f64; 4] },
}

pub struct BuiltAppearance {
    pub rect: [f64; 4],
    pub normal: u32,
}

pub fn build(
    _app: &Appearance,
    _page: &PageGeometry,
    _signing_time: &str,
    _w: &mut ObjectWriter,
) -> Result<BuiltAppearance, SignError> {
    Err(SignError::Appearance(
        "appearances are not available yet".to_string(),
    ))
}
