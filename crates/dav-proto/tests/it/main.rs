//! dav-proto against the request bodies of the RFCs' examples (RFC 4918
//! §9.1.3-9.1.6, RFC 6352 §8.6.4 and §8.7.2, RFC 6578 §6, RFC 5689 §3.4)
//! and what real clients send; the filter against vCards; the writer's
//! output read back.

mod client;
use dav_proto::filter::{Collation, MatchType};
use dav_proto::response::{privileges, resourcetype, supported_address_data, supported_reports};
use dav_proto::*;

#[test]
fn propfind_bodies() {
    // RFC 4918 §9.1.3: named properties in several namespaces.
    let body = br#"<?xml version="1.0" encoding="utf-8" ?>
     <D:propfind xmlns:D="DAV:">
       <D:prop xmlns:R="http://ns.example.com/boxschema/">
         <R:bigbox/>
         <R:author/>
         <D:getetag/>
       </D:prop>
     </D:propfind>"#;
    assert_eq!(
        parse_propfind(body).unwrap(),
        PropFind::Prop(vec![
            PropName::new("http://ns.example.com/boxschema/", "bigbox"),
            PropName::new("http://ns.example.com/boxschema/", "author"),
            PropName::dav("getetag"),
        ])
    );
    // §9.1.4 propname, §9.1.5 allprop, and an empty body (= allprop).
    assert_eq!(
        parse_propfind(b"<propfind xmlns=\"DAV:\"><propname/></propfind>").unwrap(),
        PropFind::PropName
    );
    assert_eq!(
        parse_propfind(b"<D:propfind xmlns:D='DAV:'><D:allprop/></D:propfind>").unwrap(),
        PropFind::AllProp
    );
    assert_eq!(parse_propfind(b"  \r\n").unwrap(), PropFind::AllProp);
    // Not XML, or not a propfind: a message, never a panic.
    let e = parse_propfind(b"<D:propfind xmlns:D='DAV:'><D:prop>").unwrap_err();
    assert!(e.0.contains("ends before"), "{e}");
    let e = parse_propfind(b"<x:other xmlns:x='urn:x'/>").unwrap_err();
    assert!(e.0.contains("expected a <propfind>"), "{e}");
    assert!(parse_propfind(b"\xff\xfe").is_err());
}

