//! Who may see and do what: the one place where authorisation is decided.
//!
//! Every handler asks here before it reads or writes. The rules:
//! - a **mediator** sees and edits everything;
//! - a **party member** sees its own case only (any other case is a 404, so that it
//!   cannot even learn which cases exist), the points and the parties' public facts, its
//!   own position and never another's, drafts once tabled, its own responses and the
//!   others' only once the mediator publishes them, the channels its party takes part in
//!   and their meetings, and an analysis restricted to its own utilities;
//! - an **observer** sees the cases, the parties' public facts, and only what the
//!   mediator has published: drafts, meetings and the responses to a draft;
//! - a statement the mediator marks **confidential** is read by the mediator alone, in
//!   whatever meeting, channel or timeline it appears.

use accord_store::{CaseRow, DraftRow, MeetingRow, Role, StatementRow, Store};

use crate::auth::Viewer;
use crate::error::{ApiError, ApiResult};

/// A viewer's standing in one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// The mediator.
    Mediator,
    /// A member of this party's delegation.
    Member(String),
    /// An observer.
    Observer,
}

impl Viewer {
    /// Fails with 403 unless the account is a mediator's.
    pub fn require_mediator(&self) -> ApiResult<()> {
        if self.account.role == Role::Mediator {
            Ok(())
        } else {
            Err(ApiError::forbidden("only a mediator may do this"))
        }
    }

    /// Whether the account may know that a case exists.
    #[must_use]
    pub fn may_see_case(&self, case_id: &str) -> bool {
        match self.account.role {
            Role::Mediator | Role::Observer => true,
            Role::Party => self.account.case_id.as_deref() == Some(case_id),
        }
    }

    /// The case and the viewer's standing in it; 404 for a case that does not exist or
    /// that the viewer may not know of.
    pub async fn standing(&self, store: &Store, case_id: &str) -> ApiResult<(CaseRow, Standing)> {
        let not_found = || ApiError::not_found(format!("case `{case_id}`"));
        if !self.may_see_case(case_id) {
            return Err(not_found());
        }
        let case = store.case(case_id).await?.ok_or_else(not_found)?;
        let standing = match self.account.role {
            Role::Mediator => Standing::Mediator,
            Role::Observer => Standing::Observer,
            Role::Party => Standing::Member(self.account.party_id.clone().unwrap_or_default()),
        };
        Ok((case, standing))
    }
}

impl Standing {
    /// Whether this is the mediator.
    #[must_use]
    pub fn is_mediator(&self) -> bool {
        *self == Self::Mediator
    }

    /// Fails with 403 unless this is the mediator.
    pub fn require_mediator(&self) -> ApiResult<()> {
        if self.is_mediator() {
            Ok(())
        } else {
            Err(ApiError::forbidden("only a mediator may do this"))
        }
    }

    /// The party whose member this is.
    #[must_use]
    pub fn party(&self) -> Option<&str> {
        match self {
            Self::Member(party) => Some(party),
            _ => None,
        }
    }

    /// Whether the points (their options and ranges) may be read: not by observers, who
    /// see the text only through published drafts.
    #[must_use]
    pub fn may_read_points(&self) -> bool {
        !matches!(self, Self::Observer)
    }

    /// Whether a party's position may be read, or written: the mediator's and the party's
    /// own only.
    #[must_use]
    pub fn may_access_position(&self, party_id: &str) -> bool {
        match self {
            Self::Mediator => true,
            Self::Member(own) => own == party_id,
            Self::Observer => false,
        }
    }

    /// Fails with 403 unless the position of `party_id` may be read or written.
    pub fn require_position(&self, party_id: &str) -> ApiResult<()> {
        if self.may_access_position(party_id) {
            Ok(())
        } else {
            Err(ApiError::forbidden(
                "a position is seen only by its own party and the mediator",
            ))
        }
    }

    /// Whether a draft version may be read: the mediator every one, parties the tabled
    /// ones, observers the published ones.
    #[must_use]
    pub fn may_read_draft(&self, draft: &DraftRow) -> bool {
        match self {
            Self::Mediator => true,
            Self::Member(_) => draft.tabled_ms.is_some() || draft.published_ms.is_some(),
            Self::Observer => draft.published_ms.is_some(),
        }
    }

    /// Whether a party may answer a draft: its own members, once the draft is tabled.
    pub fn require_respond(&self, draft: &DraftRow, party_id: &str) -> ApiResult<()> {
        if self.party() != Some(party_id) {
            return Err(ApiError::forbidden(
                "only a member of the party may answer for it",
            ));
        }
        if draft.tabled_ms.is_none() {
            return Err(ApiError::conflict(format!(
                "draft {} is not tabled, so it takes no responses",
                draft.version
            )));
        }
        Ok(())
    }

    /// Whether one party's response to a draft may be read: the mediator's and the
    /// party's own, and everyone's who may read the draft once the mediator publishes the
    /// responses.
    #[must_use]
    pub fn may_read_response(&self, draft: &DraftRow, party_id: &str) -> bool {
        match self {
            Self::Mediator => true,
            Self::Member(own) if own == party_id => true,
            _ => draft.responses_published_ms.is_some() && self.may_read_draft(draft),
        }
    }

    /// Whether the tally of the responses to a draft may be read: the mediator's, and
    /// everyone's who may read the draft once the responses are published.
    #[must_use]
    pub fn may_read_tally(&self, draft: &DraftRow) -> bool {
        self.is_mediator() || (draft.responses_published_ms.is_some() && self.may_read_draft(draft))
    }

    /// Whether a channel may be seen: by the mediator, by the parties taking part, and by
    /// observers (its name, not its unpublished meetings).
    #[must_use]
    pub fn may_read_channel(&self, channel_parties: &[String]) -> bool {
        match self {
            Self::Mediator | Self::Observer => true,
            Self::Member(own) => channel_parties.iter().any(|p| p == own),
        }
    }

    /// Whether a meeting may be read: the mediator every one, parties those of their
    /// channels, observers the published ones.
    #[must_use]
    pub fn may_read_meeting(&self, meeting: &MeetingRow, channel_parties: &[String]) -> bool {
        match self {
            Self::Mediator => true,
            Self::Member(_) => self.may_read_channel(channel_parties),
            Self::Observer => meeting.published_ms.is_some(),
        }
    }

    /// Whether a statement of a meeting the viewer may read may be read too: a
    /// confidential one by the mediator only.
    #[must_use]
    pub fn may_read_statement(&self, statement: &StatementRow) -> bool {
        self.is_mediator() || !statement.confidential
    }

    /// What analysis the viewer gets: the mediator all of it, a party its own utilities
    /// only, an observer none.
    #[must_use]
    pub fn analysis_scope(&self) -> AnalysisScope {
        match self {
            Self::Mediator => AnalysisScope::Full,
            Self::Member(party) => AnalysisScope::Own(party.clone()),
            Self::Observer => AnalysisScope::None,
        }
    }

    /// Whether the audit log may be read: the mediator's only (it would tell a party when
    /// another changed its position).
    #[must_use]
    pub fn may_read_audit(&self) -> bool {
        self.is_mediator()
    }
}

/// How much of the analysis a viewer may receive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnalysisScope {
    /// Everything: frontier, bargaining packages, blockers, trades.
    Full,
    /// This party's own utilities, red lines and reservation value, nothing derived from
    /// another party's position.
    Own(String),
    /// Nothing.
    None,
}
