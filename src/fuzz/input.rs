//! What a search mutates: the parts of a scenario it was told to
//! ([`Field`]), each as bytes, and the mutations made of them.

use crate::scenario::Scenario;
use crate::schedule::Strategy;
use std::sync::Arc;

/// The longest field the mutators make.
pub(super) const MAX_FIELD: usize = 4096;
/// How many leading bytes of each field the deterministic stage writes.
pub(super) const STAGE_POSITIONS: usize = 16;
/// How far the deterministic stage moves a byte up and down.
pub(super) const ARITH: usize = 8;
/// The most fields one search mutates: each field's stage positions are
/// bits of a `u128`.
pub const MAX_FIELDS: usize = 128 / STAGE_POSITIONS;

/// A part of a scenario a search mutates. Its text form (`--mutate` on
/// the command line) is the name and, where it has one, `:` and its index
/// or path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    /// Standard input: `stdin`.
    Stdin,
    /// Argument `n`, `argv[0]` being the program: `arg:N`.
    Arg(usize),
    /// A file of the scenario's MemFs, which must be there: `file:PATH`.
    File(String),
    /// Request `n`'s body (from 0, in the order given): `body:N`.
    Body(usize),
    /// Request `n`'s path and query: `path:N`.
    Path(usize),
    /// Export call `n`'s WAVE text: `call:N`.
    Call(usize),
    /// The scenario's seed, as 8 little-endian bytes: `seed`.
    Seed,
    /// The drawn faults (`--faults SEED`, which the scenario must have):
    /// their seed as 8 little-endian bytes, then how many, one byte:
    /// `faults`.
    Faults,
    /// The seed of the scenario's `random` or `pct` schedule, 8
    /// little-endian bytes: `schedule`.
    Schedule,
}

/// A field a scenario does not have, or text that names no field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("field {field}: {why}")]
pub struct FieldError {
    field: String,
    why: String,
}

impl std::str::FromStr for Field {
    type Err = FieldError;

    fn from_str(text: &str) -> Result<Self, FieldError> {
        let fail = |why: &str| FieldError { field: text.to_string(), why: why.to_string() };
        let index = |n: &str| n.parse::<usize>().map_err(|_| fail("the index is not a number"));
        match text.split_once(':') {
            None if text == "stdin" => Ok(Field::Stdin),
            None if text == "seed" => Ok(Field::Seed),
            None if text == "faults" => Ok(Field::Faults),
            None if text == "schedule" => Ok(Field::Schedule),
            Some(("arg", n)) => Ok(Field::Arg(index(n)?)),
            Some(("body", n)) => Ok(Field::Body(index(n)?)),
            Some(("path", n)) => Ok(Field::Path(index(n)?)),
            Some(("call", n)) => Ok(Field::Call(index(n)?)),
            Some(("file", p)) if p.starts_with('/') => Ok(Field::File(p.to_string())),
            Some(("file", _)) => Err(fail("a file's path starts at the MemFs's root, with '/'")),
            _ => Err(fail("expected stdin, seed, faults, schedule, arg:N, file:PATH, body:N, path:N or call:N")),
        }
    }
}

impl std::fmt::Display for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Field::Stdin => write!(f, "stdin"),
            Field::Seed => write!(f, "seed"),
            Field::Faults => write!(f, "faults"),
            Field::Schedule => write!(f, "schedule"),
            Field::Arg(n) => write!(f, "arg:{n}"),
            Field::File(p) => write!(f, "file:{p}"),
            Field::Body(n) => write!(f, "body:{n}"),
            Field::Path(n) => write!(f, "path:{n}"),
            Field::Call(n) => write!(f, "call:{n}"),
        }
    }
}

