//! Coverage of a guest: its core modules rewritten to count the edges
//! between their basic blocks, whatever language they came from.
//!
//! [`instrument`] takes a component or a p1 module and gives it back with
//! counters (see `instrument.rs` for the probes). A component's modules
//! are instrumented if they hold one of its lifted exports or callbacks,
//! since those are the points where a module is entered and can hand its
//! counts on; the component gains one import, the function
//! [`COMPONENT_IMPORT`], `func(offset-0: u32, word-0: u64, …, word-7: u64)`
//! ([`BATCH`] pairs), lowered into the instrumented modules. A p1 module
//! imports the same function as `wasi-replay-coverage.flush`. The host
//! adds what arrives to an [`EdgeMap`].
//!
//! The rewrite depends on nothing but the bytes and [`VERSION`], so an
//! instrumented guest can be cached by both.
//!
//! Fuel counts the probes' instructions too, so a run that the fuel limit
//! stops stops sooner when instrumented; every other run leaves the same
//! report (`tests/all/coverage.rs` runs the catalog both ways).
//!
//! Layer L0: imports nothing of the crate.

mod instrument;

pub use instrument::{BATCH, COMPARES, IMPORT_MODULE, IMPORT_NAME, InstrumentError, MAP_SIZE};

use instrument::Entries;
use std::collections::BTreeSet;
use std::convert::Infallible;
use wasm_encoder::reencode::{Error, Reencode, ReencodeComponent};
use wasm_encoder::{
    CanonicalFunctionSection, Component, ComponentImportSection, ComponentTypeRef, ComponentTypeSection, ComponentValType,
    ExportKind, InstanceSection, ModuleArg, PrimitiveValType, RawSection,
};
use wasmparser::{Chunk, Parser, Payload};

/// The instrumentation's version: a cached instrumented guest made by
/// another version is made again.
pub const VERSION: u32 = 8;

/// The component-level import an instrumented component adds.
pub const COMPONENT_IMPORT: &str = "wasi-replay-coverage-flush";

/// Instruments a component or a core module (see the module docs).
pub fn instrument(bytes: &[u8]) -> Result<Vec<u8>, InstrumentError> {
    if wasmparser::Parser::is_component(bytes) {
        component(bytes)
    } else {
        instrument::module(bytes, &Entries::AllFunctions, 0)
    }
}

/// What one pass over a component's top level finds.
#[derive(Default)]
struct Top {
    /// Each module's bytes, by module index.
    modules: Vec<std::ops::Range<usize>>,
    /// Each core instance: the module it instantiates, if it does.
    instances: Vec<Option<u32>>,
    /// Each core function: the core instance export it aliases, if it does.
    funcs: Vec<Option<(u32, String)>>,
    /// Core functions lifted or given as a callback.
    entered: Vec<u32>,
}

fn scan(bytes: &[u8]) -> Result<Top, InstrumentError> {
    let mut top = Top::default();
    let mut parser = Parser::new(0);
    let mut rest = bytes;
    loop {
        let (payload, consumed) = match parser.parse(rest, true)? {
            Chunk::Parsed { consumed, payload } => (payload, consumed),
            Chunk::NeedMoreData(_) => return Err(InstrumentError::Unsupported("the component ends early".into())),
        };
        rest = &rest[consumed..];
        match payload {
            Payload::ModuleSection { unchecked_range, .. } => {
                top.modules.push(unchecked_range.start as usize..unchecked_range.end as usize);
                rest = &rest[(unchecked_range.end - unchecked_range.start) as usize..];
            }
            Payload::ComponentSection { unchecked_range, .. } => {
                rest = &rest[(unchecked_range.end - unchecked_range.start) as usize..];
            }
            Payload::InstanceSection(reader) => {
                for instance in reader {
                    top.instances.push(match instance? {
                        wasmparser::Instance::Instantiate { module_index, .. } => Some(module_index),
                        wasmparser::Instance::FromExports(_) => None,
                    });
                }
            }
            Payload::ComponentAliasSection(reader) => {
                for alias in reader {
                    match alias? {
                        wasmparser::ComponentAlias::CoreInstanceExport { kind, instance_index, name } => match kind {
                            wasmparser::ExternalKind::Func | wasmparser::ExternalKind::FuncExact => {
                                top.funcs.push(Some((instance_index, name.to_string())));
                            }
                            _ => {}
                        },
                        wasmparser::ComponentAlias::Outer { kind: wasmparser::ComponentOuterAliasKind::CoreModule, .. } => {
                            return Err(InstrumentError::Unsupported("a core module aliased from outside".into()));
                        }
                        _ => {}
                    }
                }
            }
            Payload::ComponentImportSection(reader) => {
                for import in reader {
                    if matches!(import?.ty, wasmparser::ComponentTypeRef::Module(_)) {
                        return Err(InstrumentError::Unsupported("a core module import".into()));
                    }
                }
            }
            Payload::ComponentCanonicalSection(reader) => {
                for canon in reader {
                    match canon? {
                        wasmparser::CanonicalFunction::Lift { core_func_index, options, .. } => {
                            top.entered.push(core_func_index);
                            for o in options.iter() {
                                if let wasmparser::CanonicalOption::Callback(f) = o {
                                    top.entered.push(*f);
                                }
                            }
                        }
                        _ => top.funcs.push(None),
                    }
                }
            }
            Payload::End(_) => return Ok(top),
            _ => {}
        }
    }
}

