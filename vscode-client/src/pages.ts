/**
 * Generated pages as virtual documents. A page's `repodoc:` URI has the path the page has
 * (or would have) in the output folder, e.g. `repodoc:/ws/docs/repodoc/shop/cart.py_docs.md`,
 * so the relative links of a page resolve in the Markdown preview: a link to another page
 * gives that page's `repodoc:` URI, answered by the server (`repodoc/fileDoc`,
 * `repodoc/keywordIndex`, `repodoc/folderDoc`) and shown in the preview; a source-line link
 * (`../../shop/cart.py#L12`) gives `repodoc:/ws/shop/cart.py`, which `redirectSource` swaps
 * for the real file at the line. (Rewriting those links to `file:` URIs does not work: the
 * preview's markdown-it refuses `file:` links and shows them as text.)
 */

import * as vscode from 'vscode';

import {
  PAGE_SCHEME,
  lineOfFragment,
  outputDirFromPyproject,
  pagePath,
  parsePagePath,
  resolveOutputDir,
  type PageTarget,
  type ParsedPage,
} from './logic';
import type { ServerManager } from './server';

const REFRESH_DELAY_MS = 600;

interface PageResult {
  markdown?: string;
}

export class PageProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private refreshTimer: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly server: ServerManager) {
    this.disposables.push(
      this.changed,
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.scheme === 'file' && e.contentChanges.length) {
          this.refreshSoon();
        }
      }),
      vscode.workspace.onDidSaveTextDocument(() => this.refreshSoon()),
      vscode.window.onDidChangeActiveTextEditor((editor) => void this.redirectSource(editor)),
    );
  }

  /** The workspace folder a path (a source or a page) belongs to, and its output folder. */
  async locate(path: string): Promise<{ folder: vscode.WorkspaceFolder; outputDir: string; parsed?: ParsedPage } | undefined> {
    const folders = vscode.workspace.workspaceFolders ?? [];
    let fallback: { folder: vscode.WorkspaceFolder; outputDir: string; parsed?: ParsedPage } | undefined;
    for (const folder of folders) {
      const outputDir = await outputDirOf(folder);
      const parsed = parsePagePath(folder.uri.path, outputDir, path);
      if (parsed?.type === 'page') {
        return { folder, outputDir, parsed };
      }
      if (parsed && !fallback) {
        fallback = { folder, outputDir, parsed };
      }
    }
    return fallback;
  }

  /** The `repodoc:` URI of the page of a source file (docs, kw) or folder (index, doc, sub). */
  async pageUri(source: vscode.Uri, kind: PageTarget['kind']): Promise<vscode.Uri | undefined> {
    const folder = vscode.workspace.getWorkspaceFolder(source);
    if (!folder) {
      return undefined;
    }
    const outputDir = await outputDirOf(folder);
    const path = pagePath(folder.uri.path, outputDir, kind, source.path);
    return path === undefined ? undefined : vscode.Uri.from({ scheme: PAGE_SCHEME, path });
  }

  async provideTextDocumentContent(uri: vscode.Uri, token: vscode.CancellationToken): Promise<string> {
    const where = await this.locate(uri.path);
    if (!where?.parsed) {
      return errorPage(uri, 'this is not a page of a workspace folder.');
    }
    const { folder, parsed } = where;
    const source = folder.uri.with({ path: parsed.source, fragment: '', query: '' });
    if (parsed.type === 'source') {
      // a source-line link resolved against the page: show the text; redirectSource opens the real file
      try {
        return new TextDecoder().decode(await vscode.workspace.fs.readFile(source));
      } catch (error) {
        return errorPage(uri, String(error));
      }
    }
    try {
      let markdown: string | undefined;
      if (parsed.kind === 'docs') {
        markdown = (await this.server.request<PageResult>('repodoc/fileDoc', { uri: source.toString() }, token))?.markdown;
      } else if (parsed.kind === 'kw') {
        markdown = (await this.server.request<PageResult>('repodoc/keywordIndex', { uri: source.toString() }, token))?.markdown;
      } else {
        // A page of a split symbols page (sub-t.md, sub-t-2.md) is named by its letter: `t`, `t-2`.
        const letter = 'letter' in parsed ? parsed.letter : undefined;
        const params = letter ? { uri: source.toString(), kind: parsed.kind, letter } : { uri: source.toString(), kind: parsed.kind };
        markdown = (await this.server.request<PageResult>('repodoc/folderDoc', params, token))?.markdown;
      }
      if (typeof markdown !== 'string') {
        return errorPage(uri, 'the server returned no page.');
      }
      return markdown;
    } catch (error) {
      return errorPage(uri, error instanceof Error ? error.message : String(error));
    }
  }

  /** Re-render every open page (after an edit, a reindex, an export). */
  refresh(): void {
    for (const doc of vscode.workspace.textDocuments) {
      if (doc.uri.scheme === PAGE_SCHEME) {
        this.changed.fire(doc.uri);
      }
    }
  }

  refreshSoon(): void {
    if (this.refreshTimer) {
      clearTimeout(this.refreshTimer);
    }
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      this.refresh();
    }, REFRESH_DELAY_MS);
  }

  /** Show a page in the Markdown preview beside the editor. */
  async show(page: vscode.Uri, beside = true): Promise<void> {
    if (vscode.workspace.textDocuments.some((d) => d.uri.toString() === page.toString())) {
      this.changed.fire(page);
    }
    await vscode.commands.executeCommand(beside ? 'markdown.showPreviewToSide' : 'markdown.showPreview', page);
  }

  /** A `repodoc:` URI of a source file opened in an editor: open the real file at the same line instead. */
  private async redirectSource(editor: vscode.TextEditor | undefined): Promise<void> {
    const uri = editor?.document.uri;
    if (!editor || uri?.scheme !== PAGE_SCHEME) {
      return;
    }
    const where = await this.locate(uri.path);
    if (where?.parsed?.type !== 'source') {
      return;
    }
    await new Promise((r) => setTimeout(r, 50)); // let the opener set the selection
    const line = lineOfFragment(uri.fragment) ?? editor.selection.active.line;
    const target = where.folder.uri.with({ path: where.parsed.source, fragment: '', query: '' });
    const range = new vscode.Range(line, 0, line, 0);
    const column = editor.viewColumn;
    for (const group of vscode.window.tabGroups.all) {
      for (const tab of group.tabs) {
        if (tab.input instanceof vscode.TabInputText && tab.input.uri.toString() === uri.toString()) {
          await vscode.window.tabGroups.close(tab);
        }
      }
    }
    await vscode.window.showTextDocument(target, { selection: range, viewColumn: column });
  }

  dispose(): void {
    if (this.refreshTimer) {
      clearTimeout(this.refreshTimer);
    }
    for (const d of this.disposables) {
      d.dispose();
    }
  }
}

/** The absolute output folder of a workspace folder: the setting, else `[tool.repodoc] output-dir`, else docs/repodoc. */
export async function outputDirOf(folder: vscode.WorkspaceFolder): Promise<string> {
  const setting = vscode.workspace.getConfiguration('repodoc', folder.uri).get<string>('outputDir');
  let fromPyproject: string | undefined;
  if (!(setting ?? '').trim()) {
    const text = await readIfExists(vscode.Uri.joinPath(folder.uri, 'pyproject.toml'));
    fromPyproject = text === undefined ? undefined : outputDirFromPyproject(text);
  }
  const home = process.env.HOME ?? process.env.USERPROFILE;
  return resolveOutputDir(folder.uri.path, setting, fromPyproject, home);
}

async function readIfExists(uri: vscode.Uri): Promise<string | undefined> {
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    return undefined;
  }
}

function errorPage(uri: vscode.Uri, message: string): string {
  const name = uri.path.split('/').pop() ?? uri.path;
  return `# ${name}\n\n> **RepoDoc could not load this page:** ${message.replace(/\n/g, ' ')}\n`;
}
