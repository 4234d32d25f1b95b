//! The org tree (a city, its districts, the schools), each school's staff with an account
//! each, the bureau's accounts (the demo's among them), campus zones and one site photo per
//! school.

use super::names::{self, Names};
use super::{Args, Loader, School, T, at, rng_for};
use crate::domain::Code;
use crate::domain::org::SchoolKind;
use crate::domain::role::Role;
use crate::error::Result;
use crate::storage::seed_history::Person;
use chrono::{Duration, NaiveDate};
use rand::Rng;

pub(crate) const ORG_COLUMNS: &[&str] = &[
    "id",
    "parent_id",
    "path",
    "level",
    "code",
    "name",
    "name_en",
    "school_kind",
    "students",
    "staff",
    "area_m2",
    "address",
    "lat",
    "lng",
    "phone",
    "boarding",
    "has_bus",
    "has_canteen",
    "has_lab",
    "has_pool",
    "near_water",
    "has_dormitory",
    "has_boiler",
    "has_elevator",
    "has_gas",
    "created_at",
    "updated_at",
];
pub(crate) const PEOPLE_COLUMNS: &[&str] = &[
    "id",
    "org_id",
    "name",
    "post",
    "phone",
    "note",
    "active",
    "created_at",
    "updated_at",
];
pub(crate) const USER_COLUMNS: &[&str] = &[
    "id",
    "username",
    "display_name",
    "password_hash",
    "role",
    "org_id",
    "person_id",
    "disabled",
    "must_change_password",
    "failed_logins",
    "password_changed_at",
    "created_at",
    "updated_at",
];
pub(crate) const ZONE_COLUMNS: &[&str] = &[
    "id",
    "school_id",
    "parent_id",
    "code",
    "name",
    "zone_type",
    "x",
    "y",
    "w",
    "h",
    "responsible_person_id",
    "created_at",
    "updated_at",
];
pub(crate) const FILE_COLUMNS: &[&str] = &[
    "id",
    "school_id",
    "kind",
    "mime",
    "name",
    "size",
    "width",
    "height",
    "sha256",
    "has_thumb",
    "uploaded_by",
    "uploaded_by_name",
    "created_at",
];
pub(crate) const BLOB_COLUMNS: &[&str] = &["file_id", "variant", "data"];

/// A school's 25 staff: (post, account role, username suffix). The demo's account names
/// (`s001.principal`, `.safety`, `.staff`, `.guard`) come out of this list.
pub(crate) const STAFF: &[(&str, Role, &str)] = &[
    ("principal", Role::Principal, "principal"),
    ("vice_principal", Role::Staff, "vice"),
    ("safety_director", Role::SafetyDirector, "safety"),
    ("legal_vice_principal", Role::Staff, "legal"),
    ("guard", Role::Guard, "guard"),
    ("guard", Role::Guard, "guard2"),
    ("class_teacher", Role::Staff, "staff"),
    ("class_teacher", Role::Staff, "staff02"),
    ("class_teacher", Role::Staff, "staff03"),
    ("class_teacher", Role::Staff, "staff04"),
    ("class_teacher", Role::Staff, "staff05"),
    ("class_teacher", Role::Staff, "staff06"),
    ("class_teacher", Role::Staff, "staff07"),
    ("class_teacher", Role::Staff, "staff08"),
    ("class_teacher", Role::Staff, "staff09"),
    ("teacher", Role::Staff, "teacher01"),
    ("teacher", Role::Staff, "teacher02"),
    ("teacher", Role::Staff, "teacher03"),
    ("teacher", Role::Staff, "teacher04"),
    ("pe_teacher", Role::Staff, "pe"),
    ("electrician", Role::Staff, "electrician"),
    ("school_doctor", Role::Staff, "doctor"),
    ("general_affairs", Role::Staff, "affairs"),
    ("canteen_manager", Role::Staff, "canteen"),
    ("lab_manager", Role::Staff, "lab"),
];

