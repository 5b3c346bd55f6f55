//! Any bytes, read as an `.xlsx` and as an `.ods` the way `crs import` reads them:
//! the guard, then calamine. A panic or an allocation past libFuzzer's memory limit
//! is a crash; so is a panic the reader's catch turned into an error, since the guard
//! should have refused that workbook first.

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for name in ["fuzz.xlsx", "fuzz.ods"] {
        if let Err(e) = crs::import::sheet::read_sheet(Path::new(name), data.to_vec(), None, true) {
            let said = e.to_string();
            assert!(!said.contains("the workbook reader failed on it"), "{said}");
        }
    }
});
