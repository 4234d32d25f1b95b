//! People and their posts (岗位) at a school or bureau.

use crate::code_enum;

code_enum!(
    /// A post from the MoE post safety guide (中小学校岗位安全工作指南), trimmed to the posts the
    /// platform assigns work to.
    Post, "post", {
        Principal = "principal",
        VicePrincipal = "vice_principal",
        SafetyDirector = "safety_director",
        LegalVicePrincipal = "legal_vice_principal",
        Teacher = "teacher",
        ClassTeacher = "class_teacher",
        PeTeacher = "pe_teacher",
        Guard = "guard",
        Cook = "cook",
        CanteenManager = "canteen_manager",
        Electrician = "electrician",
        LabManager = "lab_manager",
        DormManager = "dorm_manager",
        SchoolDoctor = "school_doctor",
        BusDriver = "bus_driver",
        BusAttendant = "bus_attendant",
        GeneralAffairs = "general_affairs",
    }
);

/// A mainland mobile or landline number: digits, optionally with one dash after the area code.
pub fn valid_phone(s: &str) -> bool {
    let digits: String = s.chars().filter(|c| *c != '-').collect();
    (7..=13).contains(&digits.len())
        && digits.chars().all(|c| c.is_ascii_digit())
        && s.matches('-').count() <= 1
}

/// Masks a phone number for lists: 138****5678.
pub fn mask_phone(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() < 7 {
        return "****".into();
    }
    let keep_end = 4;
    let keep_start = 3;
    chars[..keep_start].iter().collect::<String>()
        + "****"
        + &chars[chars.len() - keep_end..].iter().collect::<String>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones() {
        assert!(valid_phone("13812345678"));
        assert!(valid_phone("0431-84561234"));
        assert!(!valid_phone("12ab"));
        assert!(!valid_phone("0431--1234567"));
        assert_eq!(mask_phone("13812345678"), "138****5678");
    }
}
