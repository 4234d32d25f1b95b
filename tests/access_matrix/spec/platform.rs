//! The access matrix's write routes of the `platform` feature (sign-in and the own session): the object each is
//! about, the ids its body carries, a valid example body and what success looks like.

use super::*;

pub(super) fn write(method: &str, path: &str) -> Option<Spec> {
    use Success::*;
    let s = match (method, path) {
        ("POST", "/logout") => spec(None, None, none, RedirectTo("/login")),
        ("POST", "/api/v1/auth/logout") => spec(None, None, none, Api),
        ("POST", "/account/password") => spec(
            None,
            None,
            |_| {
                form(&[
                    ("current", crate::common::PASSWORD.into()),
                    ("password", NEW_PASSWORD.into()),
                    ("confirm", NEW_PASSWORD.into()),
                ])
            },
            Page,
        ),
        ("POST", "/api/v1/auth/password") => spec(
            None,
            None,
            |_| {
                json(json!({"current_password": crate::common::PASSWORD,
                    "new_password": NEW_PASSWORD}))
            },
            Api,
        ),
        _ => return None,
    };
    Some(s)
}
