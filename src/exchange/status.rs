//! Processing statuses and the state machine that orders them (REFERENCE.md §4).
//!
//! Two things are kept apart, as AS4 and the national axis SDK do:
//! - **transport acknowledgement** ([`TransportAck`]): a hop took the envelope (`done`) or could
//!   not (`fail`); it says nothing about what the recipient did with it;
//! - **processing status** ([`ProcessingStatus`]): the recipient's business state, sent back to
//!   the sender as an edXML status message.
//!
//! ```text
//! 01 arrived (software received, clerk not yet) · 02 rejected (reason in Description)
//! 03 accepted / registered · 04 assigned · 05 in progress · 06 done
//! 13 sender asks to take back or update · 14/15 request agreed (SDKs disagree on the number)
//! 16 request refused
//! ```
//!
//! [`ProcessingState::apply`] is the whole state machine; both stores call it inside their
//! transaction, so a status can never be recorded against a state it was not checked against.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// A processing status code: the `StatusCode` of an edXML status message
/// ([`super::edxml::Status::status_code`]) and the state the engine's state machine tracks. One
/// type for both, so what is read from an envelope is what the engine orders. These are
/// processing statuses; the transport acknowledgement of a hop ([`TransportAck`]) is not carried
/// in edXML.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum ProcessingStatus {
    /// `01` arrived: the recipient's software received it, no clerk has yet.
    Arrived,
    /// `02` rejected (the reason goes in `Description`). Final.
    Rejected,
    /// `03` accepted / registered.
    Accepted,
    /// `04` assigned to someone.
    Assigned,
    /// `05` in progress.
    InProgress,
    /// `06` done.
    Done,
    /// `13` the sender asks to take the document back or to update / replace it.
    TakeBackRequested,
    /// `14` the request is agreed (numbering used by some SDKs).
    RequestAgreed14,
    /// `15` the request is agreed (numbering used by other SDKs).
    RequestAgreed15,
    /// `16` the request is refused.
    RequestRefused,
}

impl ProcessingStatus {
    /// All codes, in numeric order.
    pub const ALL: [ProcessingStatus; 10] = [
        ProcessingStatus::Arrived,
        ProcessingStatus::Rejected,
        ProcessingStatus::Accepted,
        ProcessingStatus::Assigned,
        ProcessingStatus::InProgress,
        ProcessingStatus::Done,
        ProcessingStatus::TakeBackRequested,
        ProcessingStatus::RequestAgreed14,
        ProcessingStatus::RequestAgreed15,
        ProcessingStatus::RequestRefused,
    ];

    /// The two-digit code.
    pub fn code(self) -> &'static str {
        match self {
            ProcessingStatus::Arrived => "01",
            ProcessingStatus::Rejected => "02",
            ProcessingStatus::Accepted => "03",
            ProcessingStatus::Assigned => "04",
            ProcessingStatus::InProgress => "05",
            ProcessingStatus::Done => "06",
            ProcessingStatus::TakeBackRequested => "13",
            ProcessingStatus::RequestAgreed14 => "14",
            ProcessingStatus::RequestAgreed15 => "15",
            ProcessingStatus::RequestRefused => "16",
        }
    }

    /// Reads `01`…`16` (a missing leading zero is accepted, as some SDKs write `1`).
    pub fn parse(s: &str) -> Option<ProcessingStatus> {
        let s = s.trim();
        if s.is_empty() || s.len() > 2 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n: u8 = s.parse().ok()?;
        ProcessingStatus::ALL
            .into_iter()
            .find(|c| c.code().parse::<u8>().ok() == Some(n))
    }

    /// `14` or `15`.
    pub fn is_request_agreed(self) -> bool {
        matches!(
            self,
            ProcessingStatus::RequestAgreed14 | ProcessingStatus::RequestAgreed15
        )
    }

    /// Whether the sender (not the recipient) emits this status: only `13`.
    pub fn is_from_sender(self) -> bool {
        self == ProcessingStatus::TakeBackRequested
    }
}

