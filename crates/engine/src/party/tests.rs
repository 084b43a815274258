//! Behaviour of party matching, table-driven, on a small list of real-style
//! entries padded with filler names so that token weights resemble a real
//! list (common given names and company words weigh little).

use super::*;
use crate::geo::Geo;
use crate::model::{Address, DenialEntry, EntityKind, EntryName, NameKind};
use crate::reference::ReferenceFiles;

const THRESHOLD: f64 = 0.8;

fn entry(id: &str, kind: EntityKind, names: &[(&str, NameKind)], country: &str) -> DenialEntry {
    DenialEntry {
        entry_id: id.into(),
        kind,
        names: names
            .iter()
            .map(|(n, k)| EntryName {
                name: (*n).into(),
                kind: *k,
            })
            .collect(),
        addresses: if country.is_empty() {
            vec![]
        } else {
            vec![Address {
                country: country.into(),
                ..Address::default()
            }]
        },
        ..DenialEntry::default()
    }
}

fn listed() -> Vec<DenialEntry> {
    use EntityKind::{Organization as O, Person as P};
    use NameKind::{Alias as A, Primary as N, WeakAlias as W};
    let mut v = vec![
        entry(
            "1",
            O,
            &[
                ("CHINA NORTH INDUSTRIES GROUP CORPORATION LIMITED", N),
                ("NORINCO", A),
            ],
            "China",
        ),
        entry("2", P, &[("PUTIN, Vladimir Vladimirovich", N)], "Russia"),
        entry(
            "3",
            P,
            &[("HANIYA, Ismail Abdul Salah", N), ("ABU AL-ABD", W)],
            "",
        ),
        entry(
            "4",
            O,
            &[("BANCO NACIONAL DE CUBA", N), ("NATIONAL BANK OF CUBA", A)],
            "Cuba",
        ),
        entry(
            "5",
            O,
            &[("SEMICONDUCTOR MANUFACTURING INTERNATIONAL CORPORATION", N)],
            "China",
        ),
        entry("6", P, &[("MAKHLOUF, Rami", N)], "Syria"),
        entry(
            "7",
            O,
            &[("TACTICAL MISSILES CORPORATION JOINT STOCK COMPANY", N)],
            "Russia",
        ),
        entry("8", P, &[("AL-HUSAYN, Yusuf Qasim Muhammad", N)], "Iraq"),
        entry("9", O, &[("ANSARU", N)], "Nigeria"),
        entry(
            "10",
            O,
            &[("ANHUI GREATWALL MILITARY INDUSTRY CO LTD", N)],
            "China",
        ),
        entry(
            "11",
            O,
            &[("TEHRAN GAS TURBINE COMPONENTS FACTORY", N)],
            "Iran",
        ),
        entry("12", P, &[("KIM, Chol Su", N)], "Korea, North"),
        entry("13", EntityKind::Vessel, &[("OCEAN STAR", N)], ""),
        entry(
            "14",
            O,
            &[("XYZ INTERNATIONAL TRADING GROUP", N)],
            "United Arab Emirates",
        ),
        entry("15", P, &[("CARDONA MARTINEZ, Pedro", N)], "Colombia"),
        entry("16", P, &[("FAN, Yang", N)], "China"),
        entry("17", O, &[("LAROSA SA", N)], "Panama"),
        entry("18", P, &[("AJILI, Sa'id", N)], "Tunisia"),
        entry("19", P, &[("KHALIL, Ahmad Jawad", N)], "Lebanon"),
        entry("21", P, &[("AL-MASLI, 'Abd-al-Hamid", N)], ""),
        entry("22", P, &[("ZHONGXIAN, Wang", N)], "China"),
        entry("23", P, &[("KINAHAN, Christopher Vincent", N)], "Ireland"),
        entry("24", P, &[("PAO, Hua Chiang", N)], "Taiwan"),
        entry("25", P, &[("MURAD, Abdul Hakim", N)], ""),
        entry(
            "20",
            O,
            &[("KOREA MINING DEVELOPMENT TRADING CORPORATION", N)],
            "Korea, North",
        ),
    ];
    // Filler: common given names and company words, so that they weigh
    // little, as in the real lists.
    let given = [
        "Mohammad", "Ali", "Ahmad", "Vladimir", "Sergey", "Abdul", "Kim", "Yusuf", "Muhammad",
        "Ismail", "Pedro", "Yang",
    ];
    let family = [
        "Karimi", "Petrov", "Haddad", "Novak", "Sato", "Rahimi", "Orlov", "Nasser", "Pak",
        "Farouk", "Martinez", "Wang",
    ];
    for (i, g) in given.iter().enumerate() {
        for (j, f) in family.iter().enumerate() {
            v.push(entry(
                &format!("p{i}-{j}"),
                P,
                &[(
                    &format!(
                        "{}, {} {}",
                        f.to_uppercase(),
                        g,
                        given[(i + j + 1) % given.len()]
                    ),
                    N,
                )],
                "",
            ));
        }
    }
    // Patronymics are common among Russian entries.
    for (j, f) in family.iter().enumerate() {
        v.push(entry(
            &format!("r{j}"),
            P,
            &[(&format!("{}, Sergey Vladimirovich", f.to_uppercase()), N)],
            "Russia",
        ));
    }
    // Names for the generalising layers (abbreviations, nicknames, numbers,
    // glued words, legal forms, vessel prefixes); invented.
    for (id, kind, name) in [
        ("g1", O, "KESTREL OPTRONICS INDUSTRIES"),
        ("g2", O, "BORALIS SHIP MANAGEMENT COMPANY LIMITED"),
        ("g3", O, "ZANDOR INTERNATIONAL TRADING LLC"),
        ("g4", O, "VELMORA PETROCHEMICAL COMPLEX"),
        ("g5", P, "HOLLOWAY, Theodore Marcus"),
        ("g6", O, "SENTINEL BATTALION 27"),
        ("g7", O, "FIRST ORBITAL BANK"),
        ("g8", O, "TRAVNIK MASCHINENBAU"),
        ("g9", O, "PRAVETS TEXTILE"),
        ("g10", EntityKind::Vessel, "NORTHERN AZALEA"),
        ("g11", O, "GRUVEN AVIATION GROUP"),
        ("g12", O, "MERIDALE GROWTH FUND V L.P."),
        ("g13", P, "TARVEK, Osric Belmund"),
        ("g14", O, "SAVRON"),
        ("g15", O, "ORBITAL PROPULSION INSTITUTE"),
        ("g16", O, "HARBOR ELECTRONICS"),
        ("g17", O, "KASTELLAN MARINE REPAIR WORKS"),
        ("g18", O, "OSTRAVEL MARINE REPAIR YARD"),
        // Issue 14, second round (invented names, written for these
        // cases): two-edit typos, a name qualified by generic words, a
        // namesake sharing one distinctive word, diminutives of other
        // languages.
        ("g19", P, "VANDERMOLEN, Augustin"),
        ("g20", O, "TENDRIVAL"),
        ("g21", O, "MARVELLINO EUROPE"),
        ("g22", O, "VELKOR CHINA PARSEN"),
        ("g23", O, "PARSEN SHIPPING"),
        ("g24", O, "PARSEN ENERGY"),
        ("g25", O, "PARSEN TRADING"),
        ("g26", P, "ZARETSKY, Vladimir"),
        ("g27", P, "QUILMARTE, Francisco"),
        // Invented for the typo rule below: a name of an ordinal and one
        // word (UN aliases such as "Third Floor" are made so).
        ("g28", O, "SECOND QUARTERMILL"),
        // Issue 14, fourth round (invented names, written for these cases,
        // not taken from the peer benchmark): a Chinese name in pinyin for
        // Wade-Giles queries, a Ukrainian name with a patronymic.
        ("g29", P, "ZHOU, Xingjian"),
        ("g30", P, "ZHOU, Bing"),
        ("g31", P, "HARASYMENKO, Oleksiy Feliksovych"),
        ("g32", O, "TELMAROK AGRICULTURAL MACHINERY WORKS"),
        ("g33", P, "Harith bin Sulayman ibn Qadir ibn Zarwani"),
        ("g34", O, "KORVELTECHNIKA"),
        // Issue 14, fifth round (invented names, written for these cases,
        // not taken from the peer benchmark): a Ukrainian name for German
        // and French transcriptions, a name for initials, a woman's
        // family name, a listed name of two names joined by a slash, a
        // country's short form.
        ("g35", P, "CHUDNOVSKYY, Volodymyr"),
        ("g36", P, "VELLACOURT, Jean-Baptiste"),
        ("g37", P, "ZAMYATINA, Irina"),
        ("g38", O, "NORTHERN VANGUARD FRONT/KESTREL HILL BRIGADE"),
        ("g39", O, "UNITED STATES KELMARSH FOUNDRY"),
        // Issue 14, sixth round (invented names, written for these cases,
        // not taken from the peer benchmark): an Arabic name whose
        // father's name has the article, a Serbian name listed in Latin
        // letters, a Korean name with a syllable written twice, a Turkic
        // name with a short family name, a Bengali name (Rabindranath
        // Tagore's, in Bengali script).
        ("g40", P, "KHALID BIN AL-RASHID AL-ZUBAYDI"),
        ("g41", P, "CEPERKOVIC, Dusan"),
        ("g42", P, "PAEK PAEK RYONG"),
        ("g43", P, "ODAR, Kemal Tursun"),
        ("g44", P, "রবীন্দ্রনাথ ঠাকুর"),
        ("g45", P, "YUSUF OMAR YUSUF"),
    ] {
        v.push(entry(id, kind, &[(name, N)], ""));
    }
    let words = [
        "INTERNATIONAL",
        "TRADING",
        "GROUP",
        "INDUSTRY",
        "CHINA",
        "BANK",
        "GENERAL",
        "TECHNOLOGY",
        "MANUFACTURING",
        "CORPORATION",
    ];
    for (i, w) in words.iter().enumerate() {
        for (j, f) in family.iter().enumerate() {
            v.push(entry(
                &format!("c{i}-{j}"),
                O,
                &[(
                    &format!(
                        "{} {w} {} LLC",
                        f.to_uppercase(),
                        // Another word than `w` (repeated words collapse).
                        words[(i + 1 + j % (words.len() - 1)) % words.len()]
                    ),
                    N,
                )],
                "",
            ));
        }
    }
    v
}

