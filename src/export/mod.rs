//! The register's data in the regulator's and other formats: which records are in
//! scope, their rows under a column list that is data, what changed since a baseline,
//! and the writers (xlsx, csv, json, yaml) and the submission bundle. No I/O except
//! `output`, which writes finished files; loading is the caller's.

pub mod assessments;
pub mod bundle;
pub mod cell;
pub mod changes;
pub mod columns;
pub mod csv;
pub mod document;
pub mod email;
pub mod history;
pub mod notes;
pub mod output;
pub mod packed;
pub mod row;
pub mod scope;
pub mod section;
pub mod spill;
pub mod state;
pub mod summary;
pub mod workbook;
pub mod xlsx;
pub mod yaml;
