//! House extractors: `Query` and `Path` whose rejections are problem+json like every other error.

use crate::error::ApiError;
use axum::extract::FromRequestParts;

/// `axum::extract::Query` answering bad input with a 400 problem.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Query<T>(pub T);

/// `axum::extract::Path` answering bad input with a 400 problem.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct Path<T>(pub T);
