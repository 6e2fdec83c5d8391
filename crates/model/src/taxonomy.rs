//! The shared vocabularies that make rooms of different cities comparable: a room-category
//! taxonomy assigned by the transcriber, and canonical equipment tags derived from raw text.

use serde::{Deserialize, Serialize};

macro_rules! labelled_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = ($code:literal, $zh:literal, $en:literal), )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
        pub enum $name { $( $(#[$vmeta])* $variant, )* }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// Stable upper-case code, as stored and as shown in the schema.
            pub fn as_str(self) -> &'static str {
                match self { $( Self::$variant => $code, )* }
            }

            /// Chinese label.
            pub fn label_zh(self) -> &'static str {
                match self { $( Self::$variant => $zh, )* }
            }

            /// English label.
            pub fn label_en(self) -> &'static str {
                match self { $( Self::$variant => $en, )* }
            }

            /// Inverse of `as_str`.
            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|x| x.as_str() == s)
            }
        }
    };
}

labelled_enum! {
    /// What a function room (功能室) is for. Assigned by hand from the room's name and uses; a
    /// room with several purposes gets the one its name leads with.
    pub enum RoomCategory {
        GovernmentServices = ("GOVERNMENT_SERVICES", "政务与便民服务", "Government & convenience services"),
        PartyEducation = ("PARTY_EDUCATION", "党员教育", "Party education"),
        DeliberationMediation = ("DELIBERATION_MEDIATION", "议事协商与调解", "Deliberation & mediation"),
        LegalAid = ("LEGAL_AID", "法律服务", "Legal aid"),
        CultureArts = ("CULTURE_ARTS", "文化艺术", "Culture & arts"),
        Reading = ("READING", "阅读", "Reading"),
        SportsFitness = ("SPORTS_FITNESS", "体育健身", "Sports & fitness"),
        ElderlyCare = ("ELDERLY_CARE", "养老服务", "Elderly care"),
        ChildrenFamily = ("CHILDREN_FAMILY", "儿童与家庭", "Children & family"),
        Youth = ("YOUTH", "青少年", "Youth"),
        Health = ("HEALTH", "健康", "Health"),
        DailyLife = ("DAILY_LIFE", "生活服务", "Daily-life services"),
        Multipurpose = ("MULTIPURPOSE", "多功能", "Multipurpose"),
    }
}

labelled_enum! {
    /// Canonical equipment vocabulary. Raw equipment text from the sources maps onto it with
    /// [`EquipmentTag::from_raw`]; the raw text is always kept beside the tag.
    pub enum EquipmentTag {
        AirConditioner = ("AIR_CONDITIONER", "空调", "Air conditioner"),
        Projector = ("PROJECTOR", "投影", "Projector"),
        Computer = ("COMPUTER", "电脑", "Computer"),
        Printer = ("PRINTER", "打印机", "Printer"),
        Copier = ("COPIER", "复印机", "Copier"),
        SoundSystem = ("SOUND_SYSTEM", "音响", "Sound system"),
        Microphone = ("MICROPHONE", "话筒", "Microphone"),
        Tv = ("TV", "电视", "TV"),
        DisplayScreen = ("DISPLAY_SCREEN", "显示屏", "Display screen"),
        WaterDispenser = ("WATER_DISPENSER", "饮水机", "Water dispenser"),
        Books = ("BOOKS", "图书", "Books"),
        NewspapersMagazines = ("NEWSPAPERS_MAGAZINES", "报刊杂志", "Newspapers & magazines"),
        Wifi = ("WIFI", "无线网络", "Wi-Fi"),
        Furniture = ("FURNITURE", "桌椅家具", "Tables, seating & shelves"),
        Stationery = ("STATIONERY", "文具与书画用品", "Stationery & art supplies"),
        TeachingAids = ("TEACHING_AIDS", "教学用具", "Teaching aids"),
        GamesToys = ("GAMES_TOYS", "棋类与玩具", "Games & toys"),
        FitnessEquipment = ("FITNESS_EQUIPMENT", "健身器材", "Fitness equipment"),
        RehabilitationEquipment = ("REHABILITATION_EQUIPMENT", "康复器材", "Rehabilitation equipment"),
        HealthCheck = ("HEALTH_CHECK", "健康检测设备", "Health-check devices"),
        Tools = ("TOOLS", "工具", "Tools"),
        AgriculturalMachinery = ("AGRICULTURAL_MACHINERY", "农机具", "Agricultural machinery"),
        CleaningEquipment = ("CLEANING_EQUIPMENT", "清洗设备", "Cleaning equipment"),
        SelfServiceTerminal = ("SELF_SERVICE_TERMINAL", "自助服务设备", "Self-service terminal"),
        PhoneCharging = ("PHONE_CHARGING", "手机充电", "Phone charging"),
        VendingMachine = ("VENDING_MACHINE", "自动售货机", "Vending machine"),
        Exhibition = ("EXHIBITION", "展陈", "Exhibition displays"),
    }
}

