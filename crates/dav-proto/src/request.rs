//! The request bodies a CardDAV server reads: PROPFIND (RFC 4918 §9.1),
//! PROPPATCH (§9.2), extended MKCOL (RFC 5689), and the REPORTs
//! addressbook-multiget and addressbook-query (RFC 6352 §8) and
//! sync-collection (RFC 6578 §3).

use crate::filter::Filter;
use crate::xml::{self, CARDDAV, DAV, Element, XmlError};

/// A property, by namespace and local name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PropName {
    pub ns: String,
    pub name: String,
}

impl PropName {
    pub fn new(ns: &str, name: &str) -> PropName {
        PropName {
            ns: ns.to_string(),
            name: name.to_string(),
        }
    }

    pub fn dav(name: &str) -> PropName {
        PropName::new(DAV, name)
    }

    pub fn carddav(name: &str) -> PropName {
        PropName::new(CARDDAV, name)
    }

    pub fn is(&self, ns: &str, name: &str) -> bool {
        self.ns == ns && self.name == name
    }
}

/// What a PROPFIND asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PropFind {
    /// Every live property the server has (also: an empty body).
    AllProp,
    /// The names of the properties, without values.
    PropName,
    Prop(Vec<PropName>),
}

/// The vCard version a client asks `address-data` in.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AddressData {
    /// `3.0` or `4.0`; None: as stored.
    pub version: Option<String>,
}

/// The properties a REPORT asks for, `address-data` apart.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReportProps {
    pub props: Vec<PropName>,
    /// Some when `address-data` is asked for.
    pub address_data: Option<AddressData>,
}

/// A REPORT's body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Report {
    Multiget {
        props: ReportProps,
        hrefs: Vec<String>,
    },
    Query {
        props: ReportProps,
        filter: Filter,
        limit: Option<usize>,
    },
    SyncCollection {
        /// Empty: the initial sync.
        token: String,
        props: ReportProps,
        limit: Option<usize>,
    },
    /// A report this crate does not know, by name.
    Unsupported { ns: String, name: String },
}

/// A PROPPATCH: properties to set (with their text) and to remove, in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PropPatch {
    pub set: Vec<(PropName, String)>,
    pub remove: Vec<PropName>,
}

/// An extended MKCOL.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Mkcol {
    /// The resourcetype asks for an address book.
    pub addressbook: bool,
    pub displayname: Option<String>,
    pub description: Option<String>,
}

fn root(body: &[u8], ns: &str, name: &str) -> Result<Option<Element>, XmlError> {
    let Some(root) = xml::parse(body)? else {
        return Ok(None);
    };
    if !root.is(ns, name) {
        return Err(XmlError(format!(
            "expected a <{name}> element in {ns}, found <{}> in {:?}",
            root.name, root.ns
        )));
    }
    Ok(Some(root))
}

fn names_in(prop: &Element) -> Vec<PropName> {
    prop.children
        .iter()
        .map(|c| PropName::new(&c.ns, &c.name))
        .collect()
}

/// Parses a PROPFIND body; an empty one asks for everything.
pub fn parse_propfind(body: &[u8]) -> Result<PropFind, XmlError> {
    let Some(root) = root(body, DAV, "propfind")? else {
        return Ok(PropFind::AllProp);
    };
    if root.child(DAV, "propname").is_some() {
        return Ok(PropFind::PropName);
    }
    if let Some(prop) = root.child(DAV, "prop") {
        return Ok(PropFind::Prop(names_in(prop)));
    }
    if root.child(DAV, "allprop").is_some() {
        return Ok(PropFind::AllProp);
    }
    Err(XmlError(
        "a <propfind> needs <prop>, <allprop/> or <propname/>".into(),
    ))
}

fn report_props(root: &Element) -> ReportProps {
    let mut out = ReportProps::default();
    if let Some(prop) = root.child(DAV, "prop") {
        for c in &prop.children {
            if c.is(CARDDAV, "address-data") {
                out.address_data = Some(AddressData {
                    version: c.attr("version").map(str::to_string),
                });
            } else {
                out.props.push(PropName::new(&c.ns, &c.name));
            }
        }
    }
    out
}

