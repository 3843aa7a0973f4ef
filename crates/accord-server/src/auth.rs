//! Accounts, passwords and sessions: login and logout, the current account, and the
//! mediator's account management: [`create_account`], `update_account` and
//! `revoke_sessions`, which the API and the accounts page (`ui::accounts`) both call.
//!
//! Passwords are hashed with Argon2id. A session token is 32 random bytes, given to the
//! client once; the store keeps only its SHA-256, so a copy of the database grants no
//! session. Tokens are revocable, and the account behind a token is read on every request,
//! so a role change or a deactivation takes effect at once.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use axum::extract::{FromRef, FromRequestParts, Path, State};
use axum::http::StatusCode;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest as _, Sha256};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use accord_store::{Account, AuditEntry, Role, new_id, random_hex};

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::Body;

/// The cookie that carries a session token for browsers.
pub const SESSION_COOKIE: &str = "accord_session";

/// The authenticated account behind a request.
#[derive(Debug, Clone)]
pub struct Viewer {
    /// The account, as stored now.
    pub account: Account,
    /// The SHA-256 of the session token (hex), so that logout can revoke it.
    pub token_hash: String,
}

impl Viewer {
    /// An audit entry for a change this account makes.
    pub(crate) fn audit(
        &self,
        case_id: Option<&str>,
        action: &str,
        subject: impl Into<String>,
        detail: &serde_json::Value,
    ) -> AuditEntry {
        AuditEntry {
            account_id: Some(self.account.id.clone()),
            case_id: case_id.map(str::to_string),
            action: action.to_string(),
            subject: subject.into(),
            detail: detail.to_string(),
        }
    }
}

/// The SHA-256 of a token, as lowercase hex.
pub(crate) fn token_hash(token: &str) -> String {
    accord_store::hex(&Sha256::digest(token.as_bytes()))
}

/// The session token of a request: `Authorization: Bearer TOKEN`, else the session cookie.
fn request_token(parts: &Parts) -> Option<String> {
    if let Some(value) = parts.headers.get(AUTHORIZATION) {
        let value = value.to_str().ok()?;
        return value
            .strip_prefix("Bearer ")
            .map(|token| token.trim().to_string());
    }
    parts
        .headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .find_map(|pair| {
            let (name, token) = pair.trim().split_once('=')?;
            (name == SESSION_COOKIE).then(|| token.to_string())
        })
}

impl<S> FromRequestParts<S> for Viewer
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let Some(token) = request_token(parts) else {
            return Err(ApiError::unauthorized(
                "log in first: send `Authorization: Bearer TOKEN` from POST /api/login",
            ));
        };
        let token_hash = token_hash(&token);
        match state.session_account(&token_hash).await? {
            Some(account) => Ok(Self {
                account,
                token_hash,
            }),
            None => Err(ApiError::unauthorized(
                "the session is unknown, revoked or its account disabled; log in again",
            )),
        }
    }
}

/// Hashes a password with Argon2id and a fresh salt (PHC string).
pub(crate) async fn hash_password(password: String) -> ApiResult<String> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|hash| hash.to_string())
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(ApiError::internal)
}

/// Whether `password` matches a stored hash.
async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .verify_password(password.as_bytes(), hash.as_str())
            .is_ok()
    })
    .await
    .unwrap_or(false)
}

/// A password for a new account: 16 random bytes, hex.
#[must_use]
pub fn generate_password() -> String {
    random_hex(16)
}

// ---------------------------------------------------------------------------------------
// Wire types.

/// An account as the API shows it (never its password hash).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AccountView {
    /// Random id.
    pub id: String,
    /// Login name.
    pub username: String,
    /// `mediator`, `party` or `observer`.
    pub role: String,
    /// A party member's case.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case: Option<String>,
    /// A party member's party.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub party: Option<String>,
    /// Whether it may log in.
    pub active: bool,
}

impl From<&Account> for AccountView {
    fn from(account: &Account) -> Self {
        Self {
            id: account.id.clone(),
            username: account.username.clone(),
            role: account.role.as_str().to_string(),
            case: account.case_id.clone(),
            party: account.party_id.clone(),
            active: account.active,
        }
    }
}

/// Credentials.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Login name.
    pub username: String,
    /// Password.
    pub password: String,
}

