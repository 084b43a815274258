//! Tests of country resolution, groups, the gazetteer and file validation.

use std::sync::OnceLock;

use super::*;
use crate::policy::Policy;
use crate::reference::ReferenceFiles;

fn geo() -> &'static Geo {
    static GEO: OnceLock<Geo> = OnceLock::new();
    GEO.get_or_init(|| {
        let r = ReferenceFiles::embedded();
        Geo::from_toml(&r.countries, &r.gazetteer).unwrap()
    })
}

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/geo/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap()
}

fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

#[test]
fn resolves_codes_and_the_names_lists_write() {
    let cases: &[(&str, &str)] = &[
        // ISO alpha-2, any case and spacing; alpha-3
        ("IR", "IR"),
        (" kp ", "KP"),
        ("IRN", "IR"),
        ("PRK", "KP"),
        ("GBR", "GB"),
        ("cub", "CU"),
        // OFAC
        ("Korea, North", "KP"),
        ("Korea, South", "KR"),
        ("Burma", "MM"),
        ("Iran", "IR"),
        ("Syria", "SY"),
        ("Russia", "RU"),
        ("Congo, Democratic Republic of the", "CD"),
        ("Congo, Republic of the", "CG"),
        ("Cote d Ivoire", "CI"),
        ("Macau", "MO"),
        ("Taiwan", "TW"),
        ("Bahamas, The", "BS"),
        ("Virgin Islands, British", "VG"),
        ("Man, Isle of", "IM"),
        ("North Macedonia, The Republic of", "MK"),
        ("Palestinian", "PS"),
        ("Region: Gaza", "PS"),
        ("Netherlands Antilles", "AN"),
        ("Kosovo", "XK"),
        // UN
        ("Democratic People's Republic of Korea", "KP"),
        ("Iran (Islamic Republic of)", "IR"),
        ("Syrian Arab Republic", "SY"),
        ("Russian Federation", "RU"),
        ("Venezuela (Bolivarian Republic of)", "VE"),
        ("United Republic of Tanzania", "TZ"),
        ("Lao People's Democratic Republic", "LA"),
        ("Türkiye", "TR"),
        ("Viet Nam", "VN"),
        ("State of Palestine", "PS"),
        ("China, Hong Kong Special Administrative Region", "HK"),
        ("United Kingdom of Great Britain and Northern Ireland", "GB"),
        ("Netherlands (Kingdom of the)", "NL"),
        ("Congo", "CG"),
        ("Democratic Republic of the Congo", "CD"),
        // Common forms
        ("UAE", "AE"),
        ("U.A.E.", "AE"),
        ("United Arab Emirates", "AE"),
        ("USA", "US"),
        ("U.S.", "US"),
        ("UK", "GB"),
        ("Great Britain", "GB"),
        ("Hong Kong SAR", "HK"),
        ("Hong Kong, China", "HK"),
        ("DPRK", "KP"),
        ("North Korea", "KP"),
        ("PRC", "CN"),
        ("Persia", "IR"),
        ("The Netherlands", "NL"),
        ("Turkey", "TR"),
        // Accents, apostrophes, case
        ("Côte d’Ivoire", "CI"),
        ("CÔTE D'IVOIRE", "CI"),
        ("MÉXICO", "MX"),
        ("España", "ES"),
    ];
    let g = geo();
    for (text, want) in cases {
        assert_eq!(g.resolve_country(text).as_deref(), Some(*want), "{text:?}");
    }
}

#[test]
fn unknown_or_ambiguous_values_resolve_to_nothing() {
    let g = geo();
    for text in [
        "",
        "  ",
        "Korea",
        "Virgin Islands",
        "Narnia",
        "XX",
        "ZZZ",
        "undetermined",
        "Tehran, Iran",
        "Iran Syria",
        "12",
        "--",
    ] {
        assert_eq!(g.resolve_country(text), None, "{text:?}");
    }
}

#[test]
fn every_configured_name_resolves_to_its_own_country() {
    let g = geo();
    let mut n = 0;
    for c in g.countries() {
        for form in [c.iso.as_str(), c.name.as_str()]
            .into_iter()
            .chain(c.alpha3.as_deref())
            .chain(c.aliases.iter().map(String::as_str))
        {
            assert_eq!(
                g.resolve_country(form).as_deref(),
                Some(c.iso.as_str()),
                "{form:?}"
            );
            n += 1;
        }
    }
    assert!(g.countries().count() >= 249, "every ISO 3166-1 country");
    assert!(n > 1000, "{n} names");
}

