//! The sorted set: a member → score map plus an order-statistic treap keyed by
//! (score, member).
//!
//! The map answers ZSCORE in O(1); the treap keeps subtree sizes, so rank lookups, "how many
//! elements sort below this bound" and range walks from a rank are O(log n) (plus the
//! length of the walk). Nodes live in one vector linked by `u32` indexes (no unsafe code,
//! no per-node allocation); freed slots are reused. Treap priorities are random per node,
//! so no choice of input can make the tree deep.

use std::cmp::Ordering;
use std::collections::HashMap;

use super::{Bytes, Hasher, Shrink, bytes, shrunk_capacity};

const NIL: u32 = u32::MAX;

#[derive(Clone, Debug)]
struct Node {
    score: f64,
    member: Bytes,
    left: u32,
    right: u32,
    size: u32,
    prio: u32,
}

/// Redis's order: by score (never NaN; `-0` equals `0`), then by member bytes.
pub(crate) fn cmp_key(s1: f64, m1: &[u8], s2: f64, m2: &[u8]) -> Ordering {
    s1.partial_cmp(&s2)
        .unwrap_or(Ordering::Equal)
        .then_with(|| m1.cmp(m2))
}

/// The order-statistic treap.
#[derive(Clone, Debug, Default)]
struct Tree {
    nodes: Vec<Node>,
    free: Vec<u32>,
    root: u32,
}

impl Tree {
    fn new() -> Tree {
        Tree {
            nodes: Vec::new(),
            free: Vec::new(),
            root: NIL,
        }
    }

    fn size(&self, t: u32) -> usize {
        if t == NIL {
            0
        } else {
            self.nodes[t as usize].size as usize
        }
    }

    fn node(&self, t: u32) -> &Node {
        &self.nodes[t as usize]
    }

