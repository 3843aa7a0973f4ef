//! Pages: the mediator's account management.
//!
//! `GET /accounts` lists every account (username, role, case and party by name, active or
//! disabled) with a form for a new one; `GET /accounts/{account}` shows one account with
//! its actions: reset the password, sign out everywhere, disable or re-enable, change the
//! role. Every action is a plain form calling the functions the API calls
//! (`auth::create_account`, `auth::update_account`, `auth::revoke_sessions`), so it is
//! checked and audited exactly as through the API. A generated password is shown once, on
//! the page answering the form, and never again. A form the API refuses (a taken username,
//! a short password, a mediator disabling their own account) comes back with a notice
//! naming the field and the API's 4xx status; anyone but a mediator gets the 403 page of
//! the other mediator pages.

use askama::Template;
use axum::Router;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;

use accord_store::{Account, CaseRow, PartyRow, Role};

use super::{Layout, Page, error_page, form_error, render, see_other, segment, when};
use crate::AppState;
use crate::auth::{self, AccountChange, NewAccount};
use crate::error::{ApiError, ApiResult};

/// The account pages.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/accounts", get(accounts_page).post(create))
        .route("/accounts/{account}", get(account_page))
        .route("/accounts/{account}/password", post(reset_password))
        .route("/accounts/{account}/revoke", post(revoke))
        .route("/accounts/{account}/disable", post(disable))
        .route("/accounts/{account}/enable", post(enable))
        .route("/accounts/{account}/role", post(change_role))
}

/// The roles a form offers: value and words, in the order shown.
const ROLES: [(&str, &str); 3] = [
    ("mediator", "Mediator"),
    ("party", "Party member"),
    ("observer", "Observer"),
];

/// The page of an account.
fn account_href(account_id: &str) -> String {
    format!("/accounts/{}", segment(account_id))
}

/// A role in words.
fn role_words(role: Role) -> &'static str {
    ROLES
        .iter()
        .find(|(value, _)| *value == role.as_str())
        .map_or("", |(_, words)| words)
}

/// The case and party of a party select's value `CASE/PARTY` (case ids hold no `/`); the
/// empty value chooses none.
fn case_and_party(value: &str) -> (Option<String>, Option<String>) {
    if value.is_empty() {
        return (None, None);
    }
    match value.split_once('/') {
        Some((case, party)) => (
            Some(case.to_string()),
            Some(party.to_string()).filter(|p| !p.is_empty()),
        ),
        None => (Some(value.to_string()), None),
    }
}

/// The case and party a form sends for `role`: a party select left as it is while another
/// role is chosen is not an error, it is not asked for.
fn chosen_party(role: &str, party: &str) -> (Option<String>, Option<String>) {
    if role == Role::Party.as_str() {
        case_and_party(party)
    } else {
        (None, None)
    }
}

// ---------------------------------------------------------------------------------------
// Cases and parties by name.

/// The cases with their parties: names for the list, choices for the party select.
struct Directory {
    cases: Vec<(CaseRow, Vec<PartyRow>)>,
}

impl Directory {
    async fn load(state: &AppState) -> ApiResult<Self> {
        let mut cases = Vec::new();
        for case in state.store.cases().await? {
            let parties = state.store.parties(&case.id).await?;
            cases.push((case, parties));
        }
        Ok(Self { cases })
    }

    /// A case's name, with when it was opened if another case has the same name.
    fn case_label(&self, case: &CaseRow) -> String {
        let namesakes = self.cases.iter().filter(|(c, _)| c.name == case.name);
        if namesakes.count() > 1 {
            format!("{} (opened {})", case.name, when(case.created_ms))
        } else {
            case.name.clone()
        }
    }

    /// The names of an account's case and party (their ids where they are gone; `–` for
    /// none).
    fn names(&self, account: &Account) -> (String, String) {
        let Some(case_id) = &account.case_id else {
            return ("–".to_string(), "–".to_string());
        };
        let found = self.cases.iter().find(|(c, _)| &c.id == case_id);
        let case = found.map_or_else(|| case_id.clone(), |(c, _)| self.case_label(c));
        let party = match &account.party_id {
            None => "–".to_string(),
            Some(party_id) => found
                .and_then(|(_, parties)| parties.iter().find(|p| &p.party_id == party_id))
                .map_or_else(|| party_id.clone(), |p| p.name.clone()),
        };
        (case, party)
    }

