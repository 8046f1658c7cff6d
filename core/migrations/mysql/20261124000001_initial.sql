-- Initial schema (MySQL 8 / MariaDB 10.6+). Mirrors migrations/sqlite/20261124000001_initial.sql:
-- every schema change touches both trees. Natural keys use utf8mb4_bin so that keys compare exactly
-- as they do in SQLite (the default collations would merge "ECLAIR" and "ÉCLAIR").

create table tracks (
    id bigint not null auto_increment primary key,
    natural_key varchar(255) collate utf8mb4_bin not null,
    name varchar(255) not null,
    code varchar(32),
    country varchar(64),
    unique key tracks_natural_key (natural_key)
) engine=InnoDB default charset=utf8mb4;

create table meetings (
    id bigint not null auto_increment primary key,
    date date not null,
    number bigint not null,
    track_id bigint not null,
    nature varchar(64),
    audience varchar(64),
    status varchar(64),
    weather_temperature_c bigint,
    weather_wind_kmh bigint,
    weather_wind_direction varchar(32),
    weather_sky varchar(255),
    unique key meetings_date_number (date, number),
    key meetings_track (track_id),
    constraint meetings_track_fk foreign key (track_id) references tracks(id)
) engine=InnoDB default charset=utf8mb4;

-- arrival holds the official order as JSON text ([[7],[3],[6,13]]).
create table races (
    id bigint not null auto_increment primary key,
    meeting_id bigint not null,
    number bigint not null,
    date date not null,
    name varchar(255),
    start_time datetime(3),
    discipline varchar(32) not null,
    speciality varchar(64),
    distance_m bigint,
    prize_eur double,
    conditions text,
    category varchar(128),
    age_condition varchar(64),
    sex_condition varchar(64),
    declared_runners bigint,
    status varchar(64),
    going varchar(128),
    penetrometer double,
    track_type varchar(64),
    arrival text,
    is_final tinyint(1) not null default 0,
    duration_ms bigint,
    unique key races_meeting_number (meeting_id, number),
    key races_date (date),
    constraint races_meeting_fk foreign key (meeting_id) references meetings(id)
) engine=InnoDB default charset=utf8mb4;

create table horses (
    id bigint not null auto_increment primary key,
    natural_key varchar(255) collate utf8mb4_bin not null,
    name varchar(255) not null,
    sex varchar(8),
    birth_year bigint,
    sire varchar(255),
    dam varchar(255),
    breed varchar(128),
    unique key horses_natural_key (natural_key)
) engine=InnoDB default charset=utf8mb4;

create table jockeys (
    id bigint not null auto_increment primary key,
    natural_key varchar(255) collate utf8mb4_bin not null,
    name varchar(255) not null,
    unique key jockeys_natural_key (natural_key)
) engine=InnoDB default charset=utf8mb4;

create table trainers (
    id bigint not null auto_increment primary key,
    natural_key varchar(255) collate utf8mb4_bin not null,
    name varchar(255) not null,
    unique key trainers_natural_key (natural_key)
) engine=InnoDB default charset=utf8mb4;

create table runners (
    id bigint not null auto_increment primary key,
    race_id bigint not null,
    number bigint not null,
    horse_id bigint not null,
    jockey_id bigint,
    trainer_id bigint,
    age bigint,
    draw bigint,
    weight_kg double,
    blinkers varchar(64),
    shoeing varchar(128),
    musique varchar(255),
    career_starts bigint,
    career_wins bigint,
    career_places bigint,
    earnings_eur double,
    status varchar(16) not null,
    incident varchar(128),
    finish bigint,
    time_ms bigint,
    reduction_km_ms bigint,
    odds_reference double,
    odds_final double,
    unique key runners_race_number (race_id, number),
    key runners_horse (horse_id),
    key runners_jockey (jockey_id),
    key runners_trainer (trainer_id),
    constraint runners_race_fk foreign key (race_id) references races(id),
    constraint runners_horse_fk foreign key (horse_id) references horses(id),
    constraint runners_jockey_fk foreign key (jockey_id) references jockeys(id),
    constraint runners_trainer_fk foreign key (trainer_id) references trainers(id)
) engine=InnoDB default charset=utf8mb4;

create table odds_snapshots (
    id bigint not null auto_increment primary key,
    runner_id bigint not null,
    kind varchar(16) not null,
    odds double not null,
    taken_at datetime(3) not null,
    unique key odds_runner_kind_at (runner_id, kind, taken_at),
    constraint odds_runner_fk foreign key (runner_id) references runners(id)
) engine=InnoDB default charset=utf8mb4;

create table payouts (
    id bigint not null auto_increment primary key,
    race_id bigint not null,
    bet_type varchar(64) collate utf8mb4_bin not null,
    combination varchar(128) collate utf8mb4_bin not null,
    label varchar(255) collate utf8mb4_bin not null default '',
    dividend_per_euro double not null,
    winners double,
    refunded tinyint(1) not null default 0,
    unique key payouts_race_bet_combination (race_id, bet_type, combination, label),
    constraint payouts_race_fk foreign key (race_id) references races(id)
) engine=InnoDB default charset=utf8mb4;

create table payloads (
    id bigint not null auto_increment primary key,
    path varchar(255) collate utf8mb4_bin not null,
    kind varchar(32) not null,
    date date not null,
    status bigint not null,
    fetched_at datetime(3) not null,
    body longblob not null,
    unique key payloads_path (path),
    key payloads_date (date)
) engine=InnoDB default charset=utf8mb4;

create table job_runs (
    id bigint not null auto_increment primary key,
    job varchar(64) not null,
    params text not null,
    attempt bigint not null,
    started_at datetime(3) not null,
    finished_at datetime(3),
    status varchar(16) not null,
    counts text,
    error text,
    key job_runs_job (job, started_at)
) engine=InnoDB default charset=utf8mb4;
