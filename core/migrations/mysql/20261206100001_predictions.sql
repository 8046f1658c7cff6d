-- Model predictions (issue 3). One prediction run per (day, model version): re-predicting a day
-- with the same model replaces its run, and the cascade removes its rows, so reruns are
-- idempotent. Readers take the latest run of a day (highest id).
create table prediction_runs (
    id bigint not null auto_increment primary key,
    race_date date not null,
    model_version varchar(128) collate utf8mb4_bin not null,
    created_at datetime(3) not null,
    unique key prediction_runs_day_model (race_date, model_version)
) engine=InnoDB default charset=utf8mb4;

-- One row per runner predicted. Odds are the morning odds the value was computed at; edge is
-- p_win * odds - 1 and kelly the fractional Kelly stake as a share of the bankroll. The
-- explanation is JSON: {"up": [{"feature", "value"}...], "down": [...]}.
create table runner_predictions (
    id bigint not null auto_increment primary key,
    run_id bigint not null,
    race_id bigint not null,
    number bigint not null,
    p_win double not null,
    p_place double not null,
    p_model double not null,
    win_rank bigint not null,
    odds double,
    edge double,
    kelly double,
    explanation text not null,
    unique key runner_predictions_run_race_number (run_id, race_id, number),
    key runner_predictions_race (race_id),
    constraint runner_predictions_run_fk foreign key (run_id) references prediction_runs(id) on delete cascade,
    constraint runner_predictions_race_fk foreign key (race_id) references races(id)
) engine=InnoDB default charset=utf8mb4;

-- Pronostics per race: kind is gagnant, place, tierce, quarte or quinte; selection the runner
-- numbers joined by '-' in the advised order; probability the chance it comes in (any order
-- for tiercé/quarté/quinté), probability_in_order that of the exact order.
create table race_pronostics (
    id bigint not null auto_increment primary key,
    run_id bigint not null,
    race_id bigint not null,
    kind varchar(16) not null,
    selection varchar(64) not null,
    probability double not null,
    probability_in_order double not null,
    confidence varchar(16) not null,
    unique key race_pronostics_run_race_kind (run_id, race_id, kind),
    constraint race_pronostics_run_fk foreign key (run_id) references prediction_runs(id) on delete cascade,
    constraint race_pronostics_race_fk foreign key (race_id) references races(id)
) engine=InnoDB default charset=utf8mb4;
