//! Organizations, items and resources.

use super::href;
use super::seq::{read_sequencing, Collection};
use super::xml::{Node, Ns};
use super::{Cx, ErrorKind, Manifest, Organization, ParseOptions, Range, Res, Resource};
use crate::engine::seqdef::*;

/// Children an `<item>` (or `<organization>`) may have. Both spellings of
/// the ADL CP elements are listed: SCORM 1.2 writes them in lower case.
const ITEM_CHILDREN: &[(Ns, &str)] = &[
    (Ns::Cp, "title"),
    (Ns::Cp, "item"),
    (Ns::Cp, "metadata"),
    (Ns::Imsss, "sequencing"),
    (Ns::Adlnav, "presentation"),
    (Ns::Adlcp, "timeLimitAction"),
    (Ns::Adlcp, "timelimitaction"),
    (Ns::Adlcp, "dataFromLMS"),
    (Ns::Adlcp, "datafromlms"),
    (Ns::Adlcp, "completionThreshold"),
    (Ns::Adlcp, "masteryscore"),
    (Ns::Adlcp, "maxtimeallowed"),
    (Ns::Adlcp, "prerequisites"),
    (Ns::Adlcp, "data"),
];

const TIME_LIMIT_ACTIONS: &[&str] = &["exit,message", "exit,no message", "continue,message", "continue,no message"];

type HideFlag = (&'static str, fn(&mut HideLmsUi) -> &mut bool);
const HIDE_LMS_UI: &[HideFlag] = &[
    ("previous", |h| &mut h.previous),
    ("continue", |h| &mut h.continue_),
    ("exit", |h| &mut h.exit),
    ("exitAll", |h| &mut h.exit_all),
    ("abandon", |h| &mut h.abandon),
    ("abandonAll", |h| &mut h.abandon_all),
    ("suspendAll", |h| &mut h.suspend_all),
];

/// What the organization reader needs from the rest of the manifest.
struct Ctx<'d> {
    resources: super::NameIndex,
    resource_list: &'d [Resource],
    /// Why a resource's href was refused, by resource index.
    unsafe_href: &'d [Option<String>],
    collection: Collection<'d>,
    /// Item/organization identifiers seen so far.
    ids: super::NameIndex,
}

