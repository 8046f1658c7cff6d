//! Mapping of Turfinfo payloads into PronoTurf's domain types: one [`RaceCard`] per course of
//! the programme, then its runners and odds from the participants payload, then its payouts.
//!
//! Units are converted here and nowhere else: centimes to euros, hectograms to kilograms,
//! epoch milliseconds to UTC instants, the meeting day to its Europe/Paris date.

use crate::payload::{
    Course, Participant, Participants, Programme, Rapport, RapportDefinitif, RapportLigne, Reunion,
};
use chrono::{DateTime, Datelike, NaiveDate, Offset, TimeZone, Utc};
use chrono_tz::Europe::Paris;
use pronoturf_core::domain::{
    Discipline, Horse, Meeting, OddsKind, OddsSnapshot, Payout, Race, RaceCard, Runner,
    RunnerStatus, Sex, Track, Weather, arrival_from_finishes,
};

/// One card per course of every réunion, French and foreign, with runners, odds and payouts
/// left empty. A réunion without a usable date or track name is skipped: its races could not
/// be keyed.
pub fn race_cards_from_programme(p: &Programme) -> Vec<RaceCard> {
    p.reunions
        .iter()
        .filter_map(|r| meeting_from_reunion(r, p.date).map(|m| (r, m)))
        .flat_map(|(r, meeting)| {
            r.courses.iter().map(move |c| RaceCard {
                meeting: meeting.clone(),
                race: race_from_course(c),
                runners: Vec::new(),
                odds: Vec::new(),
                payouts: Vec::new(),
            })
        })
        .collect()
}

fn meeting_from_reunion(r: &Reunion, programme_date: i64) -> Option<Meeting> {
    let date = paris_date(r.date_reunion.unwrap_or(programme_date))?;
    let hippodrome = r.hippodrome.as_ref();
    let name = hippodrome
        .and_then(|h| text(&h.libelle_court).or_else(|| text(&h.libelle_long)))
        .or_else(|| hippodrome.and_then(|h| h.code()).and_then(non_empty))?;
    Some(Meeting {
        date,
        number: r.num_officiel,
        track: Track {
            name,
            code: hippodrome.and_then(|h| h.code()).and_then(non_empty),
            country: r.pays.as_ref().and_then(|p| text(&p.code)),
        },
        nature: text(&r.nature),
        audience: text(&r.audience),
        status: text(&r.statut),
        weather: r.meteo.as_ref().map(|m| Weather {
            temperature_c: m.temperature.and_then(|t| i32::try_from(t).ok()),
            wind_kmh: m.force_vent.and_then(|w| i32::try_from(w).ok()),
            wind_direction: text(&m.direction_vent),
            sky: text(&m.nebulosite_libelle_court),
        }),
    })
}

fn race_from_course(c: &Course) -> Race {
    let status = text(&c.statut);
    let is_final = status
        .as_deref()
        .is_some_and(|s| s.starts_with("ARRIVEE_DEFINITIVE"))
        || c.arrivee_definitive == Some(true)
        || c.is_arrivee_definitive == Some(true);
    Race {
        number: c.num_ordre,
        name: text(&c.libelle),
        start_time: c.heure_depart.and_then(DateTime::from_timestamp_millis),
        discipline: discipline(c),
        speciality: text(&c.specialite),
        distance_m: c.distance.and_then(|d| u32::try_from(d).ok()),
        // Prize money is in euros (unlike runners' earnings) and far below 2^53.
        prize_eur: c.montant_prix.map(|m| m as f64),
        conditions: text(&c.conditions),
        category: text(&c.categorie_particularite),
        age_condition: text(&c.condition_age),
        sex_condition: text(&c.condition_sexe),
        declared_runners: c
            .nombre_declares_partants
            .and_then(|n| u32::try_from(n).ok()),
        status,
        going: c.penetrometre.as_ref().and_then(|p| text(&p.intitule)),
        penetrometer: c.penetrometre.as_ref().and_then(|p| p.value()),
        track_type: text(&c.type_piste),
        arrival: c.ordre_arrivee.clone().filter(|a| !a.is_empty()),
        is_final,
        duration_ms: c.duree_course,
    }
}

