//! Writing cases as GENIUS XML and GeniusWeb JSON folders: what each format holds comes
//! back unchanged, what it cannot hold is refused with the party and field named, and with
//! loss allowed is written with a note. (The whole corpus goes through both formats in
//! `reference.rs`.)

use std::path::Path;

use accord_core::{
    AdditiveUtility, Case, Choice, Evaluator, OptionIdx, Package, Party, PartyIdx, Point,
    PointKind, PointOption, Position, Role,
};
use accord_formats::case_file::{CaseFormat, read_case};
use accord_formats::export::{Export, ExportOptions, export_folder};
use accord_formats::folder::{DomainFormat, read_domain_folder};
use accord_formats::generate::{GenerateSpec, generate_rectangle_case};
use accord_formats::{ErrorKind, FormatError};

mod common;
use common::{folder_files, testdata};

const FORMATS: [DomainFormat; 2] = [DomainFormat::GeniusXml, DomainFormat::GeniusWebJson];
const LOSSY: ExportOptions = ExportOptions { allow_loss: true };

fn labour() -> Case {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/labour-contract.toml");
    let text = std::fs::read_to_string(path).unwrap();
    read_case("labour-contract.toml", &text, CaseFormat::Toml).unwrap()
}

fn write(case: &Case, format: DomainFormat, options: ExportOptions) -> Result<Export, FormatError> {
    export_folder(case, &case.negotiating_parties(), format, options)
}

/// Writes and reads back, with the profiles in party order.
fn round_trip(case: &Case, format: DomainFormat, options: ExportOptions) -> (Case, Export) {
    let written = write(case, format, options).unwrap_or_else(|e| panic!("{format:?}: {e}"));
    let folder = read_domain_folder(case.name(), written.files.clone())
        .unwrap_or_else(|e| panic!("{format:?}: {e}"));
    assert_eq!(folder.format, format);
    let again = folder
        .case(&written.profiles)
        .unwrap_or_else(|e| panic!("{format:?}: {e}"));
    (again, written)
}

/// The package of `again` that is `package` of `case` (an integer range written as
/// options becomes the option of its value).
fn translate(case: &Case, again: &Case, package: &Package) -> Package {
    Package(
        package
            .0
            .iter()
            .zip(case.points().iter().zip(again.points()))
            .map(
                |(&choice, (before, after))| match (&before.kind, &after.kind, choice) {
                    (PointKind::Integer { min, .. }, PointKind::Options(_), Choice::Integer(v)) => {
                        Choice::Option(OptionIdx(usize::try_from(v - min).unwrap()))
                    }
                    _ => choice,
                },
            )
            .collect(),
    )
}

/// Every package's utilities (red lines aside) agree within `tolerance`.
fn same_utilities(case: &Case, again: &Case, tolerance: f64) {
    let parties = case.negotiating_parties();
    assert_eq!(again.negotiating_parties().len(), parties.len());
    assert_eq!(again.n_packages(), case.n_packages());
    for k in 0..case.n_packages().unwrap() {
        let package = case.package_at(k).unwrap();
        let ours = case.utilities(&parties, &package);
        let theirs = again.utilities(
            &again.negotiating_parties(),
            &translate(case, again, &package),
        );
        for (a, b) in ours.iter().zip(&theirs) {
            assert!(
                (a - b).abs() <= tolerance,
                "package {k}: {ours:?} vs {theirs:?}"
            );
        }
    }
}

fn messages(error: &FormatError) -> Vec<String> {
    error.problems.iter().map(ToString::to_string).collect()
}

#[test]
fn red_lines_are_refused_by_both_formats_naming_the_party() {
    let case = labour();
    for format in FORMATS {
        let error = write(&case, format, ExportOptions::default()).unwrap_err();
        let text = messages(&error).join("\n");
        assert!(
            text.contains("Labour contract: parties[0] `union`.red_lines: ")
                && text.contains("parties[1] `employer`.red_lines: ")
                && text.contains("has no red lines (2 here)"),
            "{format:?}:\n{text}"
        );
        assert!(
            error
                .problems
                .iter()
                .all(|p| p.kind == ErrorKind::Unsupported)
        );
    }
}

