//! The reads of the hazard loop: one hazard with its history, lists with filters and counts,
//! the exports and the yearly 销号 ledger. Every query is limited to the schools in the
//! actor's scope.

use super::*;
use crate::domain::hazard::{HistoryEvent, Step, available_actions};
use crate::domain::org::OrgPath;
use crate::error::Error;
use crate::storage::Hazards;
use crate::storage::entity::{hazard_count, hazard_event, org, user};
use crate::storage::read::ReadAll as _;
use crate::storage::read::read_row;
use crate::storage::risk_points::today;
use crate::storage::views;
use chrono::{Duration, TimeZone};
use sea_orm::sea_query::{Expr, ExprTrait, SelectStatement};
use sea_orm::{Condition, QueryOrder};
use std::collections::HashMap;
use utoipa::IntoParams;

/// Filters of a hazard list (query string). Empty values mean "not given".
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct HazardFilter {
    /// A city, district or school: only hazards of the schools below it.
    #[serde(default, deserialize_with = "views::empty_as_none")]
    pub org_id: Option<i64>,
    #[serde(default, deserialize_with = "views::empty_as_none")]
    pub school_id: Option<i64>,
    /// A status code (`reported` … `cancelled`), or `open` for every status not closed or
    /// cancelled.
    pub status: Option<String>,
    /// `general` or `major`.
    pub level: Option<String>,
    /// `true`: only overdue hazards.
    pub overdue: Option<String>,
    /// `true`: only hazards under bureau supervision (挂牌督办).
    pub supervised: Option<String>,
    /// Text in the title, description or category.
    pub q: Option<String>,
    /// Reported on or after this China date (`YYYY-MM-DD`).
    #[serde(default, deserialize_with = "views::empty_as_none")]
    pub from: Option<NaiveDate>,
    /// Reported on or before this China date.
    #[serde(default, deserialize_with = "views::empty_as_none")]
    pub to: Option<NaiveDate>,
    /// The page, from 1; a page past the end is empty.
    #[serde(default, deserialize_with = "views::empty_as_none")]
    pub page: Option<u64>,
    /// Hazards a page: 1 to 200 (default 50); out of range → 422.
    #[serde(default, deserialize_with = "views::empty_as_none")]
    pub per_page: Option<u64>,
}

/// How many hazards of the list (without its status filter) are in one status.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StatusCount {
    pub status: Status,
    pub count: u64,
}

/// A page of hazards with the counts per status and of overdue ones.
#[derive(Debug, Serialize, ToSchema)]
pub struct HazardList {
    pub items: Vec<HazardSummary>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
    /// Every status with its count under the other filters.
    pub counts: Vec<StatusCount>,
    /// Overdue hazards under the other filters.
    pub overdue: u64,
    /// Hazards under bureau supervision under the other filters.
    pub supervised: u64,
}

/// One line of the yearly 销号 ledger: a closing step with its number.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClosureRow {
    pub closure_number: String,
    pub hazard_id: HazardId,
    pub school_code: String,
    pub school_name: String,
    pub title: String,
    pub level: Option<Level>,
    pub category: String,
    pub reported_on: NaiveDate,
    pub closed_on: NaiveDate,
    pub closed_by_name: String,
    /// Whether the hazard is still closed under this number (a reopening clears it).
    pub current: bool,
}

fn flag(s: &Option<String>) -> bool {
    matches!(s.as_deref(), Some("true" | "1" | "on" | "yes"))
}

/// The UTC instant a China date starts.
fn day_start(d: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default()) - Duration::hours(8)
}

pub(super) fn state_of(m: &hazard::Model) -> Result<Hazard> {
    serde_json::from_str(&m.state).map_err(Error::internal)
}

/// Statuses whose deadline clock runs.
const CLOCK_STOPPED: [&str; 3] = ["accepted", "closed", "cancelled"];

