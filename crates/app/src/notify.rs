//! The words of every email kith sends: the confirmation of an address,
//! the two steps of an introduction, "send my new details" and the
//! digest. Each function only writes a [`Mail`] from values already looked
//! up; who gets it, when, and what happens when sending fails stay with the
//! use case. Every value put into a mail's HTML part goes through
//! [`html_escape`], the one escaper (the web crate uses it too, for its
//! server-drawn map and error pages; askama escapes the templates itself).

/// One email's subject and its two bodies.
#[derive(Clone, Debug, PartialEq)]
pub struct Mail {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// `s` with the characters HTML gives a meaning to (`& < > " '`) written
/// as entities, safe in text and in a quoted attribute.
pub fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Asks `email`'s owner (`name`) to confirm the address by opening `link`.
pub(crate) fn confirm_email(name: &str, email: &str, link: &str) -> Mail {
    Mail {
        subject: "Confirm your email address on kith".into(),
        text: format!(
            "Hello {name},\n\nto confirm that {email} is yours on kith, open this link:\n\n{link}\n\n\
             Members who have this address in their address book may then see that you are a member.\n\
             If you did not ask for this, ignore this message.\n"
        ),
        html: format!(
            "<p>Hello {},</p><p>to confirm that {} is yours on kith, <a href=\"{}\">open this link</a>.</p>\
             <p>Members who have this address in their address book may then see that you are a member. \
             If you did not ask for this, ignore this message.</p>",
            html_escape(name),
            html_escape(email),
            html_escape(link)
        ),
    }
}

/// The first step of an introduction: the broker asks `name` whether they
/// would like to meet the requester; `message` is the requester's (may be
/// empty) and `link` where to answer.
pub(crate) fn introduction_question(
    name: &str,
    broker: &str,
    requester: &str,
    message: &str,
    link: &str,
) -> Mail {
    let (quote, quote_html) = if message.is_empty() {
        (String::new(), String::new())
    } else {
        (
            format!("\n\nTheir message:\n\n{message}\n"),
            format!("<blockquote>{}</blockquote>", html_escape(message)),
        )
    };
    Mail {
        subject: format!("{broker} would like to introduce you to {requester}"),
        text: format!(
            "Hello {name},\n\n{broker} would like to introduce you to {requester}.{quote}\n\
             Would you like the introduction? Answer here (yes or no):\n\n{link}\n\n\
             Nothing is shared with {requester} unless you say yes.\n"
        ),
        html: format!(
            "<p>Hello {},</p><p>{} would like to introduce you to {}.</p>{quote_html}<p><a href=\"{}\">Answer yes or no</a>. \
             Nothing is shared with {} unless you say yes.</p>",
            html_escape(name),
            html_escape(broker),
            html_escape(requester),
            html_escape(link),
            html_escape(requester),
        ),
    }
}

/// Who is introduced to whom, once the person asked said yes.
pub(crate) struct Introduction<'a> {
    pub broker: &'a str,
    pub requester: &'a str,
    pub requester_email: Option<&'a str>,
    pub contact: &'a str,
    pub contact_email: &'a str,
    /// The broker made the introduction themselves (only the contact was
    /// asked), so the broker wrote the message.
    pub by_broker: bool,
    pub message: &'a str,
}

/// The introduction itself, the same mail to all three.
pub(crate) fn introduction(i: &Introduction) -> Mail {
    let Introduction {
        broker,
        requester,
        contact,
        ..
    } = *i;
    let (why, author) = if i.by_broker {
        (
            format!("{broker} thought you two should know each other, and {contact} said yes."),
            broker,
        )
    } else {
        (
            format!("{broker} thought you two should know each other, and you both said yes."),
            requester,
        )
    };
    let text = format!(
        "{requester}, meet {contact} ({}).\n{contact}, meet {requester}{}.\n\n{why}\n{}\n",
        i.contact_email,
        i.requester_email
            .map(|e| format!(" ({e})"))
            .unwrap_or_default(),
        if i.message.is_empty() {
            String::new()
        } else {
            format!("\n{author} wrote:\n\n{}\n", i.message)
        },
    );
    Mail {
        subject: format!("Introduction: {requester} and {contact}"),
        html: format!("<pre>{}</pre>", html_escape(&text)),
        text,
    }
}

