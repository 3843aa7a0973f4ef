//! The mediator's account pages: the list with case and party names, creating an account
//! (a generated password shown once), resetting a password, disabling and re-enabling,
//! signing out everywhere, the notices on a refused form, the audit records, and the
//! refusal of every other role.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};

use accord_formats::case_file::CaseFormat;
use accord_server::{ImportInput, import_case};

use common::App;

// A page's answer: status, `Location` (for redirects) and the HTML.
use common::PageReply as Html;

/// Sends a page request with the session cookie; `form` is sent url-encoded.
async fn send(
    app: &App,
    method: Method,
    path: &str,
    token: Option<&str>,
    form: Option<&[(&str, &str)]>,
) -> Html {
    app.page(method, path, token, form).await
}

async fn get(app: &App, path: &str, token: &str) -> Html {
    send(app, Method::GET, path, Some(token), None).await
}

async fn post(app: &App, path: &str, token: &str, form: &[(&str, &str)]) -> Html {
    send(app, Method::POST, path, Some(token), Some(form)).await
}

async fn peace(app: &App) -> String {
    import_case(
        &app.state,
        None,
        "peace.toml",
        ImportInput::CaseFile {
            format: CaseFormat::Toml,
            text: common::PEACE.to_string(),
        },
    )
    .await
    .expect("the peace example imports")
}

/// The account named `username`, through the API.
async fn account(app: &App, username: &str) -> Value {
    let list = app.get("/api/accounts", &app.mediator).await;
    assert_eq!(list.status, StatusCode::OK, "{:?}", list.body);
    list.body
        .as_array()
        .expect("a list")
        .iter()
        .find(|a| a["username"] == username)
        .unwrap_or_else(|| panic!("no account {username}"))
        .clone()
}

async fn account_id(app: &App, username: &str) -> String {
    account(app, username).await["id"]
        .as_str()
        .expect("id")
        .to_string()
}

