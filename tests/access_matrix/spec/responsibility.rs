//! The access matrix's write routes of the `responsibility` feature: letters issued (a
//! district's by its officers, a school's to its people by its managers), signed (a bureau's
//! letter by the school's principal alone: the other school roles are refused with the
//! reason), and leading groups recorded (a district's by the bureau, a school's by itself).

use super::*;
use safecampus::domain::role::Role;

fn bureau(c: &Call) -> bool {
    matches!(
        c.account.role(),
        Some(Role::CityOfficer | Role::BureauOfficer)
    )
}

/// An org at `p` in scope, the role allowed, but the wrong level for the role: 403.
fn wrong_level(c: &Call, p: Option<Pos>) -> Option<Expect> {
    let p = p?;
    if !c.allowed() || !super::super::sees(c.fx, c.account, Obj::Org, p) {
        return None;
    }
    let school = matches!(p, Pos::S001 | Pos::S002 | Pos::N001);
    (school == bureau(c)).then_some(Expect::Forbidden)
}

/// Only the principal acknowledges the bureau's letter for the school.
fn principal_signs(c: &Call) -> Option<Expect> {
    let p = c.at.path?;
    let seen = super::super::sees(c.fx, c.account, Obj::Letter, p);
    (seen && c.allowed() && c.account.role() != Some(Role::Principal)).then_some(Expect::Forbidden)
}

pub(super) fn write(method: &str, path: &str) -> Option<Spec> {
    use Obj::*;
    use Success::*;
    let s = match (method, path) {
        ("POST", "/api/v1/responsibility-letters") => {
            let mut s = spec(
                None,
                carried(Org, Expect::NotFound),
                |c| {
                    let people: Vec<i64> = c.opt(Person).into_iter().collect();
                    json(
                        json!({"org_id": c.id(Org), "year": 2091, "title": "矩阵责任书",
                        "body": "矩阵责任内容", "person_ids": people}),
                    )
                },
                Api,
            );
            s.special = Some(|c| wrong_level(c, c.at.body));
            s
        }
        ("POST", "/responsibility-letters") => {
            let mut s = spec(
                None,
                None,
                |_| {
                    form(&[
                        ("year", "2091".into()),
                        ("title", "矩阵责任书".into()),
                        ("body", "矩阵责任内容".into()),
                    ])
                },
                RedirectTo("/responsibility-letters"),
            );
            // The page issues the caller's own org's letter: a bureau officer's district
            // letter; a school's needs people (the API's), a city has none.
            s.special = Some(|c| {
                (c.allowed() && c.account.role() != Some(Role::BureauOfficer))
                    .then_some(Expect::Field(""))
            });
            s
        }
        ("POST", "/api/v1/responsibility-letters/{id}/sign") => {
            let mut s = spec(Some(Letter), None, |_| json(json!({})), Api);
            s.special = Some(principal_signs);
            s
        }
        ("POST", "/responsibility-letters/{id}/sign") => {
            let mut s = spec(
                Some(Letter),
                None,
                |_| form(&[]),
                RedirectTo("/responsibility-letters"),
            );
            s.special = Some(principal_signs);
            s
        }
        // The page's form saves the caller's own group: a district's (its officers), a
        // school's (its managers); a city has none (422).
        ("POST", "/leading-groups") => {
            let mut s = spec(
                None,
                None,
                |_| {
                    form(&[
                        ("role.0", "member".into()),
                        ("name.0", String::new()),
                        ("duty.0", String::new()),
                        ("director_name", "矩阵科长".into()),
                    ])
                },
                RedirectTo("/leading-groups"),
            );
            s.special = Some(|c| {
                (c.allowed() && c.account.role() == Some(Role::CityOfficer))
                    .then_some(Expect::Field(""))
            });
            s
        }
        ("PUT", "/api/v1/orgs/{id}/leading-group") => {
            let mut s = spec(
                Some(Org),
                None,
                |c| match c.opt(Person) {
                    Some(p) => json(json!({"members": [
                        {"role": "leader", "person_id": p, "duty": "全面负责"}],
                        "safety_director": {"person_id": p},
                        "legal_vice_principal": {"name": "矩阵警官", "unit": "矩阵派出所",
                            "phone": "13900002222"}})),
                    None => json(json!({"members": [{"role": "leader", "name": "矩阵局长"}],
                        "safety_director": {"name": "矩阵科长"}})),
                },
                Api,
            );
            s.special = Some(|c| wrong_level(c, c.at.path));
            s
        }
        _ => return None,
    };
    Some(s)
}
