-- Initial schema (SQLite). Mirrors migrations/mysql/20261124000001_initial.sql: every schema change
-- touches both trees. Natural keys carry unique indexes so that sync and import are idempotent upserts.

-- Racecourses, keyed by upper-cased name: the history CSV has no PMU code, the API has both.
create table tracks (
    id integer primary key,
    natural_key text not null unique,
    name text not null,
    code text,
    country text
);

-- A meeting (réunion) is one track on one local date; its PMU number is unique that day.
create table meetings (
    id integer primary key,
    date text not null,
    number integer not null,
    track_id integer not null references tracks(id),
    nature text,
    audience text,
    status text,
    weather_temperature_c integer,
    weather_wind_kmh integer,
    weather_wind_direction text,
    weather_sky text,
    unique (date, number)
);
create index meetings_track on meetings(track_id);

-- arrival holds the official order as JSON ([[7],[3],[6,13]]: a slot per position, dead heats share one).
create table races (
    id integer primary key,
    meeting_id integer not null references meetings(id),
    number integer not null,
    date text not null,
    name text,
    start_time text,
    discipline text not null,
    speciality text,
    distance_m integer,
    prize_eur real,
    conditions text,
    category text,
    age_condition text,
    sex_condition text,
    declared_runners integer,
    status text,
    going text,
    penetrometer real,
    track_type text,
    arrival text,
    is_final integer not null default 0,
    duration_ms integer,
    unique (meeting_id, number)
);
create index races_date on races(date);

-- Horses are keyed by a stable source id when there is one ("id:T063"), else by upper-cased name.
create table horses (
    id integer primary key,
    natural_key text not null unique,
    name text not null,
    sex text,
    birth_year integer,
    sire text,
    dam text,
    breed text
);

create table jockeys (
    id integer primary key,
    natural_key text not null unique,
    name text not null
);

create table trainers (
    id integer primary key,
    natural_key text not null unique,
    name text not null
);

-- One row per declared runner, non-runners included: what was known before the race and the result.
create table runners (
    id integer primary key,
    race_id integer not null references races(id),
    number integer not null,
    horse_id integer not null references horses(id),
    jockey_id integer references jockeys(id),
    trainer_id integer references trainers(id),
    age integer,
    draw integer,
    weight_kg real,
    blinkers text,
    shoeing text,
    musique text,
    career_starts integer,
    career_wins integer,
    career_places integer,
    earnings_eur real,
    status text not null,
    incident text,
    finish integer,
    time_ms integer,
    reduction_km_ms integer,
    odds_reference real,
    odds_final real,
    unique (race_id, number)
);
create index runners_horse on runners(horse_id);
create index runners_jockey on runners(jockey_id);
create index runners_trainer on runners(trainer_id);

-- Odds history: the same snapshot (runner, kind, instant) is stored once however often it is synced.
create table odds_snapshots (
    id integer primary key,
    runner_id integer not null references runners(id),
    kind text not null,
    odds real not null,
    taken_at text not null,
    unique (runner_id, kind, taken_at)
);

-- Final payouts; dividend_per_euro is in euros for a 1 € stake, stake included. The label is part
-- of the key (Quinté+ Ordre and Désordre pay one combination twice); '' when the source has none.
create table payouts (
    id integer primary key,
    race_id integer not null references races(id),
    bet_type text not null,
    combination text not null,
    label text not null default '',
    dividend_per_euro real not null,
    winners real,
    refunded integer not null default 0,
    unique (race_id, bet_type, combination, label)
);

-- Raw API responses keyed by their path under the client base, so a day can be replayed offline.
create table payloads (
    id integer primary key,
    path text not null unique,
    kind text not null,
    date text not null,
    status integer not null,
    fetched_at text not null,
    body blob not null
);
create index payloads_date on payloads(date);

create table job_runs (
    id integer primary key,
    job text not null,
    params text not null,
    attempt integer not null,
    started_at text not null,
    finished_at text,
    status text not null,
    counts text,
    error text
);
create index job_runs_job on job_runs(job, started_at);
