//! A small namespace-aware element tree built with quick-xml, with a depth
//! limit and source positions, so the manifest reader can walk it without
//! recursion on unbounded input.

use super::{ErrorKind, ManifestError, ManifestWarning};
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;
use std::borrow::Cow;

/// The XML namespaces a SCORM manifest uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ns {
    /// IMS Content Packaging (1.1.2 for SCORM 1.2, 1.1.4 for SCORM 2004).
    Cp,
    /// ADL content packaging extensions (`adlcp_rootv1p2` or `adlcp_v1p3`).
    Adlcp,
    /// IMS Simple Sequencing.
    Imsss,
    /// ADL sequencing extensions.
    Adlseq,
    /// ADL navigation extensions.
    Adlnav,
    /// `http://www.w3.org/XML/1998/namespace` (`xml:base`).
    Xml,
    /// No namespace (unprefixed attributes).
    None,
    /// Any other namespace (metadata, vendor extensions): ignored.
    Other,
}

impl Ns {
    /// The conventional prefix, used in messages.
    pub(crate) fn prefix(self) -> &'static str {
        match self {
            Ns::Cp | Ns::None => "",
            Ns::Adlcp => "adlcp:",
            Ns::Imsss => "imsss:",
            Ns::Adlseq => "adlseq:",
            Ns::Adlnav => "adlnav:",
            Ns::Xml => "xml:",
            Ns::Other => "?:",
        }
    }
}

/// Namespace URIs, which namespace each is, and what it says about the version
/// (`Some(true)` SCORM 1.2, `Some(false)` SCORM 2004).
const NAMESPACES: &[(&str, Ns, Option<bool>)] = &[
    ("http://www.imsproject.org/xsd/imscp_rootv1p1p2", Ns::Cp, Some(true)),
    ("http://www.imsglobal.org/xsd/imscp_v1p1", Ns::Cp, None),
    ("http://www.adlnet.org/xsd/adlcp_rootv1p2", Ns::Adlcp, Some(true)),
    ("http://www.adlnet.org/xsd/adlcp_v1p3", Ns::Adlcp, Some(false)),
    ("http://www.imsglobal.org/xsd/imsss", Ns::Imsss, Some(false)),
    ("http://www.adlnet.org/xsd/adlseq_v1p3", Ns::Adlseq, Some(false)),
    ("http://www.adlnet.org/xsd/adlnav_v1p3", Ns::Adlnav, Some(false)),
    ("http://www.w3.org/XML/1998/namespace", Ns::Xml, None),
];

/// Undeclared prefixes that real packages use without a declaration.
const KNOWN_PREFIXES: &[(&str, Ns)] = &[
    ("adlcp", Ns::Adlcp),
    ("imsss", Ns::Imsss),
    ("adlseq", Ns::Adlseq),
    ("adlnav", Ns::Adlnav),
    ("imscp", Ns::Cp),
    ("xml", Ns::Xml),
];

/// The most attributes one element may carry.
const MAX_ATTRIBUTES: usize = 256;

/// One attribute.
#[derive(Debug)]
pub(crate) struct Attr<'a> {
    pub ns: Ns,
    pub name: Cow<'a, str>,
    pub value: Cow<'a, str>,
}

/// One element.
#[derive(Debug)]
pub(crate) struct Node<'a> {
    pub ns: Ns,
    /// Names and attribute values borrow from the document where they can.
    pub name: Cow<'a, str>,
    pub attrs: Vec<Attr<'a>>,
    /// Direct character content (all text children concatenated).
    pub text: String,
    pub children: Vec<Node<'a>>,
    /// Byte offset of the `<` of the start tag.
    pub pos: usize,
}

impl<'a> Node<'a> {
    /// `prefix:local` with the conventional prefix.
    pub(crate) fn qname(&self) -> String {
        format!("{}{}", self.ns.prefix(), self.name)
    }

    /// Children in namespace `ns` named `name`.
    pub(crate) fn kids<'s>(&'s self, ns: Ns, name: &'s str) -> impl Iterator<Item = &'s Node<'a>> + 's {
        self.children.iter().filter(move |c| c.ns == ns && c.name == name)
    }

    /// The first child in namespace `ns` named `name`.
    pub(crate) fn kid(&self, ns: Ns, name: &str) -> Option<&Node<'a>> {
        self.children.iter().find(|c| c.ns == ns && c.name == name)
    }

    /// The trimmed text of the first child named `name`, if any.
    pub(crate) fn kid_text(&self, ns: Ns, name: &str) -> Option<&str> {
        self.kid(ns, name).map(|n| n.text.trim())
    }
}

