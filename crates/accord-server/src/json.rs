//! The JSON body extractor: a malformed body is a 400 and a wrong field a 422, both
//! naming the field by its path; an oversized body is a 413.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// The largest request body accepted, in bytes (a GENIUS domain with its profiles fits).
pub const BODY_LIMIT: usize = 4 * 1024 * 1024;

/// A JSON request body of type `T`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Body<T>(pub T);

impl<S, T> FromRequest<S> for Body<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::too_large(BODY_LIMIT)
                } else {
                    ApiError::bad_request(rejection.body_text())
                }
            })?;
        parse(&bytes).map(Body)
    }
}

/// Reads a JSON document, naming the path of the field at fault.
pub(crate) fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize(&mut deserializer) {
        Ok(value) => {
            deserializer.end().map_err(|e| {
                ApiError::bad_request(format!("the body is not one JSON value: {e}"))
            })?;
            Ok(value)
        }
        Err(error) => {
            let path = error.path().to_string();
            let inner = error.into_inner();
            if inner.is_data() {
                let field = if path == "." { String::new() } else { path };
                Err(ApiError::invalid(field, inner.to_string()))
            } else {
                Err(ApiError::bad_request(format!(
                    "the body is not valid JSON: {inner}"
                )))
            }
        }
    }
}
