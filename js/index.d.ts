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

/** What the commit queue and local storage report through `onEvent`. */
export type ScormShimEvent =
  | { type: "queued"; id: string; sco: string }
  | { type: "sent"; seq: number }
  | { type: "acknowledged"; seq: number }
  | { type: "retrying"; seq: number; attempt: number; delay_ms: number }
  | { type: "failedPermanently"; seq: number; status: number; reason: string }
  /** The backend answered 401/403: the batch is kept and sending waits for `setCredentials`. `version`: the data model, null for the resume request. */
  | { type: "authRequired"; status: 401 | 403; version: "1.2" | "2004" | null }
  /** A commit was refused: the stored queue would pass `queueLimit` (it answered "false", 391/101). */
  | { type: "queueFull"; bytes: number; limit: number }
  | { type: "storageError"; message: string }
  /** No learnerId and registrationId configured: nothing is stored or sent. */
  | { type: "storageDisabled"; message: string }
  | { type: "offline" }
  | { type: "online" }
  /** The WebAssembly module failed; a new instance took over from the stored data. */
  | { type: "recovered"; message: string }
  /** The WebAssembly module failed and no new instance could be made: calls answer "false" with 101. */
  | { type: "failed"; message: string };

/** One data model's commit queue (`queueStatus()`). */
export interface QueueStatus {
  pending: number;
  in_flight: number | null;
  last_acked: number;
  next_attempt_ms: number | null;
  online: boolean;
  /** 401 or 403 while sending waits for new credentials. */
  auth_required: number | null;
  /** Size of the stored queue, bytes. */
  bytes: number;
  /** `queueLimit` in effect. */
  limit: number;
  failed: { seq: number; status: number; reason: string }[];
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
  time: number;
}

/** What `load` returns. */
export interface ScormShimHandle {
  api12: Scorm12API;
  api2004: Scorm2004API;
  /**
   * Apply more configuration (before content is launched); returns the rejected entries' messages.
   * Throws once content has been launched (first Initialize/LMSInitialize or a package's first activity).
   */
  configure(config: ScormShimConfig): string[];
  /** New backend credentials, allowed at any time (sending resumes after "authRequired"); returns rejected entries' messages. */
  setCredentials(credentials: ScormShimCredentials): string[];
  /** The effective configuration, without headers (credentials are never readable back). */
  config(): Record<string, string>;
  /** Watch the commit queue and local storage; returns an unsubscribe function. */
  onEvent(listener: (event: ScormShimEvent) => void): () => void;
  /** The commit queue per data model ("1.2", "2004"). */
  queueStatus(): Record<string, QueueStatus>;
  /**
   * Remove this learner's local data (logout on a shared device), once the queue has
   * delivered it; `{force: true}`: at once, undelivered data included.
   */
  purge(options?: { force?: boolean }): Promise<{ removed: number; kept: number }>;
  /** Start a new launch of the SCO: fresh API instances from stored state. */
  relaunch(): void;
  /** Watch every API call; returns an unsubscribe function. */
  onCall(listener: (event: ApiCallEvent) => void): () => void;
}

/** Instantiate the module and install `API` / `API_1484_11` on `target` (default globalThis). */
export function load(config?: ScormShimConfig, target?: object): Promise<ScormShimHandle>;
