-- Simulated bets (issue 3): each strategy is a portfolio whose bets are placed from the stored
-- predictions of a day and settled against the stored payouts. Re-running a day replaces that
-- day's bets, so it is idempotent. status is pending, won, lost or void (refunded, or the runner
-- did not run); returned is the amount paid back, stake included (0 when lost, the stake when
-- void). The bankroll history is the running sum of returned - stake, day by day.
create table sim_bets (
    id integer primary key,
    strategy text not null,
    race_id integer not null references races(id),
    race_date text not null,
    bet_type text not null,
    number integer not null,
    stake real not null,
    odds real,
    model_version text not null,
    status text not null,
    returned real,
    unique (strategy, race_id, bet_type, number)
);
create index sim_bets_date on sim_bets(race_date);
