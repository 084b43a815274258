//! Importer tests on real-data slices (`tests/fixtures/lists/`) and on the
//! full bundled list files (`control-lists/lists/`): entry ids, names and
//! alias kinds, addresses, kinds, programmes, warnings for missing optional
//! files, and whole-file rejection of malformed input with file and line.

use std::path::Path;

use exportscreen::lists::{
    ImportError, ImportOptions, Imported, SourceData, control_toml, diff, import, import_with,
};
use exportscreen::model::{DenialEntry, EntityKind, LicenseScope, ListContent, NameKind};

// ---------------------------------------------------------------------------
// Helpers

/// Every file of a directory, sorted by name.
fn read_dir(dir: &Path) -> Vec<SourceData> {
    let mut files: Vec<SourceData> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| SourceData {
            name: p.file_name().unwrap().to_string_lossy().into_owned(),
            data: std::fs::read(&p).unwrap(),
        })
        .collect();
    files.sort_by(|a, b| a.name.cmp(&b.name));
    files
}

fn fixture(format: &str) -> Vec<SourceData> {
    read_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/lists")
            .join(format),
    )
}

fn fixture_file(path: &str) -> SourceData {
    let full = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/lists")
        .join(path);
    SourceData {
        name: full.file_name().unwrap().to_string_lossy().into_owned(),
        data: std::fs::read(&full).unwrap(),
    }
}

fn bundled(dir: &str) -> Vec<SourceData> {
    read_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("control-lists/lists")
            .join(dir),
    )
}

fn entries(imported: &Imported) -> &[DenialEntry] {
    match &imported.content {
        ListContent::Denial(e) => e,
        ListContent::Control(_) => panic!("expected a denial list"),
    }
}

fn find<'a>(entries: &'a [DenialEntry], id: &str) -> &'a DenialEntry {
    entries
        .iter()
        .find(|e| e.entry_id == id)
        .unwrap_or_else(|| panic!("no entry {id}"))
}

fn names(entry: &DenialEntry, kind: NameKind) -> Vec<&str> {
    entry
        .names
        .iter()
        .filter(|n| n.kind == kind)
        .map(|n| n.name.as_str())
        .collect()
}

fn without(mut files: Vec<SourceData>, name: &str) -> Vec<SourceData> {
    let before = files.len();
    files.retain(|f| f.name != name);
    assert_eq!(files.len() + 1, before, "{name} not in the set");
    files
}

/// Replaces the bytes of file `name` with `edit(old bytes)`.
fn edit(
    mut files: Vec<SourceData>,
    name: &str,
    edit: impl FnOnce(&[u8]) -> Vec<u8>,
) -> Vec<SourceData> {
    let f = files.iter_mut().find(|f| f.name == name).unwrap();
    f.data = edit(&f.data);
    files
}

/// Applies `change` to physical line `line` (1-based) of `data`.
fn edit_line(data: &[u8], line: usize, change: impl FnOnce(&str) -> String) -> Vec<u8> {
    let text = std::str::from_utf8(data).unwrap();
    let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    lines[line - 1] = change(&lines[line - 1]);
    lines.join("\n").into_bytes()
}

/// 1-based line of the first occurrence of `needle`.
fn line_of(data: &[u8], needle: &str) -> u64 {
    let text = std::str::from_utf8(data).unwrap();
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not found"));
    text[..at].matches('\n').count() as u64 + 1
}

fn malformed(err: ImportError) -> (String, u64, String) {
    match err {
        ImportError::Malformed {
            file,
            line,
            message,
        } => (file, line, message),
        other => panic!("expected Malformed, got {other:?}"),
    }
}

/// Invariants every importer keeps: a primary name first and only first,
/// clean non-empty names, no OFAC placeholders, unique ids.
fn check_invariants(entries: &[DenialEntry]) {
    let mut ids = std::collections::HashSet::new();
    for e in entries {
        assert!(
            ids.insert(e.entry_id.as_str()),
            "duplicate id {}",
            e.entry_id
        );
        assert!(!e.entry_id.is_empty());
        assert_eq!(e.names[0].kind, NameKind::Primary, "{}", e.entry_id);
        assert_eq!(names(e, NameKind::Primary).len(), 1, "{}", e.entry_id);
        for n in &e.names {
            assert!(!n.name.is_empty(), "{}", e.entry_id);
            assert_eq!(n.name.trim(), n.name, "{}", e.entry_id);
            assert!(!n.name.contains("  "), "{}: {:?}", e.entry_id, n.name);
        }
        let texts = e
            .names
            .iter()
            .map(|n| n.name.as_str())
            .chain(e.programs.iter().map(String::as_str))
            .chain(e.countries.iter().map(String::as_str))
            .chain(e.addresses.iter().flat_map(|a| {
                [
                    a.street.as_str(),
                    a.city.as_str(),
                    a.region.as_str(),
                    a.postal_code.as_str(),
                    a.country.as_str(),
                ]
            }))
            .chain(std::iter::once(e.remarks.as_str()));
        for t in texts {
            assert_ne!(t.trim(), "-0-", "{}", e.entry_id);
            assert!(!t.contains('\u{1A}'), "{}", e.entry_id);
        }
    }
}

// ---------------------------------------------------------------------------
// OFAC SDN

#[test]
fn sdn_fixture_entries_in_source_order() {
    let imported = import("ofac-sdn-csv", &fixture("ofac-sdn-csv")).unwrap();
    let list = entries(&imported);
    check_invariants(list);
    let ids: Vec<&str> = list.iter().map(|e| e.entry_id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "36", "173", "306", "2674", "2686", "4238", "4243", "4642", "4714", "6925", "8244",
            "8740", "15128", "15431", "18668", "21765", "27307", "33720", "45250", "46677"
        ]
    );
    let kinds: Vec<(&str, EntityKind)> = ["306", "2674", "4238", "15431"]
        .iter()
        .map(|id| (*id, find(list, id).kind))
        .collect();
    assert_eq!(
        kinds,
        [
            ("306", EntityKind::Organization),
            ("2674", EntityKind::Person),
            ("4238", EntityKind::Vessel),
            ("15431", EntityKind::Aircraft),
        ]
    );
}

#[test]
fn sdn_names_aliases_and_weak_aliases_from_remarks() {
    let imported = import("ofac-sdn-csv", &fixture("ofac-sdn-csv")).unwrap();
    let list = entries(&imported);

    let bnc = find(list, "306");
    assert_eq!(bnc.primary_name(), "BANCO NACIONAL DE CUBA");
    assert_eq!(names(bnc, NameKind::Alias), ["NATIONAL BANK OF CUBA"]);
    // `a.k.a. 'BNC'` lives only in the remarks: OFAC's weak alias.
    assert_eq!(names(bnc, NameKind::WeakAlias), ["BNC"]);

    // fka and nka rows of alt.csv are former names.
    let saderat = find(list, "4642");
    assert!(names(saderat, NameKind::FormerName).contains(&"IRAN OVERSEAS INVESTMENT BANK PLC"));
    let aero = find(list, "8244");
    assert_eq!(
        names(aero, NameKind::FormerName),
        [
            "NUEVO CONTINENTE S.A.",
            "NUEVOCONTINENTE S.A.",
            "WWW.NUEVOCONTINENTE.COM.PE"
        ]
    );

    // `Linked To: ...` names another entry and must not become an alias.
    let hamani = find(list, "21765");
    assert_eq!(names(hamani, NameKind::WeakAlias), ["DJANET, el Hadj Hama"]);
    assert!(
        hamani
            .names
            .iter()
            .all(|n| !n.name.contains("ISLAMIC STATE"))
    );

    // Quotes inside quoted remark names.
    let ghailani = find(list, "6925");
    let weak = names(ghailani, NameKind::WeakAlias);
    assert!(
        weak.contains(&"FOOPIE") && weak.contains(&"AHMED THE TANZANIAN"),
        "{weak:?}"
    );

    // Double spaces inside a published name are collapsed.
    assert_eq!(
        find(list, "8740").primary_name(),
        "INTERCONTINENTAL DE FINANCIACION AEREA S.A."
    );
}

