// The durable copy of everything the shim writes to localStorage (issue 20).
//
// Chromium writes localStorage to disk lazily: a value written and the
// browser killed a second later is gone after a relaunch. IndexedDB hands a
// committed transaction to the browser's storage at once. So after every
// call into the module that wrote something (Commit, Terminate, the queue's
// bookkeeping, the sequencing state), the installer takes the module's
// journal and writes it here in one readwrite transaction with strict
// durability, started before the call returns to the SCO. At the next
// launch, before anything reads local state, restore() hands every record
// of the registration back to the module, which merges it into
// localStorage (queues: union by batch id; records: the higher revision).
// bench/durability.mjs measured the alternatives (docs/PROTOCOL.md).
//
// Database "scorm-shim", object store "records": localStorage key -> the
// same string value.
function scormShimDurable() {
  // Taken now, before any content runs: a SCO on the page's origin could
  // replace the globals later.
  var idb = null, KeyRange = null;
  try {
    idb = typeof indexedDB !== "undefined" ? indexedDB : null;
    KeyRange = typeof IDBKeyRange !== "undefined" ? IDBKeyRange : null;
  } catch (e) { idb = null; }
  var db = null;
  var failed = null;
  var waiting = []; // [op, key, value, ...] arrays written before the database was open
  var open = 0; // transactions not yet complete
  var idle = []; // resolvers of settled()

  function done() {
    if (--open === 0) {
      var list = idle;
      idle = [];
      for (var i = 0; i < list.length; i++) list[i]();
    }
  }

  var opened = !idb ? Promise.resolve(null) : new Promise(function (resolve) {
    var req;
    try { req = idb.open("scorm-shim", 1); } catch (e) { failed = e; resolve(null); return; }
    req.onupgradeneeded = function () { req.result.createObjectStore("records"); };
    req.onsuccess = function () {
      db = req.result;
      db.onversionchange = function () { db.close(); db = null; };
      var w = waiting;
      waiting = [];
      for (var i = 0; i < w.length; i++) put(w[i]);
      resolve(db);
    };
    req.onerror = function () { failed = req.error; resolve(null); };
    req.onblocked = function () { /* another tab upgrades: opens when it is done */ };
  }).then(function (d) {
    if (!d) console.warn("scorm-shim: IndexedDB is not available (" + (failed && failed.message || "no indexedDB") +
      "); committed data lives in localStorage only, which the browser writes to disk lazily");
    return d;
  });

  function put(entries) {
    if (!entries.length) return;
    if (!db) {
      if (idb && !failed) { open++; waiting.push(entries); opened.then(function () { done(); }); }
      return;
    }
    var tx;
    try {
      tx = db.transaction("records", "readwrite", { durability: "strict" });
    } catch (e) {
      try { tx = db.transaction("records", "readwrite"); } catch (e2) { console.error("scorm-shim: durable copy not written", e2); return; }
    }
    var store = tx.objectStore("records");
    for (var i = 0; i + 2 < entries.length; i += 3) {
      if (entries[i] === "p") store.put(entries[i + 2], entries[i + 1]);
      else store["delete"](entries[i + 1]);
    }
    open++;
    tx.oncomplete = done;
    tx.onabort = tx.onerror = function () {
      console.error("scorm-shim: the durable copy could not be written", tx.error);
      done();
    };
  }

  return {
    /** Write the module's journal (`[op, key, value, …]`, op "p" put or "d" delete) in one transaction. */
    write: put,
    /** Resolves once every transaction started so far is complete. */
    settled: function () {
      return open === 0 ? Promise.resolve() : new Promise(function (resolve) { idle.push(resolve); });
    },
    /** Resolves with `[key, value, …]` of every record whose key starts with `prefix`. */
    read: function (prefix) {
      return opened.then(function (d) {
        if (!d || !prefix) return [];
        return new Promise(function (resolve) {
          var out = [];
          var tx = d.transaction("records", "readonly");
          var range = KeyRange.bound(prefix, prefix + "\uffff");
          var req = tx.objectStore("records").openCursor(range);
          req.onsuccess = function () {
            var c = req.result;
            if (!c) { resolve(out); return; }
            if (typeof c.key === "string" && typeof c.value === "string") out.push(c.key, c.value);
            c["continue"]();
          };
          req.onerror = function () { resolve(out); };
        });
      }).catch(function () { return []; });
    },
    /** Remove every record whose key starts with `prefix` (a forced purge). */
    removePrefix: function (prefix) {
      return opened.then(function (d) {
        if (!d || !prefix) return;
        return new Promise(function (resolve) {
          var tx = d.transaction("records", "readwrite", { durability: "strict" });
          tx.objectStore("records")["delete"](KeyRange.bound(prefix, prefix + "\uffff"));
          tx.oncomplete = tx.onabort = tx.onerror = function () { resolve(); };
        });
      });
    },
  };
}
