// scorm-shim ES module entry. `load(config)` instantiates the module
// asynchronously and installs the API objects on `target` (default: globalThis).
import init, { Shim, __scormShimRenew } from "./scorm_shim.js";
