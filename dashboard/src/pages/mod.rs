//! The pages, one module each: a handler parses the query string, reads the Store, builds a
//! `XxxPage` struct and renders its template. What every page shares lives here: the layout
//! (navigation, filter form, auto-refresh) and the short page cache.

pub mod horses;
pub mod model;
pub mod ops;
pub mod overview;
pub mod people;
pub mod performance;
pub mod predictions;
pub mod race;
pub mod search;

use crate::error::{PageError, Result};
use crate::filters::{DISCIPLINES, Filters, Period};
use crate::{AppState, PAGE_TTL};
use axum::Router;
use axum::http::{Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// Every page's route.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(overview::show))
        .route("/courses/{date}/{meeting}/{race}", get(race::show))
        .route("/chevaux", get(horses::search))
        .route("/chevaux/{id}", get(horses::show))
        .route("/jockeys", get(people::search_jockeys))
        .route("/jockeys/{id}", get(people::show_jockey))
        .route("/entraineurs", get(people::search_trainers))
        .route("/entraineurs/{id}", get(people::show_trainer))
        .route("/performance", get(performance::show))
        .route("/modele", get(model::show))
        .route("/exploitation", get(ops::show))
}

/// One entry of the navigation bar.
pub struct NavLink {
    /// Label.
    pub label: &'static str,
    /// Address, filters included.
    pub href: String,
    /// True on the current page.
    pub current: bool,
}

/// One option of a filter menu.
pub struct Choice {
    /// Value sent.
    pub value: String,
    /// Label shown.
    pub label: String,
    /// Currently chosen.
    pub selected: bool,
}

/// The filter form (GET, so it works without JavaScript).
pub struct FilterForm {
    /// Address the form submits to: the current page.
    pub action: String,
    /// Période.
    pub periods: Vec<Choice>,
    /// Pistes stored.
    pub tracks: Vec<Choice>,
    /// Disciplines.
    pub disciplines: Vec<Choice>,
    /// The chosen date (empty for today).
    pub date: String,
    /// Search text kept by the form on search pages.
    pub search: Option<String>,
    /// Auto-refresh kept by the form.
    pub auto_refresh: bool,
    /// Minimum model win probability in percent (empty for none).
    pub min_confidence: String,
    /// Value bets only.
    pub value_only: bool,
}

/// What `base.html` needs on every page.
pub struct Layout {
    /// Page title.
    pub title: String,
    /// Navigation, filters kept in each link.
    pub nav: Vec<NavLink>,
    /// Meta refresh every minute when on.
    pub auto_refresh: bool,
    /// The current page with auto-refresh toggled.
    pub refresh_toggle: String,
    /// The filter form, on pages that use filters.
    pub form: Option<FilterForm>,
}

const NAV: [(&str, &str); 7] = [
    ("/", "Vue d'ensemble"),
    ("/performance", "Performance"),
    ("/modele", "Modèle"),
    ("/chevaux", "Chevaux"),
    ("/jockeys", "Jockeys"),
    ("/entraineurs", "Entraîneurs"),
    ("/exploitation", "Exploitation"),
];

impl Layout {
    /// A layout without filters (error page).
    pub fn plain(section: &str, title: &str) -> Self {
        Self::new(section, title, &Filters::default(), "/")
    }

    /// A page under navigation `section` ("/", "/chevaux"...), at `path`, with its filters.
    pub fn new(section: &str, title: &str, filters: &Filters, path: &str) -> Self {
        let query = filters.query();
        let nav = NAV
            .iter()
            .map(|(href, label)| NavLink {
                label,
                href: link(href, &query),
                current: *href == section,
            })
            .collect();
        let toggled = Filters {
            auto_refresh: !filters.auto_refresh,
            ..filters.clone()
        };
        Self {
            title: title.to_string(),
            nav,
            auto_refresh: filters.auto_refresh,
            refresh_toggle: link(path, &toggled.query()),
            form: None,
        }
    }

    /// Adds the filter form, listing `tracks`; `search` is kept on search pages.
    pub fn with_form(
        mut self,
        filters: &Filters,
        path: &str,
        tracks: &[String],
        search: Option<&str>,
    ) -> Self {
        self.form = Some(FilterForm {
            action: path.to_string(),
            periods: Period::ALL
                .iter()
                .map(|p| Choice {
                    value: p.code().into(),
                    label: p.label().into(),
                    selected: *p == filters.period,
                })
                .collect(),
            tracks: tracks
                .iter()
                .map(|t| Choice {
                    value: t.clone(),
                    label: t.clone(),
                    selected: filters.tracks.iter().any(|f| f.eq_ignore_ascii_case(t)),
                })
                .collect(),
            disciplines: DISCIPLINES
                .iter()
                .map(|(code, label)| Choice {
                    value: (*code).into(),
                    label: (*label).into(),
                    selected: filters.disciplines.iter().any(|d| d == code),
                })
                .collect(),
            date: filters.date.map(|d| d.to_string()).unwrap_or_default(),
            search: search.map(str::to_string),
            auto_refresh: filters.auto_refresh,
            min_confidence: filters
                .min_confidence
                .map(|c| c.to_string())
                .unwrap_or_default(),
            value_only: filters.value_only,
        });
        self
    }
}

/// The CSV download links of a page's tables, with the page's filters.
pub struct CsvLinks {
    links: Vec<(&'static str, String)>,
}

impl CsvLinks {
    /// The links of `tables` on the page at `path`.
    pub fn new(path: &str, filters: &Filters, tables: &[&'static str]) -> Self {
        let links = tables
            .iter()
            .map(|t| {
                let query = filters.query_with(&[("format", "csv"), ("tableau", t)]);
                (*t, link(path, &query))
            })
            .collect();
        Self { links }
    }

    /// The link of table `name` (empty for a table the page does not offer).
    pub fn get(&self, name: &str) -> String {
        self.links
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, href)| href.clone())
            .unwrap_or_default()
    }
}

/// `path?query`, or just `path` when the query is empty.
pub fn link(path: &str, query: &str) -> String {
    if query.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{query}")
    }
}

/// The page at `uri` from the cache, or rendered by `render` and cached for [`PAGE_TTL`].
/// Renders pass the [`pronoturf_core::gate::FillGate`], then look at the cache again: a burst of
/// requests for one expired page renders it once, not once per request.
pub async fn cached(
    state: &AppState,
    uri: &Uri,
    render: impl Future<Output = Result<String>>,
) -> Result<Response> {
    let key = format!("dashboard:{uri}");
    if let Some(body) = state.cache.get(&key).await {
        return Ok(html(body));
    }
    let _admission = state.renders.admit(&key).await;
    if let Some(body) = state.cache.get(&key).await {
        return Ok(html(body));
    }
    let body = render.await?;
    state
        .rendered
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    state.cache.set(&key, body.as_bytes(), PAGE_TTL).await;
    Ok(html(body.into_bytes()))
}

fn html(body: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

/// Track names for the filter form.
pub async fn track_names(state: &AppState) -> Result<Vec<String>> {
    Ok(state
        .store
        .list_tracks()
        .await?
        .into_iter()
        .map(|t| t.name)
        .collect())
}

/// Parses a numeric path segment; anything else is a 404 (no such page), never a 500.
pub fn path_number<T: std::str::FromStr>(raw: &str, what: &str) -> Result<T> {
    raw.parse()
        .map_err(|_| PageError::NotFound(format!("{what} « {raw} » n'existe pas.")))
}
