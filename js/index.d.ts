// Type declarations of the scorm-shim ES module entry (and, through
// scorm-shim.d.ts, of the classic script's window.ScormShim). The whole
// public surface README documents; tests/js/types.test.mjs compiles
// README's examples against these with `tsc --strict`.

/** Configuration: the same keys as the script tag's data- attributes (see README). */
export interface ScormShimConfig {
  /** Backend URL that receives commit batches; omit for local storage only. */
  endpoint?: string;
  /** Extra request headers for the backend, e.g. { Authorization: "Bearer …" }. */
  headers?: Record<string, string> | string;
  /** Fetch credentials mode for backend requests (default "same-origin"). */
  credentials?: "omit" | "same-origin" | "include";
  learnerId?: string;
  learnerName?: string;
  /** The course; in the course player the package's manifest identifier when not set. */
  courseId?: string;
  /** The registration; in the course player one per learner and package when not set. */
  registrationId?: string;
  scoId?: string;
  /** Which API objects to expose (default "1.2,2004"). */
  versions?: "1.2" | "2004" | "1.2,2004" | "both";
  /** Prefix of every localStorage key (default "scorm-shim"). */
  storagePrefix?: string;
  /** Batching window for commits, milliseconds (default 5000). */
  commitInterval?: number | string;
  logLevel?: "off" | "error" | "warn" | "info" | "debug";
  credit?: "credit" | "no-credit";
  mode?: "normal" | "browse" | "review";
  launchData?: string;
  commentsFromLms?: string;
  /** SCORM 1.2 cmi.suspend_data limit: a number (default 65536) or "strict" (4096). */
  scorm12SuspendDataLimit?: number | "strict";
  /** Origins besides the page's own from which `course.open` may load a package (comma-separated). */
  packageOrigins?: string;
  /**
   * A SCORM 2004 SCO relaunched outside a sequenced course after its learner attempt
   * ended (cmi.exit normal, logout, time-out or ""): "new" starts a new attempt
   * (default), "review" shows the ended one in review mode.
   */
  endedAttempt?: "new" | "review";
  /** The largest request body the backend accepts, bytes (default 1048576): batches are split to fit. */
  maxBodyBytes?: number | string;
  /** The largest stored commit queue, bytes (default 2097152): a commit past it fails with 391. */
  queueLimit?: number | string;
  /** SCORM 2004 characterstrings past their SPM: "spm" refuses them with 351 (default), "none" stores them. */
  scorm2004StringLimit?: "spm" | "none";
}

/** New backend credentials for `setCredentials`. */
export interface ScormShimCredentials {
  /** Request headers, e.g. { Authorization: "Bearer …" } or "Authorization: Bearer …". */
  headers: Record<string, string> | string;
}

/** SCORM 1.2 API (`window.API`). Every method takes and returns strings. */
export interface Scorm12API {
  LMSInitialize(param: string): string;
  LMSFinish(param: string): string;
  LMSGetValue(element: string): string;
  LMSSetValue(element: string, value: string): string;
  LMSCommit(param: string): string;
  LMSGetLastError(): string;
  LMSGetErrorString(errorCode: string): string;
  LMSGetDiagnostic(errorCode: string): string;
}

/** SCORM 2004 API (`window.API_1484_11`). Every method takes and returns strings. */
export interface Scorm2004API {
  Initialize(param: string): string;
  Terminate(param: string): string;
  GetValue(element: string): string;
  SetValue(element: string, value: string): string;
  Commit(param: string): string;
  GetLastError(): string;
  GetErrorString(errorCode: string): string;
  GetDiagnostic(errorCode: string): string;
}

/** One observed API call. */
export interface ApiCallEvent {
  api: "1.2" | "2004";
  method: string;
  args: string[];
  result: string;
  /** The API's last error code after the call. */
  error: string;
  /** When `error` is not "0": the engine's diagnostic (which rule refused the call). */
  diagnostic?: string;
  time: number;
}

/** The data model a queue belongs to. */
export type DataModelVersion = "1.2" | "2004";

