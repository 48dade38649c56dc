//! The document lifecycle as an explicit state machine.
//!
//! ```text
//! received ──claim──▶ extracting ──▶ validating ──▶ approved ──export──▶ exported
//!     ▲                   │                │    └──▶ in_review ──▶ approved | rejected
//!     └──lease expired────┘                │
//!                         └──▶ failed ◀────┘  (with an error code and message)
//! ```
//!
//! Every move is checked here before the repository writes it, and every
//! move is recorded with its time and actor, so a document's history can be
//! shown. A lease that runs out sends a document from `extracting` or
//! `validating` back to `received` (recorded, actor `system`), so a killed
//! worker's documents are picked up again.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Where a document stands. Stored in the database as [`DocumentState::as_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum DocumentState {
    Received,
    Extracting,
    Validating,
    Approved,
    InReview,
    Rejected,
    Exported,
    Failed,
}

impl DocumentState {
    /// Every state, in lifecycle order (for status tables).
    pub const ALL: [DocumentState; 8] = [
        DocumentState::Received,
        DocumentState::Extracting,
        DocumentState::Validating,
        DocumentState::Approved,
        DocumentState::InReview,
        DocumentState::Rejected,
        DocumentState::Exported,
        DocumentState::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DocumentState::Received => "received",
            DocumentState::Extracting => "extracting",
            DocumentState::Validating => "validating",
            DocumentState::Approved => "approved",
            DocumentState::InReview => "in_review",
            DocumentState::Rejected => "rejected",
            DocumentState::Exported => "exported",
            DocumentState::Failed => "failed",
        }
    }

    /// A state a worker holds under a lease; it must not stay there.
    pub fn is_leased(self) -> bool {
        matches!(self, DocumentState::Extracting | DocumentState::Validating)
    }

    /// A state no worker will move the document out of by itself.
    pub fn is_settled(self) -> bool {
        !matches!(
            self,
            DocumentState::Received | DocumentState::Extracting | DocumentState::Validating
        )
    }

    /// Whether the lifecycle allows moving from `self` to `next`.
    pub fn can_move_to(self, next: DocumentState) -> bool {
        use DocumentState::*;
        matches!(
            (self, next),
            (Received, Extracting)
                | (Extracting, Validating)
                | (Extracting, Failed)
                | (Extracting, Received)
                | (Validating, Approved)
                | (Validating, InReview)
                | (Validating, Failed)
                | (Validating, Received)
                | (InReview, Approved)
                | (InReview, Rejected)
                | (Approved, Exported)
        )
    }
}

impl fmt::Display for DocumentState {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// A state name that is not one of the lifecycle's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown document state {0:?}; expected one of received, extracting, validating, approved, in_review, rejected, exported, failed")]
pub struct UnknownState(pub String);

impl FromStr for DocumentState {
    type Err = UnknownState;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        DocumentState::ALL
            .into_iter()
            .find(|state| state.as_str() == text)
            .ok_or_else(|| UnknownState(text.to_string()))
    }
}

/// A move the lifecycle forbids.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a document cannot move from {from} to {to}")]
pub struct ForbiddenTransition {
    pub from: DocumentState,
    pub to: DocumentState,
}

/// Checks a move against the lifecycle.
pub fn check_transition(from: DocumentState, to: DocumentState) -> Result<(), ForbiddenTransition> {
    if from.can_move_to(to) { Ok(()) } else { Err(ForbiddenTransition { from, to }) }
}

/// Who made a move: a worker process, a person, or tramite itself (lease
/// expiry, export).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    Worker(String),
    User(String),
    System,
}

impl fmt::Display for Actor {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::Worker(worker_id) => write!(formatter, "worker:{worker_id}"),
            Actor::User(user_name) => write!(formatter, "user:{user_name}"),
            Actor::System => formatter.write_str("system"),
        }
    }
}

/// The review queues exceptions are routed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum ReviewQueue {
    /// Missing, unreadable or doubtful fields: a keyer checks them.
    DataEntry,
    /// Amounts that do not add up, duplicates, payment details.
    Billing,
    /// Identity documents: check digits, expiry, visual zone vs MRZ.
    Verification,
}

impl ReviewQueue {
    pub const ALL: [ReviewQueue; 3] = [ReviewQueue::DataEntry, ReviewQueue::Billing, ReviewQueue::Verification];

    pub fn as_str(self) -> &'static str {
        match self {
            ReviewQueue::DataEntry => "data_entry",
            ReviewQueue::Billing => "billing",
            ReviewQueue::Verification => "verification",
        }
    }
}

impl FromStr for ReviewQueue {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        ReviewQueue::ALL
            .into_iter()
            .find(|queue| queue.as_str() == text)
            .ok_or_else(|| format!("unknown queue {text:?}; expected data_entry, billing or verification"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DocumentState::*;

    #[test]
    fn the_happy_path_is_allowed_step_by_step() {
        for (from, to) in [(Received, Extracting), (Extracting, Validating), (Validating, Approved), (Approved, Exported)] {
            assert!(check_transition(from, to).is_ok(), "{from} → {to}");
        }
    }

    #[test]
    fn review_ends_in_approval_or_rejection() {
        assert!(Validating.can_move_to(InReview));
        assert!(InReview.can_move_to(Approved));
        assert!(InReview.can_move_to(Rejected));
        assert!(!InReview.can_move_to(Exported));
    }

    #[test]
    fn a_document_cannot_be_exported_twice_or_skip_approval() {
        assert!(!Exported.can_move_to(Exported));
        assert!(!Validating.can_move_to(Exported));
        assert!(!Received.can_move_to(Approved));
        assert!(!Rejected.can_move_to(Approved));
    }

    #[test]
    fn failure_is_only_reached_while_a_worker_holds_the_document_and_is_final() {
        for state in DocumentState::ALL {
            assert_eq!(state.can_move_to(Failed), state.is_leased(), "{state}");
            assert!(!Failed.can_move_to(state), "failed → {state}");
        }
    }

    #[test]
    fn an_expired_lease_returns_a_leased_document_to_received() {
        assert!(Extracting.can_move_to(Received));
        assert!(Validating.can_move_to(Received));
        assert!(!Approved.can_move_to(Received));
    }

    #[test]
    fn state_names_round_trip_through_text() {
        for state in DocumentState::ALL {
            assert_eq!(state.as_str().parse::<DocumentState>().unwrap(), state);
        }
        assert!("done".parse::<DocumentState>().is_err());
    }

    #[test]
    fn forbidden_transition_says_both_states() {
        let error = check_transition(Received, Exported).unwrap_err();
        assert_eq!(error.to_string(), "a document cannot move from received to exported");
    }
}
