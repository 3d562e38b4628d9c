import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import {
  CLIENT_OWNED_SERVER_COMMANDS,
  COMMANDS,
  exportSummary,
  folderKindArgument,
  initializationOptions,
  lineOfFragment,
  pageFilePath,
  pageRequest,
  pathTarget,
  searchPickRow,
  statusBarText,
  uriArgument,
} from '../src/logic';

const ROOT = '/home/me/ws';
const OUT = '/home/me/ws/docs/repodoc';

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
  it('has settings for the interpreter, outputDir, exclude, features, templates, trustTemplates and trace', () => {
    const props = Object.keys(pkg.contributes.configuration.properties);
    assert.deepEqual(props.sort(), [
      'repodoc.exclude',
      'repodoc.features.codeLens',
      'repodoc.features.definition',
      'repodoc.features.documentSymbol',
      'repodoc.features.hover',
      'repodoc.features.references',
      'repodoc.features.workspaceSymbol',
      'repodoc.importStrategy',
      'repodoc.interpreter',
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
      'repodoc.importStrategy',
      'repodoc.interpreter',
      'repodoc.outputDir',
      'repodoc.python',
      'repodoc.templates',
      'repodoc.trustTemplates',
    ]);
  });
});
