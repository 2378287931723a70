//! Decimal numbers as SCORM writes them, without the standard library's
//! float parsing and formatting.
//!
//! `str::parse::<f64>` and `Display for f64` bring tens of kilobytes of
//! tables and algorithms into the wasm module. SCORM numbers never need
//! them: they are plain decimals (`-12.5`, `.75`, `100`), no exponent, and
//! the LMS only ever writes back values rounded to 7 fractional digits
//! (real(10,7)). So the engine parses and prints them here.

/// Parse a plain decimal: an optional sign, digits, and optionally `.` and
/// digits, with at least one digit in all (`85`, `-3.25`, `.5`, `5.`).
/// `allow_plus` accepts a leading `+`. Returns `None` for anything else,
/// including exponents, spaces, and values too long to mean anything (more
/// than 64 characters).
pub fn parse_decimal(s: &str, allow_plus: bool) -> Option<f64> {
    if s.is_empty() || s.len() > 64 {
        return None;
    }
    let bytes = s.as_bytes();
    let (neg, rest) = match bytes[0] {
        b'-' => (true, &bytes[1..]),
        b'+' if allow_plus => (false, &bytes[1..]),
        _ => (false, bytes),
    };
    let mut mantissa: u64 = 0;
    let mut digits = 0usize; // significant digits kept in `mantissa`
    let mut scale: i32 = 0; // value = mantissa * 10^scale
    let mut seen_digit = false;
    let mut seen_dot = false;
    for &b in rest {
        match b {
            b'0'..=b'9' => {
                seen_digit = true;
                if digits < 18 {
                    if mantissa != 0 || b != b'0' {
                        digits += 1;
                    }
                    mantissa = mantissa * 10 + u64::from(b - b'0');
                    if seen_dot {
                        scale -= 1;
                    }
                } else if !seen_dot {
                    // Beyond 18 significant digits: keep the magnitude only.
                    scale += 1;
                }
            }
            b'.' if !seen_dot => seen_dot = true,
            _ => return None,
        }
    }
    if !seen_digit {
        return None;
    }
    // Dividing by an exact power of ten (exact up to 10^22) rounds correctly
    // for mantissas below 2^53, which covers every real SCORM writes.
    let value = if scale < 0 { mantissa as f64 / pow10(-scale) } else { mantissa as f64 * pow10(scale) };
    Some(if neg { -value } else { value })
}

fn pow10(e: i32) -> f64 {
    let mut r = 1.0f64;
    let mut i = 0;
    while i < e.unsigned_abs() {
        r *= 10.0;
        i += 1;
    }
    if e < 0 {
        1.0 / r
    } else {
        r
    }
}

/// Print `x` with at most `max_frac` fractional digits (rounded half away
/// from zero), no trailing zeros, no exponent: `0.5`, `-12`, `0.1234568`.
/// Non-finite values print as `0`. Magnitudes beyond 9e15 lose their
/// fraction (SCORM reals stop at 10 significant digits anyway).
pub fn format_decimal(x: f64, max_frac: u32) -> String {
    if !x.is_finite() {
        return "0".into();
    }
    let max_frac = max_frac.min(9);
    let scale = pow10(max_frac as i32);
    let neg = x < 0.0;
    let scaled = (x.abs() * scale + 0.5).floor();
    let mut out = String::new();
    if scaled >= 9.0e15 {
        // Too large for exact integer arithmetic: print the integer part.
        let int = x.abs().floor();
        if neg {
            out.push('-');
        }
        push_u64(&mut out, if int >= 1.8e19 { u64::MAX } else { int as u64 });
        return out;
    }
    let n = scaled as u64;
    let unit = scale as u64;
    let (int, mut frac) = (n / unit, n % unit);
    if neg && n != 0 {
        out.push('-');
    }
    push_u64(&mut out, int);
    if frac != 0 {
        let mut width = max_frac;
        while frac % 10 == 0 {
            frac /= 10;
            width -= 1;
        }
        out.push('.');
        let mut digits = [b'0'; 9];
        let mut f = frac;
        let mut i = width as usize;
        while i > 0 {
            i -= 1;
            digits[i] = b'0' + (f % 10) as u8;
            f /= 10;
        }
        for &d in &digits[..width as usize] {
            out.push(d as char);
        }
    }
    out
}

/// The value of 1 to 19 ASCII digits (no sign, no blanks); `None` for
/// anything else. Smaller in wasm than `str::parse`, for strings whose
/// digits the caller has checked anyway.
pub fn parse_digits(s: &str) -> Option<u64> {
    if s.is_empty() || s.len() > 19 {
        return None;
    }
    let mut v = 0u64;
    for b in s.bytes() {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u64::from(b - b'0');
    }
    Some(v)
}

/// `s.parse::<u16>()`, exactly (an optional `+`, then digits, leading
/// zeros allowed, at most 65535), without the generic integer parser.
pub fn parse_u16(s: &str) -> Option<u16> {
    let digits = s.strip_prefix('+').unwrap_or(s);
    if digits.is_empty() {
        return None;
    }
    let mut v = 0u32;
    for b in digits.bytes() {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(b - b'0');
        if v > u32::from(u16::MAX) {
            return None;
        }
    }
    Some(v as u16)
}

