//! `wazir index`: build, refresh and query the code index (thin layer over `wazir-index`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use wazir_index::{IndexConfig, SearchOptions, Symbol};

#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Index this folder instead of the project found from the current folder; it needs no
    /// manifest, but then the state root must come from --state-root or WAZIR_STATE_ROOT.
    #[arg(long, global = true, value_name = "DIR")]
    pub root: Option<PathBuf>,

    #[command(subcommand)]
    pub command: IndexCommand,
}

#[derive(Debug, Subcommand)]
pub enum IndexCommand {
    /// Index the whole project from scratch (parallel; a progress bar on a terminal).
    Build,
    /// Re-parse only files whose content changed; drop files that are gone.
    Refresh,
    /// Counts: files per language, symbols per kind, summaries, last ingestion run.
    Stats,
    /// Write heuristic L0/L1 summaries for files and symbols that lack fresh ones.
    Summarize {
        /// Rewrite every summary, not only missing or stale ones.
        #[arg(long)]
        refresh: bool,
    },
    /// Find symbols: exact names first, then prefixes, then fuzzy matches.
    SearchSymbols {
        /// A symbol name or part of one.
        query: String,
        /// Only this kind (function, method, class, struct, enum, trait, interface, type, ...).
        #[arg(long)]
        kind: Option<String>,
        /// Only this language (rust, python, javascript, typescript, tsx, go, java, sql).
        #[arg(long)]
        lang: Option<String>,
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Every definition of a name (or `Container.name`), with signature, lines and doc.
    GetSymbol {
        /// A symbol name, or `Container.name`.
        query: String,
    },
    /// The symbols (code) or outline (SQL, JSON, YAML, Markdown) of one file.
    GetFileOutline {
        /// A file path relative to the project root.
        path: String,
    },
    /// A ranked map of the repository's key signatures that fits a token budget.
    Map {
        /// Token budget (o200k tokens).
        #[arg(long, default_value_t = wazir_index::map::DEFAULT_BUDGET)]
        budget: usize,
        /// Files, folders or names to rank around (repeatable).
        #[arg(long)]
        focus: Vec<String>,
    },
}

/// The project root, state root and size limit: from `--root DIR` when given (with or without a
/// manifest there), else from the project found by walking up from the current folder.
pub fn config(root_flag: Option<&Path>, ctx: &crate::Ctx) -> Result<IndexConfig> {
    let project = match root_flag {
        Some(dir) => {
            if !dir.is_dir() {
                bail!("--root {}: not a folder", dir.display());
            }
            if dir.join("wazir.manifest.yaml").is_file() {
                Some(wazir_core::Project::open(dir)?)
            } else {
                None
            }
        }
        None => Some(ctx.project()?),
    };
    let mut cfg = match (&project, root_flag) {
        (Some(p), _) => IndexConfig::new(&p.root, ctx.state_root(p)?),
        (None, Some(dir)) => {
            let env = std::env::var_os(wazir_core::state_root::ENV_VAR);
            let state = wazir_core::state_root::resolve(
                ctx.state_root_flag.as_deref(),
                env.as_deref().map(Path::new),
                "",
                "",
                dir,
            )?;
            IndexConfig::new(dir, state.path)
        }
        (None, None) => unreachable!("a project is found when no --root is given"),
    };
    if let Some(max) = project.and_then(|p| p.manifest.index.max_file_bytes) {
        cfg.max_file_bytes = max;
    }
    cfg.progress = !ctx.json;
    Ok(cfg)
}

fn qualified(s: &Symbol) -> String {
    match &s.container {
        Some(c) => format!("{c}.{}", s.name),
        None => s.name.clone(),
    }
}

pub fn run(args: &IndexArgs, ctx: &crate::Ctx) -> Result<ExitCode> {
    let cfg = config(args.root.as_deref(), ctx)?;
    match &args.command {
        IndexCommand::Build | IndexCommand::Refresh => {
            let report = match args.command {
                IndexCommand::Build => wazir_index::build(&cfg)?,
                _ => wazir_index::refresh(&cfg)?,
            };
            if ctx.json {
                ctx.print_json(&report)?;
            } else {
                println!("{}", report.one_line());
            }
        }
        IndexCommand::Stats => {
            let s = wazir_index::stats(&cfg.state_root)?;
            if ctx.json {
                ctx.print_json(&s)?;
            } else {
                println!(
                    "index {} (schema {}, {} bytes)",
                    s.database, s.schema_version, s.database_bytes
                );
                println!(
                    "files {}, symbols {}, outline items {}",
                    s.files, s.symbols, s.outline_items
                );
                let langs: Vec<String> = s
                    .languages
                    .iter()
                    .map(|(k, v)| format!("{k} {v}"))
                    .collect();
                println!("languages: {}", langs.join(", "));
                let kinds: Vec<String> = s.kinds.iter().map(|(k, v)| format!("{k} {v}")).collect();
                println!("kinds: {}", kinds.join(", "));
                println!(
                    "summaries: {} files ({} stale), {} symbols; {} retrievals logged",
                    s.summarized_files, s.stale_summaries, s.symbol_summaries, s.retrievals
                );
                if let Some(run) = &s.last_run {
                    println!("last run: {run}");
                }
            }
        }
        IndexCommand::Summarize { refresh } => {
            let r = wazir_index::summarize(&cfg, *refresh)?;
            if ctx.json {
                ctx.print_json(&r)?;
            } else {
                println!(
                    "summarized {} of {} files ({} already fresh), {} symbols; L1 is {:.1}% of source tokens on average ({:.1}% overall); {} ms",
                    r.files_summarized,
                    r.files_total,
                    r.files_fresh,
                    r.symbol_summaries,
                    r.l1_mean_ratio * 100.0,
                    r.l1_total_ratio * 100.0,
                    r.duration_ms
                );
            }
        }
        IndexCommand::SearchSymbols {
            query,
            kind,
            lang,
            limit,
        } => {
            let opts = SearchOptions {
                kind: kind.clone(),
                lang: lang.clone(),
                limit: *limit,
            };
            let hits = wazir_index::search_symbols(&cfg.state_root, query, &opts)?;
            if ctx.json {
                ctx.print_json(&hits)?;
            } else if hits.is_empty() {
                println!("no symbol matches `{query}`");
            } else {
                for h in &hits {
                    let s = &h.symbol;
                    println!(
                        "{}:{} {} {} [{:?}]  {}",
                        s.path,
                        s.symbol.start_line,
                        s.symbol.kind,
                        qualified(&s.symbol),
                        h.rank,
                        s.symbol.signature
                    );
                }
            }
        }
        IndexCommand::GetSymbol { query } => {
            let g = wazir_index::get_symbol(&cfg.state_root, query)?;
            if ctx.json {
                ctx.print_json(&g)?;
            } else {
                if !g.exact {
                    println!("no exact match for `{query}`; closest:");
                }
                for s in &g.symbols {
                    println!(
                        "{}:{}-{} {} {} ({})",
                        s.path,
                        s.symbol.start_line,
                        s.symbol.end_line,
                        s.symbol.kind,
                        qualified(&s.symbol),
                        s.language
                    );
                    println!("  {}", s.symbol.signature);
                    if let Some(d) = &s.symbol.doc {
                        for l in d.lines().take(3) {
                            println!("  /// {l}");
                        }
                    }
                }
            }
            if g.symbols.is_empty() {
                eprintln!("no symbol matches `{query}`");
                return Ok(ExitCode::from(1));
            }
        }
        IndexCommand::GetFileOutline { path } => {
            let o = wazir_index::file_outline(&cfg.root, &cfg.state_root, path)?;
            if ctx.json {
                ctx.print_json(&o)?;
            } else {
                println!("{} ({}, {} lines)", o.path, o.language, o.lines);
                for s in &o.symbols {
                    let depth = s.container.as_ref().map_or(0, |c| c.depth() as usize);
                    println!(
                        "{}{} {}  L{}-{}",
                        "  ".repeat(depth + 1),
                        s.kind,
                        s.signature,
                        s.start_line,
                        s.end_line
                    );
                }
                for i in &o.outline {
                    println!(
                        "{}{} {}  L{}-{}",
                        "  ".repeat(i.depth as usize),
                        i.kind,
                        i.name,
                        i.line,
                        i.end_line
                    );
                }
            }
        }
        IndexCommand::Map { budget, focus } => {
            let m = wazir_index::map(&cfg.root, &cfg.state_root, *budget, focus)?;
            if ctx.json {
                ctx.print_json(&m)?;
            } else {
                print!("{}", m.to_text());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Source bytes `init` indexes while the user waits: about three seconds of parsing on a
/// two-core machine. A larger tree is indexed by a `wazir index build` in the background.
pub const FOREGROUND_BYTES: u64 = 24_000_000;

/// Builds the index for `init`: in the foreground (with a progress bar on a terminal) when the
/// tree is small, else in a detached `wazir index build` that writes its output to
/// `<state-root>/index/build.log`. Returns the line `init` prints.
pub fn build_for_init(cfg: &IndexConfig) -> Result<String> {
    let walked = wazir_index::walk::walk(&cfg.root, Some(&cfg.state_root), cfg.max_file_bytes);
    let bytes: u64 = walked.candidates.iter().map(|c| c.size).sum();
    if bytes <= FOREGROUND_BYTES {
        let r = wazir_index::build_walked(cfg, walked).context("building the code index")?;
        return Ok(r.one_line());
    }
    let dir = cfg.state_root.join("index");
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("creating the index folder {}", dir.display()))?;
    let log_path = dir.join(wazir_index::busy::LOG_FILE);
    let log = std::fs::File::create(&log_path)
        .with_context(|| format!("creating the build log {}", log_path.display()))?;
    let exe = std::env::current_exe().context("finding the wazir executable")?;
    let mut cmd = std::process::Command::new(exe);
    cmd.arg("--state-root")
        .arg(&cfg.state_root)
        .args(["index", "--root"])
        .arg(&cfg.root)
        .arg("build")
        .stdin(std::process::Stdio::null())
        .stdout(log.try_clone().context("opening the build log")?)
        .stderr(log);
    #[cfg(unix)]
    {
        // Its own process group: a Ctrl-C after init returns does not stop the build.
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
    }
    let mut child = cmd
        .spawn()
        .context("starting `wazir index build` in the background")?;
    // Wait until the build holds its lock (or has ended), so the doctor run that follows, and
    // any command right after init, says the index is being built rather than missing.
    let started = std::time::Instant::now();
    while !wazir_index::busy::building(&dir)
        && matches!(child.try_wait(), Ok(None))
        && started.elapsed() < std::time::Duration::from_secs(5)
    {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    Ok(format!(
        "code index: building in the background ({} files, {} MB), so init does not wait; \
         `wazir index stats` shows it once done (log: {})",
        walked.candidates.len(),
        bytes / 1_000_000,
        log_path.display()
    ))
}
