fn main() {
    std::process::exit(aistack::cli::main());
}
