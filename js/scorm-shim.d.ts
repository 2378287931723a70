// Globals defined by the classic script `scorm-shim.js` (and scorm-shim-rte.js):
// `window.API`, `window.API_1484_11` and `window.ScormShim`.
import type {
  ApiCallEvent,
  DataModelView,
  FailedBatch,
  QueueStatus,
  Scorm12API,
  Scorm2004API,
  ScormShimBridge,
  ScormShimConfig,
  ScormShimCourse,
  ScormShimCredentials,
  ScormShimEvent,
} from "./index";

/**
 * `window.ScormShim`. The API objects and `course` exist once `isReady` is true: at
 * once when the module compiled synchronously (`mode` "sync", the usual case), else
 * when `ready` resolves. Listeners given to `onCall`/`onEvent` before that are
 * subscribed as soon as it is.
 */
export interface ScormShimGlobal {
  /** The package version. */
  version: string;
  /** Resolves with this object once the API objects exist and, with an endpoint, the backend's state is known. */
  ready: Promise<ScormShimGlobal>;
  isReady: boolean;
  /** "sync" when the module compiled synchronously, "async" otherwise; null until then. */
  mode: "sync" | "async" | null;
  api12: Scorm12API;
  api2004: Scorm2004API;
  /** Content packages (the course engine loads on the first `course.open()`). */
  course: ScormShimCourse;
  /** Content on another origin, through the bridge page there (loads the course engine on the first `launch`). */
  bridge: ScormShimBridge;
  /**
   * Apply more configuration, until `ready` has resolved and its callbacks ran (content may run
   * from then on); queued until the module is ready. Returns the rejected entries' messages;
   * throws afterwards, and once content has been launched. Changing `endpoint` without giving
   * `headers` in the same call drops the headers (credentials go only where they were given for).
   */
  configure(config: ScormShimConfig): string[];
  /** New backend credentials, allowed at any time (sending resumes after "authRequired"). */
  setCredentials(credentials: ScormShimCredentials): string[];
  /** The effective configuration, without headers; null until ready. */
  config(): Record<string, string> | null;
  /** Start a new launch of the SCO: fresh API instances from stored state. */
  relaunch(): void;
  /** Watch every API call; returns an unsubscribe function. */
  onCall(listener: (event: ApiCallEvent) => void): () => void;
  /** Watch the commit queue and local storage; returns an unsubscribe function. */
  onEvent(listener: (event: ScormShimEvent) => void): () => void;
  /** The commit queue per data model; null until ready. */
  queueStatus(): QueueStatus | null;
  /** The batches the backend refused for good. */
  failedBatches(): FailedBatch[];
  /** Send a refused batch again; false when `id` names none. */
  retryFailed(id: string): boolean;
  /** Forget a refused batch for good; false when `id` names none. */
  discardFailed(id: string): boolean;
  /** Every data model element's current value, per API; null until ready. */
  dataModel(): { "1.2": DataModelView; "2004": DataModelView } | null;
  /** Remove this learner's local data (logout on a shared device); see the ES handle's `purge`. */
  purge(options?: { force?: boolean }): Promise<{ removed: number; kept: number }>;
}

declare global {
  interface Window {
    API?: Scorm12API;
    API_1484_11?: Scorm2004API;
    ScormShim: ScormShimGlobal;
    /** Read by scorm-shim.js when it runs, before its data- attributes. */
    scormShimConfig?: ScormShimConfig;
  }
  /** The classic script's global (also `window.ScormShim`). */
  var ScormShim: ScormShimGlobal;
}