    /// The negotiating parties of every case, a group per case; `selected` is the value
    /// (`CASE/PARTY`) chosen.
    fn groups(&self, selected: &str) -> Vec<PartyGroup> {
        self.cases
            .iter()
            .filter_map(|(case, parties)| {
                let options: Vec<PartyChoice> = parties
                    .iter()
                    .filter(|p| p.role == Role::Party.as_str())
                    .map(|p| {
                        let value = format!("{}/{}", case.id, p.party_id);
                        PartyChoice {
                            selected: value == selected,
                            value,
                            name: p.name.clone(),
                        }
                    })
                    .collect();
                (!options.is_empty()).then(|| PartyGroup {
                    label: self.case_label(case),
                    options,
                })
            })
            .collect()
    }
}

// ---------------------------------------------------------------------------------------
// What the templates show.

/// An account as the pages show it.
struct AccountItem {
    href: String,
    username: String,
    /// The role in words.
    role: &'static str,
    /// The case's name, `–` for none.
    case: String,
    /// The party's name, `–` for none.
    party: String,
    active: bool,
    /// Whether it is the account logged in.
    own: bool,
    created: String,
}

impl AccountItem {
    fn new(account: &Account, directory: &Directory, page: &Page) -> Self {
        let (case, party) = directory.names(account);
        Self {
            href: account_href(&account.id),
            username: account.username.clone(),
            role: role_words(account.role),
            case,
            party,
            active: account.active,
            own: account.id == page.0.account.id,
            created: when(account.created_ms),
        }
    }
}

/// A choice of the role select.
struct RoleChoice {
    value: &'static str,
    label: &'static str,
    selected: bool,
}

fn role_choices(selected: &str) -> Vec<RoleChoice> {
    ROLES
        .iter()
        .map(|&(value, label)| RoleChoice {
            value,
            label,
            selected: value == selected,
        })
        .collect()
}

/// The negotiating parties of one case in the party select.
struct PartyGroup {
    label: String,
    options: Vec<PartyChoice>,
}

/// A choice of the party select: `CASE/PARTY` and the party's name.
struct PartyChoice {
    value: String,
    name: String,
    selected: bool,
}

/// A form's field as the API names it, its label, and the id of its input.
type FieldInput = (&'static str, &'static str, &'static str);

/// The fields of the new-account form.
const NEW_FIELDS: [FieldInput; 5] = [
    ("username", "Username", "new-username"),
    ("role", "Role", "new-role"),
    ("case", "Case and party", "new-party"),
    ("party", "Case and party", "new-party"),
    ("password", "Password", "new-password"),
];

/// The fields of the password form.
const PASSWORD_FIELDS: [FieldInput; 2] = [
    ("password", "New password", "reset-password"),
    ("confirm", "Confirmation", "confirm-reset"),
];

/// The fields of the disable form.
const DISABLE_FIELDS: [FieldInput; 1] = [("confirm", "Confirmation", "confirm-disable")];

/// The fields of the role form.
const ROLE_FIELDS: [FieldInput; 3] = [
    ("role", "Role", "role"),
    ("case", "Case and party", "party"),
    ("party", "Case and party", "party"),
];

/// A refusal shown above a form: the field at fault with its label, and the message.
struct Refusal {
    /// The field's label on the form (empty when the refusal names no field of it).
    label: &'static str,
    /// The field as the API names it.
    field: String,
    /// The id of the input at fault (empty for none).
    input: &'static str,
    message: String,
}

impl Refusal {
    fn new(error: &ApiError, fields: &[FieldInput]) -> Self {
        let field = error.field().unwrap_or_default();
        let (label, input) = fields
            .iter()
            .find(|(name, _, _)| *name == field)
            .map_or(("", ""), |&(_, label, input)| (label, input));
        Self {
            label,
            field: field.to_string(),
            input,
            message: super::prose(error.message()),
        }
    }
}

/// Whether an error is the answer to what a form holds (shown on the form), rather than
/// to who sent it or to the server (shown as an error page).
fn is_refusal(error: &ApiError) -> bool {
    matches!(
        error.status(),
        StatusCode::CONFLICT | StatusCode::UNPROCESSABLE_ENTITY
    )
}

/// Fails with 422 naming the field `confirm` unless the confirmation box was ticked.
fn confirmed(confirm: &str) -> ApiResult<()> {
    if confirm == "yes" {
        Ok(())
    } else {
        Err(ApiError::invalid(
            "confirm",
            "tick the box to confirm, then press the button again",
        ))
    }
}

// ---------------------------------------------------------------------------------------
// The list and the new-account form.

/// What the new-account form held, shown again after a refusal (never the password).
#[derive(Debug, Clone, Default, Deserialize)]
struct NewAccountForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    role: String,
    /// `CASE/PARTY`, or empty.
    #[serde(default)]
    party: String,
    #[serde(default)]
    password: String,
}

