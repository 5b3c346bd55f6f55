//! Everything git: committing one record, reading the log, reading the register as it
//! stood at a date or revision, the working tree's state and the submission tags. No
//! git2 type leaks out of this module.

pub mod repo;
pub mod snapshot;
pub mod submission;
pub mod tags;
pub mod worktree;

pub use snapshot::{Snapshot, snapshot};
pub use submission::{RecordedSubmission, SubmissionRequest, record_submission};
pub use tags::{SubmissionTag, last_submission, submission_tag_name};
pub use worktree::{WorkTree, work_tree};
