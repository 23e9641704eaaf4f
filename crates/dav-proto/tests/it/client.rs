//! The client side: a multistatus answer as Radicale and Nextcloud write
//! them (prefixes of their own, a 404 propstat beside the 200 one).

use dav_proto::client::{addressbook_multiget, parse_multistatus};

#[test]
fn a_multistatus_answer_is_read_into_entries() {
    let body = br#"<?xml version='1.0' encoding='utf-8'?>
<multistatus xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:CR="urn:ietf:params:xml:ns:carddav">
  <response>
    <href>/alice/</href>
    <propstat><prop>
      <resourcetype><collection/><principal/></resourcetype>
      <current-user-principal><href>/alice/</href></current-user-principal>
      <C:calendar-home-set><href>/alice/</href></C:calendar-home-set>
      <CR:addressbook-home-set><href>/alice/</href></CR:addressbook-home-set>
    </prop><status>HTTP/1.1 200 OK</status></propstat>
    <propstat><prop><displayname/></prop><status>HTTP/1.1 404 Not Found</status></propstat>
  </response>
  <response>
    <href>/alice/work/</href>
    <propstat><prop>
      <resourcetype><collection/><C:calendar/></resourcetype>
      <C:supported-calendar-component-set><C:comp name="VEVENT"/><C:comp name="VTODO"/></C:supported-calendar-component-set>
      <displayname>Work</displayname>
    </prop><status>HTTP/1.1 200 OK</status></propstat>
  </response>
  <response>
    <href>/alice/contacts/a%20b.vcf</href>
    <propstat><prop>
      <getetag>"e1"</getetag>
      <CR:address-data>BEGIN:VCARD&#13;
VERSION:3.0&#13;
FN:A &amp; B&#13;
END:VCARD&#13;
</CR:address-data>
    </prop><status>HTTP/1.1 200 OK</status></propstat>
  </response>
  <response><href>/alice/contacts/gone.vcf</href><status>HTTP/1.1 404 Not Found</status></response>
</multistatus>"#;
    let entries = parse_multistatus(body, "the answer").unwrap();
    assert_eq!(entries.len(), 4);
    assert_eq!(entries[0].principal.as_deref(), Some("/alice/"));
    assert_eq!(entries[0].calendar_home.as_deref(), Some("/alice/"));
    assert_eq!(entries[0].addressbook_home.as_deref(), Some("/alice/"));
    assert!(
        entries[0].display_name.is_none(),
        "the 404 propstat is not read"
    );
    assert!(entries[1].is_calendar() && entries[1].is_collection());
    assert_eq!(entries[1].components, ["VEVENT", "VTODO"]);
    assert_eq!(entries[1].display_name.as_deref(), Some("Work"));
    assert_eq!(entries[2].etag.as_deref(), Some("\"e1\""));
    assert!(entries[2].data.as_deref().unwrap().contains("FN:A & B"));
    assert!(!entries[3].ok);
    assert!(parse_multistatus(b"<error xmlns='DAV:'/>", "the answer").is_err());
    let body = addressbook_multiget(["/a/<b>.vcf"]);
    assert!(body.contains("<d:href>/a/&lt;b&gt;.vcf</d:href>"), "{body}");
}
