/**
 * The extension's pure logic: no `vscode` import, so it runs under node's test runner.
 *
 * Paths here are POSIX-style absolute paths as they appear in `vscode.Uri.path`
 * (`/home/me/ws/shop/cart.py`, `/c:/Users/me/ws/x.py` on Windows); the extension turns
 * them into `file:` and `repodoc:` URIs.
 */

import * as posix from 'node:path/posix';

/** The command ids the extension contributes. */
export const COMMANDS = {
  showFileDoc: 'repodoc.showFileDoc',
  showKeywordIndex: 'repodoc.showKeywordIndex',
  showFolderDoc: 'repodoc.showFolderDoc',
  searchKeywords: 'repodoc.searchKeywords',
  showCrossReferences: 'repodoc.showCrossReferences',
  exportDocs: 'repodoc.exportDocs',
  reindex: 'repodoc.reindex',
  restartServer: 'repodoc.restartServer',
  showLog: 'repodoc.showLog',
} as const;

/**
 * Command ids the extension registers itself. The server advertises some of the same ids
 * through `executeCommandProvider` (`repodoc.exportDocs`, `repodoc.reindex`,
 * `repodoc.showFileDoc`); vscode-languageclient would register each advertised id as a
 * VS Code command too and fail with "command already exists". The extension filters these
 * ids out of the client's ExecuteCommandFeature registration and sends
 * `workspace/executeCommand` itself where it needs the server's command.
 */
export const CLIENT_OWNED_SERVER_COMMANDS: readonly string[] = Object.values(COMMANDS);

export const PAGE_SCHEME = 'repodoc';
export const FOLDER_KINDS = ['index', 'doc', 'sub'] as const;
export type FolderKind = (typeof FOLDER_KINDS)[number];

