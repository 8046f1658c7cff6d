//! The Modèle page as shown: its lines, charts and CSV tables, built from [`ModelData`].

use super::drift::{Drift, NOTABLE};
use super::scores::{self, LossSummary};
use super::{Champion, ModelData};
use crate::charts::{self, Chart, Series};
use crate::error::{PageError, Result};
use crate::export::{self, Table};
use crate::filters::Filters;
use crate::format;
use crate::pages::{CsvLinks, Layout};
use askama::Template;
use chrono::NaiveDate;
use pronoturf_core::store::DataQuality;
use pronoturf_ml::ServingModel;

/// Features drawn in the importance chart and listed in the drift table.
const TOP_FEATURES: usize = 15;

/// One model version.
pub struct VersionLine {
    /// Version.
    pub version: String,
    /// Champion.
    pub champion: bool,
    /// Recipe, training range and size, or why its metrics are unreadable.
    pub trained: String,
    /// Created.
    pub created: String,
    /// Log-loss of the new recipe against the champion's when it was trained.
    pub comparison: String,
    /// Promoted or not, and why.
    pub decision: String,
}

/// One week of scores (or the whole period).
pub struct LossLine {
    /// `semaine du 05/01/2026` or `Période`.
    pub label: String,
    /// Races.
    pub races: usize,
    /// Model.
    pub model: String,
    /// Morning market.
    pub morning: String,
    /// Final market.
    pub closing: String,
    /// Model minus final market: negative is better than the market.
    pub gap: String,
    /// Top pick wins.
    pub top_pick: String,
}

/// One line of a simple two-or-more column table.
pub struct Row {
    /// Label.
    pub label: String,
    /// Values.
    pub values: Vec<String>,
    /// Flagged (shown in the warning colour).
    pub flag: bool,
}

/// The Modèle page.
#[derive(Template)]
#[template(path = "pages/model.html")]
pub struct ModelPage {
    /// Navigation and filters.
    pub layout: Layout,
    /// Registry folder.
    pub folder: String,
    /// Versions, newest first.
    pub versions: Vec<VersionLine>,
    /// Why the registry could not be read.
    pub registry_error: Option<String>,
    /// Champion status in words.
    pub champion: String,
    /// True when a champion is loaded.
    pub has_champion: bool,
    /// Settled races with a single winner predicted, and how many could be scored.
    pub scored: String,
    /// Weekly scores, then the period's.
    pub losses: Vec<LossLine>,
    /// Weekly log-loss chart.
    pub loss_chart: Option<Chart>,
    /// Calibration bins.
    pub calibration: Vec<Row>,
    /// Reliability diagram.
    pub calibration_chart: Option<Chart>,
    /// Feature importance.
    pub importance: Vec<Row>,
    /// How the importance is computed.
    pub importance_note: String,
    /// Importance chart.
    pub importance_chart: Option<Chart>,
    /// Drift window, or why there is none.
    pub drift_note: String,
    /// Largest shifts.
    pub drift: Vec<Row>,
    /// Data-quality checks.
    pub quality: Vec<Row>,
    /// CSV links of the tables.
    pub csv: CsvLinks,
}

/// CSV tables of the page, in order.
const TABLES: [&str; 6] = [
    "versions",
    "logloss",
    "calibration",
    "importance",
    "derive",
    "qualite",
];

impl ModelPage {
    /// Maps the data to what the template shows.
    pub fn build(data: &ModelData, filters: &Filters, layout: Layout) -> Result<Self> {
        let (scores, with_winner) = scores::race_scores(&data.predicted);
        let (weeks, total) = scores::weekly(&scores);
        let bins = scores::calibration(&data.predicted);
        let model = match &data.champion {
            Champion::Loaded(_, m) => Some(m.as_ref()),
            _ => None,
        };
        let importance = model.map(importance).unwrap_or_default();
        Ok(Self {
            layout,
            folder: data.folder.clone(),
            versions: versions(data),
            registry_error: data.versions.as_ref().err().cloned(),
            champion: match &data.champion {
                Champion::None => "Aucun champion : aucun modèle n'a encore été entraîné.".into(),
                Champion::Broken(e) => format!("Le champion désigné ne se charge pas : {e}"),
                Champion::Loaded(v, m) => format!(
                    "Champion : {v} ({}, appris du {} au {}, {} courses).",
                    m.spec.name,
                    format::date(m.trained_from),
                    format::date(m.trained_until),
                    format::int(m.train_races() as i64)
                ),
            },
            has_champion: model.is_some(),
            scored: format!(
                "{} course(s) avec arrivée et prédiction sur la période, dont {} comparable(s) \
                 (cotes du matin et finales connues pour tous les partants prédits).",
                format::int(with_winner as i64),
                format::int(scores.len() as i64)
            ),
            losses: weeks.iter().chain(total.as_ref()).map(loss_line).collect(),
            loss_chart: loss_chart(&weeks)?,
            calibration: bins
                .iter()
                .map(|b| Row {
                    label: format!("{} à {}", format::pct(b.low), format::pct(b.high)),
                    values: vec![
                        format::int(b.runners as i64),
                        format::pct(b.predicted),
                        format::pct(b.observed),
                    ],
                    flag: false,
                })
                .collect(),
            calibration_chart: calibration_chart(&bins)?,
            importance_note: model.map(importance_note).unwrap_or_default(),
            importance_chart: importance_chart(&importance)?,
            importance: importance
                .iter()
                .map(|(name, beta, served)| Row {
                    label: name.clone(),
                    values: vec![format::dec(*beta, 3), format::dec(*served, 3)],
                    flag: false,
                })
                .collect(),
            drift_note: drift_note(data.drift.as_deref()),
            drift: drift_rows(data.drift.as_deref()),
            quality: quality_rows(&data.quality, data.today),
            csv: CsvLinks::new("/modele", filters, &TABLES),
        })
    }
}

