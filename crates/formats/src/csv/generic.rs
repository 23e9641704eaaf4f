//! Any other CSV: columns are mapped to card fields by a [`ColumnMapping`]
//! (the CLI's `--map "Full Name=name,Mail=email"`) or, without one, guessed
//! from common header names. Columns that are not mapped are kept on the card
//! as `X-KITH-CSV-<COLUMN>` lines, so nothing in the file is lost.

use super::{
    Header, Row, diag, excerpt, finish, header_on_first_line, join_name, keep_columns,
    parse_any_date, push_point, split_any, split_multi,
};
use crate::{FormatError, Item};
use kith_core::{Card, PersonName, Position, PostalAddress, Text};
use std::io::BufRead;

const FORMAT: &str = "csv";

/// A card field a column can be mapped to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    Name,
    Given,
    Family,
    Additional,
    Prefix,
    Suffix,
    Nickname,
    Email,
    Phone,
    Url,
    Organization,
    Title,
    Department,
    Note,
    Tag,
    Birthday,
    Street,
    City,
    Region,
    PostalCode,
    Country,
}

impl Field {
    /// Every field, in the order the help text lists them.
    pub const ALL: [Field; 21] = [
        Field::Name,
        Field::Given,
        Field::Family,
        Field::Additional,
        Field::Prefix,
        Field::Suffix,
        Field::Nickname,
        Field::Email,
        Field::Phone,
        Field::Url,
        Field::Organization,
        Field::Title,
        Field::Department,
        Field::Note,
        Field::Tag,
        Field::Birthday,
        Field::Street,
        Field::City,
        Field::Region,
        Field::PostalCode,
        Field::Country,
    ];

    /// The name used in `--map`.
    pub fn name(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Given => "given",
            Field::Family => "family",
            Field::Additional => "additional",
            Field::Prefix => "prefix",
            Field::Suffix => "suffix",
            Field::Nickname => "nickname",
            Field::Email => "email",
            Field::Phone => "phone",
            Field::Url => "url",
            Field::Organization => "organization",
            Field::Title => "title",
            Field::Department => "department",
            Field::Note => "note",
            Field::Tag => "tag",
            Field::Birthday => "birthday",
            Field::Street => "street",
            Field::City => "city",
            Field::Region => "region",
            Field::PostalCode => "postal_code",
            Field::Country => "country",
        }
    }

    /// Reads a field name (also a few obvious synonyms), case-insensitive.
    pub fn parse(s: &str) -> Option<Field> {
        let s = s.trim().to_lowercase().replace('-', "_");
        if let Some(f) = Field::ALL.iter().find(|f| f.name() == s) {
            return Some(*f);
        }
        Some(match s.as_str() {
            "full_name" | "fn" => Field::Name,
            "first" | "first_name" | "given_name" => Field::Given,
            "last" | "last_name" | "family_name" | "surname" => Field::Family,
            "middle" | "middle_name" => Field::Additional,
            "e_mail" | "mail" => Field::Email,
            "tel" | "telephone" | "mobile" => Field::Phone,
            "website" | "web" => Field::Url,
            "org" | "company" | "organisation" => Field::Organization,
            "job_title" | "position" | "role" => Field::Title,
            "notes" => Field::Note,
            "tags" | "category" | "categories" | "group" | "groups" => Field::Tag,
            "zip" | "postcode" | "postalcode" => Field::PostalCode,
            "state" | "province" => Field::Region,
            "locality" | "town" => Field::City,
            _ => return None,
        })
    }

    /// Fields that hold one value per card (the first non-empty column wins).
    fn is_single(self) -> bool {
        !matches!(
            self,
            Field::Email | Field::Phone | Field::Url | Field::Note | Field::Tag
        )
    }
}

/// Which column feeds which card field, as given with `--map`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnMapping {
    entries: Vec<(String, Field)>,
}

