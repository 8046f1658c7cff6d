//! The `pronoturf` binary: parses the command line and calls into the libraries.
fn main() {}
