//! The demo district: 长春市 with 二道区 (42 schools and kindergartens) and 南关区 (2), their
//! campus zones, staff and the demo accounts. Data files live in `assets/demo/`; people are
//! generated from name pools with a fixed seed, so every demo database is the same.

mod buses;
mod devices;
mod drills;
mod duty;
mod governance;
pub use devices::{demo_devices, token as device_token};
mod history;
mod incidents;
mod placement;
mod plans;
mod responsibility;
mod work_plan;

use crate::domain::Code;
use crate::domain::ids::{OrgId, PersonId};
use crate::domain::org::{OrgLevel, SchoolKind, ZoneType};
use crate::domain::person::Post;
use crate::domain::risk::{AssessmentInput, BandSet, Grade};
use crate::domain::role::Role;
use crate::error::{Error, Result};
use crate::storage::Db;
use crate::storage::Operator;
use crate::storage::audit::PlatformAudit;
use crate::storage::seed::{NodeRow, SchoolRow, ZoneRow};
use crate::storage::seed_history::Person;
use crate::storage::views::Features;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Deserialize;
use std::collections::HashMap;

/// The password of every demo account (demo only; printed at start).
pub const DEMO_PASSWORD: &str = "SafeCampus#2021";

const SCHOOLS: &str = include_str!("../../assets/demo/schools.toml");
const LAYOUTS: &str = include_str!("../../assets/demo/layouts.toml");
const PEOPLE: &str = include_str!("../../assets/demo/people.toml");

#[derive(Deserialize)]
struct SchoolsFile {
    city: Node,
    districts: Vec<District>,
}

#[derive(Deserialize)]
struct Node {
    code: String,
    name: String,
    name_en: String,
    address: String,
    lat: f64,
    lng: f64,
}

impl Node {
    fn row(&self, level: OrgLevel) -> NodeRow<'_> {
        NodeRow {
            level,
            code: &self.code,
            name: &self.name,
            name_en: Some(self.name_en.clone()),
            address: &self.address,
            coords: Some((self.lat, self.lng)),
        }
    }
}

#[derive(Deserialize)]
struct District {
    #[serde(flatten)]
    node: Node,
    schools: Vec<SchoolIn>,
}

#[derive(Deserialize)]
struct SchoolIn {
    code: String,
    name: String,
    name_en: String,
    kind: String,
    students: i32,
    staff: i32,
    area_m2: i32,
    address: String,
    lat: f64,
    lng: f64,
    phone: String,
    #[serde(flatten)]
    features: Features,
}

#[derive(Deserialize)]
struct LayoutsFile {
    layouts: Vec<Layout>,
}

#[derive(Deserialize)]
struct Layout {
    kind: String,
    zones: Vec<LayoutZone>,
}

#[derive(Deserialize)]
struct LayoutZone {
    code: String,
    name: String,
    zone_type: String,
    x: i32,
    y: i32,
    w: i32,
    h: i32,
    responsible_post: String,
    requires: String,
    parent: String,
}

#[derive(Deserialize)]
struct PeopleFile {
    surnames: Vec<String>,
    given_names: Vec<String>,
    staff_plan: Vec<StaffPlan>,
}

#[derive(Deserialize)]
struct StaffPlan {
    kind: String,
    posts: Vec<PostCount>,
}

#[derive(Deserialize)]
struct PostCount {
    post: String,
    count: u32,
}

fn has_feature(f: &Features, name: &str) -> bool {
    match name {
        "" => true,
        "lab" => f.has_lab,
        "canteen" => f.has_canteen,
        "bus" => f.has_bus,
        other => f
            .list()
            .iter()
            .any(|(k, v)| *v && (*k == other || k.strip_prefix("has_") == Some(other))),
    }
}

/// Whether a post exists at a school with these features.
fn post_applies(post: Post, f: &Features) -> bool {
    match post {
        Post::BusDriver | Post::BusAttendant => f.has_bus,
        Post::DormManager => f.boarding,
        Post::LabManager => f.has_lab,
        Post::Cook | Post::CanteenManager => f.has_canteen,
        _ => true,
    }
}