impl ColumnMapping {
    /// Parses `COLUMN=FIELD,COLUMN=FIELD,…` (`"Full Name=name,Mail=email"`).
    /// A column name may contain `=`; the field is what follows the last one.
    pub fn parse(spec: &str) -> Result<Self, FormatError> {
        let err = |message: String| FormatError::Mapping {
            mapping: spec.to_string(),
            message,
        };
        let mut entries = Vec::new();
        for part in spec.split(',') {
            if part.trim().is_empty() {
                continue;
            }
            let Some((column, field)) = part.rsplit_once('=') else {
                return Err(err(format!(
                    "{:?} has no `=`; write COLUMN=FIELD",
                    part.trim()
                )));
            };
            let column = column.trim();
            if column.is_empty() {
                return Err(err(format!("{:?} names no column before `=`", part.trim())));
            }
            let Some(field) = Field::parse(field) else {
                return Err(err(format!(
                    "unknown field {:?}; the fields are: {}",
                    field.trim(),
                    Field::ALL
                        .iter()
                        .map(|f| f.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            };
            entries.push((column.to_string(), field));
        }
        if entries.is_empty() {
            return Err(err(
                "the mapping is empty; write COLUMN=FIELD,COLUMN=FIELD".into()
            ));
        }
        Ok(ColumnMapping { entries })
    }

    /// The (column, field) pairs in the order given.
    pub fn entries(&self) -> &[(String, Field)] {
        &self.entries
    }
}

impl std::str::FromStr for ColumnMapping {
    type Err = FormatError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ColumnMapping::parse(s)
    }
}

/// A header name reduced to lower-case letters and digits.
fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Guesses the field of a column from its name.
pub fn guess(header: &str) -> Option<Field> {
    let n = squash(header);
    let exact: &[(&[&str], Field)] = &[
        (
            &[
                "name",
                "fullname",
                "displayname",
                "contactname",
                "contact",
                "person",
            ],
            Field::Name,
        ),
        (
            &["firstname", "givenname", "first", "forename"],
            Field::Given,
        ),
        (
            &["lastname", "surname", "familyname", "last"],
            Field::Family,
        ),
        (
            &["middlename", "additionalname", "middle"],
            Field::Additional,
        ),
        (
            &["prefix", "nameprefix", "salutation", "honorific"],
            Field::Prefix,
        ),
        (&["suffix", "namesuffix"], Field::Suffix),
        (&["nickname", "nick"], Field::Nickname),
        (
            &[
                "company",
                "organization",
                "organisation",
                "org",
                "employer",
                "companyname",
            ],
            Field::Organization,
        ),
        (
            &["title", "jobtitle", "position", "role", "occupation"],
            Field::Title,
        ),
        (&["department", "dept"], Field::Department),
        (
            &[
                "url",
                "website",
                "web",
                "homepage",
                "webpage",
                "site",
                "linkedin",
                "profileurl",
            ],
            Field::Url,
        ),
        (
            &[
                "notes",
                "note",
                "comment",
                "comments",
                "description",
                "memo",
            ],
            Field::Note,
        ),
        (
            &[
                "tags",
                "tag",
                "categories",
                "category",
                "groups",
                "group",
                "labels",
                "label",
            ],
            Field::Tag,
        ),
        (
            &["birthday", "birthdate", "dateofbirth", "dob", "bday"],
            Field::Birthday,
        ),
        (
            &[
                "street",
                "address",
                "streetaddress",
                "address1",
                "addressline1",
            ],
            Field::Street,
        ),
        (&["city", "town", "locality"], Field::City),
        (&["state", "region", "province", "county"], Field::Region),
        (
            &["zip", "zipcode", "postalcode", "postcode"],
            Field::PostalCode,
        ),
        (&["country", "countryregion"], Field::Country),
    ];
    if let Some((_, f)) = exact.iter().find(|(names, _)| names.contains(&n.as_str())) {
        return Some(*f);
    }
    if n.contains("type") || n.contains("label") {
        return None;
    }
    if n.contains("email") || n.ends_with("mail") {
        return Some(Field::Email);
    }
    if n.contains("phone") || n.contains("mobile") || n == "tel" || n.contains("fax") || n == "cell"
    {
        return Some(Field::Phone);
    }
    None
}

/// Kinds suggested by words in a column name (`Work Phone` -> work).
fn header_kinds(header: &str) -> Vec<String> {
    let mut kinds: Vec<String> = Vec::new();
    for word in header.to_lowercase().split(|c: char| !c.is_alphanumeric()) {
        let kind = match word {
            "work" | "business" | "office" => "work",
            "home" | "private" | "personal" => "home",
            "mobile" | "cell" | "cellphone" => "cell",
            "fax" => "fax",
            "pager" => "pager",
            _ => continue,
        };
        if !kinds.iter().any(|k| k == kind) {
            kinds.push(kind.to_string());
        }
    }
    kinds
}

/// Opens any CSV, mapping columns with `mapping` or by guessing.
pub fn open<'a>(
    input: Box<dyn BufRead + 'a>,
    file: &str,
    mapping: Option<&ColumnMapping>,
) -> Result<Box<dyn Iterator<Item = Item> + 'a>, FormatError> {
    let (header, rows) = header_on_first_line(input, file)?;
    let columns = plan(&header, file, mapping)?;
    let file = file.to_string();
    Ok(Box::new(
        rows.map(move |row| record(&header, &columns, &row?, &file)),
    ))
}

/// The field of each column (None: kept as `X-KITH-CSV-*`).
fn plan(
    header: &Header,
    file: &str,
    mapping: Option<&ColumnMapping>,
) -> Result<Vec<Option<Field>>, FormatError> {
    let mut columns: Vec<Option<Field>> = vec![None; header.len()];
    match mapping {
        Some(m) => {
            for (column, field) in m.entries() {
                let Some(i) = header.find(column) else {
                    return Err(FormatError::Invalid {
                        file: file.to_string(),
                        message: format!(
                            "the column {column:?} named in --map is not in the file; its \
                             columns are: {}",
                            header.list()
                        ),
                    });
                };
                columns[i] = Some(*field);
            }
        }
        None => {
            for (i, name) in header.names.iter().enumerate() {
                columns[i] = guess(name);
            }
            let identifying = columns.iter().flatten().any(|f| {
                matches!(
                    f,
                    Field::Name | Field::Given | Field::Family | Field::Email | Field::Phone
                )
            });
            if !identifying {
                return Err(FormatError::Invalid {
                    file: file.to_string(),
                    message: format!(
                        "no column looks like a name, email or phone; give --map, e.g. \
                         --map \"Full Name=name,Mail=email\" (the header on line {} is: {})",
                        header.line,
                        excerpt(&header.list())
                    ),
                });
            }
        }
    }
    Ok(columns)
}

fn record(header: &Header, columns: &[Option<Field>], row: &Row, file: &str) -> Item {
    row.check_width(header, file, true)?;
    let mut warnings = Vec::new();
    let mut card = Card::default();
    let mut single: Vec<(Field, &str)> = Vec::new();
    let mut unmapped = Vec::new();
    for (i, field) in columns.iter().enumerate() {
        let value = row.cell(Some(i));
        if value.is_empty() {
            continue;
        }
        let Some(field) = *field else {
            unmapped.push(i);
            continue;
        };
        if field.is_single() {
            if !single.iter().any(|(f, _)| *f == field) {
                single.push((field, value));
            }
            continue;
        }
        if field == Field::Note {
            card.notes.push(Text::new(value, None));
            continue;
        }
        let kinds = header_kinds(&header.names[i]);
        for part in split_multi(value) {
            match field {
                Field::Email => {
                    for e in split_any(part, &[';', ',', ' ', '\n']) {
                        let e = e.strip_prefix("mailto:").unwrap_or(e);
                        push_point(&mut card.emails, e, &kinds, None, false);
                    }
                }
                Field::Phone => {
                    for p in split_any(part, &[';', '\n']) {
                        push_point(&mut card.phones, p, &kinds, None, false);
                    }
                }
                Field::Url => {
                    for u in split_any(part, &[';', ' ', '\n']) {
                        push_point(&mut card.urls, u, &kinds, None, false);
                    }
                }
                Field::Tag => {
                    for t in split_any(part, &[';', ',', '|']) {
                        if !card.tags.iter().any(|x| x.value == t) {
                            card.tags.push(Text::new(t, None));
                        }
                    }
                }
                _ => {}
            }
        }
    }
    let get = |f: Field| {
        single
            .iter()
            .find(|(g, _)| *g == f)
            .map(|(_, v)| *v)
            .unwrap_or("")
    };
    let mut name = PersonName {
        prefix: get(Field::Prefix).to_string(),
        given: get(Field::Given).to_string(),
        additional: get(Field::Additional).to_string(),
        family: get(Field::Family).to_string(),
        suffix: get(Field::Suffix).to_string(),
        full: get(Field::Name).to_string(),
        ..Default::default()
    };
    if name.full.is_empty() {
        name.full = join_name(&[
            &name.prefix,
            &name.given,
            &name.additional,
            &name.family,
            &name.suffix,
        ]);
    }
    card.name = name;
    let nickname = get(Field::Nickname);
    if !nickname.is_empty() {
        card.nicknames.push(Text::new(nickname, None));
    }
    let position = Position {
        organization: get(Field::Organization).to_string(),
        title: get(Field::Title).to_string(),
        department: get(Field::Department).to_string(),
        ..Default::default()
    };
    if !(position.organization.is_empty()
        && position.title.is_empty()
        && position.department.is_empty())
    {
        card.positions.push(position);
    }
    let address = PostalAddress {
        street: get(Field::Street).to_string(),
        locality: get(Field::City).to_string(),
        region: get(Field::Region).to_string(),
        postal_code: get(Field::PostalCode).to_string(),
        country: get(Field::Country).to_string(),
        ..Default::default()
    };
    if !address.is_empty() {
        card.addresses.push(address);
    }
    let birthday = get(Field::Birthday);
    if !birthday.is_empty() {
        match parse_any_date(birthday) {
            Some((d, doubtful)) => {
                if doubtful {
                    warnings.push(format!(
                        "birthday {birthday:?} read as {d}; check the order of day and month"
                    ));
                }
                card.birthdays.push(Text::new(d, None));
            }
            None => warnings.push(format!(
                "birthday {birthday:?} is not a date kith knows; ignored"
            )),
        }
    }
    keep_columns(&mut card, header, row, &unmapped);
    if card.has_nothing_to_show() {
        return Err(diag(file, row.line, super::NOTHING_TO_SHOW));
    }
    Ok(finish(card, row, file, FORMAT, false, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapping_parses_and_rejects_unknown_fields() {
        let m = ColumnMapping::parse(
            "Full Name=name, Mail=email,Mobile=phone,Employer=organization,Role=title",
        );
        let m = m.map_err(|e| e.to_string());
        assert_eq!(m.as_ref().map(|m| m.entries().len()), Ok(5));
        assert_eq!(
            m.map(|m| m.entries()[1].clone()),
            Ok(("Mail".to_string(), Field::Email))
        );
        let err = ColumnMapping::parse("A=shoe_size")
            .map(|_| ())
            .map_err(|e| e.to_string());
        let err = err.err().unwrap_or_default();
        assert!(
            err.contains("shoe_size") && err.contains("postal_code"),
            "{err}"
        );
        assert!(ColumnMapping::parse("").is_err());
        assert!(ColumnMapping::parse("just a column").is_err());
    }

    #[test]
    fn guesses_common_headers() {
        assert_eq!(guess("E-mail Address"), Some(Field::Email));
        assert_eq!(guess("Work Phone"), Some(Field::Phone));
        assert_eq!(guess("Surname"), Some(Field::Family));
        assert_eq!(guess("Job Title"), Some(Field::Title));
        assert_eq!(guess("E-mail Type"), None);
        assert_eq!(guess("Shoe size"), None);
        assert_eq!(header_kinds("Work Mobile"), ["work", "cell"]);
    }
}