/// A new session.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LoginResponse {
    /// The session token: send it as `Authorization: Bearer TOKEN`. Shown only once.
    pub token: String,
    /// The account logged in.
    pub account: AccountView,
}

/// A new account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAccount {
    /// Login name: 1 to 64 of `a-z 0-9 . _ -`.
    pub username: String,
    /// `mediator`, `party` or `observer`.
    pub role: String,
    /// For a party member: the case.
    #[serde(default)]
    pub case: Option<String>,
    /// For a party member: the party within the case.
    #[serde(default)]
    pub party: Option<String>,
    /// At least 8 characters; left out, one is generated and returned once.
    #[serde(default)]
    pub password: Option<String>,
}

/// An account just created, with its password (shown only once).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CreatedAccount {
    /// The account.
    pub account: AccountView,
    /// Its password, when the server generated it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

/// Changes to an account; fields left out stay.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountChange {
    /// New role.
    #[serde(default)]
    pub role: Option<String>,
    /// New case (party members).
    #[serde(default)]
    pub case: Option<String>,
    /// New party (party members).
    #[serde(default)]
    pub party: Option<String>,
    /// Enable or disable; disabling revokes every session.
    #[serde(default)]
    pub active: Option<bool>,
    /// A new password; revokes every session.
    #[serde(default)]
    pub password: Option<String>,
}

/// A password change by the account's owner.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    /// The current password.
    pub current: String,
    /// The new one, at least 8 characters.
    pub new: String,
}

// ---------------------------------------------------------------------------------------
// Validation.

fn check_username(username: &str) -> ApiResult<()> {
    let ok = !username.is_empty()
        && username.len() <= 64
        && username
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid(
            "username",
            format!("`{username}` is not a username: use 1 to 64 of a-z, 0-9, `.`, `_`, `-`"),
        ))
    }
}

fn check_password(field: &str, password: &str) -> ApiResult<()> {
    if password.chars().count() < 8 {
        return Err(ApiError::invalid(
            field,
            "a password needs at least 8 characters",
        ));
    }
    if password.len() > 1024 {
        return Err(ApiError::invalid(
            field,
            "a password has at most 1024 bytes",
        ));
    }
    Ok(())
}

/// Checks a role and, for a party member, that its case and party exist.
async fn check_role(
    state: &AppState,
    role: &str,
    case: Option<&str>,
    party: Option<&str>,
) -> ApiResult<(Role, Option<String>, Option<String>)> {
    let Some(role) = Role::parse(role) else {
        return Err(ApiError::invalid(
            "role",
            format!("`{role}` is not a role: use mediator, party or observer"),
        ));
    };
    if role != Role::Party {
        if case.is_some() || party.is_some() {
            return Err(ApiError::invalid(
                if case.is_some() { "case" } else { "party" },
                "only a party member's account names a case and party",
            ));
        }
        return Ok((role, None, None));
    }
    let Some(case) = case else {
        return Err(ApiError::invalid(
            "case",
            "a party member's account needs its case",
        ));
    };
    let Some(party) = party else {
        return Err(ApiError::invalid(
            "party",
            "a party member's account needs its party",
        ));
    };
    if state.store.case(case).await?.is_none() {
        return Err(ApiError::invalid("case", format!("no case `{case}`")));
    }
    let parties = state.store.parties(case).await?;
    match parties.iter().find(|p| p.party_id == party) {
        Some(p) if p.role == "party" => Ok((role, Some(case.to_string()), Some(party.to_string()))),
        Some(_) => Err(ApiError::invalid(
            "party",
            format!("`{party}` is not a negotiating party of the case"),
        )),
        None => Err(ApiError::invalid(
            "party",
            format!("no party `{party}` in the case"),
        )),
    }
}

