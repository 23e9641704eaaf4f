//! Terminal output: reports, lists and cards as text, JSON for scripts, and
//! the import progress bar (shown only for imports longer than a second).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use kith_app::import::{ImportReport, Progress};
use kith_app::{PersonView, SuggestionView};
use std::time::{Duration, Instant};

pub(crate) fn json<T: serde::Serialize + ?Sized>(value: &T) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    use std::io::Write;
    writeln!(out)?;
    Ok(())
}

pub(crate) fn import_report(r: &ImportReport) {
    let prefix = if r.dry_run {
        "dry run, nothing written: "
    } else {
        ""
    };
    if matches!(r.format.as_str(), "mbox" | "maildir" | "eml" | "ics") {
        let what = if r.format == "ics" {
            "events"
        } else {
            "messages"
        };
        println!(
            "{}: {prefix}{} {what} as {} — {} interactions added, {} already imported, {} people created, {} matched, {} skipped (lists, bulk, no-reply, strangers, cancelled or future events, unreadable)",
            r.file,
            r.records,
            r.format,
            r.interactions,
            r.unchanged,
            r.created,
            r.updated,
            r.skipped
        );
    } else {
        println!(
            "{}: {prefix}{} records as {} — {} created, {} merged ({} updated people, {} unchanged), {} duplicate suggestions, {} skipped",
            r.file,
            r.records,
            r.format,
            r.created,
            r.merged,
            r.updated,
            r.unchanged,
            r.suggested,
            r.skipped
        );
    }
    if !r.problems.is_empty() {
        println!("problems ({}):", r.problem_count());
        for p in &r.problems {
            println!("  {p}");
        }
        if let Some(more) = r.more_problems_line() {
            println!("  {more}");
        }
    }
    if !r.warnings.is_empty() {
        println!("warnings ({}):", r.warning_count());
        for w in &r.warnings {
            println!("  {w}");
        }
        if let Some(more) = r.more_warnings_line() {
            println!("  {more}");
        }
    }
}

pub(crate) fn people_list(list: &[PersonView]) {
    for p in list {
        let work = match (&p.title, &p.organization) {
            (Some(t), Some(o)) => format!("{t}, {o}"),
            (None, Some(o)) => o.clone(),
            (Some(t), None) => t.clone(),
            (None, None) => String::new(),
        };
        let email = p.emails.first().cloned().unwrap_or_default();
        println!("{}  {:<30} {:<32} {}", p.id, p.name, email, work);
    }
    println!("{} people", list.len());
}

pub(crate) fn person(p: &PersonView) {
    let c = &p.card;
    println!("{}{}", p.name, if p.is_me { " (you)" } else { "" });
    println!("  id: {}", p.id);
    for n in &c.other_names {
        println!("  also known as: {}", n.display());
    }
    if !p.nicknames.is_empty() {
        println!("  nicknames: {}", p.nicknames.join(", "));
    }
    let kinds = |k: &[String], l: &Option<String>| {
        let mut v: Vec<String> = k.to_vec();
        v.extend(l.clone());
        if v.is_empty() {
            String::new()
        } else {
            format!(" ({})", v.join(", "))
        }
    };
    for e in &c.emails {
        println!("  email: {}{}", e.value, kinds(&e.kinds, &e.label));
    }
    for t in &c.phones {
        println!("  phone: {}{}", t.value, kinds(&t.kinds, &t.label));
    }
    for u in &c.urls {
        println!("  url: {}", u.value);
    }
    for a in &c.addresses {
        println!("  address: {}{}", a.one_line(), kinds(&a.kinds, &a.label));
    }
    for b in &c.birthdays {
        println!("  birthday: {}", b.value);
    }
    for pos in &c.positions {
        let dates = match (&pos.start, &pos.end) {
            (None, None) => String::new(),
            (s, e) => format!(
                " [{} – {}]",
                s.as_deref().unwrap_or("?"),
                e.as_deref().unwrap_or("now")
            ),
        };
        let title = if pos.title.is_empty() {
            String::new()
        } else {
            format!("{}, ", pos.title)
        };
        println!("  job: {title}{}{dates}", pos.organization);
    }
    if !p.tags.is_empty() {
        println!("  tags: {}", p.tags.join(", "));
    }
    for n in &c.notes {
        println!("  note: {}", n.value.replace('\n', "\n        "));
    }
    if !c.extra.is_empty() {
        println!("  other vCard properties kept: {}", c.extra.len());
    }
    if !p.sources.is_empty() {
        println!("  from:");
        for s in &p.sources {
            println!("    {s}");
        }
    }
}

pub(crate) fn duplicates(list: &[SuggestionView]) {
    for s in list {
        println!(
            "{:.2}  {} ({})  ~  {} ({})",
            s.score, s.people[0].name, s.people[0].id, s.people[1].name, s.people[1].id
        );
        for r in &s.reasons {
            println!("      {r}");
        }
    }
    println!("{} suggestions", list.len());
}

/// A progress bar that appears only once an import has run for a second.
pub(crate) struct ImportProgress {
    bar: ProgressBar,
    started: Instant,
    shown: std::sync::atomic::AtomicBool,
}

impl ImportProgress {
    pub(crate) fn new(label: &str) -> Self {
        Self::with_template(label, "{msg} [{bar:30}] {bytes}/{total_bytes} {eta}")
    }

    /// Counting items (messages, cards) rather than bytes.
    pub(crate) fn counting(label: &str) -> Self {
        Self::with_template(label, "{msg} [{bar:30}] {pos}/{len} {eta}")
    }

    fn with_template(label: &str, template: &str) -> Self {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::hidden());
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(label.to_string());
        ImportProgress {
            bar,
            started: Instant::now(),
            shown: std::sync::atomic::AtomicBool::new(false),
        }
    }
}

impl Progress for ImportProgress {
    fn start(&self, total_bytes: u64) {
        self.bar.set_length(total_bytes);
    }

    fn advance(&self, bytes_read: u64) {
        use std::sync::atomic::Ordering::Relaxed;
        if !self.shown.load(Relaxed) && self.started.elapsed() > Duration::from_secs(1) {
            self.shown.store(true, Relaxed);
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
        self.bar.set_position(bytes_read);
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// A person's latest interactions, under their card.
pub(crate) fn interactions(list: &[kith_app::interactions::InteractionView]) {
    if list.is_empty() {
        return;
    }
    println!("  latest interactions:");
    for i in list {
        let day = &i.at[..10.min(i.at.len())];
        let note = i
            .note
            .as_deref()
            .map(|n| format!(": {n}"))
            .unwrap_or_default();
        println!(
            "    {day} {} ({}){note}",
            i.kind.as_str(),
            i.direction.as_str()
        );
    }
}
