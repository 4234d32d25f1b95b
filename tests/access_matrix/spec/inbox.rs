//! The access matrix's write routes of the `inbox` feature (the inbox): the object each is
//! about, the ids its body carries, a valid example body and what success looks like.

use super::*;

pub(super) fn write(method: &str, path: &str) -> Option<Spec> {
    use Success::*;
    let s = match (method, path) {
        ("POST", "/api/v1/inbox/read") => spec(None, None, |_| json(json!({"all": true})), Api),
        ("POST", "/inbox/read") => spec(
            None,
            None,
            |_| form(&[("all", "1".into())]),
            RedirectTo("/inbox"),
        ),
        _ => return None,
    };
    Some(s)
}
