-- One row per scheduler slot that has fired: (schedule, local Europe/Paris time of the slot).
-- The primary key is the lock between schedulers: the one whose insert succeeds enqueues the
-- job, the others see the row and skip. It also tells a scheduler starting late which of
-- today's slots already ran (catch-up runs a missed slot once, never a fired one again).
-- The slot is the local wall-clock time as text (YYYY-MM-DDTHH:MM), not a DATETIME: on the
-- October change 02:30 happens twice and must still be one slot.
create table schedule_slots (
    schedule varchar(32) not null,
    slot varchar(32) not null,
    claimed_at datetime(3) not null,
    owner varchar(128) not null,
    primary key (schedule, slot)
) engine=InnoDB default charset=utf8mb4;
