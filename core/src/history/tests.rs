use super::*;
use crate::domain::{Discipline, Horse, Meeting, OddsKind, Runner, RunnerStatus, Sex, Track};
use chrono::{NaiveDate, TimeZone, Utc};

const HEADER: &str = "date,meeting,race,track,country,discipline,distance_m,going,runner,horse,\
horse_id,age,sex,jockey,trainer,draw,weight_kg,musique,career_starts,career_wins,career_places,\
earnings_eur,odds_morning,odds_final,status,finish";

/// A valid row of race 2026-03-01 R1C1, runner 1, with `overrides` applied by column name.
/// Values holding a comma, a quote or a newline are quoted as RFC 4180 says.
fn row(overrides: &[(&str, &str)]) -> String {
    let defaults = [
        ("date", "2026-03-01"),
        ("meeting", "1"),
        ("race", "1"),
        ("track", "VINCENNES"),
        ("country", "FRA"),
        ("discipline", "ATTELE"),
        ("distance_m", "2700"),
        ("going", "Bon"),
        ("runner", "1"),
        ("horse", "IDAO DE TILLARD"),
        ("horse_id", ""),
        ("age", "7"),
        ("sex", "M"),
        ("jockey", "C. THOMAIN"),
        ("trainer", "T. DUVALDESTIN"),
        ("draw", ""),
        ("weight_kg", ""),
        ("musique", "1a2a"),
        ("career_starts", "40"),
        ("career_wins", "15"),
        ("career_places", "20"),
        ("earnings_eur", "1250000.5"),
        ("odds_morning", "2.5"),
        ("odds_final", "2.1"),
        ("status", "RAN"),
        ("finish", "1"),
    ];
    defaults
        .iter()
        .map(|(name, default)| {
            let value = overrides
                .iter()
                .find(|(n, _)| n == name)
                .map_or(*default, |(_, v)| *v);
            if value.contains([',', '"', '\n']) {
                format!("\"{}\"", value.replace('"', "\"\""))
            } else {
                value.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn file(rows: &[String]) -> String {
    let mut text = format!("{HEADER}\n");
    for row in rows {
        text.push_str(row);
        text.push('\n');
    }
    text
}

fn read(text: &str) -> Result<HistoryFile, HistoryError> {
    read_history(text.as_bytes(), &mut |_| {})
}

fn read_err(text: &str) -> HistoryError {
    read(text).expect_err("the file should be rejected")
}

fn assert_error(error: &HistoryError, line: u64, column: Option<&str>, needle: &str) {
    assert_eq!(error.line, line, "{error}");
    assert_eq!(error.column.as_deref(), column, "{error}");
    assert!(error.message.contains(needle), "{error}");
}

const TWO_RACES: &str = "\
date,meeting,race,track,country,discipline,distance_m,going,runner,horse,horse_id,age,sex,jockey,trainer,draw,weight_kg,musique,career_starts,career_wins,career_places,earnings_eur,odds_morning,odds_final,status,finish
2026-03-01,1,1,VINCENNES,FRA,ATTELE,2700,Bon,1,IDAO DE TILLARD,,7,M,C. THOMAIN,T. DUVALDESTIN,,,1a2a,40,15,20,1250000.5,2.5,2.1,RAN,2
2026-03-01,1,1,VINCENNES,FRA,ATTELE,2700,Bon,2,HOOKER BERRY,,8,H,J-M. BAZIRE,J-M. BAZIRE,,,Da1a,50,12,18,900000,4,5.5,RAN,1
2026-03-01,1,1,VINCENNES,FRA,ATTELE,2700,Bon,3,GO ON BOY,,7,M,R. DERIEUX,R. DERIEUX,,,,,,,,10,9.2,RAN,2
2026-03-01,1,1,VINCENNES,FRA,ATTELE,2700,Bon,4,JUST LOVE YOU,,6,F,E. RAFFIN,S. GUARATO,,,,,,,,,,DNF,
2026-03-01,1,1,VINCENNES,FRA,ATTELE,2700,Bon,5,GIMS DE CHENU,,9,H,,,,,,,,,,30,,NON_RUNNER,
2016-01-01,1,4,SHA TIN,HKG,PLAT,1400,GOOD TO FIRM,7,GOLDEN SIXTY,T063,,,V BORGES,F C LOR,3,59.9,,,,,,,1.8,RAN,1
2016-01-01,1,4,SHA TIN,HKG,PLAT,1400,GOOD TO FIRM,8,BEAUTY GENERATION,P139,,,Z PURTON,J MOORE,9,60.5,,,,,,,6,RAN,2
";

#[test]
fn a_valid_file_maps_every_field_of_a_runner() {
    // Arrange / Act
    let history = read(TWO_RACES).expect("a valid file");

    // Assert
    assert_eq!(history.rows, 7);
    let card = &history.cards[0];
    let runner = &card.runners[0];
    assert_eq!(
        runner,
        &Runner {
            number: 1,
            horse: Horse {
                name: "IDAO DE TILLARD".into(),
                source_id: None,
                sex: Some(Sex::Male),
                birth_year: Some(2019),
                sire: None,
                dam: None,
                breed: None,
            },
            jockey: Some("C. THOMAIN".into()),
            trainer: Some("T. DUVALDESTIN".into()),
            age: Some(7),
            draw: None,
            weight_kg: None,
            blinkers: None,
            shoeing: None,
            musique: Some("1a2a".into()),
            career_starts: Some(40),
            career_wins: Some(15),
            career_places: Some(20),
            earnings_eur: Some(1_250_000.5),
            status: RunnerStatus::Ran,
            incident: None,
            finish: Some(2),
            time_ms: None,
            reduction_km_ms: None,
            odds_reference: Some(2.5),
            odds_final: Some(2.1),
        }
    );
    let hk = &history.cards[1].runners[0];
    assert_eq!(hk.horse.source_id.as_deref(), Some("T063"));
    assert_eq!((hk.draw, hk.weight_kg), (Some(3), Some(59.9)));
    assert_eq!(
        (hk.age, hk.horse.birth_year, hk.horse.sex),
        (None, None, None)
    );
}

#[test]
fn a_valid_file_groups_races_with_meeting_arrival_and_odds() {
    // Arrange / Act
    let history = read(TWO_RACES).expect("a valid file");

    // Assert
    assert_eq!(history.cards.len(), 2);
    let card = &history.cards[0];
    let date = NaiveDate::from_ymd_opt(2026, 3, 1).expect("a date");
    assert_eq!(
        card.meeting,
        Meeting {
            date,
            number: 1,
            track: Track {
                name: "VINCENNES".into(),
                code: None,
                country: Some("FRA".into()),
            },
            nature: None,
            audience: None,
            status: None,
            weather: None,
        }
    );
    let race = &card.race;
    assert_eq!((race.number, &race.discipline), (1, &Discipline::Attele));
    assert_eq!(
        (race.distance_m, race.going.as_deref()),
        (Some(2700), Some("Bon"))
    );
    assert_eq!(race.arrival, Some(vec![vec![2], vec![1, 3]]));
    assert!(race.is_final);
    assert_eq!(race.status, None);
    let numbers: Vec<u32> = card.runners.iter().map(|r| r.number).collect();
    assert_eq!(numbers, [1, 2, 3, 4, 5]);
    assert_eq!(card.runners[3].status, RunnerStatus::Dnf);
    assert_eq!(card.runners[4].status, RunnerStatus::NonRunner);
    assert!(card.payouts.is_empty());

    let morning = Utc
        .with_ymd_and_hms(2026, 3, 1, 0, 0, 0)
        .single()
        .expect("a time");
    let last = Utc
        .with_ymd_and_hms(2026, 3, 1, 23, 59, 59)
        .single()
        .expect("a time");
    let odds: Vec<(u32, OddsKind, f64, _)> = card
        .odds
        .iter()
        .map(|o| (o.runner, o.kind, o.odds, o.taken_at))
        .collect();
    assert_eq!(
        odds,
        [
            (1, OddsKind::Reference, 2.5, morning),
            (1, OddsKind::Final, 2.1, last),
            (2, OddsKind::Reference, 4.0, morning),
            (2, OddsKind::Final, 5.5, last),
            (3, OddsKind::Reference, 10.0, morning),
            (3, OddsKind::Final, 9.2, last),
            (5, OddsKind::Reference, 30.0, morning),
        ]
    );

    let hk = &history.cards[1];
    assert_eq!(hk.key().to_string(), "2016-01-01 R1C4");
    assert_eq!(hk.meeting.track.country.as_deref(), Some("HKG"));
    assert_eq!(hk.race.arrival, Some(vec![vec![7], vec![8]]));
    assert_eq!(hk.odds.len(), 2);
}

#[test]
fn a_race_without_finishers_has_no_arrival() {
    let history = read(&file(&[row(&[("status", "DNF"), ("finish", "")])])).expect("valid");

    assert_eq!(history.cards[0].race.arrival, None);
    assert!(!history.cards[0].race.is_final);
}

#[test]
fn rows_of_one_race_are_grouped_even_when_not_adjacent() {
    let text = file(&[
        row(&[("race", "2")]),
        row(&[("race", "1")]),
        row(&[("race", "2"), ("runner", "2"), ("finish", "2")]),
    ]);

    let history = read(&text).expect("valid");

    let races: Vec<(u32, usize)> = history
        .cards
        .iter()
        .map(|c| (c.race.number, c.runners.len()))
        .collect();
    assert_eq!(races, [(2, 2), (1, 1)]);
}

#[test]
fn an_error_displays_its_line_and_column() {
    let text = file(&[row(&[]), row(&[("runner", "2"), ("odds_final", "abc")])]);

    let error = read_err(&text);

    assert_eq!(
        error.to_string(),
        "line 3, column odds_final: expected a decimal number, got \"abc\""
    );
}

#[test]
fn a_bad_date_is_rejected_at_its_line() {
    for bad in ["2026-02-30", "2026-3-01", "01/03/2026", ""] {
        let text = file(&[row(&[]), row(&[("date", bad)])]);
        assert_error(&read_err(&text), 3, Some("date"), "");
    }
}

#[test]
fn a_missing_required_column_is_rejected_at_line_1() {
    let text = HEADER.replace(",horse,", ",name,") + "\n";

    let error = read_err(&text);

    assert_error(&error, 1, Some("horse"), "missing");
}

#[test]
fn bad_numbers_are_rejected_with_their_column() {
    let cases = [
        ("meeting", "0"),
        ("race", "x"),
        ("runner", "1.5"),
        ("distance_m", "-2700"),
        ("age", "seven"),
        ("weight_kg", "58,5"),
        ("earnings_eur", "-1"),
        ("odds_morning", "-2"),
        ("odds_final", "inf"),
        ("sex", "X"),
        ("status", "DECLARED"),
    ];
    for (column, value) in cases {
        let text = file(&[row(&[(column, value)])]);
        assert_error(&read_err(&text), 2, Some(column), &format!("{value:?}"));
    }
}

#[test]
fn a_ran_runner_needs_a_finish() {
    let text = file(&[row(&[("finish", "")])]);

    assert_error(&read_err(&text), 2, Some("finish"), "RAN");
}

#[test]
fn a_non_runner_must_have_no_finish() {
    let text = file(&[row(&[]), row(&[("runner", "2"), ("status", "NON_RUNNER")])]);

    assert_error(&read_err(&text), 3, Some("finish"), "NON_RUNNER");
}

#[test]
fn a_duplicate_runner_is_rejected_at_the_second_line_naming_the_first() {
    let text = file(&[
        row(&[]),
        row(&[("runner", "2"), ("finish", "2")]),
        row(&[("finish", "3")]),
    ]);

    assert_error(&read_err(&text), 4, Some("runner"), "first at line 2");
}

#[test]
fn an_unknown_discipline_is_rejected() {
    let text = file(&[row(&[("discipline", "POLO")])]);

    assert_error(&read_err(&text), 2, Some("discipline"), "\"POLO\"");
}

#[test]
fn race_level_values_must_agree_within_a_race() {
    let cases = [
        ("track", "ENGHIEN"),
        ("discipline", "MONTE"),
        ("distance_m", "2850"),
        ("country", "BEL"),
        ("going", "Souple"),
    ];
    for (column, value) in cases {
        let text = file(&[row(&[]), row(&[("runner", "2"), (column, value)])]);
        assert_error(&read_err(&text), 3, Some(column), "line 2");
    }
}

#[test]
fn an_empty_race_level_value_is_unknown_and_filled_by_a_later_row() {
    let text = file(&[
        row(&[("distance_m", ""), ("going", "")]),
        row(&[("runner", "2"), ("finish", "2")]),
    ]);

    let race = &read(&text).expect("valid").cards[0].race;

    assert_eq!(
        (race.distance_m, race.going.as_deref()),
        (Some(2700), Some("Bon"))
    );
}

#[test]
fn quoted_fields_with_commas_and_newlines_keep_line_numbers_physical() {
    // Arrange: the first row spans lines 2 and 3.
    let text = file(&[
        row(&[("trainer", "S A JOSEPH, JR.\nSECOND LINE")]),
        row(&[("runner", "2"), ("finish", "2")]),
        row(&[("runner", "3"), ("finish", "zero")]),
    ]);

    // Act
    let error = read_err(&text);

    // Assert
    assert_error(&error, 5, Some("finish"), "\"zero\"");
    let valid = file(&[row(&[("trainer", "S A JOSEPH, JR.\nSECOND LINE")])]);
    let trainer = &read(&valid).expect("valid").cards[0].runners[0].trainer;
    assert_eq!(trainer.as_deref(), Some("S A JOSEPH, JR.\nSECOND LINE"));
}

#[test]
fn crlf_line_endings_count_one_line_per_row() {
    let text = file(&[row(&[]), row(&[("runner", "2"), ("finish", "")])]).replace('\n', "\r\n");

    assert_error(&read_err(&text), 3, Some("finish"), "RAN");
}

#[test]
fn skipped_blank_lines_still_count() {
    let text = file(&[
        row(&[]),
        String::new(),
        row(&[("runner", "2"), ("sex", "?")]),
    ]);

    assert_error(&read_err(&text), 4, Some("sex"), "\"?\"");
}

#[test]
fn a_row_with_the_wrong_number_of_fields_is_rejected_at_its_line() {
    let text = file(&[row(&[]), format!("{},extra", row(&[("runner", "2")]))]);

    assert_error(&read_err(&text), 3, None, "27 fields");
}

#[test]
fn non_utf8_is_rejected_at_its_line_and_column() {
    let mut bytes = file(&[row(&[]), row(&[("runner", "2"), ("horse", "CAFE")])]).into_bytes();
    let at = bytes
        .windows(4)
        .rposition(|w| w == b"CAFE")
        .expect("the horse name");
    bytes[at + 3] = 0xE9; // Latin-1 "é"

    let error = read_history(&bytes[..], &mut |_| {}).expect_err("not UTF-8");

    assert_error(&error, 3, Some("horse"), "UTF-8");
}

#[test]
fn a_bom_spaces_extra_columns_and_missing_optional_columns_are_tolerated() {
    let text = "\u{feff}date,meeting,race,track,discipline,runner,horse,status,finish,comment\n\
                2026-03-01, 1 , 2 , VINCENNES ,PLAT, 3 , ELLA ,RAN, 1 ,new column\n";

    let history = read(text).expect("valid");

    let card = &history.cards[0];
    assert_eq!(card.key().to_string(), "2026-03-01 R1C2");
    assert_eq!(card.meeting.track.name, "VINCENNES");
    assert_eq!(card.runners[0].horse.name, "ELLA");
    assert_eq!(card.runners[0].finish, Some(1));
}

#[test]
fn zero_odds_are_unknown_and_low_odds_are_kept_as_published() {
    let text = file(&[
        row(&[("odds_morning", "0"), ("odds_final", "1")]),
        row(&[
            ("runner", "2"),
            ("odds_morning", ""),
            ("odds_final", " 0.8 "),
            ("finish", "2"),
        ]),
    ]);

    let card = &read(&text).expect("valid").cards[0];

    let odds: Vec<_> = card
        .runners
        .iter()
        .map(|r| (r.odds_reference, r.odds_final))
        .collect();
    assert_eq!(odds, [(None, Some(1.0)), (None, Some(0.8))]);
    assert_eq!(card.odds.len(), 2);
    assert!(card.odds.iter().all(|o| o.kind == OddsKind::Final));
}

#[test]
fn an_empty_file_is_rejected() {
    assert_error(&read_err(""), 1, None, "header");
}

#[test]
fn progress_reports_bytes_read_up_to_the_whole_file() {
    let rows: Vec<String> = (1..=2500)
        .map(|n| {
            let number = n.to_string();
            row(&[("runner", &number), ("finish", &number)])
        })
        .collect();
    let text = file(&rows);
    let mut reports = Vec::new();

    read_history(text.as_bytes(), &mut |bytes| reports.push(bytes)).expect("valid");

    assert_eq!(reports.len(), 3);
    assert!(reports.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(reports.last().copied(), Some(text.len() as u64));
}
