//! The input flags `run`, `diff` and `check` share, and how they become a
//! scenario.

use clap::{Args, ValueEnum};
use std::path::{Path, PathBuf};
use wasi_replay::host::{Backend, LimitOverrides};
use wasi_replay::{FsReport, RunReport, Scenario, Serve, World};
use wasi_replay::cli_support::{CallText, Origin, PreopenText, RequestText, ScenarioText};

#[derive(Args, Debug, Clone)]
pub struct InputArgs {
    /// Host world: read it from the guest (a p1 module, or a component's
    /// exports), or force p1 / p2 / p3.
    #[arg(long, value_enum, default_value_t = WorldArg::Auto)]
    world: WorldArg,
    /// Seed of every random source.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// A host directory copied into MemFs and preopened at / (never
    /// written). Shorthand for --dir DIR::/.
    #[arg(long, value_name = "DIR")]
    fs: Option<PathBuf>,
    /// A preopen: HOST is copied into MemFs under GUEST (default /) and
    /// the guest sees GUEST; an empty HOST gives an empty directory; :ro
    /// makes it read-only. Repeatable.
    #[arg(long = "dir", value_name = "HOST[::GUEST][:ro]", value_parser = parse_dir)]
    dirs: Vec<DirArg>,
    /// How the filesystem is served: from MemFs directly, or through a tempdir.
    #[arg(long, value_enum, default_value_t = BackendArg::Direct)]
    backend: BackendArg,
    /// How the report shows the final filesystem: every entry, or counts
    /// and a sha256 of the listing (for large trees). [default: tree]
    #[arg(long, value_enum)]
    fs_report: Option<FsReportArg>,
    /// Keep a journal of every host call; the report lists it under
    /// `journal:`, and a changed report names the first call that differs.
    #[arg(long)]
    journal: bool,
    /// Which of the operations ready at one virtual instant finishes first
    /// (see Schedules in the docs): default, random[:SEED], pct:D[:SEED],
    /// replay:DECISIONS (a report's `schedule: decisions:`), or, for
    /// explore, exhaustive[:BOUND] (every schedule of each seed).
    #[arg(long, value_name = "STRATEGY")]
    schedule: Option<String>,
    /// Bytes for the guest's stdin: a file, or - for this process's stdin.
    #[arg(long, value_name = "FILE|-")]
    stdin: Option<String>,
    /// An argument after argv[0] (the component's file name). Repeatable.
    #[arg(long = "arg", value_name = "A", allow_hyphen_values = true)]
    args: Vec<String>,
    /// An environment variable. Repeatable; order is kept.
    #[arg(long = "env", value_name = "K=V", value_parser = parse_kv)]
    env: Vec<(String, String)>,
    /// Call an exported function instead of running the command, in WAVE
    /// as `wasmtime run --invoke` takes it: 'add(1, 2)', or
    /// 'iface#add(1, 2)' to name the interface. Repeatable: the calls are
    /// made in order on one instance.
    #[arg(long = "invoke", value_name = "CALL")]
    calls: Vec<String>,
    /// An HTTP request for a handler guest: 'GET /items?limit=2' (or just
    /// a path, a GET). Repeatable: served in order.
    #[arg(long = "request", value_name = "'METHOD /PATH'", value_parser = parse_request)]
    requests: Vec<wasi_replay::Request>,
    /// The body of every --request, read from FILE.
    #[arg(long, value_name = "FILE")]
    request_body: Option<PathBuf>,
    /// How a handler serves the requests: a fresh instance for each (the
    /// filesystem carries over), one shared instance in order, or one p3
    /// instance handling them all at once (concurrent). [default: fresh]
    #[arg(long, value_enum)]
    serve: Option<ServeArg>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Yaml)]
    format: Format,
    /// HTTP mock rules (TOML with [[mock]] tables); unmatched requests are
    /// denied. [default: none, every request is denied]
    #[arg(long, value_name = "FILE")]
    http_mock: Option<PathBuf>,
    /// Fuel for the run; 0 turns it off. [default: 10000000000]
    #[arg(long, value_name = "N")]
    fuel: Option<u64>,
    /// Wall-clock timeout in milliseconds; 0 turns it off. [default: 60000]
    #[arg(long, value_name = "MS")]
    timeout_ms: Option<u64>,
    /// Cap on each linear memory, in bytes. [default: 536870912]
    #[arg(long, value_name = "BYTES")]
    memory_bytes: Option<usize>,
    /// Bytes kept of stdout and of stderr each. [default: 16777216]
    #[arg(long, value_name = "BYTES")]
    capture_bytes: Option<usize>,
    /// MemFs byte quota. [default: 1073741824]
    #[arg(long, value_name = "BYTES")]
    fs_bytes: Option<u64>,
    /// MemFs inode quota. [default: 1000000]
    #[arg(long, value_name = "N")]
    fs_inodes: Option<u64>,
    /// The most bytes read from any one file the flags name (--stdin, a
    /// request or mock body). [default: 67108864]
    #[arg(long, value_name = "BYTES")]
    input_bytes: Option<u64>,
}

