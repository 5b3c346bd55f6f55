//! `Faults`: the seam through which tests make a write fail or die at a chosen step,
//! to prove that every step leaves a repository the next crs command can mend. Set
//! from `CRS_TEST_FAULT` (read by the context, like every environment variable);
//! unset, it does nothing.
//!
//! - `object-write`: storing the new objects fails as on a full disk;
//! - `kill-after:STEP`: the process dies, as under SIGKILL, right after STEP, one of
//!   `journal`, `files`, `branch`, `tag`, `index`.

/// Where a write is told to fail, if anywhere.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Faults {
    spec: Option<String>,
}

/// The steps of a write after which a test may kill it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Journal,
    Files,
    Branch,
    Tag,
    Index,
}

impl Step {
    fn name(self) -> &'static str {
        match self {
            Step::Journal => "journal",
            Step::Files => "files",
            Step::Branch => "branch",
            Step::Tag => "tag",
            Step::Index => "index",
        }
    }
}

impl Faults {
    /// Faults as `CRS_TEST_FAULT` names them; `None` for none.
    pub fn new(spec: Option<&str>) -> Faults {
        Faults { spec: spec.map(str::to_owned) }
    }

    /// Whether storing git objects is to fail.
    pub fn object_write_fails(&self) -> bool {
        self.spec.as_deref() == Some("object-write")
    }

    /// Ends the process at once, as a kill would, when told to die after `step`.
    pub fn after(&self, step: Step) {
        if self.spec.as_deref().and_then(|s| s.strip_prefix("kill-after:")) == Some(step.name()) {
            std::process::abort();
        }
    }
}
