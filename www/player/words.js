// Plain words for what the sequencer says, for the learner; the exception
// id and its technical description go in the message's details.

/** What a refused request means to a learner, by request. */
const REFUSED = {
  start: "The course cannot start here.",
  resumeAll: "There is no saved place to resume.",
  continue: "There is no next activity to go to from here.",
  previous: "There is no previous activity to go back to from here.",
  exit: "There is no activity to leave.",
  exitAll: "The course is not running.",
  suspendAll: "The course is not running.",
  choice: "That activity cannot be opened now.",
};

/** Statuses as the table of contents shows them. */
export function statusText(a) {
  if (a.success === "passed") return "passed";
  if (a.success === "failed") return "failed";
  if (a.completion === "completed") return "completed";
  if (a.completion === "incomplete") return "in progress";
  return "";
}

/**
 * A refusal `{id, message}` for `request`: {text, detail}. Messages the
 * package states in words (prerequisites: "Not available yet: …") are
 * shown as they are.
 */
export function refusal(request, view) {
  const kind = /^\{target=/.test(request) ? "choice" : request;
  const words = /^Not available yet/.test(view.message) ? view.message : REFUSED[kind] || "That is not possible now.";
  return { text: words, detail: `${view.id}: ${view.message}` };
}

/** The course's result in words: {line, title, text}. */
export function resultWords(r) {
  if (!r) return { line: "", title: "", text: "" };
  const score = typeof r.score === "number" ? ` · score ${Math.round(r.score * 100)}%` : "";
  const scoreText = typeof r.score === "number" ? ` Your score: ${Math.round(r.score * 100)}%.` : "";
  if (r.success === "passed") {
    return { line: "Passed" + score, title: "Well done: you passed the course.", text: "Your result is saved." + scoreText };
  }
  if (r.success === "failed") {
    return {
      line: "Not passed" + score,
      title: "You did not pass the course this time.",
      text: "Your result is saved." + scoreText + " You can start again to try once more.",
    };
  }
  if (r.completion === "completed") {
    return { line: "Completed" + score, title: "You completed the course.", text: "Your result is saved." + scoreText };
  }
  if (r.completion === "incomplete") {
    return { line: "In progress" + score, title: "The course is not finished yet.", text: "Your progress is saved." + scoreText };
  }
  return { line: "", title: "The course session has ended.", text: "" };
}