/// The discipline, else one derived from the speciality (TROT_ATTELE...), else `INCONNU`.
fn discipline(c: &Course) -> Discipline {
    if let Some(d) = text(&c.discipline) {
        return Discipline::parse(&d);
    }
    match text(&c.specialite).as_deref() {
        Some("TROT_ATTELE") => Discipline::Attele,
        Some("TROT_MONTE") => Discipline::Monte,
        Some(other) => Discipline::parse(other),
        None => Discipline::Other("INCONNU".to_owned()),
    }
}

/// Fills `card.runners` (replacing them) from the participants payload, adds the runners' odds
/// snapshots, and derives `card.race.arrival` from the finishes when the programme had none.
/// A participant without a name is skipped: horses are keyed by name.
pub fn apply_participants(card: &mut RaceCard, p: &Participants) {
    // A race with any finish (in the programme or in this payload) has been run, so a starter
    // with neither finish nor incident did not finish.
    let race_run = card.race.arrival.as_ref().is_some_and(|a| !a.is_empty())
        || p.participants
            .iter()
            .any(|x| x.ordre_arrivee.is_some_and(|f| f > 0));
    let year = card.meeting.date.year();
    let own = runners_of(p, year, None, race_run);
    let derived = arrival_from_finishes(&own.0);
    // The programme's arrival places the runners the payload leaves without a finish (a payload
    // fetched before the result). An arrival equal to the one this payload's own finishes give
    // adds nothing, and is not read back: an earlier application of this payload derived it,
    // and reading it as places would change runners (a repeated number, a gap in the finishes),
    // where applying a payload twice must change nothing.
    let (runners, participants) = match card.race.arrival.as_deref() {
        Some(arrival) if Some(arrival) != derived.as_deref() => {
            runners_of(p, year, Some(arrival), race_run)
        }
        _ => own,
    };
    for (runner, participant) in runners.iter().zip(participants) {
        push_odds(card, runner, participant);
    }
    card.runners = runners;
    if card.race.arrival.is_none() {
        card.race.arrival = derived;
    }
}

/// The runners of the payload with their statuses set against `arrival`, and beside them the
/// participant each came from. A participant without a name is skipped.
fn runners_of<'p>(
    p: &'p Participants,
    year: i32,
    arrival: Option<&[Vec<u32>]>,
    race_run: bool,
) -> (Vec<Runner>, Vec<&'p Participant>) {
    p.participants
        .iter()
        .filter_map(|participant| {
            let mut runner = runner_from_participant(participant, year)?;
            set_status(&mut runner, participant, arrival, race_run);
            Some((runner, participant))
        })
        .unzip()
}

fn runner_from_participant(p: &Participant, race_year: i32) -> Option<Runner> {
    let age = p.age.and_then(|a| u32::try_from(a).ok());
    let horse = Horse {
        name: text(&p.nom)?,
        // idCheval is not stable enough to key on (missing on ~7 % of runners); names are.
        source_id: None,
        sex: p.sexe.as_deref().and_then(Sex::parse),
        birth_year: age
            .and_then(|a| i32::try_from(a).ok())
            .and_then(|a| race_year.checked_sub(a)),
        sire: text(&p.nom_pere),
        dam: text(&p.nom_mere),
        breed: text(&p.race),
    };
    let mut runner = Runner::new(p.num_pmu, horse);
    runner.jockey = text(&p.driver);
    runner.trainer = text(&p.entraineur);
    runner.age = age;
    runner.draw = p.place_corde.and_then(|d| u32::try_from(d).ok());
    runner.weight_kg = weight_kg(p);
    runner.blinkers = text(&p.oeilleres);
    runner.shoeing = text(&p.deferre);
    runner.musique = text(&p.musique);
    runner.career_starts = p.nombre_courses.and_then(|n| u32::try_from(n).ok());
    runner.career_wins = p.nombre_victoires.and_then(|n| u32::try_from(n).ok());
    runner.career_places = p.nombre_places.and_then(|n| u32::try_from(n).ok());
    runner.earnings_eur = p
        .gains_participant
        .as_ref()
        .and_then(|g| g.gains_carriere)
        .map(centimes_to_euros);
    runner.incident = text(&p.incident);
    runner.time_ms = p.temps_obtenu;
    runner.reduction_km_ms = p.reduction_kilometrique;
    runner.odds_reference = win_odds(p.dernier_rapport_reference.as_ref());
    runner.odds_final = win_odds(p.dernier_rapport_direct.as_ref());
    Some(runner)
}

