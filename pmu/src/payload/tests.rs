//! Edge cases of the payload parsers, on small hand-written bodies.

use super::*;

const PROGRAMME: &str = r#"{"programme":{"date":1762297200000,"timezoneOffset":3600000,
  "reunions":[{"numOfficiel":1,"nature":"CREPUSCULAIRE","hippodrome":{"code":"PET","libelleCourt":"NANTES"},
    "courses":[{"numOrdre":1,"discipline":"POLO","statut":"NOUVEAU_STATUT","ordreArrivee":[[2],[1,3]],
      "penetrometre":{"valeurMesure":"4,6","intitule":"Lourd"},"incidents":null}]}]},
  "timestampPMU":{"timestamp":1763221307102,"timezoneOffset":3600000}}"#;

#[test]
#[expect(clippy::unwrap_used)]
fn wrapped_and_bare_programmes_parse_alike() {
    // Arrange
    let bare =
        r#"{"date":1762297200000,"reunions":[{"numOfficiel":1,"courses":[{"numOrdre":1}]}]}"#;

    // Act
    let wrapped = parse_programme(PROGRAMME.as_bytes()).unwrap();
    let bare = parse_programme(bare.as_bytes()).unwrap();

    // Assert
    assert_eq!(wrapped.date, bare.date);
    assert_eq!(
        wrapped.timestamp_pmu.and_then(|t| t.timestamp),
        Some(1_763_221_307_102)
    );
    assert_eq!(bare.reunions[0].courses[0].num_ordre, 1);
    assert!(bare.timestamp_pmu.is_none());
}

#[test]
#[expect(clippy::unwrap_used)]
fn unknown_enum_values_are_kept_verbatim() {
    let p = parse_programme(PROGRAMME.as_bytes()).unwrap();
    let reunion = &p.reunions[0];
    let course = &reunion.courses[0];
    assert_eq!(reunion.nature.as_deref(), Some("CREPUSCULAIRE"));
    assert_eq!(course.discipline.as_deref(), Some("POLO"));
    assert_eq!(course.statut.as_deref(), Some("NOUVEAU_STATUT"));
    assert_eq!(course.ordre_arrivee, Some(vec![vec![2], vec![1, 3]]));
    assert!(course.incidents.is_empty(), "null list reads as empty");
    assert_eq!(
        course.penetrometre.as_ref().and_then(Penetrometre::value),
        Some(4.6)
    );
}

