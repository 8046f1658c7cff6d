//! Jockeys and Entraîneurs: search by name, then a page each with the whole record, the rides
//! (or runners) of the period and runs and wins per month.

use super::horses::{finish_text, record_text};
use super::search::{self, LIMIT, Record, SearchPage};
use super::{Layout, cached, link, path_number, track_names};
use crate::charts::{self, Chart};
use crate::error::{PageError, Result};
use crate::export::{self, Table};
use crate::filters::{Filters, Format, Params};
use crate::{AppState, format, today_in_paris};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use pronoturf_core::store::{MonthlyRecord, Person, PersonSummary, RideLine};

/// Rides read for a page, newest first.
const FORM_LIMIT: u32 = 1000;

/// Jockey or trainer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Jockeys and drivers, under `/jockeys`.
    Jockey,
    /// Trainers, under `/entraineurs`.
    Trainer,
}

impl Role {
    fn section(self) -> &'static str {
        match self {
            Self::Jockey => "/jockeys",
            Self::Trainer => "/entraineurs",
        }
    }

    fn heading(self) -> &'static str {
        match self {
            Self::Jockey => "Jockeys",
            Self::Trainer => "Entraîneurs",
        }
    }
}

/// `/jockeys`.
pub async fn search_jockeys(state: State<AppState>, uri: Uri, params: Params) -> Result<Response> {
    search(state, uri, params, Role::Jockey).await
}

/// `/entraineurs`.
pub async fn search_trainers(state: State<AppState>, uri: Uri, params: Params) -> Result<Response> {
    search(state, uri, params, Role::Trainer).await
}

/// `/jockeys/{id}`.
pub async fn show_jockey(
    state: State<AppState>,
    id: Path<String>,
    uri: Uri,
    params: Params,
) -> Result<Response> {
    show(state, id, uri, params, Role::Jockey).await
}

/// `/entraineurs/{id}`.
pub async fn show_trainer(
    state: State<AppState>,
    id: Path<String>,
    uri: Uri,
    params: Params,
) -> Result<Response> {
    show(state, id, uri, params, Role::Trainer).await
}

async fn search(
    State(state): State<AppState>,
    uri: Uri,
    params: Params,
    role: Role,
) -> Result<Response> {
    let q = params.search.clone();
    let load = || async {
        let prefix = q.as_deref().unwrap_or("");
        let found = match role {
            Role::Jockey => state.store.search_jockeys(prefix, LIMIT, 0).await?,
            Role::Trainer => state.store.search_trainers(prefix, LIMIT, 0).await?,
        };
        Ok::<Vec<Record>, PageError>(
            found
                .into_iter()
                .map(|p| (p.id, p.name, p.runs, p.wins, p.places))
                .collect(),
        )
    };
    let name = match role {
        Role::Jockey => "jockeys",
        Role::Trainer => "entraineurs",
    };
    if params.format == Format::Csv {
        return export::respond(
            vec![search::table(name, &load().await?)],
            params.table.as_deref(),
        );
    }
    cached(&state, &uri, async {
        let label = match role {
            Role::Jockey => "Nom du jockey ou driver",
            Role::Trainer => "Nom de l'entraîneur",
        };
        let records = load().await?;
        Ok(SearchPage::build(
            role.section(),
            role.heading(),
            label,
            &params.filters,
            q.as_deref(),
            &records,
        )
        .render()?)
    })
    .await
}

async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
    uri: Uri,
    params: Params,
    role: Role,
) -> Result<Response> {
    let what = match role {
        Role::Jockey => "Le jockey",
        Role::Trainer => "L'entraîneur",
    };
    let id: i64 = path_number(&id, what)?;
    let today = today_in_paris();
    let filters = params.filters;
    let period = filters.period_filter(today);
    let load = || async {
        let (found, person) = match role {
            Role::Jockey => (
                state.store.jockey_form(id, FORM_LIMIT).await?,
                Person::Jockey(id),
            ),
            Role::Trainer => (
                state.store.trainer_form(id, FORM_LIMIT).await?,
                Person::Trainer(id),
            ),
        };
        let (summary, rides) = found.ok_or_else(|| {
            PageError::NotFound(format!("{what} d'identifiant {id} n'existe pas."))
        })?;
        let rides: Vec<RideLine> = rides
            .into_iter()
            .filter(|r| search::in_period(r.key.date, &r.track, &r.discipline, &period))
            .collect();
        let months = state.store.monthly_record(person, &period).await?;
        Ok::<_, PageError>((summary, rides, months))
    };
    if params.format == Format::Csv {
        let (summary, rides, _) = load().await?;
        return export::respond(vec![table(&summary, &rides)], params.table.as_deref());
    }
    cached(&state, &uri, async {
        let (summary, rides, months) = load().await?;
        let tracks = track_names(&state).await?;
        Ok(PersonPage::build(
            role,
            &summary,
            &rides,
            &months,
            &filters,
            uri.path(),
            &tracks,
        )?
        .render()?)
    })
    .await
}