/// Reads everything below `<manifest>`.
pub(crate) fn read_manifest(cx: &mut Cx<'_>, root: &Node, options: &ParseOptions) -> Res<Manifest> {
    cx.check_children(
        root,
        &[
            (Ns::Cp, "metadata"),
            (Ns::Cp, "organizations"),
            (Ns::Cp, "resources"),
            (Ns::Cp, "manifest"),
            (Ns::Imsss, "sequencingCollection"),
        ],
    );
    let identifier = match cx.attr(root, Ns::None, "identifier") {
        Some(v) if !v.is_empty() => v.to_string(),
        _ => {
            cx.warn(ErrorKind::MissingAttribute, root, "the `identifier` attribute is missing");
            String::new()
        }
    };
    let manifest_base = cx.attr(root, Ns::Xml, "base").unwrap_or("").to_string();

    // Resources.
    let mut resources = Vec::new();
    let mut unsafe_href = Vec::new();
    let mut res_index = super::NameIndex::default();
    let mut res_nodes: Vec<&Node> = Vec::new();
    if let Some(rs) = root.kid(Ns::Cp, "resources") {
        let base = href::resolve(&manifest_base, cx.attr(rs, Ns::Xml, "base").unwrap_or(""));
        cx.check_children(rs, &[(Ns::Cp, "resource")]);
        for r in rs.kids(Ns::Cp, "resource") {
            let (res, why) = read_resource(cx, r, &base)?;
            if res_index.insert(res.identifier.clone(), resources.len()).is_some() {
                return Err(cx.error(ErrorKind::DuplicateIdentifier, r, format!("resource identifier `{}` is used twice", res.identifier)));
            }
            resources.push(res);
            unsafe_href.push(why);
            res_nodes.push(r);
        }
    } else {
        cx.warn(ErrorKind::MissingElement, root, "the manifest has no `<resources>`");
    }
    for (r, node) in resources.iter().zip(&res_nodes) {
        for d in &r.dependencies {
            if !res_index.contains_key(d) {
                cx.warn(ErrorKind::DanglingReference, node, format!("dependency `{d}` names no resource"));
            }
        }
    }

    // Sequencing collection.
    let mut collection = Collection::default();
    if let Some(sc) = root.kid(Ns::Imsss, "sequencingCollection") {
        cx.check_children(sc, &[(Ns::Imsss, "sequencing")]);
        for s in sc.kids(Ns::Imsss, "sequencing") {
            let id = cx.req_attr(s, "ID")?;
            if collection.index.insert(id.to_string(), collection.nodes.len()).is_some() {
                return Err(cx.error(ErrorKind::DuplicateIdentifier, s, format!("sequencing `ID` `{id}` is used twice")));
            }
            collection.nodes.push(s);
        }
    }

    // Organizations.
    let orgs = root
        .kid(Ns::Cp, "organizations")
        .ok_or_else(|| cx.error(ErrorKind::NoOrganization, root, "the manifest has no `<organizations>`"))?;
    cx.check_children(orgs, &[(Ns::Cp, "organization")]);
    let org_nodes: Vec<&Node> = orgs.kids(Ns::Cp, "organization").collect();
    if org_nodes.is_empty() {
        return Err(cx.error(ErrorKind::NoOrganization, orgs, "`<organizations>` holds no `<organization>`"));
    }
    let default_organization = cx.attr(orgs, Ns::None, "default").filter(|s| !s.is_empty()).map(str::to_string);
    let mut ctx = Ctx { resources: res_index, resource_list: &resources, unsafe_href: &unsafe_href, collection, ids: super::NameIndex::default() };
    let mut organizations = Vec::new();
    let mut trees = Vec::new();
    for o in &org_nodes {
        let (org, tree) = read_organization(cx, o, &mut ctx)?;
        organizations.push(org);
        trees.push(tree);
    }
    // A `default` that names no organization: LMSs play the first one, and
    // so do we, with a warning (CAM: `default` must name an organization).
    let default_found = default_organization.as_ref().filter(|d| organizations.iter().any(|o| &o.identifier == *d));
    if let (Some(d), None) = (&default_organization, default_found) {
        let first = organizations.first().map(|o| o.identifier.as_str()).unwrap_or("");
        cx.warn(
            ErrorKind::DanglingReference,
            orgs,
            format!("the default organization `{d}` does not exist; the first organization, `{first}`, is played"),
        );
    }
    let wanted = options.organization.clone().or_else(|| default_found.cloned());
    let chosen = match &wanted {
        Some(id) => organizations
            .iter()
            .position(|o| &o.identifier == id)
            .ok_or_else(|| cx.error(ErrorKind::DanglingReference, orgs, format!("organization `{id}` does not exist")))?,
        None => 0,
    };
    let organization = organizations.get(chosen).map(|o| o.identifier.clone()).unwrap_or_default();
    let activity_tree = trees.into_iter().nth(chosen).unwrap_or_default();
    for (why, node) in unsafe_href.iter().zip(&res_nodes) {
        if let Some(why) = why {
            cx.warn(ErrorKind::UnsafeHref, node, format!("href refused: {why}"));
        }
    }
    Ok(Manifest {
        identifier,
        version: cx.version,
        schema_version: None,
        default_organization,
        organizations,
        organization,
        activity_tree,
        resources,
        global_objective_ids: Vec::new(),
        shared_data_ids: Vec::new(),
        warnings: Vec::new(),
    })
}

fn read_resource(cx: &mut Cx<'_>, r: &Node, base: &str) -> Res<(Resource, Option<String>)> {
    let identifier = cx.req_attr(r, "identifier")?.to_string();
    let resource_type = match cx.attr(r, Ns::None, "type") {
        Some(t) => t.to_string(),
        None => {
            cx.warn(ErrorKind::MissingAttribute, r, "the `type` attribute is missing");
            String::new()
        }
    };
    let name = if cx.version.is_2004() { "scormType" } else { "scormtype" };
    let is_sco = match cx.word(r, Ns::Adlcp, name, &["sco", "asset"])? {
        Some(i) => i == 0,
        None => {
            cx.warn(ErrorKind::MissingAttribute, r, format!("the `adlcp:{name}` attribute is missing; read as `asset`"));
            false
        }
    };
    let base = href::resolve(base, cx.attr(r, Ns::Xml, "base").unwrap_or(""));
    let (href, why) = match cx.attr(r, Ns::None, "href") {
        Some(h) => match href::check_in_package(&href::resolve(&base, h)) {
            Ok(h) => (Some(h), None),
            Err(why) => (None, Some(why)),
        },
        None => (None, None),
    };
    let files = r.kids(Ns::Cp, "file").filter_map(|f| f.attrs.iter().find(|a| a.name == "href")).map(|a| href::resolve(&base, &a.value)).collect();
    let dependencies = r
        .kids(Ns::Cp, "dependency")
        .filter_map(|d| d.attrs.iter().find(|a| a.name == "identifierref"))
        .map(|a| a.value.trim().to_string())
        .collect();
    Ok((Resource { identifier, resource_type, is_sco, href, files, dependencies }, why))
}

