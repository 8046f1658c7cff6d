//! Vue d'ensemble (`/`): the meetings and races of the chosen day, the model's pronostics and
//! value bets of that day, the headline figures of the period beside the previous period of the
//! same length, and races per day. An empty database shows how to fill it instead of an error.

use super::{Layout, cached, link};
use crate::charts::{self, Chart, Series};
use crate::error::{PageError, Result};
use crate::export::{self, Table};
use crate::filters::{Filters, Format, Params};
use crate::{AppState, format, today_in_paris};
use askama::Template;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use chrono::{Days, NaiveDate};
use pronoturf_core::domain::normalise_name;
use pronoturf_core::store::{
    DailyCount, MeetingSummary, PeriodFigures, PeriodFilter, RaceFilter, RaceSummary, RunnerName,
    StoredRacePrediction, TrackSummary,
};

mod picks;
pub use picks::{PickLine, Picks, ValueLine};

/// What the page shows, read from the Store.
pub struct OverviewData {
    /// The day shown.
    pub day: NaiveDate,
    /// Every track with its meetings: tells an empty database and the last day stored, and
    /// fills the filter form (cheaper than counting every table).
    pub tracks: Vec<TrackSummary>,
    /// Meetings of the day.
    pub meetings: Vec<MeetingSummary>,
    /// Races of the day that pass the filters.
    pub races: Vec<RaceSummary>,
    /// Figures of the period.
    pub current: PeriodFigures,
    /// Figures of the previous period, when the period has a length.
    pub previous: Option<PeriodFigures>,
    /// Races per day of the period.
    pub daily: Vec<DailyCount>,
    /// The period's Store filter.
    pub period: PeriodFilter,
    /// The model's predictions of the day's races (latest run).
    pub predictions: Vec<StoredRacePrediction>,
    /// Horse names of the day's runners, for the predictions.
    pub names: Vec<RunnerName>,
}

/// Reads everything the page needs.
pub async fn load(state: &AppState, filters: &Filters, today: NaiveDate) -> Result<OverviewData> {
    let day = filters.date.unwrap_or(today);
    let period = filters.period_filter(today);
    let store = &state.store;
    let previous_filter = filters.previous_filter(today);
    let empty = RaceFilter::default();
    // Independent reads run together: SQLite answers each on its own pooled connection.
    let (races, meetings, tracks, current, previous, daily, predictions, names) = tokio::join!(
        store.list_races(day, &empty),
        store.list_meetings(day),
        store.list_tracks(),
        store.period_figures(&period),
        async {
            match &previous_filter {
                Some(f) => store.period_figures(f).await.map(Some),
                None => Ok(None),
            }
        },
        store.daily_counts(&period),
        store.day_predictions(day),
        store.day_runner_names(day),
    );
    Ok(OverviewData {
        day,
        tracks: tracks?,
        meetings: meetings?,
        races: races?.into_iter().filter(|r| passes(r, filters)).collect(),
        current: current?,
        previous: previous?,
        daily: daily?,
        period,
        predictions: predictions?,
        names: names?,
    })
}

fn passes(race: &RaceSummary, f: &Filters) -> bool {
    let track = normalise_name(&race.track);
    (f.tracks.is_empty() || f.tracks.iter().any(|t| normalise_name(t) == track))
        && (f.disciplines.is_empty() || f.disciplines.contains(&race.discipline))
}

/// `/`: the page, or one of its tables as CSV.
pub async fn show(State(state): State<AppState>, uri: Uri, params: Params) -> Result<Response> {
    let today = today_in_paris();
    let filters = params.filters;
    if params.format == Format::Csv {
        let data = load(&state, &filters, today).await?;
        let mut all = tables(&data);
        all.extend(picks::tables(&data, &filters));
        return export::respond(all, params.table.as_deref());
    }
    cached(&state, &uri, async {
        let data = load(&state, &filters, today).await?;
        let tracks: Vec<String> = data.tracks.iter().map(|t| t.name.clone()).collect();
        Ok(OverviewPage::build(&data, &filters, &tracks)?.render()?)
    })
    .await
}

/// One race line.
pub struct RaceLine {
    /// Link to the race page, filters kept.
    pub href: String,
    /// `C3`.
    pub label: String,
    /// Race name.
    pub name: String,
    /// Paris time.
    pub time: String,
    /// Discipline.
    pub discipline: String,
    /// `2 700 m`.
    pub distance: String,
    /// Runners.
    pub runners: u32,
    /// Arrivée connue, officielle, à venir.
    pub state: &'static str,
}