/// Facts about namespaces gathered while reading.
#[derive(Debug, Default)]
pub(crate) struct NsFacts {
    /// A SCORM 1.2 namespace was declared and used.
    pub saw_12: bool,
    /// A SCORM 2004 namespace was declared and used.
    pub saw_2004: bool,
    /// A SCORM 1.2 namespace was declared (`xmlns…`) or named in
    /// `xsi:schemaLocation`, used or not.
    pub declared_12: bool,
    /// A SCORM 2004 namespace was declared or named in `xsi:schemaLocation`.
    pub declared_2004: bool,
}

impl NsFacts {
    /// Note the namespace URIs named in `text` (an `xmlns` value, or the
    /// pairs of `xsi:schemaLocation`).
    fn declare(&mut self, text: &str) {
        for uri in text.split_ascii_whitespace() {
            match NAMESPACES.iter().find(|(u, _, _)| *u == uri).and_then(|(_, _, v)| *v) {
                Some(true) => self.declared_12 = true,
                Some(false) => self.declared_2004 = true,
                None => {}
            }
        }
    }
}

/// Source positions: byte offset to 1-based line and column (in characters).
pub(crate) struct Lines<'a> {
    src: &'a str,
    starts: Vec<usize>,
    /// The last position asked for and its column, so positions asked for in
    /// document order on one long line cost linear time in total.
    last: std::cell::Cell<(usize, usize)>,
}

impl<'a> Lines<'a> {
    pub(crate) fn new(src: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(src.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i + 1));
        Lines { src, starts, last: std::cell::Cell::new((0, 0)) }
    }

    pub(crate) fn line_col(&self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.src.len());
        let idx = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let start = self.starts.get(idx).copied().unwrap_or(0);
        let (last_off, last_col) = self.last.get();
        let (from, base) = if last_off >= start && last_off <= offset { (last_off, last_col) } else { (start, 0) };
        let col = base
            + match self.src.get(from..offset) {
                Some(s) => s.chars().count(),
                None => offset - from,
            };
        self.last.set((offset, col));
        (idx as u32 + 1, col as u32 + 1)
    }
}

/// The outcome of reading the document.
pub(crate) struct Doc<'a> {
    pub root: Node<'a>,
    pub facts: NsFacts,
    /// Namespace warnings not kept because of the cap.
    pub dropped: usize,
}

fn classify(
    res: &ResolveResult<'_>,
    facts: &mut NsFacts,
    is_attr: bool,
    notes: &mut Vec<(usize, String)>,
    pos: usize,
) -> Ns {
    match res {
        ResolveResult::Bound(ns) => {
            let uri = ns.as_ref();
            for (u, n, v) in NAMESPACES {
                if u.as_bytes() == uri {
                    match v {
                        Some(true) => facts.saw_12 = true,
                        Some(false) => facts.saw_2004 = true,
                        None => {}
                    }
                    return *n;
                }
            }
            // Tolerate other revisions of the IMS CP namespace.
            let lower = uri.to_ascii_lowercase();
            if lower.windows(5).any(|w| w == b"imscp") {
                notes.push((pos, format!("unexpected IMS CP namespace `{}`, read as IMS CP", String::from_utf8_lossy(uri))));
                return Ns::Cp;
            }
            Ns::Other
        }
        ResolveResult::Unbound => {
            if is_attr {
                Ns::None
            } else {
                notes.push((pos, "element has no namespace; read as IMS CP".into()));
                Ns::Cp
            }
        }
        ResolveResult::Unknown(prefix) => {
            let p = String::from_utf8_lossy(prefix).to_ascii_lowercase();
            match KNOWN_PREFIXES.iter().find(|(k, _)| *k == p) {
                Some((_, ns)) => {
                    if *ns != Ns::Xml {
                        notes.push((pos, format!("namespace prefix `{p}` is not declared; read as the {p} namespace")));
                    }
                    *ns
                }
                None => {
                    notes.push((pos, format!("namespace prefix `{p}` is not declared; element ignored")));
                    Ns::Other
                }
            }
        }
    }
}

fn xml_err(lines: &Lines<'_>, pos: usize, msg: String) -> Box<ManifestError> {
    let (line, column) = lines.line_col(pos);
    Box::new(ManifestError { kind: ErrorKind::Xml, element: String::new(), line, column, message: msg })
}

