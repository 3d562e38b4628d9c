/** The RepoDoc extension: starts the bundled language server and offers its pages and commands. */

import * as vscode from 'vscode';
import type { Location as LspLocation } from 'vscode-languageclient';

import {
  COMMANDS,
  FOLDER_KINDS,
  PAGE_SCHEME,
  exportSummary,
  folderKindArgument,
  pageRequest,
  searchPickRow,
  uriArgument,
  type ExportResult,
  type FolderKind,
  type SearchItem,
  type ServerStatus,
} from './logic';
import { PageProvider } from './pages';
import { ServerManager } from './server';
import { StatusBar } from './status';

let manager: ServerManager | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const log = vscode.window.createOutputChannel('RepoDoc', { log: true });
  const status = new StatusBar();
  const server = new ServerManager(context.extensionPath, log, status);
  manager = server;
  const pages = new PageProvider(server);
  status.setStatusSource(() => server.request<ServerStatus>('repodoc/status', {}));

  context.subscriptions.push(
    log,
    status,
    server,
    pages,
    vscode.workspace.registerTextDocumentContentProvider(PAGE_SCHEME, pages),
    status.onDidChange(() => pages.refreshSoon()),
    server.onReady(() => pages.refresh()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('repodoc.outputDir') || e.affectsConfiguration('repodoc.exclude')) {
        pages.refreshSoon();
      }
    }),
  );

  const register = (id: string, handler: (...args: unknown[]) => unknown) =>
    context.subscriptions.push(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          return await handler(...args);
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          log.error(`${id}: ${message}`);
          void vscode.window.showErrorMessage(`RepoDoc: ${message}`, 'Open Log').then((c) => c && log.show(true));
          return undefined;
        }
      }),
    );

  register(COMMANDS.showFileDoc, (arg) => showSourcePage(pages, arg, 'docs'));
  register(COMMANDS.showKeywordIndex, (arg) => showSourcePage(pages, arg, 'kw'));
  register(COMMANDS.showFolderDoc, (arg) => showFolderDoc(pages, arg));
  register(COMMANDS.searchKeywords, () => searchKeywords(server));
  register(COMMANDS.showCrossReferences, (arg) => showCrossReferences(server, arg));
  register(COMMANDS.exportDocs, (arg) => exportDocs(server, status, pages, arg));
  register(COMMANDS.reindex, () => reindex(server, status, pages));
  register(COMMANDS.restartServer, () => server.restart());
  register(COMMANDS.showLog, () => log.show(true));

  void server.start();
}

export async function deactivate(): Promise<void> {
  await manager?.stop();
  manager = undefined;
}

/** A command's target: its argument (menus, hover links) or the active editor's document. */
function targetUri(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) {
    return arg;
  }
  const s = uriArgument(arg);
  if (s) {
    return vscode.Uri.parse(s);
  }
  return vscode.window.activeTextEditor?.document.uri;
}

async function showSourcePage(pages: PageProvider, arg: unknown, kind: 'docs' | 'kw'): Promise<void> {
  const uri = targetUri(arg);
  if (!uri) {
    void vscode.window.showWarningMessage('RepoDoc: open a file of the workspace first.');
    return;
  }
  if (uri.scheme === PAGE_SCHEME) {
    await pages.show(uri);
    return;
  }
  if (uri.scheme !== 'file') {
    void vscode.window.showWarningMessage(`RepoDoc: ${uri.toString()} is not a file of an open workspace folder.`);
    return;
  }
  await pages.show(await pages.pageUri(uri, kind));
}

async function isDirectory(uri: vscode.Uri): Promise<boolean> {
  try {
    return ((await vscode.workspace.fs.stat(uri)).type & vscode.FileType.Directory) !== 0;
  } catch {
    return false;
  }
}

async function showFolderDoc(pages: PageProvider, arg: unknown): Promise<void> {
  let folder = arg === undefined ? undefined : targetUri(arg);
  if (folder && folder.scheme === 'file' && !(await isDirectory(folder))) {
    folder = vscode.Uri.joinPath(folder, '..');
  }
  if (!folder) {
    const active = vscode.window.activeTextEditor?.document.uri;
    folder =
      active?.scheme === 'file' && vscode.workspace.getWorkspaceFolder(active)
        ? vscode.Uri.joinPath(active, '..')
        : vscode.workspace.workspaceFolders?.[0]?.uri;
  }
  if (!folder) {
    void vscode.window.showWarningMessage('RepoDoc: open a workspace folder first.');
    return;
  }
  let kind: FolderKind | undefined = folderKindArgument(arg);
  if (!kind) {
    const labels: Record<FolderKind, string> = {
      index: 'Index: subfolders and files',
      doc: 'Overview: role, counts, key modules, import graph',
      sub: 'Subtree keywords: every symbol defined below',
    };
    const root = vscode.workspace.getWorkspaceFolder(folder);
    const name = root ? vscode.workspace.asRelativePath(folder, false) || root.name : folder.fsPath;
    const picked = await vscode.window.showQuickPick(
      FOLDER_KINDS.map((k) => ({ label: labels[k], description: `${k}.md`, pageKind: k })),
      { title: `RepoDoc: documentation of ${name}`, placeHolder: 'Which folder page?' },
    );
    if (!picked) {
      return;
    }
    kind = picked.pageKind;
  }
  await pages.show(await pages.pageUri(folder, kind));
}

function toLocation(loc: LspLocation): vscode.Location {
  const r = loc.range;
  return new vscode.Location(
    vscode.Uri.parse(loc.uri),
    new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character),
  );
}

interface PickItem extends vscode.QuickPickItem {
  item: SearchItem;
}

