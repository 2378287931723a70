
/**
 * Instantiate scorm-shim and install `API` / `API_1484_11` on `target`.
 * @param {object} [config] configuration (see README: every key of the script tag's data- attributes)
 * @param {object} [target] where the API objects go (default: globalThis)
 */
export async function load(config, target) {
  await init({ module_or_path: new URL("./scorm_shim_bg.wasm", import.meta.url) });
  // The course engine (pkg/course/) is found beside this file, wherever it was copied to.
  const handle = scormShimInstall(Shim, target || globalThis, config || {}, scormShimCourseLoader(import.meta.url), __scormShimRenew);
  // Content on the page's origin may reach the handle: it cannot change it.
  Object.freeze(handle.course);
  Object.freeze(handle);
  await handle.start();
  return handle;
}

export { Shim };
