//! A request body (or, for kith's own client, a server's answer) as a
//! small tree of namespaced elements (requests are small: a multiget of
//! 5,000 hrefs is a few hundred KB), and escaping for what is written back.

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

/// `DAV:`
pub const DAV: &str = "DAV:";
/// RFC 6352 CardDAV.
pub const CARDDAV: &str = "urn:ietf:params:xml:ns:carddav";
/// RFC 4791 CalDAV.
pub const CALDAV: &str = "urn:ietf:params:xml:ns:caldav";
/// Apple's calendarserver extensions (`getctag`).
pub const CS: &str = "http://calendarserver.org/ns/";

/// How deep elements may nest in a request body. WebDAV requests nest a
/// handful of levels (a sync-collection's `prop` sits at depth 3, an
/// addressbook-query's text-match at 5); a tree thousands deep is an attack
/// on the stack of whoever walks or drops it.
pub const MAX_DEPTH: usize = 64;

/// A request body that is not well-formed XML, or not the expected element.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct XmlError(pub String);

/// An element: its namespace, local name, attributes (unqualified, as
/// written), text and children.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Element {
    pub ns: String,
    pub name: String,
    pub attrs: Vec<(String, String)>,
    /// The text directly inside (entities resolved), trimmed by the reader
    /// of the value when it matters.
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    /// Whether this is `{ns}name`.
    pub fn is(&self, ns: &str, name: &str) -> bool {
        self.ns == ns && self.name == name
    }

    /// The first child `{ns}name`.
    pub fn child(&self, ns: &str, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.is(ns, name))
    }

    /// Every child `{ns}name`.
    pub fn children_named<'a>(
        &'a self,
        ns: &'a str,
        name: &'a str,
    ) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.is(ns, name))
    }

    /// An attribute's value.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Parses a body into its root element. An empty body is `Ok(None)`.
pub fn parse(body: &[u8]) -> Result<Option<Element>, XmlError> {
    parse_named(body, "the request body")
}

/// [`parse`], with `what` naming the body in messages ("the server's answer").
pub fn parse_named(body: &[u8], what: &str) -> Result<Option<Element>, XmlError> {
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Ok(None);
    }
    let text = std::str::from_utf8(body).map_err(|_| XmlError(format!("{what} is not UTF-8")))?;
    let mut reader = NsReader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let bad = |e: &dyn std::fmt::Display, at: u64| {
        XmlError(format!("{what} is not well-formed XML at byte {at}: {e}"))
    };
    loop {
        let at = reader.buffer_position();
        let (ns, event) = reader.read_resolved_event().map_err(|e| bad(&e, at))?;
        let ns = match ns {
            ResolveResult::Bound(n) => String::from_utf8_lossy(n.as_ref()).into_owned(),
            _ => String::new(),
        };
        match event {
            Event::Start(e) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(XmlError(format!(
                        "{what} nests elements more than {MAX_DEPTH} deep (at byte {at})"
                    )));
                }
                stack.push(element(&e, ns)?);
            }
            Event::Empty(e) => {
                let el = element(&e, ns)?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => {
                        root = Some(el);
                    }
                }
            }
            Event::End(_) => {
                let Some(done) = stack.pop() else {
                    return Err(XmlError("an end tag closes nothing".into()));
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => root = Some(done),
                }
            }
            Event::Text(t) => {
                if let Some(el) = stack.last_mut() {
                    el.text
                        .push_str(&t.xml10_content().map_err(|e| bad(&e, at))?);
                }
            }
            Event::CData(t) => {
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&t.decode().map_err(|e| bad(&e, at))?);
                }
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref().map_err(|e| bad(&e, at))? {
                    Some(c) => c.to_string(),
                    None => {
                        let name = r.decode().map_err(|e| bad(&e, at))?;
                        quick_xml::escape::resolve_xml_entity(&name)
                            .ok_or_else(|| XmlError(format!("unknown entity &{name};")))?
                            .to_string()
                    }
                };
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&resolved);
                }
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err(XmlError(format!(
            "{what} ends before its elements are closed"
        )));
    }
    root.map(Some)
        .ok_or_else(|| XmlError(format!("{what} has no root element")))
}

fn element(e: &quick_xml::events::BytesStart<'_>, ns: String) -> Result<Element, XmlError> {
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|e| XmlError(format!("a malformed attribute: {e}")))?;
        let value = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| XmlError(format!("a malformed attribute value: {e}")))?;
        attrs.push((
            String::from_utf8_lossy(a.key.local_name().as_ref()).into_owned(),
            value.into_owned(),
        ));
    }
    Ok(Element {
        ns,
        name: String::from_utf8_lossy(e.local_name().as_ref()).into_owned(),
        attrs,
        ..Default::default()
    })
}

/// Escapes text for an element's content or a double-quoted attribute.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 16);
    escape_into(&mut out, s);
    out
}

/// Appends `s` escaped to `out`, copying the runs between the characters
/// that need an entity whole (a vCard has one at every line end, its CR).
pub fn escape_into(out: &mut String, s: &str) {
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\r' => "&#13;",
            _ => continue,
        };
        // These are ASCII, so `i` is on a character boundary.
        out.push_str(&s[start..i]);
        out.push_str(entity);
        start = i + 1;
    }
    out.push_str(&s[start..]);
}
