//! Capturing interactions from LinkedIn's `messages.csv` and
//! `Invitations.csv`: a synthetic export whose correspondents are known,
//! checked exactly (who is matched by profile, who is created, which
//! interactions, drafts and strangers, re-import adds nothing).

use crate::{app_as, write};
use kith_app::import::{ImportOptions, NoProgress};
use kith_store::PeopleFilter;
use kith_store::testing::stores;

const CONNECTIONS: &str = "Notes:\n\"When exporting your connection data, you may notice that some of the email addresses are missing.\"\n\nFirst Name,Last Name,URL,Email Address,Company,Position,Connected On\nAda,Lovelace,https://www.linkedin.com/in/ada-lovelace,,Analytical Engines,Countess,15 Mar 2024\nCharles,Babbage,https://www.linkedin.com/in/charles-b,,Difference Ltd,Inventor,16 Mar 2024\n";

const HEADER: &str = "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,SUBJECT,CONTENT,FOLDER,IS MESSAGE DRAFT\n";

fn row(conv: &str, from: (&str, &str), to: &[(&str, &str)], date: &str, draft: bool) -> String {
    let names: Vec<&str> = to.iter().map(|t| t.0).collect();
    let urls: Vec<String> = to
        .iter()
        .map(|t| format!("https://www.linkedin.com/in/{}", t.1))
        .collect();
    format!(
        "{conv},,{},https://www.linkedin.com/in/{},\"{}\",{},{date},Subject {conv},\"<p>body, with a comma\nand a line</p>\",INBOX,{}\n",
        from.0,
        from.1,
        names.join(","),
        urls.join(";"),
        if draft { "Yes" } else { "No" }
    )
}