/// Weight carried, kg. `poidsConditionMonte` includes the rider's allowance (63.0 kg declared,
/// 61.5 kg carried by an apprentice) so it wins when set; 0 there means "not given".
fn weight_kg(p: &Participant) -> Option<f64> {
    let hectograms = p
        .poids_condition_monte
        .filter(|&w| w > 0)
        .or(p.handicap_poids.filter(|&w| w > 0))?;
    // Hectograms are small integers, exact in f64.
    Some(hectograms as f64 / 10.0)
}

fn set_status(runner: &mut Runner, p: &Participant, arrival: Option<&[Vec<u32>]>, race_run: bool) {
    let non_runner = p.statut.as_deref().map(str::trim) == Some("NON_PARTANT")
        || runner.incident.as_deref() == Some("NON_PARTANT");
    let finish = p
        .ordre_arrivee
        .filter(|&f| f > 0)
        .or_else(|| arrival.and_then(|a| finish_in_arrival(a, runner.number)));
    (runner.status, runner.finish) = if non_runner {
        (RunnerStatus::NonRunner, None)
    } else if let Some(f) = finish {
        (RunnerStatus::Ran, Some(f))
    } else if runner.incident.is_some() || race_run {
        (RunnerStatus::Dnf, None)
    } else {
        (RunnerStatus::Declared, None)
    };
}

/// Position of `number` in a programme arrival, for a participants payload fetched before the
/// result. Dead heats share a place and the next one skips: `[[2],[6,13],[3]]` puts 3 third.
fn finish_in_arrival(arrival: &[Vec<u32>], number: u32) -> Option<u32> {
    let mut place = 1_u32;
    for slot in arrival {
        if slot.contains(&number) {
            return Some(place);
        }
        place = place.saturating_add(u32::try_from(slot.len()).unwrap_or(u32::MAX));
    }
    None
}

/// True for the win bet in any of its pools: SIMPLE_GAGNANT, E_SIMPLE_GAGNANT (2022 payloads)
/// and SIMPLE_GAGNANT_INTERNATIONAL (foreign meetings). An absent type is taken as win odds,
/// which is all these objects have carried so far.
fn is_win_bet(type_pari: Option<&str>) -> bool {
    let Some(t) = type_pari.map(str::trim) else {
        return true;
    };
    let t = t.strip_prefix("E_").unwrap_or(t);
    let t = t.strip_suffix("_INTERNATIONAL").unwrap_or(t);
    t == "SIMPLE_GAGNANT"
}

fn win_odds(r: Option<&Rapport>) -> Option<f64> {
    let r = r.filter(|r| is_win_bet(r.type_pari.as_deref()))?;
    r.rapport.filter(|o| o.is_finite() && *o > 0.0)
}