fn read_organization(cx: &mut Cx<'_>, o: &Node, ctx: &mut Ctx<'_>) -> Res<(Organization, Activity)> {
    let identifier = cx.req_attr(o, "identifier")?.to_string();
    if ctx.ids.insert(identifier.clone(), 0).is_some() {
        return Err(cx.error(ErrorKind::DuplicateIdentifier, o, format!("identifier `{identifier}` is used twice")));
    }
    let objectives_global_to_system = cx.flag(o, Ns::Adlseq, "objectivesGlobalToSystem", true)?;
    let shared_data_global_to_system = cx.flag(o, Ns::Adlcp, "sharedDataGlobalToSystem", true)?;
    if o.kid(Ns::Cp, "item").is_none() {
        return Err(cx.error(ErrorKind::MissingElement, o, "an organization needs at least one `<item>`"));
    }
    let mut count = 0usize;
    let mut tree = read_activity(cx, o, ctx, &mut count)?;
    if !cx.version.is_2004() {
        check_prerequisites(cx, o, &mut tree);
    }
    let org = Organization {
        identifier,
        title: tree.title.clone(),
        objectives_global_to_system,
        shared_data_global_to_system,
        item_count: count,
    };
    Ok((org, tree))
}

/// Reads an `<organization>` or `<item>` and its descendants. The recursion
/// depth is bounded by the element depth limit of the XML reader.
fn read_activity(cx: &mut Cx<'_>, n: &Node, ctx: &mut Ctx<'_>, count: &mut usize) -> Res<Activity> {
    let is_item = n.name == "item";
    let id = cx.req_attr(n, "identifier")?.to_string();
    if is_item {
        *count += 1;
        if ctx.ids.insert(id.clone(), 0).is_some() {
            return Err(cx.error(ErrorKind::DuplicateIdentifier, n, format!("identifier `{id}` is used twice")));
        }
        if ctx.resources.contains_key(&id) {
            cx.warn(ErrorKind::DuplicateIdentifier, n, format!("identifier `{id}` is also a resource identifier"));
        }
    }
    cx.check_children(n, ITEM_CHILDREN);
    let title = match n.kid(Ns::Cp, "title") {
        Some(t) => t.text.trim().to_string(),
        None => {
            cx.warn(ErrorKind::MissingElement, n, "`<title>` is missing");
            String::new()
        }
    };
    let visible = !is_item || cx.flag(n, Ns::None, "isvisible", true)?;
    let mut a = Activity { id, title, visible, ..Activity::default() };
    read_adlcp(cx, n, &mut a)?;
    a.sequencing = read_sequencing(cx, n.kid(Ns::Imsss, "sequencing"), &ctx.collection)?;
    if let Some(p) = n.kid(Ns::Adlnav, "presentation") {
        for ni in p.kids(Ns::Adlnav, "navigationInterface") {
            for h in ni.kids(Ns::Adlnav, "hideLMSUI") {
                let words: Vec<&str> = HIDE_LMS_UI.iter().map(|(w, _)| *w).collect();
                let i = cx.word_value(h, "hideLMSUI", h.text.trim(), &words)?;
                if let Some((_, field)) = HIDE_LMS_UI.get(i) {
                    *field(&mut a.hide_lms_ui) = true;
                }
            }
        }
    }
    for c in n.kids(Ns::Cp, "item") {
        let child = read_activity(cx, c, ctx, count)?;
        a.children.push(child);
    }
    if is_item {
        let idref = cx.attr(n, Ns::None, "identifierref").filter(|s| !s.is_empty());
        match (idref, a.children.is_empty()) {
            (Some(r), true) => a.launch = Some(launch(cx, n, ctx, r)?),
            // SCORM 1.2 (IMS CP 1.1.2) lets any item reference a resource, and
            // packages (eXe and others) put a page on an item with children;
            // LMSs launch it. SCORM 2004 launches leaves only (SN: a cluster
            // is not delivered).
            (Some(r), false) if !cx.version.is_2004() => a.launch = Some(launch(cx, n, ctx, r)?),
            (Some(_), false) => cx.warn(ErrorKind::UnexpectedElement, n, "a cluster item may not reference a resource; `identifierref` ignored"),
            (None, true) => cx.warn(ErrorKind::MissingAttribute, n, "a leaf item has no `identifierref`; nothing to launch"),
            (None, false) => {}
        }
    }
    Ok(a)
}