#[derive(Template)]
#[template(path = "accounts.html")]
struct AccountsPage {
    layout: Layout,
    accounts: Vec<AccountItem>,
    username: String,
    roles: Vec<RoleChoice>,
    groups: Vec<PartyGroup>,
    refusal: Option<Refusal>,
    /// The id of the input at fault, or empty.
    invalid: &'static str,
}

/// `GET /accounts` (mediator only).
async fn accounts_page(State(state): State<AppState>, page: Page) -> Response {
    match list_page(&state, &page, &NewAccountForm::default(), None).await {
        Ok(list) => render(StatusCode::OK, &list),
        Err(error) => error_page(&error),
    }
}

/// The list with the new-account form, holding `form` and the refusal of it, if any.
async fn list_page(
    state: &AppState,
    page: &Page,
    form: &NewAccountForm,
    refusal: Option<Refusal>,
) -> ApiResult<AccountsPage> {
    let accounts = auth::every_account(state, &page.0).await?;
    let directory = Directory::load(state).await?;
    let role = if form.role.is_empty() {
        Role::Party.as_str()
    } else {
        form.role.as_str()
    };
    Ok(AccountsPage {
        layout: Layout::new("Accounts", page),
        accounts: accounts
            .iter()
            .map(|a| AccountItem::new(a, &directory, page))
            .collect(),
        username: form.username.clone(),
        roles: role_choices(role),
        groups: directory.groups(&form.party),
        invalid: refusal.as_ref().map_or("", |r| r.input),
        refusal,
    })
}

#[derive(Template)]
#[template(path = "account_password.html")]
struct PasswordPage {
    layout: Layout,
    heading: String,
    summary: String,
    username: String,
    password: String,
    href: String,
}

/// `POST /accounts` (mediator only): creates the account. A generated password is shown
/// on the page answering (201); with a typed one, 303 to the account's page.
async fn create(
    State(state): State<AppState>,
    page: Page,
    form: Result<Form<NewAccountForm>, FormRejection>,
) -> Response {
    let Form(mut form) = match form {
        Ok(form) => form,
        Err(rejection) => return error_page(&form_error(&rejection)),
    };
    if let Err(error) = page.0.require_mediator() {
        return error_page(&error);
    }
    form.username = form.username.trim().to_string();
    let (case, party) = chosen_party(&form.role, &form.party);
    let request = NewAccount {
        username: form.username.clone(),
        role: form.role.clone(),
        case,
        party,
        password: Some(form.password.clone()).filter(|p| !p.is_empty()),
    };
    match auth::create_account(&state, Some(&page.0), request).await {
        Ok(created) => {
            let href = account_href(&created.account.id);
            let Some(password) = created.password else {
                return see_other(&format!("{href}?done=created"));
            };
            let username = created.account.username;
            let shown = PasswordPage {
                layout: Layout::new(format!("Account {username} created"), &page),
                heading: format!("Account {username} created"),
                summary: format!(
                    "The account {username} is created and active, with the password below."
                ),
                username,
                password,
                href,
            };
            render(StatusCode::CREATED, &shown)
        }
        Err(error) if is_refusal(&error) => {
            let refusal = Refusal::new(&error, &NEW_FIELDS);
            match list_page(&state, &page, &form, Some(refusal)).await {
                Ok(list) => render(error.status(), &list),
                Err(error) => error_page(&error),
            }
        }
        Err(error) => error_page(&error),
    }
}