/// The fault flags of `run`, `diff` and `check` (`explore` draws its own).
#[derive(Args, Debug, Clone, Default)]
pub struct FaultArgs {
    /// A fault to inject: KIND[=VALUE][#N][@PREFIX], e.g. 'no-space#3@data/'
    /// (the 3rd write under data/ fails with insufficient-space), or a rate,
    /// KIND~P ('http-503~0.2'). Repeatable. Kinds: no-space,
    /// no-space-after=BYTES, read-io, short-write, short-read, sync-io,
    /// rename-io, http-500, http-503, http-refused, http-reset, http-cut,
    /// http-latency=DURATION, clock-back=DURATION, clock-jump=DURATION,
    /// stdin-short.
    #[arg(long = "fault", value_name = "FAULT")]
    faults: Vec<String>,
    /// Draw faults from this fault seed: the run is first made without
    /// them, to count where each kind could strike, then with them.
    #[arg(long = "faults", value_name = "SEED")]
    draw_seed: Option<u64>,
    /// With --faults: the kinds to draw from, comma-separated groups (fs,
    /// http, clock, stdin) or kinds. [default: all]
    #[arg(long, value_name = "KINDS", requires = "draw_seed")]
    fault_kinds: Option<String>,
    /// With --faults: how many faults to draw. [default: 1]
    #[arg(long, value_name = "N", requires = "draw_seed")]
    fault_count: Option<u32>,
}