/// Zones of a campus: (code, name, type, the feature it needs).
const ZONES: &[(&str, &str, &str, &str)] = &[
    ("Z01", "教学楼", "building", ""),
    ("Z02", "操场", "playground", ""),
    ("Z03", "校门", "gate", ""),
    ("Z04", "配电室", "facility", ""),
    ("Z05", "食堂", "canteen", "canteen"),
    ("Z06", "实验楼", "lab", "lab"),
    ("Z07", "学生宿舍", "dormitory", "boarding"),
    ("Z08", "校车停车场", "parking", "bus"),
    ("Z09", "校内水池", "water", "near_water"),
];

/// One district of the plan.
pub(crate) struct DistrictPlan {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub lat: f64,
    pub lng: f64,
    pub prefix: String,
    /// Schools `[first, first + count)` of all schools.
    pub first: u32,
    pub count: u32,
}

pub(crate) struct Plan {
    pub districts: Vec<DistrictPlan>,
    pub schools: u32,
}

impl Plan {
    pub fn org_count(&self) -> usize {
        1 + self.districts.len() + self.schools as usize
    }

    pub fn bureau_count(&self) -> usize {
        self.bureau_accounts().len()
    }

    /// The bureau's and the system's accounts: (username, role, district index or none for
    /// the city / the system roles). The demo's come first.
    pub fn bureau_accounts(&self) -> Vec<(String, Role, Option<usize>)> {
        let mut v: Vec<(String, Role, Option<usize>)> = vec![
            ("sysadmin".into(), Role::SysAdmin, None),
            ("secadmin".into(), Role::SecAdmin, None),
            ("auditadmin".into(), Role::AuditAdmin, None),
            ("city.officer".into(), Role::CityOfficer, None),
            ("bureau.officer".into(), Role::BureauOfficer, Some(0)),
            ("bureau.leader".into(), Role::BureauLeader, Some(0)),
            ("bureau.inspector".into(), Role::BureauInspector, Some(0)),
        ];
        if self.districts.len() > 1 {
            v.push(("nanguan.officer".into(), Role::BureauOfficer, Some(1)));
        }
        for n in 2..=4 {
            v.push((format!("city.officer{n}"), Role::CityOfficer, None));
        }
        for (i, d) in self.districts.iter().enumerate() {
            let c = d.code.to_lowercase();
            for n in 1..=4 {
                v.push((format!("{c}.officer{n}"), Role::BureauOfficer, Some(i)));
            }
            v.push((format!("{c}.leader"), Role::BureauLeader, Some(i)));
            v.push((format!("{c}.inspector"), Role::BureauInspector, Some(i)));
        }
        v
    }
}

pub(crate) fn plan(args: &Args) -> Plan {
    let nd = args.districts.min(args.schools).max(1);
    let mut districts = Vec::new();
    for i in 0..nd {
        let (code, name, name_en, lat, lng) = match names::DISTRICTS.get(i as usize) {
            Some((c, n, e, la, lo)) => (c.to_string(), n.to_string(), e.to_string(), *la, *lo),
            None => (
                format!("D{:02}", i + 1),
                format!("第{}区", i + 1),
                format!("District {}", i + 1),
                43.85 + f64::from(i % 5) * 0.03,
                125.30 + f64::from(i / 5 % 5) * 0.03,
            ),
        };
        let prefix = match names::SCHOOL_PREFIX.get(i as usize) {
            Some(p) => p.to_string(),
            None => format!("X{:02}S", i + 1),
        };
        let first = (u64::from(args.schools) * u64::from(i) / u64::from(nd)) as u32;
        let next = (u64::from(args.schools) * u64::from(i + 1) / u64::from(nd)) as u32;
        districts.push(DistrictPlan {
            code,
            name,
            name_en,
            lat,
            lng,
            prefix,
            first,
            count: next - first,
        });
    }
    Plan {
        districts,
        schools: args.schools,
    }
}

/// A district as written.
pub(crate) struct DistrictW {
    pub id: i64,
    pub code: String,
    /// Who accepts and closes the supervised hazards of its schools.
    pub officer: Person,
}

