//! Writing a file atomically, as the register writes its files: the one home of it
//! is [`crate::atomic`], a leaf every layer may use; named here too for the writers
//! that still reach it through the register.

pub use crate::atomic::write_atomic;
