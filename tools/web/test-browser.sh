#!/usr/bin/env bash
# Drives the page of tools/web in headless Chromium: builds it
# (tools/web/build.sh), then loads index.html in test mode, which draws
# digits on the canvas with synthetic pointer events; every stroke goes
# through dgi_preprocess and dgi_classify in the wasm runtime, and the page
# writes what it predicted into the DOM, which --dump-dom prints.
#   - from file:// (the modules and the model come from bundle.js): the ten
#     digits, each one a test, then the Clear button; the page must have
#     chosen the wasm SIMD module;
#   - the same ten digits with the scalar module forced (?wasm=scalar): the
#     same answers;
#   - both modules timed in the page (?bench): printed as a measurement,
#     not a test (timings are not pass/fail);
#   - from a loopback web server (python3 -m http.server on 127.0.0.1),
#     fetching digitinfer-simd.wasm and mnist-int8.dgi (?fetch): a 7;
#   - a number drawn with pointer events in "a number" mode (?number=):
#     read digit for digit, one box each;
#   - the page without test mode starts cleanly ("Draw a digit");
#   - a screenshot of the page after drawing a 7 (the artifact);
#   - with node: the page as a phone shows it (harness/phone.mjs, over the
#     DevTools protocol): a 390x844 touch viewport, the sample photos and a
#     generated photo of a number through the file input, a number drawn
#     with touch events, the answer visible without scrolling, the camera
#     (Chromium's fake device) and what the page says when it is refused or
#     absent; screenshots digitinfer-web-phone.png, digitinfer-web-photo.png.
# Ends with "browser: N passed, M failed"; exits non-zero on failure.
#
# Usage: tools/web/test-browser.sh [BUILD_DIR]
#        tools/web/test-browser.sh --site DIR
#   BUILD_DIR  where to build the page (default: <repo>/.build-web, shared
#              with test-wasm.sh and tools/release.sh)
#   --site DIR test the page already in DIR (an unpacked release bundle,
#              tools/test-release.sh) instead of building one
# Environment:
#   CHROMIUM        the browser (default: chromium, chromium-browser or google-chrome on PATH)
#   SCREENSHOT_DIR  where digitinfer-web-7.png goes (default: /tmp)
#   SWIFTC          as for build.sh
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
shots=${SCREENSHOT_DIR:-/tmp}
tmp=$(mktemp -d)
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
prebuilt=0
if [ "${1:-}" = --site ]; then
  [ $# -eq 2 ] && [ -f "$2/index.html" ] || { echo "test-browser.sh: --site needs a directory with index.html" >&2; exit 2; }
  site=$(cd "$2" && pwd) prebuilt=1
else
  mkdir -p "${1:-$repo/.build-web}" && site=$(cd "${1:-$repo/.build-web}" && pwd)
fi

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok    $*"; }
fail() { failed=$((failed + 1)); echo "FAIL  $*"; }
finish() {
  echo "browser: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit
}

browser=${CHROMIUM:-}
if [ -z "$browser" ]; then
  for b in chromium chromium-browser google-chrome; do
    if command -v "$b" >/dev/null; then browser=$b; break; fi
  done
fi
if [ -z "$browser" ] || ! command -v "$browser" >/dev/null; then
  fail "no headless browser: install Debian's chromium package (apt-get install chromium) or set CHROMIUM"
  finish
fi
echo "== $("$browser" --version 2>/dev/null | head -1)"

if [ "$prebuilt" = 1 ]; then
  echo "== the page in $site (not built here)"
else
  echo "== build (tools/web/build.sh $site)"
  if "$repo/tools/web/build.sh" "$site"; then pass "tools/web/build.sh"; else fail "tools/web/build.sh"; finish; fi
fi

# chrome URL [FLAGS...]: the page's DOM after its scripts ran, on stdout.
# A fresh profile each time; --no-sandbox because CI runs as root.
run=0
chrome() {
  local url=$1
  shift
  run=$((run + 1))
  timeout 120 "$browser" --headless --no-sandbox --disable-gpu --no-first-run --no-default-browser-check \
    --user-data-dir="$tmp/profile-$run" --hide-scrollbars --window-size=800,620 \
    --virtual-time-budget=10000 "$@" "$url" 2>"$tmp/chrome-$run.log"
}
result() { sed -n 's/.*<output id="test-result"[^>]*>\([^<]*\)<\/output>.*/\1/p' | head -1; }
# settled_dom PATTERN URL [FLAGS...]: the page's DOM, dumped again once if the
# first dump does not match PATTERN yet (on a loaded machine the dump can come
# before the page finished loading the wasm module and the model); a settled
# page that differs from PATTERN is not asked again.
settled_dom() {
  local pattern=$1 dom="" try
  shift
  for try in 1 2; do
    dom=$(chrome "$@" --dump-dom)
    echo "$dom" | grep -q "$pattern" && break
  done
  echo "$dom"
}
# page_verdict URL [FLAGS...]: the page's test verdict (see settled_dom).
page_verdict() { settled_dom '<output id="test-result"[^>]*>[^<]' "$@" | result; }

echo "== file:// (bundle.js), ten digits, then Clear"
digits=0123456789
verdict=$(page_verdict "file://$site/index.html?test=$digits&clear")
echo "page: ${verdict:-(no result; see the browser log below)}"
[ -n "$verdict" ] || tail -5 "$tmp/chrome-$run.log"
got=$(echo "$verdict" | sed -n 's/^expected [0-9]* got \([0-9?]*\).*/\1/p')
for ((i = 0; i < ${#digits}; i++)); do
  d=${digits:i:1}
  if [ "${got:i:1}" = "$d" ]; then pass "drew a $d, the page predicted $d"; else fail "drew a $d, the page predicted '${got:i:1}'"; fi
done
case "$verdict" in *", clear ok") pass "Clear empties the pad and the answer" ;; *) fail "Clear" ;; esac
case "$verdict" in *", module simd,"*) pass "Chromium runs the wasm SIMD module" ;; *) fail "the page did not choose the SIMD module" ;; esac

