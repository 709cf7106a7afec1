//! The 10,000-file tree of `fs-bulk`, listed and written as YAML.

use super::measure::interleaved;
use wasi_replay::{catalog, FsReport, FsView, RunReport, World};

/// Target 2: the final tree of `fs-bulk` (10,000 files) listed and written
/// as the report's YAML, and as a digest.
pub(super) fn tree(runs: usize) -> anyhow::Result<()> {
    let harness = crate::cli::new_harness(1)?;
    let guest = harness.load(&catalog::component_path("fs-bulk", World::P2))?;
    let (report, fs) = harness.run_with_fs(&guest, &catalog::scenario("fs-bulk")?)?;
    let fs = fs.ok_or_else(|| anyhow::anyhow!("fs-bulk left no filesystem"))?;
    let mut yaml_len = 0;
    let as_yaml = |how: FsReport, len: &mut usize| {
        *len = RunReport { fs: FsView::of(&fs, how), ..report.clone() }.to_yaml().len();
    };
    let listed = RunReport { fs: FsView::of(&fs, FsReport::Tree), ..report.clone() };
    let m = interleaved(
        &mut [
            &mut || Ok(as_yaml(FsReport::Tree, &mut yaml_len)),
            &mut || Ok(drop(FsView::of(&fs, FsReport::Tree))),
            &mut || Ok(drop(listed.to_yaml())),
            &mut || Ok(as_yaml(FsReport::Digest, &mut 0)),
        ],
        runs,
    )?;
    println!();
    println!("fs-bulk's final tree into report YAML ({runs} runs)");
    println!(
        "  {} entries, {} KiB of YAML listed: {:.2} ms (listing {:.2} ms, YAML {:.2} ms)",
        fs.walk().len(),
        yaml_len / 1024,
        m[0] / 1e3,
        m[1] / 1e3,
        m[2] / 1e3
    );
    println!("  the same as a digest: {:.2} ms", m[3] / 1e3);
    Ok(())
}

