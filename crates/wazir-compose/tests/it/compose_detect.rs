//! Stack detection on fixture projects of every stack the detector knows, with the evidence
//! each call reports, and the folders it must not read.

use std::path::Path;

use wazir_compose::detect_stacks;

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (rel, text) in files {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        if rel.ends_with('/') {
            std::fs::create_dir_all(&p).unwrap();
        } else {
            std::fs::write(p, text).unwrap();
        }
    }
    dir
}

fn stacks(dir: &Path) -> Vec<String> {
    detect_stacks(dir).into_iter().map(|d| d.stack).collect()
}

fn evidence(dir: &Path, stack: &str) -> Vec<String> {
    detect_stacks(dir)
        .into_iter()
        .find(|d| d.stack == stack)
        .map(|d| d.evidence)
        .unwrap_or_default()
}

#[test]
fn rust_with_postgres_and_mongodb_crates() {
    let p = project(&[
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"crates/*\"]\n[workspace.dependencies]\nsqlx = { version = \"0.8\", features = [\"runtime-tokio\", \"postgres\"] }\n",
        ),
        (
            "crates/db/Cargo.toml",
            "[package]\nname = \"db\"\n[dependencies]\nmongodb = \"3\"\n",
        ),
    ]);
    assert_eq!(stacks(p.path()), ["rust", "postgres", "mongodb"]);
    assert!(evidence(p.path(), "postgres")[0].contains("sqlx"));
    assert!(evidence(p.path(), "mongodb")[0].starts_with("crates/db/Cargo.toml"));
}

#[test]
fn node_frameworks_from_package_json() {
    let cases: [(&str, &[&str]); 7] = [
        (
            r#"{"dependencies":{"express":"4","pg":"8"}}"#,
            &["node", "postgres"],
        ),
        (
            r#"{"dependencies":{"react":"19","react-dom":"19"}}"#,
            &["node", "react"],
        ),
        (
            r#"{"dependencies":{"next":"15","react":"19","mongoose":"8"}}"#,
            &["node", "react", "next", "mongodb"],
        ),
        (r#"{"dependencies":{"vue":"3"}}"#, &["node", "vue"]),
        (
            r#"{"dependencies":{"@angular/core":"19"}}"#,
            &["node", "angular"],
        ),
        (
            r#"{"devDependencies":{"electron":"33"}}"#,
            &["node", "electron"],
        ),
        (
            r#"{"dependencies":{"react-native":"0.76","react":"18"}}"#,
            &["node", "react", "react-native"],
        ),
    ];
    for (pkg, want) in cases {
        let p = project(&[("package.json", pkg)]);
        assert_eq!(stacks(p.path()), want, "{pkg}");
    }
    let p = project(&[("web/package.json", r#"{"dependencies":{"vue":"3"}}"#)]);
    assert_eq!(
        evidence(p.path(), "vue"),
        ["web/package.json: dependencies has `vue`"]
    );
}

#[test]
fn python_fastapi_and_database_clients() {
    let p = project(&[(
        "pyproject.toml",
        "[project]\nname = \"api\"\ndependencies = [\"FastAPI>=0.110\", \"asyncpg\"]\n",
    )]);
    assert_eq!(stacks(p.path()), ["python", "fastapi", "postgres"]);
    let p = project(&[(
        "requirements.txt",
        "# deps\npsycopg2-binary==2.9\npymongo>=4 # db\n",
    )]);
    assert_eq!(stacks(p.path()), ["python", "postgres", "mongodb"]);
    let p = project(&[(
        "pyproject.toml",
        "[tool.poetry.dependencies]\npython = \"^3.12\"\nfastapi = \"*\"\nmotor = \"*\"\n",
    )]);
    assert_eq!(stacks(p.path()), ["python", "fastapi", "mongodb"]);
}

#[test]
fn go_java_android() {
    let p = project(&[(
        "go.mod",
        "module example.com/svc\n\nrequire (\n\tgithub.com/jackc/pgx/v5 v5.7.0\n\tgo.mongodb.org/mongo-driver v1.17.0\n)\n",
    )]);
    assert_eq!(stacks(p.path()), ["go", "postgres", "mongodb"]);
    let p = project(&[(
        "pom.xml",
        "<project><dependencies><dependency><groupId>org.postgresql</groupId></dependency></dependencies></project>",
    )]);
    assert_eq!(stacks(p.path()), ["java", "postgres"]);
    let p = project(&[("build.gradle.kts", "plugins { java }\n")]);
    assert_eq!(stacks(p.path()), ["java"]);
    let p = project(&[
        ("settings.gradle", "include ':app'\n"),
        (
            "app/build.gradle",
            "plugins { id 'com.android.application' }\n",
        ),
        ("app/src/main/AndroidManifest.xml", "<manifest/>"),
    ]);
    assert_eq!(stacks(p.path()), ["native-android"]);
    assert!(evidence(p.path(), "native-android")[0].contains("com.android.application"));
}

#[test]
fn flutter_ios_solidity() {
    let p = project(&[(
        "pubspec.yaml",
        "name: app\ndependencies:\n  flutter:\n    sdk: flutter\n  postgres: ^3.0.0\n",
    )]);
    assert_eq!(stacks(p.path()), ["flutter", "postgres"]);
    let p = project(&[("App.xcodeproj/project.pbxproj", "// pbx")]);
    assert_eq!(stacks(p.path()), ["native-ios"]);
    assert_eq!(
        evidence(p.path(), "native-ios"),
        ["App.xcodeproj (Xcode project)"]
    );
    let p = project(&[("ios/Podfile", "platform :ios, '15.0'\n")]);
    assert_eq!(stacks(p.path()), ["native-ios"]);
    let p = project(&[
        ("contracts/Token.sol", "pragma solidity ^0.8.0;"),
        ("contracts/Vault.sol", "pragma solidity ^0.8.0;"),
    ]);
    assert_eq!(stacks(p.path()), ["solidity"]);
    assert_eq!(evidence(p.path(), "solidity").len(), 2);
}

#[test]
fn prisma_schema_names_the_database() {
    let p = project(&[
        ("package.json", r#"{"dependencies":{"@prisma/client":"6"}}"#),
        (
            "prisma/schema.prisma",
            "datasource db {\n  provider = \"postgresql\"\n}\n",
        ),
    ]);
    assert_eq!(stacks(p.path()), ["node", "postgres"]);
}

#[test]
fn examples_fixtures_dependencies_and_ignored_folders_are_not_read() {
    let p = project(&[
        ("Cargo.toml", "[package]\nname = \"x\"\n"),
        (
            "examples/demo/package.json",
            r#"{"dependencies":{"react":"19"}}"#,
        ),
        (
            "tests/fixtures/py/pyproject.toml",
            "[project]\nname = \"f\"\n",
        ),
        (
            "node_modules/pg/package.json",
            r#"{"dependencies":{"pg":"8"}}"#,
        ),
        ("target/debug/build/go.mod", "module x\n"),
        ("generated/go.mod", "module x\n"),
        (".gitignore", "generated/\n"),
    ]);
    assert_eq!(stacks(p.path()), ["rust"]);
}

#[test]
fn an_empty_folder_has_no_stack() {
    let p = project(&[("README.md", "# nothing")]);
    assert!(stacks(p.path()).is_empty());
}

#[test]
fn this_repository_is_rust() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let s = stacks(&root);
    assert_eq!(s.first().map(String::as_str), Some("rust"), "{s:?}");
    assert!(!s.contains(&"python".to_string()), "{s:?}");
}
