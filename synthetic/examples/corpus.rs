//! Writes a synthetic corpus to a directory and reports how long rendering took.
//!
//! `cargo run -p tramite-synthetic --example corpus -- OUT_DIR [SEED] [INVOICES] [IDENTITIES] [SCANNED_SHARE] [SCAN_DPI]`

use std::time::Instant;

use tramite_synthetic::{GeneratorOptions, generate, write_corpus};

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = args
        .first()
        .map(String::as_str)
        .unwrap_or("synthetic-corpus");
    let arg = |i: usize, default: f64| {
        args.get(i)
            .and_then(|s| s.parse::<f64>().ok())
            .unwrap_or(default)
    };
    let options = GeneratorOptions {
        seed: arg(1, 42.0) as u64,
        invoices: arg(2, 30.0) as usize,
        identities: arg(3, 6.0) as usize,
        scanned_share: arg(4, 0.25) as f32,
        scan_dpi: arg(5, 200.0) as u32,
        ..GeneratorOptions::default()
    };
    let start = Instant::now();
    let docs = generate(&options);
    let elapsed = start.elapsed();
    write_corpus(std::path::Path::new(dir), &docs)?;
    let images = docs
        .iter()
        .filter(|d| d.rendering != tramite_synthetic::Rendering::TextPdf)
        .count();
    println!(
        "{} documents ({images} images) in {:.2?} -> {dir}",
        docs.len(),
        elapsed
    );
    Ok(())
}