/// One meeting with its races.
pub struct MeetingBlock {
    /// `R1 · VINCENNES`.
    pub title: String,
    /// Races passing the filters.
    pub races: Vec<RaceLine>,
}

/// One headline figure with the previous period's value and the change.
pub struct Figure {
    /// Label.
    pub label: &'static str,
    /// Value this period.
    pub value: String,
    /// Value last period.
    pub previous: String,
    /// Change.
    pub change: String,
}

/// The overview page.
#[derive(Template)]
#[template(path = "pages/overview.html")]
pub struct OverviewPage {
    /// Navigation and filters.
    pub layout: Layout,
    /// `14/06/2026`.
    pub day: String,
    /// `2026-06-14`, for commands.
    pub day_iso: String,
    /// Previous and next day, filters kept.
    pub prev_day_href: String,
    /// Next day.
    pub next_day_href: String,
    /// True when nothing at all is stored.
    pub empty_store: bool,
    /// When the day has no race: the last day stored, with its link.
    pub last_day: Option<(String, String)>,
    /// Meetings of the day.
    pub meetings: Vec<MeetingBlock>,
    /// `du 16/05/2026 au 14/06/2026`.
    pub period_label: String,
    /// Headline figures.
    pub figures: Vec<Figure>,
    /// Races per day.
    pub chart: Option<Chart>,
    /// CSV of the day's races.
    pub csv_races: String,
    /// CSV of the figures.
    pub csv_figures: String,
    /// The model's pronostics and value bets of the day.
    pub picks: Picks,
    /// CSV of the pronostics.
    pub csv_picks: String,
    /// CSV of the value bets.
    pub csv_values: String,
}

impl OverviewPage {
    /// Maps the data to what the template shows.
    pub fn build(data: &OverviewData, filters: &Filters, tracks: &[String]) -> Result<Self> {
        let layout =
            Layout::new("/", "Vue d'ensemble", filters, "/").with_form(filters, "/", tracks, None);
        let day_link = |d: Option<NaiveDate>| {
            let f = Filters {
                date: d,
                ..filters.clone()
            };
            link("/", &f.query())
        };
        let last_date = data.tracks.iter().filter_map(|t| t.last_date).max();
        let last_day = match last_date {
            Some(last) if data.races.is_empty() && last != data.day => {
                Some((format::date(last), day_link(Some(last))))
            }
            _ => None,
        };
        Ok(Self {
            layout,
            day: format::date(data.day),
            day_iso: data.day.to_string(),
            prev_day_href: day_link(data.day.checked_sub_days(Days::new(1))),
            next_day_href: day_link(data.day.checked_add_days(Days::new(1))),
            empty_store: data.tracks.is_empty(),
            last_day,
            meetings: meetings(data, filters),
            period_label: period_label(&data.period),
            figures: figures(&data.current, data.previous.as_ref()),
            chart: daily_chart(&data.daily)?,
            csv_races: link(
                "/",
                &filters.query_with(&[("format", "csv"), ("tableau", "courses")]),
            ),
            csv_figures: link(
                "/",
                &filters.query_with(&[("format", "csv"), ("tableau", "chiffres")]),
            ),
            picks: picks::picks(data, filters),
            csv_picks: link(
                "/",
                &filters.query_with(&[("format", "csv"), ("tableau", "pronostics")]),
            ),
            csv_values: link(
                "/",
                &filters.query_with(&[("format", "csv"), ("tableau", "value_bets")]),
            ),
        })
    }
}

fn meetings(data: &OverviewData, filters: &Filters) -> Vec<MeetingBlock> {
    let query = filters.query();
    data.meetings
        .iter()
        .filter_map(|m| {
            let races: Vec<RaceLine> = data
                .races
                .iter()
                .filter(|r| r.key.meeting == m.meeting.number)
                .map(|r| RaceLine {
                    href: link(
                        &format!("/courses/{}/{}/{}", r.key.date, r.key.meeting, r.key.race),
                        &query,
                    ),
                    label: format!("C{}", r.key.race),
                    name: r.name.clone().unwrap_or_default(),
                    time: format::or_dash(r.start_time, format::time),
                    discipline: r.discipline.clone(),
                    distance: format::or_dash(r.distance_m, |d| {
                        format!("{}\u{a0}m", format::int(d.into()))
                    }),
                    runners: r.runners,
                    state: if r.is_final {
                        "Arrivée officielle"
                    } else if r.has_result {
                        "Arrivée connue"
                    } else {
                        "À courir"
                    },
                })
                .collect();
            (!races.is_empty()).then(|| MeetingBlock {
                title: format!("R{} · {}", m.meeting.number, m.meeting.track.name),
                races,
            })
        })
        .collect()
}

