//! Signing a delivery: `X-Exportscreen-Signature: sha256=<hex>` where hex
//! is the HMAC-SHA256 of `"<timestamp>.<body>"` keyed with the
//! subscription's secret (the whole `whsec_...` string), and the secrets
//! themselves.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// Prefix of a subscription's secret.
pub const SECRET_PREFIX: &str = "whsec_";

/// A fresh secret: [`SECRET_PREFIX`] and 64 hex digits (32 random bytes).
///
/// # Errors
/// The operating system's random source failed.
pub fn new_secret() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(format!("{SECRET_PREFIX}{}", hex::encode(bytes)))
}

/// The signature header's value for `body` sent at `timestamp` (Unix
/// seconds): `sha256=<hex>`.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    // HMAC takes keys of any length.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_4231_case_2_and_the_signed_text() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        // Our signed text is "<timestamp>.<body>": timestamp "what do ya
        // want for nothing?" cannot be written, so check the MAC directly.
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(mac.finalize().into_bytes()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // And the header is the MAC of "<timestamp>.<body>".
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(b"whsec_k").unwrap();
        mac.update(b"1700000000.{\"a\":1}");
        let expected = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
        assert_eq!(signature("whsec_k", 1_700_000_000, b"{\"a\":1}"), expected);
        assert_ne!(signature("whsec_k", 1_700_000_001, b"{\"a\":1}"), expected);
        assert_ne!(signature("whsec_l", 1_700_000_000, b"{\"a\":1}"), expected);
    }

    #[test]
    fn secrets_are_fresh() {
        let a = new_secret().unwrap();
        let b = new_secret().unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with(SECRET_PREFIX));
        assert_eq!(a.len(), SECRET_PREFIX.len() + 64);
    }
}