/** `${workspaceFolder}` and a leading `~` in a setting. */
export function expandVariables(value: string, vars: { workspaceFolder?: string; home?: string }): string {
  let out = value;
  if (vars.workspaceFolder !== undefined) {
    out = out.split('${workspaceFolder}').join(vars.workspaceFolder);
  }
  if (vars.home && (out === '~' || out.startsWith('~/'))) {
    out = vars.home + out.slice(1);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Settings sent to the server

export interface ClientSettings {
  outputDir?: string;
  exclude?: readonly string[];
  templates?: string;
  trustTemplates?: boolean;
  /** `vscode.workspace.isTrusted`: a workspace's templates are never trusted in Restricted Mode. */
  workspaceTrusted?: boolean;
}

export interface ServerSettings {
  outputDir?: string;
  exclude?: string[];
  templates?: string;
  trustTemplates?: boolean;
}

/** `initializationOptions`: only what the user set, so `[tool.repodoc]` keeps the rest. */
export function initializationOptions(settings: ClientSettings): ServerSettings {
  const out: ServerSettings = {};
  const outputDir = (settings.outputDir ?? '').trim();
  if (outputDir) {
    out.outputDir = outputDir;
  }
  const exclude = (settings.exclude ?? []).filter((p) => typeof p === 'string' && p.trim() !== '');
  if (exclude.length) {
    out.exclude = [...exclude];
  }
  const templates = (settings.templates ?? '').trim();
  if (templates) {
    out.templates = templates;
  }
  if (settings.trustTemplates === true && settings.workspaceTrusted === true) {
    out.trustTemplates = true;
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Where pages live: the server says it (`outputDir` in repodoc/status, `page` and
// `outputDir` in each page result); the extension never rebuilds a page path.

export function isInside(child: string, parent: string): boolean {
  const rel = posix.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !posix.isAbsolute(rel));
}

/** `shop/cart.py` for `/root/shop/cart.py`; undefined outside the root. */
export function relativeToRoot(root: string, path: string): string | undefined {
  if (!isInside(path, root)) {
    return undefined;
  }
  return posix.relative(root, path);
}

/** Which page of a source file (`docs`, `kw`) or of a folder (a folder kind) a command shows. */
export type PageChoice = 'docs' | 'kw' | FolderKind;

/** The request that gives the page of `uri` a command shows. */
export function pageRequest(choice: PageChoice, uri: string): { method: string; params: { uri: string; kind?: FolderKind } } {
  if (choice === 'docs') {
    return { method: 'repodoc/fileDoc', params: { uri } };
  }
  if (choice === 'kw') {
    return { method: 'repodoc/keywordIndex', params: { uri } };
  }
  return { method: 'repodoc/folderDoc', params: { uri, kind: choice } };
}

/** The absolute path of a page the server named: its `page` in its `outputDir`. */
export function pageFilePath(outputDir: string, page: string): string {
  return posix.join(outputDir, page);
}

export type PathTarget =
  | { type: 'page'; page: string }
  | { type: 'source'; source: string; relative: string };

/**
 * What an absolute path in the `repodoc:` scheme stands for: a path in the output folder
 * (a page, by its path there, which `repodoc/page` serves), or a source file of the
 * workspace (a source-line link resolved against a page). Undefined for anything else.
 */
export function pathTarget(root: string, outputDir: string, path: string): PathTarget | undefined {
  const clean = posix.normalize(path);
  if (isInside(clean, outputDir) && clean !== outputDir) {
    return { type: 'page', page: posix.relative(outputDir, clean) };
  }
  const relative = relativeToRoot(root, clean);
  if (relative === undefined) {
    return undefined;
  }
  return { type: 'source', source: clean, relative };
}

// ---------------------------------------------------------------------------------------
// Links inside pages

/** A `#L12` or `#L12-L20` / `#L12,3` fragment as a zero-based line, if it is one. */
export function lineOfFragment(fragment: string | undefined): number | undefined {
  const m = /^L(\d+)(?:[-,].*)?$/i.exec(fragment ?? '');
  if (!m) {
    return undefined;
  }
  const line = Number(m[1]);
  return line >= 1 ? line - 1 : 0;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

// ---------------------------------------------------------------------------------------
// Commands' arguments and results

/**
 * The URI string a command was invoked with: a `vscode.Uri` (menus), `{uri}` (the
 * `command:repodoc.showFileDoc?[{"uri": ...}]` links in hovers), or a plain string.
 */
export function uriArgument(arg: unknown): string | undefined {
  if (typeof arg === 'string') {
    return arg || undefined;
  }
  if (Array.isArray(arg)) {
    return uriArgument(arg[0]);
  }
  if (arg && typeof arg === 'object') {
    const o = arg as Record<string, unknown>;
    if (typeof o.uri === 'string') {
      return o.uri;
    }
    if (o.uri && typeof o.uri === 'object') {
      return uriArgument(o.uri);
    }
    if (typeof o.scheme === 'string' && typeof o.path === 'string' && typeof o.toString === 'function') {
      const s = String(o);
      return s.includes(':') ? s : undefined;
    }
  }
  return undefined;
}

export function folderKindArgument(arg: unknown): FolderKind | undefined {
  if (arg && typeof arg === 'object' && !Array.isArray(arg)) {
    const kind = (arg as Record<string, unknown>).kind;
    if (typeof kind === 'string' && (FOLDER_KINDS as readonly string[]).includes(kind)) {
      return kind as FolderKind;
    }
  }
  return undefined;
}

export interface ExportResult {
  outputDir?: string;
  written?: number | unknown[];
  unchanged?: number | unknown[];
  removed?: number | unknown[];
}

function count(v: unknown): number {
  return Array.isArray(v) ? v.length : typeof v === 'number' ? v : 0;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function exportSummary(result: ExportResult | null | undefined, fallbackDir: string): string {
  const dir = result?.outputDir || fallbackDir;
  const written = count(result?.written);
  const unchanged = count(result?.unchanged);
  const removed = count(result?.removed);
  return `RepoDoc: exported documentation to ${dir}: ${plural(written, 'page')} written, ${unchanged} unchanged, ${removed} removed.`;
}

export interface SearchItem {
  name: string;
  kind?: string;
  qualifiedName?: string;
  location?: { uri: string; range?: { start: { line: number; character: number } } };
}

/** QuickPick rows for `repodoc/searchKeywords` items. */
export function searchPickRow(item: SearchItem, root: string | undefined): { label: string; description: string; detail: string } {
  let where = '';
  if (item.location?.uri) {
    let path = item.location.uri;
    if (path.startsWith('file://')) {
      path = safeDecode(path.replace(/^file:\/\/[^/]*/, ''));
    }
    const rel = root ? relativeToRoot(root, path) : undefined;
    where = rel ?? path;
    const line = item.location.range?.start.line;
    if (typeof line === 'number') {
      where += `:${line + 1}`;
    }
  }
  const qualified = item.qualifiedName && item.qualifiedName !== item.name ? item.qualifiedName : '';
  return {
    label: item.name,
    description: [item.kind ?? '', qualified].filter(Boolean).join(' · '),
    detail: where,
  };
}

// ---------------------------------------------------------------------------------------
// The status bar

export interface ServerStatus {
  state?: string;
  files?: number;
  symbols?: number;
}

export interface ProgressState {
  title?: string;
  message?: string;
  percentage?: number;
}

export type StatusPhase = 'starting' | 'running' | 'failed' | 'stopped';

export function statusBarText(
  phase: StatusPhase,
  progress: ProgressState | undefined,
  status: ServerStatus | undefined,
): { text: string; tooltip: string } {
  if (phase === 'failed') {
    return { text: '$(error) RepoDoc', tooltip: 'RepoDoc: the language server is not running. Click to open the log.' };
  }
  if (phase === 'stopped') {
    return { text: '$(circle-slash) RepoDoc', tooltip: 'RepoDoc: the language server is stopped.' };
  }
  if (phase === 'starting') {
    return { text: '$(sync~spin) RepoDoc', tooltip: 'RepoDoc: starting the language server…' };
  }
  if (progress) {
    const title = progress.title || 'Indexing';
    const pct = typeof progress.percentage === 'number' ? ` ${Math.max(0, Math.min(100, Math.round(progress.percentage)))}%` : '';
    return {
      text: `$(sync~spin) RepoDoc: ${title.toLowerCase()}${pct}`,
      tooltip: `RepoDoc: ${title}${progress.message ? ` — ${progress.message}` : ''}`,
    };
  }
  if (status?.state === 'indexing') {
    const files = typeof status.files === 'number' ? ` (${plural(status.files, 'file')})` : '';
    return { text: `$(sync~spin) RepoDoc: indexing${files}`, tooltip: 'RepoDoc: indexing the workspace' };
  }
  if (status && typeof status.files === 'number') {
    const symbols = typeof status.symbols === 'number' ? `, ${plural(status.symbols, 'symbol')}` : '';
    return {
      text: `$(book) RepoDoc: ${plural(status.files, 'file')}`,
      tooltip: `RepoDoc: ${plural(status.files, 'file')}${symbols} indexed. Click to open the workspace's documentation.`,
    };
  }
  return { text: '$(book) RepoDoc', tooltip: "RepoDoc: click to open the workspace's documentation." };
}
