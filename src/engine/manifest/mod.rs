//! `imsmanifest.xml` reader: SCORM 1.2 (IMS CP 1.1.2 + ADL CP 1.2) and SCORM
//! 2004 2nd/3rd/4th Edition (IMS CP 1.1.4, ADL CP/SEQ/NAV 1.3, IMS SS).
//!
//! [`parse`] turns the manifest into a typed [`Manifest`]: the organizations,
//! the resources and the chosen organization's activity tree
//! ([`Activity`]) with every sequencing default applied. Every error and
//! warning names the element and its line and column. Launch locations are
//! resolved (`xml:base`, `parameters`) and must stay inside the package.
//!
//! Readings where the texts leave room:
//! * `imsss:sequencingCollection`: the referenced entry is the base and each
//!   child element of the item's own `imsss:sequencing` replaces the entry's
//!   element of the same name whole (an empty `<imsss:controlMode/>` on the
//!   item restores the defaults). The ADL test suite relies on this (CM-03b,
//!   CM-04a).
//! * `adlseq:objectives`: a map merges into the `imsss:mapInfo` of the same
//!   objective and target; a target that only the extension names gets a map
//!   whose IMS SS read flags are off, so it adds only what it states.
//! * `xml:base` values are directories (a missing trailing `/` is supplied).
//! * ISO 8601 durations: a year counts 365 days, a month 30 days.
//! * Tolerated with a warning: mis-cased booleans, vocabulary tokens and
//!   attribute names; unknown elements in SCORM namespaces; undeclared
//!   `adlcp`/`imsss`/`adlseq`/`adlnav` prefixes; a missing default
//!   namespace; a missing or unknown `schemaversion`. Elements in other
//!   namespaces (metadata, vendor extensions) are ignored silently.

mod href;
mod items;
mod seq;
pub(crate) use seq::objective_key;
mod xml;

use crate::engine::seqdef::Activity;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Identifier → index while reading a manifest (resources, items, the
/// sequencing collection, objectives): a vector sorted by identifier, found
/// by binary search. Smaller in the wasm module than another `BTreeMap`
/// instance; manifests add identifiers mostly in order, so inserts stay cheap.
#[derive(Debug, Default)]
pub(crate) struct NameIndex(Vec<(String, usize)>);

impl NameIndex {
    fn find(&self, key: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_str().cmp(key))
    }

    /// Adds `key` → `value` unless `key` is there; answers the value it
    /// already had (kept), `None` when it was added.
    pub(crate) fn insert(&mut self, key: String, value: usize) -> Option<usize> {
        match self.find(&key) {
            Ok(at) => self.0.get(at).map(|e| e.1),
            Err(at) => {
                self.0.insert(at, (key, value));
                None
            }
        }
    }

    /// The value of `key`, added as `value` when it was not there.
    pub(crate) fn get_or_insert(&mut self, key: String, value: usize) -> usize {
        self.insert(key, value).unwrap_or(value)
    }

    /// The value of `key`.
    pub(crate) fn get(&self, key: &str) -> Option<&usize> {
        self.find(key).ok().and_then(|at| self.0.get(at)).map(|e| &e.1)
    }

    /// Whether `key` is there.
    pub(crate) fn contains_key(&self, key: &str) -> bool {
        self.find(key).is_ok()
    }
}

/// The SCORM version and edition a manifest declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum ScormVersion {
    /// SCORM 1.2 (`schemaversion` "1.2").
    #[serde(rename = "1.2")]
    Scorm12,
    /// SCORM 2004 2nd Edition (`schemaversion` "CAM 1.3").
    #[serde(rename = "2004 2nd Edition")]
    Scorm2004Ed2,
    /// SCORM 2004 3rd Edition.
    #[serde(rename = "2004 3rd Edition")]
    Scorm2004Ed3,
    /// SCORM 2004 4th Edition.
    #[serde(rename = "2004 4th Edition")]
    Scorm2004Ed4,
}

impl ScormVersion {
    /// True for any SCORM 2004 edition.
    pub fn is_2004(self) -> bool {
        !matches!(self, ScormVersion::Scorm12)
    }
}

