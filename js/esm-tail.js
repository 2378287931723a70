
/**
 * Instantiate scorm-shim and install `API` / `API_1484_11` on `target`.
 * @param {object} [config] configuration (see README: every key of the script tag's data- attributes)
 * @param {object} [target] where the API objects go (default: globalThis)
 */
export async function load(config, target) {
  await init({ module_or_path: new URL("./scorm_shim_bg.wasm", import.meta.url) });
  const handle = scormShimInstall(Shim, target || globalThis, config || {}, __scormShimRenew);
  // The run-time-only build (js/no-course.js) has no package support.
  if (typeof scormShimNoCourse === "function") handle.course = scormShimNoCourse();
  // Content on the page's origin may reach the handle: it cannot change it.
  Object.freeze(handle.course);
  Object.freeze(handle);
  await handle.start();
  return handle;
}

export { Shim };
