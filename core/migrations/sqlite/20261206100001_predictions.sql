-- Model predictions (issue 3). One prediction run per (day, model version): re-predicting a day
-- with the same model replaces its run, and the cascade removes its rows, so reruns are
-- idempotent. Readers take the latest run of a day (highest id).
create table prediction_runs (
    id integer primary key,
    race_date text not null,
    model_version text not null,
    created_at text not null,
    unique (race_date, model_version)
);

-- One row per runner predicted. Odds are the morning odds the value was computed at; edge is
-- p_win * odds - 1 and kelly the fractional Kelly stake as a share of the bankroll. The
-- explanation is JSON: {"up": [{"feature", "value"}...], "down": [...]}.
create table runner_predictions (
    id integer primary key,
    run_id integer not null references prediction_runs(id) on delete cascade,
    race_id integer not null references races(id),
    number integer not null,
    p_win real not null,
    p_place real not null,
    p_model real not null,
    win_rank integer not null,
    odds real,
    edge real,
    kelly real,
    explanation text not null,
    unique (run_id, race_id, number)
);
create index runner_predictions_race on runner_predictions(race_id);

-- Pronostics per race: kind is gagnant, place, tierce, quarte or quinte; selection the runner
-- numbers joined by '-' in the advised order; probability the chance it comes in (any order
-- for tiercé/quarté/quinté), probability_in_order that of the exact order.
create table race_pronostics (
    id integer primary key,
    run_id integer not null references prediction_runs(id) on delete cascade,
    race_id integer not null references races(id),
    kind text not null,
    selection text not null,
    probability real not null,
    probability_in_order real not null,
    confidence text not null,
    unique (run_id, race_id, kind)
);