/// Reads `src` into an element tree. Elements nested deeper than `max_depth`
/// are an error. Notes about namespaces become warnings (deduplicated).
pub(crate) fn read<'a>(
    src: &'a str,
    max_depth: usize,
    max_warnings: usize,
    lines: &Lines<'_>,
    warnings: &mut Vec<ManifestWarning>,
) -> Result<Doc<'a>, Box<ManifestError>> {
    let mut reader = NsReader::from_str(src);
    reader.config_mut().check_end_names = true;
    let mut facts = NsFacts::default();
    let mut notes: Vec<(usize, String)> = Vec::new();
    let mut stack: Vec<Node<'a>> = Vec::new();
    let mut root: Option<Node<'a>> = None;
    loop {
        let pos = reader.buffer_position() as usize;
        let (res, ev) = match reader.read_resolved_event() {
            Ok((res, ev)) => (res, ev),
            Err(e) => return Err(xml_err(lines, reader.error_position() as usize, format!("malformed XML: {e}"))),
        };
        match ev {
            Event::Start(ref s) | Event::Empty(ref s) => {
                let empty = matches!(ev, Event::Empty(_));
                let ns = classify(&res, &mut facts, false, &mut notes, pos);
                let node = make_node(src, &reader, s, ns, pos, lines, &mut facts, &mut notes)?;
                if root.is_some() && stack.is_empty() {
                    return Err(xml_err(lines, pos, "malformed XML: content after the root element".into()));
                }
                if stack.len() >= max_depth {
                    let (line, column) = lines.line_col(pos);
                    return Err(Box::new(ManifestError {
                        kind: ErrorKind::TooDeep,
                        element: node.qname(),
                        line,
                        column,
                        message: format!("elements are nested deeper than the limit of {max_depth}"),
                    }));
                }
                if empty {
                    attach(&mut stack, &mut root, node);
                } else {
                    stack.push(node);
                }
            }
            Event::End(_) => {
                if let Some(node) = stack.pop() {
                    attach(&mut stack, &mut root, node);
                }
            }
            Event::Text(t) => {
                let txt = t.xml_content().map_err(|e| xml_err(lines, pos, format!("malformed XML: {e}")))?;
                push_text(&mut stack, &txt, lines, pos)?;
            }
            Event::CData(t) => {
                let txt = t.xml_content().map_err(|e| xml_err(lines, pos, format!("malformed XML: {e}")))?;
                push_text(&mut stack, &txt, lines, pos)?;
            }
            Event::GeneralRef(r) => {
                let ch = match r.resolve_char_ref() {
                    Ok(Some(c)) => c,
                    Ok(None) => {
                        let name = r.decode().map_err(|e| xml_err(lines, pos, format!("malformed XML: {e}")))?;
                        match &*name {
                            "amp" => '&',
                            "lt" => '<',
                            "gt" => '>',
                            "quot" => '"',
                            "apos" => '\'',
                            other => return Err(xml_err(lines, pos, format!("malformed XML: unknown entity `&{other};`"))),
                        }
                    }
                    Err(e) => return Err(xml_err(lines, pos, format!("malformed XML: {e}"))),
                };
                let mut b = [0u8; 4];
                push_text(&mut stack, ch.encode_utf8(&mut b), lines, pos)?;
            }
            Event::DocType(_) => {
                return Err(xml_err(lines, pos, "a DOCTYPE declaration is not allowed in a manifest".into()));
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(xml_err(lines, src.len(), format!("malformed XML: element `{}` is not closed", open.qname())));
    }
    let root = root.ok_or_else(|| xml_err(lines, 0, "malformed XML: no root element".into()))?;
    // Namespace notes become warnings, once per message.
    let mut seen = super::NameIndex::default();
    let mut dropped = 0;
    for (pos, msg) in &notes {
        if seen.insert(msg.clone(), 0).is_none() {
            if warnings.len() >= max_warnings {
                dropped += 1;
                continue;
            }
            let (line, column) = lines.line_col(*pos);
            warnings.push(ManifestWarning { kind: ErrorKind::Namespace, element: String::new(), line, column, message: msg.clone() });
        }
    }
    Ok(Doc { root, facts, dropped })
}

fn push_text(stack: &mut [Node<'_>], txt: &str, lines: &Lines<'_>, pos: usize) -> Result<(), Box<ManifestError>> {
    match stack.last_mut() {
        Some(n) => {
            // Indentation between child elements is not kept.
            if !(n.text.is_empty() && txt.trim().is_empty()) {
                n.text.push_str(txt);
            }
            Ok(())
        }
        None if txt.trim().is_empty() => Ok(()),
        None => Err(xml_err(lines, pos, "malformed XML: text outside the root element".into())),
    }
}

fn attach<'a>(stack: &mut [Node<'a>], root: &mut Option<Node<'a>>, node: Node<'a>) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(node),
        None => *root = Some(node),
    }
}

