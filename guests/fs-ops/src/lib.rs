//! `fs-ops`: a script of filesystem operations, read from stdin, run one by
//! one, each result printed on a line of its own in words that mean the
//! same in both worlds. The differential tests feed it the same script on
//! the direct backend and on the bridge and compare the lines.
//!
//! One operation per line, tokens separated by single spaces. A string is
//! written in double quotes (`""` is the empty path) and holds no quote or
//! space. Descriptors are numbered: the preopens first, in order from 0,
//! and every successful `open` takes the next number.
//!
//! ```text
//! open D "path" OFLAGS DFLAGS FOLLOW   OFLAGS of c x t d, DFLAGS of r w m, or -;
//!                                      FOLLOW is f or n
//! read F LEN OFF      write F OFF "data"    rstream F OFF    wstream F OFF "data"
//! append F "data"     size F N              times F A M      times-at D "p" FOLLOW A M
//! advise F OFF LEN    sync F                sync-data F      readdir D
//! stat F              stat-at D "p" FOLLOW  mkdir D "p"      rename D "p" D2 "q"
//! link D "p" FOLLOW D2 "q"                  symlink D "target" "p"
//! readlink D "p"      unlink D "p"          rmdir D "p"      hash F
//! hash-at D "p" FOLLOW                      same F G         flags F
//! type F              close F
//! ```
//! A and M are `-` (no change), `now`, or seconds since the epoch.
//!
//! The printed line is `N op: ok …` or `N op: err CODE`; a line the
//! interpreter cannot parse prints `bad-script` and changes nothing.

use replay_guest::os::{self, Fd};
use replay_guest::{Open, Stat, Time, main, println};

main!(run);

async fn run() {
    let script = String::from_utf8_lossy(&os::read_stdin().await).into_owned();
    let mut fds: Vec<Option<Fd>> = os::preopens().into_iter().map(|(d, _)| Some(d)).collect();
    for (i, line) in script.lines().enumerate() {
        let line = line.trim_end();
        if line.is_empty() {
            continue;
        }
        let op = line.split(' ').next().unwrap_or("");
        let out = match parse(line) {
            Some(toks) => step(&mut fds, op, &toks).await,
            None => "bad-script".to_string(),
        };
        println!("{} {op}: {out}", i + 1);
    }
}

/// A token of a script line.
enum Tok {
    Word(String),
    Str(String),
}

fn parse(line: &str) -> Option<Vec<Tok>> {
    let mut toks = Vec::new();
    for t in line.split(' ').skip(1) {
        if let Some(inner) = t.strip_prefix('"') {
            toks.push(Tok::Str(inner.strip_suffix('"')?.to_string()));
        } else if !t.is_empty() {
            toks.push(Tok::Word(t.to_string()));
        } else {
            return None;
        }
    }
    Some(toks)
}

/// Reads the tokens of one line in order.
struct Args<'a>(std::slice::Iter<'a, Tok>);

impl<'a> Args<'a> {
    fn word(&mut self) -> Option<&'a str> {
        match self.0.next()? {
            Tok::Word(w) => Some(w),
            Tok::Str(_) => None,
        }
    }
    fn str(&mut self) -> Option<&'a str> {
        match self.0.next()? {
            Tok::Str(s) => Some(s),
            Tok::Word(_) => None,
        }
    }
    fn num(&mut self) -> Option<u64> {
        self.word()?.parse().ok()
    }
    fn follow(&mut self) -> Option<bool> {
        match self.word()? {
            "f" => Some(true),
            "n" => Some(false),
            _ => None,
        }
    }
    fn time(&mut self) -> Option<Time> {
        match self.word()? {
            "-" => Some(Time::NoChange),
            "now" => Some(Time::Now),
            s => Some(Time::At(s.parse().ok()?, 0)),
        }
    }
    fn end(&mut self) -> Option<()> {
        self.0.next().is_none().then_some(())
    }
}

/// The printed form of a result.
fn shown<T>(r: Result<T, String>, ok: impl FnOnce(T) -> String) -> String {
    match r {
        Ok(v) => {
            let v = ok(v);
            if v.is_empty() { "ok".into() } else { format!("ok {v}") }
        }
        Err(e) => format!("err {e}"),
    }
}

fn nothing(_: ()) -> String {
    String::new()
}

fn stat_line(s: Stat) -> String {
    let t = |t: Option<(i64, u32)>| t.map_or("none".to_string(), |(s, n)| format!("{s}.{n:09}"));
    format!("{} size={} nlink={} a={} m={} c={}", s.kind, s.size, s.nlink, t(s.atime), t(s.mtime), t(s.ctime))
}

/// Bytes as the script shows them: short text inline, anything else as a
/// length and an FNV-1a digest.
fn bytes(data: Vec<u8>) -> String {
    match std::str::from_utf8(&data) {
        Ok(s) if data.len() <= 64 && s.chars().all(|c| c.is_ascii_graphic()) => format!("len={} {s:?}", data.len()),
        _ => {
            let h = data.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ b as u64).wrapping_mul(0x0100_0000_01b3));
            format!("len={} fnv={h:016x}", data.len())
        }
    }
}

fn open_flags(oflags: &str, dflags: &str, follow: bool) -> Option<Open> {
    let mut o = Open { nofollow: !follow, ..Open::default() };
    for c in oflags.chars().filter(|&c| c != '-') {
        match c {
            'c' => o.create = true,
            'x' => o.exclusive = true,
            't' => o.truncate = true,
            'd' => o.directory = true,
            _ => return None,
        }
    }
    for c in dflags.chars().filter(|&c| c != '-') {
        match c {
            'r' => o.read = true,
            'w' => o.write = true,
            'm' => o.mutate = true,
            _ => return None,
        }
    }
    Some(o)
}

