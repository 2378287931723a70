//! The data types of the SCORM 2004 4th Ed. run-time data model
//! (RTE §4.1.1 "Data Model Data Types" and §4.2.9 for the interaction
//! response formats). Every checker returns `Err(code)` with the SCORM error
//! code to report: 406 (type mismatch) or 407 (value out of range).
//!
//! Smallest permitted maximums (SPM) are recorded in the element table; an
//! LMS may store more, and this one does (the ADL test suite checks that
//! values past the SPM are kept), so SPMs are not rejection limits here.

/// Type mismatch.
pub const MISMATCH: u16 = 406;
/// Value out of range.
pub const RANGE: u16 = 407;

/// `real(10,7)`: a decimal number, optional leading `-`, digits with an
/// optional fraction. No exponent, no `+`, no surrounding blanks.
pub fn parse_real(s: &str) -> Option<f64> {
    let body = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    let ok = match frac {
        Some(f) => digits(int) && digits(f) && !(int.is_empty() && f.is_empty()),
        None => !int.is_empty() && digits(int),
    };
    if !ok || s.len() > 64 {
        return None;
    }
    crate::engine::num::parse_decimal(s, false).filter(|v| v.is_finite())
}

/// A real within `[min, max]` (either bound optional).
pub fn check_real(s: &str, min: Option<f64>, max: Option<f64>) -> Result<(), u16> {
    let v = parse_real(s).ok_or(MISMATCH)?;
    if min.is_some_and(|m| v < m) || max.is_some_and(|m| v > m) {
        return Err(RANGE);
    }
    Ok(())
}

/// The value of exactly `n` (at most 9) ASCII digits.
fn all_digits(s: &str, n: usize) -> Option<u32> {
    if s.len() == n {
        crate::engine::num::parse_digits(s).map(|v| v as u32)
    } else {
        None
    }
}

/// `time(second,10,0)`: `YYYY[-MM[-DD[Thh[:mm[:ss[.s[TZD]]]]]]]`, year
/// 1970–2038; each part only after the one before it, so a time zone
/// designator (`Z`, `±hh`, `±hh:mm`) only follows fractional seconds.
pub fn check_time(s: &str) -> Result<(), u16> {
    if s.is_ascii() {
        check_time_ascii(s).ok_or(MISMATCH)
    } else {
        Err(MISMATCH)
    }
}

fn check_time_ascii(s: &str) -> Option<()> {
    let year = all_digits(s.get(0..4)?, 4)?;
    if !(1970..=2038).contains(&year) {
        return None;
    }
    let mut rest = s.get(4..)?;
    if rest.is_empty() {
        return Some(());
    }
    // -MM
    rest = rest.strip_prefix('-')?;
    let month = all_digits(rest.get(0..2)?, 2)?;
    if !(1..=12).contains(&month) {
        return None;
    }
    rest = rest.get(2..)?;
    if rest.is_empty() {
        return Some(());
    }
    rest = rest.strip_prefix('-')?;
    let day = all_digits(rest.get(0..2)?, 2)?;
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days_in_month = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if day < 1 || day > days_in_month {
        return None;
    }
    rest = rest.get(2..)?;
    if rest.is_empty() {
        return Some(());
    }
    rest = rest.strip_prefix('T')?;
    let hour = all_digits(rest.get(0..2)?, 2)?;
    if hour > 23 {
        return None;
    }
    rest = rest.get(2..)?;
    // :mm, :ss, .s, then the time zone, each only after the one before.
    for _ in 0..2 {
        let Some(r) = rest.strip_prefix(':') else { return rest.is_empty().then_some(()) };
        if all_digits(r.get(0..2)?, 2)? > 59 {
            return None;
        }
        rest = r.get(2..)?;
    }
    let Some(r) = rest.strip_prefix('.') else { return rest.is_empty().then_some(()) };
    let n = r.bytes().take_while(u8::is_ascii_digit).count();
    if !(1..=2).contains(&n) {
        return None;
    }
    check_tzd(r.get(n..)?)
}

