//! Serving-model benchmarks (issue 3 targets): training on about 100k runners (< 30 s) and
//! predicting a day of 60 races from the feature state of the days before it (< 100 ms).
//! Synthetic but realistic shapes: 150 days × 60 races × 6–16 runners, horses, jockeys and
//! trainers that recur, morning odds that partly reveal a hidden ability.
//! Run: `cargo bench -p pronoturf-ml --bench serving`.

use chrono::{Days, NaiveDate};
use criterion::{Criterion, criterion_group, criterion_main};
use pronoturf_core::domain::{
    Discipline, Horse, Meeting, Race, RaceCard, Runner, RunnerStatus, Track,
};
use pronoturf_ml::features::FeatureBuilder;
use pronoturf_ml::{ModelSpec, ServingModel};
use std::hint::black_box;
use std::time::Duration;

/// xorshift64*: enough randomness for synthetic cards, reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn normal(&mut self) -> f64 {
        // Sum of uniforms: close enough to Gaussian for synthetic abilities.
        (0..6)
            .map(|_| (self.next() >> 11) as f64 / (1u64 << 53) as f64)
            .sum::<f64>()
            - 3.0
    }
}

fn race(date: NaiveDate, meeting: u32, number: u32, rng: &mut Rng) -> RaceCard {
    let field = 6 + rng.below(11) as u32;
    let mut ability: Vec<(f64, u32)> = (1..=field).map(|n| (rng.normal(), n)).collect();
    let mut runners: Vec<Runner> = ability
        .iter()
        .map(|&(a, n)| {
            let mut r = Runner::new(n, Horse::named(format!("H{}", rng.below(6000))));
            r.status = RunnerStatus::Ran;
            r.odds_reference = Some(1.2 + (2.5 - a + 0.7 * rng.normal()).exp().min(90.0));
            r.odds_final = r.odds_reference;
            r.jockey = Some(format!("J{}", rng.below(300)));
            r.trainer = Some(format!("T{}", rng.below(400)));
            r.age = Some(3 + rng.below(6) as u32);
            r.weight_kg = Some(54.0 + rng.below(8) as f64);
            r.musique = Some("1a3a0a5a".into());
            r
        })
        .collect();
    ability.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (pos, (_, n)) in ability.iter().enumerate() {
        if let Some(r) = runners.iter_mut().find(|r| r.number == *n) {
            r.finish = Some(pos as u32 + 1);
        }
    }
    let mut race = Race::new(number, Discipline::Attele);
    race.distance_m = Some(2100 + 100 * rng.below(10) as u32);
    RaceCard {
        meeting: Meeting {
            date,
            number: meeting,
            track: Track {
                name: format!("TRACK{meeting}"),
                code: None,
                country: None,
            },
            nature: None,
            audience: None,
            status: None,
            weather: None,
        },
        race,
        runners,
        odds: Vec::new(),
        payouts: Vec::new(),
    }
}

/// `days` days of 60 races (6 meetings of 10) from 2026-01-01.
fn history(days: u64) -> Vec<RaceCard> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let start = NaiveDate::from_ymd_opt(2026, 1, 1).expect("date");
    let mut out = Vec::new();
    for d in 0..days {
        let date = start.checked_add_days(Days::new(d)).expect("date");
        for m in 1..=6 {
            for r in 1..=10 {
                out.push(race(date, m, r, &mut rng));
            }
        }
    }
    out
}

fn benches(c: &mut Criterion) {
    let cards = history(151);
    let (train, day) = cards.split_at(cards.len() - 60);
    let until = train.last().expect("cards").meeting.date;
    let runners: usize = train.iter().map(|c| c.runners.len()).sum();
    let spec = ModelSpec::named(ModelSpec::NAMES[0]).expect("known");
    let mut group = c.benchmark_group("serving");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(40));
    group.bench_function(format!("train_{runners}_runners"), |b| {
        b.iter(|| ServingModel::train(black_box(train), until, &spec).expect("trained"))
    });
    let model = ServingModel::train(train, until, &spec).expect("trained");
    let mut builder = FeatureBuilder::new(spec.odds);
    let mut sorted: Vec<&RaceCard> = train.iter().collect();
    sorted.sort_by_key(|c| c.key());
    for d in sorted.chunk_by(|a, b| a.meeting.date == b.meeting.date) {
        builder.process_day(d).expect("in order");
    }
    let day: Vec<&RaceCard> = day.iter().collect();
    group
        .sample_size(50)
        .measurement_time(Duration::from_secs(10));
    group.bench_function("predict_day_60_races", |b| {
        b.iter(|| {
            let features = builder.features(black_box(&day)).expect("features");
            features
                .iter()
                .map(|f| model.predict_race(f).expect("forecast"))
                .collect::<Vec<_>>()
        })
    });
    group.finish();
}

criterion_group!(serving, benches);
criterion_main!(serving);
