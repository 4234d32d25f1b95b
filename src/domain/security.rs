//! The security register (item 16 of the work plan, domain brief §6): a school's guards and
//! its technical protection, checked against the staffing and equipment rules. Pure: storage
//! keeps the register, [`check`] names every shortfall.
//!
//! Rules (configuration `[security]`, defaults from domain.md §6):
//! - full-time guards by people on campus (pupils + staff): under 100 ⇒ 1, up to 1000 ⇒ 2,
//!   then one more for every further 500 (公治〔2015〕168号 as quoted; GB/T 29315-2022 agrees
//!   at the edges);
//! - every guard holds a guard licence and is at most 60 years old;
//! - a one-key alarm at the gatehouse, linked to the police (110);
//! - video surveillance, each recorder keeping at least 30 days;
//! - a perimeter (walls or fences) and hard anti-collision devices at the gate;
//! - access control at dormitory entrances for a boarding school: only an entry at a
//!   dormitory counts (one of its zones is a dormitory, or its location names one), not the
//!   access gate at the school gate;
//! - every device working (faults are shortfalls until repaired).

use crate::code_enum;
use crate::domain::org::ZoneType;
use serde::{Deserialize, Serialize};

code_enum!(
    /// What a register entry is.
    EquipmentKind, "equipment_kind", {
        // A full-time guard (专职保安员): one person per entry.
        Guard = "guard",
        // One-key emergency alarm (一键报警).
        OneKeyAlarm = "one_key_alarm",
        // Video surveillance (cameras and their recorder).
        Camera = "camera",
        // Access control (门禁).
        AccessControl = "access_control",
        // Perimeter walls or metal fences (周界).
        Perimeter = "perimeter",
        // Hard anti-collision devices at the gate (拒马, 隔离墩, 升降柱).
        AntiCollision = "anti_collision",
        // Intrusion detection (入侵报警) for stores and labs.
        IntrusionDetection = "intrusion_detection",
        // Other protective equipment (防护器械 …).
        Other = "other",
    }
);

code_enum!(
    /// A shortfall against the rules.
    Shortfall, "security_shortfall", {
        GuardsShort = "guards_short",
        GuardNoLicence = "guard_no_licence",
        GuardOverAge = "guard_over_age",
        NoOneKeyAlarm = "no_one_key_alarm",
        AlarmNotLinked = "alarm_not_linked",
        NoVideo = "no_video",
        VideoRetentionShort = "video_retention_short",
        NoPerimeter = "no_perimeter",
        NoAntiCollision = "no_anti_collision",
        NoDormAccessControl = "no_dorm_access_control",
        NotWorking = "not_working",
    }
);

/// The rules' numbers (`[security]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecurityRules {
    /// Below this many people on campus one guard is enough.
    pub one_guard_below: i64,
    /// Up to this many people two guards; above it one more per [`Self::extra_per`].
    pub two_guards_up_to: i64,
    pub extra_per: i64,
    pub max_guard_age: i32,
    pub min_retention_days: i32,
}

impl Default for SecurityRules {
    fn default() -> Self {
        SecurityRules {
            one_guard_below: 100,
            two_guards_up_to: 1000,
            extra_per: 500,
            max_guard_age: 60,
            min_retention_days: 30,
        }
    }
}

impl SecurityRules {
    /// Full-time guards required for `people` on campus (pupils and staff).
    pub fn guards_required(&self, people: i64) -> i64 {
        if people < self.one_guard_below {
            1
        } else if people <= self.two_guards_up_to {
            2
        } else {
            let over = people - self.two_guards_up_to;
            2 + (over + self.extra_per.max(1) - 1) / self.extra_per.max(1)
        }
    }
}

