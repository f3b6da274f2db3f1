//! Calendar arithmetic for certificate, CMS and PDF times, in Unix seconds (UTC).
//!
//! Validation never reads the clock: the caller passes the validation time in.

/// Days from 1970-01-01 to the given proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Unix seconds for a UTC calendar time, or None when a field is out of range.
pub fn unix_from_parts(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64) -> Option<i64> {
    if !(1..=9999).contains(&y)
        || !(1..=12).contains(&mo)
        || !(1..=31).contains(&d)
        || !(0..=23).contains(&h)
        || !(0..=59).contains(&mi)
        || !(0..=60).contains(&s)
    {
        return None;
    }
    Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s)
}

/// RFC 3339 text in UTC (`2026-11-26T02:15:30Z`).
pub fn to_rfc3339(t: i64) -> String {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let (hh, mm, ss) = (secs / 3600, (secs % 3600) / 60, secs % 60);
    // Every report carries a few of these: write the common four-digit years directly
    // instead of through `format!` (a measurable share of verifying a small document).
    if (0..=9999).contains(&y) {
        let mut out = String::with_capacity(20);
        for (v, sep) in [
            (y / 100, None),
            (y % 100, Some('-')),
            (m, Some('-')),
            (d, Some('T')),
            (hh, Some(':')),
            (mm, Some(':')),
            (ss, Some('Z')),
        ] {
            for digit in [v / 10 % 10, v % 10] {
                out.push(
                    u32::try_from(digit)
                        .ok()
                        .and_then(|d| char::from_digit(d, 10))
                        .unwrap_or('0'),
                );
            }
            out.extend(sep);
        }
        return out;
    }
    format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}Z")
}

/// Parses RFC 3339 (`2026-11-26T09:15:30+07:00`, `...Z`, fractional seconds ignored).
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    if !matches!(b.get(10), Some(b'T' | b't' | b' ')) {
        return None;
    }
    let n = |r: std::ops::Range<usize>| s.get(r).and_then(|v| v.parse::<i64>().ok());
    let t = unix_from_parts(
        n(0..4)?,
        n(5..7)?,
        n(8..10)?,
        n(11..13)?,
        n(14..16)?,
        n(17..19)?,
    )?;
    let mut rest = s.get(19..)?;
    if let Some(r) = rest.strip_prefix('.') {
        rest = r.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    let off = match rest {
        "Z" | "z" => 0,
        r if r.len() == 6 && (r.starts_with('+') || r.starts_with('-')) => {
            let sign = if r.starts_with('-') { -1 } else { 1 };
            let oh: i64 = r.get(1..3)?.parse().ok()?;
            let om: i64 = r.get(4..6)?.parse().ok()?;
            sign * (oh * 3600 + om * 60)
        }
        _ => return None,
    };
    Some(t - off)
}

/// Parses a PDF date string (ISO 32000-1 §7.9.4): `D:YYYYMMDDHHmmSSOHH'mm'`, later parts optional.
pub fn parse_pdf_date(raw: &[u8]) -> Option<i64> {
    let s = std::str::from_utf8(raw).ok()?;
    let s = s.strip_prefix("D:").unwrap_or(s);
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits < 4 {
        return None;
    }
    let n = |r: std::ops::Range<usize>, def: i64| -> Option<i64> {
        if r.end <= digits {
            s.get(r)?.parse().ok()
        } else {
            Some(def)
        }
    };
    let t = unix_from_parts(
        n(0..4, 1)?,
        n(4..6, 1)?,
        n(6..8, 1)?,
        n(8..10, 0)?,
        n(10..12, 0)?,
        n(12..14, 0)?,
    )?;
    let rest = s.get(digits..)?;
    let off = match rest.as_bytes().first() {
        Some(b'+') | Some(b'-') => {
            let sign = if rest.starts_with('-') { -1 } else { 1 };
            let oh: i64 = rest.get(1..3).and_then(|v| v.parse().ok()).unwrap_or(0);
            let om: i64 = rest
                .get(4..6)
                .and_then(|v| v.parse().ok())
                .or_else(|| rest.get(3..5).and_then(|v| v.parse().ok()))
                .unwrap_or(0);
            sign * (oh * 3600 + om * 60)
        }
        _ => 0,
    };
    Some(t - off)
}

/// The current time, for callers (the CLI) that want "now". Validation itself never calls it.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let t = parse_rfc3339("2026-11-26T09:15:30+07:00").unwrap();
        assert_eq!(to_rfc3339(t), "2026-11-26T02:15:30Z");
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339("2026-13-01T00:00:00Z"), None);
    }

    #[test]
    fn pdf_dates() {
        assert_eq!(
            parse_pdf_date(b"D:20260101000000Z"),
            parse_rfc3339("2026-01-01T00:00:00Z")
        );
        assert_eq!(
            parse_pdf_date(b"D:20261126091530+07'00'"),
            parse_rfc3339("2026-11-26T09:15:30+07:00")
        );
        assert_eq!(
            parse_pdf_date(b"D:2026"),
            parse_rfc3339("2026-01-01T00:00:00Z")
        );
        assert_eq!(parse_pdf_date(b"garbage"), None);
    }

    #[test]
    fn rfc3339_text_matches_the_general_formatter_at_every_year_width() {
        let general = |t: i64| {
            let (y, m, d) = civil_from_days(t.div_euclid(86_400));
            let secs = t.rem_euclid(86_400);
            format!(
                "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
                secs / 3600,
                (secs % 3600) / 60,
                secs % 60
            )
        };
        let mut t = -62_167_219_200 - 86_400 * 400; // before year 0
        while t < 253_402_300_800 + 86_400 * 400 {
            // past 9999-12-31
            assert_eq!(to_rfc3339(t), general(t), "t = {t}");
            t += 86_400 * 37 + 3_671;
        }
        for t in [0, 1, 59, 86_399, -1, 253_402_300_799, -62_167_219_200] {
            assert_eq!(to_rfc3339(t), general(t), "t = {t}");
        }
        assert_eq!(to_rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(to_rfc3339(253_402_300_799), "9999-12-31T23:59:59Z");
    }
}
