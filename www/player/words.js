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

/**
 * Why an activity or a request is unavailable, in a learner's words, by the
 * SN exception the look-ahead gives (SN Appendix C). The id and its technical
 * description stay available to an author or an administrator as the detail.
 */
const UNAVAILABLE = {
  "DB.1.1-3": "Not available now: the course's rules keep it closed (until earlier parts are done, or its attempts are used up).",
  "SB.2.2-2": "Not available now: the course's rules keep it closed (until earlier parts are done, or its attempts are used up).",
  "SB.2.9-2": "Not part of this attempt: the course chose other activities this time.",
  "SB.2.9-3": "Not offered in the menu: the course leads you there.",
  "SB.2.9-4": "This part is not chosen from the menu: use Continue and Previous.",
  "NB.2.1-10": "This part is not chosen from the menu: use Continue and Previous.",
  "SB.2.9-6": "Opens only when the course leads you there.",
  "SB.2.9-7": "Finish the current activity before you leave it.",
  "NB.2.1-8": "Finish the current activity before you leave it.",
  "SB.2.9-8": "The course is taken in order: this is not the next step.",
  "SB.2.4-1": "The course's rules do not let you go further from here yet.",
  "SB.2.4-2": "This course only goes forward.",
  "SB.2.1-4": "This course only goes forward.",
  "NB.2.1-5": "This course only goes forward.",
  "SB.2.1-2": "There is nothing to go to in that direction.",
  "SB.2.9-5": "There is nothing to open here.",
  "SB.2.9-9": "There is nothing to open here.",
  "DB.1.1-2": "There is nothing to open here.",
  "SB.2.10-3": "There is nothing to open here.",
  "SB.2.1-3": "This is the first activity.",
  "SB.2.4-3": "This is the first activity.",
  "NB.2.1-6": "This is the first activity.",
  "SB.2.2-1": "This part of the course is not taken in order: choose from the menu.",
  "NB.2.1-4": "This part of the course is not taken in order: choose from the menu.",
  "SB.2.7-2": "This part of the course is not taken in order: choose from the menu.",
  "SB.2.8-2": "This part of the course is not taken in order: choose from the menu.",
  "NB.2.1-2": "The course has not started.",
  "NB.2.1-3": "There is no saved place to resume.",
  "SB.2.6-2": "There is no saved place to resume.",
  "NB.2.1-11": "That activity is not part of this course.",
};

/**
 * `why` ({id, message} or text) as {words, detail}: the learner's words and,
 * for an SN exception, "id: description" for the tooltip and the details.
 * Reasons the package states in words (SCORM 1.2 prerequisites) are shown as
 * they are.
 */
export function whyWords(why) {
  if (!why) return { words: "", detail: "" };
  if (typeof why === "string") return { words: why, detail: "" };
  const sn = /^[A-Z]{2}\.\d/.test(why.id || "");
  if (!sn) return { words: why.message || "", detail: "" };
  const detail = why.id + ": " + why.message;
  return { words: UNAVAILABLE[why.id] || "Not available now.", detail };
}

/** A tooltip of a reason: the learner's words, then the SN exception in brackets. */
export function whyTooltip(words, detail) {
  return detail ? `${words} (${detail})` : words;
}

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
