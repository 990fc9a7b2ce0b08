fn main() {
    // Behave like other Unix tools when output is piped into `head`: die quietly on SIGPIPE
    // instead of panicking inside println!.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of SIGPIPE before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    std::process::exit(aistack::cli::main());
}