/// A school as written, with the people the rest of the generator needs.
pub(crate) struct Site {
    pub school: School,
    pub principal: Person,
    pub safety: Person,
    pub staff: Person,
    /// The person holding each post first.
    pub holders: Vec<(&'static str, i64)>,
    pub zones: Vec<(i64, &'static str)>,
    pub photo: i64,
}

pub(crate) struct World {
    pub districts: Vec<DistrictW>,
    pub schools: Vec<Site>,
}

/// The kind of the n-th school: kindergartens and primary schools first, as in a real city.
fn kind(rng: &mut rand::rngs::StdRng) -> SchoolKind {
    match rng.random_range(0..100) {
        0..=34 => SchoolKind::Kindergarten,
        35..=69 => SchoolKind::Primary,
        70..=83 => SchoolKind::JuniorMiddle,
        84..=89 => SchoolKind::NineYear,
        90..=97 => SchoolKind::SeniorHigh,
        _ => SchoolKind::Special,
    }
}

fn suffix(k: SchoolKind) -> &'static str {
    match k {
        SchoolKind::Kindergarten => "幼儿园",
        SchoolKind::Primary => "小学",
        SchoolKind::JuniorMiddle => "中学",
        SchoolKind::NineYear => "九年一贯制学校",
        SchoolKind::SeniorHigh => "高级中学",
        SchoolKind::Special => "特殊教育学校",
    }
}

fn suffix_en(k: SchoolKind) -> &'static str {
    match k {
        SchoolKind::Kindergarten => "Kindergarten",
        SchoolKind::Primary => "Primary School",
        SchoolKind::JuniorMiddle => "Middle School",
        SchoolKind::NineYear => "Nine-year School",
        SchoolKind::SeniorHigh => "High School",
        SchoolKind::Special => "Special Education School",
    }
}

/// A tiny site photo (a clean JPEG) and its thumbnail.
fn photo() -> (Vec<u8>, Vec<u8>) {
    use image::{ImageBuffer, Rgb};
    let img = ImageBuffer::from_fn(96, 72, |x, y| {
        let band = ((x / 12 + y / 12) % 2) as u8 * 24;
        Rgb([200u8.saturating_sub(band), 110 + (y as u8), 70 + band])
    });
    let enc = |im: &ImageBuffer<Rgb<u8>, Vec<u8>>| {
        let mut out = Vec::new();
        let mut e = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 70);
        e.encode_image(im).map(|_| out).unwrap_or_default()
    };
    let thumb = image::imageops::thumbnail(&img, 48, 36);
    (enc(&img), enc(&thumb))
}

