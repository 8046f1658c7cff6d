//! Syncs race days from PMU Turfinfo into the Store: the programme, then each race's participants
//! and, once run, its final payouts. Every response body is archived, and a day can be replayed
//! from the archive with no network. Each race is written in its own transaction, so a failure
//! leaves no half-written race and does not stop the rest of the day.

use chrono::NaiveDate;
use futures::StreamExt;
use pronoturf_core::domain::{RaceCard, RaceKey};
use pronoturf_core::store::{ArchivedPayload, Store, StoreError};
use pronoturf_pmu::client::{ClientError, Endpoint, TurfinfoClient};
use pronoturf_pmu::mapping::{apply_participants, apply_rapports, race_cards_from_programme};
use pronoturf_pmu::payload::{self, PayloadError};
use serde::Serialize;
use std::sync::Arc;

/// Where payloads come from.
#[derive(Clone)]
pub enum Source {
    /// The Turfinfo API; every body received is archived.
    Network(TurfinfoClient),
    /// Payloads archived by earlier syncs; nothing is fetched.
    Archive,
}

/// Why one race or one day could not be synced.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The API could not be reached or kept failing.
    #[error(transparent)]
    Fetch(#[from] ClientError),
    /// A payload did not parse.
    #[error(transparent)]
    Payload(#[from] PayloadError),
    /// The Store refused the write or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a sync did, for the end-of-run summary.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SyncSummary {
    /// Days synced.
    pub days: u32,
    /// Days whose programme was not published (or not archived).
    pub days_unpublished: u32,
    /// Races written.
    pub races: u32,
    /// Runner rows written.
    pub runners: u32,
    /// Races whose participants were not published yet.
    pub races_without_runners: u32,
    /// Races written with a result.
    pub results: u32,
    /// Payout lines written.
    pub payouts: u32,
    /// Failures, one line each ("2025-11-05 R1C3: ..."); those races were not written.
    pub errors: Vec<String>,
}

/// How a sync reports progress: once per race handled.
pub trait SyncProgress: Send {
    /// A day's programme is known: `races` races to go.
    fn day_started(&mut self, date: NaiveDate, races: usize);
    /// One race was handled (written or failed).
    fn race_done(&mut self, key: RaceKey);
}

impl SyncProgress for () {
    fn day_started(&mut self, _: NaiveDate, _: usize) {}
    fn race_done(&mut self, _: RaceKey) {}
}

/// Syncs every day from `from` to `to` inclusive.
pub async fn sync_days(
    store: Arc<dyn Store>,
    source: &Source,
    from: NaiveDate,
    to: NaiveDate,
    concurrency: usize,
    progress: &mut dyn SyncProgress,
) -> SyncSummary {
    let mut summary = SyncSummary::default();
    for date in from.iter_days().take_while(|d| *d <= to) {
        sync_day(
            store.clone(),
            source,
            date,
            concurrency,
            progress,
            &mut summary,
        )
        .await;
    }
    summary
}

/// Syncs one day into `summary`. Failures are recorded there, never returned: one bad race must
/// not cost the others.
pub async fn sync_day(
    store: Arc<dyn Store>,
    source: &Source,
    date: NaiveDate,
    concurrency: usize,
    progress: &mut dyn SyncProgress,
    summary: &mut SyncSummary,
) {
    summary.days += 1;
    let cards = match programme(store.as_ref(), source, date).await {
        Ok(Some(cards)) => cards,
        Ok(None) => {
            tracing::info!(%date, "programme not published");
            summary.days_unpublished += 1;
            return;
        }
        Err(e) => {
            tracing::error!(%date, error = %e, "programme sync failed");
            summary.errors.push(format!("{date} programme: {e}"));
            return;
        }
    };
    progress.day_started(date, cards.len());
    let mut races = futures::stream::iter(cards)
        .map(|card| {
            let store = store.clone();
            async move {
                let key = card.key();
                (key, sync_race(store.as_ref(), source, card).await)
            }
        })
        .buffer_unordered(concurrency.max(1));
    while let Some((key, outcome)) = races.next().await {
        match outcome {
            Ok(card) => {
                summary.races += 1;
                summary.runners += card.runners.len() as u32;
                summary.races_without_runners += u32::from(card.runners.is_empty());
                summary.results += u32::from(card.race.arrival.is_some());
                summary.payouts += card.payouts.len() as u32;
            }
            Err(e) => {
                tracing::error!(race = %key, error = %e, "race sync failed");
                summary.errors.push(format!("{key}: {e}"));
            }
        }
        progress.race_done(key);
    }
}

/// The day's races from its programme, or `None` when it is not published.
async fn programme(
    store: &dyn Store,
    source: &Source,
    date: NaiveDate,
) -> Result<Option<Vec<RaceCard>>, SyncError> {
    let Some(body) = get(store, source, Endpoint::Programme { date }).await? else {
        return Ok(None);
    };
    let programme = payload::parse_programme(&body)?;
    // The programme of a day may list a neighbouring day's races (night meetings); keep the day's.
    Ok(Some(
        race_cards_from_programme(&programme)
            .into_iter()
            .filter(|c| c.meeting.date == date)
            .collect(),
    ))
}

/// Completes one race with its participants and payouts, then writes it in one transaction.
async fn sync_race(
    store: &dyn Store,
    source: &Source,
    mut card: RaceCard,
) -> Result<RaceCard, SyncError> {
    let (date, meeting, race) = (card.meeting.date, card.meeting.number, card.race.number);
    if let Some(body) = get(
        store,
        source,
        Endpoint::Participants {
            date,
            meeting,
            race,
        },
    )
    .await?
    {
        apply_participants(&mut card, &payload::parse_participants(&body)?);
    }
    let has_result = card.race.arrival.is_some()
        || card.race.is_final
        || card
            .race
            .status
            .as_deref()
            .is_some_and(|s| s.starts_with("ARRIVEE"));
    if has_result
        && let Some(body) = get(
            store,
            source,
            Endpoint::Rapports {
                date,
                meeting,
                race,
            },
        )
        .await?
    {
        apply_rapports(&mut card, &payload::parse_rapports(&body)?);
    }
    store.upsert_race_cards(std::slice::from_ref(&card)).await?;
    Ok(card)
}

/// The body at `endpoint`: fetched and archived, or read from the archive. `None` when not
/// published (or never archived).
async fn get(
    store: &dyn Store,
    source: &Source,
    endpoint: Endpoint,
) -> Result<Option<Vec<u8>>, SyncError> {
    match source {
        Source::Archive => Ok(store.find_payload(&endpoint.path()).await?.map(|p| p.body)),
        Source::Network(client) => {
            let fetched = client.fetch(&endpoint).await?;
            let Some(body) = fetched.body else {
                return Ok(None);
            };
            store
                .archive_payload(&ArchivedPayload {
                    path: endpoint.path(),
                    kind: endpoint.kind().to_string(),
                    date: endpoint.date(),
                    status: fetched.status,
                    fetched_at: fetched.fetched_at,
                    body: body.clone(),
                })
                .await?;
            Ok(Some(body))
        }
    }
}