/// What kind of problem an error or warning reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ErrorKind {
    /// The document is not well-formed XML.
    Xml,
    /// Elements are nested deeper than [`ParseOptions::max_depth`].
    TooDeep,
    /// A namespace is missing, undeclared or unknown.
    Namespace,
    /// The root element is not an IMS CP `<manifest>`.
    NotAManifest,
    /// A required element is missing.
    MissingElement,
    /// A required attribute is missing.
    MissingAttribute,
    /// A value is outside its vocabulary, type or range.
    InvalidValue,
    /// An element is unknown or in the wrong place.
    UnexpectedElement,
    /// Two elements share an identifier.
    DuplicateIdentifier,
    /// An `identifierref`, `IDRef`, `default` or objective reference names nothing.
    DanglingReference,
    /// The manifest has no organization to deliver.
    NoOrganization,
    /// A launch location is a script/data URL, points to another origin, or
    /// escapes the package root.
    UnsafeHref,
    /// The schema version is missing or unrecognised.
    Version,
}

/// A fatal problem: the manifest cannot be delivered.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ManifestError {
    /// What kind of problem.
    pub kind: ErrorKind,
    /// The element it concerns (`imsss:ruleCondition`), empty for XML syntax errors.
    pub element: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
    /// A readable explanation.
    pub message: String,
}

/// A problem that real packages commonly have and whose intent is clear: the
/// manifest is read anyway.
pub type ManifestWarning = ManifestError;

impl std::fmt::Display for ManifestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.element.is_empty() {
            write!(f, "line {}, column {}: {}", self.line, self.column, self.message)
        } else {
            write!(f, "line {}, column {}: <{}>: {}", self.line, self.column, self.element, self.message)
        }
    }
}

impl std::error::Error for ManifestError {}

/// How to read a manifest. Deserializable (missing fields take their
/// defaults) so a JavaScript caller can pass `{ organization: "ORG-2" }`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ParseOptions {
    /// The organization to deliver; `None` for the manifest's default.
    pub organization: Option<String>,
    /// The deepest element nesting accepted (clamped to 256). Default 64.
    pub max_depth: usize,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions { organization: None, max_depth: 64 }
    }
}

/// One `<organization>` (a summary; the chosen one's tree is
/// [`Manifest::activity_tree`]).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    /// `identifier`.
    pub identifier: String,
    /// `<title>`.
    pub title: String,
    /// `adlseq:objectivesGlobalToSystem`, default true.
    pub objectives_global_to_system: bool,
    /// `adlcp:sharedDataGlobalToSystem`, default true.
    pub shared_data_global_to_system: bool,
    /// How many `<item>`s it holds (all levels).
    pub item_count: usize,
}

/// One `<resource>`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Resource {
    /// `identifier`.
    pub identifier: String,
    /// `type` (normally `webcontent`).
    pub resource_type: String,
    /// True when `adlcp:scormType` (1.2: `adlcp:scormtype`) is `sco`.
    pub is_sco: bool,
    /// `href` with every `xml:base` applied and dot segments removed; `None`
    /// when absent or when it is not a safe location inside the package.
    pub href: Option<String>,
    /// The `<file>` hrefs, with `xml:base` applied.
    pub files: Vec<String>,
    /// The `<dependency>` `identifierref`s.
    pub dependencies: Vec<String>,
}

/// A parsed manifest.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    /// The manifest `identifier`.
    pub identifier: String,
    /// The SCORM version and edition.
    pub version: ScormVersion,
    /// The `<schemaversion>` text as written, if any.
    pub schema_version: Option<String>,
    /// The `default` attribute of `<organizations>`.
    pub default_organization: Option<String>,
    /// All organizations in document order.
    pub organizations: Vec<Organization>,
    /// The identifier of the delivered organization.
    pub organization: String,
    /// The delivered organization as an activity tree (its root is the organization).
    pub activity_tree: Activity,
    /// All resources in document order.
    pub resources: Vec<Resource>,
    /// The global objective ids (`targetObjectiveID`s) the tree maps to, sorted.
    pub global_objective_ids: Vec<String>,
    /// The shared data ids (`adlcp:map` `targetID`s) the tree uses, sorted.
    pub shared_data_ids: Vec<String>,
    /// Problems that did not stop the reading.
    pub warnings: Vec<ManifestWarning>,
}

/// The most warnings kept; later ones are counted in a last warning.
const MAX_WARNINGS: usize = 200;

/// The value ranges of decimals in a manifest.
#[derive(Clone, Copy)]
pub(crate) enum Range {
    /// 0.0..=1.0
    Unit,
    /// -1.0..=1.0
    Signed,
    /// 0..=100 (SCORM 1.2 `masteryscore`)
    Percent,
}

/// Reading context: positions and warnings.
pub(crate) struct Cx<'a> {
    lines: xml::Lines<'a>,
    warnings: Vec<ManifestWarning>,
    dropped: usize,
    version: ScormVersion,
}

/// Errors travel boxed inside the reader: smaller results, less code.
type Res<T> = Result<T, Box<ManifestError>>;

