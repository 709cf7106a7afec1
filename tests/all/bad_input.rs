//! Bad input never panics: mutated components through the loader and the
//! runner, and malformed scenario files through the parser. Each must end
//! in a clean error or a report.

use crate::support::{harness, proptest_config as config};
use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Duration;
use wasi_replay::{catalog, Scenario, World};
use wasi_replay::catalog::Catalog;
use wasi_replay::cli_support::ScenarioFile;

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Truncate(usize),
    Insert(usize, Vec<u8>),
    Remove(usize, usize),
}

fn mutate(bytes: &mut Vec<u8>, m: &Mutation) {
    let n = bytes.len().max(1);
    match m {
        Mutation::Flip(at, x) => {
            let i = at % n;
            if let Some(b) = bytes.get_mut(i) {
                *b ^= x | 1;
            }
        }
        Mutation::Truncate(at) => bytes.truncate(at % n),
        Mutation::Insert(at, data) => {
            let i = at % n;
            bytes.splice(i..i, data.iter().copied());
        }
        Mutation::Remove(at, len) => {
            let i = at % n;
            let end = (i + len).min(bytes.len());
            bytes.drain(i..end);
        }
    }
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<usize>(), any::<u8>()).prop_map(|(a, x)| Mutation::Flip(a, x)),
        1 => any::<usize>().prop_map(Mutation::Truncate),
        1 => (any::<usize>(), prop::collection::vec(any::<u8>(), 1..16)).prop_map(|(a, d)| Mutation::Insert(a, d)),
        1 => (any::<usize>(), 1..64usize).prop_map(|(a, l)| Mutation::Remove(a, l)),
    ]
}

/// A mutated catalog component is loaded and, if it loads, run with small
/// limits. Either way: an error value or a report, never a panic.
#[test]
fn mutated_components_never_panic() {
    let original = std::fs::read(catalog::component_path("exit-code", World::P2)).unwrap();
    let h = harness();
    let scenario = Scenario::new("mutant").args(["mutant"]).fuel(Some(5_000_000)).timeout(Some(Duration::from_secs(5)));
    let (loaded, ran) = (std::cell::Cell::new(0u32), std::cell::Cell::new(0u32));
    TestRunner::new(config(120, 0xbad_c0de))
        .run(&prop::collection::vec(mutation(), 1..6), |muts| {
            let mut bytes = original.clone();
            for m in &muts {
                mutate(&mut bytes, m);
            }
            let outcome = catch_unwind(AssertUnwindSafe(|| match h.load_bytes("mutant", &bytes, None) {
                Err(e) => {
                    assert!(!e.to_string().is_empty());
                    (false, false)
                }
                Ok(guest) => (true, h.run(&guest, &scenario).is_ok()),
            }));
            let (l, r) = outcome.map_err(|_| TestCaseError::fail(format!("panic on {muts:?}")))?;
            loaded.set(loaded.get() + l as u32);
            ran.set(ran.get() + r as u32);
            Ok(())
        })
        .unwrap();
    eprintln!("mutants: {} loaded, {} ran to a report", loaded.get(), ran.get());
}

