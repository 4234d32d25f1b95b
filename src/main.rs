//! The `safecampus` binary: `serve`, `demo`, `migrate` and `admin` subcommands.
fn main() -> std::process::ExitCode {
    safecampus::cli::main()
}