    #[allow(
        clippy::cast_possible_truncation,
        reason = "u32 node indexes cap a sorted set below 2^32 - 1 members (hundreds of GiB)"
    )]
    fn update(&mut self, t: u32) {
        let n = self.node(t);
        let size = 1 + self.size(n.left) + self.size(n.right);
        self.nodes[t as usize].size = size as u32;
    }

    #[allow(
        clippy::cast_possible_truncation,
        reason = "u32 node indexes cap a sorted set below 2^32 - 1 members (hundreds of GiB)"
    )]
    fn alloc(&mut self, score: f64, member: Bytes) -> u32 {
        let node = Node {
            score,
            member,
            left: NIL,
            right: NIL,
            size: 1,
            prio: fastrand::u32(..),
        };
        if let Some(i) = self.free.pop() {
            self.nodes[i as usize] = node;
            i
        } else {
            self.nodes.push(node);
            (self.nodes.len() - 1) as u32
        }
    }

    fn release(&mut self, t: u32) -> Bytes {
        self.free.push(t);
        std::mem::take(&mut self.nodes[t as usize].member)
    }

    /// Splits `t` into (nodes where `left` holds, the rest); `left` must hold on a prefix.
    fn split<F: Fn(f64, &[u8]) -> bool>(&mut self, t: u32, left: &F) -> (u32, u32) {
        if t == NIL {
            return (NIL, NIL);
        }
        let n = self.node(t);
        if left(n.score, &n.member) {
            let (a, b) = self.split(n.right, left);
            self.nodes[t as usize].right = a;
            self.update(t);
            (t, b)
        } else {
            let (a, b) = self.split(n.left, left);
            self.nodes[t as usize].left = b;
            self.update(t);
            (a, t)
        }
    }

    /// Splits `t` into its first `k` nodes and the rest.
    #[allow(
        clippy::many_single_char_names,
        reason = "the treap's textbook names: t, l, r, k"
    )]
    fn split_at(&mut self, t: u32, k: usize) -> (u32, u32) {
        if t == NIL {
            return (NIL, NIL);
        }
        let n = self.node(t);
        let (l, r) = (n.left, n.right);
        let ls = self.size(l);
        if k <= ls {
            let (a, b) = self.split_at(l, k);
            self.nodes[t as usize].left = b;
            self.update(t);
            (a, t)
        } else {
            let (a, b) = self.split_at(r, k - ls - 1);
            self.nodes[t as usize].right = a;
            self.update(t);
            (t, b)
        }
    }

    fn merge(&mut self, a: u32, b: u32) -> u32 {
        if a == NIL {
            return b;
        }
        if b == NIL {
            return a;
        }
        if self.node(a).prio > self.node(b).prio {
            let m = self.merge(self.node(a).right, b);
            self.nodes[a as usize].right = m;
            self.update(a);
            a
        } else {
            let m = self.merge(a, self.node(b).left);
            self.nodes[b as usize].left = m;
            self.update(b);
            b
        }
    }

    fn insert(&mut self, score: f64, member: Bytes) {
        let (a, b) = self.split(self.root, &|s2, m2| cmp_key(s2, m2, score, &member).is_lt());
        let t = self.alloc(score, member);
        let left = self.merge(a, t);
        self.root = self.merge(left, b);
    }

    fn remove(&mut self, score: f64, member: &[u8]) {
        let (a, b) = self.split(self.root, &|s2, m2| cmp_key(s2, m2, score, member).is_lt());
        let (mid, c) = self.split_at(b, 1);
        if mid != NIL {
            self.release(mid);
        }
        self.root = self.merge(a, c);
    }

    /// How many nodes satisfy `below`, which must hold on a prefix of the order.
    fn count(&self, below: impl Fn(f64, &[u8]) -> bool) -> usize {
        let (mut t, mut c) = (self.root, 0);
        while t != NIL {
            let n = self.node(t);
            if below(n.score, &n.member) {
                c += self.size(n.left) + 1;
                t = n.right;
            } else {
                t = n.left;
            }
        }
        c
    }

    fn select(&self, mut k: usize) -> Option<&Node> {
        let mut t = self.root;
        while t != NIL {
            let n = self.node(t);
            let ls = self.size(n.left);
            match k.cmp(&ls) {
                Ordering::Less => t = n.left,
                Ordering::Equal => return Some(n),
                Ordering::Greater => {
                    k -= ls + 1;
                    t = n.right;
                }
            }
        }
        None
    }

    /// Calls `f` on ranks `lo..hi` of subtree `t` (whose first rank is `base`), in order
    /// (descending when `rev`); subtrees outside the window are never entered.
    fn visit<'s>(
        &'s self,
        t: u32,
        base: usize,
        win: (usize, usize, bool),
        f: &mut impl FnMut(&'s [u8], f64),
    ) {
        let (lo, hi, rev) = win;
        if t == NIL || base >= hi || base + self.size(t) <= lo {
            return;
        }
        let n = self.node(t);
        let at = base + self.size(n.left);
        let (first, first_base, second, second_base) = if rev {
            (n.right, at + 1, n.left, base)
        } else {
            (n.left, base, n.right, at + 1)
        };
        self.visit(first, first_base, win, f);
        if (lo..hi).contains(&at) {
            f(&n.member, n.score);
        }
        self.visit(second, second_base, win, f);
    }

    /// Removes ranks `lo..hi`; returns the removed members.
    fn remove_ranks(&mut self, lo: usize, hi: usize) -> Vec<Bytes> {
        let (a, b) = self.split_at(self.root, lo);
        let (mid, c) = self.split_at(b, hi.saturating_sub(lo));
        let mut out = Vec::with_capacity(self.size(mid));
        self.release_all(mid, &mut out);
        self.root = self.merge(a, c);
        out
    }

    /// Moves the live nodes to the front of a vector of `capacity` slots, keeping the tree's
    /// shape and priorities: O(slots), no comparisons. Freed slots are dropped.
    fn compact(&mut self, capacity: usize) {
        let mut index = vec![0u32; self.nodes.len()];
        for &f in &self.free {
            index[f as usize] = NIL;
        }
        let mut next = 0u32;
        for slot in index.iter_mut().filter(|i| **i != NIL) {
            *slot = next;
            next += 1;
        }
        let moved = |t: u32| if t == NIL { NIL } else { index[t as usize] };
        let mut nodes = Vec::with_capacity(capacity.max(next as usize));
        for (i, mut node) in std::mem::take(&mut self.nodes).into_iter().enumerate() {
            if index[i] != NIL {
                node.left = moved(node.left);
                node.right = moved(node.right);
                nodes.push(node);
            }
        }
        self.root = moved(self.root);
        self.nodes = nodes;
        self.free = Vec::new();
    }

    fn release_all(&mut self, t: u32, out: &mut Vec<Bytes>) {
        let mut stack = vec![t];
        while let Some(t) = stack.pop() {
            if t == NIL {
                continue;
            }
            let n = self.node(t);
            stack.extend([n.left, n.right]);
            out.push(self.release(t));
        }
    }
}

