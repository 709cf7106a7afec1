//! `demo`, the default command.

use super::*;

#[test]
fn demo_is_the_default_command() {
    let out = cli().output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let table = stdout(&out);
    for name in catalog::SCENARIOS {
        let row = table.lines().find(|l| l.starts_with(name)).unwrap_or_else(|| panic!("{table}"));
        assert_eq!(row.matches("yes").count(), 2, "{row}");
    }
}