#[test]
fn sdn_programs_addresses_and_remark_facts() {
    let imported = import("ofac-sdn-csv", &fixture("ofac-sdn-csv")).unwrap();
    let list = entries(&imported);

    assert_eq!(find(list, "2686").programs, ["SDGT", "SYRIA"]);
    assert_eq!(find(list, "4642").programs, ["IRAN", "SDGT", "IFSR"]);

    let bnc = find(list, "306");
    let zurich = bnc
        .addresses
        .iter()
        .find(|a| a.country == "Switzerland")
        .unwrap();
    assert_eq!(
        (zurich.street.as_str(), zurich.city.as_str()),
        ("Zweierstrasse 35", "Zurich CH-8022")
    );
    // add.csv rows whose every part is `-0-` are not addresses.
    assert!(find(list, "2674").addresses.is_empty());

    let popovic = find(list, "45250");
    assert_eq!(popovic.dates_of_birth, ["30 Sep 1966"]);
    assert_eq!(popovic.countries, ["Serbia"]);
    let passport = popovic
        .identifiers
        .iter()
        .find(|i| i.kind == "Passport")
        .unwrap();
    assert_eq!(
        (passport.value.as_str(), passport.country.as_str()),
        ("050010216", "Serbia")
    );

    let vessel = find(list, "33720");
    assert!(
        vessel
            .identifiers
            .iter()
            .any(|i| i.kind == "IMO" && i.value == "9872224")
    );
    let tug = find(list, "4238");
    assert!(
        tug.identifiers
            .iter()
            .any(|i| i.kind == "Call Sign" && i.value == "CL2192")
    );
    assert_eq!(tug.countries, ["Cuba"]); // the vessel flag
}

#[test]
fn sdn_remarks_cut_at_the_limit_are_reported() {
    let imported = import("ofac-sdn-csv", &fixture("ofac-sdn-csv")).unwrap();
    let lazarus = find(entries(&imported), "27307");
    let weak = names(lazarus, NameKind::WeakAlias);
    assert_eq!(
        weak,
        [
            "HIDDEN COBRA",
            "OFFICE 91",
            "GUARDIANS OF PEACE",
            "THE NEW ROMANTIC CYBER ARMY TEAM"
        ]
    );
    assert!(
        imported
            .warnings
            .iter()
            .any(|w| w.contains("1000 characters") && w.contains("sdn_comments.csv")),
        "{:?}",
        imported.warnings
    );
}

#[test]
fn sdn_missing_optional_files_warn() {
    let cases = [
        ("alt.csv", "alt.csv was not sent"),
        ("add.csv", "add.csv was not sent"),
    ];
    for (missing, warning) in cases {
        let imported = import("ofac-sdn-csv", &without(fixture("ofac-sdn-csv"), missing)).unwrap();
        assert!(
            imported.warnings.iter().any(|w| w.contains(warning)),
            "{missing}: {:?}",
            imported.warnings
        );
        let bnc = find(entries(&imported), "306");
        match missing {
            "alt.csv" => assert_eq!(names(bnc, NameKind::Alias), Vec::<&str>::new()),
            _ => assert!(bnc.addresses.is_empty()),
        }
        // The weak alias from the remarks is there either way.
        assert_eq!(names(bnc, NameKind::WeakAlias), ["BNC"]);
    }
    let full = import("ofac-sdn-csv", &fixture("ofac-sdn-csv")).unwrap();
    assert!(!full.warnings.iter().any(|w| w.contains("was not sent:")));
}

#[test]
fn file_set_errors() {
    let err = import("ofac-sdn-csv", &without(fixture("ofac-sdn-csv"), "sdn.csv")).unwrap_err();
    assert!(
        matches!(&err, ImportError::MissingFile { file, .. } if file == "sdn.csv"),
        "{err:?}"
    );
    let mut files = fixture("ofac-sdn-csv");
    files.push(SourceData {
        name: "sdn.xml".into(),
        data: Vec::new(),
    });
    let err = import("ofac-sdn-csv", &files).unwrap_err();
    assert!(
        matches!(&err, ImportError::UnexpectedFile { file, .. } if file == "sdn.xml"),
        "{err:?}"
    );
    let err = import("ofac-cons-csv", &fixture("ofac-sdn-csv")).unwrap_err();
    assert!(matches!(err, ImportError::UnexpectedFile { .. }), "{err:?}");
    let err = import("un-sc-xml", &[]).unwrap_err();
    assert!(matches!(err, ImportError::MissingFile { .. }), "{err:?}");
    let err = import("sdn", &fixture("ofac-sdn-csv")).unwrap_err();
    assert!(matches!(err, ImportError::UnknownFormat { .. }), "{err:?}");
}

#[test]
fn ofac_malformed_files_are_rejected_with_file_and_line() {
    type Edit = fn(&[u8]) -> Vec<u8>;
    let cases: &[(&str, &str, Edit, u64, &str)] = &[
        (
            "wrong column count",
            "sdn.csv",
            |d| edit_line(d, 3, |l| l.replacen(",-0- ", "", 1)),
            3,
            "expected 12",
        ),
        (
            "non-numeric ent_num",
            "sdn.csv",
            |d| edit_line(d, 5, |l| format!("X{l}")),
            5,
            "ent_num",
        ),
        (
            "unbalanced quote",
            "sdn.csv",
            |d| edit_line(d, 7, |l| l.replacen("\"EBANO\"", "\"EBANO", 1)),
            7,
            "quote",
        ),
        (
            "unclosed quote at the end",
            "sdn.csv",
            |d| edit_line(d, 20, |l| l.replacen("(Russia).\"", "(Russia).", 1)),
            20,
            "unclosed quote",
        ),
        (
            "duplicate ent_num",
            "sdn.csv",
            |d| edit_line(d, 4, |l| l.replacen("2674,", "36,", 1)),
            4,
            "twice",
        ),
        (
            "empty name",
            "sdn.csv",
            |d| {
                edit_line(d, 2, |l| {
                    l.replacen("\"ANGLO-CARIBBEAN CO., LTD.\"", "-0- ", 1)
                })
            },
            2,
            "no name",
        ),
        (
            "bad alt_num",
            "alt.csv",
            |d| edit_line(d, 2, |l| l.replacen(",57,", ",5x7,", 1)),
            2,
            "alt_num",
        ),
        (
            "short add row",
            "add.csv",
            |d| edit_line(d, 4, |l| l.replacen(",\"Spain\"", "", 1)),
            4,
            "expected 6",
        ),
    ];
    for (what, file, change, line, message) in cases {
        let files = edit(fixture("ofac-sdn-csv"), file, change);
        let (f, l, m) = malformed(import("ofac-sdn-csv", &files).unwrap_err());
        assert_eq!((f.as_str(), l), (*file, *line), "{what}: {m}");
        assert!(m.contains(message), "{what}: {m}");
    }
}