/// One ride.
pub struct RideRow {
    /// `14/06/2026`.
    pub date: String,
    /// Race page link.
    pub href: String,
    /// `R1C3`.
    pub race: String,
    /// Track.
    pub track: String,
    /// Horse.
    pub horse: String,
    /// Horse page link.
    pub horse_href: String,
    /// The other person: trainer on a jockey's page, jockey on a trainer's.
    pub other: String,
    /// Final odds.
    pub odds: String,
    /// Position or status.
    pub finish: String,
}

/// A jockey's or trainer's page.
#[derive(Template)]
#[template(path = "pages/person.html")]
pub struct PersonPage {
    /// Navigation and filters.
    pub layout: Layout,
    /// Name.
    pub name: String,
    /// Jockey / driver, or Entraîneur.
    pub role: &'static str,
    /// Header of the "other person" column.
    pub other_heading: &'static str,
    /// Whole record.
    pub record: String,
    /// Record over the period.
    pub period_record: String,
    /// Rides of the period, newest first.
    pub rides: Vec<RideRow>,
    /// Runs and wins per month.
    pub chart: Option<Chart>,
    /// CSV of the rides.
    pub csv: String,
}

impl PersonPage {
    /// Maps the record, rides and months to the page.
    pub fn build(
        role: Role,
        p: &PersonSummary,
        rides: &[RideLine],
        months: &[MonthlyRecord],
        filters: &Filters,
        path: &str,
        tracks: &[String],
    ) -> Result<Self> {
        let query = filters.query();
        let (runs, wins, places) = months.iter().fold((0, 0, 0), |(r, w, pl), m| {
            (r + m.runs, w + m.wins, pl + m.places)
        });
        Ok(Self {
            layout: Layout::new(role.section(), &p.name, filters, path)
                .with_form(filters, path, tracks, None),
            name: p.name.clone(),
            role: match role {
                Role::Jockey => "Jockey / driver",
                Role::Trainer => "Entraîneur",
            },
            other_heading: match role {
                Role::Jockey => "Entraîneur",
                Role::Trainer => "Jockey / driver",
            },
            record: record_text(p.runs, p.wins, p.places),
            period_record: record_text(runs, wins, places),
            rides: rides
                .iter()
                .map(|r| RideRow {
                    date: format::date(r.key.date),
                    href: link(
                        &format!("/courses/{}/{}/{}", r.key.date, r.key.meeting, r.key.race),
                        &query,
                    ),
                    race: format!("R{}C{}", r.key.meeting, r.key.race),
                    track: r.track.clone(),
                    horse: r.horse.clone(),
                    horse_href: link(&format!("/chevaux/{}", r.horse_id), &query),
                    other: match role {
                        Role::Jockey => r.trainer.clone(),
                        Role::Trainer => r.jockey.clone(),
                    }
                    .unwrap_or_default(),
                    odds: format::or_dash(r.odds_final, |o| format::dec(o, 1)),
                    finish: finish_text(&r.status, r.finish),
                })
                .collect(),
            chart: monthly_chart(months)?,
            csv: link(path, &filters.query_with(&[("format", "csv")])),
        })
    }
}

/// Runs and wins per month, as grouped columns; months without a run are left out.
fn monthly_chart(months: &[MonthlyRecord]) -> Result<Option<Chart>> {
    let months: Vec<&MonthlyRecord> = months.iter().filter(|m| m.runs > 0).collect();
    if months.is_empty() {
        return Ok(None);
    }
    let labels: Vec<String> = months
        .iter()
        .map(|m| format::month(m.year, m.month))
        .collect();
    let series = vec![
        (
            "Courses".to_string(),
            months.iter().map(|m| m.runs as f64).collect(),
        ),
        (
            "Victoires".to_string(),
            months.iter().map(|m| m.wins as f64).collect(),
        ),
    ];
    charts::grouped_columns(
        "Courses et victoires par mois",
        "Mois",
        "Nombre",
        &labels,
        &series,
    )
    .map(Some)
    .map_err(PageError::Chart)
}

fn table(p: &PersonSummary, rides: &[RideLine]) -> Table {
    let mut t = Table::new(
        "courses",
        vec![
            "personne",
            "date",
            "reunion",
            "course",
            "piste",
            "discipline",
            "numero",
            "cheval",
            "jockey",
            "entraineur",
            "statut",
            "place",
            "cote_finale",
        ],
    );
    for r in rides {
        t.push(vec![
            p.name.clone(),
            r.key.date.to_string(),
            r.key.meeting.to_string(),
            r.key.race.to_string(),
            r.track.clone(),
            r.discipline.clone(),
            r.number.to_string(),
            r.horse.clone(),
            r.jockey.clone().unwrap_or_default(),
            r.trainer.clone().unwrap_or_default(),
            r.status.clone(),
            export::opt(r.finish),
            export::opt(r.odds_final),
        ]);
    }
    t
}
