//! The access matrix's write routes of the `admin` feature (the administration of accounts): the object each is
//! about, the ids its body carries, a valid example body and what success looks like.

use super::*;

pub(super) fn write(method: &str, path: &str) -> Option<Spec> {
    use Obj::*;
    use Success::*;
    let s = match (method, path) {
        ("POST", "/api/v1/users") => spec(
            None,
            None,
            |c| {
                json(
                    json!({"username": format!("tu{}", c.n), "display_name": "测试",
                    "password": "Test#Passw0rd9"}),
                )
            },
            Api,
        ),
        ("POST", "/admin/users") => spec(
            None,
            None,
            |c| {
                form(&[
                    ("username", format!("hu{}", c.n)),
                    ("display_name", "测试".into()),
                    ("password", "Test#Passw0rd9".into()),
                ])
            },
            Page,
        ),
        ("POST", "/api/v1/users/{id}/account") => {
            spec(Some(User), None, |_| json(json!({"op": "enable"})), Api)
        }
        ("POST", "/admin/users/{id}/account") => {
            spec(Some(User), None, |_| form(&[("op", "enable".into())]), Page)
        }
        ("POST", "/api/v1/users/{id}/unlock") => spec(Some(User), None, none, Api),
        // Nothing of the matrix's database is old enough: success purges nothing.
        ("POST", "/api/v1/audit/purge") => {
            spec(None, None, |_| json(json!({"before": "2000-01-01"})), Api)
        }
        // The page's purge, confirmed (the matrix's database has nothing that old).
        ("POST", "/audit/purge") => spec(
            None,
            None,
            |_| form(&[("before", "2000-01-01".into()), ("confirm", "1".into())]),
            Page,
        ),
        ("POST", "/api/v1/users/{id}/mfa/reset") => spec(Some(User), None, none, Api),
        ("POST", "/admin/users/{id}/mfa/reset") => spec(Some(User), None, |_| form(&[]), Page),
        ("POST", "/admin/users/{id}/unlock") => spec(Some(User), None, |_| form(&[]), Page),
        ("PUT", "/api/v1/users/{id}/grant") => spec(
            Some(User),
            None,
            |c| json(json!({"role": "staff", "org_id": c.id(School)})),
            Api,
        ),
        ("POST", "/admin/users/{id}/grant") => spec(
            Some(User),
            None,
            |c| {
                form(&[
                    ("role", "staff".into()),
                    ("org_id", c.id(School).to_string()),
                ])
            },
            Page,
        ),
        _ => return None,
    };
    Some(s)
}
