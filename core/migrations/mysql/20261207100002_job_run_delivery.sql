-- The queue's job id of a run (null for runs not delivered by the queue: `jobs run`, imports),
-- so that a redelivered job can close the runs its lost workers left `running`.
alter table job_runs add column job_id varchar(64);
create index job_runs_job_id on job_runs (job_id);
