//! Organisation names: comparing a name a person wrote with the upper-case name ODS
//! holds (case, apostrophes, punctuation and the usual abbreviations aside), and
//! writing an ODS name in title case for messages.

/// Abbreviations people write for words ODS spells out, and the other way round.
const SAME_WORDS: &[(&str, &str)] = &[
    ("ICB", "INTEGRATED CARE BOARD"),
    ("CCG", "CLINICAL COMMISSIONING GROUP"),
    ("FT", "FOUNDATION TRUST"),
    ("SAINT", "ST"),
    ("LTD", "LIMITED"),
];

/// Words kept in capitals by `title_case`.
const ACRONYMS: &[&str] =
    &["NHS", "ICB", "CCG", "CSU", "UK", "GP", "CIC", "LLP", "PLC", "BMI", "HCA", "II", "III", "IV"];

/// Words written in lower case by `title_case`, except first.
const SMALL_WORDS: &[&str] = &["AND", "OF", "THE", "FOR", "IN", "ON", "AT", "UPON", "WITH", "TO", "BY"];

/// `name` reduced to what identifies it: upper case, apostrophes dropped, `&` read as
/// AND, other punctuation as spaces, abbreviations spelled out, a leading THE dropped.
pub fn normalise(name: &str) -> String {
    let mut spaced = String::new();
    let mut out = String::new();
    normalise_into(name, &mut spaced, &mut out);
    out
}

/// True when `name` normalises to `normalised` (a result of `normalise`). Checking
/// a register compares the same few names over and over, so each thread keeps its
/// last answer and its buffers: checking many records allocates nothing.
pub fn matches_normalised(name: &str, normalised: &str) -> bool {
    #[derive(Default)]
    struct Last {
        name: String,
        normalised: String,
        matched: bool,
        spaced: String,
        out: String,
    }
    thread_local! {
        static LAST: std::cell::RefCell<Last> = std::cell::RefCell::default();
    }
    LAST.with_borrow_mut(|last| {
        if last.name != name || last.normalised != normalised {
            normalise_into(name, &mut last.spaced, &mut last.out);
            last.matched = last.out == normalised;
            last.name.clear();
            last.name.push_str(name);
            last.normalised.clear();
            last.normalised.push_str(normalised);
        }
        last.matched
    })
}

/// Writes `normalise(name)` into `out`, using `spaced` as scratch space.
fn normalise_into(name: &str, spaced: &mut String, out: &mut String) {
    spaced.clear();
    out.clear();
    for c in name.chars() {
        match c {
            '\'' | '\u{2019}' | '\u{2018}' | '`' => {}
            '&' => spaced.push_str(" AND "),
            c if c.is_alphanumeric() => spaced.extend(c.to_uppercase()),
            _ => spaced.push(' '),
        }
    }
    let mut words = spaced.split_whitespace().peekable();
    if words.peek() == Some(&"THE") {
        words.next();
        if words.peek().is_none() {
            out.push_str("THE");
            return;
        }
    }
    for word in words {
        let word = SAME_WORDS.iter().find(|(short, _)| *short == word).map_or(word, |(_, long)| long);
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
}

/// An upper-case ODS name in title case: `GUY'S AND ST THOMAS' NHS FOUNDATION TRUST`
/// becomes `Guy's and St Thomas' NHS Foundation Trust`. A name that already has
/// lower-case letters is returned as it is.
pub fn title_case(name: &str) -> String {
    if name.chars().any(char::is_lowercase) {
        return name.to_owned();
    }
    let mut out = String::with_capacity(name.len());
    let mut word = String::new();
    let mut first = true;
    let flush = |word: &mut String, out: &mut String, first: &mut bool| {
        if word.is_empty() {
            return;
        }
        out.push_str(&title_word(word, *first));
        *first = false;
        word.clear();
    };
    for c in name.chars() {
        if c.is_alphanumeric() || c == '\'' {
            word.push(c);
        } else {
            flush(&mut word, &mut out, &mut first);
            out.push(c);
        }
    }
    flush(&mut word, &mut out, &mut first);
    out
}

fn title_word(word: &str, first: bool) -> String {
    let bare = word.trim_matches('\'');
    if ACRONYMS.contains(&bare) {
        return word.to_owned();
    }
    if !first && SMALL_WORDS.contains(&bare) {
        return word.to_lowercase();
    }
    let mut out = String::with_capacity(word.len());
    let mut capital_next = true;
    let chars: Vec<char> = word.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c == '\'' {
            out.push(c);
            // O'NEILL -> O'Neill, but GUY'S -> Guy's.
            capital_next = chars[i + 1..].iter().take_while(|c| c.is_alphanumeric()).count() > 1;
            continue;
        }
        if capital_next {
            out.extend(c.to_uppercase());
            capital_next = false;
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// True when two names are the same name written differently.
    fn same_name(a: &str, b: &str) -> bool {
        normalise(a) == normalise(b)
    }

    #[test]
    fn names_match_whatever_the_case_and_punctuation() {
        assert!(same_name(
            "Guy's and St Thomas' NHS Foundation Trust",
            "GUY'S AND ST THOMAS' NHS FOUNDATION TRUST"
        ));
        assert!(same_name(
            "The Queen Elizabeth Hospital King's Lynn NHS Foundation Trust",
            "THE QUEEN ELIZABETH HOSPITAL, KING'S LYNN, NHS FOUNDATION TRUST"
        ));
        assert!(same_name("NHS South East London ICB", "NHS SOUTH EAST LONDON INTEGRATED CARE BOARD"));
        assert!(same_name("Guys & St Thomas NHS FT", "GUY'S AND ST THOMAS' NHS FOUNDATION TRUST"));
        assert!(same_name("Queen Elizabeth Hospital", "THE QUEEN ELIZABETH HOSPITAL"));
        assert!(!same_name("Lewisham Healthcare NHS Trust", "LEWISHAM AND GREENWICH NHS TRUST"));
        assert_eq!(normalise("The"), "THE");
        assert_eq!(normalise(" -- "), "");
        assert!(matches_normalised(
            "Guy's & St Thomas' NHS FT",
            &normalise("GUY'S AND ST THOMAS' NHS FOUNDATION TRUST")
        ));
        assert!(!matches_normalised("Guy's", &normalise("GUY")));
        assert!(!matches_normalised("Guy's", &normalise("GUY")), "asked twice, the same answer");
        assert!(matches_normalised("Guy's", &normalise("GUYS")));
    }

    #[test]
    fn title_case_keeps_acronyms_and_lowers_small_words() {
        assert_eq!(
            title_case("GUY'S AND ST THOMAS' NHS FOUNDATION TRUST"),
            "Guy's and St Thomas' NHS Foundation Trust"
        );
        assert_eq!(
            title_case("THE QUEEN ELIZABETH HOSPITAL, KING'S LYNN, NHS FOUNDATION TRUST"),
            "The Queen Elizabeth Hospital, King's Lynn, NHS Foundation Trust"
        );
        assert_eq!(
            title_case("NEWCASTLE UPON TYNE HOSPITALS NHS FOUNDATION TRUST"),
            "Newcastle upon Tyne Hospitals NHS Foundation Trust"
        );
        assert_eq!(title_case("2GETHER NHS FOUNDATION TRUST"), "2gether NHS Foundation Trust");
        assert_eq!(title_case("O'NEILL HOUSE"), "O'Neill House");
        assert_eq!(title_case("Already Mixed"), "Already Mixed");
        assert_eq!(title_case(""), "");
    }
}
