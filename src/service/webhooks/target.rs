//! Where deliveries may go: a receiver must be a public address unless the
//! operator allows internal ones (`serve --webhook-allow-private`), so an
//! exporter's token cannot make the server probe or call services on its
//! own network (loopback, private ranges, link-local such as a cloud
//! metadata endpoint). Checked when a subscription is created (for IP
//! literals and `localhost`) and before every attempt (for every address
//! the host resolves to).

use std::net::{IpAddr, ToSocketAddrs};

/// True for an address on the server's own host or network: loopback,
/// private (RFC 1918, IPv6 unique local), link-local, unspecified,
/// broadcast, shared (100.64/10), and IPv4-mapped forms of those.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || (a == 100 && (64..128).contains(&b))
                || a == 0
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_internal(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
        }
    }
}

/// Why a host named in a URL is internal, `None` when it is not (or is a
/// name to resolve later). `host` as `http::Uri` gives it (IPv6 in
/// brackets).
pub fn literal_internal(host: &str) -> Option<String> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let lower = bare.to_ascii_lowercase();
    if lower == "localhost" || lower.ends_with(".localhost") {
        return Some(format!("{host} is this host"));
    }
    match bare.parse::<IpAddr>() {
        Ok(ip) if is_internal(ip) => Some(format!("{ip} is an internal address")),
        _ => None,
    }
}

/// Resolves `url`'s host (blocking) and refuses it when any address is
/// internal.
///
/// # Errors
/// The reason, for the delivery log.
pub fn check_resolved(url: &str) -> Result<(), String> {
    let uri: http::Uri = url.parse().map_err(|e| format!("{url}: {e}"))?;
    let host = uri.host().ok_or_else(|| format!("{url}: no host"))?;
    let port = uri
        .port_u16()
        .unwrap_or(if uri.scheme_str() == Some("https") {
            443
        } else {
            80
        });
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let addrs = (bare, port)
        .to_socket_addrs()
        .map_err(|e| format!("{host}: {e}"))?;
    for a in addrs {
        if is_internal(a.ip()) {
            return Err(format!(
                "refused: {host} resolves to the internal address {} (serve --webhook-allow-private allows it)",
                a.ip()
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
        ] {
            assert!(is_internal(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["8.8.8.8", "93.184.216.34", "2606:4700::1111", "100.128.0.1"] {
            assert!(!is_internal(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn literals_and_resolved_names() {
        assert!(literal_internal("localhost").is_some());
        assert!(literal_internal("api.localhost").is_some());
        assert!(literal_internal("[::1]").is_some());
        assert!(literal_internal("127.0.0.1").is_some());
        assert!(literal_internal("erp.example.com").is_none());
        assert!(literal_internal("8.8.8.8").is_none());
        let e = check_resolved("http://localhost:9/hook").unwrap_err();
        assert!(e.contains("internal address"), "{e}");
        let e = check_resolved("http://127.0.0.1:9/hook").unwrap_err();
        assert!(e.contains("--webhook-allow-private"), "{e}");
        assert!(check_resolved("https://93.184.216.34/hook").is_ok());
    }
}
