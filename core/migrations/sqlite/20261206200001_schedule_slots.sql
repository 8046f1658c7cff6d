-- One row per scheduler slot that has fired: (schedule, local Europe/Paris time of the slot).
-- The primary key is the lock between schedulers: the one whose insert succeeds enqueues the
-- job, the others see the row and skip. It also tells a scheduler starting late which of
-- today's slots already ran (catch-up runs a missed slot once, never a fired one again).
create table schedule_slots (
    schedule text not null,
    slot text not null,
    claimed_at text not null,
    owner text not null,
    primary key (schedule, slot)
);
