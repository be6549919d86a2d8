#!/bin/sh
# Asks OpenClaw itself whether oclaw agrees with it about configs: the realistic full fixture must be valid,
# and the keys oclaw refuses (a root `provider`, `models.pricing`, `models.ollamaDiscovery`, a model entry
# without `name`, a custom provider without models) must be refused by OpenClaw too.
# Not part of `npm test`: OpenClaw needs Node >= 24.16 and its install is ~650 MB. Usage:
#   scripts/openclaw-oracle.sh [SCRATCH_DIR]     (default /tmp/oclaw-oracle; OPENCLAW_VERSION=2026.9.6)
# OpenClaw runs without a network (unshare -rn) where the kernel allows it, with HOME in a temporary dir.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
scratch=${1:-/tmp/oclaw-oracle}
version=${OPENCLAW_VERSION:-2026.9.6}
mkdir -p "$scratch"
cd "$scratch"
[ -f package.json ] || npm init -y >/dev/null
# Under a Node older than 24.16, npm quietly installs an empty 0.0.1 placeholder of openclaw: get Node 24 first.
[ -x node_modules/node/bin/node ] || npm install --no-audit --no-fund node@24 >/dev/null
export PATH="$scratch/node_modules/node/bin:$PATH"
ocver() { node -p 'try { JSON.parse(require("fs").readFileSync("node_modules/openclaw/package.json", "utf8")).version } catch { "" }'; }
installed=$(ocver)
[ "$installed" = "$version" ] || npm install --no-audit --no-fund "openclaw@$version" >/dev/null
echo "OpenClaw $(ocver) on node $(node --version)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '{"ollama":{"proxyToken":"pt-0001"}}' >"$work/secrets.json"
chmod 600 "$work/secrets.json"
printf '#!/bin/sh\necho "{\\"protocolVersion\\":1,\\"values\\":{\\"ollama/api-key\\":\\"k\\"}}"\n' >"$work/helper.sh"
chmod 700 "$work/helper.sh"
isolate=""
if unshare -rn true 2>/dev/null; then isolate="unshare -rn"; fi

# validate FILE: prints OpenClaw's verdict, returns its exit code.
validate() {
  env HOME="$work/home" OPENCLAW_STATE_DIR="$work/state" OPENCLAW_CONFIG_PATH="$1" \
    OLLAMA_BASE_URL=http://127.0.0.1:11434 OLLAMA_API_KEY=ollama-local ANTHROPIC_API_KEY=unused \
    SECRETS_FILE="$work/secrets.json" SECRET_HELPER="$work/helper.sh" \
    $isolate "$scratch/node_modules/.bin/openclaw" config validate 2>&1
}

failed=0
echo "--- tests/fixtures/config/openclaw-full.json5 (must be valid)"
if validate "$here/tests/fixtures/config/openclaw-full.json5"; then :; else failed=1; fi

refuse() {
  printf '%s\n' "$2" >"$work/case.json5"
  echo "--- $1 (must be refused): $2"
  if validate "$work/case.json5" | grep -v '^$'; then :; fi
  if validate "$work/case.json5" >/dev/null; then echo "NOT REFUSED"; failed=1; fi
}
refuse "root provider" '{ provider: "ollama" }'
refuse "models.pricing" '{ models: { pricing: { enabled: false } } }'
refuse "models.ollamaDiscovery" '{ models: { ollamaDiscovery: { enabled: false } } }'
refuse "model without name" '{ models: { providers: { ollama: { models: [{ id: "qwen3:8b" }] } } } }'
refuse "custom provider without models" '{ models: { providers: { "ollama-gpu": { baseUrl: "http://gpu.lan:11434", api: "ollama" } } } }'
refuse "unknown plugin discovery key" '{ plugins: { entries: { ollama: { config: { discovery: { enabled: false, bogus: 1 } } } } } }'

[ "$failed" = 0 ] && echo "OpenClaw agrees" || echo "OpenClaw DISAGREES"
exit "$failed"