impl Hazards<'_> {
    /// A hazard whose school is in scope, or `NotFound`.
    pub(super) async fn hazard_row(
        &self,
        id: HazardId,
        conn: &impl crate::storage::read::Fetch,
    ) -> Result<hazard::Model> {
        Ok(self.owned::<hazard::Entity>(id, conn).await?.0)
    }

    /// The schools in scope (below `under` when given, which must be in scope).
    async fn hazard_schools(&self, under: Option<i64>) -> Result<HashMap<OrgId, org::Model>> {
        let mut q = org::Entity::find()
            .filter(self.org_scope())
            .filter(org::Column::Level.eq(crate::domain::org::OrgLevel::School.as_str()));
        if let Some(u) = under {
            let node = self.org_row(OrgId(u), &self.read).await?;
            let p = OrgPath::parse(&node.path).ok_or(Error::NotFound)?;
            q = q.filter(Expr::col(org::Column::Path).like(p.like_pattern()));
        }
        Ok(q.read_all(&self.read)
            .await?
            .into_iter()
            .map(|m| (m.id, m))
            .collect())
    }

    /// The filter's own conditions: level, overdue, supervision, text and dates.
    fn filter_condition(f: &HazardFilter, today: NaiveDate) -> Result<Condition> {
        let mut c = Condition::all();
        if let Some(l) = f.level.as_deref().filter(|s| !s.is_empty()) {
            let l = Level::parse(l).ok_or_else(|| Error::field("level", "err.invalid_input"))?;
            c = c.add(hazard::Column::Level.eq(l.as_str()));
        }
        if flag(&f.overdue) {
            c = c
                .add(hazard::Column::Deadline.lt(today))
                .add(hazard::Column::Status.is_not_in(CLOCK_STOPPED));
        }
        if flag(&f.supervised) {
            c = c.add(
                Condition::any()
                    .add(hazard::Column::Supervised.eq(true))
                    .add(hazard::Column::Level.eq(Level::Major.as_str())),
            );
        }
        if let Some(text) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            let h = hazard::Entity;
            c = c.add(
                Condition::any()
                    .add(views::contains_text((h, hazard::Column::Title), text))
                    .add(views::contains_text((h, hazard::Column::Description), text))
                    .add(views::contains_text((h, hazard::Column::Category), text))
                    .add(views::contains_text(
                        (h, hazard::Column::ClosureNumber),
                        text,
                    )),
            );
        }
        if let Some(d) = f.from {
            c = c.add(hazard::Column::ReportedAt.gte(day_start(d)));
        }
        if let Some(d) = f.to {
            c = c.add(hazard::Column::ReportedAt.lt(day_start(d + Duration::days(1))));
        }
        Ok(c)
    }

    /// Which schools a list covers, as a condition on the hazard joined with its school: the
    /// schools below `under` (in scope) or the actor's scope, narrowed to the filter's school,
    /// which must be one of them.
    ///
    /// One school (the filter's, or a school node: a principal's own scope) is the condition
    /// `school_id = ?` alone, without the joined path: its hazards and roll-up rows are then a
    /// range of an index keyed by school, not a walk over the city's hazards that keeps the
    /// school's.
    async fn listed_schools(&self, under: Option<i64>, school: Option<i64>) -> Result<Listed> {
        let school_level = crate::domain::org::OrgLevel::School;
        let (path, node_school) = match under {
            Some(u) => {
                let node = self.org_row(OrgId(u), &self.read).await?;
                let path = OrgPath::parse(&node.path).ok_or(Error::NotFound)?;
                (
                    path,
                    (node.level == school_level.as_str()).then_some(node.id),
                )
            }
            None => (
                self.actor.scope().clone(),
                self.actor
                    .org_id()
                    .filter(|_| self.actor.org_level() == Some(school_level)),
            ),
        };
        if let Some(n) = node_school {
            // Schools are the leaves of the tree: the school below a school is itself.
            return match school {
                Some(s) if s != n.0 => Err(Error::NotFound),
                _ => Ok(Listed {
                    below: None,
                    school: Some(n),
                }),
            };
        }
        let below = Condition::all()
            .add(Expr::col((org::Entity, org::Column::Path)).like(path.like_pattern()))
            .add(
                Expr::col((org::Entity, org::Column::Level))
                    .eq(crate::domain::org::OrgLevel::School.as_str()),
            );
        let Some(s) = school else {
            return Ok(Listed {
                below: Some(below),
                school: None,
            });
        };
        let mut q = sea_orm::sea_query::Query::select();
        q.expr(Expr::col((org::Entity, org::Column::Id)))
            .from(org::Entity)
            .cond_where(below)
            .and_where(Expr::col((org::Entity, org::Column::Id)).eq(s))
            .limit(1);
        // A foreign, missing or district id is "not found", as for every other id filter.
        let found: Option<(OrgId,)> = self.read.one(&q).await?;
        let (s,) = found.ok_or(Error::NotFound)?;
        // Found below the node: the school alone is the condition.
        Ok(Listed {
            below: None,
            school: Some(s),
        })
    }

    fn status_condition(f: &HazardFilter) -> Result<Condition> {
        Ok(match f.status.as_deref().filter(|s| !s.is_empty()) {
            None => Condition::all(),
            Some("open") => {
                Condition::all().add(hazard::Column::Status.is_not_in(["closed", "cancelled"]))
            }
            Some(s) => {
                let s =
                    Status::parse(s).ok_or_else(|| Error::field("status", "err.invalid_input"))?;
                Condition::all().add(hazard::Column::Status.eq(s.as_str()))
            }
        })
    }

    /// Hazards in scope, filtered, a page at a time, with counts.
    pub async fn list(&self, f: &HazardFilter) -> Result<HazardList> {
        self.permit()?;
        let schools = self.listed_schools(f.org_id, f.school_id).await?;
        self.hazard_page(f, schools).await
    }

    /// One school's hazards.
    pub async fn for_school(&self, school: OrgId, f: &HazardFilter) -> Result<HazardList> {
        let s = self.school_row(school, &self.read).await?;
        self.permit()?;
        if f.school_id.is_some_and(|x| x != s.id.0) {
            return Err(Error::NotFound);
        }
        let schools = Listed {
            below: None,
            school: Some(s.id),
        };
        self.hazard_page(f, schools).await
    }

    /// A page of the list: two statements on the read path — the counts, and the page's rows
    /// with the names they show, joined in.
    async fn hazard_page(&self, f: &HazardFilter, schools: Listed) -> Result<HazardList> {
        let t = today();
        let base = schools
            .on((hazard::Entity, hazard::Column::SchoolId))
            .add(Self::filter_condition(f, t)?);
        let cond = base.clone().add(Self::status_condition(f)?);
        let paging = views::Paging::new(f.page, f.per_page, views::PAGE_SIZE)?;
        // The counts in one query over the filter without its status part: a row per status
        // with its overdue and supervised hazards; the list's total is the sum over the
        // statuses the filter keeps.
        let (counts, total, overdue, supervised) = self.counts(base, &schools, f, t).await?;
        let page = paging.page;
        let rows: Vec<HazardLine> = match paging.offset_within(total) {
            Some(offset) => {
                self.read
                    .all(&self.page_statement(cond, offset, paging.per_page))
                    .await?
            }
            None => Vec::new(),
        };
        let items = rows
            .into_iter()
            .map(|r| r.summary(t))
            .collect::<Result<_>>()?;
        Ok(HazardList {
            items,
            total,
            page,
            per_page: paging.per_page,
            counts,
            overdue,
            supervised,
        })
    }

    /// The statement of a page's rows with the names they show.
    fn page_statement(&self, cond: Condition, offset: u64, per_page: u64) -> SelectStatement {
        let mut q = sea_orm::sea_query::Query::select();
        if self.read.path() == "rusqlite" {
            // SQLite walks the hazards in id order and looks up the names of the rows it
            // keeps only: one statement (the ids-first form below cost it a second pass,
            // 20 % of the page's statement time on the demo).
            HazardLine::select(&mut q);
            joined(&mut q)
                .cond_where(cond)
                .order_by((hazard::Entity, hazard::Column::Id), sea_orm::Order::Desc)
                .offset(offset)
                .limit(per_page);
            return q;
        }
        // The page's ids first (filtered and sorted without the names), then only those
        // rows with their names joined: a planner that joins before it sorts would look
        // up the names of every listed hazard.
        let id = Expr::col((hazard::Entity, hazard::Column::Id));
        let mut ids = sea_orm::sea_query::Query::select();
        ids.expr(id.clone())
            .from(hazard::Entity)
            .inner_join(
                org::Entity,
                Expr::col((org::Entity, org::Column::Id))
                    .equals((hazard::Entity, hazard::Column::SchoolId)),
            )
            .cond_where(cond)
            .order_by((hazard::Entity, hazard::Column::Id), sea_orm::Order::Desc)
            .offset(offset)
            .limit(per_page);
        HazardLine::select(&mut q);
        joined(&mut q)
            .and_where(id.in_subquery(ids))
            .order_by((hazard::Entity, hazard::Column::Id), sea_orm::Order::Desc);
        q
    }

    /// The statements of a list's first page, as the database gets them with their values
    /// written in: the counts, then the page's rows (for the query plans' tests).
    #[doc(hidden)]
    pub async fn list_statements(&self, f: &HazardFilter) -> Result<Vec<String>> {
        self.permit()?;
        let schools = self.listed_schools(f.org_id, f.school_id).await?;
        let t = today();
        let base = schools
            .on((hazard::Entity, hazard::Column::SchoolId))
            .add(Self::filter_condition(f, t)?);
        let cond = base.clone().add(Self::status_condition(f)?);
        let paging = views::Paging::new(f.page, f.per_page, views::PAGE_SIZE)?;
        let counts = if Self::raw_filter(f) {
            Self::raw_counts_statement(base, t)
        } else {
            Self::rolled_up_statement(&schools, f, t)
        };
        let page = self.page_statement(cond, 0, paging.per_page);
        let backend = self.conn.get_database_backend();
        Ok([counts, page]
            .iter()
            .map(|q| backend.build(q).to_string())
            .collect())
    }

    /// Counts by status of the hazards of `base`, the total the status filter keeps, and the
    /// overdue and bureau-supervised ones among those — one grouped query, over the roll-up
    /// `hazard_counts` unless the filter has text, dates or a level (which it does not hold).
    async fn counts(
        &self,
        base: Condition,
        schools: &Listed,
        f: &HazardFilter,
        t: NaiveDate,
    ) -> Result<(Vec<StatusCount>, u64, u64, u64)> {
        let rows: Vec<(String, i64, i64, i64)> = if Self::raw_filter(f) {
            self.read.all(&Self::raw_counts_statement(base, t)).await?
        } else {
            self.read
                .all(&Self::rolled_up_statement(schools, f, t))
                .await?
        };
        let keep = |status: &str| match f.status.as_deref().filter(|s| !s.is_empty()) {
            None => true,
            Some("open") => !["closed", "cancelled"].contains(&status),
            Some(s) => s == status,
        };
        let n = |v: i64| u64::try_from(v).unwrap_or(0);
        let (mut total, mut overdue, mut supervised) = (0, 0, 0);
        for (status, count, o, s) in &rows {
            if keep(status) {
                total += n(*count);
                overdue += n(*o);
                supervised += n(*s);
            }
        }
        let counts = Status::ALL
            .iter()
            .map(|s| StatusCount {
                status: *s,
                count: rows
                    .iter()
                    .filter(|(c, ..)| c == s.as_str())
                    .map(|(_, k, ..)| n(*k))
                    .sum(),
            })
            .collect();
        Ok((counts, total, overdue, supervised))
    }

    /// Whether the filter has text, dates or a level, which the roll-up does not hold.
    fn raw_filter(f: &HazardFilter) -> bool {
        let given = |o: &Option<String>| o.as_deref().is_some_and(|s| !s.trim().is_empty());
        given(&f.q) || given(&f.level) || f.from.is_some() || f.to.is_some()
    }

    /// Per status: hazards, overdue, supervised — from the roll-up kept on write.
    fn rolled_up_statement(schools: &Listed, f: &HazardFilter, t: NaiveDate) -> SelectStatement {
        use hazard_count as hc;
        let col = |c: hc::Column| Expr::col((hc::Entity, c));
        let overdue_c = Condition::all()
            .add(col(hc::Column::Deadline).lt(t))
            .add(col(hc::Column::Status).is_not_in(CLOCK_STOPPED));
        let supervised_c = Condition::any()
            .add(col(hc::Column::Supervised).eq(true))
            .add(col(hc::Column::Major).eq(true));
        let mut cond = schools.on((hc::Entity, hc::Column::SchoolId));
        if flag(&f.overdue) {
            cond = cond.add(overdue_c.clone());
        }
        if flag(&f.supervised) {
            cond = cond.add(supervised_c.clone());
        }
        let n = || col(hc::Column::N);
        let mut q = sea_orm::sea_query::Query::select();
        q.expr(col(hc::Column::Status))
            .expr(views::sum_where(Condition::all(), n()))
            .expr(views::sum_where(overdue_c, n()))
            .expr(views::sum_where(supervised_c, n()))
            .from(hc::Entity);
        if schools.below.is_some() {
            q.inner_join(
                org::Entity,
                Expr::col((org::Entity, org::Column::Id))
                    .equals((hc::Entity, hc::Column::SchoolId)),
            );
        }
        q.cond_where(cond)
            .group_by_col((hc::Entity, hc::Column::Status));
        q
    }

    /// Per status: hazards, overdue, supervised — counted over the hazards themselves.
    fn raw_counts_statement(base: Condition, t: NaiveDate) -> SelectStatement {
        let sum_of = views::count_where;
        let overdue_c = Condition::all()
            .add(hazard::Column::Deadline.lt(t))
            .add(hazard::Column::Status.is_not_in(CLOCK_STOPPED));
        let supervised_c = Condition::any()
            .add(hazard::Column::Supervised.eq(true))
            .add(hazard::Column::Level.eq(Level::Major.as_str()));
        let status = Expr::col((hazard::Entity, hazard::Column::Status));
        let mut q = sea_orm::sea_query::Query::select();
        q.expr(status.clone())
            .expr(hazard::Column::Id.count())
            .expr(sum_of(overdue_c))
            .expr(sum_of(supervised_c))
            .from(hazard::Entity)
            .inner_join(
                org::Entity,
                Expr::col((org::Entity, org::Column::Id))
                    .equals((hazard::Entity, hazard::Column::SchoolId)),
            )
            .cond_where(base)
            .group_by_col((hazard::Entity, hazard::Column::Status));
        q
    }

    /// Every hazard of the filter (exports and ledgers), oldest first, at most 20 000.
    pub async fn all(&self, f: &HazardFilter) -> Result<Vec<HazardSummary>> {
        self.permit()?;
        let t = today();
        let cond = self
            .listed_schools(f.org_id, f.school_id)
            .await?
            .on((hazard::Entity, hazard::Column::SchoolId))
            .add(Self::filter_condition(f, t)?)
            .add(Self::status_condition(f)?);
        let mut q = sea_orm::sea_query::Query::select();
        HazardLine::select(&mut q);
        joined(&mut q)
            .cond_where(cond)
            .order_by((hazard::Entity, hazard::Column::Id), sea_orm::Order::Asc)
            .limit(20_000);
        let rows: Vec<HazardLine> = self.read.all(&q).await?;
        rows.into_iter().map(|r| r.summary(t)).collect()
    }

    /// One hazard with its facts, notice, history and the caller's possible steps.
    pub async fn get(&self, id: HazardId) -> Result<HazardDetail> {
        let m = self.hazard_row(id, &self.read).await?;
        self.permit()?;
        self.hazard_detail(m).await
    }

    pub(super) async fn hazard_detail(&self, m: hazard::Model) -> Result<HazardDetail> {
        let school = self.school_row(m.school_id, &self.read).await?;
        let district_name = match school.parent_id {
            Some(p) => org::Entity::find_by_id(p)
                .read_one(&self.read)
                .await?
                .map(|d| d.name)
                .unwrap_or_default(),
            None => String::new(),
        };
        let state = state_of(&m)?;
        let events = hazard_event::Entity::find()
            .filter(hazard_event::Column::HazardId.eq(m.id))
            .order_by_asc(hazard_event::Column::Seq)
            .read_all(&self.read)
            .await?;
        let history = events
            .into_iter()
            .map(|e| {
                let ev: HistoryEvent = serde_json::from_str(&e.event).map_err(Error::internal)?;
                let (action, days, message) = match ev.step {
                    Step::Action { action, .. } => (Some(action), None, None),
                    Step::Escalated { days_overdue } => (None, Some(days_overdue), None),
                    Step::Urged { message, .. } => (None, None, Some(message)),
                };
                Ok(HistoryItem {
                    seq: e.seq,
                    at: e.at,
                    day: e.day,
                    user_id: e.user_id,
                    user_name: e.user_name,
                    role: e.role,
                    kind: e.kind,
                    from: ev.from,
                    to: ev.to,
                    action,
                    days_overdue: days,
                    message,
                    closure_number: ev.closure_number,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let notice_issued_by_name = match &state.notice {
            Some(n) => user::Entity::find_by_id(UserId(n.issued_by))
                .read_one(&self.read)
                .await?
                .map(|u| u.display_name),
            None => None,
        };
        let available = if crate::policy::allows(self.actor.role, crate::policy::Action::HazardAct)
        {
            available_actions(&state, &who(&self.actor))
        } else {
            Vec::new()
        };
        let urge_count = history.iter().filter(|h| h.kind == "urge").count();
        let may_urge = crate::policy::allows(self.actor.role, crate::policy::Action::HazardUrge)
            && !state.status.is_final();
        let photo_ids: Vec<i64> = serde_json::from_str(&m.photo_ids).unwrap_or_default();
        let description = m.description.clone();
        let (zone_id, risk_point_id) = (m.zone_id, m.risk_point_id);
        let (inspection_id, campaign_id, version) = (m.inspection_id, m.campaign_id, m.version);
        let t = today();
        let mut q = sea_orm::sea_query::Query::select();
        HazardLine::select(&mut q);
        joined(&mut q).and_where(Expr::col((hazard::Entity, hazard::Column::Id)).eq(m.id));
        let line: Option<HazardLine> = self.read.one(&q).await?;
        let mut summary = line.ok_or(Error::NotFound)?.summary(t)?;
        // The detail reads the state itself (the list reads its projections; a test holds the
        // two equal over the demo's hazards).
        summary.status = state.status;
        summary.level = state.level;
        summary.treatment = state.treatment;
        summary.supervised = state.bureau_supervised();
        summary.deadline = state.deadline;
        summary.overdue = crate::domain::hazard::is_overdue(&state, t);
        summary.days_overdue = crate::domain::hazard::days_overdue(&state, t);
        summary.closure_number = state.closure_number.clone();
        Ok(HazardDetail {
            summary,
            description,
            zone_id,
            risk_point_id,
            inspection_id,
            campaign_id,
            district_name,
            photo_ids,
            interim_plan: state.interim_plan.clone(),
            notice: state.notice.clone(),
            notice_issued_by_name,
            pending_extension: state.pending_extension.clone(),
            history,
            available_actions: available,
            urge_count,
            may_urge,
            version,
        })
    }

    /// The active users of a school in scope (to choose the responsible person).
    pub async fn school_users(&self, school: OrgId) -> Result<Vec<SchoolUser>> {
        self.school_row(school, &self.read).await?;
        self.permit()?;
        Ok(user::Entity::find()
            .filter(user::Column::OrgId.eq(school))
            .filter(user::Column::Disabled.eq(false))
            .order_by_asc(user::Column::Id)
            .read_all(&self.read)
            .await?
            .into_iter()
            .map(|u| SchoolUser {
                id: u.id,
                display_name: u.display_name,
                role: u.role,
            })
            .collect())
    }

    /// The yearly 销号 ledger: every closing step of the year (China dates) in the schools
    /// below `org_id` (default: the caller's scope), by number.
    pub async fn closure_ledger(&self, org_id: Option<i64>, year: i32) -> Result<Vec<ClosureRow>> {
        self.permit()?;
        let schools = self.hazard_schools(org_id).await?;
        let first = NaiveDate::from_ymd_opt(year, 1, 1)
            .ok_or_else(|| Error::field("year", "err.invalid_input"))?;
        let last = NaiveDate::from_ymd_opt(year, 12, 31)
            .ok_or_else(|| Error::field("year", "err.invalid_input"))?;
        let hazards: HashMap<HazardId, hazard::Model> = hazard::Entity::find()
            .filter(hazard::Column::SchoolId.is_in(schools.keys().copied()))
            .filter(
                hazard::Column::Id.in_subquery(
                    sea_orm::sea_query::Query::select()
                        .column(hazard_event::Column::HazardId)
                        .from(hazard_event::Entity)
                        .and_where(hazard_event::Column::Kind.eq("close"))
                        .to_owned(),
                ),
            )
            .read_all(&self.read)
            .await?
            .into_iter()
            .map(|m| (m.id, m))
            .collect();
        let events = hazard_event::Entity::find()
            .filter(hazard_event::Column::Kind.eq("close"))
            .filter(hazard_event::Column::Day.gte(first))
            .filter(hazard_event::Column::Day.lte(last))
            .filter(hazard_event::Column::HazardId.is_in(hazards.keys().copied()))
            .read_all(&self.read)
            .await?;
        let mut out = Vec::new();
        for e in events {
            let Some(h) = hazards.get(&e.hazard_id) else {
                continue;
            };
            let ev: HistoryEvent = serde_json::from_str(&e.event).map_err(Error::internal)?;
            let Some(number) = ev.closure_number else {
                continue;
            };
            let state = state_of(h)?;
            let school = schools.get(&h.school_id);
            out.push(ClosureRow {
                current: state.closure_number.as_deref() == Some(number.as_str()),
                closure_number: number,
                hazard_id: h.id,
                school_code: school.map(|s| s.code.clone()).unwrap_or_default(),
                school_name: school.map(|s| s.name.clone()).unwrap_or_default(),
                title: h.title.clone(),
                level: state.level,
                category: h.category.clone(),
                reported_on: (h.reported_at + Duration::hours(8)).date_naive(),
                closed_on: e.day,
                closed_by_name: e.user_name,
            });
        }
        out.sort_by(|a, b| {
            (a.school_code.as_str(), a.closure_number.as_str())
                .cmp(&(b.school_code.as_str(), b.closure_number.as_str()))
        });
        Ok(out)
    }
}

/// The schools a list covers: those the condition on their `orgs` row keeps (the org is
/// joined), and or only one school.
struct Listed {
    below: Option<Condition>,
    school: Option<OrgId>,
}

impl Listed {
    /// The condition for a table whose school is `col` (joined with `orgs` when `below`).
    fn on(
        &self,
        col: (
            impl sea_orm::sea_query::Iden + Copy + 'static,
            impl sea_orm::sea_query::Iden + Copy + 'static,
        ),
    ) -> Condition {
        let mut c = self.below.clone().unwrap_or_else(Condition::all);
        if let Some(s) = self.school {
            c = c.add(Expr::col(col).eq(s));
        }
        c
    }
}

read_row! {
    /// A hazard as a list shows it: its projections and the names it shows, joined in.
    pub(super) struct HazardLine {
        id: HazardId = Expr::col((hazard::Entity, hazard::Column::Id)),
        school_id: OrgId = Expr::col((hazard::Entity, hazard::Column::SchoolId)),
        school_code: String = Expr::col((org::Entity, org::Column::Code)),
        school_name: String = Expr::col((org::Entity, org::Column::Name)),
        aspect: String = Expr::col((hazard::Entity, hazard::Column::Aspect)),
        source: String = Expr::col((hazard::Entity, hazard::Column::Source)),
        status: String = Expr::col((hazard::Entity, hazard::Column::Status)),
        level: Option<String> = Expr::col((hazard::Entity, hazard::Column::Level)),
        treatment: Option<String> = Expr::col((hazard::Entity, hazard::Column::Treatment)),
        supervised: bool = Expr::col((hazard::Entity, hazard::Column::Supervised)),
        deadline: Option<NaiveDate> = Expr::col((hazard::Entity, hazard::Column::Deadline)),
        responsible_user_id: Option<UserId> =
            Expr::col((hazard::Entity, hazard::Column::ResponsibleUserId)),
        responsible_name: Option<String> = Expr::col((user::Entity, user::Column::DisplayName)),
        zone_name: Option<String> = Expr::col((zone::Entity, zone::Column::Name)),
        risk_point_name: Option<String> = Expr::col((risk_point::Entity, risk_point::Column::Name)),
        closure_number: Option<String> = Expr::col((hazard::Entity, hazard::Column::ClosureNumber)),
        title: String = Expr::col((hazard::Entity, hazard::Column::Title)),
        category: String = Expr::col((hazard::Entity, hazard::Column::Category)),
        reported_by_name: String = Expr::col((hazard::Entity, hazard::Column::ReportedByName)),
        reported_at: DateTime<Utc> = Expr::col((hazard::Entity, hazard::Column::ReportedAt)),
        updated_at: DateTime<Utc> = Expr::col((hazard::Entity, hazard::Column::UpdatedAt)),
        closed_at: Option<DateTime<Utc>> = Expr::col((hazard::Entity, hazard::Column::ClosedAt)),
    }
}

/// `FROM hazards` with its school and the names a list shows.
fn joined(q: &mut sea_orm::sea_query::SelectStatement) -> &mut sea_orm::sea_query::SelectStatement {
    let h = hazard::Entity;
    q.from(h)
        .inner_join(
            org::Entity,
            Expr::col((org::Entity, org::Column::Id)).equals((h, hazard::Column::SchoolId)),
        )
        .left_join(
            user::Entity,
            Expr::col((user::Entity, user::Column::Id))
                .equals((h, hazard::Column::ResponsibleUserId)),
        )
        .left_join(
            zone::Entity,
            Expr::col((zone::Entity, zone::Column::Id)).equals((h, hazard::Column::ZoneId)),
        )
        .left_join(
            risk_point::Entity,
            Expr::col((risk_point::Entity, risk_point::Column::Id))
                .equals((h, hazard::Column::RiskPointId)),
        )
}

impl HazardLine {
    /// The list's summary, from the row's projections of the state (kept with it on every
    /// step): a list does not parse the stored state of each row.
    fn summary(self, t: NaiveDate) -> Result<HazardSummary> {
        let status = Status::parse(&self.status).ok_or_else(|| {
            Error::internal(anyhow::anyhow!(
                "hazard {}: status {}",
                self.id.0,
                self.status
            ))
        })?;
        let level = self.level.as_deref().and_then(Level::parse);
        let overdue = !status.stops_clock() && self.deadline.is_some_and(|d| t > d);
        Ok(HazardSummary {
            id: self.id,
            school_id: self.school_id,
            school_code: self.school_code,
            school_name: self.school_name,
            aspect: Aspect::parse(&self.aspect).unwrap_or(Aspect::Things),
            source: Source::parse(&self.source).unwrap_or_default(),
            status,
            level,
            treatment: self.treatment.as_deref().and_then(Treatment::parse),
            supervised: self.supervised || level == Some(Level::Major),
            deadline: self.deadline,
            overdue,
            days_overdue: match self.deadline {
                Some(d) if overdue => (t - d).num_days(),
                _ => 0,
            },
            responsible_user_id: self.responsible_user_id,
            responsible_name: self.responsible_name,
            zone_name: self.zone_name,
            risk_point_name: self.risk_point_name,
            closure_number: self.closure_number,
            title: self.title,
            category: self.category,
            reported_by_name: self.reported_by_name,
            reported_at: self.reported_at,
            updated_at: self.updated_at,
            closed_at: self.closed_at,
        })
    }
}
