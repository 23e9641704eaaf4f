//! dav-proto: the messages of WebDAV (RFC 4918) and CardDAV (RFC 6352),
//! with sync-collection (RFC 6578) and Apple's getctag: request bodies
//! parsed into plain values, multistatus answers and error bodies written,
//! the addressbook-query filter tested against a vCard's text. No database,
//! no HTTP framework: the server that uses it decides what exists.

pub mod client;
pub mod filter;
pub mod request;
pub mod response;
pub mod xml;

pub use filter::Filter;
pub use request::{
    AddressData, Mkcol, PropFind, PropName, PropPatch, Report, ReportProps, parse_mkcol,
    parse_propfind, parse_proppatch, parse_report,
};
pub use response::{Multistatus, Value, error_body, status_line};
pub use xml::{CALDAV, CARDDAV, CS, DAV, XmlError};
