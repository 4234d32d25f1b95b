//! The access matrix's write routes of the `incidents` feature: report a new incident (API
//! and the page's form), send a follow-up (API and the incident page's form) — which the
//! school's managers may do again and again while it is open — and the bureau's receipt of
//! the first report (API and form; a repeat changes nothing).

use super::*;

fn ago(minutes: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::minutes(minutes)).to_rfc3339()
}

/// `datetime-local` (China time) of `minutes` ago.
fn local_ago(minutes: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::hours(8) - chrono::Duration::minutes(minutes))
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

pub(super) fn write(method: &str, path: &str) -> Option<Spec> {
    use Obj::*;
    use Success::*;
    let s = match (method, path) {
        ("POST", "/api/v1/incidents") => spec(
            None,
            carried(School, Expect::NotFound),
            |c| {
                json(
                    json!({"school_id": c.id(School), "incident_type": "stampede",
                    "level": "general", "occurred_at": ago(20), "known_at": ago(10),
                    "place": format!("矩阵楼梯{}", c.n), "summary": "矩阵拥挤", "injured": 1,
                    "persons": [{"name": "矩阵伤者", "casualty": "injured", "age": 10}],
                    "reporter": "矩阵报告人", "phone": "13900001111"}),
                )
            },
            Api,
        ),
        ("POST", "/incidents") => spec(
            None,
            None,
            |c| {
                form(&[
                    ("incident_type", "fall".into()),
                    ("level", "general".into()),
                    ("occurred_at", local_ago(20)),
                    ("known_at", local_ago(10)),
                    ("place", format!("矩阵走廊{}", c.n)),
                    ("summary", "矩阵摔倒".into()),
                    ("injured", "1".into()),
                    ("person_name", "矩阵学生".into()),
                    ("person_casualty", "injured".into()),
                    ("person_age", "9".into()),
                    ("person_note", String::new()),
                    ("reporter", "矩阵报告人".into()),
                    ("phone", "13900001111".into()),
                ])
            },
            RedirectTo("/incidents/"),
        ),
        ("POST", "/api/v1/incidents/{id}/reports") => spec(
            Some(Incident),
            None,
            |c| json(json!({"kind": "follow_up", "summary": format!("矩阵续报{}", c.n)})),
            Api,
        ),
        ("POST", "/incidents/{id}/reports") => spec(
            Some(Incident),
            None,
            |c| {
                form(&[
                    ("kind", "follow_up".into()),
                    ("summary", format!("矩阵续报{}", c.n)),
                    ("level", "general".into()),
                    ("injured", "1".into()),
                ])
            },
            RedirectTo("/incidents/"),
        ),
        ("POST", "/api/v1/incidents/{id}/receipts") => {
            spec(Some(Incident), None, |_| json(json!({"seq": 1})), Api)
        }
        ("POST", "/incidents/{id}/receipts") => spec(
            Some(Incident),
            None,
            |_| form(&[("seq", "1".into())]),
            RedirectTo("/incidents/"),
        ),
        _ => return None,
    };
    Some(s)
}
