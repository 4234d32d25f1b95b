//! The work plan's pages: the compliance calendar (a school's year at a glance, a district's
//! grid school × obligation, a city's districts) with the drill-down from a cell to its
//! evidence, the plans with their items and obligations, and the records' forms.

use super::{Chrome, FormErrors, render, see_other};
use crate::domain::Code;
use crate::domain::ids::{ObligationId, OrgId, WorkPlanId};
use crate::domain::work_plan::{
    ActivityKind, Evidence, MeetingKind, PlanPeriod, Status, TrainingGroup,
};
use crate::error::Error;
use crate::i18n::Lang;
use crate::policy::Action;
use crate::storage::compliance::{Calendar, Cell};
use crate::storage::work_plans::{WorkPlan, WorkPlanSummary};
use crate::storage::work_records::{
    Activity, Meeting, NewActivity, NewMeeting, NewTraining, Training,
};
use crate::web::api::work_plan::parse_period;
use crate::web::ctx::{Ctx, Form};
use crate::web::i18n::tr;
use askama::Template;
use axum::extract::{Path, Query};
use axum::response::Response;
use chrono::NaiveDate;
use serde::Deserialize;

mod city;
mod edit;
mod print;

pub use edit::edit;
pub use print::print;

type Q<T> = Result<Query<T>, axum::extract::rejection::QueryRejection>;

fn query<T>(q: Q<T>) -> Result<T, Error> {
    q.map(|Query(v)| v)
        .map_err(|e| Error::validation(e.body_text()))
}

/// The label of an obligation's evidence kind (`消防演练`, `师生`), or "any".
pub fn kind_label(l: Lang, evidence: Evidence, kind: Option<&str>) -> String {
    let key = match (evidence, kind) {
        (_, None) => return String::new(),
        (Evidence::Meeting, Some(k)) => MeetingKind::parse(k).map(|v| v.label_key()),
        (Evidence::Training, Some(k)) => TrainingGroup::parse(k).map(|v| v.label_key()),
        (Evidence::Activity, Some(k)) => ActivityKind::parse(k).map(|v| v.label_key()),
        (Evidence::Drill, Some(k)) => {
            crate::domain::drill::DrillKind::parse(k).map(|v| v.label_key())
        }
        _ => None,
    };
    key.map(|k| tr(l, &k)).unwrap_or_default()
}

fn class(s: Status) -> &'static str {
    match s {
        Status::Missed => "g-red",
        Status::Late => "g-orange",
        Status::Due => "g-none",
        Status::Done => "g-blue",
    }
}

/// Counts of cells by status: missed, late, due, done.
#[derive(Default, Clone, Copy)]
struct Counts {
    missed: usize,
    late: usize,
    due: usize,
    done: usize,
}

impl Counts {
    fn add(&mut self, s: Status) {
        match s {
            Status::Missed => self.missed += 1,
            Status::Late => self.late += 1,
            Status::Due => self.due += 1,
            Status::Done => self.done += 1,
        }
    }
}

/// Missed, late, due, done.
type Tally = (usize, usize, usize, usize);

/// One row of the grid: an org with a cell (or none) per column.
struct Row {
    org_id: OrgId,
    name: String,
    cells: Vec<Option<(Status, String, u32, u32)>>,
}

#[derive(Deserialize)]
pub struct CalendarQuery {
    org_id: Option<i64>,
    period: Option<String>,
    /// The printed year (`/compliance/print`).
    year: Option<String>,
}

#[derive(Template)]
#[template(path = "work_plan/calendar.html")]
struct CalendarPage {
    c: Chrome,
    cal: Calendar,
    org_param: String,
    prev: String,
    next: String,
    counts: Tally,
    /// The columns (obligations with cells), as (id, label).
    columns: Vec<(ObligationId, String)>,
    rows: Vec<Row>,
    /// Many orgs: (org, counts).
    districts: Vec<(OrgId, String, Tally)>,
    /// A city: a column per obligation, a row per district.
    city_columns: Vec<String>,
    city_rows: Vec<city::DistrictRow>,
    due_soon: Vec<Cell>,
    missed: Vec<Cell>,
    school: bool,
    shortcuts: Vec<String>,
}

impl CalendarPage {
    /// The year the period starts in (the printed year's link).
    fn year(&self) -> i32 {
        chrono::Datelike::year(&self.cal.first_day)
    }
    fn class(&self, s: &Status) -> &'static str {
        class(*s)
    }
    fn status(&self, s: &Status) -> String {
        self.c.t(&s.label_key())
    }
    fn what(&self, x: &Cell) -> String {
        obligation_label(&self.c, x.item_number, x.evidence_kind, x.kind.as_deref())
    }
}

