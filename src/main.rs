fn main() -> std::process::ExitCode {
    scale::cli::main()
}
