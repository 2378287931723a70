//! A minimal, test-only read of a test package's `imsmanifest.xml`: the
//! items of the default organization with what the run-time needs at launch
//! (the project's real manifest parser lives in `src/engine/manifest`).

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

/// One `adlcp:map`.
#[derive(Clone, Debug, PartialEq)]
pub struct DataMap {
    /// `targetID`
    pub target: String,
    /// `readSharedData` (default true)
    pub read: bool,
    /// `writeSharedData` (default true)
    pub write: bool,
}

/// One `<item>`.
#[derive(Clone, Debug, Default)]
pub struct Item {
    /// `identifier`
    pub identifier: String,
    /// `<title>`
    pub title: String,
    /// `parameters`
    pub parameters: String,
    /// `adlcp:dataFromLMS`
    pub data_from_lms: Option<String>,
    /// `adlcp:timeLimitAction`
    pub time_limit_action: Option<String>,
    /// `adlcp:completionThreshold` when `completedByMeasure` is true:
    /// `minProgressMeasure` (default 1.0).
    pub completion_threshold: Option<f64>,
    /// Primary objective `minNormalizedMeasure` (default 1.0) when
    /// `satisfiedByMeasure` is true.
    pub scaled_passing_score: Option<f64>,
    /// `attemptAbsoluteDurationLimit`
    pub max_time_allowed: Option<String>,
    /// Objective ids (primary first).
    pub objective_ids: Vec<String>,
    /// `adlcp:data/adlcp:map`
    pub data: Vec<DataMap>,
}

impl Item {
    /// The `act` launch parameter.
    pub fn act(&self) -> Option<&str> {
        self.parameters.split(['?', '&']).find_map(|p| p.strip_prefix("act="))
    }
}

/// What the harness needs of a manifest.
#[derive(Clone, Debug, Default)]
pub struct Manifest {
    /// Items of the organization, in document order (leaves and clusters).
    pub items: Vec<Item>,
    /// `adlcp:sharedDataGlobalToSystem` of the organization (default true).
    pub shared_data_global: bool,
    /// Organization `controlMode` flow (default false).
    pub flow: bool,
    /// Organization `controlMode` choice (default true).
    pub choice: bool,
    /// Organization `controlMode` forwardOnly (default false).
    pub forward_only: bool,
}

fn attr(e: &BytesStart, name: &str) -> Option<String> {
    e.attributes()
        .filter_map(|a| a.ok())
        .find(|a| a.key.local_name().as_ref() == name.as_bytes())
        .and_then(|a| a.unescape_value().ok().map(|v| v.trim().to_string()))
}

fn flag(e: &BytesStart, name: &str, default: bool) -> bool {
    attr(e, name).map(|v| v == "true").unwrap_or(default)
}

/// Read a manifest.
pub fn read(xml: &str) -> Manifest {
    let mut reader = Reader::from_str(xml);
    let mut m = Manifest { shared_data_global: true, choice: true, ..Default::default() };
    let mut stack: Vec<String> = Vec::new();
    let mut item_stack: Vec<usize> = Vec::new();
    let mut text = String::new();
    let mut in_primary = false;
    let mut primary_by_measure = false;
    loop {
        let ev = match reader.read_event() {
            Ok(ev) => ev,
            Err(e) => panic!("manifest: {e}"),
        };
        let (start, empty) = match &ev {
            Event::Start(e) => (Some(e.clone()), false),
            Event::Empty(e) => (Some(e.clone()), true),
            _ => (None, false),
        };
        if let Some(e) = start {
            let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
            text.clear();
            let cur = item_stack.last().copied();
            match name.as_str() {
                "organization" => m.shared_data_global = flag(&e, "sharedDataGlobalToSystem", true),
                "item" => {
                    m.items.push(Item {
                        identifier: attr(&e, "identifier").unwrap_or_default(),
                        parameters: attr(&e, "parameters").unwrap_or_default(),
                        ..Default::default()
                    });
                    if !empty {
                        item_stack.push(m.items.len() - 1);
                    }
                }
                "controlMode" if cur.is_none() && stack.iter().any(|s| s == "organization") => {
                    m.flow = flag(&e, "flow", false);
                    m.choice = flag(&e, "choice", true);
                    m.forward_only = flag(&e, "forwardOnly", false);
                }
                "completionThreshold" => {
                    if let Some(i) = cur {
                        if flag(&e, "completedByMeasure", false) {
                            let v = attr(&e, "minProgressMeasure").and_then(|v| v.parse().ok()).unwrap_or(1.0);
                            m.items[i].completion_threshold = Some(v);
                        }
                    }
                }
                "primaryObjective" | "objective" => {
                    if let Some(i) = cur {
                        if let Some(id) = attr(&e, "objectiveID") {
                            m.items[i].objective_ids.push(id);
                        }
                        if name == "primaryObjective" {
                            primary_by_measure = flag(&e, "satisfiedByMeasure", false);
                            if primary_by_measure {
                                m.items[i].scaled_passing_score = Some(1.0);
                            }
                            in_primary = !empty;
                        }
                    }
                }
                "limitConditions" => {
                    if let (Some(i), Some(v)) = (cur, attr(&e, "attemptAbsoluteDurationLimit")) {
                        m.items[i].max_time_allowed = Some(v);
                    }
                }
                "map" => {
                    if let Some(i) = cur {
                        m.items[i].data.push(DataMap {
                            target: attr(&e, "targetID").unwrap_or_default(),
                            read: flag(&e, "readSharedData", true),
                            write: flag(&e, "writeSharedData", true),
                        });
                    }
                }
                _ => {}
            }
            if !empty {
                stack.push(name);
            }
            continue;
        }
        match ev {
            Event::Text(t) => text.push_str(&t.decode().unwrap_or_default()),
            Event::CData(t) => text.push_str(&String::from_utf8_lossy(&t)),
            Event::GeneralRef(r) => {
                let name = r.decode().unwrap_or_default();
                text.push_str(match name.as_ref() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    _ => "",
                });
            }
            Event::End(_) => {
                let name = stack.pop().unwrap_or_default();
                let cur = item_stack.last().copied();
                let value = text.trim().to_owned();
                match (name.as_str(), cur) {
                    ("item", _) => {
                        item_stack.pop();
                    }
                    ("title", Some(i)) if m.items[i].title.is_empty() => m.items[i].title = value,
                    ("dataFromLMS", Some(i)) => m.items[i].data_from_lms = Some(value),
                    ("timeLimitAction", Some(i)) => m.items[i].time_limit_action = Some(value),
                    ("minNormalizedMeasure", Some(i)) if in_primary && primary_by_measure => {
                        m.items[i].scaled_passing_score = value.parse().ok();
                    }
                    ("primaryObjective", _) => in_primary = false,
                    _ => {}
                }
                text.clear();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    m
}