fn versions(data: &ModelData) -> Vec<VersionLine> {
    let Ok(entries) = &data.versions else {
        return Vec::new();
    };
    entries
        .iter()
        .rev()
        .map(|e| match &e.metrics {
            Ok(m) => {
                let d = m.decision.as_ref();
                VersionLine {
                    version: e.version.clone(),
                    champion: e.champion,
                    trained: format!(
                        "{}, du {} au {}, {} courses (l2 = {})",
                        m.model,
                        format::date(m.trained_from),
                        format::date(m.trained_until),
                        format::int(m.train_races as i64),
                        m.l2
                    ),
                    created: format::date_time(m.created_at),
                    comparison: d
                        .and_then(|d| {
                            let new = d.new_logloss?;
                            Some(match d.champion_logloss {
                                Some(old) => format!(
                                    "{} contre {} (champion d'alors), {} courses",
                                    format::dec(new, 4),
                                    format::dec(old, 4),
                                    d.races.unwrap_or_default()
                                ),
                                None => {
                                    format!("{} (pas de champion à comparer)", format::dec(new, 4))
                                }
                            })
                        })
                        .unwrap_or_else(|| "—".into()),
                    decision: d.map_or("—".into(), |d| {
                        format!(
                            "{} : {}",
                            if d.promoted { "promu" } else { "non promu" },
                            d.reason
                        )
                    }),
                }
            }
            Err(err) => VersionLine {
                version: e.version.clone(),
                champion: e.champion,
                trained: format!("métriques illisibles : {err}"),
                created: "—".into(),
                comparison: "—".into(),
                decision: "—".into(),
            },
        })
        .collect()
}

fn loss_line(s: &LossSummary) -> LossLine {
    LossLine {
        label: s.week.map_or("Période".into(), |w| {
            format!("semaine du {}", format::date(w))
        }),
        races: s.races,
        model: format::dec(s.model, 4),
        morning: format::dec(s.morning, 4),
        closing: format::dec(s.closing, 4),
        gap: format!(
            "{}{}",
            if s.model >= s.closing { "+" } else { "" },
            format::dec(s.model - s.closing, 4)
        ),
        top_pick: format::pct(s.top_pick_rate),
    }
}

fn loss_chart(weeks: &[LossSummary]) -> Result<Option<Chart>> {
    if weeks.is_empty() {
        return Ok(None);
    }
    let x = |d: Option<NaiveDate>| d.map_or(0.0, charts::day_x);
    let series = |name: &str, f: fn(&LossSummary) -> f64| Series {
        name: name.into(),
        points: weeks.iter().map(|w| (x(w.week), f(w))).collect(),
    };
    charts::lines(
        "Log-loss par course, chaque semaine : modèle et marché sur les mêmes courses",
        "Semaine (lundi)",
        "Log-loss moyenne (plus bas = mieux)",
        &[
            series("Modèle", |w| w.model),
            series("Marché (cotes du matin)", |w| w.morning),
            series("Marché (cotes finales)", |w| w.closing),
        ],
        &charts::day_label,
        &|y| format::dec(y, 2),
    )
    .map(Some)
    .map_err(PageError::Chart)
}

