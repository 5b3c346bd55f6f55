//! Whether the command running has moved a branch. Once a write's branch has moved,
//! the change is recorded: the command has done what it was asked, and its exit
//! status says so even when what it prints afterwards cannot be written (a full disk
//! under a cron job's log, a closed terminal). The cli asks here before it turns a
//! failure into an exit status.

use std::cell::Cell;

thread_local! {
    static BRANCH_MOVED: Cell<bool> = const { Cell::new(false) };
}

/// Notes that a write of this command moved its branch.
pub(crate) fn note_branch_moved() {
    BRANCH_MOVED.with(|moved| moved.set(true));
}

/// Whether a write of this command has moved its branch.
pub fn branch_moved() -> bool {
    BRANCH_MOVED.with(Cell::get)
}

/// Forgets earlier moves: a new command begins.
pub fn begin_command() {
    BRANCH_MOVED.with(|moved| moved.set(false));
}
