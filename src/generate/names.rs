//! The generator's word lists: districts, school names, streets and people (the people's name
//! pools are the demo's). Every name made from them is invented.

use rand::Rng;
use rand::rngs::StdRng;
use serde::Deserialize;

/// The first districts: (code, name, English name, lat, lng). The first two carry the demo's
/// codes, so the demo's district accounts find their districts.
pub const DISTRICTS: &[(&str, &str, &str, f64, f64)] = &[
    ("ED", "二道区", "Erdao District", 43.8726, 125.3928),
    ("NG", "南关区", "Nanguan District", 43.8630, 125.3490),
    ("CY", "朝阳区", "Chaoyang District", 43.8340, 125.2880),
    ("KC", "宽城区", "Kuancheng District", 43.9430, 125.3260),
    ("LY", "绿园区", "Lüyuan District", 43.8800, 125.2560),
    ("SY", "双阳区", "Shuangyang District", 43.5250, 125.6640),
    ("JT", "九台区", "Jiutai District", 44.1510, 125.8390),
    (
        "JK",
        "经开区",
        "Economic Development Zone",
        43.8650,
        125.4300,
    ),
    ("GX", "高新区", "High-tech Zone", 43.8180, 125.2460),
    ("JY", "净月区", "Jingyue District", 43.7860, 125.4500),
];

/// The letter of a district's school codes (`S001`, `N001`, …): the demo's first two, then
/// letters no district code starts a school code with.
pub const SCHOOL_PREFIX: &[&str] = &[
    "S", "N", "A", "B", "C", "E", "F", "G", "H", "J", "K", "L", "M", "P", "Q", "R", "T", "U", "V",
    "W",
];

/// The middle of a school's name.
pub const SCHOOL_WORDS: &[&str] = &[
    "春华",
    "明德",
    "育才",
    "实验",
    "长青",
    "新华",
    "光明",
    "阳光",
    "东风",
    "红旗",
    "朝阳",
    "文化",
    "友谊",
    "和平",
    "建设",
    "胜利",
    "启智",
    "博雅",
    "北湖",
    "南岭",
    "东盛",
    "西苑",
    "嘉和",
    "英俊",
    "吉林路",
    "临河",
    "荣光",
    "远达",
    "东方",
    "锦程",
];

pub const STREETS: &[&str] = &[
    "伊滨路",
    "盛和大街",
    "东盛大街",
    "临河街",
    "吉林大路",
    "自由大路",
    "人民大街",
    "亚泰大街",
    "南湖大路",
    "西安大路",
    "前进大街",
    "卫星路",
    "普阳街",
    "飞跃路",
    "东环城路",
];

const PEOPLE: &str = include_str!("../../assets/demo/people.toml");

#[derive(Deserialize)]
struct Pools {
    surnames: Vec<String>,
    given_names: Vec<String>,
}

/// People's names and mobile numbers.
pub struct Names {
    surnames: Vec<String>,
    given: Vec<String>,
}

impl Names {
    pub fn load() -> crate::error::Result<Names> {
        let p: Pools = toml::from_str(PEOPLE)
            .map_err(|e| crate::error::Error::internal(anyhow::anyhow!("people.toml: {e}")))?;
        Ok(Names {
            surnames: p.surnames,
            given: p.given_names,
        })
    }

    pub fn person(&self, rng: &mut StdRng) -> String {
        let s = &self.surnames[rng.random_range(0..self.surnames.len())];
        let g = &self.given[rng.random_range(0..self.given.len())];
        format!("{s}{g}")
    }

    pub fn mobile(rng: &mut StdRng) -> String {
        const PREFIX: [&str; 6] = ["138", "139", "135", "186", "158", "131"];
        format!(
            "{}{:08}",
            PREFIX[rng.random_range(0..PREFIX.len())],
            rng.random_range(0..100_000_000u32)
        )
    }
}