fn component(bytes: &[u8]) -> Result<Vec<u8>, InstrumentError> {
    let top = scan(bytes)?;
    // The exports of each module that the component enters by.
    let mut entries: Vec<BTreeSet<String>> = vec![BTreeSet::new(); top.modules.len()];
    for f in &top.entered {
        if let Some(Some((instance, name))) = top.funcs.get(*f as usize)
            && let Some(Some(module)) = top.instances.get(*instance as usize)
            && let Some(set) = entries.get_mut(*module as usize)
        {
            set.insert(name.clone());
        }
    }
    let mut modules = Vec::with_capacity(top.modules.len());
    for (i, range) in top.modules.iter().enumerate() {
        let original = &bytes[range.clone()];
        modules.push(if entries[i].is_empty() {
            None
        } else {
            Some(instrument::module(original, &Entries::Named(&entries[i]), i as u32 + 1)?)
        });
    }
    let mut out = Component::new();
    // The flush function: imported, lowered, and put in a core instance
    // the instrumented modules instantiate with. Each is the first of its
    // index space, so every original index moves up by one.
    let mut types = ComponentTypeSection::new();
    let names: Vec<(String, String)> = (0..BATCH).map(|k| (format!("offset-{k}"), format!("word-{k}"))).collect();
    types
        .function()
        .params(
            names
                .iter()
                .flat_map(|(o, w)| {
                    [(o.as_str(), ComponentValType::Primitive(PrimitiveValType::U32)), (w.as_str(), ComponentValType::Primitive(PrimitiveValType::U64))]
                })
                .collect::<Vec<_>>(),
        )
        .result(None);
    out.section(&types);
    let mut imports = ComponentImportSection::new();
    imports.import(COMPONENT_IMPORT, ComponentTypeRef::Func(0));
    out.section(&imports);
    let mut canon = CanonicalFunctionSection::new();
    canon.lower(0, []);
    out.section(&canon);
    let mut instances = InstanceSection::new();
    instances.export_items([(IMPORT_NAME, ExportKind::Func, 0)]);
    out.section(&instances);
    let mut wire = Wire { depth: 0, modules, next_module: 0 };
    wire.parse_component(&mut out, Parser::new(0), bytes)?;
    Ok(out.finish())
}

/// Copies a component with its indices moved up for what was put first,
/// its modules swapped for their instrumented builds, and each of those
/// instantiated with the flush.
struct Wire {
    depth: u32,
    modules: Vec<Option<Vec<u8>>>,
    next_module: usize,
}

impl Wire {
    fn up(&self, at_depth: u32, index: u32) -> u32 {
        if at_depth == 0 { index + 1 } else { index }
    }
}

impl Reencode for Wire {
    type Error = Infallible;

    fn function_index(&mut self, func: u32) -> Result<u32, Error<Infallible>> {
        Ok(self.up(self.depth, func))
    }
}

impl ReencodeComponent for Wire {
    fn component_type_index(&mut self, ty: u32) -> u32 {
        self.up(self.depth, ty)
    }

    fn component_func_index(&mut self, f: u32) -> u32 {
        self.up(self.depth, f)
    }

    fn instance_index(&mut self, i: u32) -> u32 {
        self.up(self.depth, i)
    }

    fn outer_component_type_index(&mut self, count: u32, ty: u32) -> u32 {
        self.up(self.depth.saturating_sub(count), ty)
    }

    fn push_depth(&mut self) {
        self.depth += 1;
    }

    fn pop_depth(&mut self) {
        self.depth -= 1;
    }

    fn parse_component_submodule(
        &mut self,
        component: &mut Component,
        _parser: Parser,
        module: &[u8],
    ) -> Result<(), Error<Infallible>> {
        let own = if self.depth == 0 {
            self.next_module += 1;
            self.modules.get(self.next_module - 1).and_then(Option::as_deref)
        } else {
            None
        };
        let id = wasm_encoder::ComponentSectionId::CoreModule as u8;
        component.section(&RawSection { id, data: own.unwrap_or(module) });
        Ok(())
    }

    fn parse_instance(
        &mut self,
        instances: &mut InstanceSection,
        instance: wasmparser::Instance<'_>,
    ) -> Result<(), Error<Infallible>> {
        match instance {
            wasmparser::Instance::Instantiate { module_index, args } if self.depth == 0 => {
                let instrumented = matches!(self.modules.get(module_index as usize), Some(Some(_)));
                let mut all: Vec<(&str, ModuleArg)> =
                    args.iter().map(|a| (a.name, ModuleArg::Instance(self.up(0, a.index)))).collect();
                if instrumented {
                    all.push((IMPORT_MODULE, ModuleArg::Instance(0)));
                }
                instances.instantiate(module_index, all);
                Ok(())
            }
            other => wasm_encoder::reencode::component_utils::parse_instance(self, instances, other),
        }
    }
}

