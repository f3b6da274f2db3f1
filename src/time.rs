//! Instants and calendar dates, one representation of each.
//!
//! * An instant is a [`Timestamp`] (`jiff::Timestamp`), whole seconds wherever this crate
//!   makes one. Its `Display` (and its serde form, which is the same text) is RFC 3339 in UTC,
//!   `2026-11-26T02:15:30Z`, for every instant in years 0000..=9999.
//! * A calendar date is a [`Date`], a thin newtype over `jiff::civil::Date` (see its docs for
//!   why it is not the bare jiff type).
//! * Vietnam is one fixed offset, [`VIETNAM`] (UTC+7, no daylight saving): no time-zone
//!   database is involved.
//!
//! Text becomes a time here, at the edge (RFC 3339 from the CLI and edXML, PDF dates, ASN.1
//! times through the crate's DER reader), and is never formatted to be parsed again. The
//! readers keep the leniency they have always had (see [`parse_rfc3339_timestamp`] and
//! [`parse_pdf_timestamp`]); calendar arithmetic itself is jiff's.
//!
//! Validation never reads the clock: the caller passes the validation time in.

use std::fmt;
use std::str::FromStr;

pub use jiff::Timestamp;
use jiff::civil;
use jiff::tz::Offset;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Vietnam's offset from UTC (`Asia/Ho_Chi_Minh`: UTC+7 all year).
pub const VIETNAM: Offset = Offset::constant(7);

/// Unix seconds for a UTC calendar time read from text, or `None` when a field is out of
/// range.
///
/// The ranges are the readers' historical ones, kept exactly: year 1..=9999, month 1..=12,
/// day 1..=31 in every month, hour 0..=23, minute 0..=59, second 0..=60. A day past the end of
/// its month runs on into the next month (`2026-02-31` is 2026-03-03) and second 60 runs into
/// the next minute, which is what linear day and second counts give; jiff fixes the first of
/// the month and the time of day, the rest is addition.
///
/// The result is `i64` rather than a [`Timestamp`] so that the instants in the last hours of
/// year 9999, past [`Timestamp::MAX`] (9999-12-30T22:00:00Z), still have a value for the
/// transitional `i64` readers.
pub(crate) fn unix_from_fields(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64) -> Option<i64> {
    if !(1..=9999).contains(&y)
        || !(1..=12).contains(&mo)
        || !(1..=31).contains(&d)
        || !(0..=23).contains(&h)
        || !(0..=59).contains(&mi)
        || !(0..=60).contains(&s)
    {
        return None;
    }
    let first = civil::Date::new(i16::try_from(y).ok()?, i8::try_from(mo).ok()?, 1)
        .ok()?
        .at(i8::try_from(h).ok()?, i8::try_from(mi).ok()?, 0, 0);
    let base = first.duration_since(UNIX_EPOCH_CIVIL).as_secs();
    Some(base + (d - 1) * 86_400 + s)
}

/// 1970-01-01T00:00:00, the civil time of the Unix epoch in UTC.
const UNIX_EPOCH_CIVIL: civil::DateTime = civil::DateTime::constant(1970, 1, 1, 0, 0, 0, 0);

/// A [`Timestamp`] for Unix seconds, or `None` outside jiff's range (years -9999..=9999,
/// ending at 9999-12-30T22:00:00Z).
pub fn timestamp(unix: i64) -> Option<Timestamp> {
    Timestamp::from_second(unix).ok()
}

/// A [`Timestamp`] for Unix seconds, clamped to jiff's range: for bounds that are only
/// compared, such as a certificate's notAfter of `99991231235959Z` (RFC 5280's "no
/// well-defined expiration", past [`Timestamp::MAX`]), where clamping keeps every comparison
/// with an instant in range as it was and refusing would lose the certificate.
///
/// Whole seconds, like every instant the crate makes: the clamp is the last whole second in
/// range.
pub fn saturating_timestamp(unix: i64) -> Timestamp {
    let bound = if unix < 0 {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    };
    Timestamp::from_second(unix)
        .or_else(|_| Timestamp::from_second(bound.as_second()))
        .unwrap_or(bound)
}