/// Append the decimal digits of `n` to `out` (no `core::fmt`).
pub fn push_u64(out: &mut String, n: u64) {
    push_u64_padded(out, n, 0);
}

/// Append the decimal digits of `n` to `out`, with leading zeros up to
/// `width` digits: `format!("{n:0width$}")` for unsigned `n` (no
/// `core::fmt`).
pub fn push_u64_padded(out: &mut String, mut n: u64, width: usize) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for _ in buf.len() - i..width {
        out.push('0');
    }
    for &b in &buf[i..] {
        out.push(b as char);
    }
}

/// The decimal digits of `n`: `n.to_string()` without `core::fmt`, for
/// any unsigned integer widened to `u64`.
pub fn dec(n: u64) -> String {
    let mut out = String::new();
    push_u64(&mut out, n);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn parse_digits_matches_str_parse_on_plain_digits() {
        for s in ["0", "7", "00", "59", "0099", "1234567890", "9999999999999999999"] {
            assert_eq!(super::parse_digits(s), s.parse::<u64>().ok(), "{s}");
        }
        for bad in ["", "+1", "-1", " 1", "1 ", "1.5", "١", "99999999999999999999"] {
            assert_eq!(super::parse_digits(bad), None, "{bad}");
        }
    }

    #[test]
    fn parse_u16_matches_str_parse() {
        for s in ["", "0", "+0", "-0", "+", "-", "++1", "101", "0101", "000000000000000000000000000401", "65535", "65536", "99999999999", " 1", "1 ", "1.0", "+-1", "x", "١٠١", "4e2"] {
            assert_eq!(super::parse_u16(s), s.parse::<u16>().ok(), "{s:?}");
        }
        for n in 0..=70_000u32 {
            let s = n.to_string();
            assert_eq!(super::parse_u16(&s), s.parse::<u16>().ok(), "{s}");
        }
    }

    use super::*;

    #[test]
    fn parses_what_scorm_writes() {
        assert_eq!(parse_decimal("0.7", false), Some(0.7));
        assert_eq!(parse_decimal("0.1", false), Some(0.1));
        for (s, want) in [
            ("85", 85.0),
            ("-3.25", -3.25),
            (".5", 0.5),
            ("5.", 5.0),
            ("0", 0.0),
            ("-0", 0.0),
            ("100.0000000", 100.0),
            ("0.0000001", 1e-7),
            ("123456789012345678901234", 1.2345678901234568e23),
            ("-1.000000000000000000001", -1.0),
        ] {
            let got = parse_decimal(s, false).unwrap_or_else(|| panic!("{s} rejected"));
            assert!((got - want).abs() <= want.abs() * 1e-15, "{s}: {got} != {want}");
        }
        assert_eq!(parse_decimal("+1", true), Some(1.0));
    }

    #[test]
    fn rejects_everything_else() {
        for s in ["", "-", ".", "+1", "1e5", " 1", "1 ", "1..2", "1.2.3", "0x10", "NaN", "inf", "１", "--1"] {
            assert_eq!(parse_decimal(s, false), None, "{s:?} accepted");
        }
        assert_eq!(parse_decimal(&"1".repeat(65), false), None);
    }

    #[test]
    fn agrees_with_std_on_many_values() {
        let mut seed = 12345u64;
        for _ in 0..20_000 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let int = (seed >> 40) % 100_000;
            let frac = (seed >> 8) % 10_000_000;
            let s = format!("{}{int}.{frac:07}", if seed & 1 == 1 { "-" } else { "" });
            let ours = parse_decimal(&s, false).unwrap();
            let std: f64 = s.parse().unwrap();
            assert_eq!(ours, std, "{s}: correctly rounded");
            let mut expect = format!("{std:.7}").trim_end_matches('0').trim_end_matches('.').to_string();
            if expect == "-0" {
                expect = "0".into();
            }
            assert_eq!(format_decimal(ours, 7), expect, "{s}");
        }
    }

    #[test]
    fn dec_and_push_u64_padded_match_display() {
        for n in [0u64, 7, 9, 10, 99, 100, 65_535, 1_234_567_890, u64::MAX] {
            assert_eq!(dec(n), n.to_string());
            for width in [0usize, 1, 2, 4, 20, 30] {
                let mut s = String::from("x");
                push_u64_padded(&mut s, n, width);
                assert_eq!(s, format!("x{n:0width$}"), "{n} {width}");
            }
        }
    }

    #[test]
    fn formats_without_trailing_zeros() {
        for (x, want) in [
            (0.5, "0.5"),
            (-12.0, "-12"),
            (0.12345678, "0.1234568"),
            (1e-8, "0"),
            (-1e-8, "0"),
            (100.0, "100"),
            (0.1 + 0.2, "0.3"),
            (f64::NAN, "0"),
        ] {
            assert_eq!(format_decimal(x, 7), want, "{x}");
        }
        assert_eq!(format_decimal(1e300, 7), u64::MAX.to_string(), "saturates instead of printing 300 digits");
        assert_eq!(format_decimal(-123456789.5, 0), "-123456790");
    }
}
