//! Error texts that echo user input replace CR and LF with spaces, as Redis does, so an
//! error reply is always one RESP line.

use redlite::{Reply, Store};

#[test]
fn expire_unsupported_option_echoes_without_newlines() {
    let store = Store::new();
    let mut c = store.connection();
    c.execute(["SET", "k", "v"]);
    assert_eq!(
        c.execute(["EXPIRE", "k", "10", "a\r\nb"]),
        Reply::error("ERR Unsupported option a  b")
    );
}

#[test]
fn unknown_command_echoes_without_newlines() {
    let store = Store::new();
    let mut c = store.connection();
    assert_eq!(
        c.execute(["NO\nPE", "x\ry"]),
        Reply::error("ERR unknown command 'NO PE', with args beginning with: 'x y' ")
    );
}
