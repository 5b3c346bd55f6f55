//! "Did you mean …?": the known name nearest to a misspelt one, by edit distance
//! (insertions, deletions, substitutions and swaps of neighbours, ignoring case).
//! Serves every message that rejects a name: record ids, event kinds, stages,
//! statuses. Pure: the caller brings the known names.

/// The name in `known` nearest to `text`, when it is near enough to be what was
/// meant: at most a third of its length away (and at least one edit). `None` for an
/// exact match or nothing close.
pub fn closest<'a>(text: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (text.chars().count() / 3).max(1);
    let lower = text.to_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for name in known {
        let distance = edit_distance(&lower, &name.to_lowercase());
        if distance == 0 && name == text {
            return None;
        }
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, name));
        }
    }
    best.map(|(_, name)| name)
}

/// `" (did you mean NAME?)"` for the nearest known name, or nothing: to follow the
/// misspelt name in a message.
pub fn did_you_mean<'a>(text: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    closest(text, known).map(|name| format!(" (did you mean {name}?)")).unwrap_or_default()
}

/// The optimal-string-alignment distance: the Levenshtein distance with a swap of
/// two neighbouring characters counted as one edit.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    // rows[i][j]: the distance between a[..i] and b[..j]; only three rows are live.
    let mut before: Vec<usize> = Vec::new();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut current = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            current[j] = (previous[j] + 1).min(current[j - 1] + 1).min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                current[j] = current[j].min(before[j - 2] + 1);
            }
        }
        before = std::mem::replace(&mut previous, current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::{closest, did_you_mean, edit_distance};

    #[test]
    fn distances() {
        assert_eq!(edit_distance("maternaty", "maternity"), 1);
        assert_eq!(edit_distance("desginated", "designated"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn nearest_name_or_none() {
        let kinds = ["providers-notified", "provider-accepted", "provider-refused"];
        assert_eq!(closest("provider-notified", kinds), Some("providers-notified"));
        assert_eq!(closest("RJ1/maternaty", ["RJ1/maternity", "RJ1/renal"]), Some("RJ1/maternity"));
        assert_eq!(closest("Designated", ["designated"]), Some("designated"));
        assert_eq!(closest("designated", ["designated"]), None);
        assert_eq!(closest("zzz", kinds), None);
        assert_eq!(did_you_mean("propsed", ["proposed"]), " (did you mean proposed?)");
        assert_eq!(did_you_mean("zzz", ["proposed"]), "");
    }
}