fn is_leadership(post: Post) -> bool {
    matches!(
        post,
        Post::Principal | Post::VicePrincipal | Post::SafetyDirector | Post::LegalVicePrincipal
    )
}

struct Names<'a> {
    rng: StdRng,
    pool: &'a PeopleFile,
}

impl Names<'_> {
    fn person(&mut self) -> String {
        let s = &self.pool.surnames[self.rng.random_range(0..self.pool.surnames.len())];
        let g = &self.pool.given_names[self.rng.random_range(0..self.pool.given_names.len())];
        format!("{s}{g}")
    }

    fn mobile(&mut self) -> String {
        const PREFIX: [&str; 6] = ["138", "139", "135", "186", "158", "131"];
        format!(
            "{}{:08}",
            PREFIX[self.rng.random_range(0..PREFIX.len())],
            self.rng.random_range(0..100_000_000u32)
        )
    }
}

/// The demo accounts: (username, role, org code).
pub fn accounts() -> Vec<(String, Role, Option<&'static str>)> {
    let mut v: Vec<(String, Role, Option<&'static str>)> = vec![
        ("sysadmin".into(), Role::SysAdmin, None),
        ("secadmin".into(), Role::SecAdmin, None),
        ("auditadmin".into(), Role::AuditAdmin, None),
        ("city.officer".into(), Role::CityOfficer, Some("CC")),
        ("bureau.officer".into(), Role::BureauOfficer, Some("ED")),
        ("bureau.leader".into(), Role::BureauLeader, Some("ED")),
        ("bureau.inspector".into(), Role::BureauInspector, Some("ED")),
        ("nanguan.officer".into(), Role::BureauOfficer, Some("NG")),
    ];
    for (prefix, code) in [("s001", "S001"), ("s002", "S002"), ("n001", "N001")] {
        v.push((format!("{prefix}.principal"), Role::Principal, Some(code)));
        v.push((format!("{prefix}.safety"), Role::SafetyDirector, Some(code)));
        v.push((format!("{prefix}.staff"), Role::Staff, Some(code)));
        v.push((format!("{prefix}.guard"), Role::Guard, Some(code)));
    }
    v
}

/// Seeds the demo when the database is empty; returns whether it seeded.
pub async fn seed_if_empty(db: &Db) -> Result<bool> {
    let u = db.unsafe_unscoped(&Operator::command_line());
    if !u.is_empty().await? {
        return Ok(false);
    }
    seed(db).await?;
    Ok(true)
}

fn parse<T: serde::de::DeserializeOwned>(name: &str, text: &str) -> Result<T> {
    toml::from_str(text).map_err(|e| Error::internal(anyhow::anyhow!("{name}: {e}")))
}

