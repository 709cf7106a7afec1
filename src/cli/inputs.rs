//! The input flags `run`, `diff` and `check` share, and how they become a
//! scenario.

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use std::io::Read;
use std::path::{Path, PathBuf};
use wasi_replay::bridge::memfs_from_dir;
use wasi_replay::report::{RunReport, World};
use wasi_replay::scenario::Scenario;

#[derive(Args, Debug, Clone)]
pub struct InputArgs {
    /// Host world: read it from the component's exports, or force p2 / p3.
    #[arg(long, value_enum, default_value_t = WorldArg::Auto)]
    world: WorldArg,
    /// Seed of every random source.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// A host directory copied into MemFs as the initial tree (never written).
    #[arg(long, value_name = "DIR")]
    fs: Option<PathBuf>,
    /// Bytes for the guest's stdin: a file, or - for this process's stdin.
    #[arg(long, value_name = "FILE|-")]
    stdin: Option<String>,
    /// An argument after argv[0] (the component's file stem). Repeatable.
    #[arg(long = "arg", value_name = "A", allow_hyphen_values = true)]
    args: Vec<String>,
    /// An environment variable. Repeatable; order is kept.
    #[arg(long = "env", value_name = "K=V", value_parser = parse_kv)]
    env: Vec<(String, String)>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Yaml)]
    format: Format,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum WorldArg {
    Auto,
    P2,
    P3,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Yaml,
    Json,
}

fn parse_kv(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!("`{s}` is not K=V")),
    }
}

impl InputArgs {
    /// The forced host world, if any.
    pub fn world(&self) -> Option<World> {
        match self.world {
            WorldArg::Auto => None,
            WorldArg::P2 => Some(World::P2),
            WorldArg::P3 => Some(World::P3),
        }
    }

    /// Renders a report in the chosen format.
    pub fn render(&self, report: &RunReport) -> String {
        match self.format {
            Format::Yaml => report.to_yaml(),
            Format::Json => report.to_json(),
        }
    }

    /// The scenario these flags describe, for `component`.
    pub fn scenario(&self, component: &Path) -> anyhow::Result<Scenario> {
        let name = component.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let mut argv = vec![name.clone()];
        argv.extend(self.args.iter().cloned());
        let mut scenario = Scenario::new(name).seed(self.seed).args(argv);
        scenario.inputs.env = self.env.clone();
        scenario.inputs.stdin = match self.stdin.as_deref() {
            None => Vec::new(),
            Some("-") => {
                let mut buf = Vec::new();
                std::io::stdin().read_to_end(&mut buf).context("reading stdin")?;
                buf
            }
            Some(f) => std::fs::read(f).with_context(|| format!("cannot read --stdin file {f}"))?,
        };
        if let Some(dir) = &self.fs {
            if !dir.is_dir() {
                bail!("--fs: directory not found: {}", dir.display());
            }
            scenario.fs = Some(memfs_from_dir(dir).with_context(|| format!("--fs {}", dir.display()))?);
        }
        Ok(scenario)
    }
}