/// `part` as a slice of `src` when it lies inside it (the reader hands out
/// slices of the document), else an owned copy.
fn borrow<'a>(src: &'a str, part: &[u8]) -> Cow<'a, str> {
    let start = (part.as_ptr() as usize).wrapping_sub(src.as_ptr() as usize);
    match src.get(start..start.wrapping_add(part.len())) {
        Some(s) if s.as_ptr() == part.as_ptr() => Cow::Borrowed(s),
        _ => Cow::Owned(String::from_utf8_lossy(part).into_owned()),
    }
}

#[allow(clippy::too_many_arguments)]
fn make_node<'a>(
    src: &'a str,
    reader: &NsReader<&[u8]>,
    s: &BytesStart<'_>,
    ns: Ns,
    pos: usize,
    lines: &Lines<'_>,
    facts: &mut NsFacts,
    notes: &mut Vec<(usize, String)>,
) -> Result<Node<'a>, Box<ManifestError>> {
    let name = borrow(src, s.local_name().as_ref());
    let mut attrs = Vec::new();
    for (count, a) in s.attributes().enumerate() {
        // Duplicate checks cost quadratic time in the attribute count.
        if count >= MAX_ATTRIBUTES {
            return Err(xml_err(lines, pos, format!("element `{name}` has more than {MAX_ATTRIBUTES} attributes")));
        }
        let a = a.map_err(|e| xml_err(lines, pos, format!("malformed XML: attribute of `{name}`: {e}")))?;
        let key = a.key.as_ref();
        if key == b"xmlns" || key.starts_with(b"xmlns:") || key.ends_with(b":schemaLocation") {
            if let Ok(v) = std::str::from_utf8(&a.value) {
                facts.declare(v);
            }
            if !key.ends_with(b":schemaLocation") {
                continue;
            }
        }
        let (res, local) = reader.resolve_attribute(a.key);
        let ans = classify(&res, facts, true, notes, pos);
        let value = match a
            .unescape_value()
            .map_err(|e| xml_err(lines, pos, format!("malformed XML: attribute of `{name}`: {e}")))?
        {
            Cow::Borrowed(v) => borrow(src, v.as_bytes()),
            Cow::Owned(v) => Cow::Owned(v),
        };
        attrs.push(Attr { ns: ans, name: borrow(src, local.as_ref()), value });
    }
    Ok(Node { ns, name, attrs, text: String::new(), children: Vec::new(), pos })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_plain_values_borrow_from_the_document() {
        let src = r#"<m xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" a="plain" b="a&amp;b"><c>t&lt;x</c></m>"#;
        let lines = Lines::new(src);
        let mut w = Vec::new();
        let doc = read(src, 8, 10, &lines, &mut w).expect("reads");
        assert!(matches!(doc.root.name, Cow::Borrowed("m")));
        let a = &doc.root.attrs;
        assert!(matches!(a[0].value, Cow::Borrowed("plain")));
        assert!(matches!(&a[1].value, Cow::Owned(v) if v == "a&b"));
        assert_eq!(doc.root.children[0].text, "t<x");
        assert!(w.is_empty());
        // Outside the document: an owned copy.
        assert!(matches!(borrow(src, b"elsewhere"), Cow::Owned(ref s) if s == "elsewhere"));
    }

    #[test]
    fn line_and_column() {
        let src = "ab\nçd<x/>\n\n<y/>";
        let lines = Lines::new(src);
        assert_eq!(lines.line_col(0), (1, 1));
        assert_eq!(lines.line_col(src.find("<x").unwrap_or(0)), (2, 3));
        assert_eq!(lines.line_col(src.find("<y").unwrap_or(0)), (4, 1));
        // Asked out of order, the answer is the same.
        assert_eq!(lines.line_col(src.find("<x").unwrap_or(0)), (2, 3));
        assert_eq!(lines.line_col(usize::MAX), (4, 5));
    }
}
