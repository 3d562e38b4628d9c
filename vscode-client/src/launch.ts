/**
 * How the extension starts the language server, and what it says when that fails. Pure (no
 * `vscode` import), so it runs under node's test runner.
 *
 * The server ships in the extension: `bundled/tool/server.py` puts `bundled/libs` (the server
 * and its pure-Python dependencies) on sys.path, so any Python 3.10+ runs it with nothing
 * installed. It is started by its path, never with `-m` or `-c`, and in the extension's own
 * folder, never in the workspace: `-m`, `-c` and the working folder each put a folder first
 * on sys.path, and a cloned repository's `json.py` or `repodoc_ls/` there would run as the
 * server.
 */

import * as path from 'node:path';

import { expandVariables } from './logic';

export const DEFAULT_PYTHON = 'python3';
export const MIN_PYTHON = '3.10';
/** The entry script, relative to the extension's folder. */
export const SERVER_SCRIPT = ['bundled', 'tool', 'server.py'] as const;
export const IMPORT_STRATEGIES = ['useBundled', 'fromEnvironment'] as const;
export type ImportStrategy = (typeof IMPORT_STRATEGIES)[number];

// ---------------------------------------------------------------------------------------
// Choosing the interpreter

export interface PythonChoice {
  /** The interpreter's command: the executable, then any arguments of its own (`py -3.12`). */
  command: string[];
  source: 'setting' | 'python-extension' | 'default';
}

export interface InterpreterSettings {
  /** `repodoc.interpreter`: a list, the executable first. */
  interpreter?: unknown;
  /** `repodoc.python`, deprecated: one path, used when `repodoc.interpreter` is empty. */
  python?: unknown;
}

/**
 * `repodoc.interpreter` wins (then the deprecated `repodoc.python`), then the interpreter
 * selected in the Python extension, then `python3`. `${workspaceFolder}` and a leading `~`
 * in the settings are expanded.
 */
export function choosePython(
  settings: InterpreterSettings,
  fromPythonExtension: string | undefined,
  vars: { workspaceFolder?: string; home?: string } = {},
): PythonChoice {
  const list = Array.isArray(settings.interpreter) ? settings.interpreter : [settings.interpreter];
  let configured = list.filter((v): v is string => typeof v === 'string').map((v) => v.trim());
  if (!configured.length || !configured[0]) {
    configured = typeof settings.python === 'string' && settings.python.trim() ? [settings.python.trim()] : [];
  }
  if (configured.length && configured[0]) {
    return { command: configured.filter(Boolean).map((v) => expandVariables(v, vars)), source: 'setting' };
  }
  const selected = (fromPythonExtension ?? '').trim();
  if (selected) {
    return { command: [selected], source: 'python-extension' };
  }
  return { command: [DEFAULT_PYTHON], source: 'default' };
}

export function importStrategy(setting: unknown): ImportStrategy {
  return setting === 'fromEnvironment' ? 'fromEnvironment' : 'useBundled';
}

// ---------------------------------------------------------------------------------------
// The server's process

export interface ServerLaunch {
  command: string;
  args: string[];
  /** The extension's folder: never the workspace (see the module's comment). */
  cwd: string;
  /** Added to the extension host's environment. */
  env: Record<string, string>;
}

/**
 * `<python> <extension>/bundled/tool/server.py serve` in the extension's folder; `--version`
 * instead of `serve` checks that the server and its dependencies import.
 */
export function serverLaunch(
  python: PythonChoice,
  strategy: ImportStrategy,
  extensionDir: string,
  mode: 'serve' | '--version' = 'serve',
): ServerLaunch {
  const [command, ...interpreterArgs] = python.command;
  return {
    command,
    args: [...interpreterArgs, path.join(extensionDir, ...SERVER_SCRIPT), mode],
    cwd: extensionDir,
    // PYTHONSAFEPATH (3.11+): processes the server starts with `-c` (its jedi worker,
    // multiprocessing's forkserver) leave their working folder off sys.path too.
    env: { REPODOC_IMPORT_STRATEGY: strategy, PYTHONSAFEPATH: '1' },
  };
}

