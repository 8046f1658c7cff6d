//! The scheduler: enqueues each configured job at its Europe/Paris slots, and does nothing else
//! (jobs run on workers, with their retries and records).
//!
//! * Slots come from [`CronSchedule`] (DST rule in `pronoturf_core::schedule`).
//! * Lock: a slot fires only after its `(job, local time)` row was claimed in the Store, so two
//!   schedulers never fire the same slot twice, with Redis or without.
//! * Catch-up: at start the window begins at today's Paris midnight, so the latest slot of each
//!   schedule missed earlier today fires once (a slot already claimed today does not).
//! * When several slots of one schedule passed while the process slept, only the latest fires.
//! * A claimed slot whose enqueue failed (Redis down) stays in a backlog, retried on every tick
//!   until the queue is back: nothing is lost, and there is no restart to do.
//! * Once a Paris day, claims older than [`SLOT_RETENTION_DAYS`] are purged: the lock needs only
//!   today's, the rest is kept a week for whoever wonders what fired.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use pronoturf_core::queue::{Enqueued, JobQueue};
use pronoturf_core::schedule::{PARIS, Slot};
use pronoturf_core::settings::ScheduleSetting;
use pronoturf_core::store::Store;
use std::future::Future;
use std::sync::Arc;

/// Longest sleep between two looks at the clock: wall-clock jumps are noticed within it.
const MAX_SLEEP: Duration = Duration::seconds(30);
/// Pause before retrying the backlog.
const BACKLOG_RETRY: Duration = Duration::seconds(2);
/// Days of slot claims kept in the Store.
pub const SLOT_RETENTION_DAYS: u64 = 7;

/// The time source, injected so tests can set the clock.
pub trait Clock: Send + Sync {
    /// Now.
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// What the scheduler needs. Cheap to clone.
#[derive(Clone)]
pub struct SchedulerCtx {
    /// Where jobs go.
    pub queue: JobQueue,
    /// Holds the slot claims (the lock).
    pub store: Arc<dyn Store>,
    /// The schedules (disabled ones are skipped).
    pub schedules: Vec<ScheduleSetting>,
    /// The time.
    pub clock: Arc<dyn Clock>,
    /// Who claims slots, for the record (host and process).
    pub owner: String,
}

/// A slot this scheduler fired: the job was enqueued (or an identical one was waiting).
#[derive(Debug, Clone, PartialEq)]
pub struct Fired {
    /// Job name.
    pub job: String,
    /// The slot.
    pub slot: Slot,
    /// What the queue did.
    pub enqueued: Enqueued,
}

struct Pending {
    job: &'static str,
    slot: Slot,
    claimed: bool,
}

/// The scheduler's state between ticks.
pub struct Scheduler {
    ctx: SchedulerCtx,
    /// Slots up to this instant have been looked at.
    cursor: DateTime<Utc>,
    backlog: Vec<Pending>,
    /// The Paris day whose purge was last attempted.
    purged_on: Option<NaiveDate>,
}

impl Scheduler {
    /// A scheduler whose first tick catches up on today's missed slots.
    pub fn new(ctx: SchedulerCtx) -> Self {
        let today = ctx.clock.now().with_timezone(&PARIS).date_naive();
        // Just before the first instant of the Paris day (midnight always exists in Paris).
        let midnight = today.and_time(NaiveTime::MIN);
        let cursor = midnight
            .and_local_timezone(PARIS)
            .earliest()
            .map_or_else(|| ctx.clock.now(), |t| t.with_timezone(&Utc))
            - Duration::milliseconds(1);
        Self {
            ctx,
            cursor,
            backlog: Vec::new(),
            purged_on: None,
        }
    }

