//! One module per subcommand.

pub mod entry;
pub mod eval;
pub mod history;
pub mod import;
pub mod lists;
pub mod screen;
pub mod serve;
