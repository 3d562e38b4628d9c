// Runs scripts/bundle_server.py (bundled/libs: the server and its dependencies) with a Python
// that has pip: $REPODOC_BUNDLE_PYTHON, else the repository's .venv (make test), else python3.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const client = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const venv = join(client, '..', '.venv', process.platform === 'win32' ? 'Scripts/python.exe' : 'bin/python');
const candidates = [process.env.REPODOC_BUNDLE_PYTHON, existsSync(venv) ? venv : undefined, 'python3', 'python'].filter(Boolean);

const python = candidates.find((p) => spawnSync(p, ['-m', 'pip', '--version'], { stdio: 'ignore' }).status === 0);
if (!python) {
  console.error(`bundle: no Python with pip among ${candidates.join(', ')}; set REPODOC_BUNDLE_PYTHON to one`);
  process.exit(1);
}
const run = spawnSync(python, [join(client, 'scripts', 'bundle_server.py')], { stdio: 'inherit' });
process.exit(run.status ?? 1);