fn calibration_chart(bins: &[scores::Bin]) -> Result<Option<Chart>> {
    if bins.is_empty() {
        return Ok(None);
    }
    let top = bins
        .iter()
        .map(|b| b.predicted.max(b.observed))
        .fold(0.0_f64, f64::max)
        * 100.0;
    let series = [
        Series {
            name: "Modèle (fréquence observée)".into(),
            points: bins
                .iter()
                .map(|b| (b.predicted * 100.0, b.observed * 100.0))
                .collect(),
        },
        Series {
            name: "Calibration parfaite".into(),
            points: vec![(0.0, 0.0), (top, top)],
        },
    ];
    charts::lines(
        "Calibration : probabilité prédite et fréquence de victoire observée",
        "Probabilité de victoire prédite (%)",
        "Victoires observées (%)",
        &series,
        &|x| format::dec(x, 0),
        &|y| format::dec(y, 0),
    )
    .map(Some)
    .map_err(PageError::Chart)
}

/// (feature, standardised stage-1 coefficient, weight in the served log-odds), largest first.
/// The standardised coefficient is |raw coefficient| × the feature's training standard
/// deviation: what one standard deviation adds to the log-odds. With a second stage, the served
/// weight is that times the stage-2 coefficient on ln p_model.
fn importance(model: &ServingModel) -> Vec<(String, f64, f64)> {
    let a = model
        .stage2
        .as_ref()
        .and_then(|s| s.raw_coefficients().get(0).copied())
        .unwrap_or(1.0);
    let mut out: Vec<(String, f64, f64)> = model
        .features
        .iter()
        .zip(model.stage1.coefficients.iter())
        .map(|(name, beta)| (name.clone(), *beta, a * beta))
        .collect();
    out.sort_by(|x, y| y.2.abs().total_cmp(&x.2.abs()));
    out
}

fn importance_note(model: &ServingModel) -> String {
    match model.stage2.as_ref().map(|s| s.raw_coefficients()) {
        Some(c) if c.len() == 2 => format!(
            "Poids exacts du modèle linéaire (logit conditionnel) : log-cote ajoutée par un écart-type \
             de la variable. La seconde étape combine ln p_modèle (× {}) et ln p_marché du matin \
             (× {}) ; le poids servi est le poids de l'étape 1 × {}.",
            format::dec(c[0], 3),
            format::dec(c[1], 3),
            format::dec(c[0], 3)
        ),
        _ => "Poids exacts du modèle linéaire (logit conditionnel) : log-cote ajoutée par un \
              écart-type de la variable ; pas de seconde étape, les probabilités servies sont \
              celles de l'étape 1."
            .into(),
    }
}

fn importance_chart(importance: &[(String, f64, f64)]) -> Result<Option<Chart>> {
    if importance.is_empty() {
        return Ok(None);
    }
    let top = &importance[..importance.len().min(TOP_FEATURES)];
    let labels: Vec<String> = top
        .iter()
        .map(|(n, _, w)| format!("{n} ({})", if *w >= 0.0 { "+" } else { "−" }))
        .collect();
    let values = vec![(
        "|poids servi|".to_string(),
        top.iter().map(|(_, _, w)| w.abs()).collect(),
    )];
    charts::horizontal_bars(
        "Importance des variables du champion (15 plus fortes)",
        "|Log-cote par écart-type|",
        "Variable (signe de l'effet)",
        &labels,
        &values,
    )
    .map(Some)
    .map_err(PageError::Chart)
}

fn drift_note(drift: Option<&Drift>) -> String {
    match drift {
        None => "Pas de champion chargé : pas de dérive à mesurer.".into(),
        Some(Drift::Pending) => "La dérive est en cours de calcul (elle reconstruit les variables \
             de tout l'historique) : rechargez la page dans une minute."
            .into(),
        Some(Drift::NoRecentRaces { trained_until }) => format!(
            "Aucune course enregistrée après la fin de l'entraînement du champion ({}) : pas de \
             dérive à mesurer.",
            format::date(*trained_until)
        ),
        Some(Drift::Report {
            from, to, runners, ..
        }) => format!(
            "Partants du {} au {} ({}) comparés aux partants d'entraînement : écart des moyennes \
             en écarts-types d'entraînement ; à partir de {} l'écart est signalé.",
            format::date(*from),
            format::date(*to),
            format::int(*runners as i64),
            format::dec(NOTABLE, 2)
        ),
    }
}

fn drift_rows(drift: Option<&Drift>) -> Vec<Row> {
    let Some(Drift::Report { features, .. }) = drift else {
        return Vec::new();
    };
    features
        .iter()
        .take(TOP_FEATURES)
        .map(|f| Row {
            label: f.feature.clone(),
            values: vec![
                format::dec(f.train_mean, 3),
                format::dec(f.recent_mean, 3),
                format::dec(f.train_sd, 3),
                format::dec(f.recent_sd, 3),
                format::dec(f.smd, 2),
            ],
            flag: f.smd.abs() >= NOTABLE,
        })
        .collect()
}