fn obligation_label(c: &Chrome, item: i32, e: Evidence, kind: Option<&str>) -> String {
    let k = kind_label(c.lang, e, kind);
    let e = c.t(&e.label_key());
    if k.is_empty() {
        format!("{item}. {e}")
    } else {
        format!("{item}. {e} · {k}")
    }
}

/// The calendar of an org for a period.
pub async fn calendar(ctx: Ctx, q: Q<CalendarQuery>) -> Result<Response, Error> {
    let q = query(q)?;
    let period = parse_period(q.period.as_deref())?;
    let cal_cfg = ctx.config().calendar.clone();
    let db = ctx.db();
    let cal = db
        .compliance()
        .calendar(q.org_id.map(OrgId), period, &cal_cfg)
        .await?;
    let c = Chrome::for_ctx(&ctx, "work_plan.calendar", "/compliance");
    let org_param = q.org_id.map(|o| format!("org_id={o}&")).unwrap_or_default();
    let mut total = Counts::default();
    for x in &cal.items {
        total.add(x.status);
    }
    // Columns: the obligations that have cells, in plan order.
    let mut columns: Vec<(ObligationId, String)> = Vec::new();
    for o in &cal.obligations {
        if cal.items.iter().any(|x| x.obligation_id == o.id)
            && !columns.iter().any(|(id, _)| *id == o.id)
        {
            let label = obligation_label(&c, o.item_number, o.evidence, o.kind.as_deref());
            columns.push((
                o.id,
                format!("{label} ×{} / {}", o.count, c.t(&o.every.label_key())),
            ));
        }
    }
    let mut rows: Vec<Row> = Vec::new();
    for x in &cal.items {
        if !rows.iter().any(|r| r.org_id == x.org_id) {
            rows.push(Row {
                org_id: x.org_id,
                name: x.org_name.clone(),
                cells: vec![None; columns.len()],
            });
        }
    }
    for r in &mut rows {
        for (i, (ob, _)) in columns.iter().enumerate() {
            let mine: Vec<&Cell> = cal
                .items
                .iter()
                .filter(|x| x.org_id == r.org_id && x.obligation_id == *ob)
                .collect();
            if mine.is_empty() {
                continue;
            }
            // The worst of its periods: missed, late, due, done.
            let worst = [Status::Missed, Status::Late, Status::Due, Status::Done]
                .into_iter()
                .find(|s| mine.iter().any(|x| x.status == *s))
                .unwrap_or(Status::Due);
            let counted = mine.iter().map(|x| x.counted).sum();
            let required = mine.iter().map(|x| x.required).sum();
            let period = if mine.len() == 1 {
                mine[0].period.to_string()
            } else {
                cal.period.to_string()
            };
            r.cells[i] = Some((worst, period, counted, required));
        }
    }
    let today = crate::clock::today();
    let week = today + chrono::Duration::days(7);
    let due_soon = cal
        .items
        .iter()
        .filter(|x| x.status == Status::Due && x.last_day <= week)
        .cloned()
        .collect();
    let missed = cal
        .items
        .iter()
        .filter(|x| x.status == Status::Missed)
        .cloned()
        .collect();
    // A city: counts per district (schools and the district node itself).
    let mut districts: Vec<(OrgId, String, Tally)> = Vec::new();
    let school = rows.len() == 1 && cal.items.iter().all(|x| x.org_id == cal.org_id);
    let city = cal.org_level == crate::domain::org::OrgLevel::City.as_str();
    let (city_columns, city_rows) = if city {
        city::grid(&cal, |x| {
            let label = obligation_label(&c, x.item_number, x.evidence_kind, x.kind.as_deref());
            format!("{label} ×{} / {}", x.required, c.t(&x.every.label_key()))
        })
    } else {
        (Vec::new(), Vec::new())
    };
    if !school && !city && rows.len() > 400 {
        // A grid of hundreds of orgs would not be read: counts per org instead.
        for r in &rows {
            let mut n = Counts::default();
            for x in cal.items.iter().filter(|x| x.org_id == r.org_id) {
                n.add(x.status);
            }
            districts.push((r.org_id, r.name.clone(), (n.missed, n.late, n.due, n.done)));
        }
    }
    let prev = cal.period.prev(&cal_cfg).to_string();
    let next = cal.period.next(&cal_cfg).to_string();
    render(&CalendarPage {
        c,
        counts: (total.missed, total.late, total.due, total.done),
        org_param,
        prev,
        next,
        columns,
        rows,
        districts,
        city_columns,
        city_rows,
        due_soon,
        missed,
        school,
        shortcuts: shortcuts(today, &cal_cfg),
        cal,
    })
}

#[derive(Deserialize)]
pub struct CellQuery {
    org_id: Option<i64>,
    obligation_id: Option<i64>,
    period: Option<String>,
}

#[derive(Template)]
#[template(path = "work_plan/cell.html")]
struct CellPage {
    c: Chrome,
    cells: Vec<Cell>,
    title: String,
}