#[test]
fn country_names_for_display() {
    let g = geo();
    let cases = [
        ("IR", "Iran"),
        ("KP", "North Korea"),
        ("AE", "United Arab Emirates"),
        ("ZZ", "ZZ"),
    ];
    for (iso, want) in cases {
        assert_eq!(g.country_name(iso), want);
    }
}

#[test]
fn group_membership() {
    let g = geo();
    let cases: &[(&str, &str, bool)] = &[
        ("IR", "embargoed", true),
        ("kp", "embargoed", true),
        ("SY", "embargoed", true),
        ("CU", "embargoed", true),
        ("RU", "embargoed", false),
        ("AE", "embargoed", false),
        ("AE", "transshipment_hub", true),
        ("HK", "transshipment_hub", true),
        ("SG", "transshipment_hub", true),
        ("TR", "transshipment_hub", false),
        ("CN", "missile_concern", true),
        ("PK", "missile_concern", true),
        ("DE", "missile_concern", false),
        // arms_embargo includes the embargoed group.
        ("CU", "arms_embargo", true),
        ("RU", "arms_embargo", true),
        ("FR", "arms_embargo", false),
        ("IR", "no_such_group", false),
        ("Iran", "embargoed", false),
    ];
    for (iso, group, want) in cases {
        assert_eq!(g.in_group(iso, group), *want, "{iso} in {group}");
    }
    let members =
        |name: &str| -> Vec<String> { g.group(name).unwrap().members.iter().cloned().collect() };
    assert_eq!(members("embargoed"), ["CU", "IR", "KP", "SY"]);
    assert_eq!(members("transshipment_hub"), ["AE", "HK", "SG"]);
    assert!(
        g.groups()
            .all(|grp| !grp.source.is_empty() && !grp.description.is_empty())
    );
}

#[test]
fn policy_groups_exist_and_typos_are_caught() {
    let r = ReferenceFiles::embedded();
    let p = Policy::from_toml(&r.policy).unwrap();
    let g = geo();
    for groups in [
        &p.destination.embargo_groups,
        &p.destination.hub_groups,
        &p.destination.address_groups,
        &p.destination.diversion_review_groups,
        &p.catch_all.groups,
    ] {
        assert!(!groups.is_empty());
        g.check_groups(groups).unwrap();
    }
    g.check_regions(&p.destination.sanctioned_regions).unwrap();
    let err = g.check_regions(&["crimea", "crimean"]).unwrap_err();
    assert!(err.to_string().contains("'crimean'"), "{err}");
    let err = g.check_groups(&["embargoed", "embargo"]).unwrap_err();
    assert!(err.to_string().contains("'embargo'"), "{err}");
}

/// (address, [(place, country, matched words)])
type PlaceCase = (
    &'static str,
    &'static [(&'static str, &'static str, &'static str)],
);

fn check_places(cases: &[PlaceCase]) {
    let g = geo();
    for (address, want) in cases {
        let got: Vec<(String, String, String)> = g
            .places_in(address)
            .into_iter()
            .map(|h| (h.place, h.country, h.matched_text))
            .collect();
        let want: Vec<(String, String, String)> = want
            .iter()
            .map(|(p, c, m)| (p.to_string(), c.to_string(), m.to_string()))
            .collect();
        assert_eq!(got, want, "address {address:?}");
    }
}