#[test]
fn genius_with_loss_allowed_keeps_every_utility_and_writes_a_piecewise_range_as_options() {
    let case = labour();
    let (again, written) = round_trip(&case, DomainFormat::GeniusXml, LOSSY);
    assert_eq!(written.domain_file, "domain.xml");
    // `union` sorts after `employer`: numbered, so that the order holds.
    assert_eq!(written.profiles, ["1-union.xml", "2-employer.xml"]);
    let notes = written.notes.join("\n");
    assert!(notes.contains("points[1] `hours`: the value function of parties[0] `union` on it is not linear; written as its 6 values"), "{notes}");
    assert!(
        notes.contains(
            "parties[1] `employer`.red_lines: GENIUS XML has no red lines (2 here); left out"
        ),
        "{notes}"
    );
    // The mediator has no position: two profiles.
    assert_eq!(written.files.len(), 3);
    let hours = &again.points()[1];
    assert_eq!(
        hours.kind,
        PointKind::options(["35", "36", "37", "38", "39", "40"])
    );
    same_utilities(&case, &again, 1e-12);
    for (a, b) in again.parties().iter().zip(case.negotiating_parties()) {
        let before = case.position(b).unwrap();
        let after = a.position.as_ref().unwrap();
        assert_eq!(after.reservation_value, before.reservation_value);
        assert!(after.red_lines.is_empty());
    }
}

#[test]
fn geniusweb_with_loss_allowed_writes_reservation_bids_that_clear_the_same_packages() {
    let case = labour();
    let (again, written) = round_trip(&case, DomainFormat::GeniusWebJson, LOSSY);
    let notes = written.notes.join("\n");
    assert!(
        notes
            .contains("parties[1] `employer`.reservation_value: GeniusWeb holds a reservation bid"),
        "{notes}"
    );
    assert!(notes.contains("the same packages clear it"), "{notes}");
    // The case file's weights are normalised and every rating scale starts at 0 and tops
    // at its maximum, so the utilities survive (to rounding) and only the reservation
    // values move, up to the utility of the bid.
    same_utilities(&case, &again, 1e-12);
    for (k, party) in case.negotiating_parties().into_iter().enumerate() {
        let before = case.position(party).unwrap().reservation_value;
        let after = again.parties()[k]
            .position
            .as_ref()
            .unwrap()
            .reservation_value;
        assert!(after >= before, "{after} < {before}");
        let clears = |c: &Case, p: PartyIdx, r: f64| {
            (0..c.n_packages().unwrap())
                .filter(|&i| c.position(p).unwrap().utility(&c.package_at(i).unwrap()) >= r)
                .count()
        };
        assert_eq!(
            clears(&case, party, before),
            clears(&again, PartyIdx(k), after)
        );
    }
}

#[test]
fn a_reservation_value_some_package_has_is_written_as_that_bid_exactly() {
    let dir = testdata().join("geniusweb/anl2023-domain07");
    let folder = read_domain_folder("anl2023-domain07", folder_files(&dir)).unwrap();
    let case = folder.case(&folder.default_profiles()).unwrap();
    // Give the first party the utility of its 100th package as reservation value.
    let package = case.package_at(99).unwrap();
    let mut parties: Vec<Party> = case.parties().to_vec();
    let position = parties[0].position.as_mut().unwrap();
    position.reservation_value = position.utility(&package);
    let wanted = position.reservation_value;
    let case = Case::new(case.name(), case.points().to_vec(), parties).unwrap();
    let (again, written) = round_trip(&case, DomainFormat::GeniusWebJson, ExportOptions::default());
    assert!(written.notes.is_empty(), "{:?}", written.notes);
    assert_eq!(
        again.parties()[0]
            .position
            .as_ref()
            .unwrap()
            .reservation_value,
        wanted
    );
    assert_eq!(again.parties()[0].position, case.parties()[0].position);
    let text = String::from_utf8(written.files[1].bytes.clone()).unwrap();
    assert!(text.contains("\"reservationBid\""), "{text}");
}

