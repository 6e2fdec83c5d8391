use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// The part of the year a schedule applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Season {
    /// 夏季.
    Summer,
    /// 冬季.
    Winter,
    /// 全年: the source gives one schedule for the whole year.
    AllYear,
}

impl Season {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Summer => "SUMMER",
            Self::Winter => "WINTER",
            Self::AllYear => "ALL_YEAR",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Summer, Self::Winter, Self::AllYear]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// A day of the week, Monday first as in Chinese usage (周一…周日).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Weekday {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl Weekday {
    pub const ALL: [Weekday; 7] = [
        Self::Monday,
        Self::Tuesday,
        Self::Wednesday,
        Self::Thursday,
        Self::Friday,
        Self::Saturday,
        Self::Sunday,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Monday => "MONDAY",
            Self::Tuesday => "TUESDAY",
            Self::Wednesday => "WEDNESDAY",
            Self::Thursday => "THURSDAY",
            Self::Friday => "FRIDAY",
            Self::Saturday => "SATURDAY",
            Self::Sunday => "SUNDAY",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// A time of day in minutes after midnight, written `HH:MM`. `24:00` is allowed as a closing time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TimeOfDay(u16);

impl TimeOfDay {
    /// Parses `H:MM` or `HH:MM`, from `0:00` to `24:00`.
    pub fn parse(s: &str) -> Option<Self> {
        let (h, m) = s.split_once(':')?;
        if h.is_empty() || h.len() > 2 || m.len() != 2 {
            return None;
        }
        let h: u16 = h.parse().ok()?;
        let m: u16 = m.parse().ok()?;
        if m >= 60 || h > 24 || (h == 24 && m != 0) {
            return None;
        }
        Some(Self(h * 60 + m))
    }

    pub fn from_minutes(minutes: u16) -> Option<Self> {
        (minutes <= 24 * 60).then_some(Self(minutes))
    }

    pub fn minutes(self) -> u16 {
        self.0
    }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

impl Serialize for TimeOfDay {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TimeOfDay {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!("`{s}` is not a time of day (HH:MM, 00:00–24:00)"))
        })
    }
}

/// One line of a center's timetable: a season, the days it covers and the hours; the center's
/// own, or those of a unit inside it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpeningHours {
    /// The unit inside the center the line is for, in the source's words (`兆佳巷工作站`);
    /// `None` for the center's own hours.
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub unit_en: Option<String>,
    pub season: Season,
    /// The days this line covers; `None` when the source gives hours without naming days.
    #[serde(default)]
    pub days: Option<Vec<Weekday>>,
    pub opens: Option<TimeOfDay>,
    pub closes: Option<TimeOfDay>,
    /// Open around the clock (24小时).
    #[serde(default)]
    pub open_24h: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse_and_print() {
        assert_eq!(
            TimeOfDay::parse("9:00").map(|t| t.to_string()),
            Some("09:00".into())
        );
        assert_eq!(TimeOfDay::parse("24:00").map(|t| t.minutes()), Some(1440));
        for bad in [
            "25:61", "24:01", "12:60", "", ":30", "123:00", "12:5", "ab:cd",
        ] {
            assert_eq!(TimeOfDay::parse(bad), None, "{bad}");
        }
    }
}