impl CellPage {
    fn class(&self, s: &Status) -> &'static str {
        class(*s)
    }
    fn status(&self, s: &Status) -> String {
        self.c.t(&s.label_key())
    }
    /// Where a record is shown.
    fn href(&self, source: &str, id: &i64) -> String {
        match source {
            "drill" => format!("/drills/{id}"),
            "inspection" => format!("/inspections/{id}"),
            "duty_report" => "/duty".into(),
            _ => "/work-records".into(),
        }
    }
    fn source(&self, source: &str) -> String {
        self.c.t(&format!("work_plan.source.{source}"))
    }
}

/// The drill-down: one org and obligation in a period, with the records behind each period.
pub async fn cell(ctx: Ctx, q: Q<CellQuery>) -> Result<Response, Error> {
    let q = query(q)?;
    let period = parse_period(q.period.as_deref())?;
    let cal_cfg = ctx.config().calendar.clone();
    let cal = ctx
        .db()
        .compliance()
        .calendar(q.org_id.map(OrgId), period, &cal_cfg)
        .await?;
    let cells: Vec<Cell> = cal
        .items
        .into_iter()
        .filter(|x| q.org_id.is_none_or(|o| x.org_id.0 == o))
        .filter(|x| q.obligation_id.is_none_or(|o| x.obligation_id.0 == o))
        .collect();
    let c = Chrome::for_ctx(&ctx, "work_plan.evidence", "/compliance");
    let title = match (cells.first(), q.obligation_id) {
        (Some(x), Some(_)) => format!(
            "{} · {}",
            x.org_name,
            obligation_label(&c, x.item_number, x.evidence_kind, x.kind.as_deref())
        ),
        _ => cal.org_name.clone(),
    };
    render(&CellPage { c, cells, title })
}

#[derive(Template)]
#[template(path = "work_plan/plans.html")]
struct PlansPage {
    c: Chrome,
    plans: Vec<WorkPlanSummary>,
}

pub async fn plans(ctx: Ctx) -> Result<Response, Error> {
    let plans = ctx.db().work_plans().list(None).await?;
    let c = Chrome::for_ctx(&ctx, "work_plan.plans", "/compliance");
    render(&PlansPage { c, plans })
}

#[derive(Template)]
#[template(path = "work_plan/plan.html")]
struct PlanPage {
    c: Chrome,
    p: WorkPlan,
    can_edit: bool,
    errors: FormErrors,
    whos: Vec<(String, String)>,
    evidences: Vec<(String, String)>,
    frequencies: Vec<(String, String)>,
}

impl PlanPage {
    fn who(&self, o: &crate::storage::work_plans::Obligation) -> String {
        let w = self.c.t(&o.who.label_key());
        match o.min_students {
            Some(n) => format!("{w} ≥ {n}"),
            None => w,
        }
    }
    fn what(&self, o: &crate::storage::work_plans::Obligation) -> String {
        let k = kind_label(self.c.lang, o.evidence, o.kind.as_deref());
        let e = self.c.t(&o.evidence.label_key());
        if k.is_empty() {
            e
        } else {
            format!("{e} · {k}")
        }
    }
}

pub async fn plan(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    plan_page(&ctx, WorkPlanId(id), FormErrors::default()).await
}

