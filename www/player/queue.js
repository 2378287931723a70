// Where the learner's progress stands with the backend, said in the page:
// batches the backend refused for good (kept until someone decides: send
// again or discard), connection trouble, offline, local storage full.

function describeFailed(b) {
  const what = b.changes.slice(0, 6).map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join("\n");
  const more = b.changes.length > 6 ? `\n… and ${b.changes.length - 6} more values` : "";
  return `Batch ${b.seq} of SCO “${b.sco}” (SCORM ${b.version}), refused with HTTP ${b.status}: ${b.reason}\n` +
    `Recorded ${new Date(b.ts).toISOString()}\n${what}${more}`;
}

/**
 * @param {object} shim the ScormShim handle
 * @param {ReturnType<import("./messages.js").createMessages>} messages
 */
export function watchQueue(shim, messages) {
  let retries = 0;

  function showFailed() {
    const failed = shim.failedBatches();
    if (!failed.length) {
      messages.clear("refused");
      document.documentElement.dataset.refused = "0";
      return;
    }
    document.documentElement.dataset.refused = String(failed.length);
    const n = failed.length;
    messages.show({
      key: "refused",
      level: "error",
      sticky: true,
      title: "Progress not accepted by the server.",
      text: `The server refused ${n === 1 ? "one save" : n + " saves"} of your progress for good ` +
        `(“${failed[0].reason}”). ${n === 1 ? "It is" : "They are"} kept in this browser: an administrator ` +
        "can send it again once the cause is fixed, or discard it.",
      detail: failed.map(describeFailed).join("\n\n"),
      actions: [
        { label: "Send again", run: () => { failed.forEach((b) => shim.retryFailed(b.id)); showFailed(); } },
        {
          label: "Discard",
          run: () => {
            if (window.confirm(`Discard ${n === 1 ? "this save" : "these " + n + " saves"} of your progress for good?`)) {
              failed.forEach((b) => shim.discardFailed(b.id));
              showFailed();
            }
          },
        },
      ],
    });
  }

  shim.onEvent((e) => {
    switch (e.type) {
      case "failedPermanently":
      case "restored":
        showFailed();
        break;
      case "retrying":
        retries = e.attempt;
        if (e.attempt >= 3) {
          messages.show({
            key: "retrying",
            level: "warning",
            title: "Cannot reach the server.",
            text: "Your progress is kept in this browser and will be sent when the server answers again " +
              `(next try in ${Math.max(1, Math.round(e.delay_ms / 1000))} s).`,
            detail: `Batch ${e.seq}, attempt ${e.attempt}.`,
          });
        }
        break;
      case "acknowledged":
        if (retries) { retries = 0; messages.clear("retrying"); }
        break;
      case "offline":
        messages.show({ key: "offline", level: "warning", title: "You are offline.", text: "Your progress is kept in this browser and sent when you are back online.", sticky: true });
        break;
      case "online":
        messages.clear("offline");
        break;
      case "storageError":
        messages.show({
          key: "storage",
          level: "error",
          sticky: true,
          title: "Your progress cannot be saved in this browser.",
          text: "The browser's storage for this site is full or not available. Keep this page open; " +
            "free some space (or allow storage for this site) and continue.",
          detail: e.message,
        });
        break;
      default:
        break;
    }
  });
  showFailed();
  return { showFailed };
}