fn index() -> PartyIndex {
    let r = ReferenceFiles::embedded();
    let geo = Geo::from_toml(&r.countries, &r.gazetteer).unwrap();
    let entries = listed();
    PartyIndex::build(&[("test", &entries[..])], &geo)
}

fn search(idx: &PartyIndex, name: &str, country: &str) -> Vec<PartyMatch> {
    idx.search(
        &PartyQuery {
            name,
            country,
            address: "",
        },
        THRESHOLD,
        5,
    )
}

/// (case name, query, expected top entry or None for no match, near-exact)
const CASES: &[(&str, &str, Option<&str>, bool)] = &[
    (
        "neighbouring letters swapped in a short token",
        "ADB-AL-HAMID AL-MASLI",
        Some("21"),
        false,
    ),
    (
        "first letter dropped from a five-letter word",
        "ABDUL HAKIM URAD",
        Some("25"),
        false,
    ),
    (
        "a legal-looking word that is part of the listed name",
        "PAO, Hua Chiagn",
        Some("24"),
        false,
    ),
    (
        "given names without the family name",
        "Christopher Vincent",
        None,
        false,
    ),
    (
        "organisation words abbreviated",
        "Kestrel Optronics Inds.",
        Some("g1"),
        false,
    ),
    (
        "management and legal forms abbreviated",
        "Boralis Ship Mgmt Co Ltd",
        Some("g2"),
        false,
    ),
    (
        "international with an apostrophe, trading abbreviated",
        "Zandor Int'l Trdg",
        Some("g3"),
        false,
    ),
    (
        "a dotted abbreviation outside the table",
        "Velmora Petrochem. Complex",
        Some("g4"),
        false,
    ),
    (
        "a nickname for the given name",
        "Ted Marcus Holloway",
        Some("g5"),
        false,
    ),
    (
        "a nickname without the family name",
        "Teddy Marcus",
        None,
        false,
    ),
    (
        "a number written in words",
        "Sentinel Battalion Twenty-Seven",
        Some("g6"),
        true,
    ),
    ("an ordinal in digits", "1st Orbital Bank", Some("g7"), true),
    (
        "words run together in mixed case",
        "TravnikMaschinenbau GmbH",
        Some("g8"),
        true,
    ),
    (
        "words run together in capitals",
        "TRAVNIKMASCHINENBAU",
        Some("g8"),
        false,
    ),
    (
        "a legal form spelled out in Romanian",
        "Societatea cu Raspundere Limitata Pravets Textile",
        Some("g9"),
        true,
    ),
    (
        "a German legal form spelled out",
        "Pravets Textile Gesellschaft mit beschraenkter Haftung",
        Some("g9"),
        true,
    ),
    ("a vessel prefix", "M/V Northern Azalea", Some("g10"), true),
    (
        "a Roman series number run together with the legal form",
        "Meridale Growth Fund 5",
        Some("g12"),
        true,
    ),
    (
        "two more names of a listed person after the listed ones",
        "Osric Belmund Tarvek Hallam Dunmore",
        Some("g13"),
        false,
    ),
    (
        "another name between a listed person's names",
        "Osric Hallam Tarvek",
        None,
        false,
    ),
    (
        "another given name before the listed person's names",
        "Dunmore Belmund Tarvek",
        None,
        false,
    ),
    (
        "one letter changed in a one-word name of six letters",
        "Savran S.A.",
        None,
        false,
    ),
    (
        "two letters swapped in a one-word name",
        "Svaron S.A.",
        Some("g14"),
        false,
    ),
    (
        "a long family name two edits away (a letter added, another changed)",
        "Augustin Vandermeulen",
        Some("g19"),
        false,
    ),
    (
        "a one-word name two edits away is another name",
        "Tendriavel",
        None,
        false,
    ),
    (
        "an organisation's name without the generic word that qualifies it",
        "Marvellino",
        Some("g21"),
        false,
    ),
    (
        "an organisation's name without the ordinal that qualifies it",
        "Quartermill Corporation",
        Some("g28"),
        false,
    ),
    (
        "the same up to a typo is no match for a name qualified by an ordinal",
        "Quartermil Corporation",
        None,
        false,
    ),
    (
        "a brand written as one word sharing one distinctive word",
        "Velkorchina Company Limited",
        None,
        false,
    ),
    (
        "a brand written in camel case sharing one distinctive word",
        "VelkorChina Ltd",
        None,
        false,
    ),
    (
        "a Russian diminutive of the given name",
        "Volodya Zaretsky",
        Some("g26"),
        false,
    ),
    (
        "a Spanish diminutive of the given name",
        "Paco Quilmarte",
        Some("g27"),
        false,
    ),
    (
        "a descriptive listed name qualified by another word",
        "Velnor Orbital Propulsion Institute",
        None,
        false,
    ),
    (
        "one common word shared with a longer listed name",
        "Harbor Inc.",
        None,
        false,
    ),
    (
        "three-letter contractions beside a distinctive word",
        "Kastellan Mrn Rpr Works",
        Some("g17"),
        false,
    ),
    (
        "aviation and group abbreviated",
        "Gruven Avn Grp",
        Some("g11"),
        false,
    ),
    // Wade-Giles: "Chou Hsing-chien" is how Taiwanese and older records
    // write the pinyin "Zhou Xingjian" (hs = x, ch before i = j/q, ien =
    // ian).
    (
        "a Chinese name in Wade-Giles",
        "Chou Hsing-chien",
        Some("g29"),
        false,
    ),
    // No syllable of "Chou Ping" is Wade-Giles only (it is Korean or
    // Cantonese as often): not rewritten.
    (
        "a name without a Wade-Giles-only syllable is not rewritten",
        "Chou Ping",
        None,
        false,
    ),
    (
        "patronymic left out, both names spelt another way",
        "Oleksii Harasimenko",
        Some("g31"),
        false,
    ),
    (
        "an ancestor's names left out of an Arabic name",
        "Harith bin Zarwani",
        Some("g33"),
        false,
    ),
    (
        "another father's name in an Arabic name",
        "Harith bin Yasin Zarwani",
        None,
        false,
    ),
    (
        "noun for the adjective of an organisation word",
        "Telmarok Agriculture Machinery Works",
        Some("g32"),
        false,
    ),
    (
        "an organisation's name split as written",
        "Korvel Technika",
        Some("g34"),
        false,
    ),
    (
        "an organisation's name split and misspelt",
        "Korvel Tehnika",
        None,
        false,
    ),
    (
        "another patronymic names another person",
        "Oleksii Ivanovych Harasimenko",
        None,
        false,
    ),
    // German (w = v, tsch = ch, -yj = -yy) and French (tch = ch, ou = u)
    // transcriptions of Cyrillic against the English-style listed form.
    (
        "a Ukrainian name in German transcription",
        "Wolodymyr Tschudnowskyj",
        Some("g35"),
        false,
    ),
    (
        "a Ukrainian name in French transcription",
        "Volodymyr Tchoudnovskyy",
        Some("g35"),
        false,
    ),
    (
        "another family name in German transcription",
        "Wolodymyr Tschernowskyj",
        None,
        false,
    ),
    (
        "two initials for two given names, dotted",
        "J.-B. Vellacourt",
        Some("g36"),
        false,
    ),
    (
        "two initials for two given names, run together",
        "JB Vellacourt",
        Some("g36"),
        false,
    ),
    (
        "initials that are not the listed given names",
        "J.-P. Vellacourt",
        None,
        false,
    ),
    (
        "a woman's family name as listed",
        "Irina Zamyatina",
        Some("g37"),
        true,
    ),
    (
        "the masculine form of a woman's family name",
        "Irina Zamyatin",
        None,
        false,
    ),
    (
        "one of two names a slash separates",
        "Kestrel Hill Brigade",
        Some("g38"),
        false,
    ),
    (
        "a country's short form for its two words",
        "U.S. Kelmarsh Foundry",
        Some("g39"),
        false,
    ),
    (
        "another country's short form",
        "U.K. Kelmarsh Foundry",
        None,
        false,
    ),
    (
        "exact primary",
        "CHINA NORTH INDUSTRIES GROUP CORPORATION LIMITED",
        Some("1"),
        true,
    ),
    ("alias", "NORINCO", Some("1"), true),
    (
        "case and punctuation",
        "china north-industries group corp.",
        Some("1"),
        true,
    ),
    ("diacritics", "Bánco Naçional de Cübá", Some("4"), true),
    (
        "legal form dropped",
        "China North Industries Group",
        Some("1"),
        true,
    ),
    (
        "legal form swapped",
        "Tactical Missiles Corp. JSC",
        Some("7"),
        true,
    ),
    (
        "Last, First to First Last",
        "Vladimir Vladimirovich Putin",
        Some("2"),
        true,
    ),
    (
        "any token order",
        "Putin Vladimir Vladimirovich",
        Some("2"),
        true,
    ),
    (
        "typo in a long token",
        "Vladimir Vladimirovich Putni",
        Some("2"),
        false,
    ),
    ("patronymic dropped", "Vladimir Putin", Some("2"), false),
    // Mixed case shows where one word ends: the same name.
    (
        "joined words in mixed case",
        "RamiMakhlouf",
        Some("6"),
        true,
    ),
    ("joined words in capitals", "RAMIMAKHLOUF", Some("6"), false),
    ("split word", "ANS ARU", Some("9"), false),
    (
        "split city",
        "TEH RAN GAS TURBINE COMPONENTS FACTORY",
        Some("11"),
        false,
    ),
    (
        "transliteration",
        "Youssef Kassem Mohammed AL-HUSSEIN",
        Some("8"),
        false,
    ),
    ("Cyrillic", "Владимир Владимирович Путин", Some("2"), true),
    (
        "one word dropped and one typo",
        "SEMICNODUCTOR INTERNATIONAL CORPORATION",
        Some("5"),
        false,
    ),
    (
        "generic words alone",
        "International Trading Group",
        None,
        false,
    ),
    ("one common given name", "Ali", None, false),
    ("one token in common", "Ismail Farouk Trading", None, false),
    (
        "look-alike company",
        "Great Wall Motor Company Limited",
        None,
        false,
    ),
    (
        "look-alike bank",
        "Banco Nacional de Costa Rica",
        None,
        false,
    ),
    (
        "short name needs near-exact agreement",
        "Kim Chol Sun",
        None,
        false,
    ),
    ("short name with a typo", "Fang Yang", None, false),
    (
        "both family names",
        "Pedro Cardona Martinez",
        Some("15"),
        true,
    ),
    ("legal form at the end", "Larosa S.A.", Some("17"), true),
    (
        "legal-looking word inside a name",
        "Sa Id Ajili",
        Some("18"),
        false,
    ),
    // Issue 14, sixth round.
    (
        "the article before a father's name left out",
        "Khalid bin Rashid al-Zubaydi",
        Some("g40"),
        false,
    ),
    (
        "son and father swapped, the father's article written",
        "Rashid bin Khalid al-Zubaydi",
        None,
        false,
    ),
    (
        "Serbian Cyrillic read as Serbian Latin",
        "Душан Чеперковић",
        Some("g41"),
        true,
    ),
    ("another Serbian family name", "Душан Перковић", None, false),
    (
        "a doubled syllable read once",
        "Paek Ryong",
        Some("g42"),
        true,
    ),
    (
        "a doubled word the listed name holds twice apart",
        "Omar Yusuf, Yusuf",
        Some("g45"),
        false,
    ),
    (
        "a vowel typed as the consonant beside it",
        "Kemal Tursun Ddar",
        Some("g43"),
        false,
    ),
    (
        "another consonant in place of the vowel",
        "Kemal Tursun Bdar",
        None,
        false,
    ),
    ("Bengali name as listed", "রবীন্দ্রনাথ ঠাকুর", Some("g44"), true),
    (
        "Bengali name with two letters changed",
        "রমীন্দ্রনাথক ঠাকুর",
        None,
        false,
    ),
    (
        "another syllable where the listed name doubles one",
        "Paek Su Ryong",
        None,
        false,
    ),
];

