//! One module per subcommand.

pub mod audit;
pub mod cases;
pub mod completions;
pub mod entry;
pub mod eval;
pub mod history;
pub mod import;
pub mod lists;
pub mod parameters;
pub mod report;
pub mod screen;
pub mod serve;
pub mod token;
pub mod webhooks;