echo "== the scalar module (?wasm=scalar), the same ten digits"
scalar=$(page_verdict "file://$site/index.html?test=$digits&wasm=scalar")
echo "page: ${scalar:-(no result)}"
if [ "$(echo "$scalar" | sed -n 's/^expected [0-9]* got \([0-9?]*\), module scalar$/\1/p')" = "$got" ]; then
  pass "the scalar module gives the SIMD module's ten answers"
else
  fail "the scalar module's answers differ from the SIMD module's ($got)"
fi

echo "== time per classification in the page (a measurement, not a test)"
us() { chrome "file://$site/index.html?test=7&wasm=$1&bench" --dump-dom | result | sed -n 's/.*, classify \([0-9.]*\) us$/\1/p'; }
simd_us=$(us simd)
scalar_us=$(us scalar)
echo "measure: dgi_classify in headless Chromium: SIMD module ${simd_us:-?} us, scalar module ${scalar_us:-?} us" \
  "($(python3 -c "print(f'{float(\"$scalar_us\") / float(\"$simd_us\"):.1f}x')" 2>/dev/null || echo '?'))"

echo "== http://127.0.0.1 (python3 -m http.server; the page fetches digitinfer-simd.wasm and the model)"
python3 -u -m http.server --bind 127.0.0.1 --directory "$site" 0 >"$tmp/server.log" 2>&1 &
server=$!
port=""
for _ in $(seq 50); do
  port=$(sed -n 's/.* port \([0-9]*\).*/\1/p' "$tmp/server.log" | head -1)
  [ -n "$port" ] && break
  sleep 0.1
done
if [ -n "$port" ]; then
  verdict=$(chrome "http://127.0.0.1:$port/index.html?test=7&fetch" --dump-dom | result)
  echo "page: ${verdict:-(no result)}"
  if [ "$verdict" = "expected 7 got 7, module simd" ]; then pass "over HTTP with fetch(): a 7"; else fail "over HTTP with fetch()"; fi
  if grep -q '"GET /digitinfer-simd.wasm HTTP/1.[01]" 200' "$tmp/server.log" &&
    grep -q '"GET /mnist-int8.dgi HTTP/1.[01]" 200' "$tmp/server.log"; then
    pass "the page fetched digitinfer-simd.wasm and mnist-int8.dgi"
  else
    fail "the page did not fetch digitinfer-simd.wasm and mnist-int8.dgi"
  fi
else
  fail "python3 -m http.server did not start"
fi
kill "$server" 2>/dev/null
wait "$server" 2>/dev/null
server=""

echo "== a number drawn with pointer events (?number=)"
for number in 2026 7391 45; do
  verdict=$(page_verdict "file://$site/index.html?number=$number")
  echo "page: ${verdict:-(no result)}"
  case "$verdict" in
    "number expected $number got $number, boxes ${#number},"*) pass "drew $number, the page read $number in ${#number} boxes" ;;
    *) fail "drew $number: ${verdict:-no result}" ;;
  esac
done

echo "== the page as a user opens it"
ready='<output id="answer"[^>]*>Draw a digit</output>'
dom=$(settled_dom "$ready" "file://$site/index.html")
if echo "$dom" | grep -q "$ready"; then
  pass "loads and waits for a digit"
else
  fail "the page did not start: $(echo "$dom" | grep -o '<output id="answer"[^>]*>[^<]*' | head -1)"
fi

echo "== screenshot"
mkdir -p "$shots"
shot=$shots/digitinfer-web-7.png
rm -f "$shot"
chrome "file://$site/index.html?test=7" --screenshot="$shot" >/dev/null
if [ -s "$shot" ] && [ "$(head -c 8 "$shot" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; then
  pass "screenshot $shot ($(wc -c <"$shot") bytes)"
else
  fail "no screenshot at $shot"
fi

echo "== as a phone shows it (harness/phone.mjs: DevTools protocol, 390x844, touch)"
if command -v node >/dev/null; then
  photos=()
  for sample in "$repo"/models/samples/*-[0-9].png "$repo"/models/samples/*-[0-9].jpg; do
    [ -f "$sample" ] || continue
    label=${sample##*-}
    photos+=("$sample=${label%%.*}") # the digit in the name
  done
  node "$repo/tools/web/harness/phone.mjs" "$browser" "$site" "$shots" "${photos[@]}" | tee "$tmp/phone.log"
  read -r p f < <(sed -n 's/^phone: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$tmp/phone.log")
  if [ -n "${p:-}" ]; then
    passed=$((passed + p)) failed=$((failed + f))
  else
    fail "harness/phone.mjs did not finish"
  fi
else
  echo "(node not installed: the phone tests are skipped)"
fi
finish