#[test]
fn finds_places_and_their_spellings() {
    check_places(&[
        ("Port Road 14, Latakia", &[("Latakia", "SY", "Latakia")]),
        (
            "Zona Especial de Desarrollo Mariel, Artemisa",
            &[
                (
                    "Mariel Special Development Zone",
                    "CU",
                    "Zona Especial de Desarrollo Mariel",
                ),
                ("Artemisa", "CU", "Artemisa"),
            ],
        ),
        (
            "Calle 100 No. 12, Boyeros, Havana",
            &[("Boyeros", "CU", "Boyeros"), ("Havana", "CU", "Havana")],
        ),
        (
            "Haeun 2-Dong, Pyongchon District, Pyongyang",
            &[
                ("Pyongchon", "KP", "Pyongchon District"),
                ("Pyongyang", "KP", "Pyongyang"),
            ],
        ),
        (
            "No. 14, Azadi Street, Teheran",
            &[("Tehran", "IR", "Teheran")],
        ),
        (
            "Bandar-e Abbas, Hormozgan",
            &[
                ("Bandar Abbas", "IR", "Bandar-e Abbas"),
                ("Hormozgan", "IR", "Hormozgan"),
            ],
        ),
        ("Bandarabbas port", &[("Bandar Abbas", "IR", "Bandarabbas")]),
        (
            "Shahid Rajaee Port, BANDAR ABBAS",
            &[
                ("Shahid Rajaee Port", "IR", "Shahid Rajaee Port"),
                ("Bandar Abbas", "IR", "BANDAR ABBAS"),
            ],
        ),
        ("Bandar Anzali", &[("Bandar Anzali", "IR", "Bandar Anzali")]),
        (
            "Anzali Free Zone, Gilan",
            &[
                ("Anzali Free Zone", "IR", "Anzali Free Zone"),
                ("Gilan", "IR", "Gilan"),
            ],
        ),
        ("Esfahan 81747", &[("Isfahan", "IR", "Esfahan")]),
        ("Meshed", &[("Mashhad", "IR", "Meshed")]),
        (
            "Ahwaz, Khuzestan",
            &[("Ahvaz", "IR", "Ahwaz"), ("Khuzestan", "IR", "Khuzestan")],
        ),
        ("Bakhtaran", &[("Kermanshah", "IR", "Bakhtaran")]),
        ("Kish Island, Sanaee Ave", &[("Kish", "IR", "Kish Island")]),
        (
            "Unit 4, Qeshm Free Zone",
            &[("Qeshm Free Zone", "IR", "Qeshm Free Zone")],
        ),
        ("P'yŏngyang", &[("Pyongyang", "KP", "P'yŏngyang")]),
        ("Nampho port area", &[("Nampo", "KP", "Nampho")]),
        (
            "Rason Special Economic Zone",
            &[(
                "Rason Economic and Trade Zone",
                "KP",
                "Rason Special Economic Zone",
            )],
        ),
        ("Lattakia", &[("Latakia", "SY", "Lattakia")]),
        ("Al-Ladhiqiyah", &[("Latakia", "SY", "Al-Ladhiqiyah")]),
        ("Tartous Port", &[("Tartus", "SY", "Tartous")]),
        ("Dayr az Zawr", &[("Deir ez-Zor", "SY", "Dayr az Zawr")]),
        ("Deir-ez-Zor", &[("Deir ez-Zor", "SY", "Deir-ez-Zor")]),
        ("El Hasakah", &[("Hasakah", "SY", "El Hasakah")]),
        ("Dimashq", &[("Damascus", "SY", "Dimashq")]),
        ("Halab", &[("Aleppo", "SY", "Halab")]),
        ("La Habana", &[("Havana", "CU", "La Habana")]),
        (
            "Santiago de Cuba",
            &[("Santiago de Cuba", "CU", "Santiago de Cuba")],
        ),
        ("Camagüey", &[("Camaguey", "CU", "Camagüey")]),
        // Each place once.
        (
            "Tehran, Tehran Province, TEHRAN",
            &[("Tehran", "IR", "Tehran")],
        ),
    ]);
}

