#!/usr/bin/env bash
# The README's test command. On a fresh machine it installs what the tests need and starts what is not running,
# then type-checks and runs every suite (unit, integration, hostile input, faults).
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v redis-server >/dev/null || need_apt+=(redis-server)
command -v pg_ctlcluster >/dev/null || need_apt+=(postgresql)
[ -x /usr/sbin/dovecot ] || need_apt+=(dovecot-imapd)
command -v pdftotext >/dev/null || need_apt+=(poppler-utils)
command -v chromium >/dev/null || need_apt+=(chromium)
command -v zbarimg >/dev/null || need_apt+=(zbar-tools)
command -v qpdf >/dev/null || need_apt+=(qpdf)
# Chromium draws the Japanese email's screenshots with it (boxes without).
[ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || need_apt+=(fonts-noto-cjk)
/usr/bin/python3 -c 'import dkim' 2>/dev/null || need_apt+=(python3-dkim)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing Debian packages: ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "starting redis-server on 127.0.0.1:6379"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no
  for _ in $(seq 1 50); do redis-cli ping >/dev/null 2>&1 && break; sleep 0.1; done
fi

if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  echo "starting PostgreSQL on 127.0.0.1:5432"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n 1)" main start
  for _ in $(seq 1 100); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 0.1; done
fi

lint_lock=tools/lint/node_modules/.package-lock.json
if [ ! -d tools/lint/node_modules ] || [ tools/lint/package-lock.json -nt "$lint_lock" ]; then
  npm ci --prefix tools/lint --no-audit --no-fund
fi

npx tsc -p .
# One layout for all code (printWidth 120, .prettierrc.json), checked, never rewritten, by the test command.
tools/lint/node_modules/.bin/prettier --check --log-level warn "src/**/*.ts" "queues/**/*.ts" "test/**/*.ts" \
  "bench/**/*.ts" "scripts/**/*.ts" "bin/*.mjs" vitest.config.ts tools/lint/eslint.config.js
# typescript-eslint's recommended rules and lines of at most 120 characters over src/, queues/, test/, bench/ and
# scripts/; over src/ and queues/ also eslint-plugin-regexp's super-linear backtracking rules and functions of at most
# 60 lines
tools/lint/node_modules/.bin/eslint --config tools/lint/eslint.config.js src queues test bench scripts
mkdir -p test-artifacts
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=test-artifacts/vitest.json "$@" || status=$?
node -e '
  const r = require("./test-artifacts/vitest.json");
  const skipped = r.numPendingTests ? `, ${r.numPendingTests} skipped` : "";
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed${skipped}`);
' || true
exit $status
