//! `run` and `diff`.

use super::style::{color_stdout, diff as render_diff};
use super::{EXIT_MISMATCH, EXIT_OK, FaultArgs, InputArgs};
use anyhow::{Context, bail};
use std::path::Path;
use wasi_replay::memfs::memfs_to_dir;
use wasi_replay::World;

/// Where `run` writes besides its report.
pub struct Outputs<'a> {
    /// The final tree (`--out`).
    pub tree: Option<&'a Path>,
    /// The journal file (`--journal-out`).
    pub journal: Option<&'a Path>,
    /// The emitted scenario (`--emit-scenario`).
    pub scenario: Option<&'a Path>,
    /// The run as an HTML page (`--html`).
    pub html: Option<&'a Path>,
    /// The cassette (`--http-record`) and the upstream to send to.
    #[cfg(feature = "record")]
    pub cassette: Option<(&'a Path, Option<String>)>,
}

pub fn run(component: &Path, inputs: &InputArgs, faults: &FaultArgs, outputs: Outputs<'_>) -> anyhow::Result<u8> {
    #[cfg(not(feature = "record"))]
    let Outputs { tree: out, journal: journal_out, scenario: emit, html } = outputs;
    #[cfg(feature = "record")]
    let Outputs { tree: out, journal: journal_out, scenario: emit, html, cassette } = outputs;
    if let Some(out) = out
        && out.exists()
        && std::fs::read_dir(out).map(|mut d| d.next().is_some()).unwrap_or(true)
    {
        bail!("--out: {} exists and is not an empty directory", out.display());
    }
    let mut scenario = inputs.scenario(component)?.faults(faults.plan()?);
    let mut page = super::Page::create(html)?;
    if journal_out.is_some() {
        scenario = scenario.journal(true);
    }
    #[cfg(feature = "record")]
    let recording = match &cassette {
        Some(_) if inputs.has_mocks() => bail!("--http-record sends requests to the network; it takes no --http-mock"),
        Some((_, upstream)) => {
            let r = wasi_replay::host::Recording::new(upstream.clone());
            scenario = scenario.record_http(r.clone());
            Some(r)
        }
        None => None,
    };
    let harness = super::new_harness(1)?;
    let guest = harness.load_on(component, inputs.world())?;
    let (report, fs) = harness.run_with_fs(&guest, &scenario)?;
    if let Some(file) = journal_out {
        let bytes = std::fs::read(component).with_context(|| format!("{}", component.display()))?;
        let name = component.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let recorded = wasi_replay::cli_support::JournalFile::new(&name, &bytes, &scenario, &report)
            .context("--journal-out: the run kept no journal")?;
        std::fs::write(file, recorded.to_yaml()).with_context(|| format!("--journal-out {}", file.display()))?;
    }
    #[cfg(feature = "record")]
    if let (Some((file, _)), Some(r)) = (&cassette, recording) {
        let mocks = wasi_replay::host::HttpMocks { rules: r.rules(), ..Default::default() };
        wasi_replay::cli_support::save_mocks(&mocks, file).map_err(|e| anyhow::anyhow!("--http-record: {e}"))?;
    }
    print!("{}", inputs.render(&report));
    super::write_page(&mut page, || wasi_replay::html::run_page(&report))?;
    if let (Some(out), Some(fs)) = (out, fs) {
        std::fs::create_dir_all(out).with_context(|| format!("--out {}", out.display()))?;
        memfs_to_dir(&fs, out).with_context(|| format!("--out {}", out.display()))?;
    }
    if let Some(dir) = emit {
        emit_scenario(&harness, &scenario, component, dir)?;
    }
    Ok(EXIT_OK)
}

/// `--emit-scenario`: the scenario written out, then run as `wasi-replay
/// test` runs it, its golden accepted.
pub(super) fn emit_scenario(harness: &wasi_replay::Harness, scenario: &wasi_replay::Scenario, component: &Path, dir: &Path) -> anyhow::Result<()> {
    use wasi_replay::{Suite, Update};
    use wasi_replay::cli_support::emit;
    let file = emit(scenario, component, dir).map_err(|e| anyhow::anyhow!("--emit-scenario: {e}"))?;
    let suite = Suite::new().update(Update::Accept);
    let files = suite.load([&file]).map_err(|e| anyhow::anyhow!("--emit-scenario: {e}"))?;
    for case in Suite::cases(&files) {
        let result = suite.run_case(harness, &case);
        if let Some(why) = result.explain() {
            bail!("--emit-scenario: {why}");
        }
    }
    eprintln!("wrote {} and its golden; `wasi-replay test {}` checks it", file.display(), dir.display());
    Ok(())
}

pub fn diff(a: &Path, b: Option<&Path>, inputs: &InputArgs, faults: &FaultArgs, html: Option<&Path>) -> anyhow::Result<u8> {
    let scenario = inputs.scenario(a)?.faults(faults.plan()?);
    let mut page = super::Page::create(html)?;
    let harness = super::new_harness(1)?;
    let (left, right) = match b {
        Some(b) => (harness.load_on(a, inputs.world())?, harness.load_on(b, inputs.world())?),
        None => {
            let left = harness.load_on(a, Some(World::P2)).map_err(|e| match e {
                wasi_replay::HarnessError::WrongHost { name, world: World::P3, .. } => anyhow::anyhow!(
                    "{name}: a p3 component runs only on the p3 host; give its p2 build as the second component"
                ),
                wasi_replay::HarnessError::WrongHost { name, world: World::P1, .. } => anyhow::anyhow!(
                    "{name}: a WASI p1 module runs only on the p1 host; give a second component to compare it with"
                ),
                e => e.into(),
            })?;
            (left, harness.load_on(a, Some(World::P3))?)
        }
    };
    let names = |g: &wasi_replay::Guest, p: &Path| format!("{} ({} host)", p.display(), g.host());
    let (ln, rn) = (names(&left, a), names(&right, b.unwrap_or(a)));
    let l = harness.run(&left, &scenario)?.without_world();
    let r = harness.run(&right, &scenario)?.without_world();
    let (lt, rt) = (inputs.render(&l), inputs.render(&r));
    super::write_page(&mut page, || wasi_replay::html::pair_page(&ln, &l, &rn, &r))?;
    if lt == rt {
        eprintln!("reports are equal: {ln} and {rn}");
        return Ok(EXIT_OK);
    }
    print!("{}", wasi_replay::journal::heading(l.divergence(&r)));
    print!("{}", render_diff(&ln, &lt, &rn, &rt, color_stdout()));
    Ok(EXIT_MISMATCH)
}
