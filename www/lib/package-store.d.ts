// Type declarations of the package store (www/lib/package-store.js), shared
// by the author preview and the offline player. tests/js/types.test.mjs
// compiles README's example against them.

/** The one error shape of the store: a stable `id`, a `message` in words, optional `detail`. */
export declare class PackageError extends Error {
  constructor(id: string, message: string, detail?: unknown);
  /** "notZip", "noManifest", "parent", "ratio", "quota", "missing", "corrupt", … */
  id: string;
  detail: string;
}

/** Import progress. */
export interface ImportProgress {
  phase?: string;
  bytes?: number;
  totalBytes?: number;
  files?: number;
  totalFiles?: number;
  [key: string]: unknown;
}

/** A stored package, as `list()` and `info()` describe it. */
export interface PackageInfo {
  id: string;
  name: string;
  /** "zip" (kept as it came) or "files" (a folder or a manifest URL, file by file). */
  kind: "zip" | "files";
  source?: string;
  /** Bytes the package takes in the store. */
  size?: number;
  fileCount: number;
  createdAt: string;
  [key: string]: unknown;
}

/** One file of a package. */
export interface PackageFile {
  path: string;
  size: number;
  [key: string]: unknown;
}

export interface ImportResult {
  info: PackageInfo;
  files: PackageFile[];
  manifestXml: string;
}

export interface ImportOptions {
  name?: string;
  source?: string;
  onProgress?: (progress: ImportProgress) => void;
  signal?: AbortSignal;
}

/** Reads one stored package's files. */
export interface PackageReader {
  info: PackageInfo;
  files: PackageFile[];
  /** `{size, type}` of `path`, or null when the package has no such file. */
  stat(path: string): { size: number; type: string } | null;
  /** Bytes `start..=end` (default: all) of `path`. */
  read(path: string, range?: { start?: number; end?: number }): Promise<ReadableStream<Uint8Array>>;
  text(path: string): Promise<string>;
  close(): void;
}

export interface PackageStore {
  importZip(blob: Blob, options?: ImportOptions): Promise<ImportResult>;
  importFiles(files: { path: string; file: Blob }[], options?: ImportOptions): Promise<ImportResult>;
  /** A zip, or an imsmanifest.xml whose files `listFiles(xml)` names. */
  importUrl(url: string, options?: ImportOptions & {
    listFiles?: (manifestXml: string) => string[] | Promise<string[]>;
    fetch?: typeof fetch;
  }): Promise<ImportResult>;
  /** Every complete package, newest first. */
  list(): Promise<PackageInfo[]>;
  /** Remove packages whose import never finished; resolves with their ids. */
  sweep(): Promise<string[]>;
  info(id: string): Promise<PackageInfo | null>;
  /** The whole stored description of `id` (with its file list), or null. */
  meta(id: string): Promise<(PackageInfo & { files: PackageFile[] }) | null>;
  remove(id: string): Promise<void>;
  forget(id: string): void;
  open(id: string): Promise<PackageReader | null>;
}

/** Open the store (the origin private file system). */
export declare function openStore(options?: { limits?: Record<string, number> }): Promise<PackageStore>;
/** A PackageError for whatever zip.js or the file system threw. */
export declare function packageErrorOf(e: unknown): PackageError;
