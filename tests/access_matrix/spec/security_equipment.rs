//! The access matrix's write routes of the `security_equipment` feature: an entry registered
//! in a school's security register (API and the register page's form) and an entry changed
//! (API and the edit form in the entry's row).

use super::*;

pub(super) fn write(method: &str, path: &str) -> Option<Spec> {
    use Obj::*;
    use Success::*;
    let s = match (method, path) {
        ("POST", "/api/v1/schools/{id}/security-equipment") => spec(
            Some(School),
            None,
            |_| json(json!({"kind": "perimeter", "name": "矩阵围墙"})),
            Api,
        ),
        ("POST", "/schools/{id}/security-equipment") => spec(
            Some(School),
            None,
            |_| form(&[("kind", "perimeter".into()), ("name", "矩阵围墙".into())]),
            RedirectTo("/schools/"),
        ),
        // The edit form in the entry's row on the register page.
        ("POST", "/security-equipment/{id}") => spec(
            Some(Equipment),
            None,
            |_| form(&[("kind", "camera".into())]),
            RedirectTo("/schools/"),
        ),
        ("PATCH", "/api/v1/security-equipment/{id}") => spec(
            Some(Equipment),
            None,
            |_| json(json!({"working": true})),
            Api,
        ),
        _ => return None,
    };
    Some(s)
}
