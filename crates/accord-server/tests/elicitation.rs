//! Preference elicitation in the workbench: the answers kept between steps, the fit, the
//! packages to rate next, and the position saved only on confirmation, with the answers
//! kept beside it. Through the API and through the step-by-step pages, on every backend.

mod common;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use common::{App, LABOUR, labour_answers as example_answers};

async fn setup(app: &App) -> (String, String, String, String) {
    let case = app.import(LABOUR).await;
    let union = app
        .account("elicit-union", "party", Some(&case), Some("union"))
        .await;
    let employer = app
        .account("elicit-employer", "party", Some(&case), Some("employer"))
        .await;
    let base = format!("/api/cases/{case}/parties/union");
    (case, base, union, employer)
}

async fn audit(app: &App, case: &str) -> Vec<Value> {
    let answer = app
        .get(
            &format!("/api/cases/{case}/audit?limit=1000"),
            &app.mediator,
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    answer.body["entries"]
        .as_array()
        .or(answer.body.as_array())
        .cloned()
        .unwrap_or_default()
}

#[tokio::test]
async fn a_party_fits_its_answers_and_saves_the_position_only_when_it_confirms() {
    for app in App::all().await {
        let backend = app.backend();
        let (case, base, union, _) = setup(&app).await;
        let before = app.get(&format!("{base}/position"), &union).await;
        let answers = example_answers();

        // Nothing kept yet.
        let none = app.get(&format!("{base}/elicitation"), &union).await;
        assert_eq!(none.status, StatusCode::NOT_FOUND, "{backend}");

        // Kept between steps; the position does not change.
        let kept = app
            .put(&format!("{base}/elicitation"), &union, &answers)
            .await;
        assert_eq!(kept.status, StatusCode::OK, "{backend}: {:?}", kept.body);
        assert_eq!(kept.body["answers"], answers, "{backend}");
        assert!(kept.body.get("confirmed").is_none(), "{backend}");
        let after = app.get(&format!("{base}/position"), &union).await;
        assert_eq!(
            after.body, before.body,
            "{backend}: kept answers changed the position"
        );

        // The fit of the kept answers (no body answers): weights summing to 1, each inside
        // its range, the red line, the reservation value, and a high rank agreement.
        let fit = app
            .post(&format!("{base}/elicitation/fit"), &union, &json!({}))
            .await;
        assert_eq!(fit.status, StatusCode::OK, "{backend}: {:?}", fit.body);
        let weights = fit.body["weights"].as_array().expect("weights");
        assert_eq!(weights.len(), 5, "{backend}");
        let sum: f64 = weights.iter().map(|w| w["weight"].as_f64().unwrap()).sum();
        assert!((sum - 1.0).abs() < 1e-6, "{backend}: weights sum to {sum}");
        for w in weights {
            let (lo, x, hi) = (
                w["low"].as_f64().unwrap(),
                w["weight"].as_f64().unwrap(),
                w["high"].as_f64().unwrap(),
            );
            assert!(lo - 1e-6 <= x && x <= hi + 1e-6, "{backend}: {w}");
        }
        let wage = weights.iter().find(|w| w["point"] == "wage").unwrap();
        let hours = weights.iter().find(|w| w["point"] == "hours").unwrap();
        assert!(
            wage["weight"].as_f64() > hours["weight"].as_f64(),
            "{backend}"
        );
        assert_eq!(fit.body["reservation_value"], json!(0.45), "{backend}");
        assert_eq!(
            fit.body["red_lines"].as_array().unwrap().len(),
            1,
            "{backend}"
        );
        assert!(
            fit.body["tau"].as_f64().unwrap() > 0.8,
            "{backend}: {}",
            fit.body["tau"]
        );
        assert_eq!(
            fit.body["position"]["red_lines"][0]["point"], "wage",
            "{backend}"
        );

        // Suggestions: distinct packages over every point.
        let next = app
            .post(
                &format!("{base}/elicitation/suggest"),
                &union,
                &json!({ "n": 4, "seed": 7 }),
            )
            .await;
        assert_eq!(next.status, StatusCode::OK, "{backend}: {:?}", next.body);
        let packages = next.body["packages"].as_array().expect("packages");
        assert!(!packages.is_empty() && packages.len() <= 4, "{backend}");
        for p in packages {
            assert_eq!(p.as_object().unwrap().len(), 5, "{backend}: {p}");
            // None holds the option marked unacceptable.
            assert_ne!(p["wage"], "+2%", "{backend}");
        }
        let again = app
            .post(
                &format!("{base}/elicitation/suggest"),
                &union,
                &json!({ "n": 4, "seed": 7 }),
            )
            .await;
        assert_eq!(
            again.body, next.body,
            "{backend}: the same seed, the same packages"
        );

        // Fitting saved nothing; confirming saves the fitted position and the answers.
        assert_eq!(
            app.get(&format!("{base}/position"), &union).await.body,
            before.body,
            "{backend}"
        );
        let confirmed = app
            .post(&format!("{base}/elicitation/confirm"), &union, &json!({}))
            .await;
        assert_eq!(
            confirmed.status,
            StatusCode::OK,
            "{backend}: {:?}",
            confirmed.body
        );
        let saved = app.get(&format!("{base}/position"), &union).await;
        assert_eq!(saved.status, StatusCode::OK, "{backend}");
        assert_eq!(saved.body["position"], fit.body["position"], "{backend}");
        let kept = app.get(&format!("{base}/elicitation"), &union).await;
        assert_eq!(kept.body["confirmed"], answers, "{backend}");
        assert!(kept.body["confirmed_ms"].as_i64().is_some(), "{backend}");

        // The saved position reads as a case: the analysis runs with it.
        let analysis = app
            .get(&format!("/api/cases/{case}/analysis"), &app.mediator)
            .await;
        assert_eq!(
            analysis.status,
            StatusCode::OK,
            "{backend}: {:?}",
            analysis.body
        );

        // The audit log says what changed, never the content.
        let entries = audit(&app, &case).await;
        let actions: Vec<&str> = entries
            .iter()
            .filter_map(|e| e["action"].as_str())
            .collect();
        assert!(
            actions.contains(&"elicitation.update"),
            "{backend}: {actions:?}"
        );
        let from_elicitation = entries
            .iter()
            .filter(|e| e["action"] == "position.update")
            .any(|e| e.to_string().contains("elicitation"));
        assert!(from_elicitation, "{backend}: {entries:?}");
        let text = Value::Array(entries).to_string();
        for secret in ["+2%", "less-is-better", "no_agreement", "swings", "0.45"] {
            assert!(
                !text.contains(secret),
                "{backend}: the audit log holds `{secret}`"
            );
        }
    }
}

#[tokio::test]
async fn answers_are_refused_with_their_field_and_nothing_is_kept() {
    for app in App::all().await {
        let backend = app.backend();
        let (_, base, union, _) = setup(&app).await;
        let before = app.get(&format!("{base}/position"), &union).await.body;
        for (body, field) in [
            (
                json!({ "options": { "wage": { "+2%": 140 } } }),
                "answers.options.wage",
            ),
            (
                json!({ "options": { "nope": { "a": 1 } } }),
                "answers.options.nope",
            ),
            (
                json!({ "swings": { "wage": "a lot" } }),
                "answers.swings.wage",
            ),
            (
                json!({ "ranges": { "hours": { "shape": "wavy" } } }),
                "answers.ranges.hours.shape",
            ),
            (json!({ "colour": "blue" }), "answers.colour"),
        ] {
            let answer = app.put(&format!("{base}/elicitation"), &union, &body).await;
            assert_eq!(
                answer.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{backend}: {body}"
            );
            let text = answer.body.to_string();
            assert!(text.contains(field), "{backend}: {body} → {text}");
        }
        let none = app.get(&format!("{base}/elicitation"), &union).await;
        assert_eq!(none.status, StatusCode::NOT_FOUND, "{backend}");

        // Answers that read but say nothing of the weights cannot be fitted: 422, nothing
        // saved.
        let thin = json!({ "options": { "wage": { "+2%": 0, "+3%": 40, "+4%": 80, "+5%": 100 },
                                       "remote": { "none": 0, "1-day": 50, "2-days": 90, "3-days": 100 } } });
        let fit = app
            .post(
                &format!("{base}/elicitation/confirm"),
                &union,
                &json!({ "answers": thin }),
            )
            .await;
        assert_eq!(
            fit.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {:?}",
            fit.body
        );
        assert!(
            fit.body.to_string().contains("swings"),
            "{backend}: {:?}",
            fit.body
        );
        let position = app.get(&format!("{base}/position"), &union).await;
        assert_eq!(position.body, before, "{backend}");

        // Out-of-range requests.
        for (route, body, field) in [
            ("suggest", json!({ "answers": thin, "n": 0 }), "n"),
            ("suggest", json!({ "answers": thin, "n": 500 }), "n"),
            (
                "fit",
                json!({ "answers": thin, "package_tolerance": -1 }),
                "package_tolerance",
            ),
            ("fit", json!({ "answers": thin, "sideways": 1 }), "sideways"),
        ] {
            let answer = app
                .post(&format!("{base}/elicitation/{route}"), &union, &body)
                .await;
            assert!(
                answer.status == StatusCode::UNPROCESSABLE_ENTITY
                    || answer.status == StatusCode::BAD_REQUEST,
                "{backend}: {route} {body}: {}",
                answer.status
            );
            assert!(
                answer.body.to_string().contains(field),
                "{backend}: {:?}",
                answer.body
            );
        }
        // Too many packages to fit.
        let many: Vec<Value> = (0..101)
            .map(|k| json!({ "rating": k % 100, "package": {
                "wage": "+3%", "hours": 38, "remote": "none", "pension": "5%", "length": "1-year" } }))
            .collect();
        let mut answers = example_answers();
        answers["packages"] = Value::Array(many);
        let answer = app
            .put(&format!("{base}/elicitation"), &union, &answers)
            .await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert!(
            answer.body.to_string().contains("answers.packages"),
            "{backend}"
        );
    }
}

#[tokio::test]
async fn only_the_party_and_the_mediator_reach_its_answers() {
    for app in App::all().await {
        let backend = app.backend();
        let (case, base, union, employer) = setup(&app).await;
        let observer = app.account("elicit-observer", "observer", None, None).await;
        let answers = example_answers();
        let routes = [
            (Method::GET, "elicitation", None),
            (Method::PUT, "elicitation", Some(answers.clone())),
            (
                Method::POST,
                "elicitation/fit",
                Some(json!({ "answers": answers })),
            ),
            (
                Method::POST,
                "elicitation/suggest",
                Some(json!({ "answers": answers })),
            ),
            (
                Method::POST,
                "elicitation/confirm",
                Some(json!({ "answers": answers })),
            ),
        ];
        for (method, route, body) in &routes {
            for token in [&employer, &observer] {
                let answer = app
                    .send(
                        method.clone(),
                        &format!("{base}/{route}"),
                        Some(token),
                        body.as_ref(),
                    )
                    .await;
                assert!(
                    answer.status == StatusCode::FORBIDDEN
                        || answer.status == StatusCode::NOT_FOUND,
                    "{backend}: {method} {route}: {}",
                    answer.status
                );
            }
        }
        // The mediator works on the party's behalf.
        let kept = app
            .put(&format!("{base}/elicitation"), &app.mediator, &answers)
            .await;
        assert_eq!(kept.status, StatusCode::OK, "{backend}");
        let read = app.get(&format!("{base}/elicitation"), &union).await;
        assert_eq!(read.body["answers"], answers, "{backend}");
        // A mediator is no party: it has no position to elicit.
        let mediator_party = app
            .get(
                &format!("/api/cases/{case}/parties/mediator/elicitation"),
                &app.mediator,
            )
            .await;
        assert!(
            mediator_party.status == StatusCode::UNPROCESSABLE_ENTITY
                || mediator_party.status == StatusCode::NOT_FOUND,
            "{backend}: {}",
            mediator_party.status
        );
    }
}

/// The pages, step by step, as a delegate with no weights in mind goes through them.
#[tokio::test]
async fn a_delegate_builds_a_position_through_the_pages() {
    for app in App::all().await {
        let backend = app.backend();
        let (case, _, union, employer) = setup(&app).await;
        let elicit = format!("/cases/{case}/elicit");
        let position = format!("/api/cases/{case}/parties/union/position");
        let before = app.get(&position, &union).await.body;

        // Options: wage and remote rated, "+2%" unacceptable, hours less-is-better.
        let page = app.page(Method::GET, &elicit, Some(&union), None).await;
        assert_eq!(page.status, StatusCode::OK, "{backend}");
        assert!(page.text.contains("Rate the options"), "{backend}");
        let options = [
            ("rating.0.0", "0"),
            ("rating.0.1", "40"),
            ("rating.0.2", "80"),
            ("rating.0.3", "100"),
            ("unacceptable.0.0", "on"),
            ("shape.1", "less"),
            ("rating.2.0", "0"),
            ("rating.2.1", "50"),
            ("rating.2.2", "90"),
            ("rating.2.3", "100"),
        ];
        // A half-rated point is refused, naming it, and nothing is kept.
        let mut half = options.to_vec();
        half.push(("rating.3.0", "20"));
        let refused = app
            .page(
                Method::POST,
                &format!("{elicit}?party=union&step=options"),
                Some(&union),
                Some(&half),
            )
            .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}"
        );
        assert!(
            refused.text.contains("rate every option, or none"),
            "{backend}"
        );
        assert_eq!(
            app.get(
                &format!("/api/cases/{case}/parties/union/elicitation"),
                &union
            )
            .await
            .status,
            StatusCode::NOT_FOUND,
            "{backend}"
        );
        let saved = app
            .page(
                Method::POST,
                &format!("{elicit}?party=union&step=options"),
                Some(&union),
                Some(&options),
            )
            .await;
        assert_eq!(
            saved.status,
            StatusCode::SEE_OTHER,
            "{backend}: {}",
            saved.text
        );
        assert!(saved.location().contains("step=swings"), "{backend}");

        // Swings: the swing page names each rated point's worst and best.
        let swings = app
            .page(Method::GET, saved.location(), Some(&union), None)
            .await;
        assert_eq!(swings.status, StatusCode::OK, "{backend}");
        assert!(swings.text.contains("name=\"swing.0\""), "{backend}");
        assert!(swings.text.contains("name=\"swing.1\""), "{backend}");
        assert!(
            !swings.text.contains("name=\"swing.3\""),
            "{backend}: an unrated point has no swing"
        );
        let saved = app
            .page(
                Method::POST,
                &format!("{elicit}?party=union&step=swings"),
                Some(&union),
                Some(&[("swing.0", "100"), ("swing.1", "60"), ("swing.2", "40")]),
            )
            .await;
        assert_eq!(
            saved.status,
            StatusCode::SEE_OTHER,
            "{backend}: {}",
            saved.text
        );
        assert!(saved.location().contains("step=packages"), "{backend}");

        // Packages: suggested, rated, "no agreement" placed.
        let packages = app
            .page(Method::GET, saved.location(), Some(&union), None)
            .await;
        assert_eq!(packages.status, StatusCode::OK, "{backend}");
        let hidden = hidden_packages(&packages.text);
        assert!(
            hidden.len() >= 3,
            "{backend}: {} packages suggested",
            hidden.len()
        );
        let mut form: Vec<(String, String)> = Vec::new();
        for (i, json) in hidden.iter().enumerate() {
            form.push((format!("package.{i}"), json.clone()));
            form.push((format!("rating.{i}"), format!("{}", 20 + 10 * i)));
        }
        form.push(("no_agreement".into(), "30".into()));
        let fields: Vec<(&str, &str)> =
            form.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let saved = app
            .page(
                Method::POST,
                &format!("{elicit}?party=union&step=packages"),
                Some(&union),
                Some(&fields),
            )
            .await;
        assert_eq!(
            saved.status,
            StatusCode::SEE_OTHER,
            "{backend}: {}",
            saved.text
        );
        assert!(saved.location().contains("step=review"), "{backend}");

        // Review: weights with how sure they are, the red line to confirm.
        let review = app
            .page(Method::GET, saved.location(), Some(&union), None)
            .await;
        assert_eq!(review.status, StatusCode::OK, "{backend}");
        assert!(
            review.text.contains("The weights your answers give"),
            "{backend}: {}",
            review.text
        );
        assert!(review.text.contains("How sure"), "{backend}");
        assert!(review.text.contains("red_lines_confirmed"), "{backend}");
        // No position until confirmed; confirming without the red lines ticked is refused.
        let confirm = format!("{elicit}/confirm?party=union");
        let refused = app
            .page(Method::POST, &confirm, Some(&union), Some(&[]))
            .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}"
        );
        assert!(
            refused.text.contains("Confirm the red lines first"),
            "{backend}"
        );
        assert_eq!(app.get(&position, &union).await.body, before, "{backend}");
        let done = app
            .page(
                Method::POST,
                &confirm,
                Some(&union),
                Some(&[("red_lines_confirmed", "on")]),
            )
            .await;
        assert_eq!(
            done.status,
            StatusCode::SEE_OTHER,
            "{backend}: {}",
            done.text
        );
        let saved = app.get(&position, &union).await;
        assert_eq!(saved.status, StatusCode::OK, "{backend}");
        assert_eq!(
            saved.body["position"]["reservation_value"],
            json!(0.3),
            "{backend}"
        );
        assert_eq!(
            saved.body["position"]["red_lines"][0]["point"], "wage",
            "{backend}"
        );

        // Another party's member cannot open the union's page; the mediator can.
        let other = app
            .page(
                Method::GET,
                &format!("{elicit}?party=union"),
                Some(&employer),
                None,
            )
            .await;
        assert_eq!(other.status, StatusCode::FORBIDDEN, "{backend}");
        let mediator = app
            .page(
                Method::GET,
                &format!("{elicit}?party=union&step=review"),
                Some(&app.mediator),
                None,
            )
            .await;
        assert_eq!(mediator.status, StatusCode::OK, "{backend}");
        let choose = app
            .page(Method::GET, &elicit, Some(&app.mediator), None)
            .await;
        assert!(choose.text.contains("Choose a party"), "{backend}");

        // A point left unrated afterwards loses its swing too.
        let fewer: Vec<(&str, &str)> = options
            .iter()
            .copied()
            .filter(|(name, _)| !name.starts_with("rating.2."))
            .collect();
        let saved = app
            .page(
                Method::POST,
                &format!("{elicit}?party=union&step=options"),
                Some(&union),
                Some(&fewer),
            )
            .await;
        assert_eq!(
            saved.status,
            StatusCode::SEE_OTHER,
            "{backend}: {}",
            saved.text
        );
        let kept = app
            .get(
                &format!("/api/cases/{case}/parties/union/elicitation"),
                &union,
            )
            .await;
        assert!(
            kept.body["answers"]["swings"].get("remote").is_none(),
            "{backend}: {}",
            kept.body
        );
        assert!(
            kept.body["answers"]["swings"].get("wage").is_some(),
            "{backend}"
        );
    }
}

/// The packages' JSON kept in the form's hidden fields, in order.
fn hidden_packages(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find("type=\"hidden\" name=\"package.") {
        rest = &rest[at..];
        let start = rest.find("value=\"").expect("a value") + 7;
        let end = start + rest[start..].find('"').expect("the value's end");
        out.push(unescape(&rest[start..end]));
        rest = &rest[end..];
    }
    out
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#43;", "+")
        .replace("&amp;", "&")
}
