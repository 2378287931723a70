// Type declarations of the page's side of the service worker (www/lib/sw-bridge.js).

/** `path` with each segment percent-encoded. */
export declare function encodePath(path: string): string;

export interface ServiceWorkerBridge {
  registration: ServiceWorkerRegistration;
  scope: string;
  /** The URL the worker serves `path` of package `id` at. */
  packageUrl(id: string, path?: string): string;
  /** The URL of package `id`'s imsmanifest.xml. */
  manifestUrl(id: string): string;
  /** Tell the worker that package `id` changed or is gone. */
  forget(id: string): void;
}

/** Register www/sw.js and wait until it controls this page (rejects with a PackageError). */
export declare function startServiceWorker(options?: { url?: URL | string; timeoutMs?: number }): Promise<ServiceWorkerBridge>;
