//! Edge counters written into a guest's core modules.
//!
//! Each instrumented module gains a memory of one page (the map), a
//! global (the previous block's id), six scratch locals per function and a
//! probe at the start of every basic block: the function's entry, a loop's
//! body, each arm of an `if`, the code after a `br_if` and after every
//! `end`. A probe adds one to the map's byte at `previous ^ this`, in the
//! map's first half (stopping at 255), and sets `previous` to `this >> 1`,
//! as AFL does, with no branch and no call. Before every `i32.eq`,
//! `i32.ne`, `i64.eq` and `i64.ne`, a second probe keeps in the map's
//! second half how close the two operands came (see [`COMPARES`]).
//!
//! The map reaches the host in batches: a function `flush` walks it in
//! 8-byte words and hands the words that are not zero to the import
//! [`IMPORT_MODULE`]`.`[`IMPORT_NAME`], [`BATCH`] in a call, then clears
//! them. `flush` runs after each entry point the module gives the outside
//! returns, and before each call to an `exit` import (which never
//! returns). A run that traps
//! loses what its module counted since it was last entered.

use std::collections::BTreeSet;
use std::convert::Infallible;
use wasm_encoder::reencode::{Reencode, RoundtripReencoder};
use wasm_encoder::{
    CodeSection, ConstExpr, EntityType, ExportSection, Function, FunctionSection, GlobalSection, GlobalType,
    ImportSection, Instruction, MemArg, MemorySection, MemoryType, Module, RawSection, TypeSection, ValType,
};
use wasmparser::{Operator, Parser, Payload, TypeRef};

/// The core module an instrumented module imports its flush from.
pub const IMPORT_MODULE: &str = "wasi-replay-coverage";
/// The function it imports: [`BATCH`] pairs `(offset: i32, word: i64)`,
/// each the map's bytes at `offset..offset + 8`, little-endian; a pair
/// whose word is zero is an empty slot.
pub const IMPORT_NAME: &str = "flush";
/// How many of the map's words one call of the flush import hands out:
/// eight pairs make sixteen flat parameters, as many as a component
/// function passes without going through memory.
pub const BATCH: usize = 8;
/// The bytes of the map a flush finds zero with one test.
const CHUNK: usize = 64;
/// The map's size in bytes: one wasm page.
pub const MAP_SIZE: usize = 1 << 16;
/// Where the map's second half starts: below it, edge counts; from it,
/// one byte per equality test, the closest its operands came.
pub const COMPARES: usize = MAP_SIZE / 2;

/// Which of a module's exports are entry points, after which it flushes.
pub(super) enum Entries<'a> {
    /// Every exported function but the canonical ABI's own (`cabi_*`),
    /// which run where a module may not call out.
    AllFunctions,
    /// These exports only (a component's lifted exports and callbacks).
    Named(&'a BTreeSet<String>),
}

impl Entries<'_> {
    fn includes(&self, name: &str) -> bool {
        match self {
            Entries::AllFunctions => !name.starts_with("cabi_"),
            Entries::Named(names) => names.contains(name),
        }
    }
}

/// What the first pass learns of a module.
#[derive(Default)]
struct Shape {
    types: u32,
    imported_funcs: u32,
    imported_globals: u32,
    imported_memories: u32,
    /// Type of every function, imported ones first.
    func_types: Vec<u32>,
    defined_globals: u32,
    defined_memories: u32,
    /// Imported functions that exit the run, by index.
    exits: Vec<u32>,
    /// Exported functions that are entry points: (name, function).
    entries: Vec<(String, u32)>,
    /// Types by index, when they are function types: (params, results).
    signatures: Vec<Option<(Vec<ValType>, Vec<ValType>)>>,
    /// Blocks that get an edge probe, and equality tests.
    blocks: u32,
    tests: u32,
}

impl Shape {
    /// The bytes of the map's first half that edge ids fall in: about
    /// four slots per block, so that few edges share one, and no more, so
    /// that a run touches and a flush reads few pages.
    fn edge_bytes(&self) -> u32 {
        (self.blocks.saturating_mul(4)).next_power_of_two().clamp(4096, COMPARES as u32)
    }

