//! `Faults`: the seam through which tests make a write fail or die at a chosen step,
//! to prove that every step leaves a repository the next crs command can mend. Set
//! from `CRS_TEST_FAULT` (read by the context, like every environment variable);
//! unset, it does nothing. Only a build with the `fault-injection` feature (the test
//! builds) reads it: in the shipped binary the seam is not there.
//!
//! - `object-write`: storing the new objects fails as on a full disk;
//! - `kill-after:STEP`: the process dies, as under SIGKILL, right after STEP, one of
//!   `journal`, `files`, `tag`, `branch`, `index-lock` (git's index lock taken),
//!   `index` (in the order a write takes them),
//!   or, in `crs init`, `repository` (the new repository made, the register's files
//!   not yet written).

/// Where a write is told to fail, if anywhere.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Faults {
    spec: Option<String>,
}

/// The steps of a write after which a test may kill it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Repository,
    Journal,
    Files,
    Tag,
    Branch,
    IndexLock,
    Index,
}

impl Step {
    #[cfg(feature = "fault-injection")]
    fn name(self) -> &'static str {
        match self {
            Step::Repository => "repository",
            Step::Journal => "journal",
            Step::Files => "files",
            Step::Branch => "branch",
            Step::Tag => "tag",
            Step::IndexLock => "index-lock",
            Step::Index => "index",
        }
    }
}

impl Faults {
    /// Faults as `CRS_TEST_FAULT` names them; `None` for none.
    #[cfg(feature = "fault-injection")]
    pub fn new(spec: Option<&str>) -> Faults {
        Faults { spec: spec.map(str::to_owned) }
    }

    /// No faults: this build has no seam.
    #[cfg(not(feature = "fault-injection"))]
    pub fn new(_spec: Option<&str>) -> Faults {
        Faults { spec: None }
    }

    /// Whether storing git objects is to fail.
    #[cfg(feature = "fault-injection")]
    pub fn object_write_fails(&self) -> bool {
        self.spec.as_deref() == Some("object-write")
    }

    /// Never: this build has no seam.
    #[cfg(not(feature = "fault-injection"))]
    pub fn object_write_fails(&self) -> bool {
        false
    }

    /// Ends the process at once, as a kill would, when told to die after `step`.
    #[cfg(feature = "fault-injection")]
    pub fn after(&self, step: Step) {
        if self.spec.as_deref().and_then(|s| s.strip_prefix("kill-after:")) == Some(step.name()) {
            std::process::abort();
        }
    }

    /// Nothing: this build has no seam.
    #[cfg(not(feature = "fault-injection"))]
    pub fn after(&self, _step: Step) {}
}