async fn step(fds: &mut Vec<Option<Fd>>, op: &str, toks: &[Tok]) -> String {
    let mut a = Args(toks.iter());
    match run_op(fds, op, &mut a).await {
        Some(out) => out,
        None => "bad-script".into(),
    }
}

/// Runs one operation; `None` when the line is malformed or names a
/// descriptor that is not open.
async fn run_op(fds: &mut Vec<Option<Fd>>, op: &str, a: &mut Args<'_>) -> Option<String> {
    let fd = |fds: &Vec<Option<Fd>>, n: u64| -> Option<usize> {
        let n = usize::try_from(n).ok()?;
        fds.get(n)?.as_ref().map(|_| n)
    };
    macro_rules! d {
        ($n:expr) => {
            fds[$n].as_ref().expect("checked open")
        };
    }
    let n = fd(fds, a.num()?)?;
    let out = match op {
        "open" => {
            let (path, oflags, dflags, follow) = (a.str()?, a.word()?, a.word()?, a.follow()?);
            a.end()?;
            let o = open_flags(oflags, dflags, follow)?;
            match d!(n).open(path, o).await {
                Ok(f) => {
                    fds.push(Some(f));
                    format!("ok fd {}", fds.len() - 1)
                }
                Err(e) => format!("err {e}"),
            }
        }
        "read" => {
            let (len, off) = (a.num()?, a.num()?);
            a.end()?;
            shown(d!(n).read_at(off, len).await, bytes)
        }
        "write" => {
            let (off, data) = (a.num()?, a.str()?);
            a.end()?;
            shown(d!(n).write_at(off, data.as_bytes()).await, |w| format!("wrote={w}"))
        }
        "rstream" => {
            let off = a.num()?;
            a.end()?;
            shown(d!(n).read_stream(off).await, bytes)
        }
        "wstream" => {
            let (off, data) = (a.num()?, a.str()?);
            a.end()?;
            shown(d!(n).write_stream(off, data.as_bytes()).await, nothing)
        }
        "append" => {
            let data = a.str()?;
            a.end()?;
            shown(d!(n).append_stream(data.as_bytes()).await, nothing)
        }
        "size" => {
            let size = a.num()?;
            a.end()?;
            shown(d!(n).set_size(size).await, nothing)
        }
        "times" => {
            let (at, mt) = (a.time()?, a.time()?);
            a.end()?;
            shown(d!(n).set_times(at, mt).await, nothing)
        }
        "times-at" => {
            let (path, follow, at, mt) = (a.str()?, a.follow()?, a.time()?, a.time()?);
            a.end()?;
            shown(d!(n).set_times_with(follow, path, at, mt).await, nothing)
        }
        "advise" => {
            let (off, len) = (a.num()?, a.num()?);
            a.end()?;
            shown(d!(n).advise(off, len).await, nothing)
        }
        "sync" => {
            a.end()?;
            shown(d!(n).sync().await, nothing)
        }
        "sync-data" => {
            a.end()?;
            shown(d!(n).sync_data().await, nothing)
        }
        "readdir" => {
            a.end()?;
            shown(d!(n).readdir(".").await, |v| {
                v.iter().map(|(name, kind)| format!("{name}:{kind}")).collect::<Vec<_>>().join(" ")
            })
        }
        "stat" => {
            a.end()?;
            shown(d!(n).fstat().await, stat_line)
        }
        "stat-at" => {
            let (path, follow) = (a.str()?, a.follow()?);
            a.end()?;
            shown(d!(n).stat_at(path, follow).await, stat_line)
        }
        "mkdir" => {
            let path = a.str()?;
            a.end()?;
            shown(d!(n).mkdir(path).await, nothing)
        }
        "rename" | "link" => {
            let from = a.str()?;
            let follow = if op == "link" { a.follow()? } else { false };
            let m = fd(fds, a.num()?)?;
            let to = a.str()?;
            a.end()?;
            let r = if op == "link" {
                d!(n).link_with(follow, from, d!(m), to).await
            } else {
                d!(n).rename_to(from, d!(m), to).await
            };
            shown(r, nothing)
        }
        "symlink" => {
            let (target, path) = (a.str()?, a.str()?);
            a.end()?;
            shown(d!(n).symlink(target, path).await, nothing)
        }
        "readlink" => {
            let path = a.str()?;
            a.end()?;
            shown(d!(n).readlink(path).await, |t| format!("{t:?}"))
        }
        "unlink" => {
            let path = a.str()?;
            a.end()?;
            shown(d!(n).remove_file(path).await, nothing)
        }
        "rmdir" => {
            let path = a.str()?;
            a.end()?;
            shown(d!(n).rmdir(path).await, nothing)
        }
        // Hash values are the host's business; whether one is given is not.
        "hash" => {
            a.end()?;
            shown(d!(n).hash().await, |_| String::new())
        }
        "hash-at" => {
            let (path, follow) = (a.str()?, a.follow()?);
            a.end()?;
            shown(d!(n).hash_with(follow, path).await, |_| String::new())
        }
        "same" => {
            let m = fd(fds, a.num()?)?;
            a.end()?;
            format!("ok {}", d!(n).same(d!(m)).await)
        }
        "flags" => {
            a.end()?;
            shown(d!(n).flags().await, |f| if f.is_empty() { "{}".into() } else { f })
        }
        "type" => {
            a.end()?;
            shown(d!(n).kind().await, |k| k.to_string())
        }
        "close" => {
            a.end()?;
            fds[n] = None;
            "ok".into()
        }
        _ => return None,
    };
    Some(out)
}