impl Field {
    /// The field's bytes in `base`, the search's starting point.
    pub(super) fn read(&self, base: &Scenario) -> Result<Vec<u8>, FieldError> {
        let fail = |why: String| FieldError { field: self.to_string(), why };
        let count = |what: &str, n: usize| fail(format!("the scenario has {n} {what}{}", if n == 1 { "" } else { "s" }));
        Ok(match self {
            Field::Stdin => base.inputs.stdin.clone(),
            Field::Seed => base.inputs.seed.to_le_bytes().to_vec(),
            Field::Faults => {
                let draw = base.inputs.faults.draw.as_ref().ok_or_else(|| fail("the scenario draws no faults (give --faults SEED)".into()))?;
                let mut bytes = draw.seed.to_le_bytes().to_vec();
                bytes.push(u8::try_from(draw.count).unwrap_or(u8::MAX));
                bytes
            }
            Field::Schedule => match base.inputs.schedule {
                Strategy::Random { seed } | Strategy::Pct { seed, .. } => seed.unwrap_or(base.inputs.seed).to_le_bytes().to_vec(),
                _ => return Err(fail("the scenario's schedule has no seed (give --schedule random or pct:D)".into())),
            },
            Field::Arg(n) => base.inputs.args.get(*n).ok_or_else(|| count("argument", base.inputs.args.len()))?.clone().into_bytes(),
            Field::Body(n) => base.requests.get(*n).ok_or_else(|| count("request", base.requests.len()))?.body.clone(),
            Field::Path(n) => base.requests.get(*n).ok_or_else(|| count("request", base.requests.len()))?.path.clone().into_bytes(),
            Field::Call(n) => base.calls.get(*n).ok_or_else(|| count("call", base.calls.len()))?.clone().into_bytes(),
            Field::File(p) => {
                let fs = base.fs.as_ref().ok_or_else(|| fail("the scenario has no filesystem".into()))?;
                fs.read(p).map_err(|e| fail(format!("{e}")))?
            }
        })
    }

    /// Sets the field of `scenario` to `bytes`. Text fields take them as
    /// UTF-8, each invalid sequence a replacement character, so the
    /// scenario replays as it ran; the seed takes the first 8 bytes.
    pub(super) fn write(&self, scenario: &mut Scenario, bytes: &[u8]) {
        let text = || String::from_utf8_lossy(bytes).into_owned();
        match self {
            Field::Stdin => scenario.inputs.stdin = bytes.to_vec(),
            Field::Seed => scenario.inputs.seed = seed_of(bytes),
            Field::Faults => {
                if let Some(draw) = &mut scenario.inputs.faults.draw {
                    draw.seed = seed_of(bytes);
                    draw.count = bytes.get(8).map_or(0, |n| u32::from(*n));
                }
            }
            Field::Schedule => {
                if let Strategy::Random { seed } | Strategy::Pct { seed, .. } = &mut scenario.inputs.schedule {
                    *seed = Some(seed_of(bytes));
                }
            }
            Field::Arg(n) => {
                if let Some(a) = scenario.inputs.args.get_mut(*n) {
                    *a = text();
                }
            }
            Field::Body(n) => {
                if let Some(r) = scenario.requests.get_mut(*n) {
                    r.body = bytes.to_vec();
                }
            }
            Field::Path(n) => {
                if let Some(r) = scenario.requests.get_mut(*n) {
                    r.path = text();
                }
            }
            Field::Call(n) => {
                if let Some(c) = scenario.calls.get_mut(*n) {
                    *c = text();
                }
            }
            Field::File(p) => {
                if let Some(fs) = &mut scenario.fs {
                    // A file that was there when the search began can be
                    // written again; a quota it now exceeds leaves it as
                    // the base had it.
                    let _ = Arc::make_mut(fs).write(p, bytes);
                }
            }
        }
    }
}

/// A seed from its first 8 bytes, little-endian, missing ones zero.
fn seed_of(bytes: &[u8]) -> u64 {
    let mut seed = [0u8; 8];
    for (to, from) in seed.iter_mut().zip(bytes) {
        *to = *from;
    }
    u64::from_le_bytes(seed)
}

/// One candidate: each field's bytes, in the order the fields were given.
pub type Input = Vec<Vec<u8>>;

/// `base` with `input` written into its `fields`.
pub(super) fn apply(base: &Scenario, fields: &[Field], input: &Input) -> Scenario {
    let mut s = base.clone();
    for (field, bytes) in fields.iter().zip(input) {
        field.write(&mut s, bytes);
    }
    s
}

/// An input on disk. A search of stdin alone keeps the bytes as they are,
/// so any file can seed it; one of several fields writes a header line,
/// then each field's length (4 bytes, little-endian) and bytes.
pub(super) fn encode(input: &Input) -> Vec<u8> {
    if let [only] = input.as_slice() {
        return only.clone();
    }
    let mut out = HEADER.to_vec();
    for field in input {
        out.extend_from_slice(&(field.len() as u32).to_le_bytes());
        out.extend_from_slice(field);
    }
    out
}

const HEADER: &[u8] = b"wasi-replay fuzz input\n";