fn check_tzd(s: &str) -> Option<()> {
    if s.is_empty() || s == "Z" {
        return Some(());
    }
    let r = s.strip_prefix('+').or_else(|| s.strip_prefix('-'))?;
    let h = all_digits(r.get(0..2)?, 2)?;
    if h > 23 {
        return None;
    }
    let r = r.get(2..)?;
    if r.is_empty() {
        return Some(());
    }
    let m = all_digits(r.strip_prefix(':')?, 2)?;
    (m <= 59).then_some(())
}

/// `timeinterval(second,10,2)`: ISO 8601 duration
/// `P[yY][mM][dD][T[hH][mM][s[.s]S]]` with at least one component; returns
/// the length in hundredths of a second (years as 365 days, months as 30).
pub fn parse_interval(s: &str) -> Option<u128> {
    let rest = s.strip_prefix('P')?;
    if rest.is_empty() || !rest.is_ascii() {
        return None;
    }
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) => {
            if t.is_empty() {
                return None;
            }
            (d, Some(t))
        }
        None => (rest, None),
    };
    // No sum below can overflow: each number has at most 12 digits and the
    // largest unit (a year) is under 2^32 hundredths, so every term is under
    // 2^72 and there are at most six.
    let mut total: u128 = 0;
    let mut parts = 0;
    // Date part: designators Y, M, D in this order.
    const DATE_UNITS: [(u8, u128); 3] = [(b'Y', 365 * 86400 * 100), (b'M', 30 * 86400 * 100), (b'D', 86400 * 100)];
    if !take_units(date, &DATE_UNITS, &mut total, &mut parts)?.is_empty() {
        return None;
    }
    if let Some(t) = time {
        let mut tparts = 0;
        let cur = take_units(t, &[(b'H', 3600 * 100), (b'M', 60 * 100)], &mut total, &mut tparts)?;
        if !cur.is_empty() {
            let body = cur.strip_suffix('S')?;
            // (A byte search: see `find_delim` on why not `str::contains`.)
            let (i, f, dot) = match body.split_once('.') {
                Some((i, f)) => (i, f, true),
                None => (body, "", false),
            };
            if i.is_empty() || i.len() > 12 || !i.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            if dot && !(1..=2).contains(&f.len()) || !f.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let secs = digits_value(i)?;
            let hund = match f.len() {
                0 => 0,
                1 => digits_value(f)? * 10,
                _ => digits_value(f)?,
            };
            total += secs * 100 + hund;
            tparts += 1;
        }
        if tparts == 0 {
            return None;
        }
        parts += tparts;
    }
    (parts > 0).then_some(total)
}

/// Read `<digits><unit>` components of `units`, in their order, each
/// optional, adding their hundredths to `total` and counting them in
/// `parts`; returns what follows.
fn take_units<'a>(mut cur: &'a str, units: &[(u8, u128)], total: &mut u128, parts: &mut u32) -> Option<&'a str> {
    for &(unit, cs) in units {
        let n = cur.bytes().take_while(u8::is_ascii_digit).count();
        if n > 0 && cur.as_bytes().get(n) == Some(&unit) {
            *total += digits_value(cur.get(..n)?)? * cs;
            cur = cur.get(n + 1..)?;
            *parts += 1;
        }
    }
    Some(cur)
}

/// The value of a string of at most 12 ASCII digits (`None` otherwise).
/// Hand-written rather than `str::parse::<u128>` for code size.
fn digits_value(s: &str) -> Option<u128> {
    if s.len() > 12 {
        return None;
    }
    crate::engine::num::parse_digits(s).map(u128::from)
}

/// Append the decimal digits of `n` (without `u128`'s `Display`, which is
/// large in wasm, nor `u128` division, which needs a library routine: the
/// number is divided by 10 in 32-bit limbs with native 64-bit arithmetic).
fn push_decimal(out: &mut String, mut n: u128) {
    let mut buf = [0u8; 40];
    let mut i = buf.len();
    loop {
        let (mut q, mut r) = (0u128, 0u64);
        for shift in [96u32, 64, 32, 0] {
            let cur = (r << 32) | u64::from((n >> shift) as u32);
            q |= u128::from(cur / 10) << shift;
            r = cur % 10;
        }
        i -= 1;
        buf[i] = b'0' + r as u8;
        n = q;
        if n == 0 {
            break;
        }
    }
    for &b in &buf[i..] {
        out.push(char::from(b));
    }
}