impl<'a> Cx<'a> {
    fn report(&self, kind: ErrorKind, n: &xml::Node, message: String) -> ManifestError {
        let (line, column) = self.lines.line_col(n.pos);
        ManifestError { kind, element: n.qname(), line, column, message }
    }

    /// An error about element `n`.
    pub(crate) fn error(&self, kind: ErrorKind, n: &xml::Node, message: impl Into<String>) -> Box<ManifestError> {
        Box::new(self.report(kind, n, message.into()))
    }

    /// A warning about element `n`.
    pub(crate) fn warn(&mut self, kind: ErrorKind, n: &xml::Node, message: impl Into<String>) {
        if self.warnings.len() < MAX_WARNINGS {
            let w = self.report(kind, n, message.into());
            self.warnings.push(w);
        } else {
            self.dropped += 1;
        }
    }

    /// Attribute `name` in namespace `ns` (`Ns::None` for unprefixed). A
    /// mis-cased name, or a namespaced attribute written without its prefix,
    /// is accepted with a warning.
    pub(crate) fn attr<'n>(&mut self, n: &'n xml::Node, ns: xml::Ns, name: &str) -> Option<&'n str> {
        if let Some(a) = n.attrs.iter().find(|a| a.ns == ns && a.name == name) {
            return Some(a.value.trim());
        }
        let loose = n
            .attrs
            .iter()
            .find(|a| (a.ns == ns || a.ns == xml::Ns::None) && a.name.eq_ignore_ascii_case(name))?;
        self.warn(
            ErrorKind::InvalidValue,
            n,
            format!("attribute `{}` read as `{}{}`", loose.name, ns.prefix(), name),
        );
        Some(loose.value.trim())
    }

    /// A required attribute.
    pub(crate) fn req_attr<'n>(&mut self, n: &'n xml::Node, name: &str) -> Res<&'n str> {
        match self.attr(n, xml::Ns::None, name) {
            Some(v) if !v.is_empty() => Ok(v),
            _ => Err(self.error(ErrorKind::MissingAttribute, n, format!("the `{name}` attribute is required"))),
        }
    }

    /// Index in `words` of the value of `name`; a case-only mismatch is
    /// accepted with a warning, anything else is an error.
    pub(crate) fn word(&mut self, n: &xml::Node, ns: xml::Ns, name: &str, words: &[&str]) -> Res<Option<usize>> {
        let Some(v) = self.attr(n, ns, name) else { return Ok(None) };
        self.word_value(n, name, v, words).map(Some)
    }

    /// Index in `words` of `v` (see [`Cx::word`]).
    pub(crate) fn word_value(&mut self, n: &xml::Node, name: &str, v: &str, words: &[&str]) -> Res<usize> {
        if let Some(i) = words.iter().position(|w| *w == v) {
            return Ok(i);
        }
        if let Some(i) = words.iter().position(|w| w.eq_ignore_ascii_case(v)) {
            self.warn(ErrorKind::InvalidValue, n, format!("`{name}` value `{v}` read as `{}`", words.get(i).copied().unwrap_or("")));
            return Ok(i);
        }
        Err(self.error(
            ErrorKind::InvalidValue,
            n,
            format!("`{name}` value `{v}` is not one of: {}", words.join(", ")),
        ))
    }

    /// An `xs:boolean` attribute.
    pub(crate) fn flag(&mut self, n: &xml::Node, ns: xml::Ns, name: &str, default: bool) -> Res<bool> {
        Ok(match self.word(n, ns, name, &["true", "false", "1", "0"])? {
            None => default,
            Some(i) => i == 0 || i == 2,
        })
    }

    /// A decimal in `range` (text of an attribute or an element).
    pub(crate) fn decimal_value(&mut self, n: &xml::Node, name: &str, v: &str, range: Range) -> Res<f64> {
        let (min, max, text) = match range {
            Range::Unit => (0.0, 1.0, "0..1"),
            Range::Signed => (-1.0, 1.0, "-1..1"),
            Range::Percent => (0.0, 100.0, "0..100"),
        };
        // xs:decimal: optional sign, digits, optional fraction; no exponent.
        match crate::engine::num::parse_decimal(v, true) {
            Some(x) if x.is_finite() && (min..=max).contains(&x) => Ok(x),
            _ => Err(self.error(ErrorKind::InvalidValue, n, format!("`{name}` value `{v}` is not a decimal in {text}"))),
        }
    }

    /// A decimal attribute in `range`.
    pub(crate) fn decimal(&mut self, n: &xml::Node, name: &str, default: f64, range: Range) -> Res<f64> {
        match self.attr(n, xml::Ns::None, name) {
            None => Ok(default),
            Some(v) => self.decimal_value(n, name, v, range),
        }
    }

    /// A non-negative integer attribute.
    pub(crate) fn count(&mut self, n: &xml::Node, name: &str) -> Res<Option<u32>> {
        let Some(v) = self.attr(n, xml::Ns::None, name) else { return Ok(None) };
        let digits = v.strip_prefix('+').unwrap_or(v);
        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(self.error(ErrorKind::InvalidValue, n, format!("`{name}` value `{v}` is not a non-negative integer")));
        }
        match digits.parse::<u32>() {
            Ok(x) => Ok(Some(x)),
            Err(_) => Err(self.error(ErrorKind::InvalidValue, n, format!("`{name}` value `{v}` is too large"))),
        }
    }

    /// Warns about children of `n` in SCORM namespaces that `allowed` does not list.
    pub(crate) fn check_children(&mut self, n: &xml::Node, allowed: &[(xml::Ns, &str)]) {
        for c in &n.children {
            if c.ns == xml::Ns::Other || allowed.iter().any(|(ns, name)| *ns == c.ns && *name == c.name) {
                continue;
            }
            let hint = allowed
                .iter()
                .find(|(ns, name)| *ns == c.ns && name.eq_ignore_ascii_case(&c.name))
                .map(|(ns, name)| format!(" (did you mean `{}{}`?)", ns.prefix(), name))
                .unwrap_or_default();
            self.warn(
                ErrorKind::UnexpectedElement,
                c,
                format!("unexpected element inside `{}`, ignored{hint}", n.qname()),
            );
        }
    }
}