    /// Fires every slot due since the last tick (the latest per schedule), and retries the
    /// backlog. Returns what was enqueued.
    pub async fn tick(&mut self) -> Vec<Fired> {
        let now = self.ctx.clock.now();
        self.purge_old_claims(now).await;
        if now > self.cursor {
            for setting in &self.ctx.schedules {
                let Some(cron) = &setting.cron else { continue };
                if let Some(slot) = cron.slots_between(self.cursor, now).pop()
                    && !self
                        .backlog
                        .iter()
                        .any(|p| p.job == setting.job && p.slot == slot)
                {
                    self.backlog.push(Pending {
                        job: setting.job,
                        slot,
                        claimed: false,
                    });
                }
            }
            self.cursor = now;
        }
        let mut fired = Vec::new();
        let mut kept = Vec::new();
        for mut pending in std::mem::take(&mut self.backlog) {
            match self.fire(&mut pending).await {
                Ok(Some(f)) => fired.push(f),
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(job = pending.job, slot = %pending.slot.label(), error = %e, "slot not fired yet; retrying");
                    kept.push(pending);
                }
            }
        }
        self.backlog = kept;
        fired
    }

    /// Purges old slot claims, at most once per Paris day: a failure (database down) is logged
    /// and waits for tomorrow, the rows do no harm meanwhile.
    async fn purge_old_claims(&mut self, now: DateTime<Utc>) {
        let today = now.with_timezone(&PARIS).date_naive();
        if self.purged_on == Some(today) {
            return;
        }
        self.purged_on = Some(today);
        let before = today - chrono::Days::new(SLOT_RETENTION_DAYS);
        match self.ctx.store.purge_schedule_slots(before).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(purged = n, %before, "old schedule slot claims purged"),
            Err(e) => tracing::warn!(error = %e, "could not purge old schedule slot claims"),
        }
    }

    /// Claims the slot, then enqueues its job. `None` when another scheduler has the slot.
    async fn fire(&self, p: &mut Pending) -> anyhow::Result<Option<Fired>> {
        let label = p.slot.label();
        if !p.claimed {
            if !self
                .ctx
                .store
                .claim_schedule_slot(p.job, &label, &self.ctx.owner)
                .await?
            {
                tracing::debug!(job = p.job, slot = %label, "slot already fired by another scheduler");
                return Ok(None);
            }
            p.claimed = true;
        }
        let params = serde_json::json!({ "date": p.slot.date() });
        let enqueued = self.ctx.queue.enqueue(p.job, params).await?;
        tracing::info!(job = p.job, slot = %label, ?enqueued, "scheduled job enqueued");
        Ok(Some(Fired {
            job: p.job.to_string(),
            slot: p.slot.clone(),
            enqueued,
        }))
    }

    /// When the next tick is needed: the next slot of any schedule, sooner when the backlog
    /// waits, and never more than 30 s away.
    pub fn next_tick(&self) -> DateTime<Utc> {
        let now = self.ctx.clock.now();
        let mut next = now + MAX_SLEEP;
        if !self.backlog.is_empty() {
            next = next.min(now + BACKLOG_RETRY);
        }
        for setting in &self.ctx.schedules {
            if let Some(slot) = setting.cron.as_ref().and_then(|c| c.next_after(now)) {
                next = next.min(slot.at);
            }
        }
        next
    }
}

/// Runs the scheduler until `shutdown` completes.
pub async fn run(ctx: SchedulerCtx, shutdown: impl Future<Output = ()>) {
    tokio::pin!(shutdown);
    let enabled: Vec<String> = ctx
        .schedules
        .iter()
        .filter_map(|s| s.cron.as_ref().map(|c| format!("{} [{c}]", s.job)))
        .collect();
    tracing::info!(schedules = ?enabled, "scheduler started (Europe/Paris)");
    let clock = ctx.clock.clone();
    let mut scheduler = Scheduler::new(ctx);
    loop {
        scheduler.tick().await;
        let wait = (scheduler.next_tick() - clock.now())
            .to_std()
            .unwrap_or_default();
        tokio::select! {
            () = &mut shutdown => break,
            () = tokio::time::sleep(wait) => {}
        }
    }
    tracing::info!("scheduler stopped");
}