impl FaultArgs {
    /// The plan these flags give.
    pub fn plan(&self) -> anyhow::Result<wasi_replay::faults::FaultPlan> {
        let names = ("--faults SEED", "--fault-kinds", "--fault-count");
        wasi_replay::faults::FaultPlan::from_parts(&self.faults, self.draw_seed, self.fault_kinds.as_deref(), self.fault_count, names)
            .map_err(|e| anyhow::anyhow!("{}", if e.subject.starts_with("--") { e } else { e.at("--fault") }))
    }
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum WorldArg {
    Auto,
    P1,
    P2,
    P3,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum FsReportArg {
    Tree,
    Digest,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum BackendArg {
    Direct,
    Bridge,
}

/// One `--dir`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirArg {
    host: Option<PathBuf>,
    guest: String,
    read_only: bool,
}

fn parse_dir(s: &str) -> Result<DirArg, String> {
    let (rest, read_only) = match s.strip_suffix(":ro") {
        Some(r) => (r, true),
        None => (s, false),
    };
    let (host, guest) = match rest.split_once("::") {
        Some((h, g)) => (h, g),
        None => (rest, "/"),
    };
    if guest.is_empty() {
        return Err(format!("`{s}`: the guest path after :: is empty"));
    }
    let host = (!host.is_empty()).then(|| PathBuf::from(host));
    Ok(DirArg { host, guest: guest.to_string(), read_only })
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum ServeArg {
    Fresh,
    Shared,
    Concurrent,
}

fn parse_request(s: &str) -> Result<wasi_replay::Request, String> {
    wasi_replay::Request::parse(s).map_err(|e| e.to_string())
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
    /// Were mocks given (`--http-mock`)?
    #[cfg(feature = "record")]
    pub fn has_mocks(&self) -> bool {
        self.http_mock.is_some()
    }

    /// The forced host world, if any.
    pub fn world(&self) -> Option<World> {
        match self.world {
            WorldArg::Auto => None,
            WorldArg::P1 => Some(World::P1),
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

    /// The scenario these flags describe, for `component`: the flags fill
    /// the same [`ScenarioText`] a scenario file fills, with paths as given
    /// and errors named by flag.
    pub fn scenario(&self, component: &Path) -> anyhow::Result<Scenario> {
        // argv[0] is the file's name, as `wasmtime run` passes it.
        let mut args = vec![component.file_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()];
        args.extend(self.args.iter().cloned());
        let mut text = ScenarioText {
            name: Some(component.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()),
            seed: self.seed,
            args,
            env: self.env.iter().map(|(k, v)| format!("{k}={v}")).collect(),
            fixture: self.fs.clone(),
            preopen: self
                .dirs
                .iter()
                .map(|d| PreopenText { guest: d.guest.clone(), fixture: d.host.clone(), read_only: d.read_only })
                .collect(),
            limits: Some(LimitOverrides {
                fuel: self.fuel,
                timeout_ms: self.timeout_ms,
                memory_bytes: self.memory_bytes,
                capture_bytes: self.capture_bytes,
                fs_bytes: self.fs_bytes,
                fs_inodes: self.fs_inodes,
                input_bytes: self.input_bytes,
            }),
            backend: Some(match self.backend {
                BackendArg::Direct => Backend::Direct,
                BackendArg::Bridge => Backend::Bridge,
            }),
            fs_report: self.fs_report.map(|how| match how {
                FsReportArg::Tree => FsReport::Tree,
                FsReportArg::Digest => FsReport::Digest,
            }),
            journal: self.journal,
            schedule: self.schedule.clone(),
            call: self.calls.iter().map(|c| CallText { invoke: c.clone() }).collect(),
            request: self
                .requests
                .iter()
                .map(|r| RequestText {
                    method: r.method.clone(),
                    path: r.path.clone(),
                    headers: r.headers.iter().cloned().collect(),
                    body: None,
                    body_base64: None,
                    body_file: self.request_body.clone(),
                })
                .collect(),
            serve: self.serve.map(|s| match s {
                ServeArg::Fresh => Serve::Fresh,
                ServeArg::Shared => Serve::Shared,
                ServeArg::Concurrent => Serve::Concurrent,
            }),
            ..ScenarioText::default()
        };
        if let Some(f) = self.stdin.as_deref().filter(|f| *f != "-") {
            text.stdin_file = Some(PathBuf::from(f));
        }
        if self.request_body.is_some() && self.requests.is_empty() {
            anyhow::bail!("--request-body: there is no --request to carry it");
        }
        let mut scenario = text.build(Origin::flags())?;
        let cap = self.input_bytes.unwrap_or(wasi_replay::Limits::default().input_bytes);
        if self.stdin.as_deref() == Some("-") {
            let bytes = wasi_replay::memfs::read_stream_capped(std::io::stdin().lock(), cap).map_err(|e| anyhow::anyhow!("--stdin: -: {e}"))?;
            scenario = scenario.stdin(bytes);
        }
        if let Some(path) = &self.http_mock {
            scenario = scenario.http(wasi_replay::cli_support::load_mocks(path, cap)?);
        }
        Ok(scenario)
    }
}