/// The password a page shows once, if it shows one.
fn shown_password(html: &str) -> Option<String> {
    let start = html.find(r#"id="shown-password""#)?;
    let from = start + html[start..].find('>')? + 1;
    let to = from + html[from..].find('<')?;
    Some(html[from..to].to_string())
}

/// Logs in through the API; returns the status.
async fn login_status(app: &App, username: &str, password: &str) -> StatusCode {
    app.send(
        Method::POST,
        "/api/login",
        None,
        Some(&json!({ "username": username, "password": password })),
    )
    .await
    .status
}

/// Whether a token still opens a session.
async fn me_status(app: &App, token: &str) -> StatusCode {
    app.get("/api/me", token).await.status
}

/// The audit records of `action` on `account/ID`, oldest first.
async fn audited(app: &App, action: &str, account_id: &str) -> Vec<Value> {
    let log = app.get("/api/audit?limit=1000", &app.mediator).await;
    assert_eq!(log.status, StatusCode::OK, "{:?}", log.body);
    log.body
        .as_array()
        .expect("records")
        .iter()
        .filter(|r| r["action"] == action && r["subject"] == format!("account/{account_id}"))
        .cloned()
        .collect()
}

#[tokio::test]
async fn the_list_shows_every_account_with_case_and_party_names() {
    for app in App::all().await {
        let backend = app.backend();
        let case = peace(&app).await;
        app.account("ua", "party", Some(&case), Some("ukraine"))
            .await;
        app.account("watcher", "observer", None, None).await;
        let watcher = account_id(&app, "watcher").await;
        let off = app
            .patch(
                &format!("/api/accounts/{watcher}"),
                &app.mediator,
                &json!({ "active": false }),
            )
            .await;
        assert_eq!(off.status, StatusCode::OK, "{:?}", off.body);

        let page = get(&app, "/accounts", &app.mediator).await;
        assert_eq!(page.status, StatusCode::OK, "{backend}: {}", page.text);
        let ua = account_id(&app, "ua").await;
        for expected in [
            "<h1>Accounts</h1>",
            r#"<th scope="col">Username</th>"#,
            r#"<tr data-account="ua" data-active="true">"#,
            r#"<th scope="row">ua</th>"#,
            "<td>Party member</td>",
            "<td>Peace framework (illustrative)</td>",
            "<td>Ukraine</td>",
            r#"<tr data-account="watcher" data-active="false">"#,
            "<td>Observer</td>",
            "<strong>Disabled</strong>",
            r#"<th scope="row">mediator (you)</th>"#,
            &format!(r#"href="/accounts/{ua}""#),
            r#"<form method="post" action="/accounts">"#,
            r#"<label for="new-username">Username</label>"#,
            &format!(r#"<option value="{case}/ukraine">Ukraine</option>"#),
        ] {
            assert!(
                page.text.contains(expected),
                "{backend}: no {expected:?} in the account list"
            );
        }
        // Only negotiating parties can be chosen, and no password is in the page.
        assert!(!page.text.contains("password_hash"));
        assert!(!page.text.contains("$argon2"));

        // The page of one account names its case and party too.
        let detail = get(&app, &format!("/accounts/{ua}"), &app.mediator).await;
        assert_eq!(detail.status, StatusCode::OK, "{}", detail.text);
        for expected in [
            "<h1>Account ua</h1>",
            "<dd>Ukraine</dd>",
            "Reset password",
            "Sign ua out everywhere",
            "Disable ua",
            "Change role",
        ] {
            assert!(detail.text.contains(expected), "no {expected:?}");
        }
        let missing = get(&app, "/accounts/no-such-account", &app.mediator).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);

        // The mediator's pages link to the list; a party member's do not.
        for path in ["/".to_string(), format!("/cases/{case}")] {
            let page = get(&app, &path, &app.mediator).await;
            assert!(
                page.text.contains(r#"href="/accounts">Accounts</a>"#),
                "{path}"
            );
        }
        let member = app.login("ua", "ua-password").await;
        for path in ["/".to_string(), format!("/cases/{case}")] {
            let page = get(&app, &path, &member).await;
            assert_eq!(page.status, StatusCode::OK, "{path}");
            assert!(!page.text.contains(r#"href="/accounts""#), "{path}");
        }

        // Without a session, the pages send the browser to log in.
        for path in ["/accounts".to_string(), format!("/accounts/{ua}")] {
            let page = send(&app, Method::GET, &path, None, None).await;
            assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
            assert_eq!(page.location.as_deref(), Some("/login"), "{path}");
        }
    }
}

#[tokio::test]
async fn a_generated_password_is_shown_once_and_logs_in() {
    for app in App::all().await {
        let backend = app.backend();
        let page = post(
            &app,
            "/accounts",
            &app.mediator,
            &[
                ("username", " press "),
                ("role", "observer"),
                ("party", ""),
                ("password", ""),
            ],
        )
        .await;
        assert_eq!(page.status, StatusCode::CREATED, "{backend}: {}", page.text);
        let password = shown_password(&page.text).expect("the password is shown");
        assert_eq!(password.len(), 32, "{password}");
        assert!(page.text.contains("it is not shown again"));
        assert!(page.text.contains("Account press created"));

        // It logs in, as an observer.
        let token = app.login("press", &password).await;
        assert_eq!(app.get("/api/me", &token).await.body["role"], "observer");

        // No page shows it again.
        let id = account_id(&app, "press").await;
        for path in ["/accounts".to_string(), format!("/accounts/{id}")] {
            let again = get(&app, &path, &app.mediator).await;
            assert_eq!(again.status, StatusCode::OK);
            assert!(!again.text.contains(&password), "{path} shows the password");
            assert!(shown_password(&again.text).is_none(), "{path}");
        }

        // Audited as the API audits it: by the mediator.
        let records = audited(&app, "account.create", &id).await;
        assert_eq!(records.len(), 1, "{records:?}");
        assert_eq!(records[0]["username"], "mediator");
        assert_eq!(records[0]["detail"]["username"], "press");

        // A typed password is not shown: the account's page says it is created.
        let typed = post(
            &app,
            "/accounts",
            &app.mediator,
            &[
                ("username", "scribe"),
                ("role", "observer"),
                ("password", "scribe-password"),
            ],
        )
        .await;
        assert_eq!(typed.status, StatusCode::SEE_OTHER, "{}", typed.text);
        let scribe = account_id(&app, "scribe").await;
        assert_eq!(
            typed.location.as_deref(),
            Some(format!("/accounts/{scribe}?done=created").as_str())
        );
        let landed = get(
            &app,
            &format!("/accounts/{scribe}?done=created"),
            &app.mediator,
        )
        .await;
        assert!(landed.text.contains("The account is created"));
        assert!(!landed.text.contains("scribe-password"));
        assert_eq!(
            login_status(&app, "scribe", "scribe-password").await,
            StatusCode::OK
        );
    }
}

#[tokio::test]
async fn a_party_member_is_created_bound_to_its_party() {
    for app in App::all().await {
        let backend = app.backend();
        let case = peace(&app).await;
        let choice = format!("{case}/russia");
        let page = post(
            &app,
            "/accounts",
            &app.mediator,
            &[
                ("username", "ru"),
                ("role", "party"),
                ("party", &choice),
                ("password", ""),
            ],
        )
        .await;
        assert_eq!(page.status, StatusCode::CREATED, "{backend}: {}", page.text);
        let password = shown_password(&page.text).expect("the password is shown");
        let created = account(&app, "ru").await;
        assert_eq!(created["role"], "party");
        assert_eq!(created["case"], case.as_str());
        assert_eq!(created["party"], "russia");

        // The member sees its own party's page.
        let token = app.login("ru", &password).await;
        let view = get(&app, &format!("/cases/{case}"), &token).await;
        assert_eq!(view.status, StatusCode::OK, "{}", view.text);
        assert!(
            view.text
                .contains("member of the delegation of <strong>Russia</strong>"),
            "{}",
            view.text
        );

        // A party member without a party is a notice on the select, nothing is created.
        let refused = post(
            &app,
            "/accounts",
            &app.mediator,
            &[("username", "nobody"), ("role", "party"), ("party", "")],
        )
        .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            refused
                .text
                .contains(r##"<a href="#new-party">Case and party</a>"##),
            "{}",
            refused.text
        );
        assert!(
            refused
                .text
                .contains(r#"id="new-party" name="party" aria-invalid="true""#)
        );
        // The form keeps what was typed.
        assert!(refused.text.contains(r#"value="nobody""#));
        // A party the case does not have.
        let stranger = format!("{case}/atlantis");
        let refused = post(
            &app,
            "/accounts",
            &app.mediator,
            &[
                ("username", "nobody"),
                ("role", "party"),
                ("party", &stranger),
            ],
        )
        .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.text.contains("no party “atlantis” in the case"));
        let list = app.get("/api/accounts", &app.mediator).await;
        assert!(
            !list
                .body
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a["username"] == "nobody"),
            "{:?}",
            list.body
        );

        // Another role ignores the party select: an observer is bound to nothing.
        let observer = post(
            &app,
            "/accounts",
            &app.mediator,
            &[
                ("username", "guest"),
                ("role", "observer"),
                ("party", &choice),
            ],
        )
        .await;
        assert_eq!(observer.status, StatusCode::CREATED, "{}", observer.text);
        let guest = account(&app, "guest").await;
        assert!(guest.get("case").is_none() && guest.get("party").is_none());
    }
}

#[tokio::test]
async fn a_password_reset_ends_the_old_sessions() {
    for app in App::all().await {
        let backend = app.backend();
        let case = peace(&app).await;
        let old = app
            .account("ua", "party", Some(&case), Some("ukraine"))
            .await;
        let id = account_id(&app, "ua").await;
        let path = format!("/accounts/{id}/password");

        // Without the box ticked: a notice, nothing changes.
        let unconfirmed = post(&app, &path, &app.mediator, &[("password", "")]).await;
        assert_eq!(
            unconfirmed.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}"
        );
        assert!(
            unconfirmed
                .text
                .contains(r##"<a href="#confirm-reset">Confirmation</a>"##),
            "{}",
            unconfirmed.text
        );
        assert!(shown_password(&unconfirmed.text).is_none());
        assert_eq!(me_status(&app, &old).await, StatusCode::OK);

        // Too short a password: a notice naming the field.
        let short = post(
            &app,
            &path,
            &app.mediator,
            &[("password", "short"), ("confirm", "yes")],
        )
        .await;
        assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            short
                .text
                .contains(r##"<a href="#reset-password">New password</a>"##)
        );
        assert!(short.text.contains("at least 8 characters"));
        assert_eq!(me_status(&app, &old).await, StatusCode::OK);

        // A generated one: shown once; the old session ends, the old password fails.
        let reset = post(
            &app,
            &path,
            &app.mediator,
            &[("password", ""), ("confirm", "yes")],
        )
        .await;
        assert_eq!(reset.status, StatusCode::OK, "{}", reset.text);
        let password = shown_password(&reset.text).expect("the new password is shown");
        assert!(reset.text.contains("it is not shown again"));
        assert_eq!(me_status(&app, &old).await, StatusCode::UNAUTHORIZED);
        assert_eq!(
            login_status(&app, "ua", "ua-password").await,
            StatusCode::UNAUTHORIZED
        );
        let fresh = app.login("ua", &password).await;

        // A typed one: 303 to the account's page, which says so.
        let typed = post(
            &app,
            &path,
            &app.mediator,
            &[("password", "typed-password-1"), ("confirm", "yes")],
        )
        .await;
        assert_eq!(typed.status, StatusCode::SEE_OTHER, "{}", typed.text);
        assert_eq!(
            typed.location.as_deref(),
            Some(format!("/accounts/{id}?done=password").as_str())
        );
        assert_eq!(me_status(&app, &fresh).await, StatusCode::UNAUTHORIZED);
        assert_eq!(
            login_status(&app, "ua", "typed-password-1").await,
            StatusCode::OK
        );
        let landed = get(
            &app,
            &format!("/accounts/{id}?done=password"),
            &app.mediator,
        )
        .await;
        assert!(
            landed
                .text
                .contains(r#"<p class="notice" role="status">The password is changed"#)
        );

        // Audited as the API audits it: two updates that revoked the sessions.
        let records = audited(&app, "account.update", &id).await;
        assert_eq!(records.len(), 2, "{records:?}");
        for record in &records {
            assert_eq!(record["detail"]["sessions_revoked"], true);
            assert_eq!(record["username"], "mediator");
        }
    }
}

#[tokio::test]
async fn disabling_blocks_the_login_and_enabling_restores_it() {
    for app in App::all().await {
        let backend = app.backend();
        let token = app.account("watcher", "observer", None, None).await;
        let id = account_id(&app, "watcher").await;
        let disable = format!("/accounts/{id}/disable");

        // Without the box ticked: a notice, still active.
        let unconfirmed = post(&app, &disable, &app.mediator, &[]).await;
        assert_eq!(
            unconfirmed.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}"
        );
        assert!(unconfirmed.text.contains("tick the box to confirm"));
        assert_eq!(me_status(&app, &token).await, StatusCode::OK);

        let off = post(&app, &disable, &app.mediator, &[("confirm", "yes")]).await;
        assert_eq!(off.status, StatusCode::SEE_OTHER, "{}", off.text);
        assert_eq!(
            off.location.as_deref(),
            Some(format!("/accounts/{id}?done=disabled").as_str())
        );
        assert_eq!(account(&app, "watcher").await["active"], false);
        assert_eq!(me_status(&app, &token).await, StatusCode::UNAUTHORIZED);
        assert_eq!(
            login_status(&app, "watcher", "watcher-password").await,
            StatusCode::UNAUTHORIZED
        );
        let page = get(
            &app,
            &format!("/accounts/{id}?done=disabled"),
            &app.mediator,
        )
        .await;
        assert!(page.text.contains("The account is disabled"));
        assert!(page.text.contains("Re-enable watcher"));
        assert!(!page.text.contains("Disable watcher"));

        let on = post(&app, &format!("/accounts/{id}/enable"), &app.mediator, &[]).await;
        assert_eq!(on.status, StatusCode::SEE_OTHER, "{}", on.text);
        assert_eq!(account(&app, "watcher").await["active"], true);
        assert_eq!(
            login_status(&app, "watcher", "watcher-password").await,
            StatusCode::OK
        );

        let records = audited(&app, "account.update", &id).await;
        let flags: Vec<(Value, Value)> = records
            .iter()
            .map(|r| {
                (
                    r["detail"]["active"].clone(),
                    r["detail"]["sessions_revoked"].clone(),
                )
            })
            .collect();
        assert_eq!(
            flags,
            [(json!(false), json!(true)), (json!(true), json!(false))]
        );
    }
}

#[tokio::test]
async fn signing_out_everywhere_ends_every_session() {
    for app in App::all().await {
        let backend = app.backend();
        let first = app.account("watcher", "observer", None, None).await;
        let second = app.login("watcher", "watcher-password").await;
        let id = account_id(&app, "watcher").await;
        let answer = post(&app, &format!("/accounts/{id}/revoke"), &app.mediator, &[]).await;
        assert_eq!(
            answer.status,
            StatusCode::SEE_OTHER,
            "{backend}: {}",
            answer.text
        );
        assert_eq!(
            answer.location.as_deref(),
            Some(format!("/accounts/{id}?done=revoked").as_str())
        );
        for token in [&first, &second] {
            assert_eq!(me_status(&app, token).await, StatusCode::UNAUTHORIZED);
        }
        // The account stays active: it logs in again.
        assert_eq!(account(&app, "watcher").await["active"], true);
        let third = app.login("watcher", "watcher-password").await;
        assert_eq!(me_status(&app, &third).await, StatusCode::OK);
        // The mediator's own session is untouched.
        assert_eq!(me_status(&app, &app.mediator).await, StatusCode::OK);

        let records = audited(&app, "account.revoke", &id).await;
        assert_eq!(records.len(), 1, "{records:?}");
        assert_eq!(records[0]["detail"]["sessions"], 2);
    }
}

#[tokio::test]
async fn other_roles_are_refused_the_account_pages() {
    for app in App::all().await {
        let case = peace(&app).await;
        let party = app
            .account("ua", "party", Some(&case), Some("ukraine"))
            .await;
        let observer = app.account("watcher", "observer", None, None).await;
        let mediator_id = account_id(&app, "mediator").await;
        let before = app.get("/api/accounts", &app.mediator).await.body;
        for token in [&party, &observer] {
            for path in ["/accounts".to_string(), format!("/accounts/{mediator_id}")] {
                let answer = get(&app, &path, token).await;
                assert_eq!(answer.status, StatusCode::FORBIDDEN, "{path}");
                assert!(answer.text.contains("only a mediator"), "{}", answer.text);
                assert!(!answer.text.contains("mediator (you)"));
            }
            let create = post(
                &app,
                "/accounts",
                token,
                &[
                    ("username", "intruder"),
                    ("role", "mediator"),
                    ("password", "intruder-password"),
                ],
            )
            .await;
            assert_eq!(create.status, StatusCode::FORBIDDEN);
            assert!(create.text.contains("only a mediator"));
            for (action, form) in [
                (
                    "password",
                    vec![("password", "taken-over-1"), ("confirm", "yes")],
                ),
                ("disable", vec![("confirm", "yes")]),
                ("enable", vec![]),
                ("revoke", vec![]),
                ("role", vec![("role", "observer")]),
            ] {
                let path = format!("/accounts/{mediator_id}/{action}");
                let answer = post(&app, &path, token, &form).await;
                assert_eq!(answer.status, StatusCode::FORBIDDEN, "{path}");
                assert!(answer.text.contains("only a mediator"), "{path}");
            }
        }
        // A page on another site cannot make the mediator's browser create an account.
        let forged = app
            .send_raw(
                Request::post("/accounts")
                    .header(header::COOKIE, format!("accord_session={}", app.mediator))
                    .header("sec-fetch-site", "cross-site")
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(common::form_encode(&[
                        ("username", "forged"),
                        ("role", "mediator"),
                        ("password", "forged-password"),
                    ])))
                    .expect("request"),
            )
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        // Nothing changed: the same accounts, the mediator's session and password stand.
        assert_eq!(app.get("/api/accounts", &app.mediator).await.body, before);
        assert_eq!(me_status(&app, &app.mediator).await, StatusCode::OK);
        assert_eq!(
            login_status(&app, "mediator", "mediator-password").await,
            StatusCode::OK
        );
    }
}

#[tokio::test]
async fn a_taken_or_invalid_username_is_a_notice_on_the_form() {
    for app in App::all().await {
        let backend = app.backend();
        let taken = post(
            &app,
            "/accounts",
            &app.mediator,
            &[
                ("username", "mediator"),
                ("role", "observer"),
                ("password", ""),
            ],
        )
        .await;
        assert_eq!(
            taken.status,
            StatusCode::CONFLICT,
            "{backend}: {}",
            taken.text
        );
        for expected in [
            r#"<p class="error-message" role="alert" id="form-error">"#,
            r##"<a href="#new-username">Username</a> (<code>username</code>)"##,
            "exists already",
            r#"aria-invalid="true""#,
            // The form again, holding what was typed.
            r#"<form method="post" action="/accounts">"#,
            r#"value="mediator""#,
            r#"<option value="observer" selected>Observer</option>"#,
        ] {
            assert!(
                taken.text.contains(expected),
                "no {expected:?} in {}",
                taken.text
            );
        }
        assert!(shown_password(&taken.text).is_none());

        let invalid = post(
            &app,
            "/accounts",
            &app.mediator,
            &[("username", "Bad Name"), ("role", "observer")],
        )
        .await;
        assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            invalid
                .text
                .contains(r##"<a href="#new-username">Username</a>"##)
        );
        assert!(invalid.text.contains("is not a username"));

        let short = post(
            &app,
            "/accounts",
            &app.mediator,
            &[
                ("username", "someone"),
                ("role", "observer"),
                ("password", "short"),
            ],
        )
        .await;
        assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            short
                .text
                .contains(r##"<a href="#new-password">Password</a>"##)
        );
        // The password typed is not sent back.
        assert!(!short.text.contains(r#"value="short""#));

        let role = post(
            &app,
            "/accounts",
            &app.mediator,
            &[("username", "someone"), ("role", "king")],
        )
        .await;
        assert_eq!(role.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(role.text.contains(r##"<a href="#new-role">Role</a>"##));

        // Only the mediator exists still.
        let list = app.get("/api/accounts", &app.mediator).await;
        assert_eq!(
            list.body.as_array().map(Vec::len),
            Some(1),
            "{:?}",
            list.body
        );
        // The API names the field of a taken username too.
        let api = app
            .post(
                "/api/accounts",
                &app.mediator,
                &json!({ "username": "mediator", "role": "observer" }),
            )
            .await;
        assert_eq!(api.status, StatusCode::CONFLICT);
        assert_eq!(api.body["error"]["field"], "username");
    }
}

#[tokio::test]
async fn a_mediator_cannot_disable_or_demote_themselves() {
    for app in App::all().await {
        let backend = app.backend();
        let id = account_id(&app, "mediator").await;
        let page = get(&app, &format!("/accounts/{id}"), &app.mediator).await;
        assert!(page.text.contains("This is your own account"));

        let disable = post(
            &app,
            &format!("/accounts/{id}/disable"),
            &app.mediator,
            &[("confirm", "yes")],
        )
        .await;
        let demote = post(
            &app,
            &format!("/accounts/{id}/role"),
            &app.mediator,
            &[("role", "observer"), ("party", "")],
        )
        .await;
        for refused in [&disable, &demote] {
            assert_eq!(
                refused.status,
                StatusCode::CONFLICT,
                "{backend}: {}",
                refused.text
            );
            // The account's page with a notice, not the error page.
            assert!(
                refused.text.contains("<h1>Account mediator</h1>"),
                "{}",
                refused.text
            );
            assert!(refused.text.contains(
                r#"<p class="error-message" role="alert" id="form-error">a mediator cannot demote or disable their own account"#
            ));
            assert!(!refused.text.contains("<h1>409"));
        }
        let me = app.get("/api/me", &app.mediator).await;
        assert_eq!(me.status, StatusCode::OK);
        assert_eq!(me.body["role"], "mediator");
        assert_eq!(me.body["active"], true);
        assert!(audited(&app, "account.update", &id).await.is_empty());

        // Another mediator's role can change, and the change is audited.
        app.account("deputy", "mediator", None, None).await;
        let deputy = account_id(&app, "deputy").await;
        let changed = post(
            &app,
            &format!("/accounts/{deputy}/role"),
            &app.mediator,
            &[("role", "observer"), ("party", "")],
        )
        .await;
        assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.text);
        assert_eq!(account(&app, "deputy").await["role"], "observer");
        let records = audited(&app, "account.update", &deputy).await;
        assert_eq!(records.len(), 1);
        assert_eq!(records[0]["detail"]["role"], "observer");
    }
}
