//! A run written out as a scenario: the file, a copy of the component,
//! the initial tree, binary stdin and bodies, and (by the caller, through
//! [`Suite::run_case`](super::Suite::run_case)) its golden, so that
//! `wasi-replay test DIR` passes at once.
//!
//! What is written is what differs from the defaults, and nothing that
//! names the machine: every path is relative to `DIR`, and text that is
//! UTF-8 stays inline in the TOML. Binary content goes to files of its
//! own beside it.

use super::SuiteError;
use crate::host::{Backend, Limits, timeout_ms};
use crate::memfs::memfs_to_dir;
use crate::report::FsReport;
use crate::host::LimitOverrides;
use crate::kernel::ClockConfig;
use crate::scenario::text::{CallText, ClockText, FaultsText, PreopenText, QuotaText, RequestText, ScenarioText};
use crate::scenario::{Scenario, Serve};
use std::path::{Path, PathBuf};

/// Writes `scenario`, a run of `component`, into `dir` (created; must be
/// empty or absent) as `<name>.toml`, named after the scenario; returns
/// the file. Fixtures go to `<name>.fs/`, binary stdin and bodies to
/// `<name>.<what>.bin`, and the component is copied in.
pub fn emit(scenario: &Scenario, component: &Path, dir: &Path) -> Result<PathBuf, SuiteError> {
    let fail = |what: &str, e: &dyn std::fmt::Display| SuiteError::at(dir, format!("{what}: {e}"));
    if dir.exists() && std::fs::read_dir(dir).map(|mut d| d.next().is_some()).unwrap_or(true) {
        return Err(SuiteError::at(dir, "exists and is not an empty directory"));
    }
    std::fs::create_dir_all(dir).map_err(|e| fail("cannot create", &e))?;
    let file_name = component.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "component.wasm".into());
    let stem = Path::new(&file_name).file_stem().map_or("run".into(), |s| s.to_string_lossy().into_owned());
    let name = if scenario.name.is_empty() { stem } else { scenario.name.clone() };
    let name: String = name.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '-' }).collect();
    std::fs::copy(component, dir.join(&file_name)).map_err(|e| fail(&format!("copy {}", component.display()), &e))?;

    let side = |what: &str, bytes: &[u8]| -> Result<(Option<String>, Option<String>), SuiteError> {
        match std::str::from_utf8(bytes) {
            Ok(text) => Ok((Some(text.to_string()), None)),
            Err(_) => {
                let f = format!("{name}.{what}.bin");
                std::fs::write(dir.join(&f), bytes).map_err(|e| fail(&f, &e))?;
                Ok((None, Some(f)))
            }
        }
    };
    let i = &scenario.inputs;
    let (stdin, stdin_file) = if i.stdin.is_empty() { (None, None) } else { side("stdin", &i.stdin)? };

    let defaults = Limits::default();
    let changed = |mine: u64, default: u64| (mine != default).then_some(mine);
    let off = |v: Option<u64>| v.unwrap_or(0);
    let limits = LimitOverrides {
        fuel: (i.limits.fuel != defaults.fuel).then(|| off(i.limits.fuel)),
        timeout_ms: (i.limits.timeout != defaults.timeout).then(|| timeout_ms(i.limits.timeout)),
        memory_bytes: (i.limits.memory_bytes != defaults.memory_bytes).then_some(i.limits.memory_bytes),
        capture_bytes: (i.limits.capture_bytes != defaults.capture_bytes).then_some(i.limits.capture_bytes),
        fs_bytes: changed(i.limits.fs_bytes, defaults.fs_bytes),
        fs_inodes: changed(i.limits.fs_inodes, defaults.fs_inodes),
        input_bytes: changed(i.limits.input_bytes, defaults.input_bytes),
    };

    let (mut quota, mut preopen) = (None, Vec::new());
    if let Some(fs) = &scenario.fs {
        let q = fs.quota();
        if q.max_bytes.is_some() || q.max_inodes.is_some() {
            quota = Some(QuotaText { bytes: q.max_bytes, inodes: q.max_inodes });
        }
        let tree = format!("{name}.fs");
        let entries = fs.walk();
        let has_files = entries.iter().any(|e| e.path != "/");
        if has_files {
            std::fs::create_dir(dir.join(&tree)).map_err(|e| fail(&tree, &e))?;
            memfs_to_dir(fs, &dir.join(&tree)).map_err(|e| fail(&tree, &e))?;
        }
        let ats: Vec<String> = i.preopens.iter().map(|p| p.memfs_path()).collect();
        for p in &i.preopens {
            let at = p.memfs_path();
            // A preopen inside another one is already in that one's copy.
            let nested = ats.iter().any(|outer| *outer != at && (outer == "/" || at.starts_with(&format!("{outer}/"))));
            let filled = has_files && !nested && subtree_has_entries(&entries, &at);
            let fixture = filled.then(|| if at == "/" { tree.clone() } else { format!("{tree}{at}") });
            preopen.push(PreopenText { guest: p.guest_path.clone(), fixture: fixture.map(PathBuf::from), read_only: p.read_only });
        }
    }

    let mut request = Vec::new();
    for (n, r) in scenario.requests.iter().enumerate() {
        let (body, body_file) = if r.body.is_empty() { (None, None) } else { side(&format!("request-{n}"), &r.body)? };
        let headers = r.headers.iter().cloned().collect();
        request.push(RequestText { method: r.method.clone(), path: r.path.clone(), headers, body, body_base64: None, body_file: body_file.map(PathBuf::from) });
    }
    let http = if i.http.rules.is_empty() {
        None
    } else {
        Some(super::http::text_of(&i.http, |n, body| side(&format!("mock-{n}"), body))?)
    };

    let out = ScenarioText {
        components: vec![PathBuf::from(&file_name)],
        seed: i.seed,
        // The command line's default argv is the component's file name,
        // which the scenario file's default gives too.
        args: if i.args == [file_name.clone()] { Vec::new() } else { i.args.clone() },
        env: i.env.iter().map(|(k, v)| format!("{k}={v}")).collect(),
        stdin,
        stdin_file: stdin_file.map(PathBuf::from),
        backend: (i.backend != Backend::Direct).then_some(i.backend),
        fs_report: (scenario.fs_report != FsReport::Tree).then_some(scenario.fs_report),
        journal: i.journal,
        serve: (!scenario.requests.is_empty() && scenario.serve != Serve::Fresh).then_some(scenario.serve),
        limits: (limits != LimitOverrides::default()).then_some(limits),
        quota,
        clock: clock_text(&i.clock),
        faults: (!i.faults.is_empty()).then(|| FaultsText {
            plan: i.faults.texts(),
            seed: i.faults.draw.as_ref().map(|d| d.seed),
            kinds: i.faults.draw.as_ref().map(|d| d.kinds.iter().map(|k| k.name().to_string()).collect()),
            count: i.faults.draw.as_ref().map(|d| d.count),
        }),
        preopen,
        call: scenario.calls.iter().map(|c| CallText { invoke: c.clone() }).collect(),
        request,
        http,
        ..ScenarioText::default()
    };
    let text = toml::to_string(&out).map_err(|e| fail("cannot write the scenario", &e))?;
    let header = format!("# Written by `wasi-replay run --emit-scenario`: a run of {file_name}.\n");
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, header + &text).map_err(|e| fail(&path.display().to_string(), &e))?;
    Ok(path)
}

/// Does the listing hold anything under `at`?
fn subtree_has_entries(entries: &[crate::memfs::Entry], at: &str) -> bool {
    let prefix = if at == "/" { "/".to_string() } else { format!("{at}/") };
    entries.iter().any(|e| e.path.starts_with(&prefix) && e.path != at)
}

/// The clocks' starts that differ from the defaults, if any does.
fn clock_text(clock: &ClockConfig) -> Option<ClockText> {
    let default = ClockConfig::default();
    let wall = (clock.wall_start != default.wall_start).then(|| u64::try_from(clock.wall_start.as_nanos()).unwrap_or(u64::MAX));
    let monotonic = (clock.monotonic_start != default.monotonic_start).then_some(clock.monotonic_start);
    (wall.is_some() || monotonic.is_some()).then_some(ClockText { wall_start_ns: wall, monotonic_start_ns: monotonic })
}
