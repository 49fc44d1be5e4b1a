//! Redis's keyspace event names, each with the class letter `notify-keyspace-events` filters on.

/// The class of a keyspace event: the letter Redis's `notify-keyspace-events` uses for it.
///
/// # Examples
///
/// ```
/// use redlite::{Event, EventClass};
///
/// assert_eq!(Event::new("expired", EventClass::Expired).class().letter(), 'x');
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EventClass {
    /// `g`: generic commands (DEL, EXPIRE, RENAME, ...).
    Generic,
    /// `$`: string commands.
    String,
    /// `l`: list commands.
    List,
    /// `s`: set commands.
    Set,
    /// `h`: hash commands.
    Hash,
    /// `z`: sorted-set commands.
    ZSet,
    /// `x`: a key expired.
    Expired,
    /// `e`: a key was evicted.
    Evicted,
    /// `n`: a key was created.
    New,
}

impl EventClass {
    /// The flag letter Redis uses for this class.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(redlite::EventClass::ZSet.letter(), 'z');
    /// ```
    #[must_use]
    pub fn letter(self) -> char {
        match self {
            EventClass::Generic => 'g',
            EventClass::String => '$',
            EventClass::List => 'l',
            EventClass::Set => 's',
            EventClass::Hash => 'h',
            EventClass::ZSet => 'z',
            EventClass::Expired => 'x',
            EventClass::Evicted => 'e',
            EventClass::New => 'n',
        }
    }
}

/// A keyspace event: Redis's name for what happened to a key (`set`, `lpush`, `expired`, ...).
///
/// # Examples
///
/// ```
/// use redlite::{Event, EventClass};
///
/// let e = Event::new("lpush", EventClass::List);
/// assert_eq!(e.name(), "lpush");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Event {
    name: &'static str,
    class: EventClass,
}

impl Event {
    /// An event with Redis's name and class.
    ///
    /// # Examples
    ///
    /// ```
    /// use redlite::{Event, EventClass};
    ///
    /// const SET: Event = Event::new("set", EventClass::String);
    /// assert_eq!(SET.name(), "set");
    /// ```
    #[must_use]
    pub const fn new(name: &'static str, class: EventClass) -> Event {
        Event { name, class }
    }

    /// Redis's event name, as published on `__keyevent@0__:<name>`.
    ///
    /// # Examples
    ///
    /// ```
    /// let e = redlite::Event::new("hset", redlite::EventClass::Hash);
    /// assert_eq!(e.name(), "hset");
    /// ```
    #[must_use]
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The event's class (its `notify-keyspace-events` letter).
    ///
    /// # Examples
    ///
    /// ```
    /// use redlite::{Event, EventClass};
    ///
    /// assert_eq!(Event::new("sadd", EventClass::Set).class(), EventClass::Set);
    /// ```
    #[must_use]
    pub fn class(&self) -> EventClass {
        self.class
    }
}

/// The events commands emit, under Redis's names.
pub(crate) mod ev {
    use super::{Event, EventClass as C};

    macro_rules! events {
        ($($id:ident = $name:literal, $class:ident;)*) => {
            $(pub(crate) const $id: Event = Event::new($name, C::$class);)*
        };
    }

    events! {
        DEL = "del", Generic;
        EXPIRE = "expire", Generic;
        PERSIST = "persist", Generic;
        RENAME_FROM = "rename_from", Generic;
        RENAME_TO = "rename_to", Generic;
        COPY_TO = "copy_to", Generic;
        MOVE_FROM = "move_from", Generic;
        MOVE_TO = "move_to", Generic;
        RESTORE = "restore", Generic;
        EXPIRED = "expired", Expired;
        EVICTED = "evicted", Evicted;
        NEW = "new", New;
        SET = "set", String;
        SETRANGE = "setrange", String;
        APPEND = "append", String;
        INCRBY = "incrby", String;
        INCRBYFLOAT = "incrbyfloat", String;
        SETBIT = "setbit", String;
        PFADD = "pfadd", String;
        SORTSTORE = "sortstore", List;
        LPUSH = "lpush", List;
        RPUSH = "rpush", List;
        LPOP = "lpop", List;
        RPOP = "rpop", List;
        LINSERT = "linsert", List;
        LSET = "lset", List;
        LREM = "lrem", List;
        LTRIM = "ltrim", List;
        HSET = "hset", Hash;
        HDEL = "hdel", Hash;
        HINCRBY = "hincrby", Hash;
        HINCRBYFLOAT = "hincrbyfloat", Hash;
        SADD = "sadd", Set;
        SREM = "srem", Set;
        SPOP = "spop", Set;
        SINTERSTORE = "sinterstore", Set;
        SUNIONSTORE = "sunionstore", Set;
        SDIFFSTORE = "sdiffstore", Set;
        ZADD = "zadd", ZSet;
        ZINCR = "zincr", ZSet;
        ZREM = "zrem", ZSet;
        ZREMRANGEBYRANK = "zremrangebyrank", ZSet;
        ZREMRANGEBYSCORE = "zremrangebyscore", ZSet;
        ZREMRANGEBYLEX = "zremrangebylex", ZSet;
        ZPOPMIN = "zpopmin", ZSet;
        ZPOPMAX = "zpopmax", ZSet;
        ZINTERSTORE = "zinterstore", ZSet;
        ZUNIONSTORE = "zunionstore", ZSet;
        ZDIFFSTORE = "zdiffstore", ZSet;
        ZRANGESTORE = "zrangestore", ZSet;
        GEOSEARCHSTORE = "geosearchstore", ZSet;
        GEORADIUSSTORE = "georadiusstore", ZSet;
    }
}
