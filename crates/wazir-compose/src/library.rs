//! Loading an expertise library, from a folder on disk (a project's `expertise/`) or from the
//! kit embedded in the binary: every module, `index.yaml` and `composition-map.yaml`, with the
//! problems met while reading them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::index::ExpertiseIndex;
use crate::map::CompositionMap;
use crate::module::{self, Module};
use crate::problem::Problem;

pub const INDEX_FILE: &str = "index.yaml";
pub const MAP_FILE: &str = "composition-map.yaml";

/// Where a library was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A folder on disk.
    Dir(PathBuf),
    /// `expertise/` of the kit embedded in the binary.
    Embedded,
}

impl Origin {
    /// How a person finds the file at `rel` (inside the library).
    pub fn display_path(&self, rel: &str) -> String {
        match self {
            Origin::Dir(d) => d.join(rel).display().to_string(),
            Origin::Embedded => format!("expertise/{rel} (embedded kit)"),
        }
    }

    /// The path used in problems.
    pub fn problem_path(&self, rel: &str) -> PathBuf {
        match self {
            Origin::Dir(d) => d.join(rel),
            Origin::Embedded => Path::new("expertise").join(rel),
        }
    }
}

/// A loaded library.
#[derive(Debug, Clone)]
pub struct Library {
    pub origin: Origin,
    /// Modules that parsed, by id. When two files declare one id, the first (by path) is kept.
    pub modules: BTreeMap<String, Module>,
    /// Files that looked like modules but could not be read, by the id their path implies.
    pub unreadable: BTreeMap<String, String>,
    /// Every module file's path, by the id its path implies (for duplicate and path checks).
    pub module_files: Vec<String>,
    /// `(declared id, path inside the library)` of every module that parsed, duplicates included.
    pub declared: Vec<(String, String)>,
    pub index: Option<ExpertiseIndex>,
    /// `index.yaml` as plain JSON, for the schema check.
    pub index_value: Option<Value>,
    pub map: Option<CompositionMap>,
    /// `composition-map.yaml` as plain JSON, for the schema check.
    pub map_value: Option<Value>,
    /// The map's text, to point problems at lines.
    pub map_text: Option<String>,
    /// Domain pages found (`<domain>/index.md`), with their text.
    pub pages: BTreeMap<String, String>,
    /// Every module file's text, by its path inside the library (for text-wide checks).
    pub module_texts: BTreeMap<String, String>,
    /// `superseded-standards.yaml`, when the library has one.
    pub superseded_text: Option<String>,
    /// Problems met while reading.
    pub problems: Vec<Problem>,
    /// When set, paths shown to people are relative to this folder (the project root).
    pub display_base: Option<PathBuf>,
}

/// Whether `rel` (inside the library) is a module file rather than a README or a domain page.
pub fn is_module_path(rel: &str) -> bool {
    if !rel.ends_with(".md") {
        return false;
    }
    let segs: Vec<&str> = rel.split('/').collect();
    if segs.len() < 2 || segs.iter().any(|s| s.starts_with('.')) {
        return false;
    }
    let name = segs[segs.len() - 1];
    !(name == "README.md" || (segs.len() == 2 && name == "index.md"))
}

impl Library {
    /// Reads the library in `dir`.
    pub fn from_dir(dir: &Path) -> Self {
        let mut files = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        let mut read_errors = Vec::new();
        while let Some(d) = stack.pop() {
            let entries = match std::fs::read_dir(&d) {
                Ok(e) => e,
                Err(e) => {
                    read_errors.push(Problem::rule_error(
                        &d,
                        "read",
                        format!("cannot read the folder: {e}"),
                    ));
                    continue;
                }
            };
            for e in entries.flatten() {
                let p = e.path();
                let name = e.file_name().to_string_lossy().into_owned();
                if name.starts_with('.') {
                    continue;
                }
                // Symlinked folders are not followed, so a link cycle cannot loop the walk.
                if e.file_type().is_ok_and(|t| t.is_dir()) {
                    stack.push(p);
                    continue;
                }
                let rel = p
                    .strip_prefix(dir)
                    .unwrap_or(&p)
                    .to_string_lossy()
                    .replace('\\', "/");
                if rel.ends_with(".md")
                    || rel == INDEX_FILE
                    || rel == MAP_FILE
                    || rel == crate::superseded::FILE
                {
                    match std::fs::read_to_string(&p) {
                        Ok(t) => files.push((rel, t)),
                        Err(e) => read_errors.push(Problem::rule_error(
                            &p,
                            "read",
                            format!("cannot read the file as UTF-8 text: {e}"),
                        )),
                    }
                }
            }
        }
        let mut lib = Self::from_files(Origin::Dir(dir.to_path_buf()), files);
        lib.problems.splice(0..0, read_errors);
        lib
    }