#[test]
fn ofac_orphan_rows_are_skipped_with_a_warning() {
    let files = edit(fixture("ofac-sdn-csv"), "alt.csv", |d| {
        edit_line(d, 3, |l| l.replacen("306,", "999999,", 1))
    });
    let imported = import("ofac-sdn-csv", &files).unwrap();
    assert!(
        imported
            .warnings
            .iter()
            .any(|w| w.starts_with("alt.csv: 1 row(s)") && w.contains("line 3")),
        "{:?}",
        imported.warnings
    );
    assert!(names(find(entries(&imported), "306"), NameKind::Alias).is_empty());
}

#[test]
fn ofac_empty_primary_file_is_empty() {
    for data in [Vec::new(), vec![0x1A], b"\r\n".to_vec()] {
        let files = edit(fixture("ofac-sdn-csv"), "sdn.csv", |_| data.clone());
        let err = import("ofac-sdn-csv", &files).unwrap_err();
        assert!(
            matches!(&err, ImportError::Empty { file } if file == "sdn.csv"),
            "{err:?}"
        );
    }
}

#[test]
fn ofac_latin1_bytes_are_read_and_reported() {
    let files = edit(fixture("ofac-sdn-csv"), "sdn.csv", |d| {
        let mut out = d.to_vec();
        let at = out.windows(4).position(|w| w == b"CUBA").unwrap();
        out.splice(at..at + 4, b"CUB\xC1".iter().copied());
        out
    });
    let imported = import("ofac-sdn-csv", &files).unwrap();
    assert_eq!(find(entries(&imported), "36").programs, ["CUB\u{C1}"]);
    assert!(
        imported
            .warnings
            .iter()
            .any(|w| w.contains("Windows-1252") && w.contains("line 1")),
        "{:?}",
        imported.warnings
    );
}

// ---------------------------------------------------------------------------
// OFAC consolidated

#[test]
fn cons_fixture_with_comments_continuing_remarks() {
    let imported = import("ofac-cons-csv", &fixture("ofac-cons-csv")).unwrap();
    let list = entries(&imported);
    check_invariants(list);
    assert_eq!(list.len(), 8);
    assert!(imported.warnings.is_empty(), "{:?}", imported.warnings);

    let norinco = find(list, "30957");
    assert_eq!(
        norinco.primary_name(),
        "CHINA NORTH INDUSTRIES GROUP CORPORATION LIMITED"
    );
    assert!(names(norinco, NameKind::Alias).contains(&"NORINCO"));
    assert_eq!(norinco.programs, ["CMIC-EO13959"]);
    assert_eq!(norinco.kind, EntityKind::Organization);

    // `a.k.a. 'CCCC'` is only in cons_comments.csv, after the 1,000-character cut;
    // an identifier split across the cut is whole again.
    assert_eq!(names(find(list, "30930"), NameKind::WeakAlias), ["CCCC"]);
    let rshb = find(list, "17014");
    assert_eq!(names(rshb, NameKind::WeakAlias), ["RUSAG"]);
    assert!(
        rshb.identifiers
            .iter()
            .any(|i| i.kind == "Registration Number"
                && i.value == "1027700342890"
                && i.country == "Russia")
    );
}

#[test]
fn cons_without_comments_or_aliases() {
    let imported = import(
        "ofac-cons-csv",
        &without(fixture("ofac-cons-csv"), "cons_comments.csv"),
    )
    .unwrap();
    assert!(names(find(entries(&imported), "30930"), NameKind::WeakAlias).is_empty());
    assert!(
        imported
            .warnings
            .iter()
            .any(|w| w.contains("cons_comments.csv")),
        "{:?}",
        imported.warnings
    );
    let imported = import(
        "ofac-cons-csv",
        &without(fixture("ofac-cons-csv"), "cons_alt.csv"),
    )
    .unwrap();
    assert!(
        imported
            .warnings
            .iter()
            .any(|w| w.contains("cons_alt.csv was not sent"))
    );
    assert!(names(find(entries(&imported), "30957"), NameKind::Alias).is_empty());
}

// ---------------------------------------------------------------------------
// UN Security Council

#[test]
fn un_fixture_names_aliases_and_scripts() {
    let imported = import("un-sc-xml", &fixture("un-sc-xml")).unwrap();
    let list = entries(&imported);
    check_invariants(list);
    assert_eq!(list.len(), 14);
    assert_eq!(
        list.iter().filter(|e| e.kind == EntityKind::Person).count(),
        9
    );
    assert_eq!(list[0].entry_id, "6907993");

    // Name parts joined in order; Low quality -> weak alias.
    let g = find(list, "6907995");
    assert_eq!(g.primary_name(), "GASTON IYAMUREMYE");
    assert_eq!(names(g, NameKind::WeakAlias), ["Rumuli"]);
    assert_eq!(
        names(g, NameKind::Alias),
        [
            "Byiringiro Victor Rumuli",
            "Victor Rumuri",
            "Michel Byiringiro"
        ]
    );
    let four = find(list, "6908092");
    assert_eq!(four.primary_name(), "NAYIF SHINDAKH THAMIR GHALIB");
    assert_eq!(
        names(four, NameKind::OriginalScript),
        ["نايف شنداخ ثامر غالب"]
    );

    // An original-script name wrapped over two lines is one name.
    let salbi = find(list, "6908841");
    assert_eq!(
        names(salbi, NameKind::OriginalScript),
        ["أمیر محمد سعید عبد الرحمن السلبي"]
    );
    assert_eq!(
        names(salbi, NameKind::WeakAlias),
        ["Al-Ustadh", "Ustadh Ahmad"]
    );
    let id = salbi
        .identifiers
        .iter()
        .find(|i| i.value == "00278640")
        .unwrap();
    assert_eq!(id.kind, "National Identification Number");

    // Entities: f.k.a. quality, `&amp;`, Cyrillic, empty aliases skipped.
    let fajr = find(list, "110387");
    assert_eq!(fajr.kind, EntityKind::Organization);
    assert_eq!(
        names(fajr, NameKind::FormerName),
        ["Instrumentation Factory Plant"]
    );
    assert_eq!(
        find(list, "6908684").primary_name(),
        "PHYONGCHON SHIPPING & MARINE"
    );
    assert_eq!(
        names(find(list, "2971893"), NameKind::OriginalScript),
        ["Эмират Кавказ"]
    );
    assert_eq!(find(list, "110380").names.len(), 1);
}

#[test]
fn un_fixture_programs_addresses_dates() {
    let imported = import("un-sc-xml", &fixture("un-sc-xml")).unwrap();
    let list = entries(&imported);
    let badege = find(list, "6907993");
    assert_eq!(badege.programs, ["DRC"]);
    assert_eq!(badege.countries, ["Democratic Republic of the Congo"]);
    assert_eq!(badege.addresses[0].country, "Rwanda");
    assert!(badege.remarks.starts_with("He fled to Rwanda"));
    assert!(badege.identifiers.iter().any(|i| i.value == "CDi.001"));

    let dates: Vec<(&str, Vec<String>)> = ["6907993", "6908118", "6908643", "6908841"]
        .iter()
        .map(|id| (*id, find(list, id).dates_of_birth.clone()))
        .collect();
    assert_eq!(
        dates,
        [
            ("6907993", vec!["1971".to_string()]),
            ("6908118", vec!["circa 1974".to_string()]),
            ("6908643", vec!["1967-1969".to_string()]),
            (
                "6908841",
                vec![
                    "1976-10-05".into(),
                    "1976-10-01".into(),
                    "1976-01-06".into()
                ]
            ),
        ]
    );
    let shanghai = find(list, "6908695");
    let a = &shanghai.addresses[0];
    assert_eq!(
        (
            a.street.as_str(),
            a.city.as_str(),
            a.postal_code.as_str(),
            a.country.as_str()
        ),
        (
            "Room 601, 433, Chifeng Lu, Hongkou Qu",
            "Shanghai",
            "200083",
            "China"
        )
    );
}

