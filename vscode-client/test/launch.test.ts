import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import {
  SERVER_SCRIPT,
  choosePython,
  commandLine,
  describeStartFailure,
  importStrategy,
  installCommand,
  serverLaunch,
  shellQuote,
} from '../src/launch';

const ROOT = '/home/me/ws';
const EXTENSION = '/home/me/.vscode/extensions/repodoc.repodoc-0.1.0';
const CLIENT = join(__dirname, '..', '..');

describe('choosePython', () => {
  it('prefers repodoc.interpreter, a list, expanding ${workspaceFolder} and ~', () => {
    assert.deepEqual(choosePython({ interpreter: ['${workspaceFolder}/.venv/bin/python'] }, '/usr/bin/python3.12', { workspaceFolder: ROOT }), {
      command: ['/home/me/ws/.venv/bin/python'],
      source: 'setting',
    });
    assert.deepEqual(choosePython({ interpreter: ['py', '-3.12'] }, undefined).command, ['py', '-3.12']);
    assert.deepEqual(choosePython({ interpreter: ['~/py/bin/python'] }, undefined, { home: '/home/me' }).command, ['/home/me/py/bin/python']);
  });
  it('then the deprecated repodoc.python, then the Python extension, then python3', () => {
    assert.deepEqual(choosePython({ interpreter: [], python: ' /opt/py/bin/python ' }, '/x/python'), {
      command: ['/opt/py/bin/python'],
      source: 'setting',
    });
    assert.deepEqual(choosePython({ interpreter: [''], python: '  ' }, '/opt/env/bin/python'), {
      command: ['/opt/env/bin/python'],
      source: 'python-extension',
    });
    assert.deepEqual(choosePython({}, undefined), { command: ['python3'], source: 'default' });
    assert.deepEqual(choosePython({ interpreter: 'not a list' }, ''), { command: ['not a list'], source: 'setting' });
    assert.deepEqual(choosePython({ interpreter: [3] }, ''), { command: ['python3'], source: 'default' });
  });
  it('reads the import strategy, useBundled unless fromEnvironment', () => {
    assert.equal(importStrategy(undefined), 'useBundled');
    assert.equal(importStrategy('fromEnvironment'), 'fromEnvironment');
    assert.equal(importStrategy('bogus'), 'useBundled');
  });
});

describe('serverLaunch', () => {
  it('runs the bundled script by its path, in the extension folder, never the workspace', () => {
    const launch = serverLaunch({ command: ['/usr/bin/python3'], source: 'default' }, 'useBundled', EXTENSION);
    assert.equal(launch.command, '/usr/bin/python3');
    assert.deepEqual(launch.args, [`${EXTENSION}/bundled/tool/server.py`, 'serve']);
    assert.equal(launch.cwd, EXTENSION);
    assert.deepEqual(launch.env, { REPODOC_IMPORT_STRATEGY: 'useBundled', PYTHONSAFEPATH: '1' });
    // `-m` and `-c` would put the working folder first on sys.path
    assert.ok(!launch.args.includes('-m') && !launch.args.includes('-c'));
  });
  it('keeps the interpreter arguments before the script and checks with --version', () => {
    const launch = serverLaunch({ command: ['py', '-3.12'], source: 'setting' }, 'fromEnvironment', EXTENSION, '--version');
    assert.equal(launch.command, 'py');
    assert.deepEqual(launch.args, ['-3.12', `${EXTENSION}/bundled/tool/server.py`, '--version']);
    assert.equal(launch.env.REPODOC_IMPORT_STRATEGY, 'fromEnvironment');
  });
  it('names the script the package ships', () => {
    assert.ok(existsSync(join(CLIENT, ...SERVER_SCRIPT)), SERVER_SCRIPT.join('/'));
    const ignore = readFileSync(join(CLIENT, '.vscodeignore'), 'utf8');
    assert.match(ignore, /^!bundled\/tool\/server\.py$/m);
    assert.match(ignore, /^!bundled\/libs\/\*\*$/m);
  });
});

describe('start failures', () => {
  it('explains a missing interpreter: Python is all it needs', () => {
    const r = describeStartFailure(['python9'], 'useBundled', { errorCode: 'ENOENT' });
    assert.equal(r.kind, 'python-not-found');
    assert.match(r.message, /"python9" was not found/);
    assert.match(r.message, /Python 3\.10 or newer and nothing else/);
    assert.match(r.message, /repodoc\.interpreter/);
    assert.equal(r.setting, 'repodoc.interpreter');
    assert.equal(r.installCommand, undefined);
    assert.doesNotMatch(r.message, /pip install/);
  });
  it('explains an old Python by what the server script said', () => {
    const r = describeStartFailure(['/usr/bin/python3.9'], 'useBundled', {
      exitCode: 2,
      stderr: 'repodoc: RepoDoc needs Python 3.10 or newer; /usr/bin/python3.9 is Python 3.9.18\n',
    });
    assert.equal(r.kind, 'python-too-old');
    assert.match(r.message, /is Python 3\.9\.18/);
    assert.match(r.message, /repodoc\.interpreter/);
  });
  it('a module missing from the bundle asks for a reinstall, never for pip', () => {
    const r = describeStartFailure(['python3'], 'useBundled', { exitCode: 1, stderr: "ModuleNotFoundError: No module named 'pygls'\n" });
    assert.equal(r.kind, 'module-missing');
    assert.match(r.message, /reinstall the RepoDoc extension/);
    assert.equal(r.installCommand, undefined);
    assert.doesNotMatch(r.message, /repodoc-ls/);
  });
  it('a dependency missing from the environment gives its PyPI name', () => {
    const r = describeStartFailure(['/venv/bin/python'], 'fromEnvironment', {
      stderr: "ModuleNotFoundError: No module named 'markdown_it'\n",
    });
    assert.equal(r.kind, 'module-missing');
    assert.equal(r.installCommand, '/venv/bin/python -m pip install markdown-it-py');
    assert.match(r.message, /\/venv\/bin\/python -m pip install markdown-it-py/);
    assert.match(r.message, /"repodoc\.importStrategy" to "useBundled"/);
    assert.equal(installCommand(['/my envs/bin/python'], 'jinja2.ext'), "'/my envs/bin/python' -m pip install jinja2");
    assert.equal(installCommand(['py', '-3.12'], 'attr', 'win32'), 'py -3.12 -m pip install attrs');
  });
  it('reports any other crash with the last stderr line', () => {
    const r = describeStartFailure(['python3'], 'useBundled', { exitCode: 2, stderr: 'Traceback...\nValueError: boom\n' });
    assert.equal(r.kind, 'crashed');
    assert.match(r.message, /ValueError: boom/);
    assert.match(describeStartFailure(['python3'], 'useBundled', { exitCode: 3 }).message, /exit code 3/);
  });
  it('quotes words that need it', () => {
    assert.equal(shellQuote("it's"), "'it'\\''s'");
    assert.equal(commandLine(['C:\\Program Files\\Python\\python.exe', '-X'], 'win32'), '"C:\\Program Files\\Python\\python.exe" -X');
  });
});
