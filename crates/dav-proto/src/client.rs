//! The client side, for reading someone else's CalDAV or CardDAV server:
//! the PROPFIND and REPORT bodies kith sends (discovery, the ETags of a
//! collection, multigets) and the multistatus answers read back into plain
//! entries.

use crate::xml::{self, CALDAV, CARDDAV, DAV, Element, XmlError, escape};

/// One `<response>` of a multistatus answer: what kith reads of it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Entry {
    /// As the server wrote it (usually an absolute path).
    pub href: String,
    /// The response, or the propstat holding its properties, said 2xx.
    pub ok: bool,
    pub etag: Option<String>,
    /// The local names inside `resourcetype` (`collection`, `calendar`,
    /// `addressbook`).
    pub resource_types: Vec<String>,
    /// The components a calendar holds (`VEVENT`, `VTODO`), when it says.
    pub components: Vec<String>,
    pub display_name: Option<String>,
    /// `current-user-principal`, `calendar-home-set`, `addressbook-home-set`.
    pub principal: Option<String>,
    pub calendar_home: Option<String>,
    pub addressbook_home: Option<String>,
    /// `calendar-data` or `address-data`.
    pub data: Option<String>,
}

impl Entry {
    pub fn is_calendar(&self) -> bool {
        self.resource_types.iter().any(|t| t == "calendar")
    }
    pub fn is_addressbook(&self) -> bool {
        self.resource_types.iter().any(|t| t == "addressbook")
    }
    pub fn is_collection(&self) -> bool {
        self.resource_types.iter().any(|t| t == "collection")
    }
}

/// Asked of a URL to find what it is and where the collections are.
pub fn propfind_discovery() -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="{DAV}" xmlns:c="{CALDAV}" xmlns:a="{CARDDAV}">
  <d:prop>
    <d:resourcetype/>
    <d:displayname/>
    <d:current-user-principal/>
    <c:calendar-home-set/>
    <a:addressbook-home-set/>
    <c:supported-calendar-component-set/>
  </d:prop>
</d:propfind>"#
    )
}

/// Asked of a collection (depth 1): each member's ETag and type.
pub fn propfind_etags() -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="{DAV}">
  <d:prop><d:getetag/><d:resourcetype/></d:prop>
</d:propfind>"#
    )
}

/// A calendar-multiget of these hrefs.
pub fn calendar_multiget<'a>(hrefs: impl IntoIterator<Item = &'a str>) -> String {
    multiget("c", CALDAV, "calendar-multiget", "calendar-data", hrefs)
}

/// An addressbook-multiget of these hrefs.
pub fn addressbook_multiget<'a>(hrefs: impl IntoIterator<Item = &'a str>) -> String {
    multiget("a", CARDDAV, "addressbook-multiget", "address-data", hrefs)
}

fn multiget<'a>(
    prefix: &str,
    ns: &str,
    report: &str,
    data: &str,
    hrefs: impl IntoIterator<Item = &'a str>,
) -> String {
    let mut out = format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<{prefix}:{report} xmlns:d="{DAV}" xmlns:{prefix}="{ns}">
  <d:prop><d:getetag/><{prefix}:{data}/></d:prop>
"#
    );
    for h in hrefs {
        out.push_str("  <d:href>");
        out.push_str(&escape(h));
        out.push_str("</d:href>\n");
    }
    out.push_str(&format!("</{prefix}:{report}>"));
    out
}

/// The text of the first `href` inside an element.
fn href_in(e: &Element) -> Option<String> {
    e.child(DAV, "href")
        .map(|h| h.text.trim().to_string())
        .filter(|h| !h.is_empty())
}

/// Whether a `<status>` line says 2xx.
fn status_ok(e: &Element) -> Option<bool> {
    let text = &e.child(DAV, "status")?.text;
    let code = text.split_whitespace().nth(1)?;
    Some(code.starts_with('2'))
}

/// Reads a multistatus answer (`what` names it in errors).
pub fn parse_multistatus(body: &[u8], what: &str) -> Result<Vec<Entry>, XmlError> {
    let Some(root) = xml::parse_named(body, what)? else {
        return Ok(Vec::new());
    };
    if !root.is(DAV, "multistatus") {
        return Err(XmlError(format!(
            "{what} is not a multistatus answer (its root is <{}>)",
            root.name
        )));
    }
    let mut out = Vec::new();
    for response in root.children_named(DAV, "response") {
        let Some(href) = href_in(response) else {
            continue;
        };
        let mut entry = Entry {
            href,
            ok: status_ok(response).unwrap_or(false),
            ..Default::default()
        };
        for propstat in response.children_named(DAV, "propstat") {
            if status_ok(propstat) != Some(true) {
                continue;
            }
            entry.ok = true;
            let Some(prop) = propstat.child(DAV, "prop") else {
                continue;
            };
            for p in &prop.children {
                let text = || Some(p.text.trim().to_string()).filter(|t| !t.is_empty());
                match (p.ns.as_str(), p.name.as_str()) {
                    (DAV, "getetag") => entry.etag = text(),
                    (DAV, "displayname") => entry.display_name = text(),
                    (DAV, "resourcetype") => {
                        entry.resource_types = p.children.iter().map(|c| c.name.clone()).collect()
                    }
                    (DAV, "current-user-principal") => entry.principal = href_in(p),
                    (CALDAV, "calendar-home-set") => entry.calendar_home = href_in(p),
                    (CARDDAV, "addressbook-home-set") => entry.addressbook_home = href_in(p),
                    (CALDAV, "supported-calendar-component-set") => {
                        entry.components = p
                            .children
                            .iter()
                            .filter_map(|c| c.attr("name").map(str::to_ascii_uppercase))
                            .collect()
                    }
                    (CALDAV, "calendar-data") | (CARDDAV, "address-data") => {
                        entry.data = Some(p.text.clone()).filter(|t| !t.trim().is_empty())
                    }
                    _ => {}
                }
            }
        }
        out.push(entry);
    }
    Ok(out)
}
