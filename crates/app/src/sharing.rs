//! Sharing rules through merges: a rule set on a person is kept under the
//! id it was set on and read as a part of whoever that id was merged into.
//! Pure functions over what the store holds (the network's graph, its ties
//! and undoing a merge read rules this way); no store, no other module.

use kith_core::PersonId;
use kith_core::ties::Sharing;
use std::collections::HashMap;

/// Where a person merged away ended up, following merges of merges (a
/// person not merged away is themself).
pub(crate) fn merged_end(merged: &HashMap<PersonId, PersonId>, mut id: PersonId) -> PersonId {
    // A chain is as long as merges were made one upon another; the bound
    // only stops a corrupt cycle.
    for _ in 0..64 {
        match merged.get(&id) {
            Some(next) => id = *next,
            None => break,
        }
    }
    id
}

/// The people merged into each person (through any chain of merges), by
/// where they ended up.
pub(crate) fn merged_parts(
    merged: &HashMap<PersonId, PersonId>,
) -> HashMap<PersonId, Vec<PersonId>> {
    let mut out: HashMap<PersonId, Vec<PersonId>> = HashMap::new();
    for &id in merged.keys() {
        out.entry(merged_end(merged, id)).or_default().push(id);
    }
    out
}

/// The rules set on people, by the id they were set on.
pub(crate) fn person_rules(rules: &[(String, Sharing)]) -> HashMap<PersonId, Sharing> {
    rules
        .iter()
        .filter_map(|(scope, level)| {
            let id = scope.strip_prefix("person:")?.parse::<PersonId>().ok()?;
            Some((id, *level))
        })
        .collect()
}

/// The person rules of `id` and of each person merged into them: one entry
/// per part, None where that part has none (see [`Sharing::resolve_parts`]).
pub(crate) fn parts_rules(
    id: PersonId,
    rules: &HashMap<PersonId, Sharing>,
    parts: &HashMap<PersonId, Vec<PersonId>>,
) -> Vec<Option<Sharing>> {
    std::iter::once(id)
        .chain(parts.get(&id).into_iter().flatten().copied())
        .map(|p| rules.get(&p).copied())
        .collect()
}
