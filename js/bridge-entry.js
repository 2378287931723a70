// `ScormShim.bridge` in the drop-in (issue 17): content on another origin,
// through the bridge page there. The implementation (js/bridge-host.js) and
// the Rust it needs come with the course engine (pkg/course/), which
// `launch()` loads the first time, as `course.open()` does: a page that never
// uses the bridge downloads none of it.

/** `io`: the installer's hooks (js/install.js), with engine() and factory(). */
function scormShimBridgeEntry(io) {
  var impl = null;
  /** The implementation, once the course engine (or this build) has it. */
  function host() {
    if (!impl) {
      var make = io.factory();
      if (make) impl = make(io);
    }
    return impl;
  }
  return {
    /**
     * Launch a SCO on another origin in `frame` through the bridge page
     * there: `options` {bridgeUrl, contentOrigin, scoUrl, scoId}. Resolves
     * with {session} once the SCO is loading; rejects, loading nothing in
     * the frame, when the configuration does not fit.
     */
    launch: function (frame, options) {
      return io.engine().then(function () {
        if (!host()) throw new Error("scorm-shim: bridge: this build has no bridge (pkg/course/ is needed)");
        return impl.launch(frame, options);
      });
    },
    /** {calls, mismatches, sessions, recovered, live}: what the bridge did on this page. */
    status: function () {
      return host() ? impl.status() : { calls: 0, mismatches: 0, sessions: 0, recovered: 0, refused: 0, live: false };
    },
    /** The course player's launch of a package on another origin (js/install.js). */
    prepare: function (url, bridgeUrl, frame) {
      if (!host()) throw new Error("scorm-shim: bridge: this build has no bridge");
      return impl.prepare(url, bridgeUrl, frame);
    },
    /** Resolves once a SCO that ran through the bridge has sent its last calls. */
    settle: function () {
      return impl ? impl.settle() : Promise.resolve();
    },
  };
}
