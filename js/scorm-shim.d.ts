// Globals defined by the classic script `scorm-shim.js`.
import type { Scorm12API, Scorm2004API, ScormShimConfig, ScormShimHandle } from "./index";

export interface ScormShimGlobal extends Partial<ScormShimHandle> {
  version: string;
  /** Resolves once the API objects exist (at once on the synchronous path). */
  ready: Promise<ScormShimGlobal>;
  isReady: boolean;
  /** "sync" when the module compiled synchronously, "async" otherwise. */
  mode: "sync" | "async" | null;
  configure(config: ScormShimConfig): string[];
}

declare global {
  interface Window {
    API?: Scorm12API;
    API_1484_11?: Scorm2004API;
    ScormShim: ScormShimGlobal;
    /** Read by scorm-shim.js when it runs, before its data- attributes. */
    scormShimConfig?: ScormShimConfig;
  }
}