/// One register entry as the rules read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: i64,
    pub kind: EquipmentKind,
    pub name: String,
    pub location: String,
    pub quantity: i32,
    pub working: bool,
    pub linked_police: Option<bool>,
    pub retention_days: Option<i32>,
    pub licence: String,
    pub birth_year: Option<i32>,
    pub full_time: Option<bool>,
    /// The kinds of the campus zones the entry is at: the zone its location names and the
    /// zones its devices are in, each with the zones it lies within (a floor within a
    /// dormitory building). Empty when its place names no zone of the school.
    pub zones: Vec<ZoneType>,
}

/// Words of a location written by hand that name a dormitory (a place that is no zone).
const DORMITORY_WORDS: &[&str] = &["宿舍", "寝室", "学生公寓", "生活楼", "dorm"];

impl Entry {
    /// Whether the entry is at a dormitory: one of its zones is a dormitory, or its location
    /// names one.
    pub fn at_dormitory(&self) -> bool {
        if self.zones.contains(&ZoneType::Dormitory) {
            return true;
        }
        let place = self.location.to_lowercase();
        DORMITORY_WORDS.iter().any(|w| place.contains(w))
    }
}

/// What the school is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Campus {
    pub pupils: i64,
    pub staff: i64,
    pub boarding: bool,
}

/// A shortfall and what it names: the entries at fault (a guard, a camera, a device), or
/// the numbers (`have` of `need`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Gap {
    pub code: Shortfall,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entries: Vec<i64>,
    /// The entries' names, as registered.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub have: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub need: Option<i64>,
}

impl Gap {
    fn of(code: Shortfall) -> Gap {
        Gap {
            code,
            entries: vec![],
            names: vec![],
            have: None,
            need: None,
        }
    }
    fn named(code: Shortfall, at_fault: &[&Entry]) -> Gap {
        Gap {
            entries: at_fault.iter().map(|e| e.id).collect(),
            names: at_fault.iter().map(|e| e.name.clone()).collect(),
            ..Gap::of(code)
        }
    }
}

/// Every shortfall of a register against the rules, in the order of [`Shortfall`].
pub fn check(entries: &[Entry], campus: Campus, rules: &SecurityRules, year: i32) -> Vec<Gap> {
    let mut out = Vec::new();
    let of = |k: EquipmentKind| entries.iter().filter(move |e| e.kind == k);
    let guards: Vec<&Entry> = of(EquipmentKind::Guard)
        .filter(|e| e.full_time != Some(false))
        .collect();
    let need = rules.guards_required(campus.pupils + campus.staff);
    if (guards.len() as i64) < need {
        out.push(Gap {
            have: Some(guards.len() as i64),
            need: Some(need),
            ..Gap::of(Shortfall::GuardsShort)
        });
    }
    let no_licence: Vec<&Entry> = guards
        .iter()
        .copied()
        .filter(|g| g.licence.trim().is_empty())
        .collect();
    if !no_licence.is_empty() {
        out.push(Gap::named(Shortfall::GuardNoLicence, &no_licence));
    }
    let over_age: Vec<&Entry> = guards
        .iter()
        .copied()
        .filter(|g| g.birth_year.is_some_and(|b| year - b > rules.max_guard_age))
        .collect();
    if !over_age.is_empty() {
        out.push(Gap::named(Shortfall::GuardOverAge, &over_age));
    }
    let alarms: Vec<&Entry> = of(EquipmentKind::OneKeyAlarm).collect();
    if alarms.is_empty() {
        out.push(Gap::of(Shortfall::NoOneKeyAlarm));
    } else if !alarms.iter().any(|a| a.linked_police == Some(true)) {
        out.push(Gap::named(Shortfall::AlarmNotLinked, &alarms));
    }
    let cameras: Vec<&Entry> = of(EquipmentKind::Camera).collect();
    if cameras.is_empty() {
        out.push(Gap::of(Shortfall::NoVideo));
    }
    let short: Vec<&Entry> = cameras
        .iter()
        .copied()
        .filter(|c| c.retention_days.unwrap_or(0) < rules.min_retention_days)
        .collect();
    if !short.is_empty() {
        out.push(Gap {
            need: Some(i64::from(rules.min_retention_days)),
            ..Gap::named(Shortfall::VideoRetentionShort, &short)
        });
    }
    if of(EquipmentKind::Perimeter).next().is_none() {
        out.push(Gap::of(Shortfall::NoPerimeter));
    }
    if of(EquipmentKind::AntiCollision).next().is_none() {
        out.push(Gap::of(Shortfall::NoAntiCollision));
    }
    if campus.boarding && !of(EquipmentKind::AccessControl).any(Entry::at_dormitory) {
        out.push(Gap::of(Shortfall::NoDormAccessControl));
    }
    let broken: Vec<&Entry> = entries
        .iter()
        .filter(|e| e.kind != EquipmentKind::Guard && !e.working)
        .collect();
    if !broken.is_empty() {
        out.push(Gap::named(Shortfall::NotWorking, &broken));
    }
    out
}