#[test]
fn un_malformed_xml_is_rejected_with_line() {
    let files = fixture("un-sc-xml");
    let xml = files[0].data.clone();
    let alias_line = line_of(&xml, "<ALIAS_NAME>Abu Ibrahim");

    // Truncated in the middle of an alias name.
    let cut = {
        let text = std::str::from_utf8(&xml).unwrap();
        text.find("Abu Ibrahim al-Hashimi").unwrap() + 5
    };
    let (f, l, m) = malformed(
        import(
            "un-sc-xml",
            &edit(files.clone(), "consolidated.xml", |d| d[..cut].to_vec()),
        )
        .unwrap_err(),
    );
    assert_eq!((f.as_str(), l), ("consolidated.xml", alias_line), "{m}");
    assert!(m.contains("never closed"), "{m}");

    // A mismatched closing tag.
    let name_line = line_of(&xml, "<FIRST_NAME>GASTON");
    let bad = edit(files.clone(), "consolidated.xml", |d| {
        edit_line(d, name_line as usize, |l| {
            l.replace("</FIRST_NAME>", "</FIRST_NAM>")
        })
    });
    let (_, l, m) = malformed(import("un-sc-xml", &bad).unwrap_err());
    assert_eq!(l, name_line, "{m}");

    // An entry without DATAID: the line of its <INDIVIDUAL>.
    let id_line = line_of(&xml, "<DATAID>6907995");
    let bad = edit(files.clone(), "consolidated.xml", |d| {
        edit_line(d, id_line as usize, |_| String::new())
    });
    let (_, l, m) = malformed(import("un-sc-xml", &bad).unwrap_err());
    assert_eq!(l, id_line - 1, "{m}");
    assert!(m.contains("DATAID"), "{m}");

    // No entries at all.
    let empty = edit(files, "consolidated.xml", |_| {
        b"<?xml version=\"1.0\"?>\n<CONSOLIDATED_LIST><INDIVIDUALS/><ENTITIES/></CONSOLIDATED_LIST>"
            .to_vec()
    });
    let err = import("un-sc-xml", &empty).unwrap_err();
    assert!(matches!(err, ImportError::Empty { .. }), "{err:?}");
}

// ---------------------------------------------------------------------------
// BIS DPL

#[test]
fn dpl_fixture_ids_are_row_positions() {
    let imported = import("bis-dpl-tsv", &fixture("bis-dpl-tsv")).unwrap();
    let list = entries(&imported);
    check_invariants(list);
    assert_eq!(list.len(), 17);
    for (i, e) in list.iter().enumerate() {
        assert_eq!(e.entry_id, (i + 1).to_string());
        assert_eq!(e.programs, ["BIS DPL"]);
    }
    let first = find(list, "1");
    assert_eq!(first.primary_name(), "I. ASH");
    assert_eq!(first.kind, EntityKind::Unknown);
    let a = &first.addresses[0];
    assert_eq!(
        (
            a.city.as_str(),
            a.region.as_str(),
            a.postal_code.as_str(),
            a.country.as_str()
        ),
        ("SEAGOVILLE", "TX", "75159", "US")
    );
    assert!(first.remarks.contains("68 F.R. 38290"), "{}", first.remarks);

    let by_name = |n: &str| list.iter().find(|e| e.primary_name() == n).unwrap();
    assert_eq!(by_name("ARROWTRONIC, LLC").kind, EntityKind::Organization);
    assert_eq!(by_name("AL-NASER AIRLINES").kind, EntityKind::Organization);
    let pearl = by_name("PEARL (A.K.A. NEI-CHIEN CHU) LI");
    assert_eq!(names(pearl, NameKind::Alias), ["PEARL LI", "NEI-CHIEN CHU"]);
    let s7 = by_name("SIBERIAN AIRLINES D/B/A S7 AIRLINES");
    assert!(names(s7, NameKind::Alias).contains(&"S7 AIRLINES"));
}

#[test]
fn dpl_malformed_rows_are_rejected_with_line() {
    type Edit = fn(&[u8]) -> Vec<u8>;
    let cases: &[(&str, Edit, u64, &str)] = &[
        (
            "missing field",
            |d| edit_line(d, 5, |l| l.replacen("\t", "", 1)),
            5,
            "expected 12",
        ),
        (
            "unclosed quote",
            |d| edit_line(d, 9, |l| l.replacen("\"\t", "\t", 1)),
            9,
            "",
        ),
        (
            "empty name",
            |d| edit_line(d, 3, |l| format!("\"\"{}", &l[l.find('\t').unwrap()..])),
            3,
            "no name",
        ),
        (
            "no Name column",
            |d| edit_line(d, 1, |l| l.replacen("\"Name\"", "\"Nom\"", 1)),
            1,
            "Name",
        ),
    ];
    for (what, change, line, message) in cases {
        let files = edit(fixture("bis-dpl-tsv"), "dpl.txt", change);
        let (f, l, m) = malformed(import("bis-dpl-tsv", &files).unwrap_err());
        assert_eq!((f.as_str(), l), ("dpl.txt", *line), "{what}: {m}");
        assert!(m.contains(message), "{what}: {m}");
    }
    let header_only = edit(fixture("bis-dpl-tsv"), "dpl.txt", |d| {
        d[..=d.iter().position(|&b| b == b'\n').unwrap()].to_vec()
    });
    assert!(matches!(
        import("bis-dpl-tsv", &header_only).unwrap_err(),
        ImportError::Empty { .. }
    ));
}

// ---------------------------------------------------------------------------
// trade.gov CSL

#[test]
fn csl_fixture_skips_repeated_headers_and_merges_shared_ids() {
    let imported = import("trade-gov-csl-csv", &fixture("trade-gov-csl-csv")).unwrap();
    let list = entries(&imported);
    check_invariants(list);
    // 17 data rows, two of them with _id 17014.
    assert_eq!(list.len(), 16);
    assert!(
        imported
            .warnings
            .iter()
            .any(|w| w.contains("repeat the header row"))
    );
    assert!(imported.warnings.iter().any(|w| w.contains("merged")));

    let telecom = find(list, "30882");
    assert_eq!(telecom.primary_name(), "China Telecom Corporation Limited");
    assert_eq!(
        names(telecom, NameKind::Alias),
        [
            "CHINA TELECOM",
            "CHINA TELECOM CO., LTD",
            "CHINA TELECOM CORP LTD"
        ]
    );
    assert_eq!(
        telecom.programs,
        [
            "CMIC-EO13959",
            "Non-SDN Chinese Military-Industrial Complex Companies List (CMIC) - Treasury Department"
        ]
    );
    assert_eq!(telecom.addresses[0].country, "CN");
    assert!(
        telecom
            .identifiers
            .iter()
            .any(|i| i.kind == "ISIN" && i.value == "US1694261033")
    );
    assert!(telecom.identifiers.iter().all(|i| i.kind != "Target Type"));

    let rshb = find(list, "17014");
    assert_eq!(
        rshb.primary_name(),
        "Joint Stock Company Russian Agricultural Bank"
    );
    assert!(
        rshb.programs
            .iter()
            .any(|p| p.starts_with("Sectoral Sanctions"))
    );
    assert!(
        rshb.programs
            .iter()
            .any(|p| p.starts_with("Non-SDN Menu-Based"))
    );

    let kinds: Vec<(&str, EntityKind)> = ["4238", "6905", "30882"]
        .iter()
        .map(|id| (*id, find(list, id).kind))
        .collect();
    assert_eq!(
        kinds,
        [
            ("4238", EntityKind::Vessel),
            ("6905", EntityKind::Person),
            ("30882", EntityKind::Organization)
        ]
    );
    let names_all: Vec<&str> = list.iter().map(|e| e.primary_name()).collect();
    // A name field spanning lines, and a stray U+0092 read as the apostrophe it was.
    assert!(names_all.contains(&"Government Flying Service"));
    assert!(names_all.contains(&"CAST Xi\u{2019}an Spaceflight Engine Factory"));
    let zubaydah = find(list, "6905");
    assert_eq!(zubaydah.dates_of_birth, ["1971-03-12"]);
    assert_eq!(zubaydah.countries, ["PS"]);
}