#[test]
fn multiget_as_in_rfc_6352() {
    let body = br#"<?xml version="1.0" encoding="utf-8" ?>
   <C:addressbook-multiget xmlns:D="DAV:"
                           xmlns:C="urn:ietf:params:xml:ns:carddav">
     <D:prop>
       <D:getetag/>
       <C:address-data content-type="text/vcard" version="4.0">
         <C:prop name="VERSION"/>
         <C:prop name="UID"/>
         <C:prop name="NICKNAME"/>
         <C:prop name="EMAIL"/>
         <C:prop name="FN"/>
       </C:address-data>
     </D:prop>
     <D:href>/home/bernard/addressbook/vcf102.vcf</D:href>
     <D:href>/home/bernard/addressbook/vcf1&amp;2.vcf</D:href>
   </C:addressbook-multiget>"#;
    match parse_report(body).unwrap() {
        Report::Multiget { props, hrefs } => {
            assert_eq!(props.props, vec![PropName::dav("getetag")]);
            assert_eq!(props.address_data.unwrap().version.as_deref(), Some("4.0"));
            assert_eq!(
                hrefs,
                [
                    "/home/bernard/addressbook/vcf102.vcf",
                    "/home/bernard/addressbook/vcf1&2.vcf"
                ]
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn query_as_in_rfc_6352_and_tsdav() {
    let body = br#"<?xml version="1.0" encoding="utf-8" ?>
   <C:addressbook-query xmlns:D="DAV:"
                     xmlns:C="urn:ietf:params:xml:ns:carddav">
     <D:prop>
       <D:getetag/>
       <C:address-data>
         <C:prop name="VERSION"/>
         <C:prop name="UID"/>
         <C:prop name="NICKNAME"/>
         <C:prop name="EMAIL"/>
         <C:prop name="FN"/>
       </C:address-data>
     </D:prop>
     <C:filter test="anyof">
       <C:prop-filter name="FN">
         <C:text-match collation="i;unicode-casemap"
                       match-type="contains"
         >daboo</C:text-match>
       </C:prop-filter>
       <C:prop-filter name="EMAIL">
         <C:text-match collation="i;unicode-casemap"
                       match-type="contains"
         >daboo</C:text-match>
       </C:prop-filter>
     </C:filter>
     <C:limit><C:nresults>2</C:nresults></C:limit>
   </C:addressbook-query>"#;
    let Report::Query {
        props,
        filter,
        limit,
    } = parse_report(body).unwrap()
    else {
        panic!()
    };
    assert!(props.address_data.is_some());
    assert_eq!(limit, Some(2));
    assert_eq!(filter.props.len(), 2);
    assert_eq!(filter.props[1].name, "EMAIL");
    let tm = &filter.props[0].text_matches[0];
    assert_eq!(
        (tm.value.as_str(), tm.match_type, tm.collation, tm.negate),
        (
            "daboo",
            MatchType::Contains,
            Collation::UnicodeCasemap,
            false
        )
    );
    let cyrus = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Cyrus Daboo\r\nEMAIL;TYPE=work:cyrus@example.com\r\nEND:VCARD\r\n";
    let other = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Someone\r\nEMAIL:some\r\n one@DABOO.example\r\nEND:VCARD\r\n";
    let nobody = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Nobody\r\nEND:VCARD\r\n";
    assert!(filter.matches(cyrus));
    assert!(filter.matches(other), "folded line, case folded");
    assert!(!filter.matches(nobody));

    // tsdav: an empty prop-filter means "FN is defined"; no filter, all.
    let defined = br#"<c:addressbook-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/></d:prop><c:filter><c:prop-filter name="FN"/></c:filter></c:addressbook-query>"#;
    let Report::Query { filter, .. } = parse_report(defined).unwrap() else {
        panic!()
    };
    assert!(filter.matches(nobody));
    assert!(!filter.matches("BEGIN:VCARD\r\nVERSION:3.0\r\nN:X;;;;\r\nEND:VCARD\r\n"));
    let bare = br#"<c:addressbook-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/></d:prop></c:addressbook-query>"#;
    let Report::Query { filter, .. } = parse_report(bare).unwrap() else {
        panic!()
    };
    assert!(filter.matches(nobody));

    // allof, negation, is-not-defined, param-filter, ascii casemap, equals.
    let body = br#"<C:addressbook-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop><D:getetag/></D:prop>
      <C:filter test="allof">
        <C:prop-filter name="EMAIL" test="allof">
          <C:text-match match-type="ends-with">@example.com</C:text-match>
          <C:param-filter name="TYPE"><C:text-match match-type="equals" collation="i;ascii-casemap">WORK</C:text-match></C:param-filter>
        </C:prop-filter>
        <C:prop-filter name="FN"><C:text-match negate-condition="yes">nobody</C:text-match></C:prop-filter>
        <C:prop-filter name="NICKNAME"><C:is-not-defined/></C:prop-filter>
      </C:filter></C:addressbook-query>"#;
    let Report::Query { filter, .. } = parse_report(body).unwrap() else {
        panic!()
    };
    assert!(filter.matches(cyrus));
    assert!(!filter.matches(&cyrus.replace("TYPE=work", "TYPE=home")));
    assert!(!filter.matches(&cyrus.replace("FN:Cyrus", "NICKNAME:cy\r\nFN:Cyrus")));
    let bad = br#"<C:addressbook-query xmlns:C="urn:ietf:params:xml:ns:carddav"><C:filter><C:prop-filter name="FN"><C:text-match collation="i;klingon">x</C:text-match></C:prop-filter></C:filter></C:addressbook-query>"#;
    assert!(parse_report(bad).unwrap_err().0.contains("collation"));
}

#[test]
fn sync_collection_as_in_rfc_6578() {
    let body = br#"<?xml version="1.0" encoding="utf-8" ?>
   <D:sync-collection xmlns:D="DAV:">
     <D:sync-token>http://example.com/ns/sync/1234</D:sync-token>
     <D:sync-level>1</D:sync-level>
     <D:limit><D:nresults>100</D:nresults></D:limit>
     <D:prop xmlns:R="urn:ns.example.com:boxschema">
       <D:getetag/>
       <R:bigbox/>
     </D:prop>
   </D:sync-collection>"#;
    let Report::SyncCollection {
        token,
        props,
        limit,
    } = parse_report(body).unwrap()
    else {
        panic!()
    };
    assert_eq!(token, "http://example.com/ns/sync/1234");
    assert_eq!(limit, Some(100));
    assert_eq!(props.props.len(), 2);
    assert!(props.address_data.is_none());
    // The initial sync: an empty token.
    let initial = br#"<d:sync-collection xmlns:d="DAV:"><d:sync-token/><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>"#;
    assert!(
        matches!(parse_report(initial).unwrap(), Report::SyncCollection { token, .. } if token.is_empty())
    );
    let deep = br#"<d:sync-collection xmlns:d="DAV:"><d:sync-token/><d:sync-level>infinite</d:sync-level></d:sync-collection>"#;
    assert!(parse_report(deep).is_err());
    let other = br#"<D:expand-property xmlns:D="DAV:"/>"#;
    assert!(
        matches!(parse_report(other).unwrap(), Report::Unsupported { name, .. } if name == "expand-property")
    );
}

#[test]
fn proppatch_and_extended_mkcol() {
    let body = br#"<?xml version="1.0" encoding="utf-8" ?>
     <D:propertyupdate xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">
       <D:set><D:prop><D:displayname>Work &amp; play</D:displayname></D:prop></D:set>
       <D:remove><D:prop><C:addressbook-description/></D:prop></D:remove>
     </D:propertyupdate>"#;
    let patch = parse_proppatch(body).unwrap();
    assert_eq!(
        patch.set,
        vec![(PropName::dav("displayname"), "Work & play".to_string())]
    );
    assert_eq!(
        patch.remove,
        vec![PropName::carddav("addressbook-description")]
    );
    let mk = br#"<?xml version="1.0" encoding="utf-8" ?>
   <D:mkcol xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">
     <D:set><D:prop>
       <D:resourcetype><D:collection/><C:addressbook/></D:resourcetype>
       <D:displayname>Lisa's Contacts</D:displayname>
       <C:addressbook-description xml:lang="en">My primary address book.</C:addressbook-description>
     </D:prop></D:set>
   </D:mkcol>"#;
    let m = parse_mkcol(mk).unwrap();
    assert!(m.addressbook);
    assert_eq!(m.displayname.as_deref(), Some("Lisa's Contacts"));
    assert_eq!(m.description.as_deref(), Some("My primary address book."));
    assert_eq!(parse_mkcol(b"").unwrap(), Mkcol::default());
}

#[test]
fn multistatus_is_written_as_clients_read_it() {
    let mut ms = Multistatus::new();
    ms.response(
        "/dav/ada/contacts/",
        &[
            (
                PropName::dav("resourcetype"),
                resourcetype(&[
                    PropName::dav("collection"),
                    PropName::carddav("addressbook"),
                ]),
            ),
            (
                PropName::dav("displayname"),
                Value::Text("Ada's <book>".into()),
            ),
            (
                PropName::dav("current-user-principal"),
                Value::Href("/dav/ada/".into()),
            ),
            (
                PropName::dav("current-user-privilege-set"),
                privileges(&["read", "write"]),
            ),
            (
                PropName::dav("supported-report-set"),
                supported_reports(&[PropName::carddav("addressbook-multiget")]),
            ),
            (
                PropName::carddav("supported-address-data"),
                supported_address_data(&["3.0", "4.0"]),
            ),
            (PropName::new(CS, "getctag"), Value::Text("7".into())),
        ],
        &[PropName::new("urn:x-unknown", "thing")],
    );
    ms.status("/dav/ada/contacts/gone.vcf", 404);
    ms.sync_token("urn:kith:sync:7");
    let text = ms.finish();
    // The 200 propstat comes first; statuses are HTTP/1.1 lines.
    let first = text.find("<D:status>").unwrap();
    assert!(
        text[first..].starts_with("<D:status>HTTP/1.1 200 OK</D:status>"),
        "{text}"
    );
    assert!(
        text.contains("<X:thing xmlns:X=\"urn:x-unknown\"/>"),
        "{text}"
    );
    assert!(text.contains("Ada's &lt;book&gt;"), "{text}");
    assert!(text.contains("<C:address-data-type content-type=\"text/vcard\" version=\"4.0\"/>"));
    assert!(text.contains("<D:response><D:href>/dav/ada/contacts/gone.vcf</D:href><D:status>HTTP/1.1 404 Not Found</D:status></D:response>"));
    // What was written parses back.
    let root = dav_proto::xml::parse(text.as_bytes()).unwrap().unwrap();
    assert!(root.is(DAV, "multistatus"));
    assert_eq!(root.children_named(DAV, "response").count(), 2);
    assert_eq!(
        root.child(DAV, "sync-token").unwrap().text,
        "urn:kith:sync:7"
    );
    let err = error_body(&PropName::dav("propfind-finite-depth"), None);
    assert!(err.contains("<D:propfind-finite-depth/>"), "{err}");
}

#[test]
fn a_card_answer_carries_its_text_escaped_and_reads_back_the_same() {
    let vcard =
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Zoë <Ünïcode> & \"Co\"\r\nNOTE:a > b\r\nEND:VCARD\r\n";
    let mut ms = Multistatus::new();
    ms.reserve(4096);
    ms.card(
        "/dav/ada/contacts/zoë & co.vcf",
        &[(PropName::dav("getetag"), Value::Text("\"7\"".into()))],
        Some((&PropName::carddav("address-data"), vcard)),
        &[PropName::dav("displayname")],
    );
    let text = ms.finish();
    assert!(
        text.contains("FN:Zoë &lt;Ünïcode&gt; &amp; &quot;Co&quot;&#13;\n"),
        "{text}"
    );
    let root = dav_proto::xml::parse(text.as_bytes()).unwrap().unwrap();
    let response = root.child(DAV, "response").unwrap();
    assert_eq!(
        response.child(DAV, "href").unwrap().text,
        "/dav/ada/contacts/zoë & co.vcf"
    );
    let stats: Vec<_> = response.children_named(DAV, "propstat").collect();
    assert_eq!(stats.len(), 2);
    let prop = stats[0].child(DAV, "prop").unwrap();
    // The CRs come back: the card is the same, byte for byte.
    assert_eq!(prop.child(CARDDAV, "address-data").unwrap().text, vcard);
    assert_eq!(prop.child(DAV, "getetag").unwrap().text, "\"7\"");
    assert!(
        stats[1]
            .child(DAV, "prop")
            .unwrap()
            .child(DAV, "displayname")
            .is_some()
    );
}

/// Issue 20: a body nesting 100,000 elements (about 700 KB) overflowed the
/// stack of the thread that dropped its tree and aborted `kith serve`. It is
/// refused as soon as it passes the depth limit, whatever walks it after.
#[test]
fn deeply_nested_bodies_are_refused_not_walked() {
    let deep = |n: usize| {
        let mut body = String::from("<D:propfind xmlns:D='DAV:'><D:prop>");
        body.push_str(&"<D:x>".repeat(n));
        body.push_str(&"</D:x>".repeat(n));
        body.push_str("</D:prop></D:propfind>");
        body
    };
    for parse in [
        |b: &[u8]| parse_propfind(b).map(|_| ()),
        |b: &[u8]| parse_report(b).map(|_| ()),
        |b: &[u8]| parse_proppatch(b).map(|_| ()),
        |b: &[u8]| parse_mkcol(b).map(|_| ()),
    ] {
        let e = parse(deep(100_000).as_bytes()).unwrap_err();
        assert!(e.0.contains("more than 64 deep"), "{e}");
    }
    // Real requests nest a few levels and still parse.
    assert!(parse_propfind(deep(50).as_bytes()).is_ok());
    // Unclosed nesting is refused the same way, before the end is reached.
    let open = format!("<D:propfind xmlns:D='DAV:'>{}", "<D:x>".repeat(100_000));
    assert!(
        parse_propfind(open.as_bytes())
            .unwrap_err()
            .0
            .contains("deep")
    );
}