/// Every translation key of the module's closed sets (for the catalogue test).
pub fn catalogue_keys() -> Vec<String> {
    use crate::domain::Code;
    let mut v: Vec<String> = EquipmentKind::ALL.iter().map(|k| k.label_key()).collect();
    v.extend(Shortfall::ALL.iter().map(|k| k.label_key()));
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: i64, kind: EquipmentKind) -> Entry {
        Entry {
            id,
            kind,
            name: format!("#{id}"),
            location: String::new(),
            quantity: 1,
            working: true,
            linked_police: Some(true),
            retention_days: Some(30),
            licence: "保安员证 001".into(),
            birth_year: Some(1980),
            full_time: Some(true),
            zones: vec![],
        }
    }

    fn complete() -> Vec<Entry> {
        use EquipmentKind::*;
        vec![
            entry(1, Guard),
            entry(2, Guard),
            entry(3, OneKeyAlarm),
            entry(4, Camera),
            entry(5, Perimeter),
            entry(6, AntiCollision),
        ]
    }

    const DAY_SCHOOL: Campus = Campus {
        pupils: 800,
        staff: 60,
        boarding: false,
    };

    #[test]
    fn guards_by_people_on_campus_at_the_edges() {
        let r = SecurityRules::default();
        assert_eq!(r.guards_required(0), 1);
        assert_eq!(r.guards_required(99), 1);
        assert_eq!(r.guards_required(100), 2);
        assert_eq!(r.guards_required(1000), 2);
        assert_eq!(r.guards_required(1001), 3);
        assert_eq!(r.guards_required(1500), 3);
        assert_eq!(r.guards_required(1501), 4);
    }

    #[test]
    fn a_complete_register_has_no_shortfall() {
        let gaps = check(&complete(), DAY_SCHOOL, &SecurityRules::default(), 2026);
        assert!(gaps.is_empty(), "{gaps:?}");
    }

    #[test]
    fn each_shortfall_is_named_with_its_entries() {
        let mut e = complete();
        e[0].licence.clear();
        e[1].birth_year = Some(1965);
        e[2].linked_police = Some(false);
        e[3].retention_days = Some(15);
        e[4].working = false;
        e.remove(5);
        let gaps = check(&e, DAY_SCHOOL, &SecurityRules::default(), 2026);
        let codes: Vec<Shortfall> = gaps.iter().map(|g| g.code).collect();
        use Shortfall::*;
        assert_eq!(
            codes,
            vec![
                GuardNoLicence,
                GuardOverAge,
                AlarmNotLinked,
                VideoRetentionShort,
                NoAntiCollision,
                NotWorking
            ]
        );
        assert_eq!(gaps[0].entries, vec![1]);
        assert_eq!(gaps[1].entries, vec![2]);
        assert_eq!(gaps[3].entries, vec![4]);
        assert_eq!(gaps[3].need, Some(30));
        assert_eq!(gaps[5].entries, vec![5]);
    }

    #[test]
    fn a_large_boarding_school_needs_more_guards_and_dorm_access_control() {
        let campus = Campus {
            pupils: 1400,
            staff: 120,
            boarding: true,
        };
        let gaps = check(&complete(), campus, &SecurityRules::default(), 2026);
        assert_eq!(gaps[0].code, Shortfall::GuardsShort);
        assert_eq!((gaps[0].have, gaps[0].need), (Some(2), Some(4)));
        assert_eq!(gaps[1].code, Shortfall::NoDormAccessControl);
        // A part-time guard does not count.
        let mut e = complete();
        e[1].full_time = Some(false);
        let gaps = check(&e, DAY_SCHOOL, &SecurityRules::default(), 2026);
        assert_eq!((gaps[0].have, gaps[0].need), (Some(1), Some(2)));
    }

    const BOARDING: Campus = Campus {
        pupils: 800,
        staff: 60,
        boarding: true,
    };

    fn dorm_gap(entries: &[Entry], campus: Campus) -> bool {
        check(entries, campus, &SecurityRules::default(), 2026)
            .iter()
            .any(|g| g.code == Shortfall::NoDormAccessControl)
    }

    #[test]
    fn only_access_control_at_a_dormitory_counts_for_a_boarding_school() {
        use EquipmentKind::AccessControl;
        // The access gate at the school gate (its zone a gate, as a device's entry records
        // it): not the dormitory's.
        let mut gate = entry(7, AccessControl);
        gate.location = "校门".into();
        gate.zones = vec![ZoneType::Gate];
        let mut e = complete();
        e.push(gate.clone());
        assert!(dorm_gap(&e, BOARDING));
        // A day school needs none, wherever its access control is.
        assert!(!dorm_gap(&e, DAY_SCHOOL));
        assert!(!dorm_gap(&complete(), DAY_SCHOOL));
        // In a dormitory zone (directly, or on a floor within one): counts.
        let mut dorm = entry(8, AccessControl);
        dorm.location = "3号楼".into();
        dorm.zones = vec![ZoneType::Dormitory];
        e.push(dorm.clone());
        assert!(!dorm_gap(&e, BOARDING));
        dorm.zones = vec![ZoneType::Floor, ZoneType::Dormitory];
        assert!(!dorm_gap(
            &[complete(), vec![dorm.clone()]].concat(),
            BOARDING
        ));
        // A zone of another kind, without a dormitory in its name: does not count.
        dorm.zones = vec![ZoneType::Building];
        assert!(dorm_gap(
            &[complete(), vec![dorm.clone()]].concat(),
            BOARDING
        ));
        // A place written by hand that names a dormitory counts, in either language.
        for place in ["学生宿舍楼东门", "女生寝室", "学生公寓 B 栋", "Dormitory 2"]
        {
            let mut hand = entry(9, AccessControl);
            hand.location = place.into();
            assert!(hand.at_dormitory(), "{place}");
            assert!(
                !dorm_gap(&[complete(), vec![hand]].concat(), BOARDING),
                "{place}"
            );
        }
        // An entry of another kind at the dormitory is no access control.
        let mut camera = entry(10, EquipmentKind::Camera);
        camera.location = "宿舍楼".into();
        camera.zones = vec![ZoneType::Dormitory];
        assert!(dorm_gap(
            &[complete(), vec![camera, gate]].concat(),
            BOARDING
        ));
    }

    #[test]
    fn an_empty_register_lacks_everything() {
        let gaps = check(&[], DAY_SCHOOL, &SecurityRules::default(), 2026);
        let codes: Vec<Shortfall> = gaps.iter().map(|g| g.code).collect();
        use Shortfall::*;
        assert_eq!(
            codes,
            vec![
                GuardsShort,
                NoOneKeyAlarm,
                NoVideo,
                NoPerimeter,
                NoAntiCollision
            ]
        );
    }
}