fn limit_of(el: Option<&Element>) -> Result<Option<usize>, XmlError> {
    let Some(el) = el else { return Ok(None) };
    let text = el
        .child(DAV, "nresults")
        .or_else(|| el.child(CARDDAV, "nresults"))
        .map(|n| n.text.trim().to_string())
        .unwrap_or_else(|| el.text.trim().to_string());
    text.parse::<usize>()
        .map(Some)
        .map_err(|_| XmlError(format!("<nresults> {text:?} is not a number")))
}

/// Parses a REPORT body.
pub fn parse_report(body: &[u8]) -> Result<Report, XmlError> {
    let root = xml::parse(body)?.ok_or_else(|| XmlError("a REPORT needs a body".into()))?;
    if root.is(CARDDAV, "addressbook-multiget") {
        let hrefs = root
            .children_named(DAV, "href")
            .map(|h| h.text.trim().to_string())
            .filter(|h| !h.is_empty())
            .collect();
        return Ok(Report::Multiget {
            props: report_props(&root),
            hrefs,
        });
    }
    if root.is(CARDDAV, "addressbook-query") {
        let filter = match root.child(CARDDAV, "filter") {
            Some(f) => Filter::parse(f)?,
            None => Filter::default(),
        };
        return Ok(Report::Query {
            props: report_props(&root),
            filter,
            limit: limit_of(root.child(CARDDAV, "limit"))?,
        });
    }
    if root.is(DAV, "sync-collection") {
        let token = root
            .child(DAV, "sync-token")
            .map(|t| t.text.trim().to_string())
            .unwrap_or_default();
        let level = root
            .child(DAV, "sync-level")
            .map(|l| l.text.trim().to_string())
            .unwrap_or_else(|| "1".into());
        if level != "1" {
            return Err(XmlError(format!(
                "sync-level {level:?}: only 1 is supported (an address book has no sub-collections)"
            )));
        }
        return Ok(Report::SyncCollection {
            token,
            props: report_props(&root),
            limit: limit_of(root.child(DAV, "limit"))?,
        });
    }
    Ok(Report::Unsupported {
        ns: root.ns,
        name: root.name,
    })
}

/// Parses a PROPPATCH body.
pub fn parse_proppatch(body: &[u8]) -> Result<PropPatch, XmlError> {
    let root = root(body, DAV, "propertyupdate")?
        .ok_or_else(|| XmlError("a PROPPATCH needs a <propertyupdate> body".into()))?;
    let mut out = PropPatch::default();
    for op in &root.children {
        let Some(prop) = op.child(DAV, "prop") else {
            continue;
        };
        if op.is(DAV, "set") {
            for p in &prop.children {
                out.set
                    .push((PropName::new(&p.ns, &p.name), p.text.trim().to_string()));
            }
        } else if op.is(DAV, "remove") {
            out.remove.extend(names_in(prop));
        }
    }
    Ok(out)
}

/// Parses an extended MKCOL body (RFC 5689); an empty body is a plain MKCOL.
pub fn parse_mkcol(body: &[u8]) -> Result<Mkcol, XmlError> {
    let Some(root) = root(body, DAV, "mkcol")? else {
        return Ok(Mkcol::default());
    };
    let mut out = Mkcol::default();
    for prop in root
        .children_named(DAV, "set")
        .filter_map(|s| s.child(DAV, "prop"))
    {
        for p in &prop.children {
            if p.is(DAV, "resourcetype") {
                out.addressbook |= p.child(CARDDAV, "addressbook").is_some();
            } else if p.is(DAV, "displayname") {
                out.displayname = Some(p.text.trim().to_string());
            } else if p.is(CARDDAV, "addressbook-description") {
                out.description = Some(p.text.trim().to_string());
            }
        }
    }
    Ok(out)
}
