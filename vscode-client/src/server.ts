/** Starting, restarting and talking to the language server (how it is started: launch.ts). */

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as os from 'node:os';
import * as vscode from 'vscode';
import {
  CloseAction,
  DidChangeConfigurationNotification,
  ErrorAction,
  ExecuteCommandRequest,
  LanguageClient,
  type CancellationToken,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';

import {
  choosePython,
  commandLine,
  describeStartFailure,
  importStrategy,
  serverLaunch,
  type FailureReport,
  type ImportStrategy,
  type PythonChoice,
  type ServerLaunch,
  type StartFailure,
} from './launch';
import { CLIENT_OWNED_SERVER_COMMANDS, COMMANDS, initializationOptions, type ServerSettings } from './logic';
import { pythonFromExtension, type PythonExtensionApi } from './pythonext';
import type { StatusBar } from './status';

const PREFLIGHT_TIMEOUT_MS = 20_000;
/** Settings the server receives (see serverSettings). */
const SERVER_SETTINGS = ['repodoc.outputDir', 'repodoc.exclude', 'repodoc.templates', 'repodoc.trustTemplates'];
const MAX_RESTARTS = 4;
const RESTART_WINDOW_MS = 3 * 60_000;

/** Settings that change which process runs the server: a change restarts it. */
const LAUNCH_SETTINGS = ['repodoc.interpreter', 'repodoc.python', 'repodoc.importStrategy'];
/** `repodoc.features.*`: the server advertises its features once, at initialize, so a change restarts it. */
const FEATURE_SETTINGS = 'repodoc.features';

function processEnv(launch: ServerLaunch): NodeJS.ProcessEnv {
  return { ...process.env, ...launch.env };
}

/**
 * `server.py --version` (which imports the server and every dependency): cheap, and explains
 * the common failures (no Python, too old, a broken environment) before the client starts.
 */
function preflight(launch: ServerLaunch, log: vscode.LogOutputChannel): Promise<StartFailure | undefined> {
  const options = { cwd: launch.cwd, env: processEnv(launch), timeout: PREFLIGHT_TIMEOUT_MS };
  return new Promise((resolve) => {
    execFile(launch.command, launch.args, options, (error, stdout, stderr) => {
      if (!error) {
        log.info([String(stdout).trim(), String(stderr).trim()].filter(Boolean).join('\n'));
        resolve(undefined);
        return;
      }
      const e = error as NodeJS.ErrnoException & { killed?: boolean; signal?: string | null; code?: string | number | null };
      if (e.killed) {
        resolve(undefined); // slow, not broken: let the real start decide
        return;
      }
      resolve({
        errorCode: typeof e.code === 'string' ? e.code : undefined,
        exitCode: typeof e.code === 'number' ? e.code : undefined,
        signal: e.signal ?? undefined,
        stderr: String(stderr ?? ''),
        errorMessage: e.message,
      });
    });
  });
}

export class ServerManager implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private starting: Promise<LanguageClient | undefined> = Promise.resolve(undefined);
  private process: ChildProcess | undefined;
  private stderrTail = '';
  private lastExit: { code: number | null; signal: string | null } | undefined;
  private initialized = false;
  private restarts: number[] = [];
  private python: PythonChoice | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private pythonApiHooked = false;
  private readonly onReadyEmitter = new vscode.EventEmitter<LanguageClient>();
  /** Fires each time a (re)started server has answered `initialize`. */
  readonly onReady = this.onReadyEmitter.event;

  constructor(
    /** The extension's folder: the server's script is in it, and the server runs in it. */
    private readonly extensionDir: string,
    private readonly log: vscode.LogOutputChannel,
    private readonly status: StatusBar,
  ) {
    this.disposables.push(
      this.onReadyEmitter,
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (LAUNCH_SETTINGS.some((key) => e.affectsConfiguration(key))) {
          this.log.info('the interpreter settings changed: restarting the server');
          void this.restart();
        } else if (e.affectsConfiguration(FEATURE_SETTINGS)) {
          this.log.info('the features settings changed: restarting the server');
          void this.restart();
        } else if (SERVER_SETTINGS.some((key) => e.affectsConfiguration(key))) {
          void this.pushSettings();
        }
      }),
      // Trusting the workspace lets its own settings (repodoc.interpreter, repodoc.trustTemplates...) apply.
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        this.log.info('the workspace is now trusted: restarting the server with its settings');
        void this.restart();
      }),
    );
  }

  /** The running client, waiting for a start in progress; undefined when the server is not running. */
  ready(): Promise<LanguageClient | undefined> {
    return this.starting;
  }

  async request<R>(method: string, params: unknown, token?: CancellationToken): Promise<R> {
    const client = await this.ready();
    if (!client) {
      throw new Error('the RepoDoc language server is not running (see "RepoDoc: Show Log")');
    }
    // Without a token, an `undefined` last argument would make the params a list [params, null].
    return token ? client.sendRequest<R>(method, params, token) : client.sendRequest<R>(method, params);
  }

  async executeServerCommand<R>(command: string, args: unknown[], token?: CancellationToken): Promise<R> {
    const client = await this.ready();
    if (!client) {
      throw new Error('the RepoDoc language server is not running (see "RepoDoc: Show Log")');
    }
    return (await client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args }, token)) as R;
  }

  start(): Promise<LanguageClient | undefined> {
    this.starting = this.doStart();
    return this.starting;
  }

  /** workspace/didChangeConfiguration with the settings the server knows, as initializationOptions has them. */
  private async pushSettings(): Promise<void> {
    const client = this.client;
    if (!client || !this.initialized) {
      return;
    }
    const settings = serverSettings(this.workspaceRoot()?.uri);
    this.log.info(`settings changed: ${JSON.stringify(settings)}`);
    await client.sendNotification(DidChangeConfigurationNotification.type, { settings: { repodoc: settings } });
  }

  async restart(): Promise<LanguageClient | undefined> {
    await this.stop();
    return this.start();
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.initialized = false;
    this.starting = Promise.resolve(undefined);
    if (client) {
      try {
        await client.stop(3000);
      } catch (e) {
        this.log.warn(`stopping the server: ${String(e)}`);
      }
      try {
        await client.dispose(1000);
      } catch {
        // already stopped
      }
    }
    this.killProcess();
    this.status.setPhase('stopped');
  }

  private killProcess(): void {
    const proc = this.process;
    this.process = undefined;
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      proc.kill();
    }
  }

  private workspaceRoot(): vscode.WorkspaceFolder | undefined {
    const folders = vscode.workspace.workspaceFolders;
    return folders && folders.length ? folders[0] : undefined;
  }

  private async resolvePython(): Promise<PythonChoice> {
    const root = this.workspaceRoot();
    const config = vscode.workspace.getConfiguration('repodoc', root?.uri);
    const settings = { interpreter: config.get<unknown>('interpreter'), python: config.get<unknown>('python') };
    let fromExtension: string | undefined;
    if (choosePython(settings, undefined).source !== 'setting') {
      const found = await pythonFromExtension(root?.uri);
      if (found.path && !vscode.workspace.isTrusted && vscode.workspace.getWorkspaceFolder(vscode.Uri.file(found.path))) {
        // An interpreter the repository ships (a committed .venv) is the repository's code.
        this.log.warn(`not running ${found.path}: it lies inside a workspace you have not trusted`);
      } else {
        fromExtension = found.path;
      }
      this.hookPythonExtension(found.api);
    }
    return choosePython(settings, fromExtension, { workspaceFolder: root?.uri.fsPath, home: os.homedir() });
  }

  private hookPythonExtension(api: PythonExtensionApi | undefined): void {
    const event = api?.environments?.onDidChangeActiveEnvironmentPath;
    if (this.pythonApiHooked || !event) {
      return;
    }
    this.pythonApiHooked = true;
    this.disposables.push(
      event(() => {
        if (this.python?.source !== 'setting') {
          this.log.info('the Python extension selected another interpreter: restarting the server');
          void this.restart();
        }
      }),
    );
  }

  private async doStart(): Promise<LanguageClient | undefined> {
    this.status.setPhase('starting');
    const python = await this.resolvePython();
    this.python = python;
    const root = this.workspaceRoot();
    const strategy: ImportStrategy = importStrategy(vscode.workspace.getConfiguration('repodoc', root?.uri).get('importStrategy'));
    const launch = serverLaunch(python, strategy, this.extensionDir);
    this.log.info(
      `starting ${commandLine([launch.command, ...launch.args], process.platform)} (interpreter from ${python.source}, ${strategy}) in ${launch.cwd}`,
    );

    const early = await preflight(serverLaunch(python, strategy, this.extensionDir, '--version'), this.log);
    if (early) {
      if (early.stderr) {
        this.log.error(early.stderr.trimEnd());
      }
      this.reportFailure(describeStartFailure(python.command, strategy, early, process.platform));
      return undefined;
    }

    this.stderrTail = '';
    this.lastExit = undefined;
    this.initialized = false;

    const serverOptions: ServerOptions = () =>
      new Promise<ChildProcess>((resolve, reject) => {
        const proc = spawn(launch.command, launch.args, { cwd: launch.cwd, env: processEnv(launch), stdio: 'pipe' });
        this.process = proc;
        proc.stderr?.on('data', (data: Buffer) => {
          this.stderrTail = (this.stderrTail + data.toString('utf8')).slice(-16_000);
        });
        proc.on('exit', (code, signal) => {
          this.lastExit = { code, signal };
          if (!this.initialized) {
            this.log.error(`the server exited before it was ready (code ${code}, signal ${signal})`);
          }
        });
        proc.once('error', (err) => reject(err));
        proc.once('spawn', () => resolve(proc));
      });

    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ scheme: 'file', language: 'python' }],
      outputChannel: this.log,
      initializationOptions: serverSettings(root?.uri),
      synchronize: {
        // No configurationSection: it would push the raw section, client-only keys
        // (python, trace) and empty strings included, and `outputDir: ""` means the root to
        // the server. The extension pushes the same cleaned object as initializationOptions
        // ({repodoc: {outputDir?, exclude?, templates?, trustTemplates?}}) itself, see
        // pushSettings, and answers workspace/configuration pulls with it.
        fileEvents: vscode.workspace.createFileSystemWatcher(
          '**/*.{py,pyi,pyw,md,markdown,rst,txt,json,toml,yaml,yml,ini,cfg}',
        ),
      },
      markdown: {
        // hovers link to pages through command: URIs; only these commands run from them
        isTrusted: {
          enabledCommands: [COMMANDS.showFileDoc, COMMANDS.showKeywordIndex, COMMANDS.showFolderDoc, COMMANDS.showCrossReferences],
        },
        supportHtml: false,
      },
      initializationFailedHandler: (error) => {
        this.log.error(`initialize failed: ${String(error)}`);
        return false;
      },
      errorHandler: {
        error: (_error, _message, count) => ({ action: (count ?? 0) <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown }),
        closed: () => this.onClosed(),
      },
      middleware: {
        workspace: {
          configuration: (params, token, next) => {
            if (params.items.every((item) => item.section === 'repodoc')) {
              return params.items.map((item) => serverSettings(item.scopeUri ? vscode.Uri.parse(item.scopeUri) : root?.uri));
            }
            return next(params, token);
          },
        },
        handleWorkDoneProgress: (token, params, next) => {
          this.status.onProgress(token, params);
          next(token, params);
        },
      },
    };

    const client = new LanguageClient('repodoc', 'RepoDoc', serverOptions, clientOptions);
    keepClientCommands(client);
    this.client = client;
    try {
      await client.start();
    } catch (error) {
      if (this.client === client) {
        // give the exit event and the last stderr a moment to arrive
        await new Promise((r) => setTimeout(r, 300));
        const exit = this.lastExit as { code: number | null; signal: string | null } | undefined;
        this.reportFailure(
          describeStartFailure(
            python.command,
            strategy,
            {
              errorCode: (error as NodeJS.ErrnoException)?.code,
              errorMessage: error instanceof Error ? error.message : String(error),
              exitCode: exit?.code,
              signal: exit?.signal,
              stderr: this.stderrTail,
            },
            process.platform,
          ),
        );
        this.client = undefined;
        void client.dispose().catch(() => undefined);
      }
      return undefined;
    }
    if (this.client !== client) {
      return undefined;
    }
    this.initialized = true;
    this.status.setPhase('running');
    this.log.info('the server is ready');
    this.onReadyEmitter.fire(client);
    return client;
  }

  private onClosed(): { action: CloseAction; handled: boolean } {
    if (!this.initialized) {
      return { action: CloseAction.DoNotRestart, handled: true };
    }
    const now = Date.now();
    this.restarts = this.restarts.filter((t) => now - t < RESTART_WINDOW_MS);
    this.restarts.push(now);
    if (this.restarts.length <= MAX_RESTARTS) {
      this.log.warn('the server stopped unexpectedly: restarting it');
      return { action: CloseAction.Restart, handled: true };
    }
    this.initialized = false;
    this.reportFailure({
      kind: 'crashed',
      message: `RepoDoc: the language server stopped ${this.restarts.length} times in 3 minutes and will not be restarted. See the log; "RepoDoc: Restart Server" tries again.`,
    });
    return { action: CloseAction.DoNotRestart, handled: true };
  }

  private reportFailure(report: FailureReport): void {
    this.log.error(report.message);
    this.status.setPhase('failed');
    const buttons: string[] = ['Open Log'];
    if (report.installCommand) {
      buttons.push('Copy Install Command');
    }
    if (report.setting) {
      buttons.push('Open Settings');
    }
    void vscode.window.showErrorMessage(report.message, ...buttons).then(async (choice) => {
      if (choice === 'Open Log') {
        this.log.show(true);
      } else if (choice === 'Copy Install Command' && report.installCommand) {
        await vscode.env.clipboard.writeText(report.installCommand);
        void vscode.window.showInformationMessage(`Copied: ${report.installCommand}. Run it, then "RepoDoc: Restart Server".`);
      } else if (choice === 'Open Settings' && report.setting) {
        void vscode.commands.executeCommand('workbench.action.openSettings', report.setting);
      }
    });
  }

  dispose(): void {
    void this.stop();
    for (const d of this.disposables) {
      d.dispose();
    }
  }
}