/// An input read from disk for a search of `fields` fields; `None` when
/// the file holds another number of fields or ends early.
pub(super) fn decode(bytes: &[u8], fields: usize) -> Option<Input> {
    if fields == 1 && !bytes.starts_with(HEADER) {
        return Some(vec![bytes.to_vec()]);
    }
    let mut rest = bytes.strip_prefix(HEADER)?;
    let mut out = Vec::new();
    while !rest.is_empty() {
        let (len, tail) = rest.split_first_chunk::<4>()?;
        let len = u32::from_le_bytes(*len) as usize;
        if tail.len() < len {
            return None;
        }
        out.push(tail[..len].to_vec());
        rest = &tail[len..];
    }
    (out.len() == fields).then_some(out)
}

/// Where a candidate first differs from the input it was made from: its
/// field, then its byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Position {
    pub field: usize,
    pub at: usize,
}

impl Position {
    /// The position's bit among a stage's positions (see `effective`),
    /// if it is one.
    pub(super) fn bit(self) -> Option<u128> {
        (self.at < STAGE_POSITIONS).then(|| 1u128 << (self.field * STAGE_POSITIONS + self.at))
    }

    /// Where `child` first differs from `parent`.
    pub(super) fn first_change(child: &Input, parent: &Input) -> Position {
        for (field, (c, p)) in child.iter().zip(parent).enumerate() {
            if c != p {
                let at = c.iter().zip(p).position(|(a, b)| a != b).unwrap_or(c.len().min(p.len()));
                return Position { field, at };
            }
        }
        Position { field: child.len(), at: 0 }
    }
}

/// The positions an input's deterministic stage writes: the first bytes
/// of each field.
fn stage_positions(input: &Input) -> impl Iterator<Item = Position> + '_ {
    input.iter().enumerate().flat_map(|(field, bytes)| (0..bytes.len().min(STAGE_POSITIONS)).map(move |at| Position { field, at }))
}

/// How many candidates the deterministic stage makes of `input`.
pub(super) fn stage_len(input: &Input, dictionary: usize) -> usize {
    stage_positions(input).count() * (8 + 2 * ARITH + dictionary)
}

/// Candidate `step` of `input`'s deterministic stage, in three passes
/// over its stage positions, as AFL makes them: each bit flipped (the
/// step a test's closeness rewards), then the byte moved up and down by 1
/// to ARITH, then each dictionary byte written; `None` for a step of the
/// dictionary pass at a position `effective` does not hold (one where no
/// bit flipped changed what the run reached). With the position changed,
/// and whether the step is a bit flip.
pub(super) fn staged(input: &Input, step: usize, dictionary: &[u8], effective: u128) -> Option<(Position, bool, Input)> {
    let positions: Vec<Position> = stage_positions(input).collect();
    let n = positions.len();
    let mut child = input.clone();
    if step < n * 8 {
        let p = positions[step / 8];
        child[p.field][p.at] ^= 1 << (step % 8);
        return Some((p, true, child));
    }
    let step = step - n * 8;
    if step < n * 2 * ARITH {
        let (p, d) = (positions[step / (2 * ARITH)], step % (2 * ARITH));
        let b = &mut child[p.field][p.at];
        *b = if d < ARITH { b.wrapping_add(d as u8 + 1) } else { b.wrapping_sub((d - ARITH) as u8 + 1) };
        return Some((p, false, child));
    }
    let step = step - n * 2 * ARITH;
    let p = *positions.get(step / dictionary.len().max(1))?;
    if p.bit().is_none_or(|bit| effective & bit == 0) {
        return None;
    }
    child[p.field][p.at] = dictionary[step % dictionary.len()];
    Some((p, false, child))
}

/// A small deterministic generator (splitmix64 steps).
pub(super) struct Rng(pub u64);

impl Rng {
    pub(super) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        crate::kernel::mix(self.0)
    }

    pub(super) fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }
}

/// `input` with one of its fields changed by [`mutate_bytes`]; `other`
/// is another corpus input, whose same field it may splice with. A search
/// of one field draws nothing to choose it, so its candidates are those a
/// search of bytes alone makes.
pub(super) fn mutate(rng: &mut Rng, input: &Input, other: &Input, dictionary: &[u8]) -> Input {
    let k = if input.len() > 1 { rng.below(input.len()) } else { 0 };
    let mut out = input.clone();
    if let Some(field) = out.get_mut(k) {
        *field = mutate_bytes(rng, field, other.get(k).map_or(&[], Vec::as_slice), dictionary);
    }
    out
}

const INTERESTING: [u8; 9] = [0, 1, 0x7f, 0x80, 0xff, b'0', b'9', b'\n', b' '];

