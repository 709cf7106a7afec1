//! Which world a guest speaks, read from what a component exports.

use crate::world::World;
use wasmtime::Engine;
use wasmtime::component::{Component, types::ComponentItem};

/// Reads the world from a compiled component's `wasi:cli/run` export.
pub(super) fn of_component(engine: &Engine, component: &Component) -> Option<World> {
    exported_instance(engine, component, run_world)
}

/// The world `world_of` reads from the last exported instance it knows.
fn exported_instance(engine: &Engine, component: &Component, world_of: fn(&str) -> Option<World>) -> Option<World> {
    let ty = component.component_type();
    let mut found = None;
    for (name, item) in ty.exports(engine) {
        if matches!(item.ty, ComponentItem::ComponentInstance(_)) {
            found = world_of(name).or(found);
        }
    }
    found
}

/// The world of the HTTP handler a component exports: p2
/// `wasi:http/incoming-handler@0.2.x` or p3 `wasi:http/handler@0.3.x`.
pub(super) fn of_handler(engine: &Engine, component: &Component) -> Option<World> {
    exported_instance(engine, component, handler_world)
}

fn handler_world(export: &str) -> Option<World> {
    match (export.strip_prefix("wasi:http/incoming-handler@"), export.strip_prefix("wasi:http/handler@")) {
        (Some(v), _) if v.starts_with("0.2.") => Some(World::P2),
        (_, Some(v)) if v.starts_with("0.3.") => Some(World::P3),
        _ => None,
    }
}

/// The world a component without a command speaks, read from its
/// imports: p3 when it imports any `wasi:*@0.3` interface, else p2.
pub(super) fn of_imports(engine: &Engine, component: &Component) -> World {
    let p3 = component.component_type().imports(engine).any(|(name, _)| {
        name.strip_prefix("wasi:").and_then(|n| n.split_once('@')).is_some_and(|(_, v)| v.starts_with("0.3."))
    });
    if p3 { World::P3 } else { World::P2 }
}

/// The world a `wasi:cli/run` export name belongs to.
fn run_world(export: &str) -> Option<World> {
    match export.strip_prefix("wasi:cli/run@") {
        Some(v) if v.starts_with("0.2.") => Some(World::P2),
        Some(v) if v.starts_with("0.3.") => Some(World::P3),
        _ => None,
    }
}

/// The world of the `wasi:cli/run` instance a component exports, read from
/// its top-level export sections without compiling it; `None` when the
/// bytes do not parse or export no such instance.
pub(super) fn exported_world(bytes: &[u8]) -> Option<World> {
    top_level(bytes)?.0
}

/// What a component's top-level sections say, read without compiling it:
/// the world of its `wasi:cli/run` or HTTP handler export, and whether it
/// imports any `wasi:*@0.3` interface. `None` when the bytes do not parse.
fn top_level(bytes: &[u8]) -> Option<(Option<World>, bool)> {
    use wasmparser::{ComponentExternalKind, Parser, Payload};
    let mut depth = 0usize;
    let (mut exported, mut p3_import) = (None, false);
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.ok()? {
            Payload::ModuleSection { .. } | Payload::ComponentSection { .. } => depth += 1,
            Payload::End(_) => depth = depth.saturating_sub(1),
            Payload::ComponentExportSection(exports) if depth == 0 => {
                for export in exports {
                    let export = export.ok()?;
                    if export.kind == ComponentExternalKind::Instance {
                        exported = run_world(export.name.name).or(handler_world(export.name.name)).or(exported);
                    }
                }
            }
            Payload::ComponentImportSection(imports) if depth == 0 => {
                for import in imports {
                    let name = import.ok()?.name.name;
                    p3_import |= name.strip_prefix("wasi:").and_then(|n| n.split_once('@')).is_some_and(|(_, v)| v.starts_with("0.3"));
                }
            }
            _ => {}
        }
    }
    Some((exported, p3_import))
}

/// The world a component or module file speaks, read without compiling
/// it: p1 for a core module; else its `wasi:cli/run` or handler export;
/// else p3 when a top-level import names a `wasi:*@0.3` interface, and p2
/// otherwise. `None` when the bytes are not WebAssembly that parses.
/// Loading decides for good; this names a guest's world before it is
/// loaded (a suite's test names).
pub(crate) fn sniff(bytes: &[u8]) -> Option<World> {
    match bytes.get(..8) {
        Some([0, b'a', b's', b'm', 1, 0, 0, 0]) => return Some(World::P1),
        Some([0, b'a', b's', b'm', ..]) => {}
        _ => return None,
    }
    let (exported, p3_import) = top_level(bytes)?;
    Some(exported.unwrap_or(if p3_import { World::P3 } else { World::P2 }))
}