/// The current time, whole seconds, for callers (the CLI, the exchange engine's system clock)
/// that want "now". Validation itself never calls it.
///
/// Truncated to the second so that reports show `2026-11-26T02:15:30Z`, as they always have,
/// never a fraction.
pub fn now() -> Timestamp {
    let t = Timestamp::now();
    Timestamp::from_second(t.as_second()).unwrap_or(t)
}

/// The calendar date in Vietnam at `t`.
pub fn vietnam_date(t: Timestamp) -> Option<Date> {
    Date::from_civil(VIETNAM.to_datetime(t).date())
}

/// The civil time in Vietnam at `t`.
pub fn vietnam_datetime(t: Timestamp) -> civil::DateTime {
    VIETNAM.to_datetime(t)
}

/// `2026-11-26T09:15:30+07:00`: ISO 8601 in Vietnam time, as Decree 30 stamps show it.
pub fn vietnam_iso(t: Timestamp) -> String {
    let dt = vietnam_datetime(t);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+07:00",
        dt.year(),
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    )
}

// ---------------------------------------------------------------------------------------------
// Readers
// ---------------------------------------------------------------------------------------------

/// RFC 3339 (`2026-11-26T09:15:30+07:00`, `...Z`) to Unix seconds, through the one reader.
///
/// Accepted: `YYYY-MM-DD`, then `T`, `t` or a space, `hh:mm:ss`, optional fractional digits
/// (ignored: the instant is truncated to the second), then `Z`, `z` or `±hh:mm`. Fields are
/// range-checked as [`unix_from_fields`] describes.
fn read_rfc3339(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    if !matches!(b.get(10), Some(b'T' | b't' | b' ')) {
        return None;
    }
    let n = |r: std::ops::Range<usize>| s.get(r).and_then(|v| v.parse::<i64>().ok());
    let t = unix_from_fields(
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

/// A PDF date (ISO 32000-1 §7.9.4, `D:YYYYMMDDHHmmSSOHH'mm'`, later parts optional) to Unix
/// seconds, through the one reader.
///
/// Accepted: an optional `D:`, at least four digits (missing month and day are 1, missing
/// time fields 0), then optionally `+`/`-` with hours and minutes (`HH'mm'` or `HHmm`, either
/// missing counts as 0); anything else after the digits (`Z`, `'`, garbage) means UTC.
fn read_pdf_date(raw: &[u8]) -> Option<i64> {
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
    let t = unix_from_fields(
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

/// Parses RFC 3339 (`2026-11-26T09:15:30+07:00`, `...Z`, fractional seconds ignored) for the
/// CLI's `--at` and `--time` and for edXML fields. `None` when malformed or out of the
/// [`Timestamp`] range.
pub fn parse_rfc3339_timestamp(s: &str) -> Option<Timestamp> {
    timestamp(read_rfc3339(s)?)
}

/// Parses a PDF date (`D:YYYYMMDDHHmmSSOHH'mm'`, later parts optional). `None` when malformed
/// or out of the [`Timestamp`] range.
pub fn parse_pdf_timestamp(raw: &[u8]) -> Option<Timestamp> {
    timestamp(read_pdf_date(raw)?)
}

// ---------------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------------

/// A calendar date (proleptic Gregorian) in years 1..=9999, written `YYYY-MM-DD`. The
/// directory's validity dates, due dates and ledger dates are dates in Vietnam, without a time
/// of day.
///
/// A thin newtype over `jiff::civil::Date` (use [`Date::civil`] for jiff's arithmetic) rather
/// than the bare type, because it carries two promises jiff's type does not make: the text
/// form, strict `YYYY-MM-DD` also through serde (jiff's reader also takes `20260701`,
/// `+002026-07-01` and a date with a time of day, which the directory and the stores have
/// always rejected), and the range 1..=9999 (jiff's starts at year -9999).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Date(civil::Date);

/// Why a string is not a [`Date`].
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[error("date {found:?} is not a valid YYYY-MM-DD")]
pub struct DateError {
    /// The text, cut to 16 characters.
    pub found: String,
}

impl Date {
    /// A date, if it exists (years 1..=9999).
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        if !(1..=9999).contains(&year) {
            return None;
        }
        civil::Date::new(
            i16::try_from(year).ok()?,
            i8::try_from(month).ok()?,
            i8::try_from(day).ok()?,
        )
        .ok()
        .map(Date)
    }

    /// The jiff date, if it is in years 1..=9999.
    pub fn from_civil(d: civil::Date) -> Option<Date> {
        (1..=9999).contains(&d.year()).then_some(Date(d))
    }

    /// The jiff date, for calendar arithmetic.
    pub fn civil(self) -> civil::Date {
        self.0
    }

    /// The date at Unix time `secs` in the time zone `utc_offset_secs` east of UTC (Vietnam:
    /// `7 * 3600`). For callers that pass "today" in; nothing here reads the clock.
    pub fn from_unix(secs: i64, utc_offset_secs: i32) -> Option<Date> {
        let days = secs
            .checked_add(i64::from(utc_offset_secs))?
            .div_euclid(86_400);
        let d = civil::Date::constant(1970, 1, 1)
            .checked_add(jiff::Span::new().try_days(days).ok()?)
            .ok()?;
        Date::from_civil(d)
    }

    /// The last day of this date's month.
    pub fn last_of_month(self) -> Date {
        Date(self.0.last_of_month())
    }

    /// The year, 1..=9999.
    pub fn year(&self) -> u16 {
        u16::try_from(self.0.year()).unwrap_or(0)
    }
    /// The month, 1..=12.
    pub fn month(&self) -> u8 {
        u8::try_from(self.0.month()).unwrap_or(0)
    }
    /// The day of the month, 1..=31.
    pub fn day(&self) -> u8 {
        u8::try_from(self.0.day()).unwrap_or(0)
    }
}

impl fmt::Debug for Date {
    /// As the field-by-field struct this used to be, so that debug output stays as it was.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Date")
            .field("year", &self.year())
            .field("month", &self.month())
            .field("day", &self.day())
            .finish()
    }
}

impl FromStr for Date {
    type Err = DateError;
    /// Strict `YYYY-MM-DD`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || DateError {
            found: s.chars().take(16).collect(),
        };
        let b = s.as_bytes();
        if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
            return Err(bad());
        }
        let num = |r: std::ops::Range<usize>| -> Option<u16> {
            let part = s.get(r)?;
            part.bytes()
                .all(|c| c.is_ascii_digit())
                .then(|| part.parse().ok())?
        };
        let (y, m, d) = (num(0..4), num(5..7), num(8..10));
        match (
            y,
            m.and_then(|m| u8::try_from(m).ok()),
            d.and_then(|d| u8::try_from(d).ok()),
        ) {
            (Some(y), Some(m), Some(d)) => Date::new(y, m, d).ok_or_else(bad),
            _ => Err(bad()),
        }
    }
}

