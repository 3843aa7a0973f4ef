//! Routes: cases.

use utoipa_axum::router::OpenApiRouter;

use crate::AppState;

/// The cases routes.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
}

/// Placeholder.
pub async fn import_case() {}