fn push_odds(card: &mut RaceCard, runner: &Runner, p: &Participant) {
    let has_result = matches!(runner.status, RunnerStatus::Ran | RunnerStatus::Dnf);
    let direct_kind = if card.race.is_final || has_result {
        OddsKind::Final
    } else {
        OddsKind::Live
    };
    let snapshots = [
        (OddsKind::Reference, p.dernier_rapport_reference.as_ref()),
        (direct_kind, p.dernier_rapport_direct.as_ref()),
    ];
    for (kind, rapport) in snapshots {
        let Some(odds) = win_odds(rapport) else {
            continue;
        };
        let Some(taken_at) = rapport
            .and_then(|r| r.date_rapport)
            .and_then(DateTime::from_timestamp_millis)
        else {
            continue;
        };
        let snapshot = OddsSnapshot {
            runner: runner.number,
            kind,
            odds,
            taken_at,
        };
        // Same key as the Store's (runner, kind, instant): applying a payload twice adds nothing.
        let seen = card.odds.iter().any(|o| {
            (o.runner, o.kind, o.taken_at) == (snapshot.runner, snapshot.kind, snapshot.taken_at)
        });
        if !seen {
            card.odds.push(snapshot);
        }
    }
}

/// Appends one payout per line of each bet type. The label is part of a line's identity:
/// "Quinté+ Ordre" and "Quinté+ Désordre", or "Multi en 4" and "Multi en 5", pay the same
/// combination differently. A line repeating an earlier (bet type, combination, label) is dropped.
pub fn apply_rapports(card: &mut RaceCard, rapports: &[RapportDefinitif]) {
    for bet in rapports {
        let refunded = bet.rembourse == Some(true);
        for line in &bet.rapports {
            let combination = line
                .combinaison
                .as_ref()
                .map(|c| c.joined())
                .unwrap_or_default();
            let Some(dividend_per_euro) = dividend_per_euro(bet, line).or(refunded.then_some(1.0))
            else {
                continue;
            };
            let label = text(&line.libelle);
            let duplicate = card.payouts.iter().any(|p| {
                p.bet_type == bet.type_pari && p.combination == combination && p.label == label
            });
            if duplicate {
                continue;
            }
            card.payouts.push(Payout {
                bet_type: bet.type_pari.clone(),
                combination,
                label,
                dividend_per_euro,
                winners: line.nombre_gagnants,
                refunded,
            });
        }
    }
}

/// Euros per euro staked. `dividendePourUnEuro` is the reference; without it the dividend for
/// the base stake is divided by that stake, then `dividende` is read in its stated unit.
fn dividend_per_euro(bet: &RapportDefinitif, line: &RapportLigne) -> Option<f64> {
    let base = bet.mise_base.filter(|&m| m > 0.0);
    if let Some(d) = line.dividende_pour_un_euro {
        return Some(d / 100.0);
    }
    if let (Some(d), Some(base)) = (line.dividende_pour_une_mise_de_base, base) {
        return Some(d / base);
    }
    let unit = line
        .dividende_unite
        .as_deref()
        .or(bet.dividende_unite.as_deref());
    match (line.dividende, unit) {
        (Some(d), Some("PourUnEuro")) => Some(d / 100.0),
        (Some(d), Some("PourUneMiseDeBase")) => base.map(|b| d / b),
        _ => None,
    }
}

/// The local (Europe/Paris) date of an epoch-ms instant: PMU days start at Paris midnight.
/// `None` when the local time is outside chrono's range: `date_naive` would panic there (the
/// last hour of chrono's last day in UTC is past it in Paris; seen while writing the fuzz targets).
fn paris_date(epoch_ms: i64) -> Option<NaiveDate> {
    let utc = DateTime::<Utc>::from_timestamp_millis(epoch_ms)?.naive_utc();
    let offset = Paris.offset_from_utc_datetime(&utc).fix();
    utc.checked_add_offset(offset).map(|local| local.date())
}

fn centimes_to_euros(centimes: i64) -> f64 {
    // Earnings are far below 2^53 centimes, so the conversion is exact before dividing.
    centimes as f64 / 100.0
}

/// Trimmed text, `None` when absent or blank: the API writes "" for "not given".
fn text(s: &Option<String>) -> Option<String> {
    s.as_deref().and_then(non_empty)
}

fn non_empty(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

#[cfg(test)]
mod tests;
