import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import {
  CLIENT_OWNED_SERVER_COMMANDS,
  COMMANDS,
  choosePython,
  describeStartFailure,
  exportSummary,
  folderKindArgument,
  initializationOptions,
  installCommand,
  lineOfFragment,
  pageFilePath,
  pageRequest,
  pathTarget,
  searchPickRow,
  shellQuote,
  statusBarText,
  uriArgument,
} from '../src/logic';

const ROOT = '/home/me/ws';
const OUT = '/home/me/ws/docs/repodoc';

describe('choosePython', () => {
  it('prefers the setting, expanding ${workspaceFolder} and ~', () => {
    assert.deepEqual(choosePython('${workspaceFolder}/.venv/bin/python', '/usr/bin/python3.12', { workspaceFolder: ROOT }), {
      command: '/home/me/ws/.venv/bin/python',
      source: 'setting',
    });
    assert.equal(choosePython('~/py/bin/python', undefined, { home: '/home/me' }).command, '/home/me/py/bin/python');
  });
  it('then the Python extension, then python3', () => {
    assert.deepEqual(choosePython('  ', '/opt/env/bin/python', {}), { command: '/opt/env/bin/python', source: 'python-extension' });
    assert.deepEqual(choosePython(undefined, undefined), { command: 'python3', source: 'default' });
    assert.deepEqual(choosePython('', ''), { command: 'python3', source: 'default' });
  });
});

describe('start failures', () => {
  it('gives the exact install command when repodoc_ls is missing', () => {
    const r = describeStartFailure('/venv/bin/python', {
      exitCode: 1,
      stderr: "/venv/bin/python: No module named repodoc_ls\n",
    });
    assert.equal(r.kind, 'module-missing');
    assert.equal(r.installCommand, '/venv/bin/python -m pip install repodoc-ls');
    assert.match(r.message, /repodoc-ls is not installed/);
    assert.match(r.message, /\/venv\/bin\/python -m pip install repodoc-ls/);
  });
  it('detects the import form of the error and a missing dependency', () => {
    const r = describeStartFailure('python3', { stderr: "ModuleNotFoundError: No module named 'repodoc_ls'" });
    assert.equal(r.kind, 'module-missing');
    const dep = describeStartFailure('python3', { stderr: "ModuleNotFoundError: No module named 'pygls'" });
    assert.equal(dep.kind, 'module-missing');
    assert.match(dep.message, /pygls/);
    assert.equal(dep.installCommand, 'python3 -m pip install repodoc-ls');
  });
  it('quotes interpreter paths with spaces', () => {
    assert.equal(installCommand('/my envs/bin/python'), "'/my envs/bin/python' -m pip install repodoc-ls");
    assert.equal(installCommand('C:\\Program Files\\Python\\python.exe', 'win32'), '"C:\\Program Files\\Python\\python.exe" -m pip install repodoc-ls');
    assert.equal(shellQuote("it's"), "'it'\\''s'");
  });
  it('explains a missing interpreter', () => {
    const r = describeStartFailure('python9', { errorCode: 'ENOENT' });
    assert.equal(r.kind, 'python-not-found');
    assert.match(r.message, /"python9" was not found/);
    assert.match(r.message, /repodoc\.python/);
    assert.equal(r.installCommand, undefined);
  });
  it('reports any other crash with the last stderr line', () => {
    const r = describeStartFailure('python3', { exitCode: 2, stderr: 'Traceback...\nValueError: boom\n' });
    assert.equal(r.kind, 'crashed');
    assert.match(r.message, /ValueError: boom/);
    assert.match(r.message, /python3 -m repodoc_ls serve/);
    assert.match(describeStartFailure('python3', { exitCode: 3 }).message, /exit code 3/);
  });
});