#[test]
fn csl_truncated_real_copy_is_rejected() {
    // The real partial copy ends inside a quoted field of its last row.
    let file = fixture_file("malformed/csl-truncated.csv");
    let (f, l, m) = malformed(import("trade-gov-csl-csv", &[file]).unwrap_err());
    assert_eq!((f.as_str(), l), ("csl-truncated.csv", 3), "{m}");
    assert!(m.contains("unclosed quote"), "{m}");
}

#[test]
fn csl_wrong_field_count_is_rejected() {
    let files = edit(fixture("trade-gov-csl-csv"), "consolidated.csv", |d| {
        edit_line(d, 3, |l| l.replacen("\"30882\",", "", 1))
    });
    let (_, l, m) = malformed(import("trade-gov-csl-csv", &files).unwrap_err());
    assert_eq!(l, 3, "{m}");
    assert!(m.contains("expected 29"), "{m}");
}

// ---------------------------------------------------------------------------
// exportscreen-toml

#[test]
fn native_denial_list() {
    let imported = import("exportscreen-toml", &fixture("exportscreen-toml")).unwrap();
    let list = entries(&imported);
    check_invariants(list);
    let ids: Vec<&str> = list.iter().map(|e| e.entry_id.as_str()).collect();
    assert_eq!(ids, ["ACME-0001", "ACME-0002", "ACME-0003"]);
    let rpt = &list[0];
    assert_eq!(rpt.primary_name(), "ROCKET PARTS TRADING LLC");
    assert_eq!(rpt.kind, EntityKind::Organization);
    assert_eq!(names(rpt, NameKind::Alias), ["RPT TRADING"]);
    assert_eq!(names(rpt, NameKind::WeakAlias), ["RPT"]);
    assert_eq!(
        names(rpt, NameKind::FormerName),
        ["RPT GENERAL TRADING FZE"]
    );
    assert_eq!(rpt.addresses.len(), 2);
    assert_eq!(rpt.addresses[0].city, "Dubai");
    assert_eq!(rpt.identifiers[0].value, "123456");
    assert_eq!(list[1].kind, EntityKind::Person);
    assert_eq!(
        names(&list[1], NameKind::OriginalScript),
        ["Иван Петрович Сидоров"]
    );
    assert_eq!(list[2].kind, EntityKind::Vessel);
}

#[test]
fn native_errors_name_the_line() {
    let base = fixture("exportscreen-toml");
    let toml = base[0].data.clone();
    let second_id = line_of(&toml, "id = \"ACME-0002\"");
    let name_line = line_of(&toml, "name = \"NORTHERN STAR\"");
    let alias_line = line_of(&toml, "aliases = [\"RPT TRADING\"]");
    let kind_line = line_of(&toml, "kind = \"denial\"");
    let type_line = line_of(&toml, "type = \"vessel\"");
    let cases: Vec<(&str, String, String, u64, &str)> = vec![
        (
            "duplicate id",
            "\"ACME-0002\"".into(),
            "\"ACME-0001\"".into(),
            second_id,
            "twice",
        ),
        (
            "empty name",
            "\"NORTHERN STAR\"".into(),
            "\"  \"".into(),
            name_line,
            "empty name",
        ),
        (
            "empty alias",
            "[\"RPT TRADING\"]".into(),
            "[\"\"]".into(),
            alias_line,
            "empty name",
        ),
        (
            "unknown key",
            "aliases = ".into(),
            "alias = ".into(),
            alias_line,
            "alias",
        ),
        (
            "bad list kind",
            "kind = \"denial\"".into(),
            "kind = \"deny\"".into(),
            kind_line,
            "denial",
        ),
        (
            "bad type",
            "\"vessel\"".into(),
            "\"ship\"".into(),
            type_line,
            "ship",
        ),
        (
            "bad TOML",
            "type = \"vessel\"".into(),
            "type = vessel".into(),
            type_line,
            "",
        ),
    ];
    let file_name = base[0].name.clone();
    for (what, from, to, line, message) in cases {
        let files = edit(base.clone(), &file_name, |d| {
            String::from_utf8(d.to_vec())
                .unwrap()
                .replacen(&from, &to, 1)
                .into_bytes()
        });
        let (f, l, m) = malformed(import("exportscreen-toml", &files).unwrap_err());
        assert_eq!((f.as_str(), l), (file_name.as_str(), line), "{what}: {m}");
        assert!(m.contains(message), "{what}: {m}");
    }
    let no_entries = edit(base, &file_name, |_| {
        b"[list]\nkind = \"denial\"\n".to_vec()
    });
    assert!(matches!(
        import("exportscreen-toml", &no_entries).unwrap_err(),
        ImportError::Empty { .. }
    ));
}

#[test]
fn native_control_lists_go_to_the_control_parser() {
    let file = SourceData {
        name: "mtcr.toml".into(),
        data: b"[list]\nkind = \"control\"\n".to_vec(),
    };
    let via_import = import("exportscreen-toml", std::slice::from_ref(&file));
    let direct = control_toml::parse(&file);
    match (via_import, direct) {
        (Ok(imported), Ok(entries)) if !entries.is_empty() => {
            assert_eq!(imported.content, ListContent::Control(entries));
        }
        (Err(ImportError::Empty { .. }), Ok(entries)) => assert!(entries.is_empty()),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        (a, b) => panic!("import {a:?} vs control_toml::parse {b:?}"),
    }
}

// ---------------------------------------------------------------------------
// The full bundled files