#[test]
fn awkward_names_survive_both_formats() {
    let points = vec![
        Point::new(
            "a & \"b\" <c>\tend",
            PointKind::Options(vec![
                PointOption::new(" padded "),
                PointOption::new("line\nbreak"),
                PointOption::new("&amp; 'quoted' é"),
            ]),
        ),
        Point::new("plain", PointKind::options(["x", "y"])),
    ];
    let party = |id: &str, a: Vec<f64>, b: Vec<f64>| {
        let utility = AdditiveUtility::new(
            vec![0.4, 0.6],
            vec![Evaluator::Options(a), Evaluator::Options(b)],
        );
        let mut position = Position::new(utility.into());
        position.reservation_value = 0.0;
        Party::new(id, id, Role::Party).with_position(position)
    };
    let case = Case::new(
        "names & <things>",
        points,
        vec![
            party("first party", vec![1.0, 0.5, 0.0], vec![0.0, 1.0]),
            party("second/party", vec![0.0, 0.25, 1.0], vec![1.0, 0.0]),
        ],
    )
    .unwrap();
    for format in FORMATS {
        let (again, written) = round_trip(&case, format, ExportOptions::default());
        let stems: Vec<&str> = written
            .profiles
            .iter()
            .map(|p| p.rsplit_once('.').unwrap().0)
            .collect();
        assert_eq!(stems, ["first_party", "second_party"]);
        assert_eq!(again.points().len(), 2);
        for (a, b) in again.points().iter().zip(case.points()) {
            assert_eq!(a.id, b.id, "{format:?}");
            assert_eq!(a.kind, b.kind, "{format:?}");
        }
        for (a, b) in again.parties().iter().zip(case.parties()) {
            assert_eq!(a.position, b.position, "{format:?}");
        }
    }
}

#[test]
fn a_control_character_in_a_name_is_refused_by_genius_xml() {
    let point = Point::new("bell\u{7}", PointKind::options(["x", "y"]));
    let utility = AdditiveUtility::new(vec![1.0], vec![Evaluator::Options(vec![1.0, 0.0])]);
    let party = Party::new("p", "p", Role::Party).with_position(Position::new(utility.into()));
    let case = Case::new("c", vec![point], vec![party]).unwrap();
    let error = write(&case, DomainFormat::GeniusXml, LOSSY).unwrap_err();
    assert_eq!(
        messages(&error),
        [
            "c: points[0] `bell\u{7}`: `bell\\u{7}` holds the control character U+0007, which XML cannot hold"
        ]
    );
    // JSON holds it.
    round_trip(&case, DomainFormat::GeniusWebJson, ExportOptions::default());
}

fn real_case(evaluator: Evaluator) -> Case {
    let point = Point::new("length", PointKind::Real { min: 0.5, max: 3.0 });
    let other = Point::new("colour", PointKind::options(["red", "blue"]));
    let utility = AdditiveUtility::new(
        vec![0.7, 0.3],
        vec![evaluator, Evaluator::Options(vec![0.5, 1.0])],
    );
    let mut position = Position::new(utility.into());
    position.reservation_value = 0.2;
    position.discount_factor = 0.9;
    let party = Party::new("p", "p", Role::Party).with_position(position);
    Case::new("real", vec![point, other], vec![party]).unwrap()
}

#[test]
fn genius_real_issues_keep_linear_constant_and_triangular_value_functions() {
    for evaluator in [
        Evaluator::Linear {
            origin: 0.5,
            offset: 0.1,
            slope: 0.4,
        },
        Evaluator::Constant(0.3),
        Evaluator::Triangular {
            lower: 0.5,
            top: 1.25,
            upper: 3.0,
        },
    ] {
        let case = real_case(evaluator.clone());
        let (again, _) = round_trip(&case, DomainFormat::GeniusXml, ExportOptions::default());
        assert_eq!(again.points()[0].kind, case.points()[0].kind);
        let before = case.parties()[0].position.as_ref().unwrap();
        let after = again.parties()[0].position.as_ref().unwrap();
        assert_eq!(after.discount_factor, 0.9);
        assert_eq!(after.reservation_value, 0.2);
        for x in [0.5, 0.75, 1.0, 1.25, 2.0, 2.9, 3.0] {
            for colour in 0..2 {
                let package = Package(vec![Choice::Real(x), Choice::Option(OptionIdx(colour))]);
                let (a, b) = (before.utility(&package), after.utility(&package));
                assert!((a - b).abs() < 1e-12, "{evaluator:?} at {x}: {a} vs {b}");
            }
        }
    }
}

