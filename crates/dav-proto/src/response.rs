//! Writing answers: a `207 Multi-Status` (RFC 4918 §13) with one
//! `<response>` per href, the `200` propstat first (Thunderbird reads only
//! the first status), `HTTP/1.1` status lines always; the values of the
//! structured properties; and `<D:error>` bodies for failed preconditions.

use crate::request::PropName;
use crate::xml::{CARDDAV, CS, DAV, escape, escape_into};

/// A property's value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// `<name/>`.
    Empty,
    /// Text, escaped when written.
    Text(String),
    /// One `<D:href>`.
    Href(String),
    /// Inner XML made by this module's helpers (already escaped).
    Xml(String),
}

/// `HTTP/1.1 200 OK` and the like.
pub fn status_line(code: u16) -> String {
    let reason = match code {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        412 => "Precondition Failed",
        424 => "Failed Dependency",
        507 => "Insufficient Storage",
        _ => "Status",
    };
    format!("HTTP/1.1 {code} {reason}")
}

fn prefix(ns: &str) -> Option<&'static str> {
    match ns {
        DAV => Some("D"),
        CARDDAV => Some("C"),
        CS => Some("CS"),
        _ => None,
    }
}

/// Writes `<name>value</name>`, declaring a namespace this module has no
/// prefix for on the element itself.
fn element(out: &mut String, name: &PropName, value: &Value) {
    open_tag(out, name);
    match value {
        Value::Empty => {
            out.push_str("/>");
            return;
        }
        Value::Text(t) => {
            out.push('>');
            escape_into(out, t);
        }
        Value::Href(h) => {
            out.push_str("><D:href>");
            escape_into(out, h);
            out.push_str("</D:href>");
        }
        Value::Xml(x) => {
            out.push('>');
            out.push_str(x);
        }
    }
    close_tag(out, name);
}

/// `<P:name` (not closed), with the namespace declared when it has no prefix.
fn open_tag(out: &mut String, name: &PropName) {
    out.push('<');
    match prefix(&name.ns) {
        Some(p) => {
            out.push_str(p);
            out.push(':');
            out.push_str(&name.name);
        }
        None if name.ns.is_empty() => out.push_str(&name.name),
        None => {
            out.push_str("X:");
            out.push_str(&name.name);
            out.push_str(" xmlns:X=\"");
            escape_into(out, &name.ns);
            out.push('"');
        }
    }
}

/// `</P:name>`.
fn close_tag(out: &mut String, name: &PropName) {
    out.push_str("</");
    match prefix(&name.ns) {
        Some(p) => {
            out.push_str(p);
            out.push(':');
        }
        None if name.ns.is_empty() => {}
        None => out.push_str("X:"),
    }
    out.push_str(&name.name);
    out.push('>');
}

/// A `207 Multi-Status` body being written.
pub struct Multistatus {
    out: String,
}

impl Default for Multistatus {
    fn default() -> Self {
        Self::new()
    }
}

impl Multistatus {
    pub fn new() -> Multistatus {
        Multistatus {
            out: format!(
                "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:multistatus xmlns:D=\"{DAV}\" xmlns:C=\"{CARDDAV}\" xmlns:CS=\"{CS}\">"
            ),
        }
    }

    /// A resource with the properties found (`200`) and those it does not
    /// have (`404`).
    pub fn response(&mut self, href: &str, found: &[(PropName, Value)], missing: &[PropName]) {
        self.card(href, found, None, missing);
    }

    /// A resource with the properties found, then `data` as one more found
    /// property (`address-data`: a card's text, escaped as it is written
    /// rather than copied first), and those it does not have.
    pub fn card(
        &mut self,
        href: &str,
        found: &[(PropName, Value)],
        data: Option<(&PropName, &str)>,
        missing: &[PropName],
    ) {
        self.out.push_str("<D:response><D:href>");
        escape_into(&mut self.out, href);
        self.out.push_str("</D:href>");
        if !found.is_empty() || data.is_some() || missing.is_empty() {
            self.out.push_str("<D:propstat><D:prop>");
            for (name, value) in found {
                element(&mut self.out, name, value);
            }
            if let Some((name, text)) = data {
                open_tag(&mut self.out, name);
                self.out.push('>');
                escape_into(&mut self.out, text);
                close_tag(&mut self.out, name);
            }
            self.end_propstat(200);
        }
        if !missing.is_empty() {
            self.propstat(404, missing.iter().map(|n| (n, &Value::Empty)));
        }
        self.out.push_str("</D:response>");
    }