#[test]
fn bundled_sdn_matches_the_published_counts() {
    let imported = import("ofac-sdn-csv", &bundled("ofac-sdn-2023-12-28")).unwrap();
    let list = entries(&imported);
    check_invariants(list);
    assert_eq!(list.len(), 13_821);
    let count = |kind: EntityKind| list.iter().filter(|e| e.kind == kind).count();
    assert_eq!(
        [
            count(EntityKind::Person),
            count(EntityKind::Organization),
            count(EntityKind::Vessel),
            count(EntityKind::Aircraft)
        ],
        [6_646, 6_033, 764, 378]
    );
    let strong: usize = list
        .iter()
        .map(|e| names(e, NameKind::Alias).len() + names(e, NameKind::FormerName).len())
        .sum();
    // alt.csv has 17,091 rows; three (ent_num 18721, 35979, 40268) repeat
    // their entry's primary name and add nothing.
    assert_eq!(strong, 17_091 - 3);
    let vtb = find(list, "18721");
    let repeats = vtb
        .names
        .iter()
        .filter(|n| n.name.eq_ignore_ascii_case(vtb.primary_name()))
        .count();
    assert_eq!(repeats, 1);
    let weak: usize = list
        .iter()
        .map(|e| names(e, NameKind::WeakAlias).len())
        .sum();
    // 3,371 quoted names in the remarks, two of them cut off at the 1,000-character limit.
    assert_eq!(weak, 3_371 - 2);
    let addresses: usize = list.iter().map(|e| e.addresses.len()).sum();
    // add.csv has 18,990 rows; 2,652 are `-0-` in every part.
    assert_eq!(addresses, 18_990 - 2_652);
    assert_eq!(imported.warnings.len(), 1, "{:?}", imported.warnings);
}

#[test]
fn bundled_cons_un_and_dpl_match_the_published_counts() {
    let cons = import("ofac-cons-csv", &bundled("ofac-cons-2025-12")).unwrap();
    let list = entries(&cons);
    check_invariants(list);
    assert_eq!(list.len(), 442);
    let norinco = find(list, "30957");
    assert!(names(norinco, NameKind::Alias).contains(&"NORINCO"));

    let un_files = bundled("un-sc-2026-02-27");
    let un = import("un-sc-xml", &un_files).unwrap();
    let list = entries(&un);
    check_invariants(list);
    let persons = list.iter().filter(|e| e.kind == EntityKind::Person).count();
    let orgs = list
        .iter()
        .filter(|e| e.kind == EntityKind::Organization)
        .count();
    assert_eq!((persons, orgs), (730, 273));
    // Non-empty elements are written `<X>...`, empty ones `<X/>`.
    let xml = std::str::from_utf8(&un_files[0].data).unwrap();
    let count = |kinds: &[NameKind]| -> usize {
        list.iter()
            .flat_map(|e| &e.names)
            .filter(|n| kinds.contains(&n.kind))
            .count()
    };
    // One entry (6908835, JAMAAH ANSHARUT DAULAH) gives its primary name
    // again as its "original script" name; 16 alias names repeat an
    // earlier name of their entry. Repeats are dropped.
    assert_eq!(
        count(&[NameKind::OriginalScript]),
        xml.matches("<NAME_ORIGINAL_SCRIPT>").count() - 1
    );
    assert_eq!(
        find(list, "6908835").names.len(),
        find(list, "6908835")
            .names
            .iter()
            .filter(|n| n.kind != NameKind::OriginalScript)
            .count()
    );
    assert_eq!(
        count(&[NameKind::Alias, NameKind::WeakAlias, NameKind::FormerName]),
        xml.matches("<ALIAS_NAME>").count() - 16
    );
    assert_eq!(
        count(&[NameKind::WeakAlias]),
        xml.matches("<QUALITY>Low</QUALITY>").count()
    );

    let dpl_files = bundled("bis-dpl-2023-11");
    let dpl = import("bis-dpl-tsv", &dpl_files).unwrap();
    let list = entries(&dpl);
    check_invariants(list);
    assert_eq!(list.len(), 665);
    let text = std::str::from_utf8(&dpl_files[0].data).unwrap();
    let first_row = text.lines().nth(1).unwrap();
    let last_row = text.lines().last().unwrap();
    let name_of = |row: &str| {
        row.split('\t')
            .next()
            .unwrap()
            .trim_matches('"')
            .trim()
            .to_string()
    };
    assert_eq!(find(list, "1").primary_name(), name_of(first_row));
    assert_eq!(find(list, "665").primary_name(), name_of(last_row));
}

// ---------------------------------------------------------------------------
// Diffs between the two real SDN snapshots (tests/fixtures/list-history/)

fn history(dir: &str) -> Vec<SourceData> {
    read_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/list-history")
            .join(dir),
    )
}

/// ent_num -> raw record bytes, straight from the CSV (no importer).
fn raw_records(files: &[SourceData]) -> std::collections::BTreeMap<u64, Vec<u8>> {
    files[0]
        .data
        .split(|&b| b == b'\n')
        .filter_map(|line| {
            let comma = line.iter().position(|&b| b == b',')?;
            let id = std::str::from_utf8(&line[..comma]).ok()?.parse().ok()?;
            Some((id, line.to_vec()))
        })
        .collect()
}

#[test]
fn diff_between_the_real_sdn_snapshots_matches_the_raw_records() {
    let (old_files, new_files) = (history("sdn-2023-12-28"), history("sdn-2024-05-03"));
    let (old_raw, new_raw) = (raw_records(&old_files), raw_records(&new_files));
    let old_ids: std::collections::BTreeSet<u64> = old_raw.keys().copied().collect();
    let new_ids: std::collections::BTreeSet<u64> = new_raw.keys().copied().collect();
    let want_added: Vec<u64> = new_ids.difference(&old_ids).copied().collect();
    let want_removed: Vec<u64> = old_ids.difference(&new_ids).copied().collect();
    let want_changed: Vec<u64> = old_ids
        .intersection(&new_ids)
        .filter(|id| old_raw[id] != new_raw[id])
        .copied()
        .collect();
    // The slices hold what their README says.
    assert_eq!(
        (
            old_ids.len(),
            new_ids.len(),
            want_added.len(),
            want_removed.len(),
            want_changed.len()
        ),
        (278, 318, 70, 30, 48)
    );

    let old = import("ofac-sdn-csv", &old_files).unwrap();
    let new = import("ofac-sdn-csv", &new_files).unwrap();
    let d = diff("ofac-sdn-csv", &old.content, "ofac-sdn-csv", &new.content);
    let ids = |content: &ListContent, positions: &[usize]| -> Vec<u64> {
        let mut v: Vec<u64> = positions
            .iter()
            .map(|&i| entries_of(content)[i].entry_id.parse().unwrap())
            .collect();
        v.sort();
        v
    };
    assert_eq!(ids(&new.content, &d.added), want_added);
    assert_eq!(ids(&old.content, &d.removed), want_removed);
    let mut changed: Vec<u64> = d.changed.iter().map(|c| c.key.parse().unwrap()).collect();
    changed.sort();
    assert_eq!(changed, want_changed);
    // Every change names its fields, and they really differ.
    for c in &d.changed {
        assert!(!c.fields.is_empty());
        let (a, b) = (
            &entries_of(&old.content)[c.old],
            &entries_of(&new.content)[c.new],
        );
        if c.fields.contains(&"names") {
            assert_ne!(a.names, b.names, "{}", c.key);
        } else {
            assert_eq!(a.names, b.names, "{}", c.key);
        }
    }
    // The diff back is the mirror image.
    let back = diff("ofac-sdn-csv", &new.content, "ofac-sdn-csv", &old.content);
    assert_eq!(
        (back.added.len(), back.removed.len(), back.changed.len()),
        (30, 70, 48)
    );
}

fn entries_of(content: &ListContent) -> &[DenialEntry] {
    match content {
        ListContent::Denial(e) => e,
        ListContent::Control(_) => panic!("expected a denial list"),
    }
}

