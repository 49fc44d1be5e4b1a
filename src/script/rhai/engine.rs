//! The one Rhai engine of a store: sandboxed, limited, with the `redis` module.

use std::cell::RefCell;

use rhai::module_resolvers::DummyModuleResolver;
use rhai::{AST, ASTNode, Engine, EvalAltResult, LexError, Position, Stmt, Token};

use super::bridge;
use crate::config::ScriptLimits;
use crate::script::watchdog;

/// Constructs Rhai compiles in time quadratic in their count are capped, so compiling
/// stays linear in the source: variables in scope at once, functions, entries of one map
/// literal, arms of one `switch`.
pub(crate) const MAX_VARIABLES: usize = 1024;
pub(crate) const MAX_FUNCTIONS: usize = 1024;
pub(crate) const MAX_LITERAL_ENTRIES: usize = 1024;

/// Builds the engine every script of a store runs on (shared by all threads: it holds no
/// per-run state, so nothing survives from one run to the next).
pub(crate) fn build(limits: &ScriptLimits) -> Engine {
    let mut engine = Engine::new();
    // Sandbox: no `eval`, no modules from anywhere, no output.
    engine.disable_symbol("eval");
    // `curry` nests function pointers without any size check (each level copies the one
    // below it, and dropping the chain recurses once per level); closures still capture.
    engine.disable_symbol("curry");
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
        .set_max_functions(MAX_FUNCTIONS)
        .set_max_modules(0)
        // The interner caches strings made at run time (each new GET reply bound by
        // `let`); once full, every such string cost a 256-entry eviction scan under an
        // engine-wide write lock shared by every script on every thread.
        .set_max_strings_interned(0);
    engine.on_progress(watchdog::progress);
    // Checking each new variable against the scope is linear in Rhai's parser: bound the
    // scope while compiling (running a script needs no check: the scope it builds is what
    // compiled). (`on_def_var` is marked deprecated only as "volatile".)
    #[allow(deprecated)]
    engine.on_def_var(|runtime, _, ctx| {
        if !runtime && ctx.scope().len() >= MAX_VARIABLES {
            return Err(EvalAltResult::ErrorRuntime(
                format!("more than {MAX_VARIABLES} variables in scope").into(),
                Position::NONE,
            )
            .into());
        }
        Ok(true)
    });
    #[allow(deprecated)]
    engine.on_parse_token(|token, _, _| shape_check(rename_call(token)));
    engine.register_static_module("redis", bridge::module().into());
    super::builtins::register(&mut engine);
    engine
}

/// `call` is a reserved word in Rhai (function pointers' `call`), which would make
/// `redis::call` a syntax error; lexing it as a plain name keeps both uses working.
fn rename_call(token: Token) -> Token {
    match token {
        Token::Reserved(word) if word.as_str() == "call" => Token::Identifier(word),
        other => other,
    }
}

/// An open bracket while compiling, with the entries counted so far for the two kinds
/// whose size Rhai compiles in quadratic time.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Open {
    Map(usize),
    Switch(usize),
    Brace,
    Other,
}

thread_local! {
    /// The brackets open in the script this thread is compiling, and whether the next `{`
    /// opens a `switch` block.
    static SHAPE: RefCell<(Vec<Open>, bool)> = const { RefCell::new((Vec::new(), false)) };
}

/// Resets the bracket tracking before a compile on this thread.
pub(crate) fn start_compile() {
    SHAPE.with(|s| {
        let mut s = s.borrow_mut();
        s.0.clear();
        s.1 = false;
    });
}

fn shape_check(token: Token) -> Token {
    let too_many = SHAPE.with(|s| {
        let (open, switch_next) = &mut *s.borrow_mut();
        match &token {
            Token::Switch => *switch_next = true,
            Token::LeftBrace if std::mem::take(switch_next) => open.push(Open::Switch(0)),
            Token::LeftBrace => open.push(Open::Brace),
            Token::MapStart => open.push(Open::Map(0)),
            Token::LeftBracket | Token::LeftParen => open.push(Open::Other),
            Token::RightBrace
                if matches!(
                    open.last(),
                    Some(Open::Map(_) | Open::Switch(_) | Open::Brace)
                ) =>
            {
                open.pop();
            }
            Token::RightBracket | Token::RightParen if open.last() == Some(&Open::Other) => {
                open.pop();
            }
            Token::Comma | Token::DoubleArrow => match (open.last_mut(), &token) {
                (Some(Open::Map(n)), Token::Comma)
                | (Some(Open::Switch(n)), Token::DoubleArrow) => {
                    *n += 1;
                    return *n > MAX_LITERAL_ENTRIES;
                }
                _ => {}
            },
            _ => {}
        }
        false
    });
    if too_many {
        let text = format!("more than {MAX_LITERAL_ENTRIES} entries in one map literal or switch");
        return Token::LexError(LexError::Runtime(text).into());
    }
    token
}

/// Why a closure may not capture: Rhai hands captured variables to the closure as curried
/// arguments, and no size check looks inside a function pointer, so closures could hold
/// copies of arrays past every size limit (gigabytes in well under the time limit) and
/// chain into one another as deep as the operation limit allows (dropping the chain
/// recurses once per link). `curry` is disabled for the same reason.
pub(crate) const CAPTURE_TEXT: &str =
    "closures may not capture variables in scripts (pass values as parameters)";

/// The line of the first closure in `ast` that captures a variable, if any (Rhai compiles a
/// capture into a `Share` statement before the closure).
pub(crate) fn capturing_closure(ast: &AST) -> Option<Option<usize>> {
    let mut found = None;
    ast.walk(&mut |path: &[ASTNode]| {
        if let Some(node @ ASTNode::Stmt(Stmt::Share(..))) = path.last() {
            found = Some(node.position().line());
            return false;
        }
        true
    });
    found
}
