//! The rules of `crs check` that compare records with each other. They work on small
//! per-record keys, never on whole parsed records, so a large register stays small
//! in memory.

use std::collections::HashMap;

use crate::framework::finding::{Hit, Rule};
use crate::model::Record;

/// What identifies a service for the duplicate check: provider and normalised name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ServiceKey {
    provider: String,
    name: String,
}

impl ServiceKey {
    /// The key of `record`: its provider code and its service name with case and
    /// runs of white space folded.
    pub fn of(record: &Record) -> ServiceKey {
        let name = record.service.name.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
        ServiceKey { provider: record.provider.ods.clone(), name }
    }
}

/// The one `duplicate-service` hit: record `earlier` already holds `service` of
/// `provider`; `what_to_do` is the advice where it is found (a check of the whole
/// register, or a write of one record).
pub fn duplicate_service(earlier: &str, provider: &str, service: &str, what_to_do: &str) -> Hit {
    Hit::new(
        Rule::DuplicateService,
        "service.name",
        format!("{earlier} is already a record of provider {provider} for '{service}'; {what_to_do}"),
    )
}

/// `duplicate-service` hits: every record but the first (in the order given) that has
/// the same provider and service name as an earlier one. `keys` pairs a caller's
/// index and the record id with each key; hits come back with that index.
pub fn duplicate_services(keys: &[(usize, String, ServiceKey)]) -> Vec<(usize, Hit)> {
    let mut first: HashMap<&ServiceKey, &str> = HashMap::with_capacity(keys.len());
    let mut hits = Vec::new();
    for (index, id, key) in keys {
        match first.get(key) {
            Some(&earlier) => hits.push((
                *index,
                duplicate_service(
                    earlier,
                    &key.provider,
                    &key.name,
                    "merge the two records, or name the services apart",
                ),
            )),
            None => {
                first.insert(key, id);
            }
        }
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(provider: &str, name: &str) -> ServiceKey {
        ServiceKey { provider: provider.into(), name: name.into() }
    }

    #[test]
    fn second_record_of_the_same_service_is_reported() {
        let keys = vec![
            (0, "RJ1/maternity".to_owned(), key("RJ1", "maternity")),
            (3, "RJ1/obstetrics".to_owned(), key("RJ1", "maternity")),
            (5, "RJ2/maternity".to_owned(), key("RJ2", "maternity")),
        ];
        let hits = duplicate_services(&keys);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].0, 3);
        assert!(hits[0].1.message.starts_with("RJ1/maternity is already"));
    }
}