#[test]
fn ambiguous_names_need_corroboration() {
    check_places(&[
        // Corroborated by another place of the same country ...
        (
            "Mariel, Artemisa",
            &[("Mariel", "CU", "Mariel"), ("Artemisa", "CU", "Artemisa")],
        ),
        (
            "Carretera Central km 4, Santa Clara, Villa Clara",
            &[
                ("Santa Clara", "CU", "Santa Clara"),
                ("Villa Clara", "CU", "Villa Clara"),
            ],
        ),
        // ... or by the country's name.
        ("Industrial Zone, Hama, Syria", &[("Hama", "SY", "Hama")]),
        ("Ilam, Islamic Republic of Iran", &[("Ilam", "IR", "Ilam")]),
        // Unambiguous forms count alone.
        ("Puerto de Mariel", &[("Mariel", "CU", "Puerto de Mariel")]),
        ("Tadmur", &[("Palmyra", "SY", "Tadmur")]),
        ("Hama Governorate", &[("Hama", "SY", "Hama Governorate")]),
        // Alone, or with places of other countries, they do not count.
        ("Mariel", &[]),
        ("Calle 5, Mariel", &[]),
        ("Industrial Zone, Hama", &[]),
        ("Santa Clara, CA 95054", &[]),
        ("Baniyas, Abu Dhabi", &[]),
        ("Ilam, Nepal", &[]),
        // A place of another embargoed country does not corroborate.
        ("Hama, Havana", &[("Havana", "CU", "Havana")]),
        // The country's name alone is not a place.
        ("Somewhere in Iran", &[]),
        ("Cuba", &[]),
    ]);
    let hit = &geo().places_in("Mariel, Artemisa")[0];
    assert_eq!(hit.corroboration.as_deref(), Some("Artemisa"));
    let hit = &geo().places_in("Hama (Syria)")[0];
    assert_eq!(hit.corroboration.as_deref(), Some("Syria"));
    assert_eq!(geo().places_in("Latakia")[0].corroboration, None);
}

#[test]
fn street_and_building_names_are_not_places() {
    check_places(&[
        ("Teheran-ro 152, Gangnam-gu, Seoul", &[]),
        ("Calle Habana No. 2204, Nuevo Laredo", &[]),
        ("Cuba Street, Wellington", &[]),
        ("Tahran Caddesi 10, Ankara", &[]),
        ("1200 Havana Street, Aurora, CO", &[]),
        ("Havana Tower, Dubai Marina", &[]),
        ("Nampo-dong, Jung-gu, Busan", &[]),
        // The place itself still counts elsewhere in the address ...
        ("Damascus Road 4, Tehran", &[("Tehran", "IR", "Tehran")]),
        // ... and a comma separates a place from a street word.
        ("Tehran, Street 5", &[("Tehran", "IR", "Tehran")]),
        // A name does not span a comma.
        ("Jamia Masjid, Soleyman Park", &[]),
    ]);
}

#[test]
fn every_place_is_found_by_its_name() {
    let g = geo();
    assert!(g.places().len() > 300, "{} places", g.places().len());
    for p in g.places() {
        let address = if p.ambiguous {
            format!("{}, {}", p.name, g.country_name(&p.country))
        } else {
            p.name.clone()
        };
        let hits = g.places_in(&address);
        assert!(
            hits.iter()
                .any(|h| h.place == p.name && h.country == p.country),
            "{address:?}: {hits:?}"
        );
    }
}

#[test]
fn no_places_in_ordinary_addresses_elsewhere() {
    let g = geo();
    let text = fixture("ordinary_addresses.txt");
    let mut n = 0;
    for address in lines(&text) {
        assert_eq!(g.places_in(address), [], "{address:?}");
        n += 1;
    }
    assert!(n > 90);
}

#[test]
fn no_places_in_listed_addresses_of_other_countries() {
    let g = geo();
    let text = fixture("listed_addresses_other_countries.tsv");
    let mut n = 0;
    for line in lines(&text) {
        let (country, address) = line.split_once('\t').unwrap();
        assert!(!g.in_group(&g.resolve_country(country).unwrap_or_default(), "embargoed"));
        let hits = g.places_in(address);
        let (regions, places): (Vec<_>, Vec<_>) = hits.iter().partition(|h| h.region.is_some());
        assert_eq!(places, Vec::<&PlaceHit>::new(), "{country}: {address:?}");
        // Places of sanctioned regions only in Ukrainian addresses.
        if !regions.is_empty() {
            assert_eq!(country, "Ukraine", "{address:?}: {regions:?}");
        }
        n += 1;
    }
    assert!(n > 800);
}

