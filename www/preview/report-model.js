// The import report, as data: what the engine's manifest reader found
// (Shim.inspectManifest) set against the files the package holds. Pure, no
// DOM (tests/js/preview-report.test.mjs); report.js renders it.
//
// buildReport(inspected, files) -> {ok, error, version, organizations,
//   activities, problems, missing, unreferenced, sequencing}

/** Depth-first, document order, without recursion. */
export function walk(tree) {
  const out = [];
  const stack = [[tree, 0, null]];
  while (stack.length) {
    const [a, depth, parent] = stack.pop();
    out.push({ a, depth, parent });
    for (let i = a.children.length - 1; i >= 0; i--) stack.push([a.children[i], depth + 1, a.id]);
  }
  return out;
}

/** A manifest href as the package path it names ("a%20b.html?x#y" -> "a b.html"). */
export function hrefPath(href) {
  let p = String(href).split(/[?#]/)[0];
  try { p = decodeURIComponent(p); } catch { /* keep it as written */ }
  return p.replace(/^\.\//, "");
}

const SCHEMA_FILE = /\.(xsd|dtd)$/i;

/**
 * Files the manifest references that the package lacks, and files it holds
 * that nothing references. `resources`: the manifest's; `paths`: the
 * package's files (relative to its root).
 */
export function crossCheck(resources, paths) {
  const have = new Set(paths);
  const lower = new Map(paths.map((p) => [p.toLowerCase(), p]));
  const referenced = new Map(); // path -> [resource ids]
  const add = (path, id) => {
    if (!path) return;
    const list = referenced.get(path) || [];
    if (!list.includes(id)) list.push(id);
    referenced.set(path, list);
  };
  for (const r of resources) {
    if (r.href) add(hrefPath(r.href), r.identifier);
    for (const f of r.files) add(hrefPath(f), r.identifier);
  }
  const missing = [];
  for (const [path, ids] of referenced) {
    if (have.has(path)) continue;
    const other = lower.get(path.toLowerCase());
    missing.push({ path, resources: ids, hint: other ? "the package has " + JSON.stringify(other) + ": names are case-sensitive on web servers" : "" });
  }
  const unreferenced = paths
    .filter((p) => p !== "imsmanifest.xml" && !referenced.has(p))
    .map((path) => ({ path, note: SCHEMA_FILE.test(path) ? "schema file (packages carry them; nothing needs to reference them)" : "" }));
  return { missing: missing.sort((a, b) => (a.path < b.path ? -1 : 1)), unreferenced };
}

// ---- Sequencing rules in words ------------------------------------------

const CONDITIONS = {
  satisfied: ["{o} is satisfied", "{o} is not satisfied"],
  objectiveStatusKnown: ["the status of {o} is known", "the status of {o} is unknown"],
  objectiveMeasureKnown: ["the score of {o} is known", "the score of {o} is unknown"],
  objectiveMeasureGreaterThan: ["the score of {o} is above {t}", "the score of {o} is not above {t}"],
  objectiveMeasureLessThan: ["the score of {o} is below {t}", "the score of {o} is not below {t}"],
  completed: ["it is completed", "it is not completed"],
  activityProgressKnown: ["its progress is known", "its progress is unknown"],
  attempted: ["it has been attempted", "it has not been attempted"],
  attemptLimitExceeded: ["its attempt limit is used up", "its attempt limit is not used up"],
  timeLimitExceeded: ["its time limit is exceeded", "its time limit is not exceeded"],
  outsideAvailableTimeRange: ["it is outside its available time", "it is within its available time"],
  always: ["always", "never"],
};

const ACTIONS = {
  skip: "it is skipped (Continue and Previous pass over it)",
  disabled: "it is disabled (it cannot be started, also not from the table of contents)",
  hiddenFromChoice: "it is hidden from the table of contents",
  stopForwardTraversal: "Continue stops at it",
  exit: "it ends",
  exitParent: "its parent ends",
  exitAll: "the course ends",
  retry: "it starts again (a new attempt)",
  retryAll: "the whole course starts again",
  continue: "the course continues to the next activity",
  previous: "the course goes back to the previous activity",
};

const ROLLUP_ACTIONS = { satisfied: "satisfied", notSatisfied: "not satisfied", completed: "completed", incomplete: "incomplete" };

/** Rollup conditions describe the children: "all its children are …". */
const ROLLUP_CONDITIONS = {
  satisfied: ["satisfied", "not satisfied"],
  objectiveStatusKnown: ["of known status", "of unknown status"],
  objectiveMeasureKnown: ["scored", "not scored"],
  completed: ["completed", "not completed"],
  activityProgressKnown: ["of known progress", "of unknown progress"],
  attempted: ["attempted", "not attempted"],
  attemptLimitExceeded: ["out of attempts", "not out of attempts"],
  timeLimitExceeded: ["over their time limit", "within their time limit"],
  outsideAvailableTimeRange: ["outside their available time", "within their available time"],
  always: ["anything", "anything"],
};

function objectiveName(ref, activity) {
  if (!ref) return "its objective";
  const o = activity.sequencing.objectives.find((x) => x.id === ref);
  return "objective " + JSON.stringify(ref) + (o && o.primary ? " (its primary objective)" : "");
}

function condition(c, activity) {
  const words = CONDITIONS[c.condition] || [c.condition, "not " + c.condition];
  return words[c.not ? 1 : 0].replace("{o}", objectiveName(c.referencedObjective, activity)).replace("{t}", String(c.measureThreshold));
}

function conditions(list, combination, activity) {
  return list.map((c) => condition(c, activity)).join(combination === "any" ? " or " : " and ");
}

function childSet(set) {
  if (typeof set === "string") return { all: "all its children", any: "any child", none: "no child" }[set] || set;
  if (set.atLeastCount !== undefined) return "at least " + set.atLeastCount + " children";
  if (set.atLeastPercent !== undefined) return "at least " + Math.round(set.atLeastPercent * 100) + "% of its children";
  return "its children";
}

/** "a", "a and b", "a, b and c". */
function list(words) {
  return words.length < 2 ? words.join("") : words.slice(0, -1).join(", ") + " and " + words[words.length - 1];
}

function duration(seconds) {
  if (seconds === null || seconds === undefined) return "";
  const h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = Math.round(seconds % 60);
  return [h && h + " h", m && m + " min", s && s + " s"].filter(Boolean).join(" ") || "0 s";
}

/**
 * The sequencing behaviour of one activity in sentences (only what differs
 * from the defaults: a plain activity says nothing).
 */
export function sequencingInWords(a) {
  const s = a.sequencing;
  const out = [];
  const hasChildren = a.children.length > 0;
  const cm = s.controlMode;
  if (hasChildren) {
    if (cm.flow) out.push("Continue and Previous move through its children in order.");
    if (!cm.choice) out.push("The learner cannot choose its children from the table of contents.");
    if (cm.forwardOnly) out.push("No going back: Previous is not allowed among its children.");
    if (!cm.flow && cm.choice) out.push("Its children are reached by choosing them from the table of contents (flow is off).");
  }
  if (!cm.choiceExit) out.push("While it runs, the learner cannot choose an activity outside it.");
  if (s.constrainedChoice.constrainChoice) out.push("From it, the table of contents only offers the activities just before and after it.");
  if (s.constrainedChoice.preventActivation) out.push("Its children cannot be started from the table of contents until it has been started.");
  const ruleSets = [["preConditionRules", "Before it starts"], ["exitRules", "When one of its children ends"], ["postConditionRules", "After it ends"]];
  for (const [key, when] of ruleSets) {
    for (const r of s[key]) {
      const cond = conditions(r.conditions, r.combination, a);
      out.push(when + ": " + (cond === "always" ? "" : "if " + cond + ", ") + (ACTIONS[r.action] || r.action) + ".");
    }
  }
  const lc = s.limitConditions;
  if (lc.attemptLimit !== null && lc.attemptLimit !== undefined) out.push("At most " + lc.attemptLimit + " attempt" + (lc.attemptLimit === 1 ? "" : "s") + ".");
  if (lc.attemptAbsoluteDurationLimit) out.push("Each attempt may last at most " + duration(lc.attemptAbsoluteDurationLimit) + ".");
  if (hasChildren) {
    for (const r of s.rollup.rules) {
      const set = r.childActivitySet;
      const verb = set === "any" || set === "none" ? "is" : "are";
      const what = r.conditions.map((c) => (ROLLUP_CONDITIONS[c.condition] || [c.condition, "not " + c.condition])[c.not ? 1 : 0]).join(r.combination === "all" ? " and " : " or ");
      out.push("It is " + (ROLLUP_ACTIONS[r.action] || r.action) + " when " + childSet(set) + " " + verb + " " + what + ".");
    }
    if (!s.rollup.rollupObjectiveSatisfied) out.push("Its children's results do not decide whether it is satisfied.");
    if (!s.rollup.rollupProgressCompletion) out.push("Its children's results do not decide whether it is completed.");
  }
  if (s.rollup.objectiveMeasureWeight !== 1) out.push("Its score counts " + s.rollup.objectiveMeasureWeight + " times in its parent's score.");
  const rc = s.rollupConsiderations;
  const cons = { ifAttempted: "only once attempted", ifNotSkipped: "unless skipped", ifNotSuspended: "unless suspended" };
  for (const [k, label] of [["requiredForSatisfied", "satisfied"], ["requiredForNotSatisfied", "not satisfied"], ["requiredForCompleted", "completed"], ["requiredForIncomplete", "incomplete"]]) {
    if (rc[k] && rc[k] !== "always") out.push("It counts towards its parent being " + label + " " + (cons[rc[k]] || rc[k]) + ".");
  }
  for (const o of s.objectives) {
    if (o.satisfiedByMeasure) out.push((o.primary ? "It" : "Objective " + JSON.stringify(o.id)) + " is satisfied when the score (scaled) is at least " + o.minNormalizedMeasure + ".");
    for (const m of o.maps) {
      const reads = [m.readSatisfiedStatus && "satisfaction", m.readNormalizedMeasure && "score", m.readCompletionStatus && "completion", m.readProgressMeasure && "progress"].filter(Boolean);
      const writes = [m.writeSatisfiedStatus && "satisfaction", m.writeNormalizedMeasure && "score", m.writeCompletionStatus && "completion", m.writeProgressMeasure && "progress"].filter(Boolean);
      const what = (o.primary ? "Its" : "Objective " + JSON.stringify(o.id) + "'s");
      if (writes.length) out.push(what + " " + list(writes) + " go" + (writes.length === 1 ? "es" : "") + " to the global objective " + JSON.stringify(m.targetObjectiveId) + ".");
      if (reads.length) out.push(what + " " + list(reads) + " " + (reads.length === 1 ? "is" : "are") + " read from the global objective " + JSON.stringify(m.targetObjectiveId) + ".");
    }
  }
  const d = s.delivery;
  if (!d.tracked) out.push("It is not tracked: its results are not recorded.");
  if (d.completionSetByContent) out.push("Only the content sets its completion (the LMS does not assume completed).");
  if (d.objectiveSetByContent) out.push("Only the content sets its satisfaction (the LMS does not assume satisfied).");
  const r = s.randomization;
  if (r.selectCount !== null && r.selectCount !== undefined) out.push("Each attempt offers " + r.selectCount + " of its children, chosen at random (" + r.selectionTiming + ").");
  if (r.reorderChildren) out.push("Its children come in a random order (" + r.randomizationTiming + ").");
  if (a.completionThreshold && a.completionThreshold.completedByMeasure) out.push("It is completed when its progress reaches " + a.completionThreshold.minProgressMeasure + ".");
  if (a.masteryScore !== null && a.masteryScore !== undefined) out.push("Mastery score " + a.masteryScore + " (SCORM 1.2: passed at or above it).");
  if (a.prerequisites) out.push("SCORM 1.2 prerequisites " + JSON.stringify(a.prerequisites) + " (scorm-shim offers every SCO of a SCORM 1.2 package; prerequisites are not enforced).");
  if (a.maxTimeAllowed) out.push("Time allowed: " + a.maxTimeAllowed + (a.timeLimitAction ? ", then " + a.timeLimitAction : "") + ".");
  return out;
}

// ---- The report ----------------------------------------------------------

/**
 * The whole report. `inspected`: Shim.inspectManifest's answer; `paths`:
 * the package's files relative to its root.
 */
export function buildReport(inspected, paths) {
  if (!inspected || inspected.error || !inspected.manifest) {
    const e = (inspected && inspected.error) || { kind: "unknown", element: "", line: 0, column: 0, message: "the manifest could not be read" };
    return {
      ok: false,
      error: e,
      problems: [{ severity: "error", kind: e.kind, element: e.element, line: e.line, column: e.column, message: e.message }],
      organizations: [], activities: [], missing: [], unreferenced: [], sequencing: [],
    };
  }
  const m = inspected.manifest;
  const resources = new Map(m.resources.map((r) => [r.identifier, r]));
  const activities = walk(m.activityTree).map(({ a, depth, parent }) => ({
    id: a.id,
    title: a.title,
    depth,
    parent,
    visible: a.visible,
    isSco: !!(a.launch && a.launch.isSco),
    resource: a.launch ? a.launch.resourceId : null,
    href: a.launch ? a.launch.href : null,
  }));
  const problems = m.warnings.map((w) => ({ severity: "warning", kind: w.kind, element: w.element, line: w.line, column: w.column, message: w.message }));
  // Items whose resource has no usable href (refused as unsafe, or missing).
  for (const r of m.resources) {
    if (r.href === null && activities.some((a) => a.resource === r.identifier)) {
      problems.push({ severity: "error", kind: "unsafeHref", element: "resource", line: 0, column: 0, message: "resource " + JSON.stringify(r.identifier) + " has no launch location inside the package" });
    }
  }
  const { missing, unreferenced } = crossCheck(m.resources, paths);
  for (const a of activities) {
    if (a.href && !paths.includes(hrefPath(a.href)) && !missing.some((x) => x.path === hrefPath(a.href))) {
      missing.push({ path: hrefPath(a.href), resources: [a.resource], hint: "" });
    }
  }
  const sequencing = walk(m.activityTree)
    .map(({ a, depth }) => ({ id: a.id, title: a.title, depth, rules: sequencingInWords(a) }))
    .filter((x) => x.rules.length > 0);
  return {
    ok: true,
    identifier: m.identifier,
    title: m.activityTree.title,
    version: m.version,
    schemaVersion: m.schemaVersion,
    organization: m.organization,
    organizations: m.organizations.map((o) => ({ ...o, isDefault: o.identifier === m.defaultOrganization, delivered: o.identifier === m.organization })),
    activities,
    scoCount: activities.filter((a) => a.isSco).length,
    resources: resources.size,
    globalObjectives: m.globalObjectiveIds,
    problems,
    missing,
    unreferenced,
    sequencing,
  };
}
