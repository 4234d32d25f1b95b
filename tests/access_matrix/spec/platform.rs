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
        // The second factor: nobody in the matrix has one or needs one, so the sign-in step
        // has nothing due (pages go home, the API answers 409) and a code checks nothing.
        ("POST", "/login/mfa") | ("POST", "/login/mfa/enrol") => {
            spec(None, None, |_| form(&[("code", "000000".into())]), Redirect)
        }
        ("POST", "/api/v1/auth/mfa") => {
            let mut s = spec(None, None, |_| json(json!({"code": "000000"})), Api);
            s.special = Some(|c| c.account.role().map(|_| Expect::Conflict));
            s
        }
        ("POST", "/account/mfa/enrol") => {
            spec(None, None, |_| form(&[]), RedirectTo("/account/mfa"))
        }
        ("POST", "/account/mfa/confirm")
        | ("POST", "/account/mfa/recovery")
        | ("POST", "/account/mfa/disable") => {
            let mut s = spec(None, None, |_| form(&[("code", "000000".into())]), Page);
            s.special = Some(|c| c.account.role().map(|_| Expect::Field("code")));
            s
        }
        _ => return None,
    };
    Some(s)
}
