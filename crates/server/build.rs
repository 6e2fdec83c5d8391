//! Writes `CITIES` from the `city-<id>` dependency lines of this crate's `Cargo.toml`, so that a
//! city is registered by its one line there (see `src/registry.rs`).

#[path = "src/registry.rs"]
#[allow(dead_code)]
mod registry;

use std::fmt::Write;

fn main() {
    println!("cargo:rerun-if-changed=Cargo.toml");
    println!("cargo:rerun-if-changed=src/registry.rs");
    let manifest = std::fs::read_to_string("Cargo.toml").expect("the server's Cargo.toml");
    let mut code = String::from(
        "/// The cities this binary serves, in the service's order (their lines in the server's\n\
         /// `Cargo.toml`), each with its dataset loader and the articles its dataset was\n\
         /// transcribed from.\n\
         pub const CITIES: &[(&str, DatasetLoader, &[model::Article])] = &[\n",
    );
    for id in registry::registered_cities(&manifest) {
        let krate = registry::crate_ident(&id);
        let _ = writeln!(code, "    ({id:?}, {krate}::dataset, {krate}::ARTICLES),");
    }
    code.push_str("];\n");
    let out = std::path::Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("cities.rs");
    std::fs::write(out, code).expect("write cities.rs");
}
