//! Privacy between accounts: one account cannot read, change, merge, export
//! or even detect another account's people; their ids answer exactly like
//! ids that do not exist.

use crate::{app_as, import, write};
use kith_app::export::ExportFormat;
use kith_store::testing::stores;

#[tokio::test]
async fn another_accounts_people_are_invisible() {
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let alice = app_as(&store, "alice").await;
        let bob = app_as(&store, "bob").await;
        let dir = tempfile::tempdir().unwrap();
        let f = write(
            dir.path(),
            "a.vcf",
            "BEGIN:VCARD\nVERSION:3.0\nFN:Ada Lovelace\nEMAIL:ada@example.org\nEND:VCARD\nBEGIN:VCARD\nVERSION:3.0\nFN:Ada Lovelace\nEMAIL:ada2@example.org\nEND:VCARD\n",
        );
        import(&alice, &f).await;
        let ada = alice.find_person("ada@example.org").await.unwrap();
        let id = ada.id.to_string();
        let unknown = kith_core::PersonId::new().to_string();

        let hidden = bob.find_person(&id).await.unwrap_err().to_string();
        let absent = bob.find_person(&unknown).await.unwrap_err().to_string();
        assert_eq!(
            hidden.replace(&id, "ID"),
            absent.replace(&unknown, "ID"),
            "{engine}: same answer as a missing id"
        );
        assert!(
            bob.find_person("ada@example.org").await.is_err(),
            "{engine}"
        );
        assert!(
            bob.list_people(&Default::default())
                .await
                .unwrap()
                .is_empty(),
            "{engine}"
        );
        assert!(bob.duplicates().await.unwrap().is_empty(), "{engine}");
        assert!(
            bob.edit_person(&id, &Default::default()).await.is_err(),
            "{engine}"
        );
        assert!(bob.delete_person(&id).await.is_err(), "{engine}");
        assert!(bob.merge_people(&id, &unknown).await.is_err(), "{engine}");
        assert!(bob.unmerge(&id).await.is_err(), "{engine}");
        let mut out = Vec::new();
        assert_eq!(
            bob.export(ExportFormat::Json, &mut out).await.unwrap(),
            0,
            "{engine}"
        );

        // Bob importing the same card gets his own person, unrelated to Alice's.
        import(&bob, &f).await;
        let bobs = bob.find_person("ada@example.org").await.unwrap();
        assert_ne!(bobs.id, ada.id, "{engine}");
        assert_eq!(
            alice.find_person(&id).await.unwrap().card,
            ada.card,
            "{engine}: Alice's card untouched"
        );
    }
}