    /// Reads `expertise/` of the embedded kit.
    pub fn embedded() -> Self {
        let files = wazir_core::kit::files()
            .into_iter()
            .filter_map(|p| {
                let rel = p.strip_prefix("expertise/")?.to_string();
                let text = wazir_core::kit::text(&p)?;
                Some((rel, text))
            })
            .collect();
        Self::from_files(Origin::Embedded, files)
    }

    /// Builds a library from `(path inside the library, text)` pairs.
    pub fn from_files(origin: Origin, mut files: Vec<(String, String)>) -> Self {
        files.sort_by(|a, b| a.0.cmp(&b.0));
        let mut lib = Library {
            origin,
            modules: BTreeMap::new(),
            unreadable: BTreeMap::new(),
            module_files: Vec::new(),
            declared: Vec::new(),
            index: None,
            index_value: None,
            map: None,
            map_value: None,
            map_text: None,
            pages: BTreeMap::new(),
            module_texts: BTreeMap::new(),
            superseded_text: None,
            problems: Vec::new(),
            display_base: None,
        };
        for (rel, text) in files {
            let file = lib.origin.problem_path(&rel);
            if rel == INDEX_FILE {
                if let Some(v) = yaml_value(&file, &text, &mut lib.problems, "index-schema") {
                    match serde_json::from_value::<ExpertiseIndex>(v.clone()) {
                        Ok(ix) => lib.index = Some(ix),
                        Err(e) => lib.problems.push(Problem::rule_error(
                            &file,
                            "index-schema",
                            format!("index.yaml does not have the expected shape: {e}"),
                        )),
                    }
                    lib.index_value = Some(v);
                }
            } else if rel == MAP_FILE {
                if let Some(v) = yaml_value(&file, &text, &mut lib.problems, "map-schema") {
                    match serde_json::from_value::<CompositionMap>(v.clone()) {
                        Ok(m) => lib.map = Some(m),
                        Err(e) => lib.problems.push(Problem::rule_error(
                            &file,
                            "map-schema",
                            format!("composition-map.yaml does not have the expected shape: {e}"),
                        )),
                    }
                    lib.map_value = Some(v);
                }
                lib.map_text = Some(text);
            } else if rel == crate::superseded::FILE {
                lib.superseded_text = Some(text);
            } else if rel.split('/').count() == 2 && rel.ends_with("/index.md") {
                lib.pages.insert(rel, text);
            } else if is_module_path(&rel) {
                lib.module_files.push(rel.clone());
                let (m, problems) = module::parse(&rel, &file, &text);
                lib.module_texts.insert(rel.clone(), text);
                let path_id = module::id_for_path(&rel);
                match m {
                    Some(m) => {
                        lib.declared.push((m.id.clone(), rel.clone()));
                        if !lib.modules.contains_key(&m.id) {
                            lib.modules.insert(m.id.clone(), m);
                        }
                    }
                    None => {
                        let why = problems
                            .first()
                            .map(|p| p.message.clone())
                            .unwrap_or_else(|| "unreadable".into());
                        lib.unreadable.insert(path_id, why);
                    }
                }
                lib.problems.extend(problems);
            }
        }
        lib
    }

    /// How a person finds the file at `rel` (inside the library): relative to
    /// [`Library::display_base`] when the library lies under it.
    pub fn display_path(&self, rel: &str) -> String {
        if let (Origin::Dir(d), Some(base)) = (&self.origin, &self.display_base)
            && let Ok(short) = d.join(rel).strip_prefix(base)
        {
            return short.to_string_lossy().replace('\\', "/");
        }
        self.origin.display_path(rel)
    }

    /// The module with `id`, if it parsed.
    pub fn module(&self, id: &str) -> Option<&Module> {
        self.modules.get(id)
    }
}

fn yaml_value(
    file: &Path,
    text: &str,
    problems: &mut Vec<Problem>,
    rule: &'static str,
) -> Option<Value> {
    match wazir_core::yaml::from_str::<Value>(file, text, 0) {
        Ok(v) => Some(v),
        Err(e) => {
            problems.push(
                Problem::rule_error(file, rule, format!("not valid YAML: {}", e.message))
                    .at_line(e.line),
            );
            None
        }
    }
}
