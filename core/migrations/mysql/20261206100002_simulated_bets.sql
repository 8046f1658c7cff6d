-- Simulated bets (issue 3): each strategy is a portfolio whose bets are placed from the stored
-- predictions of a day and settled against the stored payouts. Re-running a day replaces that
-- day's bets, so it is idempotent. status is pending, won, lost or void (refunded, or the runner
-- did not run); returned is the amount paid back, stake included (0 when lost, the stake when
-- void). The bankroll history is the running sum of returned - stake, day by day.
create table sim_bets (
    id bigint not null auto_increment primary key,
    strategy varchar(64) collate utf8mb4_bin not null,
    race_id bigint not null,
    race_date date not null,
    bet_type varchar(32) collate utf8mb4_bin not null,
    number bigint not null,
    stake double not null,
    odds double,
    model_version varchar(128) collate utf8mb4_bin not null,
    status varchar(16) not null,
    returned double,
    unique key sim_bets_strategy_race_bet (strategy, race_id, bet_type, number),
    key sim_bets_date (race_date),
    constraint sim_bets_race_fk foreign key (race_id) references races(id)
) engine=InnoDB default charset=utf8mb4;
