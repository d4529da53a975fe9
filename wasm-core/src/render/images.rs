//! `kubectl uepe images` output: a kubectl-style table, JSON or YAML lists of
//! image objects, or bare references for `-o name`.

use crate::images::Image;
use crate::render::output;

/// The output names accepted for images.
pub const FORMATS: [&str; 4] = ["table", "json", "yaml", "name"];

/// Prints `images` as `format` (one of [`FORMATS`]).
pub fn print(images: &[Image], format: &str) -> String {
    match format {
        "json" => output::json(&images),
        "yaml" => output::yaml(&images),
        "name" => images.iter().map(|i| format!("{}\n", i.image)).collect(),
        _ => table(images),
    }
}

fn table(images: &[Image]) -> String {
    let rows: Vec<[String; 4]> =
        std::iter::once(["COMPONENT", "POD", "MULTI-ARCH", "IMAGE"].map(String::from))
            .chain(images.iter().map(|i| {
                [
                    i.component.to_owned(),
                    i.pod.to_owned(),
                    if i.multi_arch { "amd64,arm64" } else { "no" }.to_owned(),
                    i.image.clone(),
                ]
            }))
            .collect();
    let widths: Vec<usize> = (0..4)
        .map(|c| rows.iter().map(|r| r[c].len()).max().unwrap_or(0))
        .collect();
    rows.iter()
        .map(|r| {
            let mut line = String::new();
            for (c, cell) in r.iter().enumerate() {
                if c + 1 == r.len() {
                    line.push_str(cell);
                } else {
                    line.push_str(&format!("{cell:<w$}   ", w = widths[c]));
                }
            }
            line.push('\n');
            line
        })
        .collect()
}