/** What the commit queue and local storage report (`onEvent`). */
export type ScormShimEvent =
  | { type: "queued"; id: string; sco: string }
  | { type: "sent"; seq: number }
  | { type: "acknowledged"; seq: number }
  | { type: "retrying"; seq: number; attempt: number; delay_ms: number }
  | { type: "failedPermanently"; seq: number; status: number; reason: string }
  /** The backend answered 401/403: the batch is kept and sending waits for `setCredentials`. `version`: the data model, null for the resume request. */
  | { type: "authRequired"; status: 401 | 403; version: DataModelVersion | null }
  /** A commit was refused: the stored queue would pass `queueLimit` (it answered "false", 391/101). */
  | { type: "queueFull"; bytes: number; limit: number }
  | { type: "offline" }
  | { type: "online" }
  | { type: "storageError"; message: string }
  /** No learnerId and registrationId configured: nothing is stored or sent. */
  | { type: "storageDisabled"; message: string }
  /** The WebAssembly module failed; a new instance took over from the stored data. */
  | { type: "recovered"; message: string }
  /** The WebAssembly module failed and no new instance could be made: calls answer "false" with 101. */
  | { type: "failed"; message: string }
  /** The stored queues of this registration (other pages', earlier visits') were taken over by this page. */
  | { type: "restored" }
  /** Change sets a bridge session stored on the content origin and this page had not stored were applied (and are sent). */
  | { type: "bridgeRecovered"; changeSets: number }
  /** A call the bridge answered was answered differently here (never expected: a bug to report). */
  | { type: "bridgeMismatch"; method: string; args: string[]; bridge: string; lms: string };

/** The commit queue of one data model. */
export interface QueueState {
  /** Batches not yet acknowledged (including the one in flight). */
  pending: number;
  in_flight: number | null;
  /** The highest acknowledged sequence number (0: none). */
  last_acked: number;
  /** When the next attempt may be made (ms since the epoch), if sending is held back. */
  next_attempt_ms: number | null;
  online: boolean;
  /** 401 or 403 while sending waits for new credentials. */
  auth_required: number | null;
  /** Size of the stored queue, bytes. */
  bytes: number;
  /** `queueLimit` in effect. */
  limit: number;
  /** Batches the backend refused for good. */
  failed: { seq: number; status: number; reason: string }[];
}

/** `queueStatus()`: one entry per data model the page has a queue for (with an endpoint). */
export type QueueStatus = Partial<Record<DataModelVersion, QueueState>>;

/** A batch the backend refused for good, kept until someone decides. */
export interface FailedBatch {
  version: DataModelVersion;
  /** Its id in the queue (give it to `retryFailed` / `discardFailed`). */
  id: string;
  seq: number;
  sco: string;
  /** The HTTP status it was refused with. */
  status: number;
  reason: string;
  /** When its first change was made (ms since the epoch). */
  ts: number;
  changes: [element: string, value: string][];
}

/** The SCORM version and edition a package declares (or its namespaces say). */
export type PackageVersion = "1.2" | "2004 2nd Edition" | "2004 3rd Edition" | "2004 4th Edition";

/** What `course.open` resolves with. */
export interface CourseInfo {
  identifier: string;
  title: string;
  version: PackageVersion;
  /** The organization played. */
  organization: string;
  /** Problems of the manifest that did not stop it ("line 3, column 5: …"). */
  warnings: string[];
  /** What the player should tell the learner (e.g. saved progress set aside). */
  notes: string[];
  /** A suspended session can be resumed (`resumeAll`). */
  canResume: boolean;
  /** The course and registration the tracking data goes to. */
  courseId: string;
  registrationId: string;
}

/** A navigation request (SCORM 2004 names; SCORM 1.2 packages take the same). */
export type NavigationRequest =
  | "start"
  | "resumeAll"
  | "continue"
  | "previous"
  | "exit"
  | "exitAll"
  | "suspendAll"
  | "abandon"
  | "abandonAll"
  | `{target=${string}}choice`
  | `{target=${string}}jump`;

/** Why something cannot be done now: the SN exception it would end in (e.g. "NB.2.1-8", "SB.2.9-6", "DB.1.1-3"), or "prerequisites" (SCORM 1.2). */
export interface Why {
  id: string;
  message: string;
}

/** One API object's data model as a debugger shows it. */
export interface DataModelView {
  state: "notInitialized" | "running" | "terminated";
  /** Every element GetValue would answer (and the write-only ones set), sorted by name. */
  elements: [string, string][];
}

/** What a navigation request led to. */
export type DeliveryView =
  | {
      type: "launch";
      /** The URL to put in the frame. */
      url: string;
      /** The launch location relative to the package. */
      href: string;
      activityId: string;
      title: string;
      isSco: boolean;
      version: DataModelVersion;
    }
  | { type: "ended" }
  | { type: "nothing" }
  | { type: "error"; id: string; message: string };

/** One activity in the navigation state. */
export interface ActivityNavState {
  id: string;
  title: string;
  /** 0 for the organization. */
  depth: number;
  visible: boolean;
  enabled: boolean;
  /** A choice of it would succeed now. */
  selectable: boolean;
  active: boolean;
  suspended: boolean;
  completion: "completed" | "incomplete" | "unknown";
  success: "passed" | "failed" | "unknown";
  /** Present when it is not enabled or not selectable: why. */
  why?: Why;
}

