//! The canonical kit (`kit/` in this repository), embedded in the binary at build time. `wazir
//! init` installs it; validators and schema checks read the embedded copy so a bare binary works
//! anywhere. The kit's generated host packages (`kit/exports/hosts/`) are not embedded: they
//! are rebuilt from the sources.

use std::borrow::Cow;

#[derive(rust_embed::RustEmbed)]
#[folder = "../../kit/"]
#[exclude = "exports/hosts/*"]
struct KitAssets;

/// Every embedded file path (relative to `kit/`, `/`-separated), sorted.
pub fn files() -> Vec<String> {
    let mut v: Vec<String> = KitAssets::iter().map(|p| p.into_owned()).collect();
    v.sort();
    v
}

/// The bytes of one embedded kit file.
pub fn get(path: &str) -> Option<Cow<'static, [u8]>> {
    KitAssets::get(path).map(|f| f.data)
}

/// The text of one embedded kit file (lossy UTF-8).
pub fn text(path: &str) -> Option<String> {
    get(path).map(|b| String::from_utf8_lossy(&b).into_owned())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// The embedded copy must equal `kit/` on disk (minus the generated `exports/hosts/`).
    #[test]
    fn embedded_kit_equals_kit_on_disk() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../kit");
        let mut on_disk = Vec::new();
        let mut stack = vec![root.clone()];
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(&dir).unwrap() {
                let p = e.unwrap().path();
                let rel = p
                    .strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                if rel == "exports/hosts" || rel.starts_with("exports/hosts/") {
                    continue;
                }
                if p.is_dir() {
                    stack.push(p);
                } else {
                    on_disk.push(rel);
                }
            }
        }
        on_disk.sort();
        assert_eq!(super::files(), on_disk);
        for rel in &on_disk {
            let disk = std::fs::read(root.join(rel)).unwrap();
            assert_eq!(super::get(rel).unwrap().as_ref(), disk.as_slice(), "{rel}");
        }
        assert!(on_disk.iter().any(|f| f == "wazir.manifest.yaml"));
    }
}
