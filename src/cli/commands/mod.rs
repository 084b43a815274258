//! One module per subcommand.

pub mod eval;
pub mod import;
pub mod lists;
pub mod screen;
pub mod serve;
pub mod token;