/// Scenario text: valid keys with wrong types, garbage, paths that try to
/// leave the scenario's directory. Each parses or fails cleanly.
#[test]
fn malformed_scenario_files_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("fx")).unwrap();
    let keys = [
        "guest", "components", "worlds", "seed", "args", "env", "stdin", "stdin-file", "fixture", "backend", "quota",
        "limits", "name", "fs-report", "call", "request", "serve", "bogus",
    ];
    let values = [
        "\"fs-tree\"", "42", "-1", "\"\"", "[]", "[\"p2\"]", "[\"p9\"]", "{}", "{ bytes = 1 }", "{ fuel = \"x\" }",
        "\"../../etc\"", "\"/etc\"", "\"fx\"", "true", "1.5", "\"direct\"", "\"digest\"", "\"A=B\"", "[\"NOEQ\"]", "\"\\u0000\"",
    ];
    let line = (prop::sample::select(keys.to_vec()), prop::sample::select(values.to_vec()))
        .prop_map(|(k, v)| format!("{k} = {v}\n"));
    let garbage = prop::collection::vec(any::<char>(), 0..40).prop_map(|c| c.into_iter().collect::<String>());
    let file = (prop::collection::vec(line, 0..6), prop::option::of(garbage), any::<bool>())
        .prop_map(|(lines, junk, preopen)| {
            let mut s = lines.concat();
            if let Some(j) = junk {
                s.push_str(&j);
            }
            if preopen {
                s.push_str("\n[[preopen]]\nguest = \"/x\"\nfixture = \"../..\"\n");
            }
            s
        });
    let path = dir.path().join("s.toml");
    TestRunner::new(config(500, 0x70_91))
        .run(&file, |text| {
            std::fs::write(&path, &text).unwrap();
            let r = catch_unwind(|| ScenarioFile::load(&path, &Catalog).map(|_| ()).map_err(|e| e.to_string()));
            let r = r.map_err(|_| TestCaseError::fail(format!("panic on {text:?}")))?;
            if let Err(msg) = r {
                prop_assert!(msg.starts_with(&path.display().to_string()), "{msg}");
                prop_assert!(!msg.contains('\n'), "one line: {msg:?}");
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn fixture_paths_may_not_leave_the_scenario_directory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("suite/fx")).unwrap();
    let f = dir.path().join("suite/s.toml");
    for (fixture, ok) in [("fx", true), ("./fx", true), ("../suite/fx", false), ("/etc", false), ("fx/../..", false)] {
        std::fs::write(&f, format!("guest = \"fs-tree\"\nfixture = \"{fixture}\"\n")).unwrap();
        let r = ScenarioFile::load(&f, &Catalog);
        assert_eq!(r.is_ok(), ok, "{fixture}: {r:?}");
        if !ok {
            assert!(r.unwrap_err().to_string().contains("leaves the scenario's directory"));
        }
    }
}

#[test]
fn fs_report_needs_a_filesystem_and_a_known_form() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("s.toml");
    for (text, needle) in [
        ("guest = \"fs-tree\"\nfs-report = \"digest\"\n", "field `fs-report`: the scenario has no filesystem (no `fixture`, `preopen` or `entry`)"),
        ("guest = \"fs-tree\"\nfs-report = \"hash\"\n[[preopen]]\n", "fs-report"),
    ] {
        std::fs::write(&f, text).unwrap();
        let msg = ScenarioFile::load(&f, &Catalog).unwrap_err().to_string();
        assert!(msg.contains(needle), "{msg}");
    }
    std::fs::write(&f, "guest = \"fs-tree\"\nfs-report = \"digest\"\n[[preopen]]\n").unwrap();
    let sf = ScenarioFile::load(&f, &Catalog).unwrap();
    let report = harness().run(&crate::support::guest("fs-tree", World::P2), &sf.scenario).unwrap();
    assert!(matches!(report.fs, wasi_replay::FsView::Digest(_)), "{:?}", report.fs);
}

#[test]
fn a_guest_name_means_what_the_resolver_says() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("s.toml");
    std::fs::write(&f, "guest = \"fs-tree\"\n").unwrap();
    let msg = ScenarioFile::load(&f, &wasi_replay::cli_support::NoGuests).unwrap_err().to_string();
    assert!(msg.ends_with("field `guest`: no guest `fs-tree` (known: none)"), "{msg}");
    let sf = ScenarioFile::load(&f, &Catalog).unwrap();
    assert_eq!(sf.guest.as_deref(), Some("fs-tree"));
    assert_eq!(sf.targets[0].component, catalog::component_path("fs-tree", World::P2));
    std::fs::write(&f, "guest = \"no-such-guest\"\n").unwrap();
    let msg = ScenarioFile::load(&f, &Catalog).unwrap_err().to_string();
    assert!(msg.contains("no guest `no-such-guest` (known: fs-tree, clock-random,"), "{msg}");
}