/// Creates an account in its own transaction (used by the server's first start too).
pub async fn create_account(
    state: &AppState,
    by: Option<&Viewer>,
    request: NewAccount,
) -> ApiResult<CreatedAccount> {
    check_username(&request.username)?;
    if let Some(password) = &request.password {
        check_password("password", password)?;
    }
    let (role, case_id, party_id) = check_role(
        state,
        &request.role,
        request.case.as_deref(),
        request.party.as_deref(),
    )
    .await?;
    let generated = request.password.is_none().then(generate_password);
    let password = request
        .password
        .or_else(|| generated.clone())
        .unwrap_or_default();
    let account = Account {
        id: new_id(),
        username: request.username,
        password_hash: hash_password(password).await?,
        role,
        case_id,
        party_id,
        active: true,
        created_ms: accord_store::now_ms(),
    };
    let mut tx = state.store.begin().await?;
    tx.insert_account(&account).await.map_err(|error| {
        let error = ApiError::from(error);
        if error.code() == "conflict" {
            error.with_field("username")
        } else {
            error
        }
    })?;
    let detail = json!({ "username": account.username, "role": role.as_str(),
        "case": account.case_id, "party": account.party_id });
    let entry = match by {
        Some(viewer) => viewer.audit(
            account.case_id.as_deref(),
            "account.create",
            format!("account/{}", account.id),
            &detail,
        ),
        None => AuditEntry {
            account_id: None,
            case_id: None,
            action: "account.create".to_string(),
            subject: format!("account/{}", account.id),
            detail: detail.to_string(),
        },
    };
    tx.audit(&entry).await?;
    tx.commit().await?;
    Ok(CreatedAccount {
        account: AccountView::from(&account),
        password: generated,
    })
}

/// Every account, by username (mediator only): the API's list and the accounts page.
pub(crate) async fn every_account(state: &AppState, viewer: &Viewer) -> ApiResult<Vec<Account>> {
    viewer.require_mediator()?;
    Ok(state.store.accounts().await?)
}

/// Changes an account's role, party, password or active flag (mediator only) and audits it
/// as `account.update`; disabling the account or changing its password revokes its
/// sessions. A mediator may not demote or disable their own account (409). The API's
/// `PATCH` and the accounts page both call this.
pub(crate) async fn update_account(
    state: &AppState,
    viewer: &Viewer,
    account_id: &str,
    change: AccountChange,
) -> ApiResult<Account> {
    viewer.require_mediator()?;
    let Some(mut account) = state.store.account(account_id).await? else {
        return Err(ApiError::not_found(format!("account `{account_id}`")));
    };
    let role_changed = change.role.is_some() || change.case.is_some() || change.party.is_some();
    if role_changed {
        let role = change
            .role
            .clone()
            .unwrap_or_else(|| account.role.as_str().to_string());
        let keeps_party = Role::parse(&role) == Some(Role::Party);
        let case = change
            .case
            .clone()
            .or_else(|| account.case_id.clone().filter(|_| keeps_party));
        let party = change
            .party
            .clone()
            .or_else(|| account.party_id.clone().filter(|_| keeps_party));
        let (role, case_id, party_id) =
            check_role(state, &role, case.as_deref(), party.as_deref()).await?;
        account.role = role;
        account.case_id = case_id;
        account.party_id = party_id;
    }
    if account.id == viewer.account.id
        && (account.role != Role::Mediator || change.active == Some(false))
    {
        return Err(ApiError::conflict(
            "a mediator cannot demote or disable their own account; ask another mediator",
        ));
    }
    let mut revoke = false;
    if let Some(password) = change.password {
        check_password("password", &password)?;
        account.password_hash = hash_password(password).await?;
        revoke = true;
    }
    if let Some(active) = change.active {
        account.active = active;
        revoke |= !active;
    }
    let mut tx = state.store.begin().await?;
    tx.update_account(&account).await?;
    if revoke {
        tx.revoke_sessions(&account.id).await?;
    }
    let detail = json!({ "role": account.role.as_str(), "case": account.case_id,
        "party": account.party_id, "active": account.active, "sessions_revoked": revoke });
    tx.audit(&viewer.audit(
        account.case_id.as_deref(),
        "account.update",
        format!("account/{}", account.id),
        &detail,
    ))
    .await?;
    tx.commit().await?;
    state.forget_sessions();
    Ok(account)
}