/// "Send my new details": `member`'s shared `fields` (label, value) to
/// `name`, with the attached card's `file` name and the `unsubscribe` link.
pub(crate) fn new_details(
    name: &str,
    member: &str,
    fields: &[(String, String)],
    file: &str,
    unsubscribe: &str,
) -> Mail {
    let details: String = fields
        .iter()
        .map(|(l, v)| format!("  {l}: {v}\n"))
        .collect();
    let rows: String = fields
        .iter()
        .map(|(l, v)| {
            format!(
                "<tr><th>{}</th><td>{}</td></tr>",
                html_escape(l),
                html_escape(v)
            )
        })
        .collect();
    Mail {
        subject: format!("{member} has new contact details"),
        text: format!(
            "Hello {name},\n\n{member} has new contact details and asked kith to send them to you:\n\n{details}\n\
             Their card is attached ({file}): open it to update your address book.\n\n\
             You get this because {member} picked you. To get no more emails from {member} \
             through this kith server: {unsubscribe}\n"
        ),
        html: format!(
            "<p>Hello {},</p><p>{} has new contact details and asked kith to send them to you:</p>\
             <table>{rows}</table><p>Their card is attached ({}).</p>\
             <p><small>You get this because {} picked you. <a href=\"{}\">No more emails from {}</a>.</small></p>",
            html_escape(name),
            html_escape(member),
            html_escape(file),
            html_escape(member),
            html_escape(unsubscribe),
            html_escape(member),
        ),
    }
}

/// One line of a digest section: a name, why it is there (may be empty)
/// and the link to the person.
pub(crate) struct DigestRow {
    pub name: String,
    pub why: String,
    pub url: String,
}

/// The digest from its sections (title, rows; empty sections are left
/// out), the counts for its subject and the settings page's address.
pub(crate) fn digest(
    sections: Vec<(String, Vec<DigestRow>)>,
    counts: &[String],
    settings_url: &str,
) -> Mail {
    let mut text = String::new();
    let mut html = String::from(
        "<!doctype html><html><body style=\"font-family: sans-serif; line-height: 1.4\">",
    );
    for (title, rows) in sections.into_iter().filter(|(_, r)| !r.is_empty()) {
        text.push_str(&format!("{title}\n"));
        html.push_str(&format!("<h2>{}</h2><ul>", html_escape(&title)));
        for DigestRow { name, why, url } in rows {
            if why.is_empty() {
                text.push_str(&format!("- {name}\n  {url}\n"));
                html.push_str(&format!(
                    "<li><a href=\"{}\">{}</a></li>",
                    html_escape(&url),
                    html_escape(&name)
                ));
            } else {
                text.push_str(&format!("- {name}: {why}\n  {url}\n"));
                html.push_str(&format!(
                    "<li><a href=\"{}\">{}</a>: {}</li>",
                    html_escape(&url),
                    html_escape(&name),
                    html_escape(&why)
                ));
            }
        }
        text.push('\n');
        html.push_str("</ul>");
    }
    text.push_str(&format!(
        "How often this digest comes, or to stop it: {settings_url}\n"
    ));
    html.push_str(&format!(
        "<p style=\"color: #666\"><a href=\"{}\">How often this digest comes, or to stop it</a></p></body></html>",
        html_escape(settings_url)
    ));
    let subject = if counts.is_empty() {
        "kith: nothing to report".to_string()
    } else {
        format!("kith: {}", counts.join(", "))
    };
    Mail {
        subject,
        text,
        html,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            html_escape("<b>\"A&B\"</b>"),
            "&lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt;"
        );
        assert_eq!(html_escape("O'Brien"), "O&#39;Brien");
        assert_eq!(html_escape("&amp;"), "&amp;amp;");
    }

    #[test]
    fn every_value_in_a_mails_html_is_escaped() {
        let evil = "<script>'x'</script>";
        let mails = [
            confirm_email(evil, evil, evil),
            introduction_question(evil, evil, evil, evil, evil),
            introduction(&Introduction {
                broker: evil,
                requester: evil,
                requester_email: Some(evil),
                contact: evil,
                contact_email: evil,
                by_broker: false,
                message: evil,
            }),
            new_details(evil, evil, &[(evil.into(), evil.into())], evil, evil),
            digest(
                vec![(
                    evil.into(),
                    vec![DigestRow {
                        name: evil.into(),
                        why: evil.into(),
                        url: evil.into(),
                    }],
                )],
                &[],
                evil,
            ),
        ];
        for mail in mails {
            assert!(!mail.html.contains("<script>"), "{}", mail.html);
            assert!(mail.text.contains(evil), "{}", mail.text);
        }
    }

    #[test]
    fn the_digest_leaves_empty_sections_out() {
        let mail = digest(
            vec![
                ("Reach out (0)".into(), vec![]),
                (
                    "Losing touch".into(),
                    vec![DigestRow {
                        name: "Ada".into(),
                        why: String::new(),
                        url: "http://k/people/1".into(),
                    }],
                ),
            ],
            &["1 losing touch".into()],
            "http://k/settings",
        );
        assert_eq!(mail.subject, "kith: 1 losing touch");
        assert!(!mail.text.contains("Reach out"));
        assert!(
            mail.text
                .starts_with("Losing touch\n- Ada\n  http://k/people/1\n")
        );
    }
}