/// Format hundredths of a second as a canonical duration, e.g. `PT1H2M3.5S`,
/// `P29D`; zero is `PT0H0M0S`.
pub fn format_interval(cs: u128) -> String {
    if cs == 0 {
        return "PT0H0M0S".to_owned();
    }
    let days = cs / (86400 * 100);
    let rem = cs % (86400 * 100);
    let (h, m, s, f) = (rem / 360000, rem / 6000 % 60, rem / 100 % 60, rem % 100);
    let mut out = String::from("P");
    if days > 0 {
        push_decimal(&mut out, days);
        out.push('D');
    }
    if rem > 0 {
        out.push('T');
        if h > 0 {
            push_decimal(&mut out, h);
            out.push('H');
        }
        if m > 0 {
            push_decimal(&mut out, m);
            out.push('M');
        }
        if s > 0 || f > 0 {
            push_decimal(&mut out, s);
            if f > 0 {
                // Two decimals, trailing zero dropped: .05, .5, .55
                out.push('.');
                push_decimal(&mut out, f / 10);
                if f % 10 != 0 {
                    push_decimal(&mut out, f % 10);
                }
            }
            out.push('S');
        }
    }
    out
}

/// `long_identifier_type` (a URI, RFC 3986; SPM 4000) and
/// `short_identifier_type` (SPM 250): not empty, no white space or
/// characters that cannot appear in a URI, and a well-formed URN when it
/// starts with `urn:`.
pub fn check_identifier(s: &str) -> Result<(), u16> {
    if s.is_empty()
        || s.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | '{' | '}' | '|' | '\\' | '^' | '`' | '[' | ']'))
    {
        return Err(MISMATCH);
    }
    if s.len() >= 4 && s.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("urn:")) {
        let rest = s.get(4..).ok_or(MISMATCH)?;
        let (nid, nss) = rest.split_once(':').ok_or(MISMATCH)?;
        let nid_ok = !nid.is_empty()
            && nid.len() <= 31
            && !nid.starts_with('-')
            && nid.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !nid_ok || nss.is_empty() {
            return Err(MISMATCH);
        }
    }
    Ok(())
}

/// ISO 639-1 two-letter language codes, sorted and concatenated (from the
/// ISO 639-2 table, plus "mo", withdrawn in 2008 but valid for RFC 3066,
/// which SCORM 2004 references).
const ISO639_1: &str = "aaabaeafakamanarasavayazbabebgbhbibmbnbobrbscacechcocrcscucvcydadedvdzeeeleneoeseteufafffifjfofr\
fygagdglgngugvhahehihohrhthuhyhziaidieigiiikioisitiujajvkakgkikjkkklkmknkokrkskukvkwkylalblgliln\
loltlulvmgmhmimkmlmnmomrmsmtmynanbndnengnlnnnonrnvnyocojomorospapiplpsptqurmrnrorurwsascsdsesgsi\
skslsmsnsosqsrssstsusvswtatetgthtitktltntotrtstttwtyugukuruzvevivowawoxhyiyozazhzu";

