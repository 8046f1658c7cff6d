//! The dashboard against hostile data: horse, jockey, trainer, track and race names holding
//! markup and quotes, stored in the database, then every page reachable from the overview
//! crawled. Every response carries the Content-Security-Policy, no page contains a script, an
//! event-handler attribute or a `javascript:` URL, and the names show escaped, never raw.

mod support;

use axum::http::StatusCode;
use chrono::NaiveDate;
use pronoturf_core::domain::*;
use pronoturf_dashboard::CONTENT_SECURITY_POLICY;
use std::collections::{BTreeSet, VecDeque};
use support::App;

/// Breaks out of an element, of a double- and a single-quoted attribute, and of a URL.
const HORSE: &str = "<script>alert('horse')</script>";
const JOCKEY: &str = "J. \"O'Brien\" <img src=x onerror=alert(1)>";
const TRAINER: &str = "T. </td><script>alert(\"trainer\")</script>";
const TRACK: &str = "PAU\" onmouseover=\"alert(1)";
const RACE: &str = "PRIX '><svg onload=alert(1)>";

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 2).expect("date")
}

fn hostile_card() -> RaceCard {
    let mut race = Race::new(1, Discipline::Plat);
    race.name = Some(RACE.into());
    race.arrival = Some(vec![vec![1], vec![2]]);
    race.is_final = true;
    let runners = (1..=2)
        .map(|n| {
            let name = if n == 1 {
                HORSE.to_string()
            } else {
                "CALME".into()
            };
            let mut r = Runner::new(n, Horse::named(name));
            r.jockey = Some(JOCKEY.into());
            r.trainer = Some(TRAINER.into());
            r.musique = Some("<b>1p</b>".into());
            r.status = RunnerStatus::Ran;
            r.finish = Some(n);
            r.odds_final = Some(2.0 + f64::from(n));
            r
        })
        .collect();
    RaceCard {
        meeting: Meeting {
            date: day(),
            number: 1,
            track: Track {
                name: TRACK.into(),
                code: None,
                country: Some("<i>FR</i>".into()),
            },
            nature: None,
            audience: None,
            status: None,
            weather: None,
        },
        race,
        runners,
        odds: vec![],
        payouts: vec![Payout {
            bet_type: "SIMPLE_GAGNANT".into(),
            combination: "1".into(),
            label: Some("<u>gagnant</u>".into()),
            dividend_per_euro: 3.0,
            winners: None,
            refunded: false,
        }],
    }
}

/// The dashboard over a store holding the hostile race only.
async fn app() -> App {
    let app = App::new("http://127.0.0.1:9").await;
    app.store()
        .upsert_race_cards(&[hostile_card()])
        .await
        .expect("write");
    app
}

/// Internal links of a page (`href="/..."`), with askama's `&#38;` turned back into `&`.
fn links(body: &str) -> Vec<String> {
    body.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|l| l.starts_with('/') && !l.starts_with("//"))
        .map(|l| l.replace("&#38;", "&").replace("&amp;", "&"))
        .collect()
}

/// Every hostile name, whole: none may appear unescaped in HTML.
const RAW: [&str; 5] = [HORSE, JOCKEY, TRAINER, TRACK, RACE];

fn assert_safe(uri: &str, page: &support::Answer) {
    assert_eq!(
        page.csp.as_deref(),
        Some(CONTENT_SECURITY_POLICY),
        "{uri}: CSP header"
    );
    if !page.content_type.starts_with("text/html") {
        return;
    }
    let lower = page.body.to_lowercase();
    assert!(!lower.contains("<script"), "{uri}: a script element");
    assert!(!lower.contains("javascript:"), "{uri}: a javascript: URL");
    // Escaped text may say `onerror=` in a text node or inside a quoted attribute value, which
    // is harmless; an event handler is an attribute: outside the quotes of a raw tag.
    for tag in lower.split('<').skip(1) {
        let tag = tag.split('>').next().unwrap_or_default();
        let outside_quotes: String = tag.split('"').step_by(2).collect();
        for handler in ["onerror=", "onload=", "onmouseover=", "onclick="] {
            assert!(
                !outside_quotes.contains(handler),
                "{uri}: event handler in <{tag}>"
            );
        }
    }
    for raw in RAW {
        assert!(!page.body.contains(raw), "{uri}: {raw:?} unescaped");
    }
}