#[test]
fn dpl_versions_pair_rows_by_name_and_address() {
    // The real DPL slice, and the same with its first row removed and a row
    // appended: every other row shifts by one, yet only those two differ.
    let files = fixture("bis-dpl-tsv");
    let text = String::from_utf8(files[0].data.clone()).unwrap();
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut shifted = String::new();
    shifted.push_str(lines[0]);
    for l in &lines[2..] {
        shifted.push_str(l);
    }
    assert!(text.ends_with('\n') && lines[1].starts_with("\" I. ASH\""));
    shifted.push_str(&lines[1].replacen("\" I. ASH\"", "\"NEW PARTY ASH\"", 1));
    let old = import("bis-dpl-tsv", &files).unwrap();
    let new = import(
        "bis-dpl-tsv",
        &[SourceData {
            name: "dpl.txt".into(),
            data: shifted.into_bytes(),
        }],
    )
    .unwrap();
    let d = diff("bis-dpl-tsv", &old.content, "bis-dpl-tsv", &new.content);
    assert_eq!(d.removed, vec![0], "{d:?}");
    assert_eq!(d.added, vec![entries_of(&new.content).len() - 1], "{d:?}");
    assert!(d.changed.is_empty(), "{d:?}");
    // Keyed by id, the same two versions would differ almost everywhere.
    let by_id = diff("ofac-sdn-csv", &old.content, "ofac-sdn-csv", &new.content);
    assert!(by_id.changed.len() > 10, "{}", by_id.changed.len());
}

// ---------------------------------------------------------------------------
// eCFR 15 CFR part 744 (Entity List, Unverified List, MEU List)

fn options(pairs: &[(&str, &str)]) -> ImportOptions {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
        .collect()
}

fn ecfr(files: &[SourceData], supplement: &str) -> Imported {
    import_with(
        "ecfr-744-xml",
        files,
        &options(&[("supplement", supplement)]),
    )
    .unwrap_or_else(|e| panic!("supplement {supplement}: {e}"))
}

/// Entries per country as the importer reads them.
fn per_country(entries: &[DenialEntry]) -> std::collections::BTreeMap<String, usize> {
    let mut out = std::collections::BTreeMap::new();
    for e in entries {
        *out.entry(e.countries[0].clone()).or_insert(0) += 1;
    }
    out
}

fn by_name<'a>(entries: &'a [DenialEntry], name: &str) -> &'a DenialEntry {
    entries
        .iter()
        .find(|e| e.primary_name() == name)
        .unwrap_or_else(|| panic!("no entry named {name}"))
}

#[test]
fn ecfr_entity_list_slice() {
    let imported = ecfr(&fixture("ecfr-744-xml"), "4");
    let e = entries(&imported);
    check_invariants(e);
    // Counted by hand in the fixture (the rows of each country that carry a
    // licence requirement; China adds two subordinate institutions and eight
    // affiliated entities of its rows).
    let counts = per_country(e);
    assert_eq!(counts["AFGHANISTAN"], 30);
    assert_eq!(counts["BELIZE"], 2);
    assert_eq!(counts["VIETNAM"], 3);
    assert_eq!(counts["GERMANY"], 3);
    assert_eq!(counts["CRIMEA REGION OF UKRAINE"], 6);

    let emal = by_name(e, "Emal Bilal Mangal");
    assert_eq!(
        names(emal, NameKind::Alias),
        ["Imal Bilal", "Aimal Balal", "Bellal Mangal"]
    );
    assert_eq!(emal.addresses.len(), 2);
    assert_eq!(emal.addresses[0].country, "AFGHANISTAN");
    assert_eq!(emal.programs, ["BIS Entity List"]);
    let t = emal.listing.as_ref().unwrap();
    assert_eq!(t.license_scope, LicenseScope::AllItems);
    assert_eq!(t.license_review_policy, "Presumption of denial");
    assert_eq!(t.federal_register, ["79 FR 44683, 8/1/14"]);

    // Address entries: limited requirement, and said to be addresses.
    let a1: Vec<&DenialEntry> = e
        .iter()
        .filter(|x| x.primary_name() == "Address 01")
        .collect();
    assert_eq!(a1.len(), 1);
    assert_eq!(
        a1[0].listing.as_ref().unwrap().license_scope,
        LicenseScope::SomeItems
    );
    assert!(a1[0].remarks.contains("address entry"), "{}", a1[0].remarks);

    // Subordinate institutions: entries of their own with the parent's terms,
    // and the addresses that apply to all of them.
    let casic = by_name(
        e,
        "China Aerospace Science and Industry Corporation Second Academy",
    );
    assert!(names(casic, NameKind::Alias).contains(&"CASIC Second Academy"));
    let sub = by_name(e, "201 Research Institute");
    assert_eq!(
        names(sub, NameKind::Alias),
        ["Aerospace Science and Technology Defense Technology Research and Experimental Center"]
    );
    assert!(
        sub.remarks
            .contains("Subordinate institution of China Aerospace Science")
    );
    assert_eq!(sub.listing, casic.listing);
    for x in [casic, sub] {
        assert!(
            x.addresses
                .iter()
                .any(|a| a.street.starts_with("50 Yongding Road")),
            "{x:?}"
        );
    }
    // Affiliated entities of Huawei, with the footnotes of the requirement.
    let huawei = by_name(e, "Huawei Technologies Co., Ltd.");
    let req = &huawei.listing.as_ref().unwrap().license_requirement;
    assert!(
        req.contains("734.9(e) [1]") && req.ends_with("[2]"),
        "{req}"
    );
    assert!(
        huawei.remarks.contains("Footnote 1: For this entity"),
        "{}",
        huawei.remarks
    );
    let marine = by_name(e, "Huawei Marine Networks Co., Ltd.");
    assert_eq!(
        names(marine, NameKind::Alias),
        [
            "Huawei Marine",
            "HMN Technologies",
            "Huahai Zhihui Technology Co., Ltd.",
            "HMN Tech"
        ]
    );
    assert!(
        marine
            .remarks
            .contains("Affiliated entity of Huawei Technologies Co., Ltd.")
    );
    // The Nezhad row has its requirement and policy swapped in the source.
    let nezhad = by_name(e, "Djamshid Nezhad");
    let t = nezhad.listing.as_ref().unwrap();
    assert_eq!(t.license_review_policy, "Presumption of denial");
    assert_eq!(t.license_scope, LicenseScope::AllItems);
    assert!(
        imported.warnings.iter().any(|w| w.contains("swapped")),
        "{:?}",
        imported.warnings
    );
    // Ids: 12 hex digits of the country and name, unique, and the identity.
    let mut ids = std::collections::HashSet::new();
    for x in e {
        assert!(ids.insert(x.entry_id.clone()), "{}", x.entry_id);
        assert_eq!(diff::identity_key("ecfr-744-xml", x), x.entry_id);
        assert!(
            x.entry_id[..12].bytes().all(|b| b.is_ascii_hexdigit()),
            "{}",
            x.entry_id
        );
    }
    // The same file read again gives the same ids.
    let again = ecfr(&fixture("ecfr-744-xml"), "4");
    assert_eq!(entries(&again), e);
}