#[test]
fn a_slash_separates_names_of_two_words_or_more() {
    let rules = NameRules::embedded();
    let names = |n: &str| slash_names(n, rules);
    assert_eq!(
        names("NORTHERN VANGUARD FRONT/KESTREL HILL BRIGADE"),
        vec![
            (
                "NORTHERN VANGUARD FRONT/KESTREL HILL BRIGADE".to_string(),
                false
            ),
            ("NORTHERN VANGUARD FRONT".to_string(), true),
            ("KESTREL HILL BRIGADE".to_string(), true),
        ]
    );
    // A legal form, a vessel prefix, a one-word side: one name.
    for one in [
        "TORVAN A/S",
        "M/V NORTHERN AZALEA",
        "ORIENTEX/PACIFIC LOGISTICS",
    ] {
        assert_eq!(names(one), vec![(one.to_string(), false)], "{one}");
    }
}

#[test]
fn case_names_are_unique() {
    let mut names: Vec<&str> = CASES.iter().map(|c| c.0).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), CASES.len());
}

#[test]
fn matching_table() {
    let idx = index();
    let mut failures = Vec::new();
    for (case, query, want, near) in CASES {
        let got = search(&idx, query, "");
        let top = got.first();
        let ok = match (want, top) {
            (None, None) => true,
            (Some(id), Some(m)) => m.entry_id == *id && m.near_exact == *near,
            _ => false,
        };
        if !ok {
            failures.push(format!(
                "{case}: '{query}' -> {:?}",
                got.iter()
                    .map(|m| (
                        m.entry_id.as_str(),
                        m.score,
                        m.near_exact,
                        m.explanation.as_str()
                    ))
                    .collect::<Vec<_>>()
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn near_exact_scores_one_and_fuzzy_scores_less() {
    let idx = index();
    let exact = search(&idx, "NATIONAL BANK OF CUBA", "");
    assert_eq!(exact[0].score, 1.0);
    let fuzzy = search(&idx, "NATIONAL BANK OF CUBAA", "");
    assert!(
        fuzzy[0].score < 1.0 && fuzzy[0].score >= THRESHOLD,
        "{fuzzy:?}"
    );
}

#[test]
fn weak_aliases_score_below_strong_names() {
    let idx = index();
    let weak = search(&idx, "ABU AL-ABD", "");
    assert_eq!(weak[0].entry_id, "3");
    assert!(
        weak[0].score < 0.99,
        "a weak alias never scores as near-exact: {weak:?}"
    );
    assert!(
        weak[0].explanation.contains("weak alias"),
        "{}",
        weak[0].explanation
    );
}

#[test]
fn an_organisation_name_matching_a_person_scores_lower() {
    let idx = index();
    let person = idx.search(
        &PartyQuery {
            name: "Rami Makhlouff",
            ..Default::default()
        },
        0.0,
        1,
    );
    let company = idx.search(
        &PartyQuery {
            name: "Rami Makhlouff LLC",
            ..Default::default()
        },
        0.0,
        1,
    );
    assert_eq!(person[0].entry_id, "6");
    assert_eq!(company[0].entry_id, "6");
    assert!(company[0].score < person[0].score, "{company:?} {person:?}");
}

#[test]
fn country_agreement_raises_and_disagreement_lowers_the_score() {
    let idx = index();
    let q = "SEMICNODUCTOR INTERNATIONAL CORPORATION";
    let none = search(&idx, q, "");
    let agree = search(&idx, q, "CN");
    let disagree = idx.search(
        &PartyQuery {
            name: q,
            country: "BR",
            address: "",
        },
        0.0,
        1,
    );
    assert!(agree[0].score > none[0].score);
    assert!(disagree[0].score < none[0].score);
    assert!(
        agree[0].explanation.contains("agrees"),
        "{}",
        agree[0].explanation
    );
}

#[test]
fn vessels_are_not_shipment_parties() {
    let idx = index();
    let m = search(&idx, "Ocean Star", "");
    assert_eq!(m[0].entry_id, "13");
    assert!(
        m[0].score < 0.99,
        "a vessel never scores as near-exact: {m:?}"
    );
}

#[test]
fn matches_explain_names_and_token_pairs() {
    let idx = index();
    let m = &search(&idx, "Vladimir Vladimirovich Putni", "")[0];
    assert!(
        m.explanation.contains("PUTIN, Vladimir Vladimirovich"),
        "{}",
        m.explanation
    );
    assert!(
        m.matched_terms.iter().any(|t| t == "putni~putin"),
        "{:?}",
        m.matched_terms
    );
    assert_eq!(m.matched_name, "PUTIN, Vladimir Vladimirovich");
}

#[test]
fn scores_are_stable() {
    let idx = index();
    let a = search(&idx, "Youssef Kassem Mohammed AL-HUSSEIN", "IQ");
    for _ in 0..3 {
        assert_eq!(search(&idx, "Youssef Kassem Mohammed AL-HUSSEIN", "IQ"), a);
    }
    // A second index built from the same entries answers the same.
    assert_eq!(
        search(&index(), "Youssef Kassem Mohammed AL-HUSSEIN", "IQ"),
        a
    );
}

#[test]
fn one_of_two_family_names_missing_is_not_a_match() {
    let idx = index();
    let partial = search(&idx, "Pedro Martinez", "");
    assert!(partial.iter().all(|m| m.entry_id != "15"), "{partial:?}");
    let scored = idx.search(
        &PartyQuery {
            name: "Pedro Martinez",
            ..Default::default()
        },
        0.0,
        50,
    );
    let m = scored
        .iter()
        .find(|m| m.entry_id == "15")
        .expect("scored below the threshold");
    assert!(
        m.explanation.contains("family name is missing"),
        "{}",
        m.explanation
    );
}

#[test]
fn han_characters_only_sound_like_a_latin_name() {
    let idx = index();
    let latin = search(&idx, "WANG Zhongxian", "");
    let han = search(&idx, "王忠贤", "");
    assert_eq!(latin[0].entry_id, "22");
    assert_eq!(han[0].entry_id, "22");
    assert!(han[0].score < latin[0].score * 0.9, "{han:?}");
    assert!(han[0].explanation.contains("only the sound agrees"));
}

/// The test list with three more entries, and `table` as the well-known
/// firms (`well-known.toml`).
fn index_with_firms(table: &str) -> PartyIndex {
    use EntityKind::Organization as O;
    use NameKind::{Primary as N, WeakAlias as W};
    let r = ReferenceFiles::embedded();
    let geo = Geo::from_toml(&r.countries, &r.gazetteer).unwrap();
    let mut entries = listed();
    entries.push(entry("wk1", O, &[("VORANEX", N)], "Russia"));
    entries.push(entry(
        "wk2",
        O,
        &[("KARSTEL TRADING FZE", N), ("JSC ORBENA", W)],
        "Iran",
    ));
    entries.push(entry("wk3", O, &[("LLC MERIDAN", N)], "Russia"));
    entries.push(entry(
        "wk4",
        O,
        &[("TALVEX INSTRUMENTS CENTER CO., LTD.", N)],
        "China",
    ));
    let rules = NameRules::from_toml(&r.party_words, &r.nicknames, &r.legal_forms)
        .unwrap()
        .with_well_known(table)
        .unwrap();
    PartyIndex::build_with(&[("test", &entries[..])], &geo, std::sync::Arc::new(rules))
}

const FIRMS: &str = r#"
[[firm]]
names = ["Voranix GmbH", "Voranix"]
countries = ["DE"]

[[firm]]
names = ["Orbena Corporation"]
countries = ["JP"]

[[firm]]
names = ["Meridan B.V."]
countries = ["NL"]

[[firm]]
names = ["Talvex Instruments Corporation"]
countries = ["TW"]
"#;

fn top(idx: &PartyIndex, name: &str, country: &str, threshold: f64) -> Option<PartyMatch> {
    let q = PartyQuery {
        name,
        country,
        address: "",
    };
    idx.search(&q, threshold, 5).into_iter().next()
}

/// The match of `name` without a table of firms (on `entry`), after
/// checking that with [`FIRMS`] it falls below the threshold; and the
/// index with the firms.
fn cleared_by_the_table(name: &str, entry: &str) -> (PartyMatch, PartyIndex) {
    let plain = index_with_firms("");
    let firms = index_with_firms(FIRMS);
    let m = top(&plain, name, "", THRESHOLD).unwrap_or_else(|| panic!("{name} without firms"));
    assert_eq!(m.entry_id, entry);
    assert_eq!(top(&firms, name, "", THRESHOLD), None);
    (m, firms)
}

#[test]
fn a_well_known_firm_is_not_read_as_a_slip_of_a_listed_name() {
    // Without the table the firm's name is read as a slip of the listed
    // one; with it, the match falls below the threshold, by the stated
    // factor and with the reason.
    let (slip, firms) = cleared_by_the_table("Voranix GmbH", "wk1");
    assert!(slip.score < 1.0, "{slip:?}");
    let low = top(&firms, "Voranix GmbH", "", 0.0).expect("still scored");
    assert_eq!(low.entry_id, "wk1");
    assert!(
        (low.score - slip.score * well_known::DISCOUNT).abs() < 1e-3,
        "{low:?}"
    );
    assert!(
        low.explanation
            .contains("the well-known firm 'Voranix GmbH' (well-known.toml)"),
        "{}",
        low.explanation
    );
    // The listed name as written, and a slip that is not the firm, still match.
    let exact = top(&firms, "Voranex", "", THRESHOLD).expect("the listed name");
    assert_eq!((exact.entry_id.as_str(), exact.score), ("wk1", 1.0));
    let other = top(&firms, "Voranax Ltd", "", THRESHOLD).expect("a slip, not the firm");
    assert_eq!(other.entry_id, "wk1");
}

#[test]
fn a_weak_alias_that_is_a_well_known_firm_is_discounted() {
    let (_, firms) = cleared_by_the_table("Orbena Corp.", "wk2");
    // The entry's strong name is unaffected.
    let strong = top(&firms, "Karstel Trading FZE", "", THRESHOLD).expect("primary name");
    assert_eq!((strong.entry_id.as_str(), strong.score), ("wk2", 1.0));
}

#[test]
fn an_equal_strong_listed_name_is_never_discounted() {
    let firms = index_with_firms(FIRMS);
    let m = top(&firms, "Meridan B.V.", "NL", THRESHOLD).expect("the listed name");
    assert_eq!((m.entry_id.as_str(), m.score), ("wk3", 1.0));
    assert!(!m.explanation.contains("well-known"), "{}", m.explanation);
}

#[test]
fn a_party_in_the_entrys_country_and_not_the_firms_keeps_the_match() {
    let firms = index_with_firms(FIRMS);
    let kept = top(&firms, "Voranix GmbH", "RU", THRESHOLD).expect("country of the entry");
    assert_eq!(kept.entry_id, "wk1");
    assert!(
        !kept.explanation.contains("well-known"),
        "{}",
        kept.explanation
    );
    assert_eq!(top(&firms, "Voranix GmbH", "DE", THRESHOLD), None);
}

#[test]
fn a_listed_name_with_more_words_is_discounted_only_for_a_party_at_the_firms_home() {
    let firms = index_with_firms(FIRMS);
    // A subsidiary is written so: kept without a country, and in the
    // entry's country.
    for country in ["", "CN"] {
        let m = top(&firms, "Talvex Instruments Corp.", country, THRESHOLD)
            .unwrap_or_else(|| panic!("kept for {country:?}"));
        assert_eq!(m.entry_id, "wk4");
        assert!(!m.explanation.contains("well-known"), "{}", m.explanation);
    }
    assert_eq!(
        top(&firms, "Talvex Instruments Corp.", "TW", THRESHOLD),
        None
    );
    let low = top(&firms, "Talvex Instruments Corp.", "TW", 0.0).expect("scored");
    assert!(
        low.explanation.contains("well-known firm"),
        "{}",
        low.explanation
    );
}

/// The test list with entries for the readings of famous firms' names
/// (names invented for these tests).
fn index_with_readings() -> PartyIndex {
    use EntityKind::{Organization as O, Person as P, Vessel as V};
    use NameKind::{Primary as N, WeakAlias as W};
    let r = ReferenceFiles::embedded();
    let geo = Geo::from_toml(&r.countries, &r.gazetteer).unwrap();
    let mut entries = listed();
    entries.push(entry("rd1", V, &[("ORVALDA", N)], ""));
    entries.push(entry("rd2", O, &[("ZUK CORPORATION", N)], "Iran"));
    entries.push(entry("rd3", O, &[("KORVELT", N)], "Iran"));
    entries.push(entry("rd4", O, &[("Q.ARLEV LTD", N)], "Syria"));
    entries.push(entry(
        "rd5",
        P,
        &[("HADDAD, Karim Yusuf", N), ("BARAKOSTI", W), ("TAROMI", W)],
        "",
    ));
    entries.push(entry("rd6", O, &[("TALVINA CAR WASH S.A.", N)], "Mexico"));
    for (id, name, country) in [
        ("rd7", "KESTRANO LIMITED GENERAL TRADING", "UAE"),
        ("rd8", "VORELLIN FOUNDATION", "Cyprus"),
        ("rd9", "12TH SCIENTIFIC CENTER OF APPLIED OPTICS", "Russia"),
        ("rd10", "SCIENTIFIC PRODUCTION COMPANY TARVIKON", "Russia"),
        ("rd11", "MIRVALE PETROCHEMICAL SOLUTIONS", "Iran"),
        (
            "rd12",
            "LIMITED LIABILITY CORPORATION TRADING HOUSE OSTRAVEL",
            "Russia",
        ),
    ] {
        entries.push(entry(id, O, &[(name, N)], country));
    }
    PartyIndex::build(&[("test", &entries[..])], &geo)
}

/// Checks that `name` is scored below the threshold, and that its
/// explanation says `why`.
fn below_the_threshold_for(idx: &PartyIndex, name: &str, why: &str) {
    assert_eq!(top(idx, name, "", THRESHOLD), None, "{name}");
    let low = top(idx, name, "", 0.0).unwrap_or_else(|| panic!("{name} scored"));
    assert!(low.explanation.contains(why), "{}", low.explanation);
}

#[test]
fn a_party_with_a_legal_form_is_not_the_listed_vessel_of_its_name() {
    let idx = index_with_readings();
    let vessel = top(&idx, "Orvalda", "", THRESHOLD).expect("the vessel's name");
    assert_eq!(vessel.entry_id, "rd1");
    below_the_threshold_for(
        &idx,
        "Orvalda Corporation",
        "company name against a listed vessel",
    );
}

#[test]
fn a_legal_form_glued_to_a_short_word_is_the_end_of_the_word() {
    let idx = index_with_readings();
    // "zuk" + "gen": a word ending, not the listed ZUK with a legal form.
    assert_eq!(top(&idx, "ZUKGEN", "", THRESHOLD), None);
    // After a word of four letters or more it is a legal form.
    let glued = top(&idx, "KORVELTAG", "", THRESHOLD).expect("korvelt + ag");
    assert_eq!(glued.entry_id, "rd3");
}

#[test]
fn a_listed_initial_joins_its_word_only_in_the_written_order() {
    let idx = index_with_readings();
    let written = top(&idx, "QARLEV", "", THRESHOLD).expect("q + arlev");
    assert_eq!(written.entry_id, "rd4");
    assert_eq!(top(&idx, "ARLEVQ", "", THRESHOLD), None);
}

#[test]
fn a_short_weak_alias_is_matched_as_written_only() {
    let idx = index_with_readings();
    let weak = top(&idx, "Taromi", "", THRESHOLD).expect("the weak alias as written");
    assert_eq!(weak.entry_id, "rd5");
    // Two letters swapped in a short weak alias: another name.
    below_the_threshold_for(&idx, "Tarmoi", "a weak alias with a slip");
    // A long one is still recognised through a slip.
    let long = top(&idx, "Barakosty", "", THRESHOLD).expect("a slip of a long weak alias");
    assert_eq!(long.entry_id, "rd5");
    assert!(
        !long.explanation.contains("a weak alias with a slip"),
        "{}",
        long.explanation
    );
}

#[test]
fn a_title_is_part_of_an_organisations_name() {
    let idx = index_with_readings();
    // "Mister" kept: the listed name's own word is missing, not only a title.
    assert_eq!(top(&idx, "Mister Car Wash, Inc.", "", THRESHOLD), None);
    let person = normalize_with("Mister Karim Haddad", NameRules::embedded());
    assert!(!person.tokens.contains(&"mister".to_string()));
    let firm = normalize_with("Mister Car Wash, Inc.", NameRules::embedded());
    assert!(firm.tokens.contains(&"mister".to_string()), "{firm:?}");
}

/// The top match of `name`, which must be entry `id`, and its score.
fn found_as(idx: &PartyIndex, name: &str, id: &str) -> f64 {
    let m = top(idx, name, "", THRESHOLD).unwrap_or_else(|| panic!("{name}: no match"));
    assert_eq!(m.entry_id, id, "{name}: {}", m.explanation);
    m.score
}

#[test]
fn a_short_legal_form_inside_an_organisations_name_is_its_legal_form() {
    let idx = index_with_readings();
    // The listed name's "Limited" stands inside it and is dropped there;
    // so are "Ltd" and "LLC" written inside.
    assert!(found_as(&idx, "Kestrano Ltd General Trading", "rd7") >= 0.99);
    assert!(found_as(&idx, "Kestrano LLC General Trading", "rd7") >= 0.99);
    // "Co" inside an organisation's name too ("production" is an
    // organisation word, "Prod." its abbreviation).
    assert!(found_as(&idx, "Sci. Prod. Co Tarvikon", "rd10") >= 0.9);
    let rules = NameRules::embedded();
    // Not the "co" of a word written with a hyphen.
    let coop = normalize_with("Bank for Economic Co-operation", rules);
    assert!(coop.tokens.contains(&"co".to_string()), "{coop:?}");
    // Short forms inside a person's name stay name parts.
    let person = normalize_with("AJILI, SA ID", rules);
    assert!(person.tokens.contains(&"sa".to_string()), "{person:?}");
    // A legal form of three words ending in "corporation".
    assert!(found_as(&idx, "LLC Trading House Ostravel", "rd12") >= 0.95);
}

#[test]
fn an_abbreviation_that_is_also_a_legal_form_is_read_as_its_word() {
    let idx = index_with_readings();
    // "Fdn", "Sci.", "Ctr" are legal forms of some country in ISO 20275,
    // and the abbreviations of foundation, scientific and center.
    assert!(found_as(&idx, "Vorellin Fdn.", "rd8") >= 0.95);
    assert!(found_as(&idx, "12th Sci. Ctr of Applied Optics", "rd9") >= 0.95);
    // "Inc" stands for "incorporated" only: still a legal form.
    let rules = NameRules::embedded();
    let inc = normalize_with("Vorellin Inc", rules);
    assert_eq!(inc.tokens, vec!["vorellin".to_string()]);
}

#[test]
fn erp_abbreviations_of_the_table_are_read_as_their_words() {
    let idx = index_with_readings();
    // Forms that keep some vowels and have no dot: the table reads them.
    assert!(found_as(&idx, "Mirvale Petrochem Solns", "rd11") >= 0.9);
    assert!(found_as(&idx, "Mirvale Petchem Soln", "rd11") >= 0.9);
}
