//! Routes: meetings.

use utoipa_axum::router::OpenApiRouter;

use crate::AppState;

/// The meetings routes.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
}