/// The plan page, with the edit forms for those who may edit it (and a failed form's errors).
async fn plan_page(ctx: &Ctx, id: WorkPlanId, errors: FormErrors) -> Result<Response, Error> {
    let p = ctx
        .db_as(Action::WorkPlanView)?
        .work_plans()
        .get(id)
        .await?;
    let c = Chrome::for_ctx(ctx, "work_plan.plan", "/compliance");
    let failed = errors.any();
    let mut resp = render(&PlanPage {
        can_edit: c.can(ctx.actor.role(), Action::WorkPlanEdit),
        whos: choices::<crate::domain::work_plan::Who>(&c),
        evidences: choices::<Evidence>(&c),
        frequencies: choices::<crate::domain::work_plan::Frequency>(&c),
        errors,
        c,
        p,
    })?;
    if failed {
        *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

#[derive(Deserialize)]
pub struct RecordsQuery {
    org_id: Option<i64>,
}

#[derive(Template)]
#[template(path = "work_plan/records.html")]
struct RecordsPage {
    c: Chrome,
    org_id: Option<i64>,
    meetings: Vec<Meeting>,
    trainings: Vec<Training>,
    activities: Vec<Activity>,
    can_record: bool,
    meeting_kinds: Vec<(String, String)>,
    groups: Vec<(String, String)>,
    activity_kinds: Vec<(String, String)>,
    today: NaiveDate,
    errors: FormErrors,
}

fn choices<T: Code>(c: &Chrome) -> Vec<(String, String)> {
    T::ALL
        .iter()
        .map(|v| (v.as_str().to_string(), c.t(&v.label_key())))
        .collect()
}

async fn records_page(ctx: &Ctx, org: Option<i64>, errors: FormErrors) -> Result<Response, Error> {
    let db = ctx.db_as(Action::WorkPlanView)?;
    let r = db.work_records();
    let o = org.map(OrgId);
    let meetings = r.meetings(o).await?;
    let trainings = r.trainings(o).await?;
    let activities = r.activities(o).await?;
    let c = Chrome::for_ctx(ctx, "work_plan.records", "/compliance");
    let failed = errors.any();
    let mut resp = render(&RecordsPage {
        can_record: c.can(ctx.actor.role(), Action::WorkRecord),
        meeting_kinds: choices::<MeetingKind>(&c),
        groups: choices::<TrainingGroup>(&c),
        activity_kinds: choices::<ActivityKind>(&c),
        today: crate::clock::today(),
        org_id: org,
        meetings,
        trainings,
        activities,
        errors,
        c,
    })?;
    if failed {
        *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

pub async fn records(ctx: Ctx, q: Q<RecordsQuery>) -> Result<Response, Error> {
    let q = query(q)?;
    records_page(&ctx, q.org_id, FormErrors::default()).await
}

/// The three forms of the records page (`form` = meeting, training or activity).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RecordForm {
    form: String,
    org_id: String,
    kind: String,
    held_on: String,
    title: String,
    attendees: String,
    agenda: String,
    minutes: String,
    decisions: String,
    hours: String,
    trainer: String,
    attendee_count: String,
    classes: String,
    pupils: String,
    note: String,
}

fn num<T: std::str::FromStr>(field: &str, v: &str) -> Result<T, Error> {
    v.trim()
        .parse()
        .map_err(|_| Error::field(field, "err.work_plan.number"))
}

fn field_parse<T: Code>(field: &str, v: &str) -> Result<T, Error> {
    T::parse(v.trim()).ok_or_else(|| Error::field(field, "err.required"))
}

pub async fn record(ctx: Ctx, Form(f): Form<RecordForm>) -> Result<Response, Error> {
    let org: Option<i64> = f.org_id.trim().parse().ok();
    let res: Result<(), Error> = async {
        let org_id = OrgId(match org {
            Some(o) => o,
            None => ctx.actor.org_id().ok_or(Error::NotFound)?.0,
        });
        let held_on: NaiveDate = f
            .held_on
            .trim()
            .parse()
            .map_err(|_| Error::field("held_on", "err.work_plan.date"))?;
        let r = ctx.db();
        let r = r.work_records();
        match f.form.as_str() {
            "meeting" => {
                r.create_meeting(NewMeeting {
                    org_id,
                    kind: field_parse("kind", &f.kind)?,
                    held_on,
                    title: f.title.clone(),
                    attendees: f.attendees.clone(),
                    agenda: f.agenda.clone(),
                    minutes: f.minutes.clone(),
                    decisions: f.decisions.clone(),
                })
                .await?;
            }
            "training" => {
                r.create_training(NewTraining {
                    org_id,
                    group: field_parse("kind", &f.kind)?,
                    held_on,
                    topic: f.title.clone(),
                    hours: num("hours", &f.hours)?,
                    trainer: f.trainer.clone(),
                    attendee_count: Some(num("attendee_count", &f.attendee_count)?),
                    person_ids: Vec::new(),
                })
                .await?;
            }
            "activity" => {
                r.create_activity(NewActivity {
                    school_id: org_id,
                    kind: field_parse("kind", &f.kind)?,
                    held_on,
                    title: f.title.clone(),
                    classes: num("classes", &f.classes)?,
                    pupils: num("pupils", &f.pupils)?,
                    note: f.note.clone(),
                })
                .await?;
            }
            _ => return Err(Error::field("form", "err.required")),
        }
        Ok(())
    }
    .await;
    match res {
        Ok(()) => {
            let q = org.map(|o| format!("?org_id={o}")).unwrap_or_default();
            Ok(see_other(&format!("/work-records{q}")))
        }
        Err(e) => match FormErrors::from_error(&e, ctx.lang) {
            Some(errors) => records_page(&ctx, org, errors).await,
            None => Err(e),
        },
    }
}

/// The period shortcuts of the picker (this half-month, month, quarter, semester, year).
fn shortcuts(today: NaiveDate, cal: &crate::domain::calendar::SchoolCalendar) -> Vec<String> {
    use crate::domain::work_plan::Frequency as F;
    [F::HalfMonth, F::Month, F::Quarter, F::Semester, F::Year]
        .iter()
        .filter_map(|f| PlanPeriod::of(*f, today, cal).map(|p| p.to_string()))
        .collect()
}
