/**
 * Generated pages as virtual documents. A page's `repodoc:` URI has the path the page has
 * (or would have) in the output folder, e.g. `repodoc:/ws/docs/repodoc/shop/cart.py_docs.md`,
 * so the relative links of a page resolve in the Markdown preview: a link to another page
 * gives that page's `repodoc:` URI, answered by the server (`repodoc/page`, by the page's
 * path in the output folder) and shown in the preview; a source-line link
 * (`../../shop/cart.py#L12`) gives `repodoc:/ws/shop/cart.py`, which `redirectSource` swaps
 * for the real file at the line. (Rewriting those links to `file:` URIs does not work: the
 * preview's markdown-it refuses `file:` links and shows them as text.) The output folder and
 * page paths come from the server (`repodoc/status`, and `outputDir` and `page` in each page
 * result): the extension knows nothing of the doc set's layout.
 */

import * as vscode from 'vscode';

import {
  PAGE_SCHEME,
  lineOfFragment,
  pageFilePath,
  pageRequest,
  pathTarget,
  type PageChoice,
  type PathTarget,
} from './logic';
import type { ServerManager } from './server';

const REFRESH_DELAY_MS = 600;

interface PageResult {
  markdown?: string;
  page?: string;
  outputDir?: string;
}

/** A workspace folder the server serves: its root and its output folder (a `Uri.path`). */
interface Place {
  root: vscode.Uri;
  outputDir: string;
}

export class PageProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private refreshTimer: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  /** Pages fetched by `pageUri` (to learn their path), kept for the read of them that follows. */
  private readonly fetched = new Map<string, string>();

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

  /** Every workspace folder the server serves, with its output folder (from repodoc/status). */
  async places(): Promise<Place[]> {
    const status = await this.server.request<{ folders?: { uri?: unknown; outputDir?: unknown }[] } | null>(
      'repodoc/status',
      {},
    );
    const out: Place[] = [];
    for (const folder of status?.folders ?? []) {
      if (typeof folder.uri === 'string' && typeof folder.outputDir === 'string') {
        out.push({ root: vscode.Uri.parse(folder.uri), outputDir: vscode.Uri.file(folder.outputDir).path });
      }
    }
    return out;
  }

  /** The output folder of the workspace folder `root`, as the server resolved it. */
  async outputDirOf(root: vscode.Uri): Promise<vscode.Uri | undefined> {
    const place = (await this.places()).find((p) => p.root.path === root.path);
    return place && root.with({ path: place.outputDir, query: '', fragment: '' });
  }

  /** The workspace folder a path (a page or a source) belongs to, and what it is there. */
  async locate(path: string): Promise<{ root: vscode.Uri; target: PathTarget } | undefined> {
    let fallback: { root: vscode.Uri; target: PathTarget } | undefined;
    for (const place of await this.places()) {
      const target = pathTarget(place.root.path, place.outputDir, path);
      if (target?.type === 'page') {
        return { root: place.root, target };
      }
      if (target && !fallback) {
        fallback = { root: place.root, target };
      }
    }
    return fallback;
  }

  /**
   * Fetch the page of a source file (docs, kw) or folder (a folder kind) and give its
   * `repodoc:` URI, whose path is the page's in the output folder (the server's `outputDir`
   * and `page`). The server's refusal (not an indexed file, ...) is thrown.
   */
  async pageUri(source: vscode.Uri, choice: PageChoice, token?: vscode.CancellationToken): Promise<vscode.Uri> {
    const { method, params } = pageRequest(choice, source.toString());
    const result = await this.server.request<PageResult | null>(method, params, token);
    if (typeof result?.page !== 'string' || typeof result.outputDir !== 'string' || typeof result.markdown !== 'string') {
      throw new Error(`the server returned no page for ${source.fsPath || source.toString()}`);
    }
    const page = vscode.Uri.from({ scheme: PAGE_SCHEME, path: pageFilePath(vscode.Uri.file(result.outputDir).path, result.page) });
    this.fetched.set(page.toString(), result.markdown);
    return page;
  }

  async provideTextDocumentContent(uri: vscode.Uri, token: vscode.CancellationToken): Promise<string> {
    const fetched = this.fetched.get(uri.toString());
    if (fetched !== undefined) {
      this.fetched.delete(uri.toString());
      return fetched;
    }
    const where = await this.locate(uri.path);
    if (!where) {
      return errorPage(uri, 'this is not a page of a workspace folder.');
    }
    const { root, target } = where;
    if (target.type === 'source') {
      // a source-line link resolved against the page: show the text; redirectSource opens the real file
      try {
        return new TextDecoder().decode(await vscode.workspace.fs.readFile(root.with({ path: target.source, fragment: '', query: '' })));
      } catch (error) {
        return errorPage(uri, String(error));
      }
    }
    try {
      const result = await this.server.request<PageResult | null>('repodoc/page', { uri: root.toString(), page: target.page }, token);
      if (typeof result?.markdown !== 'string') {
        return errorPage(uri, 'the server returned no page.');
      }
      return result.markdown;
    } catch (error) {
      return errorPage(uri, error instanceof Error ? error.message : String(error));
    }
  }

  /** Re-render every open page (after an edit, a reindex, an export). */
  refresh(): void {
    this.fetched.clear();
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
    if (where?.target.type !== 'source') {
      return;
    }
    await new Promise((r) => setTimeout(r, 50)); // let the opener set the selection
    const line = lineOfFragment(uri.fragment) ?? editor.selection.active.line;
    const target = where.root.with({ path: where.target.source, fragment: '', query: '' });
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

function errorPage(uri: vscode.Uri, message: string): string {
  const name = uri.path.split('/').pop() ?? uri.path;
  return `# ${name}\n\n> **RepoDoc could not load this page:** ${message.replace(/\n/g, ' ')}\n`;
}
