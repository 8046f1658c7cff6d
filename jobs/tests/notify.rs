//! The Telegram client against a fake Bot API on port 0: the request it sends, a 429 honoured
//! with its retry_after, a refusal reported, notifications off without a token; and the report
//! job sending the daily report through it, and the results job announcing new arrivals once.

mod common;

use common::pmu::{client, nov5, nov5_payloads, shared_pmu};
use common::{fake_telegram, sqlite_store};
use pronoturf_core::queue::Job;
use pronoturf_core::settings::Settings;
use pronoturf_jobs::handlers::{JobDeps, standard_registry};
use pronoturf_jobs::notify::{Notifier, NotifyError};
use pronoturf_jobs::sync::Source;
use pronoturf_pmu::mock::MockTurfinfo;
use secrecy::SecretString;
use serde_json::json;
use std::time::{Duration, Instant};

fn token() -> SecretString {
    SecretString::from("123:secret")
}

#[tokio::test]
async fn a_message_is_posted_to_send_message_with_the_chat_id() {
    let (base, fake) = fake_telegram().await;
    let notifier = Notifier::telegram(&base, &token(), "-10042").expect("notifier");
    notifier.send("hello").await.expect("sent");
    let received = fake.lock().expect("lock").received.clone();
    assert_eq!(
        received,
        vec![(
            "bot123:secret/sendMessage".to_string(),
            json!({"chat_id": "-10042", "text": "hello"})
        )]
    );
}

#[tokio::test]
async fn a_429_is_retried_after_the_retry_after_telegram_asks_for() {
    let (base, fake) = fake_telegram().await;
    fake.lock().expect("lock").answers.push_back((
        429,
        json!({"ok": false, "error_code": 429, "description": "Too Many Requests: retry after 1", "parameters": {"retry_after": 1}}),
    ));
    let notifier = Notifier::telegram(&base, &token(), "42").expect("notifier");
    let started = Instant::now();
    notifier
        .send("report")
        .await
        .expect("sent on the second try");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited {:?}",
        started.elapsed()
    );
    assert_eq!(fake.lock().expect("lock").received.len(), 2);
}

#[tokio::test]
async fn a_refusal_is_an_error_that_does_not_show_the_token() {
    let (base, fake) = fake_telegram().await;
    fake.lock().expect("lock").answers.push_back((
        400,
        json!({"ok": false, "error_code": 400, "description": "Bad Request: chat not found"}),
    ));
    let notifier = Notifier::telegram(&base, &token(), "42").expect("notifier");
    let err = notifier.send("x").await.expect_err("refused");
    assert!(
        matches!(err, NotifyError::Refused { status: 400, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("chat not found"), "{err}");
    assert!(!err.to_string().contains("secret"), "{err}");
    assert_eq!(
        fake.lock().expect("lock").received.len(),
        1,
        "a 400 is not retried"
    );
}

#[tokio::test]
async fn an_unreachable_telegram_is_an_error_that_does_not_show_the_token() {
    let base = url::Url::parse("http://127.0.0.1:1").expect("url");
    let notifier = Notifier::telegram(&base, &token(), "42").expect("notifier");
    let err = notifier.send("x").await.expect_err("unreachable");
    assert!(!format!("{err:?}").contains("secret"), "{err:?}");
}

#[tokio::test]
async fn without_a_token_notifications_are_off_and_sending_does_nothing() {
    let settings = Settings::from_lookup(|_| None).expect("defaults");
    let notifier = Notifier::from_settings(&settings).expect("notifier");
    assert!(!notifier.is_on());
    notifier.send("nobody hears this").await.expect("a no-op");
}

#[tokio::test]
async fn the_report_job_sends_the_daily_report_built_from_the_store() {
    // Arrange: one recorded failed run today.
    let (store, _dir) = sqlite_store().await;
    let today = pronoturf_jobs::handlers::paris_today();
    let run = store
        .start_job_run("odds", &json!({}), 1)
        .await
        .expect("start");
    store
        .finish_job_run(
            run,
            pronoturf_core::store::JobOutcome::Failed,
            None,
            Some("PMU down"),
        )
        .await
        .expect("finish");
    let (base, fake) = fake_telegram().await;
    let deps = JobDeps {
        store,
        source: Source::Archive,
        concurrency: 1,
        notifier: Notifier::telegram(&base, &token(), "42").expect("notifier"),
        models_dir: "ml_models".into(),
        cache: std::sync::Arc::new(pronoturf_core::cache::Cache::new(None).expect("cache")),
    };
    let registry = standard_registry(&deps);
    // Act
    let job = Job::new("report", json!({"date": today}));
    let counts = registry
        .get("report")
        .expect("report")
        .run(&job)
        .await
        .expect("report");
    // Assert
    assert_eq!(counts["sent"], json!(true));
    let received = fake.lock().expect("lock").received.clone();
    let text = received[0].1["text"].as_str().expect("text").to_string();
    assert!(text.contains(&format!("daily report, {today}")), "{text}");
    assert!(
        text.contains("odds 0/1/0") && text.contains("PMU down"),
        "{text}"
    );
    assert!(text.contains("Races: 0 in 0 meeting(s)"), "{text}");
}

#[tokio::test]
async fn the_results_job_announces_new_arrivals_once_not_every_hour() {
    let Some(dir) = shared_pmu() else { return };
    // Arrange: the recorded 2025-11-05 day behind a local Turfinfo, Telegram faked.
    let mock = MockTurfinfo::start().await;
    for (endpoint, body) in nov5_payloads(&dir) {
        mock.serve(&endpoint.path(), body);
    }
    let (store, _dir) = sqlite_store().await;
    let (base, fake) = fake_telegram().await;
    let deps = JobDeps {
        store: store.clone(),
        source: Source::Network(client(&mock)),
        concurrency: 2,
        notifier: Notifier::telegram(&base, &token(), "42").expect("notifier"),
        models_dir: "ml_models".into(),
        cache: std::sync::Arc::new(pronoturf_core::cache::Cache::new(None).expect("cache")),
    };
    let registry = standard_registry(&deps);
    let results = registry.get("results").expect("results");
    let job = Job::new("results", json!({"date": nov5()}));
    // Act: the 12:00 run, then the 13:00 run with nothing new.
    let first = results.run(&job).await.expect("first run");
    let second = results.run(&job).await.expect("second run");
    // Assert
    let arrived = store
        .list_races(nov5(), &Default::default())
        .await
        .expect("races")
        .iter()
        .filter(|r| r.has_result)
        .count();
    assert!(arrived > 0, "the recorded programme has arrivals");
    assert_eq!(first["new_arrivals"], json!(arrived));
    assert_eq!(second["new_arrivals"], json!(0));
    let received = fake.lock().expect("lock").received.clone();
    assert_eq!(
        received.len(),
        1,
        "one message for one batch of news: {received:?}"
    );
    let text = received[0].1["text"].as_str().expect("text");
    assert!(
        text.contains(&format!("{arrived} nouvelle(s) arrivée(s) le 2025-11-05"))
            && text.contains("Paris simulés: aucun"),
        "{text}"
    );
}
