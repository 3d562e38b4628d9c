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

export const DEFAULT_OUTPUT_DIR = 'docs/repodoc';
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

/** The `output-dir` of `[tool.repodoc]` in a pyproject.toml, when it sets one. */
export function outputDirFromPyproject(text: string): string | undefined {
  let inSection = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const header = /^\[\s*([^\]]+?)\s*\]\s*(#.*)?$/.exec(line);
    if (header) {
      inSection = header[1].replace(/["'\s]/g, '') === 'tool.repodoc';
      continue;
    }
    if (!inSection) {
      continue;
    }
    const m = /^["']?output[-_]dir["']?\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)')/.exec(line);
    if (m) {
      return m[1] !== undefined ? m[1].replace(/\\(["\\])/g, '$1') : m[2];
    }
  }
  return undefined;
}

/** The absolute output folder: the setting, else pyproject's, else docs/repodoc, under root. */
export function resolveOutputDir(root: string, setting?: string, pyprojectOutputDir?: string, home?: string): string {
  let value = (setting ?? '').trim() || (pyprojectOutputDir ?? '').trim() || DEFAULT_OUTPUT_DIR;
  value = expandVariables(value.replace(/\\/g, '/'), { workspaceFolder: root, home });
  const absolute = value.startsWith('/') || /^[A-Za-z]:\//.test(value);
  if (absolute) {
    return posix.normalize(/^[A-Za-z]:\//.test(value) ? '/' + value : value).replace(/\/+$/, '') || '/';
  }
  return posix.join(root, value).replace(/\/+$/, '');
}

// ---------------------------------------------------------------------------------------
// Where pages live (mirrors repodoc_ls/docs/pages.py)

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

export type PageTarget =
  | { kind: 'docs' | 'kw'; path: string }
  | { kind: FolderKind; path: string; letter?: string };

/** The page path relative to the output folder, as pages.py computes it. */
export function pageRelativePath(target: PageTarget): string {
  switch (target.kind) {
    case 'docs':
      return `${target.path}_docs.md`;
    case 'kw':
      return `${target.path}_kw.md`;
    default: {
      const name = target.kind === 'sub' && target.letter ? `sub-${target.letter}.md` : `${target.kind}.md`;
      return target.path ? `${target.path}/${name}` : name;
    }
  }
}

/** The absolute page path for a source file or folder (absolute), or undefined outside root. */
export function pagePath(root: string, outputDir: string, kind: PageTarget['kind'], sourcePath: string): string | undefined {
  const rel = relativeToRoot(root, sourcePath);
  if (rel === undefined || isInside(sourcePath, outputDir)) {
    return undefined;
  }
  return posix.join(outputDir, pageRelativePath({ kind, path: rel } as PageTarget));
}

export type ParsedPage =
  | { type: 'page'; kind: 'docs' | 'kw'; source: string; relative: string }
  | { type: 'page'; kind: FolderKind; source: string; relative: string; letter?: string }
  | { type: 'source'; source: string; relative: string };

/**
 * What an absolute path in the `repodoc:` scheme stands for: a page under the output
 * folder (and so the file or folder it documents), or a source file of the workspace
 * (a source-line link resolved against a page). Undefined for anything else.
 */
export function parsePagePath(root: string, outputDir: string, path: string): ParsedPage | undefined {
  const clean = posix.normalize(path);
  if (isInside(clean, outputDir)) {
    const rel = posix.relative(outputDir, clean);
    const base = posix.basename(rel);
    const folder = posix.dirname(rel) === '.' ? '' : posix.dirname(rel);
    const fileMatch = /^(.*)_(docs|kw)\.md$/.exec(rel);
    if (fileMatch && fileMatch[1] && !fileMatch[1].endsWith('/')) {
      const relative = fileMatch[1];
      return { type: 'page', kind: fileMatch[2] as 'docs' | 'kw', source: posix.join(root, relative), relative };
    }
    const folderMatch = /^(index|doc|sub)\.md$/.exec(base);
    if (folderMatch) {
      return { type: 'page', kind: folderMatch[1] as FolderKind, source: folder ? posix.join(root, folder) : root, relative: folder };
    }
    const letterMatch = /^sub-([a-z_](?:-(?:[2-9]|[1-9][0-9]+))?)\.md$/.exec(base);
    if (letterMatch) {
      return { type: 'page', kind: 'sub', letter: letterMatch[1], source: folder ? posix.join(root, folder) : root, relative: folder };
    }
    return undefined;
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