/// Writes the whole demo in one transaction.
pub async fn seed(db: &Db) -> Result<()> {
    let schools: SchoolsFile = parse("schools.toml", SCHOOLS)?;
    let layouts: LayoutsFile = parse("layouts.toml", LAYOUTS)?;
    let people: PeopleFile = parse("people.toml", PEOPLE)?;
    let mut names = Names {
        rng: StdRng::seed_from_u64(2021),
        pool: &people,
    };
    let hash = crate::storage::auth::hash_password(DEMO_PASSWORD.to_string()).await?;
    let mut tx = db
        .unsafe_unscoped(&Operator::command_line())
        .begin()
        .await?;
    let c = &schools.city;
    let city = tx.org(None, &c.row(OrgLevel::City)).await?;
    let mut org_ids: HashMap<String, OrgId> = HashMap::from([(c.code.clone(), city)]);
    // Who holds which post at the account schools, for linking accounts to people.
    let mut holders: HashMap<(String, Post), (PersonId, String)> = HashMap::new();
    for d in &schools.districts {
        let n = &d.node;
        let did = tx.org(Some(city), &n.row(OrgLevel::District)).await?;
        org_ids.insert(n.code.clone(), did);
        for s in &d.schools {
            let kind = SchoolKind::parse(&s.kind)
                .ok_or_else(|| Error::internal(anyhow::anyhow!("unknown kind {}", s.kind)))?;
            let sid = tx
                .school(
                    did,
                    &SchoolRow {
                        code: s.code.clone(),
                        name: s.name.clone(),
                        name_en: Some(s.name_en.clone()),
                        kind,
                        students: s.students,
                        staff: s.staff,
                        area_m2: s.area_m2,
                        address: s.address.clone(),
                        lat: Some(s.lat),
                        lng: Some(s.lng),
                        phone: s.phone.clone(),
                        features: s.features.clone(),
                    },
                )
                .await?;
            org_ids.insert(s.code.clone(), sid);
            // Staff: the plan of the kind, scaled to the school's size.
            let plan = people
                .staff_plan
                .iter()
                .find(|p| p.kind == s.kind)
                .ok_or_else(|| Error::internal(anyhow::anyhow!("no staff plan for {}", s.kind)))?;
            let plan_total: u32 = plan.posts.iter().map(|p| p.count).sum();
            let scale = f64::from(s.staff.max(1)) / f64::from(plan_total.max(1));
            let mut rows = Vec::new();
            for pc in &plan.posts {
                let Some(post) = Post::parse(&pc.post) else {
                    continue;
                };
                if !post_applies(post, &s.features) {
                    continue;
                }
                let n = if is_leadership(post) {
                    pc.count
                } else {
                    ((f64::from(pc.count) * scale).round() as u32).max(1)
                };
                for _ in 0..n {
                    rows.push((names.person(), post, names.mobile()));
                }
            }
            let ids = tx.people(sid, &rows).await?;
            let mut first_of: HashMap<Post, PersonId> = HashMap::new();
            for (id, (name, post, _)) in ids.iter().zip(rows.iter()) {
                first_of.entry(*post).or_insert(*id);
                holders
                    .entry((s.code.clone(), *post))
                    .or_insert((*id, name.clone()));
            }
            // Zones from the layout of the kind; those needing a feature only where it exists.
            let layout = layouts
                .layouts
                .iter()
                .find(|l| l.kind == s.kind)
                .ok_or_else(|| Error::internal(anyhow::anyhow!("no layout for {}", s.kind)))?;
            let kept: Vec<&LayoutZone> = layout
                .zones
                .iter()
                .filter(|z| has_feature(&s.features, &z.requires))
                .collect();
            let zones: Vec<ZoneRow> = kept
                .iter()
                .map(|z| {
                    let post = Post::parse(&z.responsible_post).unwrap_or(Post::SafetyDirector);
                    ZoneRow {
                        code: z.code.clone(),
                        name: z.name.clone(),
                        zone_type: ZoneType::parse(&z.zone_type).unwrap_or(ZoneType::Area),
                        rect: Some((z.x, z.y, z.w, z.h)),
                        parent: kept
                            .iter()
                            .position(|p| !z.parent.is_empty() && p.code == z.parent),
                        responsible: first_of
                            .get(&post)
                            .or_else(|| first_of.get(&Post::SafetyDirector))
                            .copied(),
                    }
                })
                .collect();
            tx.zones(sid, &zones).await?;
        }
    }
    // The district catalogue, each school's register, and some re-assessments so the maps
    // show every colour: a few points judged higher or lower than the catalogue default.
    let (entries, errors) = crate::domain::catalog::parse_csv(crate::domain::catalog::DEFAULT_CSV)
        .map_err(|e| Error::internal(anyhow::anyhow!("catalogue: {e}")))?;
    if !errors.is_empty() {
        return Err(Error::internal(anyhow::anyhow!(
            "catalogue rows: {errors:?}"
        )));
    }
    let risk = crate::config::Risk::default();
    for d in &schools.districts {
        let did = org_ids[&d.node.code];
        tx.load_catalog(did, &entries).await?;
    }
    let mut rng = StdRng::seed_from_u64(5);
    let placement = placement::table()?;
    for d in &schools.districts {
        for s in &d.schools {
            let sid = org_ids[&s.code];
            tx.instantiate(sid, &risk).await?;
            placement::place(&mut tx, &placement, sid).await?;
            let who = holders
                .get(&(s.code.clone(), Post::SafetyDirector))
                .map(|h| h.1.clone())
                .unwrap_or_default();
            // Most schools have brought their catalogue-red points under control: re-assessed
            // with the risk matrix after the measures were in place. Some have not yet.
            let controlled = rng.random_range(0..10) < 8;
            for code in tx.codes_with_grade(sid, Grade::Major).await? {
                if controlled || rng.random_range(0..3) > 0 {
                    let input = AssessmentInput::Ls {
                        l: rng.random_range(2..=3),
                        s: rng.random_range(4..=5),
                        band_set: BandSet::A,
                    };
                    tx.reassess(sid, &code, &input, &risk, &who).await?;
                }
            }
            for (code, input) in demo_reassessments(&mut rng) {
                tx.reassess(sid, &code, &input, &risk, &who).await?;
            }
        }
    }
    let mut users: HashMap<String, Person> = HashMap::new();
    let mut officer_names = Names {
        rng: StdRng::seed_from_u64(1995),
        pool: &people,
    };
    for (username, role, org) in accounts() {
        let org_id = org.and_then(|c| org_ids.get(c).copied());
        let school_code = org.filter(|c| c.len() == 4);
        let post = match role {
            Role::Principal => Some(Post::Principal),
            Role::SafetyDirector => Some(Post::SafetyDirector),
            Role::Staff => Some(Post::ClassTeacher),
            Role::Guard => Some(Post::Guard),
            _ => None,
        };
        let display = match (school_code, post) {
            (Some(code), Some(p)) => holders
                .get(&(code.to_string(), p))
                .map(|h| h.1.clone())
                .unwrap_or_else(|| officer_names.person()),
            _ if role.is_system() => crate::i18n::tr(crate::i18n::Lang::Zh, &role.label_key()),
            _ => officer_names.person(),
        };
        let id = tx.user(&username, &display, &hash, role, org_id).await?;
        users.insert(
            username.clone(),
            Person {
                user: id,
                name: display,
                role,
            },
        );
    }
    // Every other school's principal and safety director get an account too (not listed at
    // start: the demo is driven from the account schools), so notices, acceptance and
    // overdue notices reach real people everywhere.
    for d in &schools.districts {
        for s in &d.schools {
            for (post, role, suffix) in [
                (Post::Principal, Role::Principal, "principal"),
                (Post::SafetyDirector, Role::SafetyDirector, "safety"),
            ] {
                let username = format!("{}.{suffix}", s.code.to_lowercase());
                if users.contains_key(&username) {
                    continue;
                }
                let display = holders
                    .get(&(s.code.clone(), post))
                    .map(|h| h.1.clone())
                    .unwrap_or_else(|| officer_names.person());
                let id = tx
                    .user(&username, &display, &hash, role, Some(org_ids[&s.code]))
                    .await?;
                users.insert(
                    username,
                    Person {
                        user: id,
                        name: display,
                        role,
                    },
                );
            }
        }
    }
    // Six months of inspections and hazards, with photos.
    let today = crate::storage::risk_points::today();
    let mut photos = HashMap::new();
    let mut districts = Vec::new();
    for d in &schools.districts {
        let officer_user = if d.node.code == "ED" {
            "bureau.officer"
        } else {
            "nanguan.officer"
        };
        let mut people = Vec::new();
        for (i, s) in d.schools.iter().enumerate() {
            let sid = org_ids[&s.code];
            let code = s.code.to_lowercase();
            let p = |suffix: &str| users.get(&format!("{code}.{suffix}")).cloned();
            let (Some(principal), Some(safety)) = (p("principal"), p("safety")) else {
                continue;
            };
            let taken = crate::storage::seed_history::at(today - chrono::Duration::days(200), 9, 0);
            let mut ids = Vec::new();
            for (n, warm) in [(0u32, true), (1u32, false)] {
                let (jpeg, thumb, size) = demo_photo(i as u32 * 2 + n, warm);
                let name = if warm {
                    "现场照片.jpg"
                } else {
                    "整改后照片.jpg"
                };
                ids.push(
                    tx.photo(sid, name, jpeg, thumb, size, &safety, taken)
                        .await?,
                );
            }
            photos.insert(
                sid,
                history::Photos {
                    before: ids[0],
                    after: ids[1],
                },
            );
            people.push(history::SchoolPeople {
                id: sid,
                code: s.code.clone(),
                principal,
                safety,
                staff: p("staff"),
            });
        }
        if let Some(officer) = users.get(officer_user).cloned() {
            districts.push(history::DistrictPeople {
                id: org_ids[&d.node.code],
                code: d.node.code.clone(),
                officer,
                schools: people,
            });
        }
    }
    history::seed(&mut tx, &districts, &photos, today).await?;
    drills::seed(&mut tx, &districts, today).await?;
    plans::seed(&mut tx, &districts, today).await?;
    duty::seed(&mut tx, &districts, today, chrono::Utc::now()).await?;
    incidents::seed(&mut tx, &districts, today, chrono::Utc::now()).await?;
    devices::seed(&mut tx, &districts, chrono::Utc::now()).await?;
    work_plan::seed(&mut tx, &districts, today, chrono::Utc::now()).await?;
    responsibility::seed(&mut tx, &districts, today).await?;
    governance::seed(&mut tx, &districts, today).await?;
    buses::seed(&mut tx, &districts, today).await?;
    tx.audit(PlatformAudit::DemoSeed, "org", city, "demo district seeded")
        .await?;
    tx.commit().await?;
    Ok(())
}