/// Keyword → tag, tried in order; the first keyword contained in the raw text wins. More specific
/// keywords come first (`书架` is furniture, `书` alone is books; `复印` before `印`).
const EQUIPMENT_RULES: &[(&str, EquipmentTag)] = &[
    ("空调", EquipmentTag::AirConditioner),
    ("投影", EquipmentTag::Projector),
    ("电脑", EquipmentTag::Computer),
    ("复印", EquipmentTag::Copier),
    ("打印", EquipmentTag::Printer),
    ("音响", EquipmentTag::SoundSystem),
    ("话筒", EquipmentTag::Microphone),
    ("麦克风", EquipmentTag::Microphone),
    ("电视", EquipmentTag::Tv),
    ("屏", EquipmentTag::DisplayScreen),
    ("饮水机", EquipmentTag::WaterDispenser),
    ("茶水", EquipmentTag::WaterDispenser),
    ("Wi-Fi", EquipmentTag::Wifi),
    ("WiFi", EquipmentTag::Wifi),
    ("自动售货机", EquipmentTag::VendingMachine),
    ("充电", EquipmentTag::PhoneCharging),
    ("自助", EquipmentTag::SelfServiceTerminal),
    ("一网通办", EquipmentTag::SelfServiceTerminal),
    ("康复", EquipmentTag::RehabilitationEquipment),
    ("跑步机", EquipmentTag::FitnessEquipment),
    ("杠铃", EquipmentTag::FitnessEquipment),
    ("健身", EquipmentTag::FitnessEquipment),
    ("体质测试", EquipmentTag::HealthCheck),
    ("健康检测", EquipmentTag::HealthCheck),
    ("书架", EquipmentTag::Furniture),
    ("置物架", EquipmentTag::Furniture),
    ("书画桌椅", EquipmentTag::Furniture),
    ("报纸", EquipmentTag::NewspapersMagazines),
    ("报刊", EquipmentTag::NewspapersMagazines),
    ("杂志", EquipmentTag::NewspapersMagazines),
    ("书籍", EquipmentTag::Books),
    ("图书", EquipmentTag::Books),
    ("读物", EquipmentTag::Books),
    ("藏书", EquipmentTag::Books),
    ("字帖", EquipmentTag::Stationery),
    ("临摹范本", EquipmentTag::Stationery),
    ("笔墨", EquipmentTag::Stationery),
    ("文房四宝", EquipmentTag::Stationery),
    ("纸笔", EquipmentTag::Stationery),
    ("水彩笔", EquipmentTag::Stationery),
    ("黑板", EquipmentTag::TeachingAids),
    ("教学用具", EquipmentTag::TeachingAids),
    ("象棋", EquipmentTag::GamesToys),
    ("五子棋", EquipmentTag::GamesToys),
    ("棋", EquipmentTag::GamesToys),
    ("玩具", EquipmentTag::GamesToys),
    ("玩偶", EquipmentTag::GamesToys),
    ("桌面足球", EquipmentTag::GamesToys),
    ("展", EquipmentTag::Exhibition),
    ("打药机", EquipmentTag::AgriculturalMachinery),
    ("施肥机", EquipmentTag::AgriculturalMachinery),
    ("深耕机", EquipmentTag::AgriculturalMachinery),
    ("农用机具", EquipmentTag::AgriculturalMachinery),
    ("水枪", EquipmentTag::CleaningEquipment),
    ("吸尘器", EquipmentTag::CleaningEquipment),
    ("清洗", EquipmentTag::CleaningEquipment),
    ("工具", EquipmentTag::Tools),
    ("电焊机", EquipmentTag::Tools),
    ("切割机", EquipmentTag::Tools),
    ("电钻", EquipmentTag::Tools),
    ("扳手", EquipmentTag::Tools),
    ("打气筒", EquipmentTag::Tools),
    ("千斤顶", EquipmentTag::Tools),
    ("桌", EquipmentTag::Furniture),
    ("椅", EquipmentTag::Furniture),
    ("凳", EquipmentTag::Furniture),
    ("沙发", EquipmentTag::Furniture),
    ("咨询台", EquipmentTag::Furniture),
];

impl EquipmentTag {
    /// Maps a raw equipment text onto the vocabulary; `None` when no rule applies (the raw text
    /// is still kept and shown).
    pub fn from_raw(raw: &str) -> Option<Self> {
        EQUIPMENT_RULES
            .iter()
            .find(|(keyword, _)| raw.contains(keyword))
            .map(|&(_, tag)| tag)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_unique() {
        for c in RoomCategory::ALL {
            assert_eq!(RoomCategory::parse(c.as_str()), Some(*c));
        }
        for t in EquipmentTag::ALL {
            assert_eq!(EquipmentTag::parse(t.as_str()), Some(*t));
        }
        assert_eq!(RoomCategory::ALL.len(), 13);
    }

    #[test]
    fn raw_equipment_maps_onto_tags() {
        let cases = [
            ("空调", Some(EquipmentTag::AirConditioner)),
            ("投影仪", Some(EquipmentTag::Projector)),
            ("免费复印机", Some(EquipmentTag::Copier)),
            ("打印机", Some(EquipmentTag::Printer)),
            ("书架", Some(EquipmentTag::Furniture)),
            ("各类书籍", Some(EquipmentTag::Books)),
            ("报纸杂志", Some(EquipmentTag::NewspapersMagazines)),
            ("免费Wi-Fi", Some(EquipmentTag::Wifi)),
            ("政策宣传屏", Some(EquipmentTag::DisplayScreen)),
            ("各类康复器材", Some(EquipmentTag::RehabilitationEquipment)),
            ("共享维修工具", Some(EquipmentTag::Tools)),
            ("圆桌", Some(EquipmentTag::Furniture)),
            ("针线包", None),
        ];
        for (raw, tag) in cases {
            assert_eq!(EquipmentTag::from_raw(raw), tag, "{raw}");
        }
    }
}
