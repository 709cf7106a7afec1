//! Calls of exported functions, written as `wasmtime run --invoke` takes
//! them: a function name and its arguments in WAVE, `add(1, 2)`.
//!
//! A name is looked up among the functions the component exports at its
//! root and in the interfaces it exports, as `wasmtime run --invoke` looks
//! it up. A name that two interfaces export is ambiguous; `iface#name`
//! picks one, with the interface named in full
//! (`replay:library/counter@0.1.0#add`), without its version, or by its own
//! name (`counter#add`).
//! Arguments are checked against the function's types before anything
//! runs, so a wrong arity or type is bad input, not a result.

use wasmtime::Engine;
use wasmtime::component::types::{ComponentFunc, ComponentItem};
use wasmtime::component::wasm_wave::untyped::UntypedFuncCall;
use wasmtime::component::{Component, ComponentExportIndex, Val};
use crate::scenario::call::{one_line, split};

/// A call checked against the component: the function found, its
/// arguments as values.
pub(crate) struct Prepared {
    /// The call as written.
    pub(crate) text: String,
    pub(crate) func: ComponentExportIndex,
    pub(crate) params: Vec<Val>,
    pub(crate) results: usize,
}

/// Finds the function `text` names in `component` and reads its
/// arguments against the function's parameter types.
pub(crate) fn prepare(engine: &Engine, component: &Component, text: &str) -> Result<Prepared, String> {
    let (iface, call) = split(text);
    let call = crate::scenario::call::parseable(call);
    let parsed = UntypedFuncCall::parse(&call).map_err(|e| one_line(&e.to_string()))?;
    let name = parsed.name().to_string();
    let mut all = Vec::new();
    let mut found = Vec::new();
    for (export, item) in component.component_type().exports(engine) {
        match item.ty {
            ComponentItem::ComponentFunc(f) => {
                all.push(export.to_string());
                if iface.is_none() && export == name {
                    found.push((None, export.to_string(), f));
                }
            }
            ComponentItem::ComponentInstance(instance) => {
                for (inner, item) in instance.exports(engine) {
                    if let ComponentItem::ComponentFunc(f) = item.ty {
                        all.push(format!("{export}#{inner}"));
                        let named = iface.is_none_or(|i| names_interface(i, export));
                        if named && inner == name {
                            found.push((Some(export.to_string()), inner.to_string(), f));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let (instance, func, ty) = match found.len() {
        1 => found.pop().expect("one"),
        0 => {
            let wanted = iface.map_or(name.clone(), |i| format!("{i}#{name}"));
            let all = if all.is_empty() { "none".to_string() } else { all.join(", ") };
            return Err(format!("no exported function `{wanted}` (exported: {all})"));
        }
        _ => {
            let names: Vec<String> = found.iter().map(|(i, f, _)| format!("{}#{f}", i.as_deref().unwrap_or(""))).collect();
            return Err(format!("`{name}` is exported more than once ({}); name one as `interface#{name}`", names.join(", ")));
        }
    };
    let index = match &instance {
        Some(i) => {
            let outer = component.get_export_index(None, i);
            component.get_export_index(outer.as_ref(), &func)
        }
        None => component.get_export_index(None, &func),
    }
    .ok_or_else(|| format!("`{func}` is listed but cannot be looked up"))?;
    let params = arguments(&parsed, &ty)?;
    Ok(Prepared { text: text.to_string(), func: index, params, results: ty.results().len() })
}

/// The call's arguments as values of `ty`'s parameter types (trailing
/// options may be left out, as WAVE allows); an error gives the message
/// and the function's signature.
fn arguments(parsed: &UntypedFuncCall<'_>, ty: &ComponentFunc) -> Result<Vec<Val>, String> {
    let types: Vec<_> = ty.params().map(|(_, t)| t).collect();
    parsed
        .to_wasm_params::<Val>(&types)
        .map_err(|e| format!("{}; `{}` is {}", one_line(&e.to_string()), parsed.name(), signature(ty)))
}

/// `func(n: u32) -> u64`, as WIT writes it.
fn signature(ty: &ComponentFunc) -> String {
    use wasmtime::component::wasm_wave::wasm::DisplayType;
    let params: Vec<String> = ty.params().map(|(n, t)| format!("{n}: {}", DisplayType(&t))).collect();
    let results: Vec<String> = ty.results().map(|t| DisplayType(&t).to_string()).collect();
    let arrow = match results.len() {
        0 => String::new(),
        1 => format!(" -> {}", results[0]),
        _ => format!(" -> ({})", results.join(", ")),
    };
    format!("func({}){arrow}", params.join(", "))
}

/// Does `given` name the exported interface `export`: the whole name, the
/// name without its version, or the interface's own name
/// (`replay:library/counter@0.1.0`, `replay:library/counter`, `counter`)?
fn names_interface(given: &str, export: &str) -> bool {
    let unversioned = export.split_once('@').map_or(export, |(name, _)| name);
    let own = unversioned.rsplit_once('/').map_or(unversioned, |(_, name)| name);
    given == export || given == unversioned || given == own
}

/// The text of a call's result: WAVE for one value, a tuple for several.
pub(crate) fn result_text(results: &[Val]) -> Option<String> {
    let texts: Vec<String> = results.iter().map(|v| v.to_wave().unwrap_or_else(|e| format!("<{e}>"))).collect();
    match texts.len() {
        0 => None,
        1 => texts.into_iter().next(),
        _ => Some(format!("({})", texts.join(", "))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_interface_name_comes_off_before_the_wave() {
        assert_eq!(split("add(1, 2)"), (None, "add(1, 2)"));
        assert_eq!(split("replay:library/counter@0.1.0#add(1)"), (Some("replay:library/counter@0.1.0"), "add(1)"));
        assert_eq!(split("counter # add(\"a#b\")"), (Some("counter"), "add(\"a#b\")"));
    }

    #[test]
    fn an_interface_is_named_in_full_without_its_version_or_by_its_own_name() {
        let export = "replay:library/counter@0.1.0";
        for given in [export, "replay:library/counter", "counter"] {
            assert!(names_interface(given, export), "{given}");
        }
        assert!(!names_interface("library", export));
        assert!(!names_interface("count", export));
    }
}
