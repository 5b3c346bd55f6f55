//! What crs writes for people and for CI, rendered from the data the operations
//! return: `findings` renders `crs check` (human, JSON, GitHub annotations, JUnit),
//! `board` renders `crs report` (the board paper as HTML or Markdown); `style` and
//! `table` are the terminal's colours and tables both use. Renderers write to the
//! writer they are given and never decide what they show.

pub mod board;
pub mod findings;
pub mod style;
pub mod table;