/// ISO 639-2 three-letter codes (terminology and bibliographic), sorted and
/// concatenated, plus the withdrawn "mol", "scc", "scr" (see above).
const ISO639_2: &str = "aarabkaceachadaadyafaafhafrainakaakkalbalealgaltamhanganpapaaraarcargarmarnarpartarwasmastathaus\
avaaveawaaymazebadbaibakbalbambanbaqbasbatbejbelbembenberbhobihbikbinbisblabntbodbosbrabrebtkbua\
bugbulburbyncadcaicarcatcaucebcelceschachbchechgchichkchmchnchochpchrchuchvchycmccnrcopcorcoscpe\
cpfcppcrecrhcrpcsbcuscymczedakdandardaydeldendeudgrdindivdoidradsbduadumdutdyudzoefiegyekaellelx\
engenmepoesteuseweewofanfaofasfatfijfilfinfiufonfrafrefrmfrofrrfrsfryfulfurgaagaygbagemgeogergez\
gilglagleglgglvgmhgohgongorgotgrbgrcgregrngswgujgwihaihathauhawhebherhilhimhinhithmnhmohrvhsbhun\
huphyeibaiboiceidoiiiijoikuileiloinaincindineinhipkirairoislitajavjbojpnjprjrbkaakabkackalkamkan\
karkaskatkaukawkazkbdkhakhikhmkhokikkinkirkmbkokkomkonkorkoskpekrckrlkrokrukuakumkurkutladlahlam\
laolatlavlezlimlinlitlollozltzlualublugluilunluolusmacmadmagmahmaimakmalmanmaomapmarmasmaymdfmdr\
menmgamicminmismkdmkhmlgmltmncmnimnomohmolmonmosmrimsamulmunmusmwlmwrmyamynmyvnahnainapnaunavnbl\
ndendondsnepnewnianicniunldnnonobnognonnornqonsonubnwcnyanymnynnyonziociojioriormosaossotaotopaa\
pagpalpampanpappaupeoperphiphnplipolponporprapropusquerajraprarroarohromronrumrunruprussadsagsah\
saisalsamsansassatsccscnscoscrselsemsgasgnshnsidsinsiositslaslksloslvsmasmesmismjsmnsmosmssnasnd\
snksogsomsonsotspasqisrdsrnsrpsrrssasswsuksunsussuxswaswesycsyrtahtaitamtatteltemtertettgktgltha\
tibtigtirtivtkltlhtlitmhtogtontpitsitsntsotuktumtupturtuttvltwityvudmugauigukrumbundurduzbvaiven\
vievolvotwakwalwarwaswelwenwlnwolxalxhoyaoyapyidyorypkzapzblzenzghzhazhozndzulzunzxxzza";

/// Whether `code` (any case) is in a sorted concatenation of `n`-letter codes.
fn in_code_list(list: &str, n: usize, code: &str) -> bool {
    if code.len() != n || !code.bytes().all(|b| b.is_ascii_alphabetic()) {
        return false;
    }
    let code = code.to_ascii_lowercase();
    let count = list.len() / n;
    let (mut lo, mut hi) = (0usize, count);
    while lo < hi {
        let mid = (lo + hi) / 2;
        match list.get(mid * n..mid * n + n).map(|c| c.cmp(code.as_str())) {
            Some(std::cmp::Ordering::Less) => lo = mid + 1,
            Some(std::cmp::Ordering::Greater) => hi = mid,
            Some(std::cmp::Ordering::Equal) => return true,
            None => return false,
        }
    }
    false
}

/// ISO 639-2 reserves `qaa`–`qtz` for local use.
fn is_local_use(code: &str) -> bool {
    let c = code.to_ascii_lowercase();
    c.len() == 3 && c.as_str() >= "qaa" && c.as_str() <= "qtz" && c.bytes().all(|b| b.is_ascii_lowercase())
}

/// A language code (RFC 3066, SCORM's `language_type`): a primary subtag
/// that is an ISO 639-1 or ISO 639-2 code (any case) or `i`/`x`, then
/// subtags of 1–8 letters or digits.
pub fn is_language(s: &str) -> bool {
    let mut parts = s.split('-');
    let first = parts.next().unwrap_or("");
    let first_ok = in_code_list(ISO639_1, 2, first)
        || in_code_list(ISO639_2, 3, first)
        || is_local_use(first)
        || first.eq_ignore_ascii_case("i")
        || first.eq_ignore_ascii_case("x");
    first_ok && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// `language_type`: a language code or the empty string.
pub fn check_language(s: &str) -> Result<(), u16> {
    if s.is_empty() || is_language(s) {
        Ok(())
    } else {
        Err(MISMATCH)
    }
}

/// Split an optional leading `{name=value}` delimiter off `s`.
fn take_delim<'a>(s: &'a str, name: &str) -> Option<(&'a str, &'a str)> {
    let rest = s.strip_prefix('{')?.strip_prefix(name)?.strip_prefix('=')?;
    let end = rest.find('}')?;
    Some((rest.get(..end)?, rest.get(end + 1..)?))
}