/// What a run's instrumented modules counted: for each edge, how often it
/// was taken (up to 255); for each equality test, the closest its operands
/// came (see [`COMPARES`]). Kept as the map's words that are not zero, in
/// the order of their offsets: a run touches a few hundred of the map's
/// 8,192 words, and a search reads every run's map.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct EdgeMap {
    words: Vec<(u32, u64)>,
}

impl std::fmt::Debug for EdgeMap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EdgeMap({} edges, {} tests)", self.edges(), self.closest().count())
    }
}

/// The highest closeness of an equality test: its operands were equal.
pub const EQUAL: u8 = 65;

/// Two words of the map at one offset as one: edge counts added (up to
/// 255), closeness the higher.
fn combine(offset: u32, a: u64, b: u64) -> u64 {
    let (a, b) = (a.to_le_bytes(), b.to_le_bytes());
    let both: [u8; 8] = std::array::from_fn(|i| if (offset as usize) < COMPARES { a[i].saturating_add(b[i]) } else { a[i].max(b[i]) });
    u64::from_le_bytes(both)
}

impl EdgeMap {
    /// Adds one flushed word, the map's bytes at `offset`. A flush hands
    /// its words in the order of their offsets, so a word usually goes at
    /// the end.
    pub fn add(&mut self, offset: u32, word: u64) {
        let offset = offset & (MAP_SIZE as u32 - 1) & !7;
        if word == 0 {
            return;
        }
        match self.words.last() {
            Some((last, _)) if *last >= offset => match self.words.binary_search_by_key(&offset, |(o, _)| *o) {
                Ok(i) => self.words[i].1 = combine(offset, self.words[i].1, word),
                Err(i) => self.words.insert(i, (offset, word)),
            },
            _ => self.words.push((offset, word)),
        }
    }

    /// Adds one call's worth of flushed words.
    pub fn add_batch(&mut self, batch: [(u32, u64); BATCH]) {
        for (offset, word) in batch {
            self.add(offset, word);
        }
    }

    /// Adds another map's counts to this one's.
    pub fn merge(&mut self, other: &EdgeMap) {
        if self.words.is_empty() {
            self.words.clone_from(&other.words);
            return;
        }
        for (offset, word) in &other.words {
            self.add(*offset, *word);
        }
    }

    /// How many edges were taken at least once.
    pub fn edges(&self) -> usize {
        self.reached().count()
    }

    /// The bytes that are not zero, with their offsets in the map.
    fn bytes(&self) -> impl Iterator<Item = (u32, u8)> + '_ {
        self.words.iter().flat_map(|(o, w)| w.to_le_bytes().into_iter().enumerate().filter(|(_, b)| *b != 0).map(move |(i, b)| (o + i as u32, b)))
    }

    /// The edges taken, by index (below [`COMPARES`]), in order.
    pub fn reached(&self) -> impl Iterator<Item = u32> + '_ {
        self.bytes().take_while(|(at, _)| (*at as usize) < COMPARES).map(|(at, _)| at)
    }

    /// The equality tests made, by index (below [`COMPARES`]), in order,
    /// each with the closest its operands came: 1 to [`EQUAL`].
    pub fn closest(&self) -> impl Iterator<Item = (u32, u8)> + '_ {
        self.bytes().skip_while(|(at, _)| (*at as usize) < COMPARES).map(|(at, c)| (at - COMPARES as u32, c))
    }
}

/// The bytes a guest compares its data with: every small constant (0 to
/// 255) that its core modules' code tests for equality or subtracts, once each, in
/// order. A search sets input bytes to them, as AFL does with the tokens
/// it takes from a program: a check byte or a record kind that a mutation
/// would find one time in 256 comes up at once.
pub fn dictionary(bytes: &[u8]) -> Result<Vec<u8>, InstrumentError> {
    use wasmparser::Operator as Op;
    let mut seen = [false; 256];
    let mut found = Vec::new();
    for payload in Parser::new(0).parse_all(bytes) {
        if let Payload::CodeSectionEntry(body) = payload? {
            let mut last: Option<i64> = None;
            let mut ops = body.get_operators_reader()?;
            while !ops.eof() {
                let op = ops.read()?;
                let compares = matches!(
                    op,
                    Op::I32Eq | Op::I32Ne | Op::I32Sub | Op::I64Eq | Op::I64Ne | Op::I64Sub
                );
                if compares
                    && let Some(v) = last
                    && let Ok(b) = u8::try_from(v)
                    && !seen[b as usize]
                {
                    seen[b as usize] = true;
                    found.push(b);
                }
                last = match op {
                    Op::I32Const { value } => Some(i64::from(value)),
                    Op::I64Const { value } => Some(value),
                    _ => None,
                };
            }
        }
    }
    Ok(found)
}
