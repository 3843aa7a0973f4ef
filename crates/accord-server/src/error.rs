//! One error type for every handler: a status and a JSON body naming the field.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use accord_formats::FormatError;
use accord_store::StoreError;

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable code: `bad_request`, `invalid`, `unauthorized`, `forbidden`, `not_found`,
    /// `conflict`, `too_large`, `too_many_requests`, `busy`, `internal`.
    pub code: &'static str,
    /// A message for people.
    pub message: String,
    /// The request field at fault, as a path (`points[2].options`), when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Every problem found, when there are several (e.g. a case file with three errors).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<ProblemBody>,
}

/// One problem in an uploaded document.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemBody {
    /// The field (path) at fault.
    pub field: String,
    /// 1-based line, when the document has lines.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// 1-based column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// What is wrong.
    pub message: String,
}

/// An error a handler returns; it becomes a status and an [`ErrorBody`].
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    field: Option<String>,
    problems: Vec<ProblemBody>,
    /// Seconds after which to try again, for a 503.
    retry_after: Option<u64>,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            field: None,
            problems: Vec::new(),
            retry_after: None,
        }
    }

    /// 400: the request is malformed.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    /// 422: a field holds a value the server cannot accept.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        let mut error = Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message);
        error.field = Some(field.into());
        error
    }

    /// 401: no valid session.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    /// 403: the account may not do this.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    /// 404: no such resource (or none the account may know of).
    pub fn not_found(what: impl Into<String>) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no {}", what.into()),
        )
    }

    /// 409: the request conflicts with the current state.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", message)
    }

    /// 413: the request body is over the limit.
    #[must_use]
    pub fn too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("the request body is over the limit of {limit} bytes"),
        )
    }

    /// 429: too many attempts; try again after `retry_after_s` seconds (`Retry-After`).
    pub fn too_many_requests(message: impl Into<String>, retry_after_s: u64) -> Self {
        let mut error = Self::new(StatusCode::TOO_MANY_REQUESTS, "too_many_requests", message);
        error.retry_after = Some(retry_after_s);
        error
    }

    /// 422 `too_large`: the work the request asks for (an analysis) is more than the
    /// server does for one request.
    pub fn too_much_work(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "too_large", message)
    }

    /// 503: the server is busy with heavy work; the answer says when to try again
    /// (`Retry-After`, in seconds).
    pub fn busy(message: impl Into<String>, retry_after_s: u64) -> Self {
        let mut error = Self::new(StatusCode::SERVICE_UNAVAILABLE, "busy", message);
        error.retry_after = Some(retry_after_s);
        error
    }

    /// 500: something the client cannot fix; logged, never detailed to the client.
    pub fn internal(message: impl std::fmt::Display) -> Self {
        tracing::error!("internal error: {message}");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal server error",
        )
    }

    /// The stable code (see [`ErrorDetail::code`]).
    #[must_use]
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The same error naming the request field at fault.
    #[must_use]
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// A 422 for a document that failed to read, with every problem; `field` is the request
    /// field that held the document.
    #[must_use]
    pub fn from_format(field: &str, error: &FormatError) -> Self {
        let problems: Vec<ProblemBody> = error
            .problems
            .iter()
            .map(|p| ProblemBody {
                field: p.field.clone(),
                line: p.line_col.map(|(line, _)| line),
                column: p.line_col.map(|(_, column)| column),
                message: p.message.clone(),
            })
            .collect();
        let mut api = Self::invalid(field, error.to_string());
        api.problems = problems;
        api
    }

    /// The message for people.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The request field at fault, if one is named.
    #[must_use]
    pub fn field(&self) -> Option<&str> {
        self.field.as_deref()
    }

    /// The status this error is sent with.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        self.status
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Conflict(what) => Self::conflict(format!("{what} exists already")),
            other => Self::internal(other),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: self.message,
                field: self.field,
                problems: self.problems,
            },
        };
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(seconds),
            );
        }
        response
    }
}

/// What handlers return.
pub type ApiResult<T> = Result<T, ApiError>;