/// Reads a manifest. See the module documentation.
pub fn parse(xml_text: &str, options: &ParseOptions) -> Result<Manifest, ManifestError> {
    parse_boxed(xml_text, options).map_err(|e| *e)
}

fn parse_boxed(xml_text: &str, options: &ParseOptions) -> Res<Manifest> {
    let mut warnings = Vec::new();
    let lines = xml::Lines::new(xml_text);
    let depth = options.max_depth.clamp(1, 256);
    let doc = xml::read(xml_text, depth, MAX_WARNINGS, &lines, &mut warnings)?;
    let mut cx = Cx { lines, warnings, dropped: doc.dropped, version: ScormVersion::Scorm2004Ed4 };
    let root = &doc.root;
    if root.ns != xml::Ns::Cp || root.name != "manifest" {
        return Err(cx.error(ErrorKind::NotAManifest, root, "the root element must be an IMS CP `<manifest>`"));
    }
    let schema_version = root
        .kid(xml::Ns::Cp, "metadata")
        .and_then(|m| m.kid_text(xml::Ns::Cp, "schemaversion"))
        .map(str::to_string);
    cx.version = detect_version(&mut cx, root, schema_version.as_deref(), &doc.facts);
    let mut m = items::read_manifest(&mut cx, root, options)?;
    m.schema_version = schema_version;
    m.global_objective_ids = collect(&m.activity_tree, |a, out| {
        for o in &a.sequencing.objectives {
            out.extend(o.maps.iter().map(|mp| mp.target_objective_id.clone()));
        }
    });
    m.shared_data_ids = collect(&m.activity_tree, |a, out| out.extend(a.data_maps.iter().map(|d| d.target_id.clone())));
    if cx.dropped > 0 {
        let n = cx.dropped;
        cx.dropped = 0;
        cx.warnings.push(ManifestWarning {
            kind: ErrorKind::UnexpectedElement,
            element: String::new(),
            line: 1,
            column: 1,
            message: format!("{n} further warnings were not kept"),
        });
    }
    m.warnings = cx.warnings;
    Ok(m)
}

/// The known `schemaversion` values.
const SCHEMA_VERSIONS: &[(&str, ScormVersion)] = &[
    ("1.2", ScormVersion::Scorm12),
    ("CAM 1.3", ScormVersion::Scorm2004Ed2),
    ("2004 3rd Edition", ScormVersion::Scorm2004Ed3),
    ("2004 4th Edition", ScormVersion::Scorm2004Ed4),
];

/// Elements (and attributes of elements) that only SCORM 2004 4th Edition
/// defines, as (namespace, element, attribute): a 2004 manifest without a
/// usable `<schemaversion>` that has one of them is read as 4th Edition.
/// Sorted by element, then attribute.
const FOURTH_EDITION_ONLY: &[(xml::Ns, &str, &str)] = &[
    (xml::Ns::Adlcp, "completionThreshold", "completedByMeasure"),
    (xml::Ns::Adlcp, "completionThreshold", "minProgressMeasure"),
    (xml::Ns::Adlcp, "completionThreshold", "progressWeight"),
    (xml::Ns::Adlcp, "data", ""),
    (xml::Ns::Adlcp, "map", ""),
    (xml::Ns::Adlseq, "objectives", ""),
    (xml::Ns::Cp, "organization", "sharedDataGlobalToSystem"),
];

