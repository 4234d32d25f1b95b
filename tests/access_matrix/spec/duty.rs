//! The access matrix's write routes of the `duty` feature: set up a duty period (API and the
//! page's form), submit a unit's roster and its daily zero report (API and the school's page),
//! which every allowed account may do again (a second report of the day updates it); check in
//! for today (again: unchanged), record a phone spot check (API and the board's form) and
//! correct one (API and its row's form; again: unchanged).

use super::*;

fn day(n: i64) -> String {
    (safecampus::storage::risk_points::today() + chrono::Duration::days(n)).to_string()
}

/// The fixture's periods run from yesterday to tomorrow.
fn roster() -> Value {
    let d = |n: i64| {
        json!({"date": day(n), "leader": {"name": "矩阵校长", "phone": "13900002222"},
            "officers": [{"name": "矩阵值班员", "phone": "13900001111"}],
            "duty_phone": "0431-88886666"})
    };
    json!({"days": [d(-1), d(0), d(1)]})
}

pub(super) fn write(method: &str, path: &str) -> Option<Spec> {
    use Obj::*;
    use Success::*;
    let s = match (method, path) {
        ("POST", "/api/v1/duty-periods") => spec(
            None,
            carried(District, Expect::NotFound),
            |c| {
                json(
                    json!({"org_id": c.id(District), "name": format!("矩阵值班{}", c.n),
                    "first": day(0), "last": day(2)}),
                )
            },
            Api,
        ),
        ("POST", "/duty") => spec(
            None,
            None,
            |c| {
                form(&[
                    ("name", format!("矩阵值班{}", c.n)),
                    ("first", day(0)),
                    ("last", day(2)),
                    ("cutoff", "15:00".into()),
                ])
            },
            RedirectTo("/duty/"),
        ),
        ("PUT", "/api/v1/duty-periods/{id}/rosters/{school_id}") => spec(
            Some(DutyPeriod),
            carried(School, Expect::NotFound),
            |_| json(roster()),
            Api,
        ),
        ("POST", "/api/v1/duty-periods/{id}/reports") => spec(
            Some(DutyPeriod),
            carried(School, Expect::NotFound),
            |c| json(json!({"school_id": c.id(School), "date": day(0), "zero": true})),
            Api,
        ),
        ("POST", "/duty/{id}/report") => spec(
            Some(DutyPeriod),
            None,
            |_| form(&[("zero", "1".into())]),
            RedirectTo("/duty/"),
        ),
        ("POST", "/duty/{id}/roster") => spec(
            Some(DutyPeriod),
            None,
            |_| {
                let mut pairs = Vec::new();
                for n in -1..=1 {
                    pairs.extend([
                        ("date", day(n)),
                        ("leader_name", "矩阵校长".to_string()),
                        ("leader_phone", "13900002222".to_string()),
                        ("officer_name", "矩阵值班员".to_string()),
                        ("officer_phone", "13900001111".to_string()),
                        ("duty_phone", String::new()),
                    ]);
                }
                form(&pairs)
            },
            RedirectTo("/duty/"),
        ),
        ("POST", "/api/v1/duty-periods/{id}/check-ins") => spec(
            Some(DutyPeriod),
            carried(School, Expect::NotFound),
            |c| json(json!({"school_id": c.id(School)})),
            Api,
        ),
        ("POST", "/duty/{id}/check-in") => {
            spec(Some(DutyPeriod), None, |_| form(&[]), RedirectTo("/duty/"))
        }
        ("POST", "/api/v1/duty-periods/{id}/spot-checks") => spec(
            Some(DutyPeriod),
            carried(School, Expect::NotFound),
            |c| {
                json(
                    json!({"school_id": c.id(School), "answered": false, "phone": "0431-88886666"}),
                )
            },
            Api,
        ),
        // The path's `{check_id}` moves with the carried position (another school's check).
        ("PATCH", "/api/v1/duty-periods/{id}/spot-checks/{check_id}") => spec(
            Some(DutyPeriod),
            carried(SpotCheck, Expect::NotFound),
            |_| json(json!({"answered": false, "reason": "矩阵更正"})),
            Api,
        ),
        ("POST", "/duty/{id}/spot-checks/{check_id}") => spec(
            Some(DutyPeriod),
            carried(SpotCheck, Expect::NotFound),
            |_| form(&[("answered", "0".into()), ("reason", "矩阵更正".into())]),
            RedirectTo("/duty/"),
        ),
        ("POST", "/duty/{id}/spot-checks") => spec(
            Some(DutyPeriod),
            carried(School, Expect::NotFound),
            |c| {
                form(&[
                    ("school_id", c.id(School).to_string()),
                    ("answered", "1".into()),
                    ("note", "矩阵抽查".into()),
                ])
            },
            RedirectTo("/duty/"),
        ),
        _ => return None,
    };
    Some(s)
}