impl fmt::Display for ProcessingStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A string that is not a status code.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("not a processing status code: {found:?}")]
pub struct BadStatusCode {
    /// The text read, cut to 8 characters.
    pub found: String,
}

impl TryFrom<String> for ProcessingStatus {
    type Error = BadStatusCode;
    fn try_from(s: String) -> Result<Self, BadStatusCode> {
        ProcessingStatus::parse(&s).ok_or_else(|| BadStatusCode {
            found: s.chars().take(8).collect(),
        })
    }
}

impl From<ProcessingStatus> for String {
    fn from(s: ProcessingStatus) -> String {
        s.code().to_owned()
    }
}

/// Transport acknowledgement of one hop (`updateStatus` `done` / `fail` in the axis SDK).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransportAck {
    /// The hop took the envelope.
    Done,
    /// The hop could not take it; the delivery stays where it was and is retried.
    Fail,
}

impl TransportAck {
    /// The SDK's word: `done` or `fail`.
    pub fn as_str(self) -> &'static str {
        match self {
            TransportAck::Done => "done",
            TransportAck::Fail => "fail",
        }
    }

    /// Reads `done` or `fail` (exactly, lower case); `None` for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "done" => Some(TransportAck::Done),
            "fail" => Some(TransportAck::Fail),
            _ => None,
        }
    }
}

/// The processing state of one document at one recipient.
///
/// `last` is the latest of 01–06 (or 02); a take-back/update request (13) is tracked beside it
/// because it does not replace the business state: a refused request (16) leaves the document
/// where it was.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ProcessingState {
    /// Latest business status, `None` before the first one.
    pub last: Option<ProcessingStatus>,
    /// A `13` is waiting for its answer.
    pub request_pending: bool,
    /// A `13` was agreed (`14`/`15`): the document is taken back or superseded. Final.
    pub withdrawn: bool,
}

/// What applying a status did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transition {
    /// The state changed to this.
    Changed(ProcessingState),
    /// The status repeats the current one (a redelivered status message): nothing to record.
    Repeat,
}

/// Why a status is refused in the current state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum IllegalTransition {
    /// The document was rejected (02): nothing may follow.
    #[error("status {to} after 02 (rejected): the document is closed")]
    AfterRejected {
        /// The status refused.
        to: ProcessingStatus,
    },
    /// The document was taken back or superseded (14/15 agreed): nothing may follow.
    #[error("status {to} after the take-back request was agreed")]
    AfterWithdrawn {
        /// The status refused.
        to: ProcessingStatus,
    },
    /// The status may not follow the current business status (`None`: no status yet).
    #[error("status {to} may not follow {}", from.map_or("no status", |s| s.code()))]
    OutOfOrder {
        /// The current business status ([`ProcessingState::last`]).
        from: Option<ProcessingStatus>,
        /// The status refused.
        to: ProcessingStatus,
    },
    /// 14, 15 or 16 without an open 13.
    #[error("answer {to} without a pending 13 request")]
    NoPendingRequest {
        /// The status refused.
        to: ProcessingStatus,
    },
    /// A second 13 while one is open.
    #[error("13 while another request is pending")]
    RequestAlreadyPending,
}

