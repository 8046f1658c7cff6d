//! House extractors: `Query`, `Path` and `Json` whose rejections are problem+json like every other error.

use crate::error::ApiError;
use axum::extract::{FromRequest, FromRequestParts};

/// `axum::extract::Query` answering bad input with a 400 problem.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Query<T>(pub T);

/// `axum::extract::Path` answering bad input with a 400 problem.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct Path<T>(pub T);

/// `axum::Json` answering a bad body with a problem (400 syntax, 415 not JSON, 422 wrong shape).
#[derive(Debug, FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct Json<T>(pub T);