/// The Ukrainian addresses of the listed-address sample: those in Crimea,
/// Donetsk or Luhansk name a place of the region, the others none.
#[test]
fn sanctioned_regions_in_listed_ukrainian_addresses() {
    let g = geo();
    let text = fixture("listed_addresses_other_countries.tsv");
    let mut seen = 0;
    for line in lines(&text) {
        let Some(address) = line.strip_prefix("Ukraine\t") else {
            continue;
        };
        seen += 1;
        let regions: Vec<String> = g
            .places_in(address)
            .into_iter()
            .filter_map(|h| h.region)
            .collect();
        let lower = address.to_lowercase();
        let want = if lower.contains("crimea")
            || lower.contains("simferopol")
            || lower.contains("sevastopol,")
        {
            Some("crimea")
        } else if lower.contains("donetsk") || lower.contains("makeevka") {
            Some("donetsk")
        } else if lower.contains("luhansk") {
            Some("luhansk")
        } else {
            None
        };
        match want {
            Some(r) => assert!(regions.iter().any(|x| x == r), "{address:?}: {regions:?}"),
            None => assert!(regions.is_empty(), "{address:?}: {regions:?}"),
        }
    }
    assert_eq!(seen, 20);
}

#[test]
fn region_places_and_their_corroboration() {
    let g = geo();
    let region_of = |address: &str| -> Vec<(String, Option<String>)> {
        g.places_in(address)
            .into_iter()
            .map(|h| (h.place, h.region))
            .collect()
    };
    let crimea = Some("crimea".to_string());
    assert_eq!(
        region_of("Lenin Street 12, Sevastopol, Crimea"),
        [
            ("Sevastopol".to_string(), crimea.clone()),
            ("Crimea".to_string(), crimea.clone())
        ]
    );
    // Sebastopol is in California too: it needs the region or the country.
    assert_eq!(region_of("100 Main Street, Sebastopol, CA 95472"), []);
    assert_eq!(
        region_of("Sebastopol, Ukraine"),
        [("Sevastopol".to_string(), crimea.clone())]
    );
    assert_eq!(
        region_of("Balaklava, Sevastopol"),
        [
            ("Balaklava".to_string(), crimea.clone()),
            ("Sevastopol".to_string(), crimea)
        ]
    );
    assert_eq!(region_of("Khreshchatyk 1, Kyiv"), []);
    assert_eq!(g.region("donetsk").map(|r| r.country.as_str()), Some("UA"));
    assert!(
        g.region("crimea")
            .is_some_and(|r| r.source.contains("13685"))
    );
}

#[test]
fn most_listed_addresses_in_embargoed_countries_name_a_place() {
    let g = geo();
    let text = fixture("listed_addresses_embargoed.tsv");
    let (mut n, mut found) = (0, 0);
    for line in lines(&text) {
        let (country, address) = line.split_once('\t').unwrap();
        let iso = g.resolve_country(country).unwrap();
        assert!(g.in_group(&iso, "embargoed"), "{country}");
        let hits = g.places_in(address);
        if hits.iter().any(|h| h.country == iso) {
            found += 1;
        }
        n += 1;
    }
    assert!(n > 300);
    assert!(found * 100 >= n * 90, "{found} of {n}");
}

const COUNTRIES_OK: &str = r#"
[countries]
IR = { name = "Iran", alpha3 = "IRN", aliases = ["Persia"] }
SY = { name = "Syria", alpha3 = "SYR" }
FR = { name = "France" }
[groups.embargoed]
description = "d"
source = "s"
members = ["IR", "SY"]
"#;

const GAZETTEER_OK: &str = r#"
groups = ["embargoed"]
[context]
street_after = ["street"]
street_before = ["calle"]
[places.IR]
"Tehran" = { kind = "city" }
"#;

fn config_error(countries: &str, gazetteer: &str) -> (String, String) {
    match Geo::from_toml(countries, gazetteer) {
        Err(EngineError::Config { file, message }) => (file, message),
        other => panic!("expected a configuration error, got {other:?}"),
    }
}

#[test]
fn small_valid_files_load() {
    let g = Geo::from_toml(COUNTRIES_OK, GAZETTEER_OK).unwrap();
    assert_eq!(g.resolve_country("persia").as_deref(), Some("IR"));
    assert_eq!(g.places_in("Tehran")[0].place, "Tehran");
    assert!(g.in_group("SY", "embargoed"));
}

