//! The rows kept between writes never hide a write: on SQLite and (with
//! `ACCORD_TEST_DATABASE_URL`) PostgreSQL, a commit is seen by the next read, a
//! transaction dropped without commit changes nothing, and a second store on the same
//! database (another server process) sees the first's writes within `READ_CACHE_TTL`.

use accord_store::{CaseRow, READ_CACHE_TTL, Store, testing};

fn case(name: &str) -> CaseRow {
    CaseRow {
        id: "case-1".into(),
        name: name.into(),
        description: String::new(),
        created_ms: 1,
    }
}

async fn name(store: &Store) -> String {
    let one = store.case("case-1").await.unwrap().expect("the case").name;
    let all = store.cases().await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].name, one, "cases() and case() agree");
    one
}

async fn rename(store: &Store, to: &str) {
    let mut tx = store.begin().await.unwrap();
    tx.update_case(&case(to)).await.unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn reads_after_a_commit_see_it() {
    for scratch in testing::all().await.expect("scratch databases") {
        let store = &scratch.store;
        assert_eq!(store.case("case-1").await.unwrap(), None);
        assert!(store.cases().await.unwrap().is_empty());

        let mut tx = store.begin().await.unwrap();
        tx.insert_case(&case("first")).await.unwrap();
        tx.commit().await.unwrap();
        // Not the empty answers read (and kept) before the commit.
        assert_eq!(name(store).await, "first");

        for to in ["second", "third"] {
            rename(store, to).await;
            assert_eq!(name(store).await, to);
        }

        // Written but never committed: nothing changes.
        let mut tx = store.begin().await.unwrap();
        tx.update_case(&case("rolled back")).await.unwrap();
        drop(tx);
        assert_eq!(name(store).await, "third");

        // Another process on the same database.
        let other = Store::open(&scratch.url).await.unwrap();
        assert_eq!(name(&other).await, "third");
        rename(&other, "from elsewhere").await;
        assert_eq!(name(&other).await, "from elsewhere");
        tokio::time::sleep(READ_CACHE_TTL + std::time::Duration::from_millis(100)).await;
        assert_eq!(name(store).await, "from elsewhere");
        other.close().await;
    }
}
