//! NHS Digital ODS organisation files: reading them and looking codes up.
