//! Reply budgets: no command builds a reply larger than `Config::max_reply_bytes`.
//!
//! Redis streams a reply into the client's output buffer; redlite builds each reply whole in
//! the caller's memory, where a failed allocation aborts the host process. A count argument
//! (`SRANDMEMBER s -9223372036854775807`), a key named many times (`MGET k k k ...`), a long
//! EXEC queue or a range over a huge container could all ask for more than the process has.
//! So every handler whose reply grows with its arguments or its data meters it here: it
//! reserves what it knows up front (a count of elements) before allocating anything, charges
//! each string before copying it, and answers [`too_large`] as soon as the bound is passed.
//! Handlers that pop check before they remove anything, so a refused pop loses no data.
//!
//! The size counted is memory: [`ELEMENT`] bytes per element (one `Reply`) plus the bytes of
//! its strings. The room starts at the configured bound minus what the surrounding EXEC has
//! already replied (see `Ctx::reply_room`).

use super::ctx::{Ctx, Res};
use crate::reply::Reply;

/// What one reply element costs besides its bytes.
pub(crate) const ELEMENT: usize = std::mem::size_of::<Reply>();

/// `ERR reply exceeds max-reply-bytes (<limit> bytes)`.
pub(crate) fn too_large(limit: usize) -> Reply {
    Reply::error(format!("ERR reply exceeds max-reply-bytes ({limit} bytes)"))
}

/// A reply under construction: what it may still use.
pub(crate) struct Meter {
    left: usize,
    limit: usize,
}

impl Meter {
    /// A meter over the room `ctx` has left; the outer array already counted.
    pub(crate) fn new(ctx: &Ctx<'_, '_>) -> Meter {
        Meter {
            left: ctx.reply_room().saturating_sub(ELEMENT),
            limit: ctx.shared.config.max_reply_bytes,
        }
    }

    fn spend(&mut self, bytes: usize) -> Res<()> {
        match self.left.checked_sub(bytes) {
            Some(left) => {
                self.left = left;
                Ok(())
            }
            None => Err(too_large(self.limit)),
        }
    }

    /// Reserves `n` elements; their strings are charged when they are built. After it, a
    /// `Vec` of `n` replies is safe to allocate.
    pub(crate) fn reserve(&mut self, n: usize) -> Res<()> {
        self.spend(n.saturating_mul(ELEMENT))
    }

    /// Charges `n` bytes of string content.
    pub(crate) fn bytes(&mut self, n: usize) -> Res<()> {
        self.spend(n)
    }

    /// A bulk reply for an element already reserved.
    pub(crate) fn bulk(&mut self, b: impl AsRef<[u8]>) -> Res<Reply> {
        let b = b.as_ref();
        self.bytes(b.len())?;
        Ok(Reply::bulk(b))
    }

    /// A reserved `Vec` for `n` elements (reserved here too).
    pub(crate) fn array(&mut self, n: usize) -> Res<Vec<Reply>> {
        self.reserve(n)?;
        Ok(Vec::with_capacity(n))
    }

    /// Appends a bulk element, reserving it.
    pub(crate) fn push(&mut self, out: &mut Vec<Reply>, b: impl AsRef<[u8]>) -> Res<()> {
        self.reserve(1)?;
        out.push(self.bulk(b)?);
        Ok(())
    }
}

/// One bulk reply, refused when it does not fit.
pub(crate) fn bulk(ctx: &Ctx<'_, '_>, b: impl AsRef<[u8]>) -> Res {
    let b = b.as_ref();
    check(ctx, ELEMENT.saturating_add(b.len()))?;
    Ok(Reply::bulk(b))
}

/// A bulk reply or nil.
pub(crate) fn bulk_or_nil<B: AsRef<[u8]>>(ctx: &Ctx<'_, '_>, b: Option<B>) -> Res {
    b.map_or(Ok(Reply::Nil), |b| bulk(ctx, b))
}

/// Fails unless a reply of `bytes` fits.
pub(crate) fn check(ctx: &Ctx<'_, '_>, bytes: usize) -> Res<()> {
    if bytes > ctx.reply_room() {
        return Err(too_large(ctx.shared.config.max_reply_bytes));
    }
    Ok(())
}

/// Fails unless `n` picked elements fit, each costing `elements` reply elements plus at least
/// `least()` bytes. `least` (a scan of the container) runs only once the elements alone fit,
/// so an absurd count fails at once.
pub(crate) fn check_picks(
    ctx: &Ctx<'_, '_>,
    n: usize,
    elements: usize,
    least: impl FnOnce() -> usize,
) -> Res<()> {
    let overhead = ELEMENT * elements;
    check(ctx, n.saturating_mul(overhead))?;
    check(ctx, n.saturating_mul(overhead + least()))
}

/// An array of bulk strings, metered element by element. The `Vec` grows as it is filled
/// (never sized from the iterator's own estimate beyond what the room allows).
pub(crate) fn bulks<B: AsRef<[u8]>>(ctx: &Ctx<'_, '_>, items: impl IntoIterator<Item = B>) -> Res {
    let mut m = Meter::new(ctx);
    let items = items.into_iter();
    let mut out = Vec::with_capacity(items.size_hint().0.min(m.left / ELEMENT));
    for b in items {
        m.push(&mut out, b)?;
    }
    Ok(Reply::Array(out))
}

/// The memory `reply` holds, as the meter counts it. Iterative: a script's result can nest
/// deeper than the stack would allow a recursive walk.
pub(crate) fn size(reply: &Reply) -> usize {
    let mut total = 0usize;
    let mut arrays = vec![reply];
    while let Some(r) = arrays.pop() {
        total = total.saturating_add(leaf(r));
        if let Reply::Array(items) = r {
            for item in items {
                match item {
                    Reply::Array(_) => arrays.push(item),
                    other => total = total.saturating_add(leaf(other)),
                }
            }
        }
    }
    total
}

/// An element's own cost (for an array, without its items).
fn leaf(r: &Reply) -> usize {
    ELEMENT
        + match r {
            Reply::Bulk(b) => b.len(),
            Reply::Status(s) | Reply::Error(s) => s.len(),
            _ => 0,
        }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_counts_elements_and_bytes_through_nesting() {
        let r = Reply::Array(vec![
            Reply::bulk("abc"),
            Reply::Array(vec![Reply::Integer(1), Reply::bulk("de")]),
        ]);
        assert_eq!(size(&r), 5 * ELEMENT + 5);
    }

    #[test]
    fn size_of_a_deep_nesting_does_not_recurse() {
        let mut r = Reply::Nil;
        for _ in 0..200_000 {
            r = Reply::Array(vec![r]);
        }
        assert_eq!(size(&r), 200_001 * ELEMENT);
        // Dropping it recursively would overflow the stack: unwrap it level by level.
        while let Reply::Array(mut items) = r {
            r = items.pop().unwrap_or(Reply::Nil);
        }
    }
}
