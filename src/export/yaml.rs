//! YAML output, kept behind this one function so that the archived serde_yaml can be
//! swapped for a maintained fork in one place. crs never reads YAML.

use std::io::{self, Write};

use serde::Serialize;

/// Writes `value` as a YAML document.
pub fn write<T: Serialize + ?Sized>(out: &mut dyn Write, value: &T) -> io::Result<()> {
    serde_yaml::to_writer(out, value).map_err(io::Error::other)
}
