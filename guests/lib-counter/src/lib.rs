//! `lib-counter`: a library component, no `wasi:cli/run`. It exports a
//! counter whose total lives between calls on one instance, text
//! functions with records, options, results and tuples, two functions that
//! read the virtual kernel (random and the wall clock, through the same
//! [`replay_guest::os`] as every catalog guest, so the p3 build speaks
//! WASI 0.3), and one that traps.

use replay_guest::os;
use std::sync::atomic::{AtomicU64, Ordering};

wit_bindgen::generate!({ world: "library", path: "wit" });

use exports::replay::library::{counter, text};

static TOTAL: AtomicU64 = AtomicU64::new(0);

struct Library;

impl counter::Guest for Library {
    fn add(n: u32) -> u64 {
        TOTAL.fetch_add(u64::from(n), Ordering::Relaxed) + u64::from(n)
    }

    fn total() -> u64 {
        TOTAL.load(Ordering::Relaxed)
    }

    fn reset() -> u64 {
        TOTAL.swap(0, Ordering::Relaxed)
    }
}

impl text::Guest for Library {
    fn shout(s: String) -> String {
        format!("{}!", s.to_uppercase())
    }

    fn stats(s: String) -> text::WordStats {
        let words: Vec<&str> = s.split_whitespace().collect();
        let longest = words.iter().fold(None::<&str>, |best, w| match best {
            Some(b) if b.chars().count() >= w.chars().count() => Some(b),
            _ => Some(w),
        });
        text::WordStats { words: words.len() as u32, longest: longest.map(String::from) }
    }

    fn parse_pair(s: String) -> Result<(String, String), String> {
        match s.split_once('=') {
            Some((k, _)) if k.is_empty() => Err(format!("`{s}` has an empty key")),
            Some((k, v)) => Ok((k.to_string(), v.to_string())),
            None => Err(format!("`{s}` has no `=`")),
        }
    }

    fn roll(sides: u32) -> u32 {
        let bytes = os::random_bytes(8);
        let n = u64::from_le_bytes(bytes.try_into().expect("8 bytes"));
        (n % u64::from(sides.max(1))) as u32 + 1
    }

    fn now() -> i64 {
        os::wall_now().0
    }

    fn fail(message: String) {
        panic!("{message}");
    }
}

impl Guest for Library {
    fn greet(name: String) -> String {
        format!("hello, {name}")
    }
}

export!(Library);
