#!/usr/bin/env bash
# Compares this checkout's service with another revision's under the same load, run alternately: on a shared VM the
# machine's speed drifts by a third between hours, so only runs close together in time compare.
#   bash bench/compare.sh REV [ROUNDS]    (BENCH_RATE, default 100 events/s, for BENCH_SECONDS, default 20;
#                                          BENCH_RATE=0 BENCH_EVENTS=2000: that many events at once, the capacity)
#   COMPARE=render bash bench/compare.sh REV [ROUNDS]    (CPU per certificate of a new 3-line order, 2,000 each)
#   COMPARE=mail bash bench/compare.sh REV [ROUNDS]      (CPU per message composed and sent over SMTP, 4,000 each)
# The benchmark harness (this checkout's bench/) drives both; only src/, queues/ and templates/ differ.
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:?usage: bash bench/compare.sh REV [ROUNDS]}
rounds=${2:-2}
other=$(mktemp -d)
trap 'git worktree remove --force "$other" >/dev/null 2>&1 || rm -rf "$other"' EXIT
git worktree add --detach "$other" "$rev" >/dev/null
ln -s "$PWD/node_modules" "$other/node_modules"
rm -rf "$other/bench" && cp -r bench "$other/bench"
# Each side runs as production does: compiled (npm run build) where its revision has the build, else through tsx.
npm run build >/dev/null
if grep -q '"build":' "$other/package.json"; then (cd "$other" && npm run build >/dev/null); fi
export BENCH_RATE=${BENCH_RATE:-100} BENCH_SECONDS=${BENCH_SECONDS:-20}
# This checkout with changes not committed is HEAD's revision plus "+", so that it never reads as HEAD itself.
label() {
  if [ "$1" != here ]; then echo "$rev"
  elif git diff --quiet HEAD -- src queues templates; then git rev-parse --short HEAD
  else echo "$(git rev-parse --short HEAD)+"; fi
}
if [ "${COMPARE:-e2e}" = mail ]; then
  echo "CPU per message composed and sent, ${rounds} rounds"
  summary='let s="";process.stdin.on("data",(d)=>s+=d).on("end",()=>{const r=JSON.parse(s);
    console.log(`${process.argv[1].padEnd(10)} ${r.cpu.toFixed(3)} ms CPU, ${r.messagesPerSecond} messages/s`)})'
  measure() { npx tsx bench/mail.bench.ts 2>/dev/null; }
elif [ "${COMPARE:-e2e}" = render ]; then
  echo "CPU per certificate of a new 3-line order, ${rounds} rounds"
  summary='let s="";process.stdin.on("data",(d)=>s+=d).on("end",()=>{const r=JSON.parse(s);
    console.log(`${process.argv[1].padEnd(10)} ${r.cpu.toFixed(2)} ms CPU, median ${r.median} ms`)})'
  measure() { npx tsx bench/render.bench.ts --new-order 2>/dev/null; }
else
  if [ "$BENCH_RATE" = 0 ]; then
    echo "${BENCH_EVENTS:-500} events at once, ${rounds} rounds"
  else
    echo "offered ${BENCH_RATE} events/s for ${BENCH_SECONDS} s, ${rounds} rounds"
  fi
  summary='let s="";process.stdin.on("data",(d)=>s+=d).on("end",()=>{const r=JSON.parse(s.slice(s.indexOf("{")));
    const c=r.cpuMsPerEvent,total=Object.values(c).reduce((a,b)=>a+b,0);
    console.log(`${process.argv[1].padEnd(10)} ${String(r.eventsPerSecond).padStart(6)} events/s`
      + `  CPU ${total.toFixed(1)} ms/event ${JSON.stringify(c)}`)})'
  measure() { npx tsx bench/e2e.bench.ts 2>/dev/null; }
fi
for _ in $(seq "$rounds"); do
  (measure | node -e "$summary" "$(label here)")
  (cd "$other" && measure | node -e "$summary" "$(label other)")
done