fn period_label(p: &PeriodFilter) -> String {
    match (p.from, p.to) {
        (Some(from), Some(to)) => format!("du {} au {}", format::date(from), format::date(to)),
        _ => "toutes les dates enregistrées".to_string(),
    }
}

fn figures(c: &PeriodFigures, p: Option<&PeriodFigures>) -> Vec<Figure> {
    let count = |label, f: fn(&PeriodFigures) -> i64| Figure {
        label,
        value: format::int(f(c)),
        previous: format::or_dash(p, |p| format::int(f(p))),
        change: format::or_dash(p, |p| format::change(f(c) as f64, f(p) as f64)),
    };
    vec![
        count("Réunions", |f| f.meetings),
        count("Courses", |f| f.races),
        count("Partants", |f| f.runners),
        count("Non-partants", |f| f.non_runners),
        count("Courses avec arrivée", |f| f.races_with_result),
        Figure {
            label: "Partants par course",
            value: format::or_dash(c.average_field(), |v| format::dec(v, 1)),
            previous: format::or_dash(p.and_then(PeriodFigures::average_field), |v| {
                format::dec(v, 1)
            }),
            change: format::or_dash(
                c.average_field()
                    .zip(p.and_then(PeriodFigures::average_field)),
                |(c, p)| format::change(c, p),
            ),
        },
        Figure {
            label: "Victoires du favori (cote finale)",
            value: format::or_dash(c.favourite_win_rate(), format::pct),
            previous: format::or_dash(p.and_then(PeriodFigures::favourite_win_rate), format::pct),
            change: format::change_points(
                c.favourite_win_rate(),
                p.and_then(PeriodFigures::favourite_win_rate),
            ),
        },
    ]
}

fn daily_chart(daily: &[DailyCount]) -> Result<Option<Chart>> {
    if daily.is_empty() {
        return Ok(None);
    }
    let series = [Series {
        name: "Courses".into(),
        points: daily
            .iter()
            .map(|d| (charts::day_x(d.date), d.races as f64))
            .collect(),
    }];
    charts::lines(
        "Courses par jour sur la période",
        "Jour",
        "Courses",
        &series,
        &charts::day_label,
        &|y| format::dec(y, 0),
    )
    .map(Some)
    .map_err(PageError::Chart)
}

/// One figure of the CSV export, read from the period's figures.
type Indicator = fn(&PeriodFigures) -> Option<f64>;

/// The page's tables for CSV: the day's races and the figures.
pub fn tables(data: &OverviewData) -> Vec<Table> {
    let mut races = Table::new(
        "courses",
        vec![
            "date",
            "reunion",
            "course",
            "piste",
            "nom",
            "depart_utc",
            "discipline",
            "distance_m",
            "partants",
            "non_partants",
            "arrivee_connue",
        ],
    );
    for r in &data.races {
        races.push(vec![
            r.key.date.to_string(),
            r.key.meeting.to_string(),
            r.key.race.to_string(),
            r.track.clone(),
            r.name.clone().unwrap_or_default(),
            export::opt(r.start_time.map(|t| t.to_rfc3339())),
            r.discipline.clone(),
            export::opt(r.distance_m),
            r.runners.to_string(),
            r.non_runners.to_string(),
            r.has_result.to_string(),
        ]);
    }
    let mut figures = Table::new(
        "chiffres",
        vec!["indicateur", "periode", "periode_precedente"],
    );
    let c = &data.current;
    let p = data.previous.as_ref();
    let rows: [(&str, Indicator); 8] = [
        ("reunions", |f| Some(f.meetings as f64)),
        ("courses", |f| Some(f.races as f64)),
        ("partants", |f| Some(f.runners as f64)),
        ("non_partants", |f| Some(f.non_runners as f64)),
        ("courses_avec_arrivee", |f| Some(f.races_with_result as f64)),
        ("partants_par_course", PeriodFigures::average_field),
        ("courses_avec_favori", |f| Some(f.favourite_races as f64)),
        ("taux_victoire_favori", PeriodFigures::favourite_win_rate),
    ];
    for (name, value) in rows {
        figures.push(vec![
            name.to_string(),
            export::opt(value(c)),
            export::opt(p.and_then(value)),
        ]);
    }
    vec![races, figures]
}
