//! A record's conflict written as git's markers and read back: both versions of a
//! text as one, with markers around just the lines where they differ (a fact, such
//! as an event or a stage, kept whole between them), and the two versions a file
//! with markers holds, settled to either side.

use crate::model::fields::common_subsequence;
use crate::register::merge::opens_one_fact;

/// The marker lines of a conflict, as git writes them.
const OURS_MARKER: &str = "<<<<<<< ours";
const SPLIT_MARKER: &str = "=======";
const THEIRS_MARKER: &str = ">>>>>>> theirs";

/// Line pairs above which two versions are not compared line by line (a table of
/// this many counters): their differing middle becomes one conflict.
const MAX_LINE_TABLE: usize = 4_000_000;

/// Both versions of a text as one, git's markers around each run of lines where they
/// differ.
pub(crate) fn conflict_text(ours: &str, theirs: &str) -> String {
    let a: Vec<&str> = ours.split_inclusive('\n').collect();
    let b: Vec<&str> = theirs.split_inclusive('\n').collect();
    let start = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let end = a[start..].iter().rev().zip(b[start..].iter().rev()).take_while(|(x, y)| x == y).count();
    let (mid_a, mid_b) = (&a[start..a.len() - end], &b[start..b.len() - end]);
    let mut pairs: Vec<(usize, usize)> = match mid_a.len().saturating_mul(mid_b.len()) <= MAX_LINE_TABLE {
        true => common_subsequence(mid_a, mid_b).into_iter().map(|(i, j)| (start + i, start + j)).collect(),
        false => Vec::new(),
    };
    pairs.splice(0..0, (0..start).map(|k| (k, k)));
    pairs.extend((0..end).map(|k| (a.len() - end + k, b.len() - end + k)));
    let mut pairs = whole_facts(&a, b.len(), pairs);
    pairs.push((a.len(), b.len()));
    let mut out = String::with_capacity(ours.len() + theirs.len() / 4);
    let line = |out: &mut String, text: &str| {
        out.push_str(text);
        if !text.ends_with('\n') {
            out.push('\n');
        }
    };
    let (mut i, mut j) = (0, 0);
    for (mi, mj) in pairs {
        if i < mi || j < mj {
            line(&mut out, OURS_MARKER);
            a[i..mi].iter().for_each(|l| line(&mut out, l));
            line(&mut out, SPLIT_MARKER);
            b[j..mj].iter().for_each(|l| line(&mut out, l));
            line(&mut out, THEIRS_MARKER);
        }
        if mi < a.len() {
            out.push_str(a[mi]);
        }
        (i, j) = (mi + 1, mj + 1);
    }
    out
}

/// The matched lines of two versions, less those inside a table that is one fact
/// (an event, a decision, a stage) where the versions differ: such a table is
/// between the markers whole, so that a person keeps one version of the fact, not
/// some lines of each.
fn whole_facts(a: &[&str], b_len: usize, pairs: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    // The table each line of our version is in, by its header's line, when it is a fact.
    let mut fact_of = Vec::with_capacity(a.len());
    let mut current = None;
    for (n, line) in a.iter().enumerate() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            current = opens_one_fact(trimmed).then_some(n);
            fact_of.push(None);
        } else {
            fact_of.push(current.filter(|_| !trimmed.is_empty()));
        }
    }
    // The facts a run of differing lines falls in: those of its lines of our
    // version, or of the line before it.
    let mut differing = std::collections::BTreeSet::new();
    let (mut i, mut j) = (0, 0);
    for &(mi, mj) in pairs.iter().chain(std::iter::once(&(a.len(), b_len))) {
        if i < mi || j < mj {
            differing.extend((i..mi).filter_map(|k| fact_of[k]));
            differing.extend(i.checked_sub(1).and_then(|k| fact_of.get(k).copied().flatten()));
        }
        (i, j) = (mi + 1, mj + 1);
    }
    pairs.into_iter().filter(|(mi, _)| fact_of[*mi].is_none_or(|f| !differing.contains(&f))).collect()
}

/// The two versions a text with conflict markers holds (a base section, `|||||||`,
/// is left out), each with the line of its first marker; `None` when the text has no
/// markers or they do not pair up.
pub(crate) fn sides(text: &str) -> Option<Vec<Region>> {
    // Only a conflict's opening marker makes a region: most texts have none.
    if !text.contains("<<<<<<<") {
        return None;
    }
    let mut regions = Vec::new();
    let mut common = String::new();
    let mut current: Option<Region> = None;
    #[derive(PartialEq)]
    enum In {
        Ours,
        Base,
        Theirs,
    }
    let mut state = None;
    for (n, line) in text.split_inclusive('\n').enumerate() {
        let bare = line.trim_end_matches(['\n', '\r']);
        let marker = |m: &str| bare == m || bare.strip_prefix(m).is_some_and(|rest| rest.starts_with(' '));
        match &state {
            None if marker("<<<<<<<") => {
                regions.extend(current.take());
                current = Some(Region {
                    line: n + 1,
                    before: std::mem::take(&mut common),
                    ours: String::new(),
                    theirs: String::new(),
                });
                state = Some(In::Ours);
            }
            Some(In::Ours) if marker("|||||||") => state = Some(In::Base),
            Some(In::Ours | In::Base) if bare == SPLIT_MARKER => state = Some(In::Theirs),
            Some(In::Theirs) if marker(">>>>>>>") => state = None,
            None if marker(">>>>>>>") || bare == SPLIT_MARKER || marker("|||||||") => return None,
            None => common.push_str(line),
            Some(In::Ours) => current.as_mut()?.ours.push_str(line),
            Some(In::Base) => {}
            Some(In::Theirs) => current.as_mut()?.theirs.push_str(line),
        }
    }
    if state.is_some() {
        return None;
    }
    regions.extend(current);
    if regions.is_empty() {
        return None;
    }
    regions.push(Region { line: 0, before: common, ours: String::new(), theirs: String::new() });
    Some(regions)
}

/// One run of a conflict file: the common lines before it, then each side's lines.
/// The last region of [`sides`] holds only the common lines after every conflict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Region {
    /// The line of its `<<<<<<<` marker, 1-based (0 for the closing region).
    pub line: usize,
    pub before: String,
    pub ours: String,
    pub theirs: String,
}

/// The text with every conflict settled to `pick(region)`'s side: true for ours.
pub(crate) fn settled(regions: &[Region], pick: impl Fn(usize) -> bool) -> String {
    let mut out = String::new();
    for (i, region) in regions.iter().enumerate() {
        out.push_str(&region.before);
        out.push_str(if pick(i) { &region.ours } else { &region.theirs });
    }
    out
}