/** Quote one word for a POSIX shell or for cmd/PowerShell when it needs quoting. */
export function shellQuote(word: string, platform: string = 'linux'): string {
  if (word !== '' && /^[A-Za-z0-9_\-+=.,/:@%]+$/.test(word)) {
    return word;
  }
  if (platform === 'win32') {
    return `"${word.replace(/"/g, '""')}"`;
  }
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export function commandLine(words: readonly string[], platform: string = 'linux'): string {
  return words.map((w) => shellQuote(w, platform)).join(' ');
}

// ---------------------------------------------------------------------------------------
// Explaining a server that does not start

export interface StartFailure {
  /** spawn error code such as ENOENT or EACCES, when the process did not start */
  errorCode?: string;
  /** any other error message (the client's own, a timeout) */
  errorMessage?: string;
  exitCode?: number | null;
  signal?: string | null;
  /** what the server process wrote to stderr */
  stderr?: string;
}

export type FailureKind = 'python-not-found' | 'not-executable' | 'module-missing' | 'python-too-old' | 'crashed';

export interface FailureReport {
  kind: FailureKind;
  message: string;
  /** a command that fixes it, when one does */
  installCommand?: string;
  /** the setting to open from the notification, when changing it fixes it */
  setting?: string;
}

/** Import names of the server's dependencies whose distribution name on PyPI differs. */
const DISTRIBUTIONS: Record<string, string> = {
  attr: 'attrs',
  markdown_it: 'markdown-it-py',
  typing_extensions: 'typing-extensions',
};

const MISSING_MODULE = /No module named '?([A-Za-z_][\w.]*)'?/;
const TOO_OLD = /needs Python 3\.10 or newer|SyntaxError|requires a different Python/;

/** `<python> -m pip install <name>`, for a dependency the environment's repodoc_ls lacks. */
export function installCommand(python: readonly string[], module: string, platform: string = 'linux'): string {
  const top = module.split('.')[0];
  return `${commandLine(python, platform)} -m pip install ${DISTRIBUTIONS[top] ?? top}`;
}

/** A one-notification explanation of why the server did not start. */
export function describeStartFailure(
  python: readonly string[],
  strategy: ImportStrategy,
  failure: StartFailure,
  platform: string = 'linux',
): FailureReport {
  const exe = python[0];
  const shown = commandLine(python, platform);
  const stderr = failure.stderr ?? '';
  const choose =
    `set "repodoc.interpreter" to a Python ${MIN_PYTHON} or newer (e.g. ["/usr/bin/python3"]) ` +
    'or select one with "Python: Select Interpreter"';
  if (failure.errorCode === 'ENOENT') {
    return {
      kind: 'python-not-found',
      setting: 'repodoc.interpreter',
      message:
        `RepoDoc: could not start the language server: the Python interpreter "${exe}" was not found. ` +
        `RepoDoc needs Python ${MIN_PYTHON} or newer and nothing else (the server comes with the extension): ` +
        `install Python, or ${choose}.`,
    };
  }
  if (failure.errorCode === 'EACCES') {
    return {
      kind: 'not-executable',
      setting: 'repodoc.interpreter',
      message: `RepoDoc: could not start the language server: "${exe}" is not executable; ${choose}.`,
    };
  }
  if (TOO_OLD.test(stderr)) {
    return {
      kind: 'python-too-old',
      setting: 'repodoc.interpreter',
      message: `RepoDoc: could not start the language server with ${shown}: ${lastLine(stderr)}. RepoDoc needs Python ${MIN_PYTHON} or newer: ${choose}.`,
    };
  }
  const missing = MISSING_MODULE.exec(stderr);
  if (missing && strategy === 'fromEnvironment') {
    const install = installCommand(python, missing[1], platform);
    return {
      kind: 'module-missing',
      setting: 'repodoc.importStrategy',
      installCommand: install,
      message:
        `RepoDoc: the repodoc_ls installed for ${shown} cannot start: ${lastLine(stderr)}. ` +
        `Install what it lacks with: ${install}; or set "repodoc.importStrategy" to "useBundled" to run the server that comes with the extension.`,
    };
  }
  if (missing) {
    return {
      kind: 'module-missing',
      message:
        `RepoDoc: the language server that comes with the extension is incomplete (${lastLine(stderr)}): ` +
        'reinstall the RepoDoc extension.',
    };
  }
  const why =
    lastLine(stderr) ||
    failure.errorMessage ||
    (failure.exitCode !== undefined && failure.exitCode !== null ? `exit code ${failure.exitCode}` : '') ||
    (failure.signal ? `killed by ${failure.signal}` : 'unknown error');
  return {
    kind: 'crashed',
    message: `RepoDoc: the language server (${shown}) failed to start: ${why}. See the log for details.`,
  };
}

function lastLine(text: string): string {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.length ? lines[lines.length - 1] : '';
}
