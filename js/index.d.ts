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

/** Content packages (full build; the run-time-only build's methods fail). */
export interface CourseHandle {
  open(manifestUrl: string, organization?: string): Promise<{ identifier: string; title: string; version: string; organization: string; warnings: string[]; canResume: boolean }>;
  navigate(request: string, frame?: HTMLIFrameElement): Promise<{ type: "launch" | "ended" | "nothing" | "error"; [key: string]: unknown }>;
  navState(): Record<string, unknown> | null;
  /** null when the sequencer accepts `request` now (NB.2.1), else why not. */
  accepts(request: string): { type: "error"; id: string; message: string } | null;
  tree(): Record<string, unknown> | null;
  /** The sequencing state for a debugger (SCORM 2004 packages; null otherwise). */
  state(): { activities: { id: string; title: string; parent: number | null; objectives: string[]; state: Record<string, unknown> }[]; globals: Record<string, Record<string, unknown>>; current: string | null; suspended: string | null } | null;
  /** A manifest read for an import report, without opening it. */
  inspect(xml: string, organization?: string): Promise<{ manifest?: Record<string, unknown>; error?: { kind: string; element: string; line: number; column: number; message: string } }>;
  onDeliver(listener: (view: Record<string, unknown> | null) => void): () => void;
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
  course: CourseHandle;
}

/** Instantiate the module and install `API` / `API_1484_11` on `target` (default globalThis). */
export function load(config?: ScormShimConfig, target?: object): Promise<ScormShimHandle>;
