//! Reference data the engine is configured with: decision policy, country
//! groups and names, gazetteer, end-use red flags and the words of party
//! names (abbreviations, nicknames, legal forms, well-known firms). The defaults are the
//! files in `control-lists/`, embedded at build time; a deployment may
//! override them from its data directory.

use sha2::{Digest, Sha256};

/// The configuration files, as TOML text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReferenceFiles {
    /// `policy.toml`: thresholds and which groups drive which rule.
    pub policy: String,
    /// `countries.toml`: ISO codes, names as lists write them, country groups.
    pub countries: String,
    /// `gazetteer.toml`: cities, ports, regions, free zones of embargoed and concern countries.
    pub gazetteer: String,
    /// `red-flags.toml`: end-use red-flag terms.
    pub red_flags: String,
    /// `party-words.toml`: abbreviations of organisation words, vessel
    /// prefixes, numbers written as words (party matching).
    pub party_words: String,
    /// `nicknames.toml`: given names and their nicknames (party matching).
    pub nicknames: String,
    /// `legal-forms.toml`: ISO 20275 entity legal forms (party matching).
    pub legal_forms: String,
    /// `well-known.toml`: well-known legitimate firms, a competing
    /// explanation of party matches by a slip or a weak alias.
    pub well_known: String,
}

impl ReferenceFiles {
    /// File names, in the order [`ReferenceFiles::files`] returns them.
    pub const NAMES: [&'static str; 8] = [
        "policy.toml",
        "countries.toml",
        "gazetteer.toml",
        "red-flags.toml",
        "party-words.toml",
        "nicknames.toml",
        "legal-forms.toml",
        "well-known.toml",
    ];

    /// The defaults from `control-lists/`, embedded at build time.
    pub fn embedded() -> Self {
        ReferenceFiles {
            policy: include_str!("../../../control-lists/policy.toml").to_string(),
            countries: include_str!("../../../control-lists/countries.toml").to_string(),
            gazetteer: include_str!("../../../control-lists/gazetteer.toml").to_string(),
            red_flags: include_str!("../../../control-lists/red-flags.toml").to_string(),
            party_words: include_str!("../../../control-lists/party-words.toml").to_string(),
            nicknames: include_str!("../../../control-lists/nicknames.toml").to_string(),
            legal_forms: include_str!("../../../control-lists/legal-forms.toml").to_string(),
            well_known: include_str!("../../../control-lists/well-known.toml").to_string(),
        }
    }

    /// (file name, content) pairs.
    pub fn files(&self) -> [(&'static str, &str); 8] {
        [
            (Self::NAMES[0], self.policy.as_str()),
            (Self::NAMES[1], self.countries.as_str()),
            (Self::NAMES[2], self.gazetteer.as_str()),
            (Self::NAMES[3], self.red_flags.as_str()),
            (Self::NAMES[4], self.party_words.as_str()),
            (Self::NAMES[5], self.nicknames.as_str()),
            (Self::NAMES[6], self.legal_forms.as_str()),
            (Self::NAMES[7], self.well_known.as_str()),
        ]
    }

    /// First 16 hex characters of sha256 over all files: the policy version
    /// recorded with every screening.
    pub fn version(&self) -> String {
        let mut h = Sha256::new();
        for (name, text) in self.files() {
            h.update(name.as_bytes());
            h.update([0]);
            h.update(text.as_bytes());
            h.update([0]);
        }
        let hex = hex::encode(h.finalize());
        hex[..16].to_string()
    }
}