/// True when the document uses a construct of [`FOURTH_EDITION_ONLY`].
fn uses_fourth_edition(root: &xml::Node) -> bool {
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        let hit = FOURTH_EDITION_ONLY.iter().any(|(ns, el, at)| {
            *ns == n.ns && *el == n.name && (at.is_empty() || n.attrs.iter().any(|a| a.name == *at))
        });
        if hit {
            return true;
        }
        stack.extend(n.children.iter());
    }
    false
}

/// The version and edition: the `<schemaversion>` when it is one of
/// [`SCHEMA_VERSIONS`]; otherwise read from the namespaces, first those
/// used by elements and attributes, then those declared (`xmlns`,
/// `xsi:schemaLocation`). The 2004 editions share their namespaces: a
/// manifest without a usable `<schemaversion>` is read as the oldest
/// edition whose constructs it uses (2nd Edition, or 4th Edition when it
/// uses one of [`FOURTH_EDITION_ONLY`]). A manifest that says nothing
/// either way is read as SCORM 1.2, whose packages most often omit it.
fn detect_version(cx: &mut Cx<'_>, root: &xml::Node, declared: Option<&str>, facts: &xml::NsFacts) -> ScormVersion {
    let family = |v12: bool, v2004: bool| match (v12, v2004) {
        (true, false) => Some(false),
        (false, true) | (true, true) => Some(true),
        (false, false) => None,
    };
    // Some(true): SCORM 2004.
    let is_2004 = family(facts.saw_12, facts.saw_2004).or_else(|| family(facts.declared_12, facts.declared_2004));
    let from_ns = is_2004.map(|v| match v {
        false => ScormVersion::Scorm12,
        true if uses_fourth_edition(root) => ScormVersion::Scorm2004Ed4,
        true => ScormVersion::Scorm2004Ed2,
    });
    let unusable = match declared.map(str::trim) {
        Some(v) => match SCHEMA_VERSIONS.iter().find(|(s, _)| s.eq_ignore_ascii_case(v)) {
            Some((_, ver)) => {
                if from_ns.is_some_and(|n| n.is_2004() != ver.is_2004()) {
                    cx.warn(ErrorKind::Version, root, format!("schemaversion `{v}` does not match the namespaces used"));
                }
                return *ver;
            }
            None => format!("unknown schemaversion `{v}`"),
        },
        None => "no <schemaversion>".to_string(),
    };
    let version = from_ns.unwrap_or(ScormVersion::Scorm12);
    let why = match (from_ns, version) {
        (None, _) => "no SCORM namespace says otherwise",
        (Some(_), ScormVersion::Scorm12) => "from the SCORM 1.2 namespaces",
        (Some(_), ScormVersion::Scorm2004Ed4) => "from the SCORM 2004 namespaces and 4th Edition elements",
        (Some(_), _) => "from the SCORM 2004 namespaces (no element of a later edition is used)",
    };
    let name = match version {
        ScormVersion::Scorm12 => "SCORM 1.2",
        ScormVersion::Scorm2004Ed2 => "SCORM 2004 2nd Edition",
        ScormVersion::Scorm2004Ed3 => "SCORM 2004 3rd Edition",
        ScormVersion::Scorm2004Ed4 => "SCORM 2004 4th Edition",
    };
    cx.warn(ErrorKind::Version, root, format!("{unusable}; read as {name} {why}"));
    version
}

/// Sorted, deduplicated strings gathered from every activity (iteratively).
fn collect(root: &Activity, f: impl Fn(&Activity, &mut BTreeSet<String>)) -> Vec<String> {
    let mut out = BTreeSet::new();
    let mut stack = vec![root];
    while let Some(a) = stack.pop() {
        f(a, &mut out);
        stack.extend(a.children.iter());
    }
    out.into_iter().collect()
}

/// Visits every activity of a tree, depth first in document order, without recursion.
pub fn walk(root: &Activity) -> Vec<&Activity> {
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(a) = stack.pop() {
        out.push(a);
        stack.extend(a.children.iter().rev());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fourth_edition_table_is_sorted() {
        let keys: Vec<(&str, &str)> = FOURTH_EDITION_ONLY.iter().map(|(_, e, a)| (*e, *a)).collect();
        let mut sorted = keys.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(keys, sorted);
    }
}
