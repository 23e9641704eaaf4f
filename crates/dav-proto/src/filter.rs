//! The `addressbook-query` filter (RFC 6352 §10.5) and its test against a
//! vCard's text: prop-filters with `anyof`/`allof`, `is-not-defined`,
//! `text-match` (equals, contains, starts-with, ends-with; negated; the
//! `i;unicode-casemap`, `i;ascii-casemap` and `i;octet` collations) and
//! param-filters.

use crate::xml::{CARDDAV, Element, XmlError};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MatchType {
    Equals,
    #[default]
    Contains,
    StartsWith,
    EndsWith,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Collation {
    #[default]
    UnicodeCasemap,
    AsciiCasemap,
    Octet,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TextMatch {
    pub value: String,
    pub match_type: MatchType,
    pub collation: Collation,
    pub negate: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParamFilter {
    pub name: String,
    pub is_not_defined: bool,
    pub text_match: Option<TextMatch>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PropFilter {
    /// The property name, upper case (`FN`, `EMAIL`).
    pub name: String,
    /// `test="allof"`: every test must pass (default: any).
    pub all_of: bool,
    pub is_not_defined: bool,
    pub text_matches: Vec<TextMatch>,
    pub param_filters: Vec<ParamFilter>,
}

/// A whole filter; without prop-filters it matches every card.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    /// `test="allof"` (default: `anyof`).
    pub all_of: bool,
    pub props: Vec<PropFilter>,
}

fn all_of(el: &Element) -> Result<bool, XmlError> {
    match el.attr("test").map(str::to_ascii_lowercase).as_deref() {
        None | Some("anyof") => Ok(false),
        Some("allof") => Ok(true),
        Some(other) => Err(XmlError(format!("test={other:?}: use anyof or allof"))),
    }
}

fn text_match(el: &Element) -> Result<TextMatch, XmlError> {
    let match_type = match el.attr("match-type").unwrap_or("contains") {
        "equals" => MatchType::Equals,
        "contains" => MatchType::Contains,
        "starts-with" => MatchType::StartsWith,
        "ends-with" => MatchType::EndsWith,
        other => {
            return Err(XmlError(format!(
                "match-type={other:?}: use equals, contains, starts-with or ends-with"
            )));
        }
    };
    let collation = match el.attr("collation").unwrap_or("i;unicode-casemap") {
        "i;unicode-casemap" => Collation::UnicodeCasemap,
        "i;ascii-casemap" => Collation::AsciiCasemap,
        "i;octet" => Collation::Octet,
        other => return Err(XmlError(format!("unsupported collation {other:?}"))),
    };
    Ok(TextMatch {
        value: el.text.clone(),
        match_type,
        collation,
        negate: el.attr("negate-condition") == Some("yes"),
    })
}

impl Filter {
    /// Reads a `<C:filter>` element.
    pub fn parse(el: &Element) -> Result<Filter, XmlError> {
        let mut out = Filter {
            all_of: all_of(el)?,
            props: Vec::new(),
        };
        for pf in el.children_named(CARDDAV, "prop-filter") {
            let name = pf
                .attr("name")
                .ok_or_else(|| XmlError("a <prop-filter> needs a name".into()))?
                .to_ascii_uppercase();
            let mut prop = PropFilter {
                name,
                all_of: all_of(pf)?,
                is_not_defined: pf.child(CARDDAV, "is-not-defined").is_some(),
                ..Default::default()
            };
            for tm in pf.children_named(CARDDAV, "text-match") {
                prop.text_matches.push(text_match(tm)?);
            }
            for param in pf.children_named(CARDDAV, "param-filter") {
                let name = param
                    .attr("name")
                    .ok_or_else(|| XmlError("a <param-filter> needs a name".into()))?
                    .to_ascii_uppercase();
                prop.param_filters.push(ParamFilter {
                    name,
                    is_not_defined: param.child(CARDDAV, "is-not-defined").is_some(),
                    text_match: param
                        .child(CARDDAV, "text-match")
                        .map(text_match)
                        .transpose()?,
                });
            }
            out.props.push(prop);
        }
        Ok(out)
    }

    /// Whether the vCard `text` passes the filter.
    pub fn matches(&self, text: &str) -> bool {
        if self.props.is_empty() {
            return true;
        }
        let lines = content_lines(text);
        let mut results = self.props.iter().map(|p| p.matches(&lines));
        if self.all_of {
            results.all(|r| r)
        } else {
            results.any(|r| r)
        }
    }
}

/// One content line: name (upper case, group dropped), parameters
/// (names upper case) and value.
struct Line {
    name: String,
    params: Vec<(String, String)>,
    value: String,
}

/// Unfolds and splits a vCard's content lines (leniently: a line that does
/// not look like one is skipped).
fn content_lines(text: &str) -> Vec<Line> {
    let mut unfolded: Vec<String> = Vec::new();
    for raw in text.split('\n') {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        match (
            raw.strip_prefix(' ').or_else(|| raw.strip_prefix('\t')),
            unfolded.last_mut(),
        ) {
            (Some(rest), Some(last)) => last.push_str(rest),
            _ => unfolded.push(raw.to_string()),
        }
    }
    unfolded
        .into_iter()
        .filter_map(|l| {
            let (head, value) = split_unquoted(&l, ':')?;
            let mut parts = split_all_unquoted(head, ';').into_iter();
            let name = parts.next()?;
            let name = name.rsplit('.').next().unwrap_or(name).to_ascii_uppercase();
            let params = parts
                .map(|p| match p.split_once('=') {
                    Some((k, v)) => (k.to_ascii_uppercase(), v.trim_matches('"').to_string()),
                    None => ("TYPE".to_string(), p.to_string()),
                })
                .collect();
            Some(Line {
                name,
                params,
                value: value.to_string(),
            })
        })
        .collect()
}

fn split_unquoted(s: &str, sep: char) -> Option<(&str, &str)> {
    let mut quoted = false;
    for (i, c) in s.char_indices() {
        match c {
            '"' => quoted = !quoted,
            c if c == sep && !quoted => return Some((&s[..i], &s[i + 1..])),
            _ => {}
        }
    }
    None
}

fn split_all_unquoted(s: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some((a, b)) = split_unquoted(rest, sep) {
        out.push(a);
        rest = b;
    }
    out.push(rest);
    out
}

impl TextMatch {
    fn matches(&self, value: &str) -> bool {
        let fold = |s: &str| match self.collation {
            Collation::UnicodeCasemap => s.to_lowercase(),
            Collation::AsciiCasemap => s.to_ascii_lowercase(),
            Collation::Octet => s.to_string(),
        };
        let (hay, needle) = (fold(value), fold(&self.value));
        let hit = match self.match_type {
            MatchType::Equals => hay == needle,
            MatchType::Contains => hay.contains(&needle),
            MatchType::StartsWith => hay.starts_with(&needle),
            MatchType::EndsWith => hay.ends_with(&needle),
        };
        hit != self.negate
    }
}

impl PropFilter {
    fn matches(&self, lines: &[Line]) -> bool {
        let named: Vec<&Line> = lines.iter().filter(|l| l.name == self.name).collect();
        if self.is_not_defined {
            return named.is_empty();
        }
        if named.is_empty() {
            return false;
        }
        if self.text_matches.is_empty() && self.param_filters.is_empty() {
            return true; // "is defined"
        }
        // Each test passes when some instance of the property passes it.
        let mut tests = self
            .text_matches
            .iter()
            .map(|t| named.iter().any(|l| t.matches(&l.value)))
            .chain(self.param_filters.iter().map(|p| {
                named.iter().any(|l| {
                    let values: Vec<&str> = l
                        .params
                        .iter()
                        .filter(|(k, _)| *k == p.name)
                        .flat_map(|(_, v)| v.split(','))
                        .collect();
                    if p.is_not_defined {
                        return values.is_empty();
                    }
                    match &p.text_match {
                        None => !values.is_empty(),
                        Some(t) => values.iter().any(|v| t.matches(v)),
                    }
                })
            }));
        if self.all_of {
            tests.all(|r| r)
        } else {
            tests.any(|r| r)
        }
    }
}