#[test]
fn what_a_format_cannot_hold_is_refused_with_its_reason() {
    let piecewise = real_case(Evaluator::Piecewise(vec![(0.5, 0.0), (3.0, 1.0)]));
    let error = write(&piecewise, DomainFormat::GeniusXml, LOSSY).unwrap_err();
    assert_eq!(
        messages(&error),
        [
            "real: parties[0] `p`.scores `length`: GENIUS real issues take linear, constant or triangular value functions, not piecewise ones"
        ]
    );
    let error = write(
        &piecewise,
        DomainFormat::GeniusWebJson,
        ExportOptions::default(),
    )
    .unwrap_err();
    let text = messages(&error).join("\n");
    assert!(
        text.contains("real: points[0] `length`: GeniusWeb numeric value sets are not written"),
        "{text}"
    );
    assert!(
        text.contains(
            "real: parties[0] `p`.discount_factor: GeniusWeb JSON has no discount factor (0.9 here)"
        ),
        "{text}"
    );
    // An integer range too wide to write as options.
    let wide = Point::new("army", PointKind::integer(0, 500_000));
    let utility = AdditiveUtility::new(
        vec![1.0],
        vec![Evaluator::Piecewise(vec![(0.0, 1.0), (500_000.0, 0.0)])],
    );
    let party = Party::new("p", "p", Role::Party).with_position(Position::new(utility.into()));
    let case = Case::new("wide", vec![wide], vec![party]).unwrap();
    for format in FORMATS {
        let error = write(&case, format, LOSSY).unwrap_err();
        let text = messages(&error).join("\n");
        assert!(
            text.contains("wide: points[0] `army`: ")
                && text.contains("its 500001 values are more than 10000 options"),
            "{format:?}: {text}"
        );
    }
}

#[test]
fn hyper_rectangle_cases_round_trip_through_genius_and_are_refused_by_geniusweb() {
    let spec = GenerateSpec {
        points: 6,
        options: 5,
        parties: 3,
        red_lines: 0,
        reservation: 0.4,
        seed: 11,
    };
    let case = generate_rectangle_case(&spec, 12).unwrap();
    let (again, written) = round_trip(&case, DomainFormat::GeniusXml, ExportOptions::default());
    assert!(written.notes.is_empty(), "{:?}", written.notes);
    for (a, b) in again.parties().iter().zip(case.parties()) {
        assert_eq!(a.position, b.position);
    }
    same_utilities(&case, &again, 0.0);
    let error = write(&case, DomainFormat::GeniusWebJson, LOSSY).unwrap_err();
    assert!(
        messages(&error).iter().all(|m| m.ends_with(
            "GeniusWeb JSON has no hyper-rectangle utilities (only linear-additive ones)"
        )),
        "{error}"
    );
}

#[test]
fn scores_are_divided_by_their_largest_with_the_weight_multiplied_by_it() {
    // Scores topping at 0.5 and at 4: GENIUS divides by the largest evaluation on reading,
    // and GeniusWeb wants every point's scores within 0..1; the products stay.
    let points = vec![
        Point::new("a", PointKind::options(["x", "y"])),
        Point::new("b", PointKind::options(["x", "y", "z"])),
    ];
    let utility = AdditiveUtility::new(
        vec![1.0, 0.125],
        vec![
            Evaluator::Options(vec![0.5, 0.25]),
            Evaluator::Options(vec![0.0, 2.0, 4.0]),
        ],
    );
    let party = Party::new("p", "p", Role::Party).with_position(Position::new(utility.into()));
    let case = Case::new("scaled", points, vec![party]).unwrap();
    for format in FORMATS {
        let (again, written) = round_trip(&case, format, ExportOptions::default());
        assert!(written.notes.is_empty(), "{format:?}: {:?}", written.notes);
        same_utilities(&case, &again, 1e-15);
    }
    let negative = {
        let utility = AdditiveUtility::new(vec![1.0], vec![Evaluator::Options(vec![-0.5, 1.0])]);
        let party = Party::new("p", "p", Role::Party).with_position(Position::new(utility.into()));
        Case::new(
            "negative",
            vec![Point::new("a", PointKind::options(["x", "y"]))],
            vec![party],
        )
        .unwrap()
    };
    let error = write(&negative, DomainFormat::GeniusXml, LOSSY).unwrap_err();
    assert_eq!(
        messages(&error),
        [
            "negative: parties[0] `p`.scores `a`: score `-0.5` is negative; GENIUS XML scores are 0 to 1"
        ]
    );
}