describe('settings', () => {
  it('sends only what the user set', () => {
    assert.deepEqual(initializationOptions({}), {});
    assert.deepEqual(initializationOptions({ outputDir: ' ', exclude: [] }), {});
    assert.deepEqual(initializationOptions({ outputDir: 'out/docs', exclude: ['vendored/', ''] }), {
      outputDir: 'out/docs',
      exclude: ['vendored/'],
    });
  });
  it('trusts the workspace templates only when the user and the workspace trust allow it', () => {
    assert.deepEqual(initializationOptions({ templates: ' /home/me/tpl ' }), { templates: '/home/me/tpl' });
    assert.deepEqual(initializationOptions({ trustTemplates: true }), {});
    assert.deepEqual(initializationOptions({ trustTemplates: true, workspaceTrusted: false }), {});
    assert.deepEqual(initializationOptions({ trustTemplates: false, workspaceTrusted: true }), {});
    assert.deepEqual(initializationOptions({ trustTemplates: true, workspaceTrusted: true }), { trustTemplates: true });
  });
});

describe('page paths', () => {
  it('come from the server: a page is its path in the output folder', () => {
    assert.equal(pageFilePath(OUT, 'shop/cart.py_docs.md'), '/home/me/ws/docs/repodoc/shop/cart.py_docs.md');
    assert.equal(pageFilePath('/srv/docs', 'sub-t-2.md'), '/srv/docs/sub-t-2.md');
  });
  it('ask the request of what a command shows', () => {
    assert.deepEqual(pageRequest('docs', 'file:///ws/a.py'), { method: 'repodoc/fileDoc', params: { uri: 'file:///ws/a.py' } });
    assert.deepEqual(pageRequest('kw', 'file:///ws/a.py'), { method: 'repodoc/keywordIndex', params: { uri: 'file:///ws/a.py' } });
    assert.deepEqual(pageRequest('sub', 'file:///ws'), { method: 'repodoc/folderDoc', params: { uri: 'file:///ws', kind: 'sub' } });
  });
  it('tell a path in the output folder (a page, for repodoc/page) from a source', () => {
    assert.deepEqual(pathTarget(ROOT, OUT, '/home/me/ws/docs/repodoc/shop/cart.py_docs.md'), {
      type: 'page',
      page: 'shop/cart.py_docs.md',
    });
    assert.deepEqual(pathTarget(ROOT, OUT, '/home/me/ws/docs/repodoc/shop/../odd names/sub-t-2.md'), {
      type: 'page',
      page: 'odd names/sub-t-2.md',
    });
    assert.deepEqual(pathTarget(ROOT, OUT, '/home/me/ws/shop/cart.py'), {
      type: 'source',
      source: '/home/me/ws/shop/cart.py',
      relative: 'shop/cart.py',
    });
    assert.equal(pathTarget(ROOT, OUT, '/elsewhere/a.py'), undefined);
    assert.equal(pathTarget(ROOT, OUT, '/home/me/wsx/a.py'), undefined);
  });
  it('works with an output folder outside the root', () => {
    const out = '/srv/docs';
    assert.deepEqual(pathTarget(ROOT, out, '/srv/docs/a.py_docs.md'), { type: 'page', page: 'a.py_docs.md' });
    assert.deepEqual(pathTarget(ROOT, out, '/home/me/ws/a.py'), { type: 'source', source: '/home/me/ws/a.py', relative: 'a.py' });
    assert.equal(pathTarget(ROOT, out, '/srv/other/a.py'), undefined);
  });
});

describe('links', () => {
  it('reads line fragments', () => {
    assert.equal(lineOfFragment('L12'), 11);
    assert.equal(lineOfFragment('L3-L9'), 2);
    assert.equal(lineOfFragment('Cart.add'), undefined);
    assert.equal(lineOfFragment(undefined), undefined);
  });
});

