/** The interpreter selected in the Python extension (ms-python.python), through its API. */

import * as vscode from 'vscode';

export interface PythonExtensionApi {
  environments?: {
    getActiveEnvironmentPath?(resource?: vscode.Uri): { id?: string; path: string } | undefined;
    resolveEnvironment?(env: unknown): Promise<{ executable?: { uri?: vscode.Uri } } | undefined>;
    onDidChangeActiveEnvironmentPath?: vscode.Event<unknown>;
  };
}

/** The interpreter selected in the Python extension (ms-python.python), when it is installed. */
export async function pythonFromExtension(resource: vscode.Uri | undefined): Promise<{ path?: string; api?: PythonExtensionApi }> {
  const ext = vscode.extensions.getExtension<PythonExtensionApi>('ms-python.python');
  if (!ext) {
    return {};
  }
  try {
    const api = ext.isActive ? ext.exports : await withTimeout(Promise.resolve(ext.activate()), 15_000);
    const envs = api?.environments;
    const envPath = envs?.getActiveEnvironmentPath?.(resource);
    if (!envPath) {
      return { api };
    }
    let executable: string | undefined;
    if (envs?.resolveEnvironment) {
      const env = await withTimeout(envs.resolveEnvironment(envPath), 10_000).catch(() => undefined);
      executable = env?.executable?.uri?.fsPath;
    }
    return { path: executable || envPath.path, api };
  } catch {
    return {};
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out')), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