    /// A resource with propstats of any status (PROPPATCH answers).
    pub fn response_statuses(&mut self, href: &str, stats: &[(u16, Vec<PropName>)]) {
        self.out
            .push_str(&format!("<D:response><D:href>{}</D:href>", escape(href)));
        for (code, names) in stats {
            self.propstat(*code, names.iter().map(|n| (n, &Value::Empty)));
        }
        self.out.push_str("</D:response>");
    }

    fn propstat<'a>(&mut self, code: u16, props: impl Iterator<Item = (&'a PropName, &'a Value)>) {
        self.out.push_str("<D:propstat><D:prop>");
        for (name, value) in props {
            element(&mut self.out, name, value);
        }
        self.end_propstat(code);
    }

    fn end_propstat(&mut self, code: u16) {
        self.out.push_str("</D:prop><D:status>");
        self.out.push_str(&status_line(code));
        self.out.push_str("</D:status></D:propstat>");
    }

    /// Room for about `bytes` more of answer, so a large one is not copied
    /// as it grows.
    pub fn reserve(&mut self, bytes: usize) {
        self.out.reserve(bytes);
    }

    /// A resource answered by a status alone (`404` for a removed member).
    pub fn status(&mut self, href: &str, code: u16) {
        self.out.push_str(&format!(
            "<D:response><D:href>{}</D:href><D:status>{}</D:status></D:response>",
            escape(href),
            status_line(code)
        ));
    }

    /// The `<D:sync-token>` of a sync-collection answer (after the responses).
    pub fn sync_token(&mut self, token: &str) {
        self.out
            .push_str(&format!("<D:sync-token>{}</D:sync-token>", escape(token)));
    }

    pub fn finish(mut self) -> String {
        self.out.push_str("</D:multistatus>\n");
        self.out
    }
}

/// `<D:resourcetype>` content: `<D:collection/>` and the given types.
pub fn resourcetype(types: &[PropName]) -> Value {
    let mut out = String::new();
    for t in types {
        element(&mut out, t, &Value::Empty);
    }
    Value::Xml(out)
}

/// `current-user-privilege-set` content for the given DAV privileges.
pub fn privileges(names: &[&str]) -> Value {
    Value::Xml(
        names
            .iter()
            .map(|n| format!("<D:privilege><D:{n}/></D:privilege>"))
            .collect(),
    )
}

/// `supported-report-set` content.
pub fn supported_reports(reports: &[PropName]) -> Value {
    let mut out = String::new();
    for r in reports {
        out.push_str("<D:supported-report><D:report>");
        element(&mut out, r, &Value::Empty);
        out.push_str("</D:report></D:supported-report>");
    }
    Value::Xml(out)
}

/// `supported-address-data` content for the given vCard versions.
pub fn supported_address_data(versions: &[&str]) -> Value {
    Value::Xml(
        versions
            .iter()
            .map(|v| format!("<C:address-data-type content-type=\"text/vcard\" version=\"{v}\"/>"))
            .collect(),
    )
}

/// A `<D:error>` body naming the failed precondition, with optional
/// inner XML (an href for `no-uid-conflict`).
pub fn error_body(precondition: &PropName, inner: Option<&str>) -> String {
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:error xmlns:D=\"{DAV}\" xmlns:C=\"{CARDDAV}\">"
    );
    match inner {
        Some(x) => element(&mut out, precondition, &Value::Xml(x.to_string())),
        None => element(&mut out, precondition, &Value::Empty),
    }
    out.push_str("</D:error>\n");
    out
}
