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
  outputDirFromPyproject,
  pagePath,
  pageRelativePath,
  parsePagePath,
  resolveOutputDir,
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
  it('reads output-dir from [tool.repodoc]', () => {
    const text = '[project]\nname = "x"\noutput-dir = "no"\n\n[tool.repodoc]\nexclude = ["a"]\noutput-dir = "build/docs"  # here\n[tool.other]\n';
    assert.equal(outputDirFromPyproject(text), 'build/docs');
    assert.equal(outputDirFromPyproject("[tool.repodoc]\noutput_dir = 'x y'\n"), 'x y');
    assert.equal(outputDirFromPyproject('[tool.repodoc]\njobs = 2\n'), undefined);
    assert.equal(outputDirFromPyproject('[tool.black]\noutput-dir = "z"\n'), undefined);
  });
  it('resolves the output folder: setting, pyproject, default', () => {
    assert.equal(resolveOutputDir(ROOT), OUT);
    assert.equal(resolveOutputDir(ROOT, '', 'build/docs'), '/home/me/ws/build/docs');
    assert.equal(resolveOutputDir(ROOT, 'site/', 'build/docs'), '/home/me/ws/site');
    assert.equal(resolveOutputDir(ROOT, '/srv/docs'), '/srv/docs');
    assert.equal(resolveOutputDir(ROOT, '~/docs', undefined, '/home/me'), '/home/me/docs');
    assert.equal(resolveOutputDir('/c:/ws', 'C:\\out\\docs'), '/C:/out/docs');
  });
});

describe('page paths', () => {
  it('mirror repodoc_ls/docs/pages.py', () => {
    assert.equal(pageRelativePath({ kind: 'docs', path: 'shop/cart.py' }), 'shop/cart.py_docs.md');
    assert.equal(pageRelativePath({ kind: 'kw', path: 'shop/cart.py' }), 'shop/cart.py_kw.md');
    assert.equal(pageRelativePath({ kind: 'index', path: '' }), 'index.md');
    assert.equal(pageRelativePath({ kind: 'sub', path: 'shop/util' }), 'shop/util/sub.md');
    assert.equal(pageRelativePath({ kind: 'sub', path: 'shop', letter: 'c' }), 'shop/sub-c.md');
  });
  it('maps sources to absolute page paths and back', () => {
    const page = pagePath(ROOT, OUT, 'docs', '/home/me/ws/shop/cart.py');
    assert.equal(page, '/home/me/ws/docs/repodoc/shop/cart.py_docs.md');
    assert.deepEqual(parsePagePath(ROOT, OUT, page!), {
      type: 'page',
      kind: 'docs',
      source: '/home/me/ws/shop/cart.py',
      relative: 'shop/cart.py',
    });
    assert.equal(pagePath(ROOT, OUT, 'index', ROOT), '/home/me/ws/docs/repodoc/index.md');
    assert.deepEqual(parsePagePath(ROOT, OUT, '/home/me/ws/docs/repodoc/index.md'), {
      type: 'page',
      kind: 'index',
      source: ROOT,
      relative: '',
    });
    assert.deepEqual(parsePagePath(ROOT, OUT, '/home/me/ws/docs/repodoc/shop/sub-c.md'), {
      type: 'page',
      kind: 'sub',
      letter: 'c',
      source: '/home/me/ws/shop',
      relative: 'shop',
    });
    assert.deepEqual(parsePagePath(ROOT, OUT, '/home/me/ws/docs/repodoc/sub-t-2.md'), {
      type: 'page',
      kind: 'sub',
      letter: 't-2',
      source: ROOT,
      relative: '',
    });
    assert.equal(parsePagePath(ROOT, OUT, '/home/me/ws/docs/repodoc/shop/sub-notes.md'), undefined);
    assert.equal(parsePagePath(ROOT, OUT, '/home/me/ws/docs/repodoc/shop/sub-a-1.md'), undefined);
    const odd = pagePath(ROOT, OUT, 'kw', '/home/me/ws/odd names/café menu.py');
    assert.equal(odd, '/home/me/ws/docs/repodoc/odd names/café menu.py_kw.md');
    assert.equal((parsePagePath(ROOT, OUT, odd!) as { source: string }).source, '/home/me/ws/odd names/café menu.py');
  });
  it('keeps a file named like a page apart from folder pages', () => {
    const p = parsePagePath(ROOT, OUT, '/home/me/ws/docs/repodoc/a/index.md_docs.md');
    assert.deepEqual(p, { type: 'page', kind: 'docs', source: '/home/me/ws/a/index.md', relative: 'a/index.md' });
    const q = parsePagePath(ROOT, OUT, '/home/me/ws/docs/repodoc/a/x_docs.md_docs.md');
    assert.equal((q as { relative: string }).relative, 'a/x_docs.md');
  });
  it('has no page for files outside the root or inside the output folder', () => {
    assert.equal(pagePath(ROOT, OUT, 'docs', '/etc/passwd'), undefined);
    assert.equal(pagePath(ROOT, OUT, 'docs', '/home/me/wsx/a.py'), undefined);
    assert.equal(pagePath(ROOT, OUT, 'docs', '/home/me/ws/docs/repodoc/index.md'), undefined);
    assert.equal(parsePagePath(ROOT, OUT, '/elsewhere/a.py'), undefined);
    assert.equal(parsePagePath(ROOT, OUT, '/home/me/ws/docs/repodoc/notes.txt'), undefined);
  });
  it('treats a resolved source link as a source', () => {
    assert.deepEqual(parsePagePath(ROOT, OUT, '/home/me/ws/shop/cart.py'), {
      type: 'source',
      source: '/home/me/ws/shop/cart.py',
      relative: 'shop/cart.py',
    });
  });
  it('works with an output folder outside the root', () => {
    const out = '/srv/docs';
    const page = pagePath(ROOT, out, 'docs', '/home/me/ws/a.py');
    assert.equal(page, '/srv/docs/a.py_docs.md');
    assert.equal((parsePagePath(ROOT, out, page!) as { source: string }).source, '/home/me/ws/a.py');
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
  it('has settings for the interpreter, outputDir, exclude, templates, trustTemplates and trace', () => {
    const props = Object.keys(pkg.contributes.configuration.properties);
    assert.deepEqual(props.sort(), [
      'repodoc.exclude',
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