/// A made-up site photo (a clean JPEG and its thumbnail): warm for what was found, cool for
/// after the fix.
fn demo_photo(seed: u32, warm: bool) -> (Vec<u8>, Vec<u8>, (u32, u32)) {
    use image::{ImageBuffer, Rgb};
    let (w, h) = (480u32, 360u32);
    let img = ImageBuffer::from_fn(w, h, |x, y| {
        let band = ((x / 40 + y / 40 + seed) % 2) as u8 * 24;
        let g = (y * 120 / h) as u8;
        if warm {
            Rgb([200u8.saturating_sub(band), 110 + g / 2, 70 + band])
        } else {
            Rgb([80 + band, 150 + g / 2, 120u8.saturating_sub(band / 2)])
        }
    });
    let enc = |im: &ImageBuffer<Rgb<u8>, Vec<u8>>| {
        let mut out = Vec::new();
        let mut e = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80);
        e.encode_image(im).map(|_| out).unwrap_or_default()
    };
    let thumb = image::imageops::thumbnail(&img, 160, 120);
    (enc(&img), enc(&thumb), (w, h))
}

/// A few re-assessments per school: raised or lowered against the catalogue default.
fn demo_reassessments(rng: &mut StdRng) -> Vec<(String, AssessmentInput)> {
    let mut v = Vec::new();
    for _ in 0..3 {
        let aspect = ["P", "T", "M", "E"][rng.random_range(0..4)];
        let n = rng.random_range(1..=50);
        let code = format!("R-{aspect}-{n:03}");
        let input = match rng.random_range(0..4) {
            0 => AssessmentInput::Ls {
                l: rng.random_range(3..=4),
                s: rng.random_range(3..=4),
                band_set: BandSet::A,
            },
            1 => AssessmentInput::Lec {
                l: 6.0,
                e: 6.0,
                c: [3.0, 7.0][rng.random_range(0..2)],
            },
            2 => AssessmentInput::Direct {
                grade: Grade::Significant,
                reason: "现场检查发现防护设施缺失，整改前按较大风险管控".into(),
            },
            _ => AssessmentInput::Ls {
                l: 1,
                s: rng.random_range(1..=3),
                band_set: BandSet::A,
            },
        };
        v.push((code, input));
    }
    v
}

/// The accounts table printed when the demo starts.
pub fn accounts_banner(listen: &str) -> String {
    let mut s = format!(
        "\nSafeCampus 平安校园 demo: open http://{listen}\nAll demo accounts use the password {DEMO_PASSWORD}\n\n"
    );
    for (u, role, org) in accounts() {
        s.push_str(&format!(
            "  {u:<18} {:<18} {}\n",
            role.as_str(),
            org.unwrap_or("-")
        ));
    }
    s
}