#[test]
fn a_truncated_body_is_an_error_that_says_so() {
    for cut in [1, 10, PROGRAMME.len() / 2, PROGRAMME.len() - 1] {
        let err = parse_programme(&PROGRAMME.as_bytes()[..cut]).expect_err("truncated");
        assert!(err.is_truncated(), "cut at {cut}: {err}");
        assert_eq!(err.kind(), PayloadKind::Programme);
    }
    let err = parse_participants(br#"{"participants":[{"numPmu":1,"nom":"A"#).expect_err("eof");
    assert!(err.is_truncated());
    assert!(err.path().starts_with("participants[0]"), "{}", err.path());
}

#[test]
fn a_wrong_type_is_an_error_with_its_json_path() {
    let body = PROGRAMME.replace(r#""numOrdre":1"#, r#""numOrdre":"un""#);
    let err = parse_programme(body.as_bytes()).expect_err("string numOrdre");
    assert_eq!(err.path(), "programme.reunions[0].courses[0].numOrdre");
    assert!(!err.is_truncated());
    assert!(
        err.to_string()
            .contains("programme.reunions[0].courses[0].numOrdre")
    );

    let bare = r#"{"date":1,"reunions":[{"numOfficiel":1},{"numOfficiel":2,"courses":{}}]}"#;
    let err = parse_programme(bare.as_bytes()).expect_err("object courses");
    assert_eq!(err.path(), "reunions[1].courses");

    let err = parse_rapports(br#"[{"typePari":"TRIO","rapports":[{"nombreGagnants":"x"}]}]"#)
        .expect_err("string count");
    assert_eq!(err.path(), "[0].rapports[0].nombreGagnants");
    assert_eq!(err.kind(), PayloadKind::Rapports);
}

#[test]
fn garbage_and_unrelated_bodies_are_errors_not_panics() {
    let bodies: [&[u8]; 9] = [
        b"",
        b"   ",
        b"null",
        b"<html>502 Bad Gateway</html>",
        b"{}",
        br#"{"message":"Not found"}"#,
        b"[] trailing",
        b"\xff\xfe",
        b"42",
    ];
    for body in bodies {
        assert!(parse_programme(body).is_err(), "{body:?}");
        assert!(parse_participants(body).is_err(), "{body:?}");
        assert!(parse_performances(body).is_err(), "{body:?}");
    }
    assert!(parse_rapports(b"{}").is_err());
    assert!(parse_rapports(b"[] x").is_err());
}

#[test]
#[expect(clippy::unwrap_used)]
fn participants_come_wrapped_or_as_a_bare_array() {
    let obj = br#"{"participants":[{"numPmu":3,"nom":"X","dernierRapportDirect":{"rapport":9.2}}],"cached":false}"#;
    let arr = br#"[{"numPmu":3,"nom":"X","dernierRapportDirect":{"rapport":16}}]"#;
    let obj = parse_participants(obj).unwrap();
    let arr = parse_participants(arr).unwrap();
    assert_eq!(obj.participants[0].num_pmu, 3);
    assert_eq!(arr.participants[0].num_pmu, 3);
    assert_eq!(obj.cached, Some(false));
    let odds = |p: &Participants| p.participants[0].dernier_rapport_direct.as_ref()?.rapport;
    assert_eq!(odds(&obj), Some(9.2));
    assert_eq!(odds(&arr), Some(16.0));
    let err = parse_participants(br#"[{"nom":"no number"}]"#).expect_err("numPmu is required");
    assert_eq!(err.path(), "[0]");
}

#[test]
#[expect(clippy::unwrap_used)]
fn rapports_come_as_an_array_or_wrapped_with_string_or_array_combinations() {
    let arr = br#"[{"typePari":"COUPLE_GAGNANT","rapports":[{"combinaison":"7 - 3"}]}]"#;
    let obj = br#"{"rapportsDefinitifs":[{"typePari":"COUPLE_GAGNANT","rapports":[{"combinaison":[7,3]},{"combinaison":[5,"NP"]}]}]}"#;
    let arr = parse_rapports(arr).unwrap();
    let obj = parse_rapports(obj).unwrap();
    let joined = |r: &RapportDefinitif, i: usize| {
        r.rapports[i].combinaison.as_ref().map(Combinaison::joined)
    };
    assert_eq!(joined(&arr[0], 0).as_deref(), Some("7-3"));
    assert_eq!(joined(&obj[0], 0).as_deref(), Some("7-3"));
    assert_eq!(joined(&obj[0], 1).as_deref(), Some("5-NP"));
}

#[test]
#[expect(clippy::unwrap_used)]
fn open_pmu_records_are_read_whatever_the_type_of_each_field() {
    let body = br#"[
      {"date":"22/01/2004","type":"Attel\u00e9","montant":55000,"distance":2700,"r/c":"R1C1",
       "partants":18,"non partants":null,"arrivee":"4 - 3 - 17 - 7 - 1 / 9","details":""},
      {"date":"27/01/2004","type":"Steeple Chase","montant":"55000","distance":"4400","r/c":"R2C10",
       "partants":"16","non partants":"1,8","arrivee":[11,"7",10,[14,9]]},
      {"date":"bad","type":"","r/c":"R1","partants":"?","non partants":3,"arrivee":"Non connue"}
    ]"#;
    let races = open_pmu::parse_open_pmu(body).unwrap();
    assert_eq!(races.len(), 3);
    let [a, b, c] = &races[..] else {
        panic!("three races expected")
    };
    assert_eq!(a.date(), chrono::NaiveDate::from_ymd_opt(2004, 1, 22));
    assert_eq!(
        a.discipline(),
        Some(pronoturf_core::domain::Discipline::Attele)
    );
    assert_eq!(a.meeting_and_race(), Some((1, 1)));
    assert_eq!(a.partants, Some(18));
    assert!(a.non_partants.is_empty());
    assert_eq!(
        a.arrivee,
        Some(vec![vec![4], vec![3], vec![17], vec![7], vec![1, 9]])
    );
    assert_eq!(
        b.discipline(),
        Some(pronoturf_core::domain::Discipline::Steeplechase)
    );
    assert_eq!(
        (b.montant, b.distance, b.partants),
        (Some(55000.0), Some(4400), Some(16))
    );
    assert_eq!(b.meeting_and_race(), Some((2, 10)));
    assert_eq!(b.non_partants, vec![1, 8]);
    assert_eq!(
        b.arrivee,
        Some(vec![vec![11], vec![7], vec![10], vec![14, 9]])
    );
    assert_eq!(
        (c.date(), c.discipline(), c.meeting_and_race()),
        (None, None, None)
    );
    assert_eq!((c.partants, c.arrivee.clone()), (None, None));
    assert_eq!(c.non_partants, vec![3]);

    let none = open_pmu::parse_open_pmu(br#"{"error":true,"message":"Pas de correspondance"}"#);
    assert!(none.unwrap().is_empty());
    let some = open_pmu::parse_open_pmu(br#"{"error":false,"message":[{"date":"01/01/2020"}]}"#);
    assert_eq!(some.unwrap().len(), 1);
    let err = open_pmu::parse_open_pmu(br#"[{"arrivee":{"a":1}}]"#).expect_err("object arrival");
    assert_eq!(err.path(), "[0].arrivee");
    assert_eq!(err.kind(), PayloadKind::OpenPmu);
}
