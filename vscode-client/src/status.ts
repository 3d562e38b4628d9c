/** The status bar item: indexing progress, then "RepoDoc: N files". */

import * as vscode from 'vscode';
import type { ProgressToken, WorkDoneProgressBegin, WorkDoneProgressEnd, WorkDoneProgressReport } from 'vscode-languageclient';

import { COMMANDS, statusBarText, type ProgressState, type ServerStatus, type StatusPhase } from './logic';

const POLL_INDEXING_MS = 2_000;
const POLL_READY_MS = 30_000;

export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private phase: StatusPhase = 'starting';
  private readonly progress = new Map<string, ProgressState>();
  private status: ServerStatus | undefined;
  private timer: NodeJS.Timeout | undefined;
  private statusSupported = true;
  private fetchStatus: (() => Promise<ServerStatus | undefined>) | undefined;
  private readonly changed = new vscode.EventEmitter<ServerStatus | undefined>();
  /** Fires when the server's status or indexing progress changes (pages may be stale). */
  readonly onDidChange = this.changed.event;

  constructor() {
    this.item = vscode.window.createStatusBarItem('repodoc.status', vscode.StatusBarAlignment.Left, 50);
    this.item.name = 'RepoDoc';
    this.render();
    this.item.show();
  }

  /** How to ask the server for `repodoc/status`. */
  setStatusSource(fetch: () => Promise<ServerStatus | undefined>): void {
    this.fetchStatus = fetch;
    this.statusSupported = true;
  }

  setPhase(phase: StatusPhase): void {
    this.phase = phase;
    if (phase !== 'running') {
      this.progress.clear();
      this.status = undefined;
      this.stopPolling();
    } else {
      this.poll(0);
    }
    this.render();
  }

  /** Work-done progress from the server (`$/progress`), seen through the client middleware. */
  onProgress(token: ProgressToken, params: WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd): void {
    const key = String(token);
    if (params.kind === 'begin') {
      this.progress.set(key, { title: params.title, message: params.message, percentage: params.percentage });
    } else if (params.kind === 'report') {
      const state = this.progress.get(key) ?? {};
      this.progress.set(key, {
        ...state,
        message: params.message ?? state.message,
        percentage: params.percentage ?? state.percentage,
      });
    } else {
      this.progress.delete(key);
      this.poll(0);
      this.changed.fire(this.status);
    }
    this.render();
  }

  /** Ask for the status soon (after a reindex or an export). */
  refresh(): void {
    this.poll(0);
  }

  private poll(delay: number): void {
    this.stopPolling();
    if (this.phase !== 'running' || !this.fetchStatus || !this.statusSupported) {
      return;
    }
    this.timer = setTimeout(() => void this.pollOnce(), delay);
  }

  private async pollOnce(): Promise<void> {
    this.timer = undefined;
    if (!this.fetchStatus) {
      return;
    }
    let next = POLL_READY_MS;
    try {
      const before = this.status?.state;
      this.status = await this.fetchStatus();
      if (this.status?.state === 'indexing' || this.progress.size) {
        next = POLL_INDEXING_MS;
      }
      if (before !== this.status?.state) {
        this.changed.fire(this.status);
      }
    } catch (error) {
      // MethodNotFound (-32601): a server without repodoc/status; progress still shows
      if ((error as { code?: number })?.code === -32601) {
        this.statusSupported = false;
      }
      this.status = undefined;
    }
    this.render();
    this.poll(next);
  }

  private stopPolling(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  private render(): void {
    const current = [...this.progress.values()].pop();
    const { text, tooltip } = statusBarText(this.phase, current, this.status);
    this.item.text = text;
    this.item.tooltip = tooltip;
    const root = vscode.workspace.workspaceFolders?.[0]?.uri;
    this.item.command =
      this.phase === 'failed' || !root
        ? { title: 'Show Log', command: COMMANDS.showLog }
        : { title: 'Show Workspace Documentation', command: COMMANDS.showFolderDoc, arguments: [{ uri: root.toString(), kind: 'index' }] };
  }

  dispose(): void {
    this.stopPolling();
    this.changed.dispose();
    this.item.dispose();
  }
}