/// `localized_string_type`: an optional `{lang=<language>}` delimiter, then
/// the text.
pub fn check_localized(s: &str) -> Result<(), u16> {
    if s.starts_with("{lang=") {
        match take_delim(s, "lang") {
            Some((lang, _)) if is_language(lang) => Ok(()),
            _ => Err(MISMATCH),
        }
    } else {
        Ok(())
    }
}

/// A localized string without its leading `{lang=…}` delimiter (the text
/// its SPM counts); the string itself when it has none.
pub fn strip_lang_delimiter(s: &str) -> &str {
    if s.starts_with("{lang=") {
        if let Some((_, rest)) = take_delim(s, "lang") {
            return rest;
        }
    }
    s
}

/// Which side of an interaction a response string belongs to.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Side {
    /// `cmi.interactions.n.correct_responses.m.pattern`
    Correct,
    /// `cmi.interactions.n.learner_response`
    Learner,
}

// The delimiters of response strings (`[,]`, `[.]`, `[:]`) are found with
// a byte search: `str`'s own substring search (`split`, `split_once`,
// `contains` with a `&str` pattern) is large in wasm and brings the
// slicing panic's formatting and Unicode tables with it. An ASCII
// delimiter always matches at character boundaries.

/// The byte offset of the first `delim` (non-empty, ASCII) in `s`.
fn find_delim(s: &str, delim: &str) -> Option<usize> {
    s.as_bytes().windows(delim.len()).position(|w| w == delim.as_bytes())
}

/// `s.split_once(delim)`.
fn split_once_delim<'a>(s: &'a str, delim: &str) -> Option<(&'a str, &'a str)> {
    let i = find_delim(s, delim)?;
    Some((s.get(..i)?, s.get(i + delim.len()..)?))
}

/// `s.split(delim)`: the items between delimiters (one item for no delimiter).
fn split_list<'a>(s: &'a str, delim: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    let mut rest = Some(s);
    std::iter::from_fn(move || {
        let cur = rest?;
        match split_once_delim(cur, delim) {
            Some((item, tail)) => {
                rest = Some(tail);
                Some(item)
            }
            None => {
                rest = None;
                Some(cur)
            }
        }
    })
}

fn check_bool_delim(v: &str) -> Result<(), u16> {
    if v == "true" || v == "false" {
        Ok(())
    } else {
        Err(MISMATCH)
    }
}

/// Strip the leading `{case_matters=…}` / `{order_matters=…}` delimiters
/// that `allowed` lists, in any order, each at most once.
fn strip_flags<'a>(mut s: &'a str, allowed: &[&str]) -> Result<&'a str, u16> {
    let mut seen = [false; 2];
    loop {
        let mut matched = false;
        for (i, name) in allowed.iter().enumerate() {
            if s.strip_prefix('{').and_then(|r| r.strip_prefix(name)).is_some_and(|r| r.starts_with('=')) {
                let (v, rest) = take_delim(s, name).ok_or(MISMATCH)?;
                if seen[i] {
                    return Err(MISMATCH);
                }
                check_bool_delim(v)?;
                seen[i] = true;
                s = rest;
                matched = true;
            }
        }
        if !matched {
            return Ok(s);
        }
    }
}

/// The interaction types of RTE §4.2.9 (`cmi.interactions.n.type`).
pub const INTERACTION_TYPES: &[&str] = &[
    "true-false",
    "choice",
    "fill-in",
    "long-fill-in",
    "likert",
    "matching",
    "performance",
    "sequencing",
    "numeric",
    "other",
];

/// How many correct response patterns an interaction type may have
/// (`None`: an SPM only, no limit).
pub fn max_correct_responses(kind: &str) -> Option<usize> {
    match kind {
        "true-false" | "likert" | "numeric" | "other" => Some(1),
        _ => None,
    }
}

/// Whether the correct response patterns of this type must differ from
/// each other (RTE §4.2.9.1: choice and sequencing).
pub fn patterns_unique(kind: &str) -> bool {
    matches!(kind, "choice" | "sequencing")
}

fn check_id_list(s: &str, unique: bool, allow_empty: bool) -> Result<(), u16> {
    if s.is_empty() {
        return if allow_empty { Ok(()) } else { Err(MISMATCH) };
    }
    let items: Vec<&str> = split_list(s, "[,]").collect();
    for (i, it) in items.iter().enumerate() {
        check_identifier(it)?;
        if unique && items[..i].contains(it) {
            return Err(MISMATCH);
        }
    }
    Ok(())
}

