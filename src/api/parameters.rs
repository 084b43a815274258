//! ListParameters: the technical parameter keys an item may carry, with
//! their canonical unit and accepted range, as the control list's key table
//! ([`units::PARAMS`]) defines them. The same table decides what
//! [`convert`](super::convert) accepts, so the answer cannot drift from the
//! validation.

use super::pb;
use crate::engine::units;

/// Every accepted parameter key on the wire.
pub fn list_parameters() -> pb::ListParametersResponse {
    pb::ListParametersResponse {
        parameters: units::PARAMS
            .iter()
            .map(|p| pb::ParameterInfo {
                key: p.key.to_string(),
                unit: p.unit.to_string(),
                min: p.min,
                max: p.max.is_finite().then_some(p.max),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_with_its_range() {
        let r = list_parameters();
        assert_eq!(r.parameters.len(), units::PARAMS.len());
        let range = r.parameters.iter().find(|p| p.key == "range_km").unwrap();
        assert_eq!(
            (range.unit.as_str(), range.min, range.max),
            ("km", 0.0, None)
        );
        let purity = r.parameters.iter().find(|p| p.key == "purity_pct").unwrap();
        assert_eq!(purity.max, Some(100.0));
    }
}
