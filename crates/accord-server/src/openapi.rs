//! The `OpenAPI` document's frame: title, version, the bearer scheme, the tags. The paths
//! come from each handler's `#[utoipa::path]`.

use utoipa::openapi::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};

/// The document before the routes add their paths.
pub(crate) fn base() -> OpenApi {
    let mut document = OpenApi::builder()
        .info(
            utoipa::openapi::InfoBuilder::new()
                .title("accord workbench API")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "Cases, positions, drafts, the one-text procedure, channels and meetings. \
                     Log in with POST /api/login and send the token as `Authorization: Bearer TOKEN`.",
                ))
                .build(),
        )
        .build();
    let components = document.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
    );
    document.security = Some(vec![SecurityRequirement::new(
        "bearer",
        Vec::<String>::new(),
    )]);
    document
}
