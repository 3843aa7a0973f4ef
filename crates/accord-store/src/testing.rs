//! Scratch databases for tests: an SQLite file in the temporary folder always, and a
//! fresh PostgreSQL database when `ACCORD_TEST_DATABASE_URL` names a server (CI sets it).

use sqlx::Executor as _;
use sqlx::any::AnyPoolOptions;

use crate::{Store, StoreError, new_id};

/// The variable naming a PostgreSQL server for tests, e.g.
/// `postgres://postgres@127.0.0.1:55432/postgres`.
pub const DATABASE_URL_VAR: &str = "ACCORD_TEST_DATABASE_URL";

/// A store on a database of its own, removed (SQLite) or left for the cluster's
/// teardown (PostgreSQL) afterwards.
pub struct Scratch {
    /// The store.
    pub store: Store,
    /// Its URL, to reopen it (e.g. in a server process).
    pub url: String,
    file: Option<std::path::PathBuf>,
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Some(file) = &self.file {
            for suffix in ["", "-wal", "-shm"] {
                let mut path = file.clone().into_os_string();
                path.push(suffix);
                let _ = std::fs::remove_file(path);
            }
        }
    }
}

/// A fresh SQLite database in a temporary file.
pub async fn sqlite() -> Result<Scratch, StoreError> {
    let file = std::env::temp_dir().join(format!("accord-test-{}.db", new_id()));
    let url = format!("sqlite:{}", file.display());
    let store = Store::open(&url).await?;
    Ok(Scratch {
        store,
        url,
        file: Some(file),
    })
}

/// A fresh PostgreSQL database, when `ACCORD_TEST_DATABASE_URL` is set.
pub async fn postgres() -> Result<Option<Scratch>, StoreError> {
    let Ok(admin_url) = std::env::var(DATABASE_URL_VAR) else {
        return Ok(None);
    };
    if admin_url.is_empty() {
        return Ok(None);
    }
    sqlx::any::install_default_drivers();
    let name = format!("accord_test_{}", new_id());
    let admin = AnyPoolOptions::new()
        .max_connections(1)
        .connect(&admin_url)
        .await?;
    admin
        .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .await?;
    admin.close().await;
    let base = admin_url
        .rsplit_once('/')
        .map_or(admin_url.as_str(), |(base, _)| base);
    let url = format!("{base}/{name}");
    let store = Store::open(&url).await?;
    Ok(Some(Scratch {
        store,
        url,
        file: None,
    }))
}

/// Every backend to test on: SQLite, and PostgreSQL when configured.
pub async fn all() -> Result<Vec<Scratch>, StoreError> {
    let mut stores = vec![sqlite().await?];
    stores.extend(postgres().await?);
    Ok(stores)
}