#[tokio::test]
async fn every_crawled_page_escapes_stored_names_and_sends_the_policy() {
    // Arrange: a policy that allows no script at all (default-src 'none', no script-src).
    assert!(CONTENT_SECURITY_POLICY.contains("default-src 'none'"));
    assert!(!CONTENT_SECURITY_POLICY.contains("script-src"));
    let app = app().await;
    let date = day().format("%Y-%m-%d").to_string();
    let mut queue: VecDeque<String> = [
        format!("/?date={date}&periode=tout"),
        format!("/courses/{date}/1/1"),
        "/chevaux?q=%3Cscript%3E".into(),
        "/jockeys?q=J.".into(),
        "/entraineurs?q=T.".into(),
        "/exploitation".into(),
        format!("/?date={date}&format=csv&tableau=courses"),
        // Reflected input: the query string and an unknown path come back in the page.
        "/chevaux?q=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E".into(),
        "/nulle-part/%3Cscript%3Ealert(1)%3C%2Fscript%3E".into(),
        "/?periode=%3Cscript%3E".into(),
        "/static/style.css".into(),
        "/health".into(),
    ]
    .into_iter()
    .collect();
    let mut seen = BTreeSet::new();
    let mut shown = BTreeSet::new();

    // Act / Assert: breadth first, every internal link once, up to a bound.
    while let Some(uri) = queue.pop_front() {
        if !seen.insert(uri.clone()) || seen.len() > 150 {
            continue;
        }
        let page = app.get(&uri).await;
        assert!(
            page.status.is_success() || page.status.is_client_error(),
            "{uri}: {}",
            page.status
        );
        assert_safe(&uri, &page);
        for (name, escaped) in [
            (
                "horse",
                "&#60;script&#62;alert(&#39;horse&#39;)&#60;/script&#62;",
            ),
            (
                "jockey",
                "J. &#34;O&#39;Brien&#34; &#60;img src=x onerror=alert(1)&#62;",
            ),
            ("trainer", "T. &#60;/td&#62;&#60;script&#62;"),
            ("track", "PAU&#34; onmouseover=&#34;alert(1)"),
            ("race", "PRIX &#39;&#62;&#60;svg onload=alert(1)&#62;"),
        ] {
            if page.body.contains(escaped) {
                shown.insert(name);
            }
        }
        if page.content_type.starts_with("text/html") {
            queue.extend(links(&page.body));
        }
    }

    // Each name was shown somewhere (escaped): the test looked at pages that render them.
    assert_eq!(
        shown.into_iter().collect::<Vec<_>>(),
        ["horse", "jockey", "race", "track", "trainer"],
        "pages crawled: {seen:?}"
    );
    for page in ["/chevaux/", "/jockeys/", "/entraineurs/", "/courses/"] {
        assert!(
            seen.iter().any(|u| u.starts_with(page)),
            "no {page} page was reached: {seen:?}"
        );
    }
}

#[tokio::test]
async fn csv_exports_keep_names_as_data_and_send_the_policy() {
    let app = app().await;
    let page = app
        .get("/?date=2026-01-02&periode=tout&format=csv&tableau=courses")
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.content_type.starts_with("text/csv"),
        "{}",
        page.content_type
    );
    assert_eq!(page.csp.as_deref(), Some(CONTENT_SECURITY_POLICY));
    // In a CSV the name is data, quoted as RFC 4180 says, not HTML.
    assert!(
        page.body.contains("PAU\"\" onmouseover=\"\"alert(1)"),
        "{}",
        page.body
    );
}