/// Writes the org tree, people, accounts, zones and photos.
pub(crate) async fn write(
    l: &mut Loader,
    args: &Args,
    plan: &Plan,
    today: NaiveDate,
) -> Result<World> {
    let names = Names::load()?;
    let hash = crate::storage::auth::hash_password(crate::demo::DEMO_PASSWORD.to_string()).await?;
    let created = at(today - Duration::days(400), 9, 0);
    // Accounts were last changed (their password set) yesterday: none is dormant or expired.
    let fresh = at(today - Duration::days(1), 9, 0);
    let no_i64: Option<i64> = None;
    let no_str: Option<String> = None;
    // The city.
    let city = l.ids.next(T::Orgs);
    l.push(
        T::Orgs,
        row![
            city,
            no_i64,
            format!("/{city}/"),
            "city",
            "CC",
            "长春市",
            Some("Changchun".to_string()),
            no_str.clone(),
            0,
            0,
            0,
            "吉林省长春市南关区文昌路2166号",
            Some(43.8171),
            Some(125.3235),
            "",
            false,
            false,
            false,
            false,
            false,
            false,
            false,
            false,
            false,
            false,
            created,
            created
        ],
    )
    .await?;
    let mut district_ids = Vec::new();
    for d in &plan.districts {
        let id = l.ids.next(T::Orgs);
        district_ids.push(id);
        l.push(
            T::Orgs,
            row![
                id,
                Some(city),
                format!("/{city}/{id}/"),
                "district",
                d.code.clone(),
                d.name.clone(),
                Some(d.name_en.clone()),
                no_str.clone(),
                0,
                0,
                0,
                format!("吉林省长春市{}", d.name),
                Some(d.lat),
                Some(d.lng),
                "",
                false,
                false,
                false,
                false,
                false,
                false,
                false,
                false,
                false,
                false,
                created,
                created
            ],
        )
        .await?;
    }
    // Schools.
    let mut schools = Vec::new();
    for (di, d) in plan.districts.iter().enumerate() {
        for n in 0..d.count {
            let idx = d.first + n;
            let mut rng = rng_for(args.seed, idx, 1);
            let k = kind(&mut rng);
            let id = l.ids.next(T::Orgs);
            let code = if n < 999 {
                format!("{}{:03}", d.prefix, n + 1)
            } else {
                format!("{}{}", d.prefix, n + 1)
            };
            let word_i = n as usize % names::SCHOOL_WORDS.len();
            let word = names::SCHOOL_WORDS[word_i];
            let branch = n as usize / names::SCHOOL_WORDS.len();
            let name = if branch == 0 {
                format!("长春市{}{}{}", d.name, word, suffix(k))
            } else {
                format!("长春市{}{}第{}{}", d.name, word, branch + 1, suffix(k))
            };
            let name_en = format!("{} {} No. {}", d.name_en, suffix_en(k), n + 1);
            let big = matches!(
                k,
                SchoolKind::JuniorMiddle | SchoolKind::SeniorHigh | SchoolKind::NineYear
            );
            let s = School {
                idx,
                id,
                district: di,
                code: code.clone(),
                kind: k,
                boarding: big && rng.random_bool(0.25),
                has_bus: rng.random_bool(if k == SchoolKind::Kindergarten {
                    0.25
                } else {
                    0.15
                }),
                has_canteen: k != SchoolKind::Special || rng.random_bool(0.5),
                has_lab: big,
                has_pool: rng.random_bool(0.05),
                near_water: rng.random_bool(0.2),
                has_dormitory: false,
                has_boiler: rng.random_bool(0.3),
                has_elevator: rng.random_bool(0.4),
                has_gas: rng.random_bool(0.6),
            };
            let s = School {
                has_dormitory: s.boarding,
                ..s
            };
            let (students, staff) = match k {
                SchoolKind::Kindergarten => (rng.random_range(120..420), rng.random_range(20..60)),
                SchoolKind::Special => (rng.random_range(60..200), rng.random_range(30..70)),
                SchoolKind::Primary => (rng.random_range(600..2400), rng.random_range(50..150)),
                _ => (rng.random_range(800..3200), rng.random_range(80..240)),
            };
            let street = names::STREETS[rng.random_range(0..names::STREETS.len())];
            l.push(
                T::Orgs,
                row![
                    id,
                    Some(district_ids[di]),
                    format!("/{city}/{}/{id}/", district_ids[di]),
                    "school",
                    code,
                    name,
                    Some(name_en),
                    Some(k.as_str().to_string()),
                    students,
                    staff,
                    rng.random_range(8..60) * 1000,
                    format!(
                        "吉林省长春市{}{}{}号",
                        d.name,
                        street,
                        rng.random_range(1..3000)
                    ),
                    Some(d.lat + rng.random_range(-0.05..0.05)),
                    Some(d.lng + rng.random_range(-0.06..0.06)),
                    format!("0431-8{:07}", rng.random_range(0..10_000_000)),
                    s.boarding,
                    s.has_bus,
                    s.has_canteen,
                    s.has_lab,
                    s.has_pool,
                    s.near_water,
                    s.has_dormitory,
                    s.has_boiler,
                    s.has_elevator,
                    s.has_gas,
                    created,
                    created
                ],
            )
            .await?;
            schools.push(s);
        }
    }
    // The bureau's accounts.
    let mut officer_rng = rng_for(args.seed, u32::MAX, 2);
    let mut officers: Vec<Option<Person>> = plan.districts.iter().map(|_| None).collect();
    for (username, role, district) in plan.bureau_accounts() {
        let id = l.ids.next(T::Users);
        let display = if role.is_system() {
            crate::i18n::tr(crate::i18n::Lang::Zh, &role.label_key())
        } else {
            names.person(&mut officer_rng)
        };
        let org = match (role.is_system(), district) {
            (true, _) => None,
            (false, Some(d)) => Some(district_ids[d]),
            (false, None) => Some(city),
        };
        if let Some(d) = district
            && role == Role::BureauOfficer
            && officers[d].is_none()
        {
            officers[d] = Some(Person {
                user: crate::domain::ids::UserId(id),
                name: display.clone(),
                role,
            });
        }
        l.push(
            T::Users,
            row![
                id,
                username,
                display,
                hash.clone(),
                role.as_str(),
                org,
                no_i64,
                false,
                false,
                0,
                fresh,
                created,
                fresh
            ],
        )
        .await?;
    }
    // Staff, accounts, zones and a photo per school.
    let (jpeg, thumb) = photo();
    let sha = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(&jpeg))
    };
    let mut sites = Vec::new();
    for s in schools {
        let mut rng = rng_for(args.seed, s.idx, 3);
        let lower = s.code.to_lowercase();
        let mut holders: Vec<(&'static str, i64)> = Vec::new();
        let mut people: Vec<(String, Role, i64)> = Vec::new();
        for (post, role, suffix) in STAFF {
            let pid = l.ids.next(T::People);
            let name = names.person(&mut rng);
            if !holders.iter().any(|(p, _)| p == post) {
                holders.push((post, pid));
            }
            l.push(
                T::People,
                row![
                    pid,
                    s.id,
                    name.clone(),
                    *post,
                    Names::mobile(&mut rng),
                    "",
                    true,
                    created,
                    created
                ],
            )
            .await?;
            let uid = l.ids.next(T::Users);
            l.push(
                T::Users,
                row![
                    uid,
                    format!("{lower}.{suffix}"),
                    name.clone(),
                    hash.clone(),
                    role.as_str(),
                    Some(s.id),
                    Some(pid),
                    false,
                    false,
                    0,
                    fresh,
                    created,
                    fresh
                ],
            )
            .await?;
            people.push((name, *role, uid));
        }
        let person = |i: usize| Person {
            user: crate::domain::ids::UserId(people[i].2),
            name: people[i].0.clone(),
            role: people[i].1,
        };
        let (principal, safety, staff) = (person(0), person(2), person(6));
        let safety_pid = holders
            .iter()
            .find(|(p, _)| *p == "safety_director")
            .map(|h| h.1);
        let mut zones = Vec::new();
        for (i, (code, name, zt, needs)) in ZONES.iter().enumerate() {
            if !needs.is_empty() && !s.has(needs) {
                continue;
            }
            let zid = l.ids.next(T::Zones);
            let i = i as i32;
            l.push(
                T::Zones,
                row![
                    zid,
                    s.id,
                    no_i64,
                    *code,
                    *name,
                    *zt,
                    Some(20 + (i % 3) * 300),
                    Some(20 + (i / 3) * 220),
                    Some(260),
                    Some(180),
                    safety_pid,
                    created,
                    created
                ],
            )
            .await?;
            zones.push((zid, *zt));
        }
        let fid = l.ids.next(T::Files);
        l.push(
            T::Files,
            row![
                fid,
                s.id,
                "image",
                "image/jpeg",
                "现场照片.jpg",
                jpeg.len() as i64,
                Some(96),
                Some(72),
                sha.clone(),
                true,
                Some(safety.user.0),
                safety.name.clone(),
                created
            ],
        )
        .await?;
        l.push(T::FileBlobs, row![fid, "main", jpeg.clone()])
            .await?;
        l.push(T::FileBlobs, row![fid, "thumb", thumb.clone()])
            .await?;
        sites.push(Site {
            school: s,
            principal,
            safety,
            staff,
            holders,
            zones,
            photo: fid,
        });
    }
    let districts = district_ids
        .iter()
        .zip(officers)
        .zip(&plan.districts)
        .map(|((id, o), d)| DistrictW {
            id: *id,
            code: d.code.clone(),
            officer: o.unwrap_or_else(|| Person {
                user: crate::domain::ids::UserId(1),
                name: String::new(),
                role: Role::BureauOfficer,
            }),
        })
        .collect();
    Ok(World {
        districts,
        schools: sites,
    })
}