#[test]
fn countries_file_errors_name_the_entry() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "IR = {",
            "Iran = {",
            "country 'Iran': the key must be an ISO 3166-1 alpha-2 code",
        ),
        ("IR = {", "ir = {", "country 'ir'"),
        (
            "alpha3 = \"IRN\"",
            "alpha3 = \"IR1\"",
            "country IR: alpha3 'IR1'",
        ),
        (
            "FR = { name = \"France\" }",
            "FR = { name = \"France\", aliases = [\"Persia\"] }",
            "country IR: name or alias 'Persia' already names country FR",
        ),
        (
            "FR = { name = \"France\" }",
            "FR = { name = \"France\", aliases = [\"I.R.N.\"] }",
            "country IR: name or alias 'IRN' already names country FR",
        ),
        (
            "FR = { name = \"France\" }",
            "FR = { name = \" \" }",
            "country FR: empty name",
        ),
        (
            "members = [\"IR\", \"SY\"]",
            "members = [\"IR\", \"XX\"]",
            "group 'embargoed': unknown country code 'XX'",
        ),
        (
            "members = [\"IR\", \"SY\"]",
            "members = [\"IR\"]\ninclude = [\"embargo\"]",
            "group 'embargoed': includes unknown group 'embargo'",
        ),
        (
            "members = [\"IR\", \"SY\"]",
            "members = [\"IR\"]\ninclude = [\"embargoed\"]",
            "include cycle",
        ),
        (
            "source = \"s\"",
            "source = \"\"",
            "group 'embargoed': `source`",
        ),
        (
            "[groups.embargoed]",
            "[groups.embargoed]\ncolour = \"red\"",
            "unknown field",
        ),
        ("[countries]", "[countrys]", "unknown field"),
    ];
    for (from, to, want) in cases {
        assert!(COUNTRIES_OK.contains(from), "{from}");
        let (file, message) = config_error(&COUNTRIES_OK.replacen(from, to, 1), GAZETTEER_OK);
        assert_eq!(file, "countries.toml");
        assert!(message.contains(want), "{message:?} lacks {want:?}");
    }
}

#[test]
fn gazetteer_file_errors_name_the_entry() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "groups = [\"embargoed\"]",
            "groups = [\"embargo\"]",
            "unknown country group 'embargo'",
        ),
        (
            "[places.IR]",
            "[places.XX]",
            "places.XX: unknown country code 'XX'",
        ),
        (
            "[places.IR]",
            "[places.FR]",
            "places.FR: country FR is in none of the gazetteer's groups",
        ),
        (
            "kind = \"city\"",
            "kind = \"town\"",
            "places.IR.\"Tehran\": unknown kind 'town'",
        ),
        (
            "\"Tehran\" = { kind = \"city\" }",
            "\"Tehran\" = { kind = \"city\" }\n[places.SY]\n\"Teheran\" = { kind = \"city\", aliases = [\"TEHRAN\"] }",
            "places.SY.\"Teheran\": form 'TEHRAN' already names IR/Tehran",
        ),
        (
            "kind = \"city\" }",
            "kind = \"city\", aliases = [\"--\"] }",
            "form '--' has no letters",
        ),
        (
            "[\"street\"]",
            "[\"main street\"]",
            "context.street_after: 'main street' must be one word",
        ),
        (
            "kind = \"city\" }",
            "kind = \"city\", colour = 1 }",
            "unknown field",
        ),
        ("[context]", "[context", "unclosed table"),
    ];
    for (from, to, want) in cases {
        assert!(GAZETTEER_OK.contains(from), "{from}");
        let (file, message) = config_error(COUNTRIES_OK, &GAZETTEER_OK.replacen(from, to, 1));
        assert_eq!(file, "gazetteer.toml");
        assert!(message.contains(want), "{message:?} lacks {want:?}");
    }
}

#[test]
fn one_word_country_look_ups_agree_with_the_full_key() {
    let g = geo();
    for text in [
        "DE",
        "de",
        "De",
        "IRN",
        "irn",
        "Germany",
        "GERMANY",
        "Iran",
        "UAE",
        "A1",
        "XX",
        "",
        "Korea1",
        "averyveryverylongword",
        "Syria",
        "the",
        "US",
    ] {
        assert_eq!(
            g.countries.resolve(text),
            g.countries.resolve_by_key(text),
            "{text:?}"
        );
    }
}