// ---------------------------------------------------------------------------------------
// One account and its actions.

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    layout: Layout,
    account: AccountItem,
    roles: Vec<RoleChoice>,
    groups: Vec<PartyGroup>,
    refusal: Option<Refusal>,
    /// The id of the input at fault, or empty.
    invalid: &'static str,
}

/// What an action did, for the notice of the page it leads to (`?done=`).
#[derive(Debug, Default, Deserialize)]
struct DoneQuery {
    done: Option<String>,
}

/// The notice of `?done=WHAT`.
fn done_notice(done: &str) -> Option<String> {
    let text = match done {
        "created" => "The account is created; it logs in with the password you typed.",
        "password" => "The password is changed, and every session of the account has ended.",
        "revoked" => {
            "Every session of the account has ended; it can log in again with its password."
        }
        "disabled" => {
            "The account is disabled: it cannot log in, and every session of it has ended."
        }
        "enabled" => "The account is enabled: it can log in again.",
        "role" => "The role is changed; it applies from the account's next request.",
        _ => return None,
    };
    Some(text.to_string())
}

/// `GET /accounts/{account}` (mediator only).
async fn account_page(
    State(state): State<AppState>,
    page: Page,
    Path(account_id): Path<String>,
    query: Result<Query<DoneQuery>, QueryRejection>,
) -> Response {
    let notice = query
        .ok()
        .and_then(|Query(q)| q.done)
        .and_then(|done| done_notice(&done));
    match detail_page(&state, &page, &account_id, notice, None).await {
        Ok(detail) => render(StatusCode::OK, &detail),
        Err(error) => error_page(&error),
    }
}

/// The page of one account, with a notice or a refusal of one of its forms.
async fn detail_page(
    state: &AppState,
    page: &Page,
    account_id: &str,
    notice: Option<String>,
    refusal: Option<Refusal>,
) -> ApiResult<AccountPage> {
    page.0.require_mediator()?;
    let Some(account) = state.store.account(account_id).await? else {
        return Err(ApiError::not_found(format!("account `{account_id}`")));
    };
    let directory = Directory::load(state).await?;
    let selected = match (&account.case_id, &account.party_id) {
        (Some(case), Some(party)) => format!("{case}/{party}"),
        _ => String::new(),
    };
    Ok(AccountPage {
        layout: Layout::new(format!("Account {}", account.username), page).with_notice(notice),
        account: AccountItem::new(&account, &directory, page),
        roles: role_choices(account.role.as_str()),
        groups: directory.groups(&selected),
        invalid: refusal.as_ref().map_or("", |r| r.input),
        refusal,
    })
}

/// The answer to an action on an account: 303 to its page with the notice of `done`, or
/// its page again with the refusal (the API's 4xx), or the error page.
async fn acted(
    state: &AppState,
    page: &Page,
    account_id: &str,
    result: ApiResult<&'static str>,
    fields: &[FieldInput],
) -> Response {
    match result {
        Ok(done) => see_other(&format!("{}?done={done}", account_href(account_id))),
        Err(error) if is_refusal(&error) => {
            let refusal = Refusal::new(&error, fields);
            match detail_page(state, page, account_id, None, Some(refusal)).await {
                Ok(detail) => render(error.status(), &detail),
                Err(error) => error_page(&error),
            }
        }
        Err(error) => error_page(&error),
    }
}

