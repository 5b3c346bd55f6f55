//! The register's data in the regulator's and other formats.

pub mod yaml;
