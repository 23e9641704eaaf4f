//! CardDAV reads of many cards at once take one of three ways (a lookup
//! per href, one listing of the book, or one read of the book with every
//! uploaded text); each answers alike: an uploaded card exactly as
//! uploaded, a card made in kith written out, an href asked twice answered
//! twice, an unknown href as missing.

use crate::app_as;
use kith_app::App;
use kith_app::people::PersonEdit;
use kith_store::testing::stores;

fn uploaded(i: usize) -> String {
    format!(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:card-{i}\r\nN:Person;Number{i};;;\r\nFN:Number{i} Person\r\n\
         item1.EMAIL;type=INTERNET:n{i}@example.org\r\nitem1.X-ABLabel:_$!<Other>!$_\r\nEND:VCARD\r\n"
    )
}

/// The number of an uploaded card's href (`c7.vcf`).
fn numbered(href: &str) -> Option<usize> {
    href.strip_prefix('c')?.strip_suffix(".vcf")?.parse().ok()
}

/// (href, text) for each href asked, in order.
async fn read(app: &App, hrefs: &[String]) -> Vec<(String, Option<String>)> {
    app.dav_read("contacts", hrefs, None)
        .await
        .unwrap()
        .into_iter()
        .map(|(h, b)| (h, b.map(|b| b.text)))
        .collect()
}

#[tokio::test]
async fn every_way_of_reading_many_cards_answers_alike() {
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let app = app_as(&store, "alice").await;
        for i in 0..50 {
            app.dav_put("contacts", &format!("c{i}.vcf"), &uploaded(i), None, true)
                .await
                .unwrap();
        }
        app.add_person(&PersonEdit {
            name: Some("Made Inkith".into()),
            ..Default::default()
        })
        .await
        .unwrap();
        let listing = app.dav_list("contacts").await.unwrap();
        assert_eq!(listing.len(), 51, "{engine}");
        let made = listing
            .iter()
            .find(|c| numbered(&c.href).is_none())
            .unwrap()
            .href
            .clone();

        // Most of the book (one read with the texts), part of it (the
        // listing), and a few hrefs at a time (a lookup each).
        let mut most: Vec<String> = listing.iter().map(|c| c.href.clone()).collect();
        most.extend(["c0.vcf".to_string(), "nope.vcf".to_string()]);
        let part: Vec<String> = most[..20]
            .iter()
            .cloned()
            .chain([made.clone(), "c0.vcf".into(), "nope.vcf".into()])
            .collect();
        for hrefs in [most, part] {
            let together = read(&app, &hrefs).await;
            let mut one_by_one = Vec::new();
            for chunk in hrefs.chunks(7) {
                one_by_one.extend(read(&app, chunk).await);
            }
            assert_eq!(together, one_by_one, "{engine}: {} hrefs", hrefs.len());
            assert_eq!(together.len(), hrefs.len(), "{engine}");
            for (href, text) in &together {
                match href.as_str() {
                    "nope.vcf" => assert_eq!(text, &None, "{engine}"),
                    h if h == made => {
                        assert!(
                            text.as_ref().unwrap().contains("FN:Made Inkith"),
                            "{engine}"
                        )
                    }
                    h => {
                        let i = numbered(h).unwrap();
                        assert_eq!(text.as_deref(), Some(uploaded(i).as_str()), "{engine}: {h}");
                    }
                }
            }
            let c0 = together.iter().filter(|(h, _)| h == "c0.vcf").count();
            assert_eq!(c0, 2, "{engine}: an href asked twice is answered twice");
        }
    }
}