#[test]
fn ecfr_unverified_and_meu_slices() {
    let files = fixture("ecfr-744-xml");
    let uvl = ecfr(&files, "unverified-list");
    let u = entries(&uvl);
    check_invariants(u);
    // Armenia: three rows, counted by hand; Türkiye twelve.
    let counts = per_country(u);
    assert_eq!(counts["ARMENIA"], 3);
    assert_eq!(counts["TÜRKIYE"], 12);
    let ia = by_name(u, "Iranian & Armenian");
    assert_eq!(ia.addresses[0].street, "Komitas 26/114, Yerevan, Armenia");
    let t = ia.listing.as_ref().unwrap();
    assert_eq!(t.license_scope, LicenseScope::Unstated);
    assert_eq!(t.federal_register, ["85 FR 64017, October 9, 2020"]);
    assert_eq!(ia.programs, ["BIS Unverified List"]);

    let meu = ecfr(&files, "7");
    let m = entries(&meu);
    check_invariants(m);
    assert!(m.iter().all(|x| x.primary_name() != "[Reserved]"));
    let aecc = by_name(m, "AECC Aviation Power Co. Ltd.");
    assert!(
        aecc.remarks
            .contains("Subordinate institution of Aero-Engine Company of China"),
        "{}",
        aecc.remarks
    );
    assert!(
        m.iter()
            .all(|x| x.programs == ["BIS Military End-User List"])
    );
}

#[test]
fn ecfr_options_and_malformed_files() {
    let files = fixture("ecfr-744-xml");
    for (opts, option) in [
        (options(&[]), "supplement"),
        (options(&[("supplement", "5")]), "supplement"),
    ] {
        match import_with("ecfr-744-xml", &files, &opts) {
            Err(ImportError::BadOption { option: o, .. }) => assert_eq!(o, option),
            other => panic!("{other:?}"),
        }
    }
    match import_with("ecfr-744-xml", &files, &options(&[("sheet", "4")])) {
        Err(ImportError::UnknownOption { option, known, .. }) => {
            assert_eq!(option, "sheet");
            assert_eq!(known, "supplement");
        }
        other => panic!("{other:?}"),
    }
    // A file without the supplement, and a truncated one.
    let data = &files[0].data;
    let text = std::str::from_utf8(data).unwrap();
    let cut = text.find("Supplement No. 7").unwrap();
    let truncated = SourceData {
        name: files[0].name.clone(),
        data: text.as_bytes()[..cut + 2000].to_vec(),
    };
    let err = import_with(
        "ecfr-744-xml",
        &[truncated],
        &options(&[("supplement", "7")]),
    )
    .unwrap_err();
    let (_, line, msg) = malformed(err);
    assert!(line > 0 && msg.contains("never closed"), "{line} {msg}");
    let only_uvl = SourceData {
        name: "part-744.xml".into(),
        data: text
            .replace(
                "Supplement No. 4 to Part 744",
                "Supplement No. 9 to Part 744",
            )
            .into_bytes(),
    };
    let err = import_with(
        "ecfr-744-xml",
        &[only_uvl],
        &options(&[("supplement", "4")]),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("no Supplement No. 4 to Part 744"),
        "{err}"
    );
}

/// The whole bundled eCFR file: counts for a few countries checked by hand
/// against the published table (rows that carry a licence requirement or a
/// citation), and the totals.
#[test]
fn ecfr_bundled_file_counts() {
    let files = bundled("bis-ecfr-744-2026-07-23");
    let el = ecfr(&files, "4");
    let e = entries(&el);
    check_invariants(e);
    let counts = per_country(e);
    for (country, n) in [
        ("AFGHANISTAN", 30),
        ("BELIZE", 2),
        ("CUBA", 1),
        ("IRELAND", 6),
        ("VIETNAM", 3),
        ("SOUTH SUDAN", 15),
        ("CRIMEA REGION OF UKRAINE", 28),
    ] {
        assert_eq!(counts[country], n, "{country}");
    }
    // 3,411 rows with a licence requirement, plus subordinate institutions and
    // affiliated entities, less the affiliate rows that repeat their parent.
    assert!((3411..3500).contains(&e.len()), "{}", e.len());
    assert!(e.iter().all(|x| {
        x.listing
            .as_ref()
            .is_some_and(|t| t.license_scope != LicenseScope::Unstated)
    }));
    let all = e
        .iter()
        .filter(|x| x.listing.as_ref().map(|t| t.license_scope) == Some(LicenseScope::AllItems))
        .count();
    assert!(all * 100 > e.len() * 95, "{all} of {}", e.len());
    // No alias is a stray connector or an address.
    for x in e {
        for n in &x.names {
            assert!(!matches!(n.name.as_str(), "and" | "or" | ""), "{x:?}");
        }
    }
    let uvl = ecfr(&files, "6");
    assert_eq!(entries(&uvl).len(), 186);
    assert_eq!(per_country(entries(&uvl))["ARMENIA"], 3);
    // 90 rows: 4 [Reserved], 14 "Subordinate institution" markers, 2 headers.
    let meu = ecfr(&files, "7");
    assert_eq!(entries(&meu).len(), 70);
}

#[test]
fn csl_sources_option_keeps_the_chosen_sources() {
    let files = bundled("trade-gov-csl-2022-04");
    for (sources, n, source) in [
        (
            "ISN",
            163,
            "Nonproliferation Sanctions (ISN) - State Department",
        ),
        ("dtc", 727, "ITAR Debarred (DTC) - State Department"),
    ] {
        let imported = import_with(
            "trade-gov-csl-csv",
            &files,
            &options(&[("sources", sources)]),
        )
        .unwrap();
        let e = entries(&imported);
        check_invariants(e);
        assert_eq!(e.len(), n, "{sources}");
        assert!(
            e.iter().all(|x| x.programs.iter().any(|p| p == source)),
            "{sources}"
        );
        assert!(
            imported
                .warnings
                .iter()
                .any(|w| w.contains("sources option")),
            "{:?}",
            imported.warnings
        );
    }
    let all = import("trade-gov-csl-csv", &files).unwrap();
    assert_eq!(entries(&all).len(), 163 + 727);
    let none = import_with("trade-gov-csl-csv", &files, &options(&[("sources", "EL")]));
    assert!(matches!(none, Err(ImportError::Empty { .. })), "{none:?}");
    let blank = import_with("trade-gov-csl-csv", &files, &options(&[("sources", " , ")]));
    assert!(
        matches!(blank, Err(ImportError::BadOption { .. })),
        "{blank:?}"
    );
    // E.O. 13382 designations carry that programme (the policy denies them).
    let isn = import_with("trade-gov-csl-csv", &files, &options(&[("sources", "ISN")])).unwrap();
    let aio = entries(&isn)
        .iter()
        .find(|x| x.primary_name() == "Aerospace Industries Organization (AIO)")
        .unwrap();
    assert!(aio.programs.iter().any(|p| p == "E.O. 13382"));
    assert_eq!(
        aio.listing.as_ref().unwrap().federal_register,
        ["Vol. 70, No. 126, 07/01/05"]
    );
}

#[test]
fn csl_licence_columns_become_listing_terms() {
    let imported = import("trade-gov-csl-csv", &fixture("trade-gov-csl-csv")).unwrap();
    let e = entries(&imported);
    let el: Vec<&DenialEntry> = e
        .iter()
        .filter(|x| x.programs.iter().any(|p| p.starts_with("Entity List (EL)")))
        .collect();
    assert!(!el.is_empty());
    for x in el {
        let t = x.listing.as_ref().unwrap();
        assert_eq!(t.license_scope, LicenseScope::AllItems, "{x:?}");
        assert!(t.license_review_policy.starts_with("Presumption of denial"));
    }
    let meu: Vec<&DenialEntry> = e
        .iter()
        .filter(|x| {
            x.programs
                .iter()
                .any(|p| p.starts_with("Military End User"))
        })
        .collect();
    assert!(!meu.is_empty());
    assert!(
        meu.iter()
            .all(|x| x.listing.as_ref().unwrap().license_scope == LicenseScope::SomeItems)
    );
}
