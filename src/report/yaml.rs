//! The report's canonical text: YAML (the tree's listing spliced in from
//! [`yaml_listing`], which writes the bytes serde_yaml_ng would) and JSON.

use super::{FsView, RunReport, yaml_listing};

impl RunReport {
    /// Canonical YAML.
    ///
    /// A listed tree is written by [`yaml_listing`], which gives the bytes
    /// serde_yaml_ng would, in a fraction of the time; the rest of the
    /// report goes through serde_yaml_ng with an empty `fs`, and the listing
    /// takes that line's place.
    pub fn to_yaml(&self) -> String {
        let whole = || serde_yaml_ng::to_string(self).expect("a RunReport always serializes");
        let FsView::Tree(entries) = &self.fs else { return whole() };
        if entries.is_empty() {
            return whole();
        }
        let head = RunReport {
            guest: self.guest.clone(),
            world: self.world,
            seed: self.seed,
            backend: self.backend,
            exit: self.exit.clone(),
            calls: self.calls.clone(),
            responses: self.responses.clone(),
            elapsed_ns: self.elapsed_ns,
            stdout: self.stdout.clone(),
            stderr: self.stderr.clone(),
            truncated: self.truncated.clone(),
            fs: FsView::default(),
            http: self.http.clone(),
            faults: self.faults.clone(),
            schedule: self.schedule.clone(),
            journal: self.journal.clone(),
        };
        let rest = serde_yaml_ng::to_string(&head).expect("a RunReport always serializes");
        // Top-level keys sit at column 0 and appear once; a second match
        // could only come from inside a string, and then the slow path
        // decides.
        const EMPTY: &str = "\nfs: []\n";
        match rest.match_indices(EMPTY).map(|(at, _)| at).collect::<Vec<_>>()[..] {
            [at] => {
                let mut out = String::with_capacity(rest.len() + entries.len() * 128);
                out.push_str(&rest[..at]);
                out.push_str("\nfs:\n");
                out.push_str(&yaml_listing(entries));
                out.push_str(&rest[at + EMPTY.len()..]);
                out
            }
            _ => whole(),
        }
    }

    /// Canonical JSON, pretty-printed, with a final newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("a RunReport always serializes");
        s.push('\n');
        s
    }
}
