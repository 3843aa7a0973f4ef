//! A database written before the record's migration (`0002_record.sql`) reads after it as
//! before: its channels are the mediator's own, its statements public and dated on their
//! meeting's day. On SQLite, and on PostgreSQL when `ACCORD_TEST_DATABASE_URL` is set.

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor as _};

use accord_store::{Store, new_id, testing};

/// The first migration's schema, with one channel, meeting and statement in it.
async fn before_the_record(pool: &AnyPool) {
    sqlx::migrate!("./migrations")
        .run_to(1, pool)
        .await
        .expect("the first migration");
    for statement in [
        "INSERT INTO cases (id, name, description, created_ms) VALUES ('c1', 'Talks', '', 1)",
        "INSERT INTO channels (case_id, channel_id, name, description, parties, created_ms) \
         VALUES ('c1', 'ch', 'plenary', '', '[\"union\"]', 1)",
        "INSERT INTO meetings (case_id, meeting_id, channel_id, date, summary, participants, \
         tabled, published_ms, created_ms) \
         VALUES ('c1', 'm', 'ch', '2025-11-20', 's', '[{\"party\":\"union\",\"name\":\"A\"}]', \
         '[]', NULL, 1)",
        "INSERT INTO statements (case_id, meeting_id, seq, speaker, quote, created_ms) \
         VALUES ('c1', 'm', 1, 'A', 'we are here to listen', 1)",
    ] {
        pool.execute(statement).await.expect(statement);
    }
}

async fn check(url: &str) {
    let store = Store::open(url).await.expect("the store migrates");
    let backend = format!("{:?}", store.backend());
    let channel = store.channel("c1", "ch").await.unwrap().expect("channel");
    assert_eq!(channel.kind, "mediated", "{backend}");
    let meeting = store.meeting("c1", "m").await.unwrap().expect("meeting");
    assert_eq!(
        (
            meeting.time.as_str(),
            meeting.place.as_str(),
            meeting.outcome.as_str()
        ),
        ("", "", ""),
        "{backend}"
    );
    let statements = store.statements("c1", "m").await.unwrap();
    assert_eq!(statements.len(), 1, "{backend}");
    let statement = &statements[0];
    assert_eq!(statement.date, "2025-11-20", "{backend}");
    assert!(!statement.confidential, "{backend}");
    assert_eq!(
        (statement.party.as_str(), statement.time.as_str()),
        ("", ""),
        "{backend}"
    );
    store.close().await;
}

#[tokio::test]
async fn a_database_from_before_the_record_reads_as_before() {
    install_default_drivers();
    let file = std::env::temp_dir().join(format!("accord-upgrade-{}.db", new_id()));
    let url = format!("sqlite:{}", file.display());
    let pool = AnyPoolOptions::new()
        .max_connections(1)
        .connect(&format!("{url}?mode=rwc"))
        .await
        .expect("SQLite");
    before_the_record(&pool).await;
    pool.close().await;
    check(&url).await;
    for suffix in ["", "-wal", "-shm"] {
        let mut path = file.clone().into_os_string();
        path.push(suffix);
        let _ = std::fs::remove_file(path);
    }

    let Some(admin_url) = std::env::var(testing::DATABASE_URL_VAR)
        .ok()
        .filter(|url| !url.is_empty())
    else {
        return;
    };
    let name = format!("accord_upgrade_{}", new_id());
    let admin = AnyPoolOptions::new()
        .max_connections(1)
        .connect(&admin_url)
        .await
        .expect("PostgreSQL");
    admin
        .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .await
        .expect("a scratch database");
    admin.close().await;
    let base = admin_url
        .rsplit_once('/')
        .map_or(admin_url.as_str(), |(base, _)| base);
    let url = format!("{base}/{name}");
    let pool = AnyPoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await
        .expect("the scratch database");
    before_the_record(&pool).await;
    pool.close().await;
    check(&url).await;
}
