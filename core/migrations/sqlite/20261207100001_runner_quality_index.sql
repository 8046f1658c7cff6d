-- Covers the per-race runner counts of the data-quality checks (runners, without odds, winners):
-- read from this index alone, not from the wide runner rows, they stay fast on a long history.
create index runners_race_quality on runners (race_id, status, finish, odds_reference, odds_final);