impl TryFrom<String> for Date {
    type Error = DateError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Date> for String {
    fn from(d: Date) -> String {
        d.to_string()
    }
}

impl From<Date> for civil::Date {
    fn from(d: Date) -> civil::Date {
        d.0
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}",
            self.year(),
            self.month(),
            self.day()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The RFC 3339 writer the reports used before they carried a `Timestamp`: the reference
    /// the `Display` of `Timestamp` is held against.
    /// Seconds in 400 Gregorian years (146 097 days): the calendar repeats with this period.
    const GREGORIAN_CYCLE_SECS: i64 = 146_097 * 86_400;

    fn to_rfc3339(t: i64) -> String {
        // Shift by whole 400-year cycles into 1970..2370, where jiff's civil time is exact,
        // then put the cycles back on the year.
        let cycles = t.div_euclid(GREGORIAN_CYCLE_SECS);
        let within = t.rem_euclid(GREGORIAN_CYCLE_SECS);
        let dt = UNIX_EPOCH_CIVIL
            .checked_add(jiff::SignedDuration::from_secs(within))
            .unwrap_or(UNIX_EPOCH_CIVIL);
        let y = i64::from(dt.year()) + cycles * 400;
        format!(
            "{y:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            dt.month(),
            dt.day(),
            dt.hour(),
            dt.minute(),
            dt.second()
        )
    }

