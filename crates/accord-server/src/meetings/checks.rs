//! The checks of what a client sends about channels, meetings and statements: each fails
//! with 422 naming the field.

use accord_store::{ChannelRow, PartyRow};

use super::{LIST_MAX, NAME_MAX, Participant};
use crate::AppState;
use crate::error::{ApiError, ApiResult};

/// Fails with 422 on `field` unless `text` is non-blank and at most `max` characters.
pub(crate) fn check_text(field: &str, text: &str, max: usize) -> ApiResult<()> {
    if text.trim().is_empty() {
        return Err(ApiError::invalid(field, "must not be empty"));
    }
    check_length(field, text, max)
}

/// Fails with 422 on `field` if `text` is over `max` characters.
pub(crate) fn check_length(field: &str, text: &str, max: usize) -> ApiResult<()> {
    if text.chars().count() > max {
        return Err(ApiError::invalid(
            field,
            format!("at most {max} characters"),
        ));
    }
    Ok(())
}

/// Whether `date` is a real calendar date written `YYYY-MM-DD` (years 0001 to 9999).
pub(crate) fn is_date(date: &str) -> bool {
    let bytes = date.as_bytes();
    let shape = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shape {
        return false;
    }
    let number = |range: std::ops::Range<usize>| date[range].parse::<u32>().unwrap_or(0);
    let (year, month, day) = (number(0..4), number(5..7), number(8..10));
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    year >= 1 && (1..=days).contains(&day)
}

/// Whether `time` is a time of day written `HH:MM`, 00:00 to 23:59.
pub(crate) fn is_time(time: &str) -> bool {
    let bytes = time.as_bytes();
    if bytes.len() != 5 || bytes[2] != b':' {
        return false;
    }
    let digits = |a: u8, b: u8| {
        (a.is_ascii_digit() && b.is_ascii_digit()).then(|| (a - b'0') * 10 + (b - b'0'))
    };
    match (digits(bytes[0], bytes[1]), digits(bytes[3], bytes[4])) {
        (Some(hour), Some(minute)) => hour < 24 && minute < 60,
        _ => false,
    }
}

/// Fails with 422 on `field` unless `date` is a real date written `YYYY-MM-DD`.
pub(crate) fn check_date(field: &str, date: &str) -> ApiResult<()> {
    if is_date(date) {
        Ok(())
    } else {
        Err(ApiError::invalid(
            field,
            format!("`{date}` is not a date written YYYY-MM-DD"),
        ))
    }
}

/// The time as stored: empty for none, else checked `HH:MM` (422 on `field`).
pub(crate) fn checked_time(field: &str, time: Option<&str>) -> ApiResult<String> {
    let time = time.unwrap_or_default().trim();
    if time.is_empty() || is_time(time) {
        Ok(time.to_string())
    } else {
        Err(ApiError::invalid(
            field,
            format!("`{time}` is not a time written HH:MM (00:00 to 23:59)"),
        ))
    }
}

/// Fails with 422 on `field` unless `party` is a party of the case.
pub(crate) fn check_party(field: &str, party: &str, parties: &[PartyRow]) -> ApiResult<()> {
    if parties.iter().any(|p| p.party_id == party) {
        Ok(())
    } else {
        Err(ApiError::invalid(
            field,
            format!("no party `{party}` in the case"),
        ))
    }
}

/// A channel's parties: each a party of the case, none twice (422 on `parties[i]`).
pub(crate) fn check_channel_parties(list: &[String], parties: &[PartyRow]) -> ApiResult<()> {
    for (i, party) in list.iter().enumerate() {
        let field = format!("parties[{i}]");
        check_party(&field, party, parties)?;
        if list[..i].contains(party) {
            return Err(ApiError::invalid(
                field,
                format!("party `{party}` is listed twice"),
            ));
        }
    }
    Ok(())
}

/// A meeting's participants: at most [`LIST_MAX`], each of a party of the case, with a
/// name and a title of at most [`NAME_MAX`] characters.
pub(crate) fn check_participants(list: &[Participant], parties: &[PartyRow]) -> ApiResult<()> {
    if list.len() > LIST_MAX {
        return Err(ApiError::invalid(
            "participants",
            format!("at most {LIST_MAX} participants"),
        ));
    }
    for (i, participant) in list.iter().enumerate() {
        check_party(
            &format!("participants[{i}].party"),
            &participant.party,
            parties,
        )?;
        check_text(
            &format!("participants[{i}].name"),
            &participant.name,
            NAME_MAX,
        )?;
        check_length(
            &format!("participants[{i}].title"),
            &participant.title,
            NAME_MAX,
        )?;
    }
    Ok(())
}

/// The drafts tabled at a meeting: at most [`LIST_MAX`], each a version of the case,
/// none twice.
pub(crate) async fn check_tabled(state: &AppState, case_id: &str, list: &[i64]) -> ApiResult<()> {
    if list.len() > LIST_MAX {
        return Err(ApiError::invalid(
            "tabled",
            format!("at most {LIST_MAX} drafts"),
        ));
    }
    for (i, version) in list.iter().enumerate() {
        let field = format!("tabled[{i}]");
        if state.store.draft(case_id, *version).await?.is_none() {
            return Err(ApiError::invalid(
                field,
                format!("no draft version {version} in the case"),
            ));
        }
        if list[..i].contains(version) {
            return Err(ApiError::invalid(
                field,
                format!("draft version {version} is listed twice"),
            ));
        }
    }
    Ok(())
}

/// A channel of the case, or 422 on `field`.
pub(crate) async fn channel_of(
    state: &AppState,
    case_id: &str,
    field: &str,
    channel_id: &str,
) -> ApiResult<ChannelRow> {
    state
        .store
        .channel(case_id, channel_id)
        .await?
        .ok_or_else(|| ApiError::invalid(field, format!("no channel `{channel_id}` in the case")))
}
