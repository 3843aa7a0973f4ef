//! Routes: drafts.

use utoipa_axum::router::OpenApiRouter;

use crate::AppState;

/// The drafts routes.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
}
