//! Calls the core natively with a typed request, as the plugin does through
//! the component: `cargo run -p uepe-core --example render -- 4.3.0`
//! prints that version's image references.
use uepe_core::types::ImagesRequest;

fn main() {
    let request = ImagesRequest {
        version: std::env::args().nth(1).unwrap_or_else(|| "4.3.0".into()),
        ..ImagesRequest::default()
    };
    match uepe_core::api::images(&request) {
        Ok(table) => print!("{table}"),
        Err(errors) => {
            for e in errors {
                eprintln!("error: --{}: {}", e.field, e.message);
            }
            std::process::exit(1);
        }
    }
}