async function searchKeywords(server: ServerManager): Promise<void> {
  const quickPick = vscode.window.createQuickPick<PickItem>();
  quickPick.title = 'RepoDoc: Search Keywords';
  quickPick.placeholder = 'Type a class, function, method or constant name';
  quickPick.matchOnDescription = true;
  quickPick.matchOnDetail = true;
  const root = vscode.workspace.workspaceFolders?.[0]?.uri.path;
  let pending: vscode.CancellationTokenSource | undefined;
  let timer: NodeJS.Timeout | undefined;

  const search = async (query: string) => {
    pending?.cancel();
    const source = new vscode.CancellationTokenSource();
    pending = source;
    quickPick.busy = true;
    try {
      const result = await server.request<{ items?: SearchItem[] }>('repodoc/searchKeywords', { query, limit: 100 }, source.token);
      if (source.token.isCancellationRequested) {
        return;
      }
      quickPick.items = (result?.items ?? []).map((item) => ({ ...searchPickRow(item, root), alwaysShow: true, item }));
    } catch (error) {
      if (!source.token.isCancellationRequested) {
        quickPick.items = [];
        quickPick.placeholder = `Search failed: ${error instanceof Error ? error.message : String(error)}`;
      }
    } finally {
      if (pending === source) {
        quickPick.busy = false;
      }
    }
  };

  quickPick.onDidChangeValue((value) => {
    if (timer) {
      clearTimeout(timer);
    }
    timer = setTimeout(() => void search(value), 150);
  });
  quickPick.onDidAccept(async () => {
    const chosen = quickPick.selectedItems[0]?.item;
    quickPick.hide();
    if (chosen?.location?.uri) {
      const start = chosen.location.range?.start ?? { line: 0, character: 0 };
      const position = new vscode.Position(start.line, start.character);
      await vscode.window.showTextDocument(vscode.Uri.parse(chosen.location.uri), {
        selection: new vscode.Range(position, position),
      });
    }
  });
  quickPick.onDidHide(() => {
    pending?.cancel();
    if (timer) {
      clearTimeout(timer);
    }
    quickPick.dispose();
  });
  quickPick.show();
  void search('');
}

async function showCrossReferences(server: ServerManager, arg: unknown): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  let params: Record<string, unknown>;
  let uri: vscode.Uri;
  let position: vscode.Position;
  if (arg && typeof arg === 'object' && typeof (arg as { keyword?: unknown }).keyword === 'string') {
    params = { keyword: (arg as { keyword: string }).keyword };
    uri = editor?.document.uri ?? vscode.Uri.file('/');
    position = editor?.selection.active ?? new vscode.Position(0, 0);
  } else {
    if (!editor) {
      void vscode.window.showWarningMessage('RepoDoc: put the cursor on a name in an editor first.');
      return;
    }
    uri = editor.document.uri;
    position = editor.selection.active;
    params = { uri: uri.toString(), position: { line: position.line, character: position.character } };
  }
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: 'RepoDoc: cross-references' },
    (_p, token) =>
      server.request<{ keyword?: string; definitions?: LspLocation[]; references?: LspLocation[] }>(
        'repodoc/crossReferences',
        params,
        token,
      ),
  );
  const seen = new Set<string>();
  const locations: vscode.Location[] = [];
  for (const loc of [...(result?.definitions ?? []), ...(result?.references ?? [])]) {
    const key = `${loc.uri}:${loc.range.start.line}:${loc.range.start.character}`;
    if (!seen.has(key)) {
      seen.add(key);
      locations.push(toLocation(loc));
    }
  }
  if (!locations.length) {
    void vscode.window.showInformationMessage(
      result?.keyword ? `RepoDoc: no cross-references for ${result.keyword}.` : 'RepoDoc: no workspace keyword at the cursor.',
    );
    return;
  }
  await vscode.commands.executeCommand('editor.action.showReferences', uri, position, locations);
}

async function exportDocs(server: ServerManager, status: StatusBar, pages: PageProvider, arg: unknown): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    void vscode.window.showWarningMessage('RepoDoc: open a workspace folder first.');
    return;
  }
  const fromArg = arg && typeof arg === 'object' ? (arg as { outputDir?: unknown }).outputDir : undefined;
  const outputDir =
    (typeof fromArg === 'string' && fromArg.trim()) ||
    (vscode.workspace.getConfiguration('repodoc', folder.uri).get<string>('outputDir') ?? '').trim();
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'RepoDoc: exporting documentation…', cancellable: true },
    (_p, token) => server.executeServerCommand<ExportResult>(COMMANDS.exportDocs, outputDir ? [{ outputDir }] : [], token),
  );
  status.refresh();
  pages.refresh();
  let dirUri: vscode.Uri | undefined;
  if (result?.outputDir) {
    const dir = result.outputDir.replace(/\\/g, '/');
    dirUri = /^\/|^[A-Za-z]:\//.test(dir) ? vscode.Uri.file(result.outputDir) : vscode.Uri.joinPath(folder.uri, dir);
  } else {
    dirUri = await pages.outputDirOf(folder.uri);
  }
  const open = 'Open the Index';
  const choice = await vscode.window.showInformationMessage(exportSummary(result, dirUri?.fsPath ?? ''), open);
  if (choice === open && dirUri) {
    // The root folder's index page, by the path the server gives it.
    const { method, params } = pageRequest('index', folder.uri.toString());
    const index = await server.request<{ page?: string } | null>(method, params);
    if (typeof index?.page === 'string') {
      await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.joinPath(dirUri, index.page));
    }
  }
}

async function reindex(server: ServerManager, status: StatusBar, pages: PageProvider): Promise<void> {
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: 'RepoDoc: reindexing' },
    (_p, token) => server.executeServerCommand<unknown>(COMMANDS.reindex, [], token),
  );
  status.refresh();
  pages.refresh();
}
