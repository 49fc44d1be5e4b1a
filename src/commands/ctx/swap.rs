//! SWAPDB on a context that holds every shard of both databases.

use super::{Ctx, NOT_LOCKED, Res};
use crate::keyspace::shard::SwapEffect;
use crate::reply::Reply;
use crate::types::{Bytes, Value};

impl Ctx<'_, '_> {
    /// Swaps databases `x` and `y`, shard by shard, under the write locks of all of them.
    /// Every version change goes through the recorder (watches the swap breaks, expired
    /// keys it deletes); keys that blocked pops of either database wait on and that now
    /// hold something are made ready, and served when the command ends.
    pub(crate) fn swap_dbs(&mut self, x: usize, y: usize) -> Res<()> {
        let ks = &self.shared.keyspace;
        let (bx, by) = (ks.base(x), ks.base(y));
        for i in 0..ks.shard_count() {
            let now = crate::clock::Now::fixed(self.now.get());
            let Some((a, b, rec)) = self.shard_pair(bx + i, by + i) else {
                return Err(Reply::error(NOT_LOCKED));
            };
            a.swap_data(b, &now, |effect| match effect {
                SwapEffect::Touch(stamp) => rec.touch(stamp),
                SwapEffect::Expired(first, key, stamp) => {
                    let home = rec.db();
                    rec.set_db(if first { x } else { y });
                    let at = rec.mark();
                    rec.expired(stamp, key, at);
                    rec.set_db(home);
                }
            });
        }
        self.rec.touch_all();
        for (db, base) in [(x, bx), (y, by)] {
            let ready = self.ready_after_swap(base);
            let home = self.rec.db();
            self.rec.set_db(db);
            for key in ready {
                self.rec.ready(&key);
            }
            self.rec.set_db(home);
        }
        Ok(())
    }

    /// The waited keys of one database that hold a list or sorted set (Redis's
    /// `scanDatabaseForReadyKeys`).
    fn ready_after_swap(&self, base: usize) -> Vec<Bytes> {
        let n = self.shared.keyspace.shard_count();
        let mut ready = Vec::new();
        for shard in self.locks.iter_range(base..base + n) {
            for key in shard.waits.keys() {
                let k = self.shared.keyspace.hkey(key);
                let holds = shard.find(k).and_then(|e| e.live(&self.now));
                if matches!(holds, Some(Value::List(_) | Value::ZSet(_))) {
                    ready.push(key.clone());
                }
            }
        }
        ready
    }
}
