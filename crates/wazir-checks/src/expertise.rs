//! `wazir validate expertise`: the expertise library checked by the composition engine's own
//! rules (`wazir_compose::validate`: module front matter, the brief's o200k budget, sections,
//! duplicate ids, cross-references, `index.yaml` and `composition-map.yaml` paths), reported in
//! the shape of every other check.

use wazir_core::Project;

use crate::report::{Problem, Report};
use crate::util::rel;

pub fn check(project: &Project) -> Report {
    let mut report = Report::new("expertise");
    let m = &project.manifest;
    let dir = project.root.join(&m.paths.expertise);
    if !dir.is_dir() {
        report.push(Problem::error(
            &m.paths.expertise,
            "the expertise folder is missing: create it or fix paths.expertise (`wazir init` \
             writes the kit's library)",
        ));
        return report;
    }
    let opts = wazir_compose::ValidateOptions {
        roles: m.roles.clone(),
        schemas_dir: Some(project.root.join(&m.paths.schemas)),
        brief_token_limit: wazir_compose::BRIEF_TOKEN_LIMIT,
    };
    let problems = wazir_compose::validate(&dir, &opts);
    for mut p in problems {
        p.file = rel(&project.root, std::path::Path::new(&p.file));
        report.push(p);
    }
    let modules = crate::util::files_with_ext(&dir, &[".md"], &[])
        .iter()
        .filter(|p| {
            p.file_name().is_some_and(|n| {
                !n.eq_ignore_ascii_case("README.md") && !n.eq_ignore_ascii_case("index.md")
            })
        })
        .count();
    report.summary = format!("{modules} modules under {}", m.paths.expertise);
    report
}