    /// The bytes of the map's second half that tests fall in.
    fn test_bytes(&self) -> u32 {
        (self.tests.saturating_mul(2)).next_power_of_two().clamp(1024, COMPARES as u32)
    }
}

impl Shape {
    fn read(bytes: &[u8], entries: &Entries<'_>) -> Result<Self, wasmparser::BinaryReaderError> {
        let mut shape = Shape::default();
        let mut rt = RoundtripReencoder;
        for payload in Parser::new(0).parse_all(bytes) {
            match payload? {
                Payload::TypeSection(reader) => {
                    for group in reader {
                        for sub in group?.into_types() {
                            let sig = match &sub.composite_type.inner {
                                wasmparser::CompositeInnerType::Func(f) => {
                                    let mut conv = |ts: &[wasmparser::ValType]| -> Vec<ValType> {
                                        ts.iter().filter_map(|t| rt.val_type(*t).ok()).collect()
                                    };
                                    Some((conv(f.params()), conv(f.results())))
                                }
                                _ => None,
                            };
                            shape.signatures.push(sig);
                            shape.types += 1;
                        }
                    }
                }
                Payload::ImportSection(reader) => {
                    for import in reader.into_imports() {
                        let import = import?;
                        match import.ty {
                            TypeRef::Func(t) | TypeRef::FuncExact(t) => {
                                if matches!(import.name, "exit" | "exit-with-code" | "proc_exit") {
                                    shape.exits.push(shape.imported_funcs);
                                }
                                shape.func_types.push(t);
                                shape.imported_funcs += 1;
                            }
                            TypeRef::Global(_) => shape.imported_globals += 1,
                            TypeRef::Memory(_) => shape.imported_memories += 1,
                            TypeRef::Table(_) | TypeRef::Tag(_) => {}
                        }
                    }
                }
                Payload::FunctionSection(reader) => {
                    for t in reader {
                        shape.func_types.push(t?);
                    }
                }
                Payload::GlobalSection(reader) => shape.defined_globals = reader.count(),
                Payload::MemorySection(reader) => shape.defined_memories = reader.count(),
                Payload::ExportSection(reader) => {
                    for export in reader {
                        let export = export?;
                        if export.kind == wasmparser::ExternalKind::Func && entries.includes(export.name) {
                            shape.entries.push((export.name.to_string(), export.index));
                        }
                    }
                }
                Payload::CodeSectionEntry(body) => {
                    shape.blocks += 1;
                    let mut reader = body.get_operators_reader()?;
                    while !reader.eof() {
                        match reader.read()? {
                            Operator::Loop { .. } | Operator::If { .. } | Operator::Else | Operator::BrIf { .. } | Operator::End => shape.blocks += 1,
                            Operator::I32Eq | Operator::I32Ne | Operator::I64Eq | Operator::I64Ne => shape.tests += 1,
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(shape)
    }
}

/// Maps the original function indices to the instrumented module's: one
/// import more, and calls to an exit import go to its wrapper.
struct Renumber {
    imported: u32,
    /// (exit import, its wrapper).
    redirect: Vec<(u32, u32)>,
    /// In the name section, names stay with their functions.
    naming: bool,
}

impl Reencode for Renumber {
    type Error = Infallible;

    fn function_index(&mut self, func: u32) -> Result<u32, wasm_encoder::reencode::Error<Infallible>> {
        if !self.naming
            && let Some((_, to)) = self.redirect.iter().find(|(from, _)| *from == func)
        {
            return Ok(*to);
        }
        Ok(if func >= self.imported { func + 1 } else { func })
    }
}

/// Why a module or component could not be instrumented.
#[derive(Debug, thiserror::Error)]
pub enum InstrumentError {
    /// The bytes do not parse.
    #[error("the guest does not parse: {0}")]
    Parse(#[from] wasmparser::BinaryReaderError),
    /// The bytes parse, but hold something the instrumentation does not
    /// rewrite.
    #[error("the guest cannot be instrumented: {0}")]
    Unsupported(String),
}

impl From<wasm_encoder::reencode::Error<Infallible>> for InstrumentError {
    fn from(e: wasm_encoder::reencode::Error<Infallible>) -> Self {
        match e {
            wasm_encoder::reencode::Error::ParseError(p) => InstrumentError::Parse(p),
            other => InstrumentError::Unsupported(other.to_string()),
        }
    }
}

/// The section order of a core module, for placing sections a module
/// lacks: type, import, function, table, memory, tag, global, export,
/// start, element, data count, code, data.
fn rank(id: u8) -> u8 {
    match id {
        1 => 1,
        2 => 2,
        3 => 3,
        4 => 4,
        5 => 5,
        13 => 6,
        6 => 7,
        7 => 8,
        8 => 9,
        9 => 10,
        12 => 11,
        10 => 12,
        11 => 13,
        _ => 0,
    }
}

/// Instruments one core module; `salt` makes its block ids differ from
/// another module's in the same component.
pub(super) fn module(bytes: &[u8], entries: &Entries<'_>, salt: u32) -> Result<Vec<u8>, InstrumentError> {
    let shape = Shape::read(bytes, entries)?;
    let flush_import = shape.imported_funcs;
    let defined = shape.func_types.len() as u32 - shape.imported_funcs;
    let base = shape.imported_funcs + 1 + defined;
    let flush_all = base;
    let entry_wrappers = base + 1;
    let exit_wrappers = entry_wrappers + shape.entries.len() as u32;
    let map_memory = shape.imported_memories + shape.defined_memories;
    let previous = shape.imported_globals + shape.defined_globals;
    let (flush_type, void_type) = (shape.types, shape.types + 1);
    let mut renumber = Renumber {
        imported: shape.imported_funcs,
        redirect: shape.exits.iter().enumerate().map(|(i, e)| (*e, exit_wrappers + i as u32)).collect(),
        naming: false,
    };
    let signature = |f: u32| -> Result<(Vec<ValType>, Vec<ValType>), InstrumentError> {
        shape
            .func_types
            .get(f as usize)
            .and_then(|t| shape.signatures.get(*t as usize).cloned().flatten())
            .ok_or_else(|| InstrumentError::Unsupported(format!("function {f} has no function type")))
    };

    let mut out = Module::new();
    // Sections this module lacks are added before the first one ranked
    // after them; `added` marks what is in already.
    let mut added = [false; 14];
    let mut block = salt.wrapping_mul(0x9e37_79b9);
    let mut next_id = move || {
        block = block.wrapping_add(0x6d2b_79f5);
        let mut x = block;
        x ^= x >> 15;
        x = x.wrapping_mul(0x2c1b_3c6d);
        x ^= x >> 12;
        x
    };
    let (edge_mask, test_mask) = (shape.edge_bytes() - 1, shape.test_bytes() - 1);
    // Tests are numbered in order, so that a function's tests share words
    // of the map and a flush hands out fewer; there is room for each.
    let mut next_test = 0u32;
    let mut test_id = move || {
        next_test += 1;
        (next_test - 1) & test_mask
    };

    let new_types = |types: &mut TypeSection| {
        types.ty().function((0..BATCH).flat_map(|_| [ValType::I32, ValType::I64]).collect::<Vec<_>>(), []);
        types.ty().function([], []);
    };
    let new_import = |imports: &mut ImportSection| {
        imports.import(IMPORT_MODULE, IMPORT_NAME, EntityType::Function(flush_type));
    };
    let new_functions = |functions: &mut FunctionSection| -> Result<(), InstrumentError> {
        functions.function(void_type);
        for (_, f) in &shape.entries {
            functions.function(shape.func_types[*f as usize]);
        }
        for e in &shape.exits {
            functions.function(shape.func_types[*e as usize]);
        }
        Ok(())
    };
    let new_memory = |memories: &mut MemorySection| {
        memories.memory(MemoryType { minimum: 1, maximum: Some(1), memory64: false, shared: false, page_size_log2: None });
    };
    let new_global = |globals: &mut GlobalSection| {
        globals.global(GlobalType { val_type: ValType::I32, mutable: true, shared: false }, &ConstExpr::i32_const(0));
    };
    let word = MemArg { offset: 0, align: 3, memory_index: map_memory };
    let new_bodies = |code: &mut CodeSection| -> Result<(), InstrumentError> {
        // flush: every word of the map's used parts that is not zero goes
        // out, BATCH at a time, then is cleared.
        let (edge_end, end) = (edge_mask + 1, COMPARES as u32 + test_mask + 1);
        let batch = BATCH as u32;
        let mut f = Function::new([(1 + batch, ValType::I32), (1 + batch, ValType::I64)]);
        let (i, w) = (0, 1 + batch);
        let (offset, value) = (|k: u32| 1 + k, |k: u32| 2 + batch + k);
        let advance = |f: &mut Function, by: i32| {
            f.instruction(&Instruction::LocalGet(i));
            f.instruction(&Instruction::I32Const(by));
            f.instruction(&Instruction::I32Add);
            f.instruction(&Instruction::LocalSet(i));
            if edge_end < COMPARES as u32 {
                // From the edges' last word on to the tests' first.
                f.instruction(&Instruction::LocalGet(i));
                f.instruction(&Instruction::I32Const(edge_end as i32));
                f.instruction(&Instruction::I32Eq);
                f.instruction(&Instruction::If(wasm_encoder::BlockType::Empty));
                f.instruction(&Instruction::I32Const(COMPARES as i32));
                f.instruction(&Instruction::LocalSet(i));
                f.instruction(&Instruction::End);
            }
        };
        f.instruction(&Instruction::Loop(wasm_encoder::BlockType::Empty));
        for k in 0..batch {
            // Slot k: the next word that is not zero, or none.
            f.instruction(&Instruction::I64Const(0));
            f.instruction(&Instruction::LocalSet(value(k)));
            f.instruction(&Instruction::Block(wasm_encoder::BlockType::Empty));
            f.instruction(&Instruction::Loop(wasm_encoder::BlockType::Empty));
            f.instruction(&Instruction::LocalGet(i));
            f.instruction(&Instruction::I32Const(end as i32));
            f.instruction(&Instruction::I32GeU);
            f.instruction(&Instruction::BrIf(1));
            // Most of the map is zero: at the start of each CHUNK bytes
            // (the used parts' bounds are multiples of it), skip them
            // all at once if they are.
            f.instruction(&Instruction::LocalGet(i));
            f.instruction(&Instruction::I32Const(CHUNK as i32 - 1));
            f.instruction(&Instruction::I32And);
            f.instruction(&Instruction::I32Eqz);
            f.instruction(&Instruction::If(wasm_encoder::BlockType::Empty));
            for j in 0..CHUNK as u64 / 8 {
                f.instruction(&Instruction::LocalGet(i));
                f.instruction(&Instruction::I64Load(MemArg { offset: 8 * j, ..word }));
                if j > 0 {
                    f.instruction(&Instruction::I64Or);
                }
            }
            f.instruction(&Instruction::I64Eqz);
            f.instruction(&Instruction::If(wasm_encoder::BlockType::Empty));
            advance(&mut f, CHUNK as i32);
            f.instruction(&Instruction::Br(2));
            f.instruction(&Instruction::End);
            f.instruction(&Instruction::End);
            f.instruction(&Instruction::LocalGet(i));
            f.instruction(&Instruction::I64Load(word));
            f.instruction(&Instruction::LocalTee(w));
            f.instruction(&Instruction::I64Eqz);
            f.instruction(&Instruction::If(wasm_encoder::BlockType::Empty));
            advance(&mut f, 8);
            f.instruction(&Instruction::Br(1));
            f.instruction(&Instruction::End);
            f.instruction(&Instruction::LocalGet(i));
            f.instruction(&Instruction::LocalSet(offset(k)));
            f.instruction(&Instruction::LocalGet(w));
            f.instruction(&Instruction::LocalSet(value(k)));
            f.instruction(&Instruction::LocalGet(i));
            f.instruction(&Instruction::I64Const(0));
            f.instruction(&Instruction::I64Store(word));
            advance(&mut f, 8);
            f.instruction(&Instruction::End);
            f.instruction(&Instruction::End);
        }
        // Nothing found: done. Else hand the batch out (its empty slots
        // are zero words, which the host skips) and go on if words remain.
        f.instruction(&Instruction::LocalGet(value(0)));
        f.instruction(&Instruction::I64Eqz);
        f.instruction(&Instruction::BrIf(1));
        for k in 0..batch {
            f.instruction(&Instruction::LocalGet(offset(k)));
            f.instruction(&Instruction::LocalGet(value(k)));
        }
        f.instruction(&Instruction::Call(flush_import));
        f.instruction(&Instruction::LocalGet(i));
        f.instruction(&Instruction::I32Const(end as i32));
        f.instruction(&Instruction::I32LtU);
        f.instruction(&Instruction::BrIf(0));
        f.instruction(&Instruction::End);
        f.instruction(&Instruction::End);
        code.function(&f);
        // An entry point: the original, then a flush.
        for (_, target) in &shape.entries {
            let (params, _) = signature(*target)?;
            let mut f = Function::new([]);
            for p in 0..params.len() as u32 {
                f.instruction(&Instruction::LocalGet(p));
            }
            let callee = if *target >= shape.imported_funcs { target + 1 } else { *target };
            f.instruction(&Instruction::Call(callee));
            f.instruction(&Instruction::Call(flush_all));
            f.instruction(&Instruction::End);
            code.function(&f);
        }
        // An exit: a flush, then the exit.
        for e in &shape.exits {
            let (params, _) = signature(*e)?;
            let mut f = Function::new([]);
            f.instruction(&Instruction::Call(flush_all));
            for p in 0..params.len() as u32 {
                f.instruction(&Instruction::LocalGet(p));
            }
            f.instruction(&Instruction::Call(*e));
            f.instruction(&Instruction::End);
            code.function(&f);
        }
        Ok(())
    };

    // Adds, before a section of rank `r`, every section of ours ranked
    // below it that the module did not have.
    macro_rules! fill_before {
        ($r:expr) => {{
            let r: u8 = $r;
            if r > 1 && !added[1] {
                let mut s = TypeSection::new();
                new_types(&mut s);
                out.section(&s);
                added[1] = true;
            }
            if r > 2 && !added[2] {
                let mut s = ImportSection::new();
                new_import(&mut s);
                out.section(&s);
                added[2] = true;
            }
            if r > 3 && !added[3] {
                let mut s = FunctionSection::new();
                new_functions(&mut s)?;
                out.section(&s);
                added[3] = true;
            }
            if r > 5 && !added[5] {
                let mut s = MemorySection::new();
                new_memory(&mut s);
                out.section(&s);
                added[5] = true;
            }
            if r > 7 && !added[7] {
                let mut s = GlobalSection::new();
                new_global(&mut s);
                out.section(&s);
                added[7] = true;
            }
            if r > 12 && !added[12] {
                let mut s = CodeSection::new();
                new_bodies(&mut s)?;
                out.section(&s);
                added[12] = true;
            }
        }};
    }

    let mut code: Option<CodeSection> = None;
    for payload in Parser::new(0).parse_all(bytes) {
        let payload = payload?;
        if let Some((id, _)) = payload.as_section() {
            let r = rank(id);
            if r > 0 {
                fill_before!(r);
            }
        }
        match payload {
            Payload::Version { .. } => {}
            Payload::TypeSection(reader) => {
                let mut s = TypeSection::new();
                renumber.parse_type_section(&mut s, reader)?;
                new_types(&mut s);
                out.section(&s);
                added[1] = true;
            }
            Payload::ImportSection(reader) => {
                let mut s = ImportSection::new();
                for import in reader.into_imports() {
                    let import = import?;
                    s.import(import.module, import.name, renumber.entity_type(import.ty)?);
                }
                new_import(&mut s);
                out.section(&s);
                added[2] = true;
            }
            Payload::FunctionSection(reader) => {
                let mut s = FunctionSection::new();
                renumber.parse_function_section(&mut s, reader)?;
                new_functions(&mut s)?;
                out.section(&s);
                added[3] = true;
            }
            Payload::MemorySection(reader) => {
                let mut s = MemorySection::new();
                renumber.parse_memory_section(&mut s, reader)?;
                new_memory(&mut s);
                out.section(&s);
                added[5] = true;
            }
            Payload::GlobalSection(reader) => {
                let mut s = GlobalSection::new();
                renumber.parse_global_section(&mut s, reader)?;
                new_global(&mut s);
                out.section(&s);
                added[7] = true;
            }
            Payload::ExportSection(reader) => {
                let mut s = ExportSection::new();
                let mut wrapper = entry_wrappers;
                for export in reader {
                    let export = export?;
                    let kind = renumber.export_kind(export.kind)?;
                    let index = if export.kind == wasmparser::ExternalKind::Func
                        && shape.entries.iter().any(|(n, f)| n == export.name && *f == export.index)
                    {
                        wrapper += 1;
                        wrapper - 1
                    } else {
                        renumber.external_index(export.kind, export.index)?
                    };
                    s.export(export.name, kind, index);
                }
                out.section(&s);
            }
            Payload::StartSection { func, .. } => {
                out.section(&wasm_encoder::StartSection { function_index: renumber.function_index(func)? });
            }
            Payload::ElementSection(reader) => {
                let mut s = wasm_encoder::ElementSection::new();
                renumber.parse_element_section(&mut s, reader)?;
                out.section(&s);
            }
            Payload::CodeSectionStart { .. } => code = Some(CodeSection::new()),
            Payload::CodeSectionEntry(body) => {
                let section = code.as_mut().ok_or_else(|| InstrumentError::Unsupported("a body outside the code section".into()))?;
                let mut locals = Vec::new();
                let mut count = 0u32;
                for local in body.get_locals_reader()? {
                    let (n, t) = local?;
                    count = count.saturating_add(n);
                    locals.push((n, renumber.val_type(t)?));
                }
                let index = shape.imported_funcs + section.len();
                let (params, _) = signature(index)?;
                let scratch = params.len() as u32 + count;
                // Two i32 locals for a probe or a test's operands, two
                // for a test's closeness, two i64 locals for a wide
                // test's operands.
                locals.push((4, ValType::I32));
                locals.push((2, ValType::I64));
                let mut f = Function::new(locals);
                let probe = |f: &mut Function, id: u32| {
                    let byte = MemArg { offset: 0, align: 0, memory_index: map_memory };
                    f.instruction(&Instruction::GlobalGet(previous));
                    f.instruction(&Instruction::I32Const(id as i32));
                    f.instruction(&Instruction::I32Xor);
                    f.instruction(&Instruction::LocalTee(scratch));
                    f.instruction(&Instruction::LocalGet(scratch));
                    f.instruction(&Instruction::I32Load8U(byte));
                    f.instruction(&Instruction::LocalTee(scratch + 1));
                    f.instruction(&Instruction::LocalGet(scratch + 1));
                    f.instruction(&Instruction::I32Const(255));
                    f.instruction(&Instruction::I32Ne);
                    f.instruction(&Instruction::I32Add);
                    f.instruction(&Instruction::I32Store8(byte));
                    f.instruction(&Instruction::I32Const((id >> 1) as i32));
                    f.instruction(&Instruction::GlobalSet(previous));
                };
                probe(&mut f, next_id() & edge_mask);
                let mut reader = body.get_operators_reader()?;
                let mut depth = 0u32;
                while !reader.eof() {
                    let op = reader.read()?;
                    let after = match &op {
                        Operator::Loop { .. } | Operator::If { .. } | Operator::Else | Operator::BrIf { .. } => true,
                        Operator::End => depth > 0,
                        _ => false,
                    };
                    match &op {
                        Operator::Block { .. } | Operator::Loop { .. } | Operator::If { .. } | Operator::TryTable { .. } | Operator::Try { .. } => depth += 1,
                        Operator::End | Operator::Delegate { .. } => depth = depth.saturating_sub(1),
                        _ => {}
                    }
                    match &op {
                        Operator::I32Eq | Operator::I32Ne => closeness(&mut f, map_memory, scratch, scratch + 2, false, test_id()),
                        Operator::I64Eq | Operator::I64Ne => closeness(&mut f, map_memory, scratch + 4, scratch + 2, true, test_id()),
                        _ => {}
                    }
                    let ins = renumber.instruction(op)?;
                    f.instruction(&ins);
                    if after {
                        probe(&mut f, next_id() & edge_mask);
                    }
                }
                section.function(&f);
            }
            Payload::End(_) => {}
            Payload::CustomSection(c) if c.name() == "name" => {
                renumber.naming = true;
                let mut names = wasm_encoder::NameSection::new();
                if let wasmparser::KnownCustom::Name(reader) = c.as_known() {
                    for sub in reader {
                        renumber.parse_custom_name_subsection(&mut names, sub?)?;
                    }
                }
                renumber.naming = false;
                out.section(&names);
            }
            other => {
                if let Some((id, range)) = other.as_section() {
                    out.section(&RawSection { id, data: &bytes[range.start as usize..range.end as usize] });
                }
            }
        }
        if let Some(s) = code.as_ref()
            && section_done(&shape, s)
        {
            let mut s = code.take().unwrap_or_default();
            new_bodies(&mut s)?;
            out.section(&s);
            added[12] = true;
        }
    }
    fill_before!(14);
    debug_assert!([1, 2, 3, 5, 7, 12].iter().all(|r| added[*r]), "a section of ours is missing");
    Ok(out.finish())
}

/// Before an equality test of two values on the stack, records how close
/// they came at this test: the map's byte for `site`, in the half from
/// [`COMPARES`], keeps the highest closeness seen, `65 - popcount(a ^ b)`
/// (65 when equal). A search that keeps inputs coming closer than before
/// passes a check byte or a magic number one bit at a time, where edges
/// alone tell it only once the test passes (libFuzzer's value profile,
/// kept as a best distance per test rather than every distance seen).
/// `values` and `values + 1` are locals of the operands' type;
/// `scratch` and `scratch + 1` are i32 locals.
fn closeness(f: &mut Function, map: u32, values: u32, scratch: u32, wide: bool, site: u32) {
    let (a, b) = (values, values + 1);
    let (c, old) = (scratch, scratch + 1);
    let at = (COMPARES as u32 + site) as i32;
    let byte = MemArg { offset: 0, align: 0, memory_index: map };
    f.instruction(&Instruction::LocalSet(b));
    f.instruction(&Instruction::LocalSet(a));
    f.instruction(&Instruction::I32Const(65));
    f.instruction(&Instruction::LocalGet(a));
    f.instruction(&Instruction::LocalGet(b));
    if wide {
        f.instruction(&Instruction::I64Xor);
        f.instruction(&Instruction::I64Popcnt);
        f.instruction(&Instruction::I32WrapI64);
    } else {
        f.instruction(&Instruction::I32Xor);
        f.instruction(&Instruction::I32Popcnt);
    }
    f.instruction(&Instruction::I32Sub);
    f.instruction(&Instruction::LocalSet(c));
    f.instruction(&Instruction::I32Const(at));
    f.instruction(&Instruction::LocalGet(c));
    f.instruction(&Instruction::I32Const(at));
    f.instruction(&Instruction::I32Load8U(byte));
    f.instruction(&Instruction::LocalTee(old));
    f.instruction(&Instruction::LocalGet(c));
    f.instruction(&Instruction::LocalGet(old));
    f.instruction(&Instruction::I32GtU);
    f.instruction(&Instruction::Select);
    f.instruction(&Instruction::I32Store8(byte));
    f.instruction(&Instruction::LocalGet(a));
    f.instruction(&Instruction::LocalGet(b));
}

/// Whether the code section holds every original body.
fn section_done(shape: &Shape, code: &CodeSection) -> bool {
    code.len() as usize == shape.func_types.len() - shape.imported_funcs as usize
}
