//! Chevaux: search by name (`/chevaux?q=`), then a horse's page (`/chevaux/{id}`) with its
//! record, its races in the period and its finishing positions over time.

use super::search::{self, LIMIT, Record, SearchPage};
use super::{Layout, cached, link, path_number, track_names};
use crate::charts::{self, Chart, Series};
use crate::error::{PageError, Result};
use crate::export::{self, Table};
use crate::filters::{Filters, Format, Params};
use crate::{AppState, format, today_in_paris};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use chrono::NaiveDate;
use pronoturf_core::store::{FormLine, HorseSummary};

/// Races read for a horse's page, newest first.
const FORM_LIMIT: u32 = 500;

/// `/chevaux`: search by name prefix.
pub async fn search(State(state): State<AppState>, uri: Uri, params: Params) -> Result<Response> {
    let q = params.search.clone();
    let load = || async {
        let found = state
            .store
            .search_horses(q.as_deref().unwrap_or(""), LIMIT, 0)
            .await?;
        Ok::<Vec<Record>, PageError>(
            found
                .into_iter()
                .map(|h| (h.id, h.name, h.runs, h.wins, h.places))
                .collect(),
        )
    };
    if params.format == Format::Csv {
        return export::respond(
            vec![search::table("chevaux", &load().await?)],
            params.table.as_deref(),
        );
    }
    cached(&state, &uri, async {
        let records = load().await?;
        let page = SearchPage::build(
            "/chevaux",
            "Chevaux",
            "Nom du cheval",
            &params.filters,
            q.as_deref(),
            &records,
        );
        Ok(page.render()?)
    })
    .await
}

/// `/chevaux/{id}`: a horse's page; 404 for an unknown horse.
pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
    uri: Uri,
    params: Params,
) -> Result<Response> {
    let id: i64 = path_number(&id, "Le cheval")?;
    let today = today_in_paris();
    let filters = params.filters;
    let load = || async {
        let (horse, form) = state
            .store
            .horse_form(id, FORM_LIMIT)
            .await?
            .ok_or_else(|| PageError::NotFound(format!("Aucun cheval n'a l'identifiant {id}.")))?;
        let period = filters.period_filter(today);
        let lines: Vec<FormLine> = form
            .into_iter()
            .filter(|l| search::in_period(l.key.date, &l.track, &l.discipline, &period))
            .collect();
        Ok::<_, PageError>((horse, lines))
    };
    if params.format == Format::Csv {
        let (horse, lines) = load().await?;
        return export::respond(vec![table(&horse, &lines)], params.table.as_deref());
    }
    cached(&state, &uri, async {
        let (horse, lines) = load().await?;
        let tracks = track_names(&state).await?;
        Ok(HorsePage::build(&horse, &lines, &filters, uri.path(), &tracks)?.render()?)
    })
    .await
}

/// One race of the horse.
pub struct HorseLine {
    /// `14/06/2026`.
    pub date: String,
    /// Race page link.
    pub href: String,
    /// `R1C3`.
    pub race: String,
    /// Track.
    pub track: String,
    /// Discipline.
    pub discipline: String,
    /// Distance.
    pub distance: String,
    /// Jockey.
    pub jockey: String,
    /// Final odds.
    pub odds: String,
    /// Position or status.
    pub finish: String,
}

/// A horse's page.
#[derive(Template)]
#[template(path = "pages/horse.html")]
pub struct HorsePage {
    /// Navigation and filters.
    pub layout: Layout,
    /// Name.
    pub name: String,
    /// Sex and birth year.
    pub facts: String,
    /// Whole record: runs, wins, places.
    pub record: String,
    /// Record over the period's races.
    pub period_record: String,
    /// Races in the period, newest first.
    pub lines: Vec<HorseLine>,
    /// Finishing positions over time.
    pub chart: Option<Chart>,
    /// CSV of the races.
    pub csv: String,
}

