//! Renders one request given as the first argument: `cargo run --example render -- '{"render":"images","version":"4.3.0"}'`.
fn main() {
    let req = std::env::args().nth(1).unwrap_or_default();
    match uepe_core::render(&req) {
        Ok(s) => print!("{s}"),
        Err(e) => {
            eprintln!("{}", e.to_json());
            std::process::exit(1);
        }
    }
}