describe('command arguments', () => {
  it('accepts hover-link objects, strings, arrays and Uri-like objects', () => {
    assert.equal(uriArgument({ uri: 'file:///ws/a.py' }), 'file:///ws/a.py');
    assert.equal(uriArgument([{ uri: 'file:///ws/a.py' }]), 'file:///ws/a.py');
    assert.equal(uriArgument('file:///ws/b.py'), 'file:///ws/b.py');
    const uriLike = { scheme: 'file', path: '/ws/c.py', toString: () => 'file:///ws/c.py' };
    assert.equal(uriArgument(uriLike), 'file:///ws/c.py');
    assert.equal(uriArgument(undefined), undefined);
    assert.equal(uriArgument({}), undefined);
    assert.equal(folderKindArgument({ uri: 'file:///ws', kind: 'index' }), 'index');
    assert.equal(folderKindArgument({ kind: 'nope' }), undefined);
  });
  it('summarises an export', () => {
    assert.equal(
      exportSummary({ outputDir: '/ws/docs/repodoc', written: 3, unchanged: 10, removed: 1 }, '/x'),
      'RepoDoc: exported documentation to /ws/docs/repodoc: 3 pages written, 10 unchanged, 1 removed.',
    );
    assert.match(exportSummary({ written: ['a'], unchanged: [], removed: [] }, '/x'), /to \/x: 1 page written, 0 unchanged/);
    assert.match(exportSummary(undefined, '/x'), /0 pages written/);
  });
  it('makes search rows', () => {
    const row = searchPickRow(
      {
        name: 'add',
        kind: 'method',
        qualifiedName: 'shop.cart.Cart.add',
        location: { uri: 'file:///home/me/ws/shop/cart.py', range: { start: { line: 31, character: 8 } } },
      },
      ROOT,
    );
    assert.deepEqual(row, { label: 'add', description: 'method · shop.cart.Cart.add', detail: 'shop/cart.py:32' });
  });
});

describe('status bar', () => {
  it('shows progress, then the file count', () => {
    assert.equal(statusBarText('running', { title: 'Indexing', percentage: 41.6 }, undefined).text, '$(sync~spin) RepoDoc: indexing 42%');
    assert.equal(statusBarText('running', undefined, { state: 'indexing', files: 10 }).text, '$(sync~spin) RepoDoc: indexing (10 files)');
    assert.equal(statusBarText('running', undefined, { state: 'ready', files: 1, symbols: 5 }).text, '$(book) RepoDoc: 1 file');
    assert.equal(statusBarText('running', undefined, { state: 'ready', files: 27, symbols: 5 }).text, '$(book) RepoDoc: 27 files');
    assert.equal(statusBarText('failed', undefined, undefined).text, '$(error) RepoDoc');
    assert.equal(statusBarText('running', undefined, undefined).text, '$(book) RepoDoc');
  });
});

describe('package.json', () => {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'));
  it('contributes every command the extension registers', () => {
    const contributed = new Set(pkg.contributes.commands.map((c: { command: string }) => c.command));
    for (const id of Object.values(COMMANDS)) {
      assert.ok(contributed.has(id), id);
    }
  });
  it('keeps the server from registering the ids the extension registers', () => {
    for (const id of ['repodoc.exportDocs', 'repodoc.reindex', 'repodoc.showFileDoc']) {
      assert.ok(CLIENT_OWNED_SERVER_COMMANDS.includes(id), id);
    }
  });
  it('has settings for python, outputDir, exclude, templates, trustTemplates and trace', () => {
    const props = Object.keys(pkg.contributes.configuration.properties);
    assert.deepEqual(props.sort(), [
      'repodoc.exclude',
      'repodoc.outputDir',
      'repodoc.python',
      'repodoc.templates',
      'repodoc.trace.server',
      'repodoc.trustTemplates',
    ]);
    assert.equal(pkg.contributes.configuration.properties['repodoc.trustTemplates'].default, false);
  });
  it('runs in Restricted Mode without the settings a workspace could abuse', () => {
    const untrusted = pkg.capabilities.untrustedWorkspaces;
    assert.equal(untrusted.supported, 'limited');
    assert.deepEqual([...untrusted.restrictedConfigurations].sort(), [
      'repodoc.outputDir',
      'repodoc.python',
      'repodoc.templates',
      'repodoc.trustTemplates',
    ]);
  });
});
