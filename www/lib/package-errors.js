// The one error shape of the package store (www/lib/package-store.js and
// what it uses): a stable `id`, a `message` in words for the page to show,
// and the technical `detail`.

export class PackageError extends Error {
  constructor(id, message, detail) {
    super(message);
    this.name = "PackageError";
    this.id = id;
    this.detail = detail === undefined ? "" : String(detail);
  }
}

/** zip.js error messages, as what they mean for the author. */
const ZIP_ERRORS = [
  ["End of central directory not found", "notZip", "this file is not a zip archive (no end of central directory): choose the .zip your authoring tool exported"],
  ["File format is not recognized", "notZip", "this file is not a zip archive"],
  ["Central directory header not found", "corrupt", "the zip is damaged: its central directory is missing (was the download cut short?)"],
  ["Local file header not found", "corrupt", "the zip is damaged: an entry's local header is missing"],
  ["Split zip file", "split", "this is one part of a split (multi-volume) zip; join the parts into one zip first"],
  ["Zip64 extra field not found", "corrupt", "the zip is damaged: a ZIP64 size field is missing"],
  ["File contains encrypted entry", "encrypted", "the zip is password-protected; export it without encryption"],
  ["Encryption method not supported", "encrypted", "the zip uses an encryption this page cannot read"],
  ["Compression method not supported", "method", "the zip uses a compression method other than stored or deflated"],
  ["Entry data out of bounds", "corrupt", "the zip is damaged: an entry's data lies outside the file"],
  ["Overlapping entry", "overlap", "two entries of the zip share stored data (a zip bomb technique)"],
  ["Ambiguous archive", "ambiguous", "the zip can be read in two ways (two end records or duplicate names); re-create it"],
  ["Invalid uncompressed size", "size", "an entry inflates to a different size than the zip declares (a damaged zip or a zip bomb)"],
  ["Invalid compressed data", "corrupt", "the zip is damaged: an entry's compressed data cannot be inflated"],
];

/** A PackageError for whatever zip.js, the network or the file system threw. */
export function packageErrorOf(e) {
  if (e instanceof PackageError) return e;
  const msg = e && e.message ? String(e.message) : String(e);
  for (const [text, id, words] of ZIP_ERRORS) {
    if (msg.includes(text)) return new PackageError(id, words, msg);
  }
  if (e && e.name === "QuotaExceededError") {
    return new PackageError("quota", "the browser's storage for this site is full; remove packages you no longer need", msg);
  }
  if (e && e.name === "AbortError") return new PackageError("aborted", "the import was cancelled", msg);
  if (e && (e.name === "TypeError" && /fetch|network/i.test(msg) || e.name === "NetworkError")) {
    return new PackageError("network", "the network connection was lost", msg);
  }
  if (e && e.name === "NotFoundError") {
    return new PackageError("gone", "the stored files are gone (the browser cleared this site's storage, or another tab removed them)", msg);
  }
  return new PackageError("unexpected", "the package could not be read: " + msg, e && e.stack);
}

/** Errors after which a download may go on where it stopped (the rest start over, or cannot succeed). */
export const RESUMABLE = ["aborted", "cutShort", "http5xx", "network", "quota", "unexpected"];
