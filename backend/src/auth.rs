//! Registration-scoped credentials: a compact JWS with HS256 (a JWT,
//! RFC 7515/7519) that the LMS issues at launch and the page passes as
//! `Authorization: Bearer <token>`. Claims: `sub` learner, `reg`
//! registration, `crs` course, `iat` issued at, `exp` expiry (seconds since
//! the epoch). docs/PROTOCOL.md, "Authentication and CSRF".
//!
//! The check is strict: exactly three base64url parts without padding, a
//! header whose `alg` is `HS256` (no `none`, no other algorithm, no
//! `crit`), the signature compared in constant time before the payload is
//! read, every claim present with the right type, `exp` in the future and
//! `iat`/`nbf` not in the future (60 s of clock skew allowed).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Shortest secret accepted, in bytes (HS256 wants a key of at least the
/// hash's size).
pub const MIN_SECRET: usize = 32;
/// Longest token looked at.
pub const MAX_TOKEN: usize = 4096;
/// Clock skew allowed between the LMS and the backend, seconds.
pub const LEEWAY_S: u64 = 60;

/// The authority a valid token grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    pub learner: String,
    pub registration: String,
    pub course: String,
    pub iat: u64,
    pub exp: u64,
}

/// Why a request is not authenticated (all answered 401).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthError {
    /// No `Authorization: Bearer` header.
    Missing,
    /// Not a well-formed HS256 JWT with the required claims.
    Malformed,
    /// The signature does not match.
    BadSignature,
    /// `exp` has passed.
    Expired,
    /// `iat` or `nbf` lies in the future.
    NotYetValid,
}

impl AuthError {
    /// The `error` code of the 401 answer.
    pub fn code(self) -> &'static str {
        match self {
            AuthError::Missing => "token_missing",
            AuthError::Malformed => "token_malformed",
            AuthError::BadSignature => "token_invalid",
            AuthError::Expired => "token_expired",
            AuthError::NotYetValid => "token_not_yet_valid",
        }
    }
}

/// Signs and checks tokens with one shared secret.
pub struct Keys {
    secret: Vec<u8>,
}

impl Keys {
    pub fn new(secret: &[u8]) -> Result<Keys, String> {
        if secret.len() < MIN_SECRET {
            return Err(format!("the auth secret must be at least {MIN_SECRET} bytes"));
        }
        Ok(Keys { secret: secret.to_vec() })
    }

    fn mac(&self) -> HmacSha256 {
        // Any key length is accepted by HMAC.
        HmacSha256::new_from_slice(&self.secret).expect("HMAC takes keys of any length")
    }

    /// A token for `claims` (the dev token endpoint and tests).
    pub fn mint(&self, c: &Claims) -> String {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let payload = json!({"sub": c.learner, "reg": c.registration, "crs": c.course, "iat": c.iat, "exp": c.exp});
        let payload = URL_SAFE_NO_PAD.encode(payload.to_string().as_bytes());
        let signing_input = format!("{header}.{payload}");
        let mut mac = self.mac();
        mac.update(signing_input.as_bytes());
        let sig = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        format!("{signing_input}.{sig}")
    }

    /// Check `token` at time `now_s`.
    pub fn verify(&self, token: &str, now_s: u64) -> Result<Claims, AuthError> {
        if token.len() > MAX_TOKEN {
            return Err(AuthError::Malformed);
        }
        let mut parts = token.split('.');
        let (Some(h), Some(p), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Err(AuthError::Malformed);
        };
        let decode = |x: &str| {
            if x.is_empty() {
                return Err(AuthError::Malformed);
            }
            URL_SAFE_NO_PAD.decode(x).map_err(|_| AuthError::Malformed)
        };
        let header: Value = serde_json::from_slice(&decode(h)?).map_err(|_| AuthError::Malformed)?;
        if header.get("alg").and_then(Value::as_str) != Some("HS256")
            || header.get("crit").is_some()
            || header.get("typ").is_some_and(|t| t.as_str().is_none_or(|t| !t.eq_ignore_ascii_case("JWT")))
        {
            return Err(AuthError::Malformed);
        }
        let sig = decode(s)?;
        let mut mac = self.mac();
        mac.update(&token.as_bytes()[..h.len() + 1 + p.len()]);
        mac.verify_slice(&sig).map_err(|_| AuthError::BadSignature)?;
        let claims: Value = serde_json::from_slice(&decode(p)?).map_err(|_| AuthError::Malformed)?;
        let text = |k: &str| match claims.get(k).and_then(Value::as_str) {
            Some(v) if !v.is_empty() => Ok(v.to_owned()),
            _ => Err(AuthError::Malformed),
        };
        let time = |k: &str| match claims.get(k) {
            None => Ok(None),
            Some(v) => v.as_u64().or_else(|| v.as_f64().filter(|f| *f >= 0.0 && f.is_finite()).map(|f| f as u64)).map(Some).ok_or(AuthError::Malformed),
        };
        let exp = time("exp")?.ok_or(AuthError::Malformed)?;
        let iat = time("iat")?.ok_or(AuthError::Malformed)?;
        if exp.saturating_add(LEEWAY_S) <= now_s {
            return Err(AuthError::Expired);
        }
        if iat > now_s.saturating_add(LEEWAY_S) || time("nbf")?.is_some_and(|n| n > now_s.saturating_add(LEEWAY_S)) {
            return Err(AuthError::NotYetValid);
        }
        Ok(Claims { learner: text("sub")?, registration: text("reg")?, course: text("crs")?, iat, exp })
    }
}