/// Split `source[.]target` (exactly one `[.]`).
fn split_pair(s: &str) -> Result<(&str, &str), u16> {
    let (a, b) = split_once_delim(s, "[.]").ok_or(MISMATCH)?;
    if find_delim(b, "[.]").is_some() {
        return Err(MISMATCH);
    }
    Ok((a, b))
}

fn check_pairs(s: &str) -> Result<(), u16> {
    for pair in split_list(s, "[,]") {
        let (a, b) = split_pair(pair)?;
        check_identifier(a)?;
        check_identifier(b)?;
    }
    Ok(())
}

fn check_numeric_range(s: &str) -> Result<(), u16> {
    let (lo, hi) = split_once_delim(s, "[:]").ok_or(MISMATCH)?;
    let lo_v = if lo.is_empty() { None } else { Some(parse_real(lo).ok_or(MISMATCH)?) };
    let hi_v = if hi.is_empty() { None } else { Some(parse_real(hi).ok_or(MISMATCH)?) };
    if let (Some(a), Some(b)) = (lo_v, hi_v) {
        if a > b {
            return Err(MISMATCH);
        }
    }
    Ok(())
}

/// Check a response string of an interaction of type `kind`
/// (RTE §4.2.9.1 correct response patterns, §4.2.9.2 learner responses).
pub fn check_response(kind: &str, side: Side, s: &str) -> Result<(), u16> {
    match kind {
        "true-false" => check_bool_delim(s),
        "choice" => check_id_list(s, true, true),
        "fill-in" => {
            let body = if side == Side::Correct { strip_flags(s, &["case_matters", "order_matters"])? } else { s };
            for item in split_list(body, "[,]") {
                check_localized(item)?;
            }
            Ok(())
        }
        "long-fill-in" => {
            let body = if side == Side::Correct { strip_flags(s, &["case_matters"])? } else { s };
            check_localized(body)
        }
        "likert" => check_identifier(s),
        "matching" => check_pairs(s),
        "performance" => {
            let body = if side == Side::Correct { strip_flags(s, &["order_matters"])? } else { s };
            for step in split_list(body, "[,]") {
                let (name, answer) = split_pair(step)?;
                if name.is_empty() && answer.is_empty() {
                    return Err(MISMATCH);
                }
                if !name.is_empty() {
                    check_identifier(name)?;
                }
                if side == Side::Correct && find_delim(answer, "[:]").is_some() {
                    check_numeric_range(answer)?;
                }
            }
            Ok(())
        }
        "sequencing" => check_id_list(s, false, false),
        "numeric" => match side {
            Side::Correct => check_numeric_range(s),
            Side::Learner => parse_real(s).map(|_| ()).ok_or(MISMATCH),
        },
        "other" => Ok(()),
        _ => Err(MISMATCH),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reals() {
        for (s, ok) in [("0", true), ("-1.5", true), ("1.", true), (".5", true), ("", false), ("-", false), ("1e3", false), ("+1", false), (" 1", false), (".", false)] {
            assert_eq!(parse_real(s).is_some(), ok, "{s:?}");
        }
    }

    #[test]
    fn intervals_round_trip() {
        for (s, out) in [("PT1M", "PT1M"), ("PT01H059M020S", "PT1H59M20S"), ("P0Y029DT0H", "P29D"), ("PT0H0M0S", "PT0H0M0S"), ("PT1.5S", "PT1.5S")] {
            assert_eq!(format_interval(parse_interval(s).unwrap()), out);
        }
        // The formatting matches the plain `format!` version of it.
        let reference = |cs: u128| {
            if cs == 0 {
                return "PT0H0M0S".to_string();
            }
            let (days, rem) = (cs / 8_640_000, cs % 8_640_000);
            let (h, m, s, f) = (rem / 360_000, rem / 6000 % 60, rem / 100 % 60, rem % 100);
            let mut out = String::from("P");
            if days > 0 {
                out += &format!("{days}D");
            }
            if rem > 0 {
                out.push('T');
                if h > 0 {
                    out += &format!("{h}H");
                }
                if m > 0 {
                    out += &format!("{m}M");
                }
                if s > 0 || f > 0 {
                    out += &s.to_string();
                    if f > 0 {
                        out += ".";
                        out += format!("{f:02}").trim_end_matches('0');
                    }
                    out.push('S');
                }
            }
            out
        };
        for cs in [0, 1, 5, 10, 50, 99, 100, 12_345, 360_000, 8_639_999, 8_640_000, 8_640_001, u128::from(u64::MAX), u128::MAX] {
            assert_eq!(format_interval(cs), reference(cs), "{cs}");
        }
        // The largest value: every component with 12 digits (no overflow).
        let max = 999_999_999_999u128;
        let big = max * (365 + 30 + 1) * 8_640_000 + max * 360_000 + max * 6000 + max * 100 + 99;
        assert_eq!(parse_interval("P999999999999Y999999999999M999999999999DT999999999999H999999999999M999999999999.99S"), Some(big));
        assert_eq!(parse_interval("P1Y2M3DT4H5M6.7S"), Some(((365 + 60 + 3) * 86400 + 4 * 3600 + 5 * 60 + 6) * 100 + 70));
        for bad in ["P", "PT", "T1H", "P1H", "PT1.123S", "PT1D", "1M", "P-1D", "P1234567890123D", "PT1234567890123S"] {
            assert!(parse_interval(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn times() {
        for (s, ok) in [("2003", true), ("2003-07-25T03:00:00", true), ("2003-07-25T03:00:00.5Z", true), ("1969", false), ("2003-13", false), ("2003-02-30", false), ("2003-07-25T24", false), ("2003-07-25T03:00:00.123", false), ("2003-07-25T03:00+05:00", false), ("2003-07-25T03:00:00.1+05:00", true), ("2003-07-25T03:00:00Z", false)] {
            assert_eq!(check_time(s).is_ok(), ok, "{s}");
        }
    }

    #[test]
    fn language_codes() {
        for ok in ["en", "EN", "eng", "en-US", "i-klingon", "x-private", "sgn-BE-fr", "de-1901", "mo", "scc", "zh-min-nan", "qab", "qtz-x"] {
            assert!(is_language(ok), "{ok}");
        }
        for bad in ["", "sp", "frl", "exg", "ruq-JM", "e", "english", "en-", "en-toolongsubtag", "qua", "é"] {
            assert!(!is_language(bad), "{bad}");
        }
        assert!(check_localized("{lang=}x").is_err());
        assert!(check_localized("{lang=fr}x").is_ok());
        assert!(check_localized("no delimiter").is_ok());
    }

    #[test]
    fn delimiter_search_matches_str_methods() {
        for s in ["", "a", "[,]", "a[,]b", "[,]a[,]", "a[,][,]b", "é[,]ü[.]x", "[,[,]]", "[", "a[.]b[.]c"] {
            for d in ["[,]", "[.]", "[:]"] {
                assert_eq!(split_list(s, d).collect::<Vec<_>>(), s.split(d).collect::<Vec<_>>(), "{s} / {d}");
                assert_eq!(split_once_delim(s, d), s.split_once(d), "{s} / {d}");
                assert_eq!(find_delim(s, d), s.find(d), "{s} / {d}");
            }
        }
    }

    #[test]
    fn identifiers_and_responses() {
        assert!(check_identifier("urn:adl:lmsTest/OBJ01").is_ok());
        assert!(check_identifier("urn:").is_err());
        assert!(check_identifier("a b").is_err());
        assert!(check_response("choice", Side::Correct, "a[,]b").is_ok());
        assert!(check_response("choice", Side::Correct, "a[,]a").is_err());
        assert!(check_response("numeric", Side::Correct, "1[:]2").is_ok());
        assert!(check_response("numeric", Side::Correct, "2[:]1").is_err());
        assert!(check_response("fill-in", Side::Correct, "{case_matters=true}{lang=en}x").is_ok());
        assert!(check_response("fill-in", Side::Correct, "{case_matters=yes}x").is_err());
        assert!(check_response("matching", Side::Learner, "a[.]b[,]c[.]d").is_ok());
    }
}