/** The server's settings from ours: only what the user set, so `[tool.repodoc]` keeps the rest. */
function serverSettings(scope: vscode.Uri | undefined): ServerSettings & { features?: Record<string, boolean> } {
  const config = vscode.workspace.getConfiguration('repodoc', scope);
  const settings = initializationOptions({
    outputDir: config.get<string>('outputDir'),
    exclude: config.get<string[]>('exclude'),
    templates: config.get<string>('templates'),
    trustTemplates: config.get<boolean>('trustTemplates'),
    workspaceTrusted: vscode.workspace.isTrusted,
  });
  // Only the features turned off: one left on keeps what the folder's [tool.repodoc.features] says.
  const off = Object.entries(config.get<Record<string, unknown>>('features') ?? {}).filter(([, on]) => on === false);
  return off.length ? { ...settings, features: Object.fromEntries(off) as Record<string, boolean> } : settings;
}

/**
 * vscode-languageclient registers a VS Code command for every command the server lists in
 * `executeCommandProvider`, under the same id. The server lists `repodoc.exportDocs` and
 * `repodoc.reindex`, which this extension registers itself (progress, follow-up buttons);
 * a second registration would throw "command already exists" and fail the client. So the
 * client's ExecuteCommandFeature skips those ids; the extension's commands send
 * `workspace/executeCommand` themselves. Any other server command is registered as usual.
 */
function keepClientCommands(client: LanguageClient): void {
  const feature = client.getFeature(ExecuteCommandRequest.method);
  const register = feature.register.bind(feature);
  feature.register = (data) =>
    register({
      ...data,
      registerOptions: {
        ...data.registerOptions,
        commands: (data.registerOptions.commands ?? []).filter((c) => !CLIENT_OWNED_SERVER_COMMANDS.includes(c)),
      },
    });
}