    #[test]
    fn round_trip() {
        let t = read_rfc3339("2026-11-26T09:15:30+07:00").unwrap();
        assert_eq!(to_rfc3339(t), "2026-11-26T02:15:30Z");
        assert_eq!(read_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(read_rfc3339("2026-13-01T00:00:00Z"), None);
        let ts = parse_rfc3339_timestamp("2026-11-26T09:15:30+07:00").unwrap();
        assert_eq!(ts.as_second(), t);
        assert_eq!(ts.to_string(), "2026-11-26T02:15:30Z");
    }

    #[test]
    fn pdf_dates() {
        assert_eq!(
            read_pdf_date(b"D:20260101000000Z"),
            read_rfc3339("2026-01-01T00:00:00Z")
        );
        assert_eq!(
            read_pdf_date(b"D:20261126091530+07'00'"),
            read_rfc3339("2026-11-26T09:15:30+07:00")
        );
        assert_eq!(
            read_pdf_date(b"D:2026"),
            read_rfc3339("2026-01-01T00:00:00Z")
        );
        assert_eq!(read_pdf_date(b"garbage"), None);
        assert_eq!(
            parse_pdf_timestamp(b"D:20261126091530+07'00'"),
            parse_rfc3339_timestamp("2026-11-26T09:15:30+07:00")
        );
        assert_eq!(parse_pdf_timestamp(b"garbage"), None);
    }

    /// The readers' historical leniency, pinned: a day past the month's end and second 60 run
    /// on; the transitional readers keep the last hours of year 9999, past `Timestamp::MAX`,
    /// which the `Timestamp` readers refuse.
    #[test]
    fn historical_field_ranges() {
        let at = |s: &str| read_rfc3339(s).unwrap();
        assert_eq!(at("2026-02-31T00:00:00Z"), at("2026-03-03T00:00:00Z"));
        assert_eq!(at("2024-02-31T00:00:00Z"), at("2024-03-02T00:00:00Z"));
        assert_eq!(at("2026-04-31T00:00:00Z"), at("2026-05-01T00:00:00Z"));
        assert_eq!(at("2026-12-31T23:59:60Z"), at("2027-01-01T00:00:00Z"));
        assert_eq!(read_rfc3339("2026-02-32T00:00:00Z"), None);
        assert_eq!(read_rfc3339("2026-02-01T24:00:00Z"), None);
        assert_eq!(read_rfc3339("2026-02-01T00:60:00Z"), None);
        assert_eq!(read_rfc3339("2026-02-01T00:00:61Z"), None);
        assert_eq!(read_rfc3339("0000-12-31T00:00:00Z"), None);
        assert_eq!(
            read_rfc3339("2026-11-26T09:15:30.999+07:00"),
            Some(at("2026-11-26T02:15:30Z"))
        );
        assert_eq!(read_rfc3339("0001-01-01T00:00:00Z"), Some(-62_135_596_800));
        assert_eq!(read_rfc3339("9999-12-31T23:59:59Z"), Some(253_402_300_799));
        assert_eq!(parse_rfc3339_timestamp("9999-12-31T23:59:59Z"), None);
        assert_eq!(
            parse_rfc3339_timestamp("9999-12-30T22:00:00Z"),
            Some(Timestamp::from_second(253_402_207_200).unwrap())
        );
        assert_eq!(read_pdf_date(b"D:99991231235959"), Some(253_402_300_799));
        assert_eq!(parse_pdf_timestamp(b"D:99991231235959"), None);
        assert_eq!(
            read_pdf_date(b"D:20260231"),
            read_rfc3339("2026-03-03T00:00:00Z")
        );
        assert_eq!(
            read_pdf_date(b"D:2026023"),
            read_rfc3339("2026-02-01T00:00:00Z")
        );
    }

    /// `Timestamp`'s `Display` is the RFC 3339 text reports have always carried, for whole
    /// seconds in years 0000..=9999: before the epoch, far in the future, at the ends of
    /// jiff's range. (Years below 0000 differ: jiff writes `-000001-…`, the old text `-001-…`;
    /// no reader here makes one.)
    #[test]
    fn timestamp_display_is_the_rfc3339_text() {
        let year0 = -62_167_219_200; // 0000-01-01T00:00:00Z
        let max = Timestamp::MAX.as_second();
        let mut t = year0;
        while t <= max {
            let ts = Timestamp::from_second(t).unwrap();
            assert_eq!(ts.to_string(), to_rfc3339(t), "t = {t}");
            assert_eq!(
                serde_json::to_string(&ts).unwrap(),
                format!("\"{}\"", to_rfc3339(t))
            );
            t += 86_400 * 37 + 3_671;
        }
        for t in [
            0,
            1,
            59,
            86_399,
            -1,
            year0,
            max,
            1_764_115_200,
            4_102_444_800,
        ] {
            let ts = Timestamp::from_second(t).unwrap();
            assert_eq!(ts.to_string(), to_rfc3339(t), "t = {t}");
        }
        assert_eq!(to_rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(to_rfc3339(-1), "1969-12-31T23:59:59Z");
        assert_eq!(to_rfc3339(year0), "0000-01-01T00:00:00Z");
        assert_eq!(to_rfc3339(1_795_651_200), "2026-11-26T00:00:00Z");
        assert_eq!(to_rfc3339(253_402_300_799), "9999-12-31T23:59:59Z");
        assert_eq!(to_rfc3339(253_402_300_800), "10000-01-01T00:00:00Z");
        assert_eq!(to_rfc3339(year0 - 1), "-001-12-31T23:59:59Z");
        assert_eq!(
            Timestamp::from_second(1_795_651_200).unwrap().to_string(),
            "2026-11-26T00:00:00Z"
        );
        // A fraction is written when there is one; `now()` truncates so there never is.
        let frac = Timestamp::new(1_795_651_200, 500_000_000).unwrap();
        assert_eq!(frac.to_string(), "2026-11-26T00:00:00.5Z");
        assert_eq!(now().subsec_nanosecond(), 0);
        assert_eq!(
            saturating_timestamp(253_402_300_799).to_string(),
            "9999-12-30T22:00:00Z"
        );
        assert_eq!(saturating_timestamp(i64::MIN), Timestamp::MIN);
        assert_eq!(saturating_timestamp(0), Timestamp::UNIX_EPOCH);
    }

    #[test]
    fn vietnam_dates() {
        assert_eq!(
            Date::from_unix(1_751_302_800, 7 * 3600),
            Date::new(2025, 7, 1)
        );
        assert_eq!(
            Date::from_unix(1_751_302_799, 7 * 3600),
            Date::new(2025, 6, 30)
        );
        assert_eq!(Date::from_unix(0, 0), Date::new(1970, 1, 1));
        assert_eq!(Date::from_unix(-1, 0), Date::new(1969, 12, 31));
        assert_eq!(Date::from_unix(951_782_400, 0), Date::new(2000, 2, 29));
        let t = Timestamp::from_second(1_751_302_800).unwrap();
        assert_eq!(vietnam_date(t), Date::new(2025, 7, 1));
        assert_eq!(vietnam_iso(t), "2025-07-01T00:00:00+07:00");
        assert_eq!(
            Date::new(2024, 2, 29).map(|d| d.to_string()).as_deref(),
            Some("2024-02-29")
        );
        assert_eq!(Date::new(2025, 2, 29), None);
        assert_eq!(Date::new(0, 1, 1), None);
        assert_eq!(
            format!("{:?}", Date::new(2025, 7, 1).unwrap()),
            "Date { year: 2025, month: 7, day: 1 }"
        );
    }
}