/** What a user interface may offer now (`course.navState()`). */
export interface NavState {
  start: boolean;
  resumeAll: boolean;
  continue: boolean;
  previous: boolean;
  exit: boolean;
  exitAll: boolean;
  suspendAll: boolean;
  abandon: boolean;
  abandonAll: boolean;
  activities: ActivityNavState[];
  /** Why a request is not valid, where the sequencer says. */
  why?: Partial<Record<string, Why>>;
}

/** The course's result so far (`course.result()`). */
export interface CourseResult {
  completion: "completed" | "incomplete" | "unknown";
  success: "passed" | "failed" | "unknown";
  /** The scaled score, 0..1. */
  score: number | null;
}

/** One activity of the package's tree (`course.tree()`). */
export interface ActivityTree {
  id: string;
  title: string;
  visible: boolean;
  launch: { resourceId: string; isSco: boolean; href: string } | null;
  dataFromLms: string | null;
  prerequisites: string | null;
  masteryScore: number | null;
  hideLmsUi: Record<"previous" | "continue" | "exit" | "exitAll" | "abandon" | "abandonAll" | "suspendAll", boolean>;
  /** The complete sequencing definition (IMS SS, every default applied). */
  sequencing: Record<string, unknown>;
  children: ActivityTree[];
}

/** The ids the tracking data of an opened package goes to. */
export interface CourseIds {
  learnerId: string;
  courseId: string;
  registrationId: string;
}

/** Options of `course.open`. */
export interface CourseOpenOptions {
  organization?: string;
  /**
   * The registration this package's data goes to, when the page keeps its own
   * (a library of courses, one registration per learner and version); without
   * it the configured registrationId, else one named after the package. Refused
   * (the promise rejects) once content has run on this page.
   */
  registrationId?: string;
  /**
   * A package on another origin plays through the bridge page there: its URL
   * (default: bridge.html beside the manifest). See `ScormShimBridge`.
   */
  bridgeUrl?: string;
  /** The launch token for the registration: `{headers}` (or null for none), possibly asynchronously. */
  credentials?: (ids: CourseIds) => ScormShimCredentials | null | Promise<ScormShimCredentials | null>;
}

/** Playing a content package (`handle.course`). */
export interface ScormShimCourse {
  /**
   * Fetch and open a package by the URL of its imsmanifest.xml. `options`: the organization
   * to play (a string, or `{organization}`), and `credentials`, called with the ids the
   * tracking data goes to (the package names the registration unless the page did) and
   * returning the launch token's headers for them before the backend is asked.
   */
  open(manifestUrl: string, options?: string | CourseOpenOptions): Promise<CourseInfo>;
  /** A navigation request; with `frame`, the running SCO is unloaded first. */
  navigate(request: NavigationRequest, frame?: HTMLIFrameElement): Promise<DeliveryView>;
  /**
   * Whether `request` would be accepted now (NB.2.1, then the whole request simulated on a copy
   * of the state, the running SCO's results counted as if it ended now): null, or the error
   * navigate() would give. Changes nothing.
   */
  accepts(request: NavigationRequest): Extract<DeliveryView, { type: "error" }> | null;
  /** What a user interface may offer now; null before a package is open. */
  navState(): NavState | null;
  /** The course's result so far; null before a package is open. */
  result(): CourseResult | null;
  /** The activity tree; null before a package is open. */
  tree(): ActivityTree | null;
  /** The sequencing state for a debugger (SCORM 2004 packages; null otherwise). */
  state(): { activities: { id: string; title: string; parent: number | null; objectives: string[]; state: Record<string, unknown> }[]; globals: Record<string, Record<string, unknown>>; current: string | null; suspended: string | null } | null;
  /** A manifest read for an import report, without opening it (loads the course engine first). */
  inspect(xml: string, organization?: string): Promise<{ manifest?: Record<string, unknown>; error?: { kind: string; element: string; line: number; column: number; message: string } }>;
  /** After each SCO session: what it asked for, processed (null: it asked for nothing). */
  onDeliver(listener: (view: DeliveryView | null) => void): () => void;
}