/// A Redis sorted set.
#[derive(Clone, Debug)]
pub(crate) struct ZSet {
    scores: HashMap<Bytes, f64, Hasher>,
    tree: Tree,
}

impl Default for ZSet {
    fn default() -> Self {
        ZSet::new()
    }
}

impl ZSet {
    pub(crate) fn new() -> ZSet {
        ZSet {
            scores: HashMap::default(),
            tree: Tree::new(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.scores.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.scores.is_empty()
    }

    pub(crate) fn score(&self, member: &[u8]) -> Option<f64> {
        self.scores.get(member).copied()
    }

    /// Sets `member`'s score; returns the previous score (`None` when it was added).
    pub(crate) fn insert(&mut self, member: &[u8], score: f64) -> Option<f64> {
        let old = self.scores.get(member).copied();
        if let Some(old) = old {
            if old.to_bits() == score.to_bits() {
                return Some(old);
            }
            self.tree.remove(old, member);
        } else {
            self.scores.insert(bytes(member), score);
        }
        if let Some(s) = self.scores.get_mut(member) {
            *s = score;
        }
        self.tree.insert(score, bytes(member));
        old
    }

    /// Removes `member`; returns its score if it was there.
    pub(crate) fn remove(&mut self, member: &[u8]) -> Option<f64> {
        let score = self.scores.remove(member)?;
        self.tree.remove(score, member);
        self.shrink_if_sparse();
        Some(score)
    }

    /// 0-based rank of `member` in ascending order.
    pub(crate) fn rank(&self, member: &[u8]) -> Option<usize> {
        let score = self.score(member)?;
        Some(self.tree.count(|s, m| cmp_key(s, m, score, member).is_lt()))
    }

    /// The element at ascending rank `k`.
    pub(crate) fn at(&self, k: usize) -> Option<(&[u8], f64)> {
        self.tree.select(k).map(|n| (&n.member[..], n.score))
    }

    /// How many elements satisfy `below`, a predicate that holds on a prefix of the order.
    pub(crate) fn count_below(&self, below: impl Fn(f64, &[u8]) -> bool) -> usize {
        self.tree.count(below)
    }

    /// Elements at ascending ranks `lo..hi` (clamped), in descending order when `rev`.
    pub(crate) fn range(&self, lo: usize, hi: usize, rev: bool) -> Vec<(&[u8], f64)> {
        let hi = hi.min(self.len());
        let mut out = Vec::with_capacity(hi.saturating_sub(lo));
        self.tree
            .visit(self.tree.root, 0, (lo, hi, rev), &mut |m, s| {
                out.push((m, s));
            });
        out
    }

    /// Every (member, score), in no particular order.
    pub(crate) fn iter(&self) -> impl ExactSizeIterator<Item = (&[u8], f64)> {
        self.scores.iter().map(|(m, s)| (&m[..], *s))
    }

    /// Every element in ascending order.
    pub(crate) fn iter_all(&self) -> Vec<(&[u8], f64)> {
        self.range(0, self.len(), false)
    }

    /// Removes ascending ranks `lo..hi` (clamped); returns how many were removed.
    pub(crate) fn remove_ranks(&mut self, lo: usize, hi: usize) -> usize {
        let hi = hi.min(self.len());
        if lo >= hi {
            return 0;
        }
        let gone = self.tree.remove_ranks(lo, hi);
        for m in &gone {
            self.scores.remove(m);
        }
        self.shrink_if_sparse();
        gone.len()
    }

    /// Gives memory back as the set empties (see [`Shrink`]): the member map shrinks, and
    /// the node vector, whose freed slots wait for reuse, is compacted.
    fn shrink_if_sparse(&mut self) {
        if self.scores.is_empty() {
            *self = ZSet::new();
            return;
        }
        self.scores.shrink_if_sparse();
        if let Some(to) = shrunk_capacity(self.len(), self.tree.nodes.capacity()) {
            self.tree.compact(to);
        }
    }

    /// Bytes of one tree node, for the memory estimate (`types::memsize`).
    pub(crate) const NODE_BYTES: usize = std::mem::size_of::<Node>();

    /// Capacities of the score map, the node vector and the free list (`types::memsize`).
    pub(crate) fn capacities(&self) -> (usize, usize, usize) {
        (
            self.scores.capacity(),
            self.tree.nodes.capacity(),
            self.tree.free.capacity(),
        )
    }

    /// The member in node slot `i` (empty for a freed slot), for the memory estimate's
    /// samples.
    pub(crate) fn member_at_slot(&self, i: usize) -> Option<&Bytes> {
        self.tree.nodes.get(i).map(|n| &n.member)
    }

    /// Members the set has room for (the larger of its map and node vector), for tests.
    #[cfg(test)]
    pub(crate) fn capacity(&self) -> usize {
        self.scores.capacity().max(self.tree.nodes.capacity())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::MIN_CAPACITY as MIN;

    /// The naive model: a vector kept sorted by (score, member).
    #[derive(Default)]
    struct Model(Vec<(f64, Vec<u8>)>);

    impl Model {
        fn insert(&mut self, m: &[u8], s: f64) {
            self.0.retain(|(_, x)| x != m);
            self.0.push((s, m.to_vec()));
            self.0.sort_by(|a, b| cmp_key(a.0, &a.1, b.0, &b.1));
        }
    }

    fn check(z: &ZSet, model: &Model) {
        assert_eq!(z.len(), model.0.len());
        let all: Vec<(Vec<u8>, f64)> = z.iter_all().iter().map(|(m, s)| (m.to_vec(), *s)).collect();
        let want: Vec<(Vec<u8>, f64)> = model.0.iter().map(|(s, m)| (m.clone(), *s)).collect();
        assert_eq!(all, want);
        for (i, (s, m)) in model.0.iter().enumerate() {
            assert_eq!(z.rank(m), Some(i));
            assert_eq!(z.at(i), Some((&m[..], *s)));
            assert_eq!(z.score(m), Some(*s));
        }
    }

    #[test]
    #[allow(
        clippy::float_cmp,
        reason = "scores are compared exactly, as the set orders them"
    )]
    fn random_operations_match_a_sorted_vector() {
        fastrand::seed(7);
        let mut z = ZSet::new();
        let mut model = Model::default();
        for round in 0..3000 {
            let m = format!("m{}", fastrand::u32(..200)).into_bytes();
            match fastrand::u32(..10) {
                0..=4 => {
                    let s = f64::from(fastrand::i32(-20..20)) / 2.0;
                    z.insert(&m, s);
                    model.insert(&m, s);
                }
                5..=6 => {
                    let had = model.0.iter().any(|(_, x)| *x == m);
                    model.0.retain(|(_, x)| *x != m);
                    assert_eq!(z.remove(&m).is_some(), had);
                }
                7 => {
                    let lo = fastrand::usize(..=model.0.len());
                    let hi = fastrand::usize(lo..=model.0.len() + 2);
                    let n = z.remove_ranks(lo, hi);
                    let hi = hi.min(model.0.len());
                    model.0.drain(lo..hi);
                    assert_eq!(n, hi - lo);
                }
                _ => {
                    let bound = f64::from(fastrand::i32(-20..20)) / 2.0;
                    let want = model.0.iter().filter(|(s, _)| *s < bound).count();
                    assert_eq!(z.count_below(|s, _| s < bound), want);
                    let lex = format!("m{}", fastrand::u32(..200)).into_bytes();
                    let want = model.0.iter().filter(|(_, x)| *x < lex).count();
                    // Lex order only agrees with the set's order when scores are equal.
                    if model.0.iter().all(|(s, _)| *s == model.0[0].0) {
                        assert_eq!(z.count_below(|_, x| x < &lex[..]), want);
                    }
                }
            }
            if round % 100 == 0 {
                check(&z, &model);
            }
        }
        check(&z, &model);
    }

    #[test]
    fn a_set_cut_down_gives_memory_back_and_stays_ordered() {
        fastrand::seed(11);
        let mut z = ZSet::new();
        let mut model = Model::default();
        for i in 0..5000 {
            let m = format!("m{i}").into_bytes();
            let s = f64::from(fastrand::i32(-50..50));
            z.insert(&m, s);
            model.insert(&m, s);
        }
        let peak = z.capacity();
        // Shrink by single removals and by rank ranges, with inserts in between (which
        // reuse freed node slots until a compaction drops them).
        while model.0.len() > 3 {
            if fastrand::bool() {
                let i = fastrand::usize(..model.0.len());
                let (_, m) = model.0.remove(i);
                assert!(z.remove(&m).is_some());
            } else {
                let lo = fastrand::usize(..model.0.len());
                let hi = (lo + 7).min(model.0.len());
                assert_eq!(z.remove_ranks(lo, hi), hi - lo);
                model.0.drain(lo..hi);
            }
            if fastrand::u32(..8) == 0 {
                let m = format!("n{}", fastrand::u32(..)).into_bytes();
                z.insert(&m, 0.5);
                model.insert(&m, 0.5);
            }
            if model.0.len() % 97 == 0 {
                check(&z, &model);
            }
        }
        check(&z, &model);
        assert!(
            peak >= 5000 && z.capacity() <= 2 * MIN,
            "{peak} -> {}",
            z.capacity()
        );
    }

    #[test]
    fn ranges_by_rank_both_directions() {
        let mut z = ZSet::new();
        for (m, s) in ["a", "b", "c", "d", "e"]
            .iter()
            .zip([0.0, 1.0, 2.0, 3.0, 4.0])
        {
            z.insert(m.as_bytes(), s);
        }
        let names = |v: Vec<(&[u8], f64)>| -> Vec<String> {
            v.iter()
                .map(|(m, _)| String::from_utf8_lossy(m).into_owned())
                .collect()
        };
        assert_eq!(names(z.range(1, 4, false)), ["b", "c", "d"]);
        assert_eq!(names(z.range(1, 4, true)), ["d", "c", "b"]);
        assert_eq!(names(z.range(3, 99, false)), ["d", "e"]);
        assert!(z.range(5, 9, false).is_empty());
    }

    #[test]
    fn lex_ranges_with_equal_scores() {
        let mut z = ZSet::new();
        for m in ["alpha", "bar", "cool", "down", "elephant", "foo"] {
            z.insert(m.as_bytes(), 0.0);
        }
        let lo = z.count_below(|_, m| m < &b"bar"[..]);
        let hi = z.count_below(|_, m| m <= &b"down"[..]);
        let got: Vec<&[u8]> = z.range(lo, hi, false).iter().map(|e| e.0).collect();
        assert_eq!(got, [&b"bar"[..], b"cool", b"down"]);
    }

    #[test]
    fn updating_a_score_moves_the_member() {
        let mut z = ZSet::new();
        z.insert(b"x", 1.0);
        z.insert(b"y", 2.0);
        assert_eq!(z.insert(b"x", 3.0), Some(1.0));
        assert_eq!(z.rank(b"x"), Some(1));
        assert_eq!(z.rank(b"y"), Some(0));
        assert_eq!(z.remove(b"y"), Some(2.0));
        assert_eq!(z.remove(b"x"), Some(3.0));
        assert!(z.is_empty());
        assert_eq!(z.at(0), None);
    }
}
