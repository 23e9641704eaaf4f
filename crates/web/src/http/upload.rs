//! Reading an import upload (multipart: `files`, and optionally `format`,
//! `dry_run`, and the pages' `csrf` first) into a private folder, its size
//! counted as it is written. A leaf: it imports no handler module.

use crate::http::caller::constant_time_eq;
use crate::http::problem::{Code, Problem};
use crate::jobs::Upload;
use axum::extract::Multipart;
use kith_app::types::Format;

/// A file name as uploaded, reduced to a plain name (no directories).
fn plain_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .trim_start_matches('.')
        .to_string();
    if cleaned.is_empty() {
        "upload".into()
    } else {
        cleaned.chars().take(200).collect()
    }
}

/// Reads a multipart upload (`files`, and optionally `format`, `dry_run`).
/// With `csrf` (the session's token and whether the request came from this
/// site), a `csrf` field must come before the files and match: the pages'
/// form. The API has proved its caller already and passes None.
pub(crate) async fn read_upload(
    max_body: usize,
    multipart: &mut Multipart,
    csrf: Option<(&str, bool)>,
) -> Result<Upload, Problem> {
    let invalid = |m: String| Problem::new(Code::InvalidRequest, m);
    let too_large = || {
        Problem::new(
            Code::PayloadTooLarge,
            format!(
                "the upload is larger than this server accepts ({} MB; kith serve --max-upload-mb)",
                max_body / (1024 * 1024)
            ),
        )
    };
    let dir = tempfile::tempdir()
        .map_err(|e| Problem::new(Code::Internal, format!("no room for the upload: {e}")))?;
    let mut csrf_ok = csrf.is_none();
    let mut received = 0usize;
    let mut upload = Upload {
        dir,
        files: Vec::new(),
        format: None,
        dry_run: false,
    };
    while let Some(mut field) = multipart.next_field().await.map_err(|e| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            invalid(format!("the upload could not be read: {e}"))
        }
    })? {
        match field.name().unwrap_or_default() {
            "csrf" => {
                let value = small_field(&mut field).await?;
                if let Some((token, same_site)) = csrf {
                    csrf_ok = same_site && constant_time_eq(&value, token);
                }
            }
            "format" => {
                let value = small_field(&mut field).await?;
                upload.format = match value.as_str() {
                    "" | "auto" => None,
                    f => Some(Format::parse(f).ok_or_else(|| {
                        Problem::new(
                            Code::InvalidValue,
                            format!("unknown format {f:?}: use auto, vcard, linkedin, google, outlook or csv"),
                        )
                    })?),
                };
            }
            "dry_run" => {
                let value = small_field(&mut field).await?;
                upload.dry_run = !matches!(value.trim(), "false" | "0" | "no");
            }
            "files" => {
                // The token comes first in the form: no file is stored
                // for a request that does not carry it.
                if !csrf_ok {
                    break;
                }
                let name = plain_name(field.file_name().unwrap_or("upload"));
                if name == "upload" && field.file_name().unwrap_or("").is_empty() {
                    continue; // the empty file input of a form sent without files
                }
                let path = upload
                    .dir
                    .path()
                    .join(format!("{}", upload.files.len()))
                    .join(&name);
                let write_err = |e: std::io::Error| {
                    Problem::new(Code::Internal, format!("cannot keep the upload: {e}"))
                };
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent).map_err(write_err)?;
                }
                let mut out = std::fs::File::create(&path).map_err(write_err)?;
                while let Some(chunk) = field.chunk().await.map_err(|e| {
                    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                        too_large()
                    } else {
                        invalid(format!("the upload broke off: {e}"))
                    }
                })? {
                    received += chunk.len();
                    if received > max_body {
                        return Err(too_large());
                    }
                    std::io::Write::write_all(&mut out, &chunk).map_err(write_err)?;
                }
                upload.files.push((name, path));
            }
            other => {
                return Err(Problem::new(
                    Code::InvalidRequest,
                    format!(
                        "unknown form field {other:?}: send files, and optionally format and dry_run"
                    ),
                ));
            }
        }
    }
    if !csrf_ok {
        return Err(Problem::new(
            Code::CsrfFailed,
            "this form is out of date or came from another site: reload the page and try again",
        ));
    }
    if upload.files.is_empty() {
        return Err(Problem::new(
            Code::InvalidValue,
            "choose at least one file to import (multipart field `files`)",
        ));
    }
    Ok(upload)
}

/// A form field that is not a file (the token, the format, dry_run): a
/// few bytes, read up to a small bound.
async fn small_field(field: &mut axum::extract::multipart::Field<'_>) -> Result<String, Problem> {
    const MAX: usize = 4096;
    let mut value = Vec::new();
    while let Some(chunk) = field
        .chunk()
        .await
        .map_err(|e| Problem::new(Code::InvalidRequest, format!("the upload broke off: {e}")))?
    {
        if value.len() + chunk.len() > MAX {
            return Err(Problem::new(
                Code::InvalidValue,
                format!(
                    "the form field {:?} is longer than {MAX} bytes",
                    field.name().unwrap_or_default()
                ),
            ));
        }
        value.extend_from_slice(&chunk);
    }
    String::from_utf8(value).map_err(|_| {
        Problem::new(
            Code::InvalidValue,
            format!(
                "the form field {:?} is not UTF-8",
                field.name().unwrap_or_default()
            ),
        )
    })
}

/// Refuses a new import while [`MAX_RUNNING_JOBS`](crate::jobs::MAX_RUNNING_JOBS)
/// of the caller's are unfinished, before the upload is read: each one
/// reads a file on a thread of its own and holds a transaction.
pub(crate) fn room_for_one_more(running: usize) -> Result<(), Problem> {
    if running >= crate::jobs::MAX_RUNNING_JOBS {
        return Err(Problem::new(
            Code::TooManyRequests,
            format!(
                "{running} imports of yours are still running: wait for one to finish, then upload again"
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::room_for_one_more;
    use crate::jobs::MAX_RUNNING_JOBS;

    /// Issue 20: each running import holds a thread and a transaction; a
    /// fourth at once is refused before its upload is read.
    #[test]
    fn a_fourth_running_import_is_refused() {
        for running in 0..MAX_RUNNING_JOBS {
            assert!(room_for_one_more(running).is_ok(), "{running}");
        }
        let refused = room_for_one_more(MAX_RUNNING_JOBS).unwrap_err();
        assert_eq!(refused.status, 429);
    }
}
