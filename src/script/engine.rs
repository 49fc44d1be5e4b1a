//! The one Rhai engine of a store: sandboxed, limited, with the `redis` module.

use rhai::module_resolvers::DummyModuleResolver;
use rhai::{Engine, Token};

use super::bridge;
use crate::config::ScriptLimits;

/// Builds the engine every script of a store runs on (shared by all threads: it holds no
/// per-run state, so nothing survives from one run to the next).
pub(crate) fn build(limits: &ScriptLimits) -> Engine {
    let mut engine = Engine::new();
    // Sandbox: no `eval`, no modules from anywhere, no output.
    engine.disable_symbol("eval");
    engine.set_module_resolver(DummyModuleResolver::new());
    engine.on_print(|_| {});
    engine.on_debug(|_, _, _| {});
    engine
        .set_max_operations(limits.max_operations)
        .set_max_string_size(limits.max_string_size)
        .set_max_array_size(limits.max_array_size)
        .set_max_map_size(limits.max_map_size)
        .set_max_call_levels(limits.max_call_levels)
        .set_max_expr_depths(limits.max_expr_depth, limits.max_expr_depth / 2)
        .set_max_modules(0);
    // `call` is a reserved word in Rhai (function pointers' `call`), which would make
    // `redis::call` a syntax error; lexing it as a plain name keeps both uses working.
    #[allow(deprecated)]
    engine.on_parse_token(|token, _, _| match token {
        Token::Reserved(word) if word.as_str() == "call" => Token::Identifier(word),
        other => other,
    });
    engine.register_static_module("redis", bridge::module().into());
    engine
}