/// The token of an `Authorization: Bearer <token>` header value.
pub fn bearer(value: Option<&str>) -> Result<&str, AuthError> {
    let v = value.ok_or(AuthError::Missing)?.trim();
    let (scheme, token) = v.split_once(' ').ok_or(AuthError::Missing)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(AuthError::Missing);
    }
    Ok(token.trim())
}

pub fn now_s() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_767_225_600;

    fn keys() -> Keys {
        Keys::new(b"0123456789abcdef0123456789abcdef").unwrap()
    }

    fn claims() -> Claims {
        Claims { learner: "l".into(), registration: "r".into(), course: "c".into(), iat: NOW, exp: NOW + 3600 }
    }

    fn forge(header: &str, payload: &str, k: &Keys) -> String {
        let input = format!("{}.{}", URL_SAFE_NO_PAD.encode(header), URL_SAFE_NO_PAD.encode(payload));
        let mut mac = k.mac();
        mac.update(input.as_bytes());
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()))
    }

    #[test]
    fn round_trip() {
        let k = keys();
        assert_eq!(k.verify(&k.mint(&claims()), NOW + 10), Ok(claims()));
    }

    #[test]
    fn short_secrets_are_refused() {
        assert!(Keys::new(b"short").is_err());
    }

    #[test]
    fn every_bad_token_is_refused() {
        let k = keys();
        let good = k.mint(&claims());
        let other = Keys::new(b"another secret of thirty-two bytes!").unwrap().mint(&claims());
        assert_eq!(k.verify(&other, NOW), Err(AuthError::BadSignature));
        // A changed payload with the old signature.
        let parts: Vec<&str> = good.split('.').collect();
        let evil = URL_SAFE_NO_PAD.encode(br#"{"sub":"admin","reg":"r","crs":"c","iat":1767225600,"exp":1767229200}"#);
        assert_eq!(k.verify(&format!("{}.{evil}.{}", parts[0], parts[2]), NOW), Err(AuthError::BadSignature));
        // alg none, another algorithm, crit, typ.
        let payload = r#"{"sub":"l","reg":"r","crs":"c","iat":1767225600,"exp":1767229200}"#;
        for header in [r#"{"alg":"none"}"#, r#"{"alg":"HS512"}"#, r#"{"alg":"hs256"}"#, r#"{"alg":"HS256","crit":["x"]}"#, r#"{"alg":"HS256","typ":"other"}"#, "[]", "x"] {
            assert_eq!(k.verify(&forge(header, payload, &k), NOW), Err(AuthError::Malformed), "{header}");
        }
        let none = format!("{}.{}.", URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#), URL_SAFE_NO_PAD.encode(payload));
        assert_eq!(k.verify(&none, NOW), Err(AuthError::Malformed));
        // Missing or mistyped claims.
        for p in [
            r#"{"reg":"r","crs":"c","iat":1767225600,"exp":1767229200}"#,
            r#"{"sub":"","reg":"r","crs":"c","iat":1767225600,"exp":1767229200}"#,
            r#"{"sub":"l","reg":7,"crs":"c","iat":1767225600,"exp":1767229200}"#,
            r#"{"sub":"l","reg":"r","iat":1767225600,"exp":1767229200}"#,
            r#"{"sub":"l","reg":"r","crs":"c","exp":1767229200}"#,
            r#"{"sub":"l","reg":"r","crs":"c","iat":1767225600}"#,
            r#"{"sub":"l","reg":"r","crs":"c","iat":1767225600,"exp":"soon"}"#,
        ] {
            assert_eq!(k.verify(&forge(r#"{"alg":"HS256"}"#, p, &k), NOW), Err(AuthError::Malformed), "{p}");
        }
        // Shape.
        for t in ["", "a", "a.b", "a.b.c.d", "..", &format!("{good}="), &format!("{good}.x"), &"a".repeat(MAX_TOKEN + 1)] {
            assert!(k.verify(t, NOW).is_err(), "{t}");
        }
        // Time.
        let mut c = claims();
        c.exp = NOW - LEEWAY_S - 1;
        assert_eq!(k.verify(&k.mint(&c), NOW), Err(AuthError::Expired));
        let mut c = claims();
        c.iat = NOW + LEEWAY_S + 5;
        assert_eq!(k.verify(&k.mint(&c), NOW), Err(AuthError::NotYetValid));
        let nbf = forge(r#"{"alg":"HS256"}"#, r#"{"sub":"l","reg":"r","crs":"c","iat":1767225600,"exp":1767229200,"nbf":1767229000}"#, &k);
        assert_eq!(k.verify(&nbf, NOW), Err(AuthError::NotYetValid));
    }

    #[test]
    fn bearer_header() {
        assert_eq!(bearer(Some("Bearer abc")), Ok("abc"));
        assert_eq!(bearer(Some("bearer  abc ")), Ok("abc"));
        assert_eq!(bearer(Some("Basic abc")), Err(AuthError::Missing));
        assert_eq!(bearer(Some("Bearer")), Err(AuthError::Missing));
        assert_eq!(bearer(None), Err(AuthError::Missing));
    }
}
