// Type declarations of the scorm-shim ES module entry.

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
  courseId?: string;
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

/** One API object's data model as a debugger shows it. */
export interface DataModelView {
  state: "notInitialized" | "running" | "terminated";
  /** Every element GetValue would answer (and the write-only ones set), sorted by name. */
  elements: [string, string][];
}

/** Why a navigation request or a table-of-contents entry is not available: the SN exception it would end in. */
export interface SequencingWhy {
  /** SN exception identifier, e.g. "NB.2.1-8", "SB.2.9-6", "DB.1.1-3". */
  id: string;
  /** Its description. */
  message: string;
}

/** One activity of `course.navState()`, in document order. */
export interface ActivityNavState {
  id: string;
  title: string;
  /** 0 for the root (the organization). */
  depth: number;
  /** Shown in a table of contents (its own isvisible; no hiddenFromChoice on it or an ancestor). */
  visible: boolean;
  /** Not disabled by a rule or a limit condition. */
  enabled: boolean;
  /** A choice of it would succeed now. */
  selectable: boolean;
  active: boolean;
  suspended: boolean;
  completion: "completed" | "incomplete" | "unknown";
  success: "passed" | "failed" | "unknown";
  /** Present when it is not enabled or not selectable. */
  why?: SequencingWhy;
}

type NavRequestName = "start" | "resumeAll" | "continue" | "previous" | "exit" | "exitAll" | "suspendAll" | "abandon" | "abandonAll";

/** `course.navState()`: which requests are valid (and why not), and every activity. */
export type NavState = { [R in NavRequestName]: boolean } & {
  /** For each request that is false, why. */
  why: Partial<Record<NavRequestName, SequencingWhy>>;
  activities: ActivityNavState[];
};

/** What `course.navigate()` resolves with (and `course.onDeliver` listeners receive). */
export type CourseView =
  | { type: "launch"; url: string; href: string; activityId: string; title: string; isSco: boolean; version: "1.2" | "2004" }
  | { type: "ended" }
  | { type: "nothing" }
  /** Refused before anything changed (the running SCO keeps running), or failed. */
  | { type: "error"; id: string; message: string };

/** Content packages. */
export interface ScormShimCourse {
  open(manifestUrl: string, organization?: string): Promise<{ identifier: string; title: string; version: string; organization: string; warnings: string[]; canResume: boolean }>;
  /** A request that would fail resolves with an error view and leaves the running SCO alone. */
  navigate(request: string, frame?: HTMLIFrameElement): Promise<CourseView>;
  navState(): NavState | null;
  /** null when the sequencer accepts `request` now (NB.2.1 and a simulation of the whole request), else why not. */
  accepts(request: string): { type: "error"; id: string; message: string } | null;
  tree(): unknown;
  /** The sequencing state for a debugger (SCORM 2004 packages; null otherwise). */
  state(): { activities: { id: string; title: string; parent: number | null; objectives: string[]; state: Record<string, unknown> }[]; globals: Record<string, Record<string, unknown>>; current: string | null; suspended: string | null } | null;
  /** A manifest read for an import report, without opening it (loads the course engine first). */
  inspect(xml: string, organization?: string): Promise<{ manifest?: Record<string, unknown>; error?: { kind: string; element: string; line: number; column: number; message: string } }>;
  onDeliver(listener: (view: CourseView) => void): () => void;
}

/** What `load` returns. */
export interface ScormShimHandle {
  api12: Scorm12API;
  api2004: Scorm2004API;
  /** Apply more configuration (before a SCO initializes); returns the rejected entries' messages. */
  configure(config: ScormShimConfig): string[];
  /** The effective configuration. */
  config(): Record<string, unknown>;
  /** Start a new launch of the SCO: fresh API instances from stored state. */
  relaunch(): void;
  /** Watch every API call; returns an unsubscribe function. */
  onCall(listener: (event: ApiCallEvent) => void): () => void;
  /** Every data model element's current value, per API (reads nothing through the API objects). */
  dataModel(): { "1.2": DataModelView; "2004": DataModelView };
  /** Content packages (the course engine loads on the first open()). */
  course: ScormShimCourse;
}

/** Instantiate the module and install `API` / `API_1484_11` on `target` (default globalThis). */
export function load(config?: ScormShimConfig, target?: object): Promise<ScormShimHandle>;