/// Revokes every session of an account (mediator only) and audits it as `account.revoke`;
/// returns how many were open. The API's revoke route and the accounts page both call
/// this.
pub(crate) async fn revoke_sessions(
    state: &AppState,
    viewer: &Viewer,
    account_id: &str,
) -> ApiResult<u64> {
    viewer.require_mediator()?;
    if state.store.account(account_id).await?.is_none() {
        return Err(ApiError::not_found(format!("account `{account_id}`")));
    }
    let mut tx = state.store.begin().await?;
    let n = tx.revoke_sessions(account_id).await?;
    tx.audit(&viewer.audit(
        None,
        "account.revoke",
        format!("account/{account_id}"),
        &json!({ "sessions": n }),
    ))
    .await?;
    tx.commit().await?;
    state.forget_sessions();
    Ok(n)
}

// ---------------------------------------------------------------------------------------
// Handlers.

/// Logs in: returns a new session token.
#[utoipa::path(post, path = "/api/login", tag = "accounts",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "logged in", body = LoginResponse),
        (status = 401, description = "wrong username or password", body = ErrorBody),
        (status = 429, description = "too many attempts from this address, or failures for this username: `Retry-After` says when to try again", body = ErrorBody),
    ))]
pub(crate) async fn login(
    State(state): State<AppState>,
    Body(request): Body<LoginRequest>,
) -> ApiResult<axum::Json<LoginResponse>> {
    // Failures are throttled per username too, whatever address they come from.
    let throttled = format!("login/{}", request.username.to_lowercase());
    if let Err(wait) = state.login_failures.check(&throttled) {
        return Err(ApiError::too_many_requests(
            format!("too many failed logins for this username; try again in {wait} s"),
            wait,
        ));
    }
    let account = state.store.account_by_username(&request.username).await?;
    // Without an account a hash is still checked, so that timing does not tell which
    // usernames exist.
    let hash = account.as_ref().map_or_else(
        || "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$WWkfyRBlH5G4OcSIJZ4j3LtJmYtDSYj9/lWfu7LHGNE".to_string(),
        |a| a.password_hash.clone(),
    );
    let matches = verify_password(request.password, hash).await;
    let Some(account) = account.filter(|a| matches && a.active) else {
        state.login_failures.fail(&throttled);
        return Err(ApiError::unauthorized("wrong username or password"));
    };
    let token = random_hex(32);
    let mut tx = state.store.begin().await?;
    tx.insert_session(&token_hash(&token), &account.id).await?;
    tx.audit(&AuditEntry {
        account_id: Some(account.id.clone()),
        case_id: None,
        action: "session.login".to_string(),
        subject: format!("account/{}", account.id),
        detail: "{}".to_string(),
    })
    .await?;
    tx.commit().await?;
    Ok(axum::Json(LoginResponse {
        token,
        account: AccountView::from(&account),
    }))
}

/// Logs out: revokes the session of the request.
#[utoipa::path(post, path = "/api/logout", tag = "accounts",
    responses(
        (status = 204, description = "logged out"),
        (status = 401, description = "not logged in", body = ErrorBody),
    ))]
pub(crate) async fn logout(State(state): State<AppState>, viewer: Viewer) -> ApiResult<StatusCode> {
    let mut tx = state.store.begin().await?;
    tx.revoke_session(&viewer.token_hash).await?;
    tx.audit(&viewer.audit(
        None,
        "session.logout",
        format!("account/{}", viewer.account.id),
        &json!({}),
    ))
    .await?;
    tx.commit().await?;
    state.forget_sessions();
    Ok(StatusCode::NO_CONTENT)
}

/// The account logged in.
#[utoipa::path(get, path = "/api/me", tag = "accounts",
    responses(
        (status = 200, description = "the account", body = AccountView),
        (status = 401, description = "not logged in", body = ErrorBody),
    ))]
async fn me(viewer: Viewer) -> axum::Json<AccountView> {
    axum::Json(AccountView::from(&viewer.account))
}

/// Changes the password of the account logged in; every session of the account, this one
/// included, is revoked, so it logs in again with the new password.
#[utoipa::path(put, path = "/api/me/password", tag = "accounts",
    request_body = PasswordChange,
    responses(
        (status = 204, description = "changed"),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 422, description = "wrong current password or too short a new one", body = ErrorBody),
        (status = 429, description = "too many wrong current passwords: `Retry-After` says when to try again", body = ErrorBody),
    ))]