impl HorsePage {
    /// Maps the horse and its races to the page.
    pub fn build(
        horse: &HorseSummary,
        lines: &[FormLine],
        filters: &Filters,
        path: &str,
        tracks: &[String],
    ) -> Result<Self> {
        let query = filters.query();
        let mut facts = Vec::new();
        facts.extend(horse.sex.as_deref().map(|s| match s {
            "M" => "Mâle".to_string(),
            "F" => "Femelle".to_string(),
            "H" => "Hongre".to_string(),
            other => other.to_string(),
        }));
        facts.extend(horse.birth_year.map(|y| format!("né en {y}")));
        let runs = lines
            .iter()
            .filter(|l| matches!(l.status.as_str(), "RAN" | "DNF"))
            .count() as i64;
        let wins = lines.iter().filter(|l| l.finish == Some(1)).count() as i64;
        let places = lines
            .iter()
            .filter(|l| l.finish.is_some_and(|f| (1..=3).contains(&f)))
            .count() as i64;
        Ok(Self {
            layout: Layout::new("/chevaux", &horse.name, filters, path)
                .with_form(filters, path, tracks, None),
            name: horse.name.clone(),
            facts: facts.join(" · "),
            record: record_text(horse.runs, horse.wins, horse.places),
            period_record: record_text(runs, wins, places),
            lines: lines
                .iter()
                .map(|l| HorseLine {
                    date: format::date(l.key.date),
                    href: link(
                        &format!("/courses/{}/{}/{}", l.key.date, l.key.meeting, l.key.race),
                        &query,
                    ),
                    race: format!("R{}C{}", l.key.meeting, l.key.race),
                    track: l.track.clone(),
                    discipline: l.discipline.clone(),
                    distance: format::or_dash(l.distance_m, |d| {
                        format!("{}\u{a0}m", format::int(d.into()))
                    }),
                    jockey: l.jockey.clone().unwrap_or_default(),
                    odds: format::or_dash(l.odds_final, |o| format::dec(o, 1)),
                    finish: finish_text(&l.status, l.finish),
                })
                .collect(),
            chart: positions_chart(lines.iter().map(|l| (l.key.date, l.finish)))?,
            csv: link(path, &filters.query_with(&[("format", "csv")])),
        })
    }
}

/// `12 courses, 3 victoires, 7 places (25,0 %)`.
pub fn record_text(runs: i64, wins: i64, places: i64) -> String {
    let rate = format::or_dash((runs > 0).then(|| wins as f64 / runs as f64), format::pct);
    format!(
        "{} course(s), {} victoire(s), {} place(s) dans les 3 premiers · réussite {rate}",
        format::int(runs),
        format::int(wins),
        format::int(places)
    )
}

/// A finishing position, or the status in French.
pub fn finish_text(status: &str, finish: Option<u32>) -> String {
    match (finish, status) {
        (Some(f), _) => f.to_string(),
        (None, "NON_RUNNER") => "non-partant".into(),
        (None, "DNF") => "non classé".into(),
        (None, _) => "—".into(),
    }
}

/// Finishing positions over time (first place at the top), from dated positions.
pub fn positions_chart(
    points: impl Iterator<Item = (NaiveDate, Option<u32>)>,
) -> Result<Option<Chart>> {
    let mut points: Vec<(f64, f64)> = points
        .filter_map(|(d, f)| f.map(|f| (charts::day_x(d), -f64::from(f))))
        .collect();
    if points.is_empty() {
        return Ok(None);
    }
    points.sort_by(|a, b| a.0.total_cmp(&b.0));
    charts::lines(
        "Classement à l'arrivée au fil des courses",
        "Date de la course",
        "Place (1 = gagnant)",
        &[Series {
            name: "Place".into(),
            points,
        }],
        &charts::day_label,
        // Positions are drawn negated so that the winner sits at the top.
        &|y| {
            if y <= -1.0 && (y - y.round()).abs() < 1e-6 {
                format!("{}", -y)
            } else {
                String::new()
            }
        },
    )
    .map(Some)
    .map_err(PageError::Chart)
}

fn table(horse: &HorseSummary, lines: &[FormLine]) -> Table {
    let mut t = Table::new(
        "courses_cheval",
        vec![
            "cheval",
            "date",
            "reunion",
            "course",
            "piste",
            "discipline",
            "distance_m",
            "numero",
            "jockey",
            "statut",
            "place",
            "cote_finale",
        ],
    );
    for l in lines {
        t.push(vec![
            horse.name.clone(),
            l.key.date.to_string(),
            l.key.meeting.to_string(),
            l.key.race.to_string(),
            l.track.clone(),
            l.discipline.clone(),
            export::opt(l.distance_m),
            l.number.to_string(),
            l.jockey.clone().unwrap_or_default(),
            l.status.clone(),
            export::opt(l.finish),
            export::opt(l.odds_final),
        ]);
    }
    t
}