#[tokio::test]
async fn linkedin_messages_and_invitations_become_interactions() {
    let me = ("Mia Owner", "mia-owner");
    let ada = ("Ada Lovelace", "ada-lovelace");
    let charles = ("Charles Babbage", "charles-b");
    let grace = ("Grace Hopper", "grace-h");
    let recruiter = ("Rex Recruiter", "rex-r");
    let mut messages = HEADER.to_string();
    messages += &row("A", me, &[ada], "2025-10-01 09:00:00 UTC", false);
    messages += &row("A", ada, &[me], "2025-10-02 09:00:00 UTC", false);
    messages += &row("B", me, &[grace], "2025-10-03 09:00:00 UTC", false);
    messages += &row("C", recruiter, &[me], "2025-10-04 09:00:00 UTC", false);
    messages += &row("D", charles, &[me, ada], "2025-10-05 09:00:00 UTC", false);
    messages += &row("A", me, &[ada], "2025-10-06 09:00:00 UTC", true);
    messages += &row("A", me, &[ada], "last tuesday", false);
    let invitations = "From,To,Sent At,Message,Direction,inviterProfileUrl,inviteeProfileUrl\n\
        Mia Owner,Hedy Lamarr,\"9/27/25, 8:41 AM\",,OUTGOING,https://www.linkedin.com/in/mia-owner,https://www.linkedin.com/in/hedy-l\n\
        Sam Spam,Mia Owner,\"9/28/25, 8:41 PM\",Buy now,INCOMING,https://www.linkedin.com/in/sam-spam,https://www.linkedin.com/in/mia-owner\n\
        Ada Lovelace,Mia Owner,\"9/29/25, 10:00 AM\",Hello again,INCOMING,https://www.linkedin.com/in/ada-lovelace,https://www.linkedin.com/in/mia-owner\n\
        Mia Owner,Alan Turing,\"9/30/25, 10:00 AM\",,SIDEWAYS,https://www.linkedin.com/in/mia-owner,https://www.linkedin.com/in/alan-t\n";

    for (store, _guard) in stores().await {
        let engine = store.engine();
        let app = app_as(&store, "me").await;
        let dir = tempfile::tempdir().unwrap();
        let opts = ImportOptions::default();
        let connections = write(dir.path(), "Connections.csv", CONNECTIONS);
        app.import_path(&connections, &opts, &NoProgress)
            .await
            .unwrap();

        // One 1:1 conversation: either side could be the owner.
        let alone = write(
            dir.path(),
            "alone.csv",
            &(HEADER.to_string() + &row("Z", me, &[ada], "2025-10-01 09:00:00 UTC", false)),
        );
        let refused = app.import_path(&alone, &opts, &NoProgress).await.unwrap();
        let refused = refused.imported[0].1.as_ref().unwrap_err().to_string();
        assert!(refused.contains("which participant is you"), "{refused}");

        let path = write(dir.path(), "messages.csv", &messages);
        let done = app.import_path(&path, &opts, &NoProgress).await.unwrap();
        let r = done.imported[0].1.as_ref().unwrap();
        assert_eq!(r.format, "linkedin-messages", "{engine}");
        assert_eq!(r.records, 6, "{engine}: {r:?}");
        assert_eq!(r.problems.len(), 1, "{engine}: the unreadable date: {r:?}");
        // Each body spans two lines: the seventh row starts on line 14.
        assert_eq!(r.problems[0].line, 14, "{engine}: {r:?}");
        assert_eq!(
            r.interactions, 4,
            "{engine}: Ada 2, Grace 1, Charles 1; the recruiter none: {r:?}"
        );
        assert_eq!(r.created, 1, "{engine}: Grace, written to: {r:?}");
        assert_eq!(r.updated, 2, "{engine}: Ada and Charles, by profile: {r:?}");

        let people = app.list_people(&PeopleFilter::default()).await.unwrap();
        let mut names: Vec<&str> = people.iter().map(|p| p.name.as_str()).collect();
        names.sort();
        assert_eq!(
            names,
            ["Ada Lovelace", "Charles Babbage", "Grace Hopper"],
            "{engine}"
        );
        let id_of = |name: &str| {
            people
                .iter()
                .find(|p| p.name == name)
                .unwrap()
                .id
                .to_string()
        };
        let hers = app.interactions(&id_of("Ada Lovelace"), 50).await.unwrap();
        let ways: Vec<(&str, &str)> = hers
            .iter()
            .map(|i| (i.kind.as_str(), i.direction.as_str()))
            .collect();
        assert_eq!(
            ways,
            [("message", "incoming"), ("message", "outgoing")],
            "{engine}"
        );
        assert!(
            hers.iter().all(|i| i.note.is_none()),
            "{engine}: no subjects"
        );
        let his = app
            .interactions(&id_of("Charles Babbage"), 50)
            .await
            .unwrap();
        assert_eq!(his.len(), 1, "{engine}");
        assert_eq!(his[0].direction.as_str(), "incoming", "{engine}");

        let again = app.import_path(&path, &opts, &NoProgress).await.unwrap();
        let again = again.imported[0].1.as_ref().unwrap();
        assert_eq!(
            (again.interactions, again.created, again.unchanged),
            (0, 0, 4),
            "{engine}"
        );

        let path = write(dir.path(), "Invitations.csv", invitations);
        let done = app.import_path(&path, &opts, &NoProgress).await.unwrap();
        let r = done.imported[0].1.as_ref().unwrap();
        assert_eq!(r.format, "linkedin-invitations", "{engine}");
        assert_eq!(
            (r.records, r.interactions, r.created, r.problems.len()),
            (3, 2, 1, 1),
            "{engine}: Hedy invited (created), Ada's invitation; the spammer none: {r:?}"
        );
        assert!(
            r.problems[0].message.contains("SIDEWAYS"),
            "{engine}: {r:?}"
        );
        let hers = app.interactions(&id_of("Ada Lovelace"), 50).await.unwrap();
        assert_eq!(hers.len(), 3, "{engine}");
        // Newest first: the invitation (29 September) came before the messages.
        assert_eq!(hers[2].note.as_deref(), Some("LinkedIn invitation"));
        let people = app.list_people(&PeopleFilter::default()).await.unwrap();
        assert!(
            people.iter().any(|p| p.name == "Hedy Lamarr")
                && !people.iter().any(|p| p.name == "Sam Spam"),
            "{engine}"
        );
    }
}