#[derive(Debug, Default, Deserialize)]
struct PasswordForm {
    /// Empty: generate one.
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

/// `POST /accounts/{account}/password` (mediator only): a new password, typed or
/// generated (then shown once on the page answering); every session of the account ends.
async fn reset_password(
    State(state): State<AppState>,
    page: Page,
    Path(account_id): Path<String>,
    form: Result<Form<PasswordForm>, FormRejection>,
) -> Response {
    let Form(form) = match form {
        Ok(form) => form,
        Err(rejection) => return error_page(&form_error(&rejection)),
    };
    let generated = form.password.is_empty().then(auth::generate_password);
    let result = async {
        page.0.require_mediator()?;
        confirmed(&form.confirm)?;
        let change = AccountChange {
            password: Some(generated.clone().unwrap_or(form.password)),
            ..AccountChange::default()
        };
        auth::update_account(&state, &page.0, &account_id, change).await
    }
    .await;
    match (result, generated) {
        (Ok(account), Some(password)) => {
            let username = account.username;
            let shown = PasswordPage {
                layout: Layout::new(format!("New password for {username}"), &page),
                heading: format!("New password for {username}"),
                summary: format!(
                    "The password of {username} is replaced, and every session of it has ended."
                ),
                username,
                password,
                href: account_href(&account.id),
            };
            render(StatusCode::OK, &shown)
        }
        (result, _) => {
            let result = result.map(|_| "password");
            acted(&state, &page, &account_id, result, &PASSWORD_FIELDS).await
        }
    }
}

/// `POST /accounts/{account}/revoke` (mediator only): signs the account out everywhere.
async fn revoke(
    State(state): State<AppState>,
    page: Page,
    Path(account_id): Path<String>,
) -> Response {
    let result = auth::revoke_sessions(&state, &page.0, &account_id)
        .await
        .map(|_| "revoked");
    acted(&state, &page, &account_id, result, &[]).await
}

#[derive(Debug, Default, Deserialize)]
struct ConfirmForm {
    #[serde(default)]
    confirm: String,
}

/// `POST /accounts/{account}/disable` (mediator only, with the box ticked): the account
/// can no longer log in and every session of it ends.
async fn disable(
    State(state): State<AppState>,
    page: Page,
    Path(account_id): Path<String>,
    form: Result<Form<ConfirmForm>, FormRejection>,
) -> Response {
    let Form(form) = match form {
        Ok(form) => form,
        Err(rejection) => return error_page(&form_error(&rejection)),
    };
    let result = async {
        page.0.require_mediator()?;
        confirmed(&form.confirm)?;
        let change = AccountChange {
            active: Some(false),
            ..AccountChange::default()
        };
        auth::update_account(&state, &page.0, &account_id, change).await
    }
    .await
    .map(|_| "disabled");
    acted(&state, &page, &account_id, result, &DISABLE_FIELDS).await
}

/// `POST /accounts/{account}/enable` (mediator only): the account can log in again.
async fn enable(
    State(state): State<AppState>,
    page: Page,
    Path(account_id): Path<String>,
) -> Response {
    let change = AccountChange {
        active: Some(true),
        ..AccountChange::default()
    };
    let result = auth::update_account(&state, &page.0, &account_id, change)
        .await
        .map(|_| "enabled");
    acted(&state, &page, &account_id, result, &[]).await
}

#[derive(Debug, Default, Deserialize)]
struct RoleForm {
    #[serde(default)]
    role: String,
    /// `CASE/PARTY`, or empty.
    #[serde(default)]
    party: String,
}

/// `POST /accounts/{account}/role` (mediator only): another role, or another party.
async fn change_role(
    State(state): State<AppState>,
    page: Page,
    Path(account_id): Path<String>,
    form: Result<Form<RoleForm>, FormRejection>,
) -> Response {
    let Form(form) = match form {
        Ok(form) => form,
        Err(rejection) => return error_page(&form_error(&rejection)),
    };
    let (case, party) = chosen_party(&form.role, &form.party);
    let change = AccountChange {
        role: Some(form.role),
        case,
        party,
        ..AccountChange::default()
    };
    let result = auth::update_account(&state, &page.0, &account_id, change)
        .await
        .map(|_| "role");
    acted(&state, &page, &account_id, result, &ROLE_FIELDS).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(value: &str, expected: (Option<&str>, Option<&str>)) {
        let (case, party) = case_and_party(value);
        assert_eq!((case.as_deref(), party.as_deref()), expected);
    }

    #[test]
    fn party_choices_read_as_case_and_party() {
        check("", (None, None));
        check("0123abc/ukraine", (Some("0123abc"), Some("ukraine")));
        check("0123abc/", (Some("0123abc"), None));
        check("0123abc", (Some("0123abc"), None));
        check("0123abc/a/b", (Some("0123abc"), Some("a/b")));
    }

    #[test]
    fn another_role_ignores_the_party_select() {
        assert_eq!(chosen_party("observer", "0123abc/ukraine"), (None, None));
        assert_eq!(
            chosen_party("party", "0123abc/ukraine"),
            (Some("0123abc".to_string()), Some("ukraine".to_string()))
        );
    }
}
