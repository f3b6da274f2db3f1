//! Reporting periods: a calendar month, quarter or year.
//!
//! A period is a span of [`Date`]s (the crate's one date type, [`crate::time::Date`]), not a
//! date of its own: its bounds and membership are computed on dates.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::time::Date;

/// A calendar period, written `2026` (year), `2026-Q3` (quarter) or `2026-07` (month).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Period {
    /// A calendar year, 1..=9999.
    Year(u16),
    /// Quarter 1..=4.
    Quarter(u16, u8),
    /// Month 1..=12.
    Month(u16, u8),
}

/// Why a string is not a period.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[error("period {found:?} is not YYYY, YYYY-Qn (n = 1..4) or YYYY-MM")]
pub struct PeriodError {
    /// What was found.
    pub found: String,
}

impl Period {
    /// A year, if it is in 1..=9999 (the range of [`Date`]).
    pub fn year(year: u16) -> Option<Period> {
        (1..=9999).contains(&year).then_some(Period::Year(year))
    }

    /// A quarter, if the year is in range and the quarter is 1..=4.
    pub fn quarter(year: u16, quarter: u8) -> Option<Period> {
        ((1..=9999).contains(&year) && (1..=4).contains(&quarter))
            .then_some(Period::Quarter(year, quarter))
    }

    /// A month, if the year is in range and the month is 1..=12.
    pub fn month(year: u16, month: u8) -> Option<Period> {
        ((1..=9999).contains(&year) && (1..=12).contains(&month))
            .then_some(Period::Month(year, month))
    }

    /// The calendar year the period lies in.
    pub fn calendar_year(&self) -> u16 {
        match *self {
            Period::Year(y) | Period::Quarter(y, _) | Period::Month(y, _) => y,
        }
    }

    /// First and last month (1..=12) of the period.
    fn months(&self) -> (u8, u8) {
        match *self {
            Period::Year(_) => (1, 12),
            Period::Quarter(_, q) => {
                let first = q.saturating_sub(1).saturating_mul(3).saturating_add(1);
                (first, first.saturating_add(2))
            }
            Period::Month(_, m) => (m, m),
        }
    }

    /// Whether `date` falls in the period.
    pub fn contains(&self, date: Date) -> bool {
        let (first, last) = self.months();
        date.year() == self.calendar_year() && (first..=last).contains(&date.month())
    }

    /// First day of the period (`None` only for a period built by hand out of range).
    pub fn first_day(&self) -> Option<Date> {
        Date::new(self.calendar_year(), self.months().0, 1)
    }

    /// Last day of the period.
    pub fn last_day(&self) -> Option<Date> {
        Date::new(self.calendar_year(), self.months().1, 1).map(Date::last_of_month)
    }

    /// The same period one year earlier (`None` before year 2).
    pub fn previous_year(&self) -> Option<Period> {
        let y = self.calendar_year().checked_sub(1)?;
        match *self {
            Period::Year(_) => Period::year(y),
            Period::Quarter(_, q) => Period::quarter(y, q),
            Period::Month(_, m) => Period::month(y, m),
        }
    }
}

impl FromStr for Period {
    type Err = PeriodError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || PeriodError {
            found: s.chars().take(16).collect(),
        };
        let digits = |t: &str| -> Option<u16> {
            (!t.is_empty() && t.len() <= 4 && t.bytes().all(|b| b.is_ascii_digit()))
                .then(|| t.parse().ok())
                .flatten()
        };
        let (year, rest) = match s.split_once('-') {
            Some((y, r)) => (y, Some(r)),
            None => (s, None),
        };
        if year.len() != 4 {
            return Err(bad());
        }
        let y = digits(year).ok_or_else(bad)?;
        let p = match rest {
            None => Period::year(y),
            Some(r) => match r.strip_prefix('Q').or_else(|| r.strip_prefix('q')) {
                Some(q) if q.len() == 1 => digits(q)
                    .and_then(|q| u8::try_from(q).ok())
                    .and_then(|q| Period::quarter(y, q)),
                Some(_) => None,
                None if r.len() == 2 => digits(r)
                    .and_then(|m| u8::try_from(m).ok())
                    .and_then(|m| Period::month(y, m)),
                None => None,
            },
        };
        p.ok_or_else(bad)
    }
}

impl TryFrom<String> for Period {
    type Error = PeriodError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Period> for String {
    fn from(p: Period) -> String {
        p.to_string()
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Period::Year(y) => write!(f, "{y:04}"),
            Period::Quarter(y, q) => write!(f, "{y:04}-Q{q}"),
            Period::Month(y, m) => write!(f, "{y:04}-{m:02}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_display() {
        for (s, p) in [
            ("2026", Period::Year(2026)),
            ("2026-Q3", Period::Quarter(2026, 3)),
            ("2026-07", Period::Month(2026, 7)),
            ("2026-12", Period::Month(2026, 12)),
        ] {
            assert_eq!(s.parse::<Period>().unwrap(), p);
            assert_eq!(p.to_string(), s);
        }
        assert_eq!(
            "2026-q1".parse::<Period>().unwrap(),
            Period::Quarter(2026, 1)
        );
        for bad in [
            "",
            "26",
            "2026-",
            "2026-Q5",
            "2026-Q0",
            "2026-13",
            "2026-00",
            "2026-7",
            "0000",
            "2026-Q12",
            "+026",
            "2026-07-01",
            "2026-Q",
            " 2026",
        ] {
            assert!(bad.parse::<Period>().is_err(), "{bad}");
        }
    }

    #[test]
    fn bounds() {
        let q3 = Period::Quarter(2026, 3);
        assert_eq!(q3.first_day(), Date::new(2026, 7, 1));
        assert_eq!(q3.last_day(), Date::new(2026, 9, 30));
        assert_eq!(Period::Month(2024, 2).last_day(), Date::new(2024, 2, 29));
        assert_eq!(Period::Year(2025).last_day(), Date::new(2025, 12, 31));
        assert!(q3.contains(Date::new(2026, 7, 1).unwrap()));
        assert!(!q3.contains(Date::new(2026, 6, 30).unwrap()));
        assert!(!q3.contains(Date::new(2026, 10, 1).unwrap()));
        assert_eq!(q3.previous_year(), Some(Period::Quarter(2025, 3)));
    }
}