fn launch(cx: &mut Cx<'_>, n: &Node, ctx: &Ctx<'_>, idref: &str) -> Res<Launch> {
    let Some(&i) = ctx.resources.get(idref) else {
        return Err(cx.error(ErrorKind::DanglingReference, n, format!("`identifierref` `{idref}` names no resource")));
    };
    let (Some(res), why) = (ctx.resource_list.get(i), ctx.unsafe_href.get(i).cloned().flatten()) else {
        return Err(cx.error(ErrorKind::DanglingReference, n, format!("`identifierref` `{idref}` names no resource")));
    };
    if let Some(why) = why {
        return Err(cx.error(ErrorKind::UnsafeHref, n, format!("resource `{idref}` cannot be launched: {why}")));
    }
    let Some(base_href) = &res.href else {
        return Err(cx.error(ErrorKind::MissingAttribute, n, format!("resource `{idref}` has no `href` to launch")));
    };
    let params = cx.attr(n, Ns::None, "parameters").unwrap_or("");
    let href = href::apply_parameters(base_href, params);
    Ok(Launch { resource_id: idref.to_string(), is_sco: res.is_sco, href })
}

/// The ADL CP extension elements of an item or organization.
fn read_adlcp(cx: &mut Cx<'_>, n: &Node, a: &mut Activity) -> Res<()> {
    let text = |names: [&str; 2]| names.iter().find_map(|nm| n.kid(Ns::Adlcp, nm));
    if let Some(t) = text(["timeLimitAction", "timelimitaction"]) {
        let i = cx.word_value(t, "timeLimitAction", t.text.trim(), TIME_LIMIT_ACTIONS)?;
        a.time_limit_action = TIME_LIMIT_ACTIONS.get(i).map(|s| s.to_string());
    }
    if let Some(t) = text(["dataFromLMS", "datafromlms"]) {
        a.data_from_lms = Some(t.text.clone());
    }
    if let Some(t) = text(["masteryscore", "masteryScore"]) {
        let v = t.text.trim();
        if v.is_empty() {
            cx.warn(ErrorKind::InvalidValue, t, "empty `masteryscore` ignored");
        } else {
            a.mastery_score = Some(cx.decimal_value(t, "masteryscore", v, Range::Percent)?);
        }
    }
    if let Some(t) = text(["maxtimeallowed", "maxTimeAllowed"]) {
        a.max_time_allowed = Some(t.text.trim().to_string()).filter(|s| !s.is_empty());
    }
    if let Some(t) = text(["prerequisites", "prerequisites"]) {
        a.prerequisites = Some(t.text.trim().to_string()).filter(|s| !s.is_empty());
    }
    if let Some(t) = n.kid(Ns::Adlcp, "completionThreshold") {
        let mut ct = CompletionThreshold::default();
        let v = t.text.trim();
        if !v.is_empty() {
            // 3rd Edition: the text is the threshold.
            ct.min_progress_measure = cx.decimal_value(t, "completionThreshold", v, Range::Unit)?;
            ct.completed_by_measure = true;
        }
        ct.completed_by_measure = cx.flag(t, Ns::None, "completedByMeasure", ct.completed_by_measure)?;
        ct.min_progress_measure = cx.decimal(t, "minProgressMeasure", ct.min_progress_measure, Range::Unit)?;
        ct.progress_weight = cx.decimal(t, "progressWeight", 1.0, Range::Unit)?;
        a.completion_threshold = Some(ct);
    }
    for d in n.kids(Ns::Adlcp, "data") {
        for m in d.kids(Ns::Adlcp, "map") {
            let target_id = cx.req_attr(m, "targetID")?.to_string();
            let read_shared_data = cx.flag(m, Ns::None, "readSharedData", true)?;
            let write_shared_data = cx.flag(m, Ns::None, "writeSharedData", true)?;
            a.data_maps.push(DataMap { target_id, read_shared_data, write_shared_data });
        }
    }
    Ok(())
}

/// SCORM 1.2 `adlcp:prerequisites` that cannot be honoured (malformed, or
/// naming an item the organization does not have) are dropped with a
/// warning: a broken script must not lock the learner out of an item.
fn check_prerequisites(cx: &mut Cx<'_>, org: &Node, tree: &mut Activity) {
    let ids: Vec<String> = super::walk(tree).iter().map(|a| a.id.clone()).collect();
    let mut stack: Vec<&mut Activity> = vec![tree];
    while let Some(a) = stack.pop() {
        if let Some(script) = &a.prerequisites {
            let problem = match crate::engine::prerequisites::parse(script) {
                Err(e) => Some(e),
                Ok(expr) => expr
                    .identifiers()
                    .into_iter()
                    .find(|id| !ids.iter().any(|i| i == id))
                    .map(|id| format!("`{id}` names no item of this organization")),
            };
            if let Some(problem) = problem {
                cx.warn(
                    ErrorKind::InvalidValue,
                    org,
                    format!("item `{}`: prerequisites `{script}` ignored: {problem}", a.id),
                );
                a.prerequisites = None;
            }
        }
        stack.extend(a.children.iter_mut());
    }
}
