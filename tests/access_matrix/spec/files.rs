//! The access matrix's write routes of the `files` feature (photos and documents): the object each is
//! about, the ids its body carries, a valid example body and what success looks like.

use super::*;

pub(super) fn write(method: &str, path: &str) -> Option<Spec> {
    use Obj::*;
    use Success::*;
    let s = match (method, path) {
        ("POST", "/api/v1/files") => spec(
            None,
            carried(School, Expect::NotFound),
            |c| Body {
                query: String::new(),
                content_type: Some(MULTIPART),
                bytes: multipart(&[("school_id", c.id(School).to_string())], 1),
            },
            Api,
        ),
        _ => return None,
    };
    Some(s)
}