/// One field's bytes changed by one to four stacked mutations; `other`
/// is the same field of another corpus input, to splice with.
fn mutate_bytes(rng: &mut Rng, input: &[u8], other: &[u8], dictionary: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let len = out.len();
        match rng.below(11) {
            9 | 10 if !dictionary.is_empty() => {
                let token = dictionary[rng.below(dictionary.len())];
                if len > 0 && rng.below(2) == 0 {
                    let i = rng.below(len);
                    out[i] = token;
                } else {
                    let at = rng.below(len + 1);
                    out.insert(at, token);
                }
            }
            0 if len > 0 => {
                let i = rng.below(len);
                out[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                out[i] = INTERESTING[rng.below(INTERESTING.len())];
            }
            2 if len > 0 => {
                let i = rng.below(len);
                let d = 1 + rng.below(16) as u8;
                out[i] = if rng.below(2) == 0 { out[i].wrapping_add(d) } else { out[i].wrapping_sub(d) };
            }
            3 => {
                let at = rng.below(len + 1);
                let n = 1 + rng.below(4);
                let bytes: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
                out.splice(at..at, bytes);
            }
            4 if len > 0 => {
                let at = rng.below(len);
                let n = (1 + rng.below(8)).min(len - at);
                out.drain(at..at + n);
            }
            5 if len > 0 => {
                let at = rng.below(len);
                let n = (1 + rng.below(16)).min(len - at);
                let chunk = out[at..at + n].to_vec();
                let to = rng.below(len + 1);
                out.splice(to..to, chunk);
            }
            6 if len >= 2 => {
                let width = if len >= 4 && rng.below(2) == 0 { 4 } else { 2 };
                let at = rng.below(len - width + 1);
                let value: u32 = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0xffff, 0x7fff_ffff, 0xffff_ffff][rng.below(10)];
                let bytes = if rng.below(2) == 0 { value.to_le_bytes() } else { value.to_be_bytes() };
                let bytes = if width == 2 && bytes[0] == 0 && bytes[1] == 0 { &bytes[2..] } else { &bytes[..width] };
                out[at..at + width].copy_from_slice(bytes);
            }
            7 if !other.is_empty() => {
                let cut = rng.below(len + 1);
                let from = rng.below(other.len());
                out.truncate(cut);
                out.extend_from_slice(&other[from..]);
            }
            _ => {
                let at = rng.below(len + 1);
                out.insert(at, INTERESTING[rng.below(INTERESTING.len())]);
            }
        }
    }
    out.truncate(MAX_FIELD);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_input_on_disk_reads_back_as_written() {
        let one: Input = vec![b"REC\x01".to_vec()];
        assert_eq!(encode(&one), b"REC\x01", "one field is kept as its bytes");
        assert_eq!(decode(b"REC\x01", 1), Some(one));
        let two: Input = vec![b"--checked".to_vec(), Vec::new()];
        let bytes = encode(&two);
        assert_eq!(decode(&bytes, 2), Some(two));
        assert_eq!(decode(&bytes, 3), None, "another number of fields");
        assert_eq!(decode(&bytes[..bytes.len() - 1], 2), None, "cut short");
        assert_eq!(decode(b"raw bytes", 2), None, "no header");
    }

    #[test]
    fn a_stage_walks_each_fields_first_bytes_and_the_seed_takes_eight() {
        let input: Input = vec![b"ab".to_vec(), Vec::new(), b"c".to_vec()];
        assert_eq!(stage_len(&input, 2), 3 * (8 + 2 * ARITH + 2));
        let (p, flip, child) = staged(&input, 16, &[], 0).unwrap();
        assert_eq!((p, flip), (Position { field: 2, at: 0 }, true));
        assert_eq!(child[2], vec![b'c' ^ 1]);
        assert_eq!(Position::first_change(&child, &input), p);
        let mut s = Scenario::new("s");
        Field::Seed.write(&mut s, &[1, 2]);
        assert_eq!(s.inputs.seed, 0x0201);
    }

    #[test]
    fn a_schedule_seed_reads_as_the_runs_seed_until_one_is_written() {
        let mut s = Scenario::new("s").seed(7).schedule(Strategy::Pct { depth: 2, seed: None });
        assert_eq!(Field::Schedule.read(&s).unwrap(), 7u64.to_le_bytes());
        Field::Schedule.write(&mut s, &9u64.to_le_bytes());
        assert_eq!(s.inputs.schedule, Strategy::Pct { depth: 2, seed: Some(9) });
        assert!(Field::Schedule.read(&Scenario::new("s")).is_err(), "the default schedule has no seed");
    }
}