/** Options of `bridge.launch`. */
export interface BridgeLaunchOptions {
  /** The bridge page on the content origin: a copy of pkg/bridge/bridge.html (data-lms-origin naming this page's origin). */
  bridgeUrl: string;
  /** The content origin: scheme, host and port, no path (e.g. "https://cdn.example.com"). Both URLs must be on it. */
  contentOrigin: string;
  /** The SCO's page on the content origin (relative to `bridgeUrl`). */
  scoUrl: string;
  /** The SCO the tracking data goes to (configuration `scoId`), when not the configured one. */
  scoId?: string;
}

/** What the bridge did on this page (`bridge.status()`). */
export interface BridgeStatus {
  /** Calls the bridge answered, replayed here. */
  calls: number;
  /** Of them, answered differently here (0 unless there is a bug). */
  mismatches: number;
  /** Sessions launched. */
  sessions: number;
  /** Change sets recovered from the content origin (sessions whose last commits this page had not stored). */
  recovered: number;
  /** Messages refused: from a window that is not the session's bridge, or from another origin. */
  refused: number;
  /** A session runs now. */
  live: boolean;
}

/**
 * Content on another origin (a CDN, a content domain) through the bridge page there
 * (docs/SECURITY-bridge.md). The implementation loads with the course engine on the
 * first `launch`.
 */
export interface ScormShimBridge {
  /**
   * Launch a SCO on the content origin in `frame` through the bridge page there. Resolves
   * once the SCO is loading; rejects (loading nothing) when the options do not fit, the
   * bridge is on another origin, or it does not answer within 30 s (its data-lms-origin
   * does not name this page's origin).
   */
  launch(frame: HTMLIFrameElement, options: BridgeLaunchOptions): Promise<{ session: string }>;
  /** What the bridge did on this page. */
  status(): BridgeStatus;
  /** Resolves once a SCO that ran through the bridge has sent its last calls (or was given up). */
  settle(): Promise<void>;
}

/** What `load` returns (and, once ready, what `window.ScormShim` offers). */
export interface ScormShimHandle {
  api12: Scorm12API;
  api2004: Scorm2004API;
  /**
   * Apply more configuration (before content is launched); returns the rejected entries' messages.
   * Throws once content has been launched (first Initialize/LMSInitialize or a package's first activity).
   * Changing `endpoint` without giving `headers` in the same call drops the headers.
   */
  configure(config: ScormShimConfig): string[];
  /** New backend credentials, allowed at any time (sending resumes after "authRequired"); returns rejected entries' messages. */
  setCredentials(credentials: ScormShimCredentials): string[];
  /**
   * A new session with new configuration, for a page that plays session after session (the
   * author preview). Throws while a SCO session runs. Not on `window.ScormShim`.
   */
  newSession(config?: ScormShimConfig): string[];
  /** The effective configuration, without headers (credentials are never readable back). */
  config(): Record<string, string>;
  /** Start a new launch of the SCO: fresh API instances from stored state. */
  relaunch(): void;
  /** Watch every API call; returns an unsubscribe function. */
  onCall(listener: (event: ApiCallEvent) => void): () => void;
  /** Every data model element's current value, per API (reads nothing through the API objects). */
  dataModel(): { "1.2": DataModelView; "2004": DataModelView };
  /** Watch the commit queue and local storage; returns an unsubscribe function. */
  onEvent(listener: (event: ScormShimEvent) => void): () => void;
  /** The commit queue per data model. */
  queueStatus(): QueueStatus;
  /** The batches the backend refused for good. */
  failedBatches(): FailedBatch[];
  /** Send a refused batch again; false when `id` names none. */
  retryFailed(id: string): boolean;
  /** Forget a refused batch for good; false when `id` names none. */
  discardFailed(id: string): boolean;
  /**
   * Remove this learner's local data (logout on a shared device), once the queue has
   * delivered it; `{force: true}`: at once, undelivered data included.
   */
  purge(options?: { force?: boolean }): Promise<{ removed: number; kept: number }>;
  /** Start sending to the configured endpoint; resolves once the backend's state is known. */
  start(): Promise<void>;
  /** Content packages. */
  course: ScormShimCourse;
  /** Content on another origin, through the bridge page there. */
  bridge: ScormShimBridge;
}

/** Instantiate the module and install `API` / `API_1484_11` on `target` (default globalThis). */
export function load(config?: ScormShimConfig, target?: object): Promise<ScormShimHandle>;

/**
 * The WebAssembly class behind the handle. Its methods are internal (the
 * wasm-bindgen declarations in scorm_shim.d.ts list them); use `load()`.
 */
export declare class Shim {
  /**
   * `flatConfig`: `[key, value, …]` as one string, each entry as its length
   * (UTF-16 units), ":" and itself (the installer's encoding, src/engine/strlist.rs).
   */
  constructor(flatConfig: string);
  free(): void;
}