async fn change_password(
    State(state): State<AppState>,
    viewer: Viewer,
    Body(change): Body<PasswordChange>,
) -> ApiResult<StatusCode> {
    check_password("new", &change.new)?;
    let throttled = format!("password/{}", viewer.account.id);
    if let Err(wait) = state.login_failures.check(&throttled) {
        return Err(ApiError::too_many_requests(
            format!("too many wrong current passwords; try again in {wait} s"),
            wait,
        ));
    }
    if !verify_password(change.current, viewer.account.password_hash.clone()).await {
        state.login_failures.fail(&throttled);
        return Err(ApiError::invalid(
            "current",
            "the current password is wrong",
        ));
    }
    let mut account = viewer.account.clone();
    account.password_hash = hash_password(change.new).await?;
    let mut tx = state.store.begin().await?;
    tx.update_account(&account).await?;
    tx.revoke_sessions(&account.id).await?;
    tx.audit(&viewer.audit(
        None,
        "account.password",
        format!("account/{}", account.id),
        &json!({}),
    ))
    .await?;
    tx.commit().await?;
    state.forget_sessions();
    Ok(StatusCode::NO_CONTENT)
}

/// Every account (mediator only).
#[utoipa::path(get, path = "/api/accounts", tag = "accounts",
    responses(
        (status = 200, description = "the accounts", body = Vec<AccountView>),
        (status = 403, description = "not a mediator", body = ErrorBody),
    ))]
async fn list_accounts(
    State(state): State<AppState>,
    viewer: Viewer,
) -> ApiResult<axum::Json<Vec<AccountView>>> {
    let accounts = every_account(&state, &viewer).await?;
    Ok(axum::Json(accounts.iter().map(AccountView::from).collect()))
}

/// Creates an account (mediator only); without a password, one is generated and returned
/// once.
#[utoipa::path(post, path = "/api/accounts", tag = "accounts",
    request_body = NewAccount,
    responses(
        (status = 201, description = "created", body = CreatedAccount),
        (status = 403, description = "not a mediator", body = ErrorBody),
        (status = 409, description = "the username is taken", body = ErrorBody),
        (status = 422, description = "a field is invalid", body = ErrorBody),
    ))]
async fn post_account(
    State(state): State<AppState>,
    viewer: Viewer,
    Body(request): Body<NewAccount>,
) -> ApiResult<(StatusCode, axum::Json<CreatedAccount>)> {
    viewer.require_mediator()?;
    let created = create_account(&state, Some(&viewer), request).await?;
    Ok((StatusCode::CREATED, axum::Json(created)))
}

/// Changes an account's role, party, password or active flag (mediator only). Disabling
/// an account or changing its password revokes its sessions.
#[utoipa::path(patch, path = "/api/accounts/{account}", tag = "accounts",
    params(("account" = String, Path, description = "account id")),
    request_body = AccountChange,
    responses(
        (status = 200, description = "changed", body = AccountView),
        (status = 403, description = "not a mediator", body = ErrorBody),
        (status = 404, description = "no such account", body = ErrorBody),
        (status = 409, description = "a mediator demoting or disabling their own account", body = ErrorBody),
        (status = 422, description = "a field is invalid", body = ErrorBody),
    ))]
async fn patch_account(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(account_id): Path<String>,
    Body(change): Body<AccountChange>,
) -> ApiResult<axum::Json<AccountView>> {
    let account = update_account(&state, &viewer, &account_id, change).await?;
    Ok(axum::Json(AccountView::from(&account)))
}

/// Revokes every session of an account (mediator only).
#[utoipa::path(post, path = "/api/accounts/{account}/revoke", tag = "accounts",
    params(("account" = String, Path, description = "account id")),
    responses(
        (status = 204, description = "revoked"),
        (status = 403, description = "not a mediator", body = ErrorBody),
        (status = 404, description = "no such account", body = ErrorBody),
    ))]
async fn revoke_account(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(account_id): Path<String>,
) -> ApiResult<StatusCode> {
    revoke_sessions(&state, &viewer, &account_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The login route alone, so that the rate limit applies to it and nothing else.
pub(crate) fn login_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(login))
}

/// The other account and session routes.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(change_password))
        .routes(routes!(list_accounts, post_account))
        .routes(routes!(patch_account))
        .routes(routes!(revoke_account))
}
