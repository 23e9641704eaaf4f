//! Where uploads and unpacked archives wait while they are imported: a
//! private directory under the data directory (mode 0700, one folder per
//! running process), never the shared system temporary directory. What a
//! process left behind when it died (a `kill -9` mid-import) is removed by
//! the next one.

use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

/// Makes `<data dir>/tmp/<pid>` this process's temporary directory (every
/// `tempfile` made after this lands there), removing the folders of
/// processes that no longer run. Returns the folder.
pub(crate) fn prepare(data_dir: &Path) -> Result<PathBuf> {
    let root = data_dir.join("tmp");
    std::fs::create_dir_all(&root).with_context(|| format!("cannot create {}", root.display()))?;
    restrict(&root)?;
    remove_leftovers(&root);
    let mine = root.join(std::process::id().to_string());
    std::fs::create_dir_all(&mine).with_context(|| format!("cannot create {}", mine.display()))?;
    restrict(&mine)?;
    // Once per process; a second call (tests) keeps the first.
    let _ = tempfile::env::override_temp_dir(&mine);
    Ok(mine)
}

#[cfg(unix)]
fn restrict(dir: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
        .with_context(|| format!("cannot make {} private", dir.display()))
}

#[cfg(not(unix))]
fn restrict(_: &Path) -> Result<()> {
    Ok(())
}

/// Removes the folders of processes that are gone (named by their pid).
fn remove_leftovers(root: &Path) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let alive = name
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
            .is_some_and(|pid| pid != std::process::id() && process_runs(pid));
        if !alive {
            let path = entry.path();
            let removed = if path.is_dir() {
                std::fs::remove_dir_all(&path)
            } else {
                std::fs::remove_file(&path)
            };
            if let Err(e) = removed {
                eprintln!(
                    "warning: cannot remove the leftover upload {}: {e}",
                    path.display()
                );
            }
        }
    }
}

fn process_runs(pid: u32) -> bool {
    Path::new("/proc").join(pid.to_string()).exists()
}
