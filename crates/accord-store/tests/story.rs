//! One story through the store, on SQLite and (with `ACCORD_TEST_DATABASE_URL`) on
//! PostgreSQL: create a case, edit a position, add and table a draft, answer it, log a
//! meeting, and read the audit log back in order.

use accord_store::testing;
use accord_store::{
    Account, AuditEntry, CaseRow, ChannelRow, DraftStamp, MeetingRow, PartyRow, PointRow, Role,
    StatementRow, StoreError,
};

fn entry(action: &str, case: &str) -> AuditEntry {
    AuditEntry {
        account_id: Some("acct-1".into()),
        case_id: Some(case.into()),
        action: action.into(),
        subject: "test".into(),
        detail: "{}".into(),
    }
}

#[tokio::test]
async fn a_case_from_import_to_meeting() {
    for scratch in testing::all().await.expect("scratch databases") {
        let store = &scratch.store;
        let backend = format!("{:?}", store.backend());

        let mut tx = store.begin().await.unwrap();
        tx.insert_account(&Account {
            id: "acct-1".into(),
            username: "mediator".into(),
            password_hash: "hash".into(),
            role: Role::Mediator,
            case_id: None,
            party_id: None,
            active: true,
            created_ms: 1,
        })
        .await
        .unwrap();
        tx.insert_case(&CaseRow {
            id: "c1".into(),
            name: "Case".into(),
            description: String::new(),
            created_ms: 1,
        })
        .await
        .unwrap();
        for (seq, point) in ["wage", "hours"].iter().enumerate() {
            tx.put_point(
                "c1",
                &PointRow {
                    point_id: (*point).into(),
                    seq: seq as i64,
                    body: format!("{{\"id\":\"{point}\"}}"),
                },
            )
            .await
            .unwrap();
        }
        for (seq, party) in ["union", "employer"].iter().enumerate() {
            tx.put_party(
                "c1",
                &PartyRow {
                    party_id: (*party).into(),
                    seq: seq as i64,
                    name: (*party).into(),
                    role: "party".into(),
                    delegates: "[]".into(),
                },
            )
            .await
            .unwrap();
        }
        tx.audit(&entry("case.import", "c1")).await.unwrap();
        tx.commit().await.unwrap();

        // A position is written, then replaced; reading gives the latest.
        for body in ["{\"v\":1}", "{\"v\":2}"] {
            let mut tx = store.begin().await.unwrap();
            tx.put_position("c1", "union", body, "acct-1")
                .await
                .unwrap();
            tx.audit(&entry("position.update", "c1")).await.unwrap();
            tx.commit().await.unwrap();
        }
        let position = store
            .position("c1", "union")
            .await
            .unwrap()
            .expect("position");
        assert_eq!(position.body, "{\"v\":2}", "{backend}");
        assert!(store.position("c1", "employer").await.unwrap().is_none());

        // Drafts number themselves; stamping is idempotent.
        let mut tx = store.begin().await.unwrap();
        let v1 = tx
            .insert_draft("c1", "acct-1", "first", "{}")
            .await
            .unwrap();
        let v2 = tx
            .insert_draft("c1", "acct-1", "second", "{}")
            .await
            .unwrap();
        assert_eq!((v1, v2), (1, 2), "{backend}");
        assert!(tx.stamp_draft("c1", 2, DraftStamp::Tabled).await.unwrap());
        assert!(!tx.stamp_draft("c1", 2, DraftStamp::Tabled).await.unwrap());
        tx.put_response("c1", 2, "union", "{\"a\":1}", "acct-1")
            .await
            .unwrap();
        tx.put_response("c1", 2, "union", "{\"a\":2}", "acct-1")
            .await
            .unwrap();
        tx.audit(&entry("draft.table", "c1")).await.unwrap();
        tx.commit().await.unwrap();
        let latest = store.latest_draft("c1").await.unwrap().expect("draft");
        assert_eq!((latest.version, latest.tabled_ms.is_some()), (2, true));
        let responses = store.responses("c1", 2).await.unwrap();
        assert_eq!(responses.len(), 1);
        assert_eq!(responses[0].body, "{\"a\":2}");

        // A meeting with statements in order.
        let mut tx = store.begin().await.unwrap();
        tx.insert_channel(
            "c1",
            &ChannelRow {
                channel_id: "ch".into(),
                name: "plenary".into(),
                description: String::new(),
                parties: "[]".into(),
                kind: "mediated".into(),
                created_ms: 2,
            },
        )
        .await
        .unwrap();
        tx.insert_meeting(
            "c1",
            &MeetingRow {
                meeting_id: "m".into(),
                channel_id: "ch".into(),
                date: "2026-11-27".into(),
                time: "09:30".into(),
                place: "Geneva".into(),
                summary: "s".into(),
                outcome: String::new(),
                participants: "[]".into(),
                tabled: "[2]".into(),
                published_ms: None,
                created_ms: 2,
            },
        )
        .await
        .unwrap();
        for quote in ["one", "two", "three"] {
            let statement = StatementRow {
                meeting_id: "m".into(),
                seq: 0,
                speaker: "speaker".into(),
                party: String::new(),
                date: "2026-11-27".into(),
                time: String::new(),
                quote: quote.into(),
                confidential: quote == "two",
                created_ms: 2,
            };
            tx.insert_statement("c1", &statement).await.unwrap();
        }
        tx.audit(&entry("meeting.create", "c1")).await.unwrap();
        tx.commit().await.unwrap();
        let quotes: Vec<String> = store
            .statements("c1", "m")
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.quote)
            .collect();
        assert_eq!(quotes, ["one", "two", "three"]);

        // The record edited: the channel reported, the meeting moved to the afternoon, the
        // second statement made public, the first removed. A removed statement is not
        // read again and its number is not given to the next.
        let mut tx = store.begin().await.unwrap();
        let mut channel = store.channel("c1", "ch").await.unwrap().expect("channel");
        channel.kind = "reported".into();
        channel.parties = r#"["union"]"#.into();
        assert!(tx.update_channel("c1", &channel).await.unwrap());
        let mut meeting = store.meeting("c1", "m").await.unwrap().expect("meeting");
        meeting.time = "14:00".into();
        meeting.outcome = "agreed to meet again".into();
        assert!(tx.update_meeting("c1", &meeting).await.unwrap());
        let mut second = store.statement("c1", "m", 2).await.unwrap().expect("two");
        assert!(second.confidential, "{backend}");
        second.confidential = false;
        second.party = "union".into();
        assert!(tx.update_statement("c1", &second).await.unwrap());
        assert!(tx.remove_statement("c1", "m", 1).await.unwrap());
        assert!(!tx.remove_statement("c1", "m", 1).await.unwrap(), "once");
        let mut removed = second.clone();
        removed.seq = 1;
        assert!(!tx.update_statement("c1", &removed).await.unwrap());
        let mut nowhere = channel.clone();
        nowhere.channel_id = "none".into();
        assert!(!tx.update_channel("c1", &nowhere).await.unwrap());
        let fourth = tx.insert_statement("c1", &second).await.unwrap();
        assert_eq!(fourth, 4, "{backend}");
        tx.commit().await.unwrap();
        let channel = store.channel("c1", "ch").await.unwrap().unwrap();
        assert_eq!(
            (channel.kind.as_str(), channel.parties.as_str()),
            ("reported", r#"["union"]"#)
        );
        let meeting = store.meeting("c1", "m").await.unwrap().unwrap();
        assert_eq!(
            (meeting.time.as_str(), meeting.place.as_str()),
            ("14:00", "Geneva")
        );
        assert_eq!(meeting.outcome, "agreed to meet again");
        let statements = store.statements("c1", "m").await.unwrap();
        let seen: Vec<(i64, &str, bool, &str)> = statements
            .iter()
            .map(|s| (s.seq, s.quote.as_str(), s.confidential, s.party.as_str()))
            .collect();
        assert_eq!(
            seen,
            [
                (2, "two", false, "union"),
                (3, "three", false, ""),
                (4, "two", false, "union")
            ],
            "{backend}"
        );
        assert!(store.statement("c1", "m", 1).await.unwrap().is_none());
        assert_eq!(store.case_statements("c1").await.unwrap(), statements);

        // A rolled-back transaction leaves nothing, not even its audit entry.
        let mut tx = store.begin().await.unwrap();
        tx.put_position("c1", "employer", "{}", "acct-1")
            .await
            .unwrap();
        tx.audit(&entry("position.update", "c1")).await.unwrap();
        drop(tx);
        assert!(
            store.position("c1", "employer").await.unwrap().is_none(),
            "{backend}"
        );

        // The audit log, oldest first, is every committed write.
        let actions: Vec<String> = store
            .audit(Some("c1"), None, 100)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.entry.action)
            .collect();
        assert_eq!(
            actions,
            [
                "case.import",
                "position.update",
                "position.update",
                "draft.table",
                "meeting.create"
            ],
            "{backend}"
        );
        let after = store.audit(Some("c1"), None, 2).await.unwrap();
        let rest = store
            .audit(Some("c1"), Some(&after[1].id), 100)
            .await
            .unwrap();
        assert_eq!(rest.len(), 3);

        // A taken username is a conflict, not a database error.
        let mut tx = store.begin().await.unwrap();
        let again = tx
            .insert_account(&Account {
                id: "acct-2".into(),
                username: "mediator".into(),
                password_hash: "h".into(),
                role: Role::Observer,
                case_id: None,
                party_id: None,
                active: true,
                created_ms: 3,
            })
            .await;
        assert!(
            matches!(again, Err(StoreError::Conflict(_))),
            "{backend}: {again:?}"
        );
    }
}

#[tokio::test]
async fn a_bad_url_is_an_error_naming_it() {
    let Err(error) = accord_store::Store::open("mysql://nowhere").await else {
        panic!("a MySQL URL opened");
    };
    assert!(error.to_string().contains("mysql://nowhere"), "{error}");
}