impl ProcessingState {
    /// The state machine. Rules:
    /// - nothing after `02` or after an agreed request (`14`/`15`);
    /// - `01` first; `02` and `03` from no status or `01`; `04` after `03`/`04`; `05` after
    ///   `03`–`05`; `06` after `03`–`05` (so `06` before `03` is refused);
    /// - `13` at any time (also after `06`: a processed document can still be revoked), one at
    ///   a time; `14`/`15`/`16` only answer an open `13`;
    /// - repeating the current status is a [`Transition::Repeat`] (idempotent redelivery), not
    ///   an error.
    pub fn apply(self, to: ProcessingStatus) -> Result<Transition, IllegalTransition> {
        use ProcessingStatus as S;
        if self.withdrawn {
            return Err(IllegalTransition::AfterWithdrawn { to });
        }
        if self.last == Some(S::Rejected) {
            return if to == S::Rejected {
                Ok(Transition::Repeat)
            } else {
                Err(IllegalTransition::AfterRejected { to })
            };
        }
        let mut next = self;
        match to {
            S::TakeBackRequested => {
                if self.request_pending {
                    return Err(IllegalTransition::RequestAlreadyPending);
                }
                next.request_pending = true;
            }
            S::RequestAgreed14 | S::RequestAgreed15 | S::RequestRefused => {
                if !self.request_pending {
                    return Err(IllegalTransition::NoPendingRequest { to });
                }
                next.request_pending = false;
                next.withdrawn = to.is_request_agreed();
            }
            _ => {
                if self.last == Some(to) && !matches!(to, S::Assigned | S::InProgress) {
                    return Ok(Transition::Repeat);
                }
                let allowed = match to {
                    S::Arrived => self.last.is_none(),
                    S::Rejected | S::Accepted => matches!(self.last, None | Some(S::Arrived)),
                    S::Assigned => matches!(self.last, Some(S::Accepted | S::Assigned)),
                    S::InProgress | S::Done => {
                        matches!(self.last, Some(S::Accepted | S::Assigned | S::InProgress))
                    }
                    _ => false,
                };
                if !allowed {
                    return Err(IllegalTransition::OutOfOrder {
                        from: self.last,
                        to,
                    });
                }
                next.last = Some(to);
            }
        }
        Ok(Transition::Changed(next))
    }

    /// Whether the document still waits for processing: not done, not rejected, not withdrawn.
    pub fn is_open(&self) -> bool {
        !self.withdrawn
            && !matches!(
                self.last,
                Some(ProcessingStatus::Done | ProcessingStatus::Rejected)
            )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ProcessingStatus as S;

    fn run(codes: &[S]) -> Result<ProcessingState, IllegalTransition> {
        let mut st = ProcessingState::default();
        for &c in codes {
            if let Transition::Changed(n) = st.apply(c)? {
                st = n;
            }
        }
        Ok(st)
    }

    #[test]
    fn codes_round_trip() {
        for c in S::ALL {
            assert_eq!(S::parse(c.code()), Some(c));
        }
        assert_eq!(S::parse("1"), Some(S::Arrived));
        assert_eq!(S::parse("07"), None);
        assert_eq!(S::parse(""), None);
    }

    #[test]
    fn normal_flow() {
        let st = run(&[S::Arrived, S::Accepted, S::Assigned, S::InProgress, S::Done]).unwrap();
        assert_eq!(st.last, Some(S::Done));
        assert!(!st.is_open());
    }

    #[test]
    fn done_before_accepted_is_refused() {
        assert_eq!(
            run(&[S::Arrived, S::Done]),
            Err(IllegalTransition::OutOfOrder {
                from: Some(S::Arrived),
                to: S::Done
            })
        );
    }

    #[test]
    fn nothing_after_rejected() {
        for c in S::ALL {
            let r = run(&[S::Arrived, S::Rejected, c]);
            if c == S::Rejected {
                assert!(r.is_ok());
            } else {
                assert_eq!(r, Err(IllegalTransition::AfterRejected { to: c }));
            }
        }
    }

    #[test]
    fn request_answers() {
        let st = run(&[
            S::Arrived,
            S::Accepted,
            S::TakeBackRequested,
            S::RequestRefused,
        ])
        .unwrap();
        assert_eq!(st.last, Some(S::Accepted));
        assert!(!st.request_pending);
        let st = run(&[S::Arrived, S::TakeBackRequested, S::RequestAgreed14]).unwrap();
        assert!(st.withdrawn);
        assert!(run(&[S::Arrived, S::RequestAgreed15]).is_err());
        assert_eq!(
            run(&[S::TakeBackRequested, S::TakeBackRequested]),
            Err(IllegalTransition::RequestAlreadyPending)
        );
    }
}