/// The checks, with their count and share; any count above zero is flagged.
fn quality_checks(q: &DataQuality) -> [(&'static str, i64, i64); 7] {
    [
        (
            "Partants sans aucune cote (ni matin ni finale)",
            q.runners_without_odds,
            q.runners,
        ),
        ("Courses sans partant", q.races_without_runners, q.races),
        (
            "Courses passées sans arrivée",
            q.past_races_without_result,
            q.races,
        ),
        (
            "Courses avec arrivée sans rapport",
            q.results_without_payouts,
            q.races,
        ),
        (
            "Courses avec arrivée sans gagnant parmi les partants",
            q.results_without_winner,
            q.races,
        ),
        (
            "Courses passées sans prédiction",
            q.past_races_without_prediction,
            q.races,
        ),
        ("Courses contrôlées", q.races, q.races),
    ]
}

fn quality_rows(q: &DataQuality, today: NaiveDate) -> Vec<Row> {
    quality_checks(q)
        .into_iter()
        .map(|(label, n, of)| {
            let controlled = label == "Courses contrôlées";
            Row {
                label: if label.contains("passées") {
                    format!("{label} (avant le {})", format::date(today))
                } else {
                    label.to_string()
                },
                values: vec![
                    format::int(n),
                    if controlled || of == 0 {
                        "—".into()
                    } else {
                        format::pct(n as f64 / of as f64)
                    },
                ],
                flag: !controlled && n > 0,
            }
        })
        .collect()
}

/// The page's tables for CSV.
pub fn tables(data: &ModelData) -> Vec<Table> {
    let mut versions = Table::new(
        "versions",
        vec![
            "version",
            "champion",
            "modele",
            "appris_du",
            "appris_au",
            "courses",
            "logloss_nouveau",
            "logloss_champion",
            "promu",
            "raison",
        ],
    );
    for e in data
        .versions
        .as_ref()
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        let m = e.metrics.as_ref().ok();
        let d = m.and_then(|m| m.decision.as_ref());
        versions.push(vec![
            e.version.clone(),
            e.champion.to_string(),
            export::opt(m.map(|m| m.model.clone())),
            export::opt(m.map(|m| m.trained_from)),
            export::opt(m.map(|m| m.trained_until)),
            export::opt(m.map(|m| m.train_races)),
            export::opt(d.and_then(|d| d.new_logloss)),
            export::opt(d.and_then(|d| d.champion_logloss)),
            export::opt(d.map(|d| d.promoted)),
            export::opt(d.map(|d| d.reason.clone())),
        ]);
    }
    let (scores, _) = scores::race_scores(&data.predicted);
    let (weeks, _) = scores::weekly(&scores);
    let mut losses = Table::new(
        "logloss",
        vec![
            "semaine",
            "courses",
            "modele",
            "marche_matin",
            "marche_final",
            "favori_modele_gagnant",
        ],
    );
    for w in &weeks {
        losses.push(vec![
            export::opt(w.week),
            w.races.to_string(),
            w.model.to_string(),
            w.morning.to_string(),
            w.closing.to_string(),
            w.top_pick_rate.to_string(),
        ]);
    }
    let mut calibration = Table::new(
        "calibration",
        vec![
            "borne_basse",
            "borne_haute",
            "partants",
            "probabilite_moyenne",
            "frequence_observee",
        ],
    );
    for b in scores::calibration(&data.predicted) {
        calibration.push(vec![
            b.low.to_string(),
            b.high.to_string(),
            b.runners.to_string(),
            b.predicted.to_string(),
            b.observed.to_string(),
        ]);
    }
    let mut importance_table = Table::new(
        "importance",
        vec!["variable", "coefficient_standardise", "poids_servi"],
    );
    if let Champion::Loaded(_, m) = &data.champion {
        for (name, beta, served) in importance(m) {
            importance_table.push(vec![name, beta.to_string(), served.to_string()]);
        }
    }
    let mut drift = Table::new(
        "derive",
        vec![
            "variable",
            "moyenne_entrainement",
            "moyenne_recente",
            "ecart_type_entrainement",
            "ecart_type_recent",
            "ecart_standardise",
        ],
    );
    if let Some(Drift::Report { features, .. }) = data.drift.as_deref() {
        for f in features {
            drift.push(vec![
                f.feature.clone(),
                f.train_mean.to_string(),
                f.recent_mean.to_string(),
                f.train_sd.to_string(),
                f.recent_sd.to_string(),
                f.smd.to_string(),
            ]);
        }
    }
    let mut quality = Table::new("qualite", vec!["controle", "nombre", "sur"]);
    for (label, n, of) in quality_checks(&data.quality) {
        quality.push(vec![label.to_string(), n.to_string(), of.to_string()]);
    }
    vec![
        versions,
        losses,
        calibration,
        importance_table,
        drift,
        quality,
    ]
}
