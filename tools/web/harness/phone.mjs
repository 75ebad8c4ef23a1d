// The page of tools/web as a phone shows it, in headless Chromium driven
// over the DevTools protocol (--remote-debugging-pipe: no WebSocket, no
// packages): a 390x844 mobile viewport with touch, the file input given a
// file as a user's choice gives it (DOM.setFileInputFiles), a number drawn
// with touch events, the camera (Chromium's fake device) and its refusals.
// Each check prints "ok    ..." or "FAIL  ..."; the last line is
// "phone: N passed, M failed" (tools/web/test-browser.sh adds them up).
//
// Usage: node phone.mjs CHROMIUM SITE_DIR SHOT_DIR [PHOTO=ANSWER[:MODE]]...
//   PHOTO=ANSWER  an image file and what the page must read from it; MODE
//                 "number" reads a number (default: one digit)
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [browser, site, shots, ...photos] = process.argv.slice(2);
const VIEWPORT = { width: 390, height: 844 };
let passed = 0, failed = 0;
const check = (ok, what) => {
  if (ok) passed++; else failed++;
  console.log(`${ok ? 'ok   ' : 'FAIL '} ${what}`);
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// One browser; send(method, params, session) resolves with the result.
async function launch(flags = []) {
  const profile = mkdtempSync(join(tmpdir(), 'digitinfer-phone-'));
  const proc = spawn(browser, ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
    '--no-default-browser-check', `--user-data-dir=${profile}`, '--remote-debugging-pipe', ...flags, 'about:blank'],
  { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] });
  const pending = new Map();
  const events = [];
  let id = 0, buffer = '';
  proc.stdio[4].on('data', (chunk) => {
    buffer += chunk.toString();
    let end;
    while ((end = buffer.indexOf('\0')) >= 0) {
      const msg = JSON.parse(buffer.slice(0, end));
      buffer = buffer.slice(end + 1);
      if (msg.id && pending.has(msg.id)) {
        const { resolve, reject, method } = pending.get(msg.id);
        pending.delete(msg.id);
        if (msg.error) reject(new Error(`${method}: ${msg.error.message}`)); else resolve(msg.result);
      } else if (msg.method) {
        events.push(msg);
      }
    }
  });
  const send = (method, params = {}, sessionId) => new Promise((resolve, reject) => {
    const n = ++id;
    pending.set(n, { resolve, reject, method });
    proc.stdio[3].write(JSON.stringify({ id: n, method, params, ...(sessionId ? { sessionId } : {}) }) + '\0');
  });
  const exited = new Promise((resolve) => proc.on('exit', resolve));
  const close = async () => {
    try { await Promise.race([send('Browser.close'), sleep(3000)]); } catch (_) { /* gone already */ }
    if (await Promise.race([exited.then(() => true), sleep(5000)]) !== true) {
      proc.kill();
      await exited;
    }
    try { rmSync(profile, { recursive: true, force: true, maxRetries: 3 }); } catch (_) { /* a leftover in /tmp */ }
  };
  return { send, events, close };
}

// A tab on the page with a phone's viewport and touch; returns helpers.
async function open(b, query, { grant } = {}) {
  const { targetId } = await b.send('Target.createTarget', { url: 'about:blank' });
  const { sessionId } = await b.send('Target.attachToTarget', { targetId, flatten: true });
  const s = (method, params) => b.send(method, params, sessionId);
  await s('Emulation.setDeviceMetricsOverride', { ...VIEWPORT, deviceScaleFactor: 3, mobile: true });
  await s('Emulation.setTouchEmulationEnabled', { enabled: true, maxTouchPoints: 5 });
  const url = `file://${site}/index.html${query}`;
  if (grant) await b.send('Browser.grantPermissions', { origin: 'file://', permissions: grant }).catch(() => {});
  await s('Page.enable');
  await s('Page.navigate', { url });
  const evaluate = async (expression) => {
    const r = await s('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
    if (r.exceptionDetails) throw new Error(`${expression}: ${r.exceptionDetails.text} ${r.exceptionDetails.exception?.description ?? ''}`);
    return r.result.value;
  };
  // Polls `expression` until it is truthy (or `ms` pass); returns its last value.
  const until = async (expression, ms = 20000) => {
    let v;
    for (const start = Date.now(); Date.now() - start < ms; await sleep(50)) {
      try { v = await evaluate(expression); } catch (_) { v = undefined; }
      if (v) return v;
    }
    return v;
  };
  await until("document.readyState === 'complete' && !/Loading/.test(document.getElementById('answer').textContent)");
  return { s, evaluate, until };
}

const STATE = `(() => {
  const a = document.getElementById('answer'), b = a.getBoundingClientRect();
  return { answer: a.textContent, details: document.getElementById('details').textContent,
    message: document.getElementById('message').textContent,
    visible: scrollY === 0 && b.top >= 0 && b.bottom <= innerHeight && b.right <= innerWidth,
    viewport: innerWidth + 'x' + innerHeight, scrollable: document.documentElement.scrollWidth > innerWidth,
    title: document.title };
})()`;
const numberOf = (answer) => (answer.match(/^The number is (\d+)$/) || [])[1];
const digitOf = (answer) => (answer.match(/^It is a (\d)/) || [])[1];

async function screenshot(s, name) {
  const { data } = await s('Page.captureScreenshot', { format: 'png' });
  const path = join(shots, name);
  writeFileSync(path, Buffer.from(data, 'base64'));
  return path;
}

const b = await launch();
try {
  // A phone photo of a written number, drawn here from the page's test
  // strokes (no dataset image, no font): uneven light, paper grain, a
  // blue-black pen, digits of different sizes on a slightly sloping line;
  // JPEG, then through the file input with the other photos.
  {
    const number = '3185';
    const page = await open(b, '?hooks');
    const jpeg = await page.evaluate(`(() => {
      const W = 1200, H = 700, c = document.createElement('canvas');
      c.width = W; c.height = H;
      const g = c.getContext('2d');
      const light = g.createLinearGradient(0, 0, W, H);
      light.addColorStop(0, '#e8e4da'); light.addColorStop(1, '#a9a398');
      g.fillStyle = light; g.fillRect(0, 0, W, H);
      let seed = 7;
      const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
      for (let i = 0; i < 3000; i++) {
        g.fillStyle = 'rgba(90,80,60,' + (0.05 + 0.1 * rnd()) + ')';
        g.fillRect(rnd() * W, rnd() * H, 2, 2);
      }
      g.strokeStyle = '#1c2450'; g.lineCap = g.lineJoin = 'round';
      const digits = ${JSON.stringify(number)};
      [...digits].forEach((ch, i) => {
        const h = 230 + 40 * rnd(), w = 0.55 * h, x = 180 + i * 220 + 20 * rnd(), y = 200 + 18 * i + 20 * rnd();
        g.lineWidth = 16 + 4 * rnd();
        for (const line of window.DIGITINFER_TEST.strokes(Number(ch))) {
          g.beginPath();
          line.forEach(([px, py], k) => (k ? g.lineTo : g.moveTo).call(g, x + px * w / 64, y + py * h / 64));
          g.stroke();
        }
      });
      return c.toDataURL('image/jpeg', 0.85).split(',')[1];
    })()`);
    const file = join(shots, `digitinfer-web-number-photo-${number}.jpg`);
    writeFileSync(file, Buffer.from(jpeg, 'base64'));
    photos.push(`${file}=${number}:number`);
  }

  // A photo through the file input, as a user picks it.
  let shotDigit = false;
  for (const spec of photos) {
    const [, file, expected, mode] = spec.match(/^(.*)=([0-9]+)(?::(number|digit))?$/) || [];
    if (!file) { check(false, `bad photo argument ${spec}`); continue; }
    const page = await open(b, mode === 'number' ? '?mode=number' : '');
    const { root } = await page.s('DOM.getDocument');
    const { nodeId } = await page.s('DOM.querySelector', { nodeId: root.nodeId, selector: '#photo' });
    await page.s('DOM.setFileInputFiles', { nodeId, files: [file] });
    const idle = mode === 'number' ? 'Write a number' : 'Draw a digit';
    await page.until(`(t => t !== ${JSON.stringify(idle)} && !/Loading/.test(t))(document.getElementById('answer').textContent)`);
    const st = await page.evaluate(STATE);
    const got = mode === 'number' ? numberOf(st.answer) : digitOf(st.answer);
    const boxes = await page.evaluate("document.getElementById('seen').children.length");
    check(got === expected, `photo ${file.split('/').pop()} (file input, ${mode || 'digit'}): read ${got ?? `'${st.answer}'`}, expected ${expected}` +
      (mode === 'number' ? ` (${st.details})` : ''));
    if (mode === 'number') check(boxes === expected.length, `  its ${expected.length} digits each boxed (${boxes})`);
    check(st.visible && st.viewport === '390x844', `  the answer is visible without scrolling in ${st.viewport}`);
    if (mode === 'number' || !shotDigit) {
      console.log(`screenshot ${await screenshot(page.s, mode === 'number' ? 'digitinfer-web-photo.png' : 'digitinfer-web-photo-digit.png')}`);
      shotDigit ||= mode !== 'number';
    }
  }

  // A number drawn with a finger: touch events on the pad.
  {
    const page = await open(b, '?mode=number&hooks');
    const number = '2026';
    const rect = await page.evaluate('(r => [r.left, r.top, r.width, r.height])(window.DIGITINFER_TEST.surface())');
    const [pw, ph] = await page.evaluate("[document.getElementById('pad').width, document.getElementById('pad').height]");
    const cell = (pw - 40) / number.length;
    for (const [i, c] of [...number].entries()) {
      const box = [20 + i * cell + 0.2 * cell, 0.15 * ph, Math.min(0.6 * cell, 0.5 * ph), 0.7 * ph];
      const polylines = await page.evaluate(`window.DIGITINFER_TEST.strokes(${c})`);
      for (const polyline of polylines) {
        const point = ([x, y]) => ({
          x: rect[0] + (box[0] + x * box[2] / 64) * rect[2] / pw, y: rect[1] + (box[1] + y * box[3] / 64) * rect[3] / ph,
        });
        await page.s('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [point(polyline[0])] });
        for (let k = 1; k < polyline.length; k++) {
          const [ax, ay] = polyline[k - 1], [bx, by] = polyline[k];
          for (let t = 1; t <= 6; t++) {
            await page.s('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [point([ax + (bx - ax) * t / 6, ay + (by - ay) * t / 6])] });
          }
        }
        await page.s('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
      }
    }
    await page.until("/^The number is/.test(document.getElementById('answer').textContent)", 5000);
    const st = await page.evaluate(STATE);
    check(numberOf(st.answer) === number, `drawn with touch events on the pad: read '${st.answer}' (${st.details}), expected ${number}`);
    const boxes = await page.evaluate("document.getElementById('seen').children.length");
    check(boxes === number.length, `  ${number.length} boxes over the drawing (${boxes})`);
    check(st.visible && st.viewport === '390x844', `  the answer is visible without scrolling in ${st.viewport}`);
    check(!st.scrollable, '  nothing wider than the phone (no sideways scrolling)');
    console.log(`screenshot ${await screenshot(page.s, 'digitinfer-web-phone.png')}`);
  }
} finally {
  await b.close();
}

// The camera: Chromium's fake device, allowed; then refused; then none.
for (const [flags, grant, expect] of [
  [['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'], null, 'captured'],
  [['--use-fake-device-for-media-stream', '--deny-permission-prompts'], null, /blocked/],
  [['--use-fake-ui-for-media-stream'], ['videoCapture'], /No camera found|blocked|did not start/],
]) {
  const cam = await launch(flags);
  try {
    const page = await open(cam, '', { grant });
    await page.evaluate("document.getElementById('camera').click()");
    const outcome = await page.until(`(() => { const v = document.getElementById('video');
      return document.getElementById('message').textContent || (!v.hidden && v.videoWidth ? 'playing' : ''); })()`, 15000);
    if (expect === 'captured') {
      const ok = outcome === 'playing';
      let after = null;
      if (ok) {
        await page.evaluate("document.getElementById('capture').click()");
        after = await page.evaluate(`(() => ({ pad: document.getElementById('pad').width + 'x' + document.getElementById('pad').height,
          video: document.getElementById('video').hidden, answer: document.getElementById('answer').textContent }))()`);
      }
      check(ok && after.video && after.pad !== '280x280',
        `camera (fake device): the video plays, Capture puts a ${after?.pad} frame on the pad and closes it; answer '${after?.answer}'`);
    } else {
      check(typeof outcome === 'string' && expect.test(outcome), `camera ${flags.includes('--deny-permission-prompts') ? 'refused' : 'absent'}: the page says '${outcome}'`);
    }
  } finally {
    await cam.close();
  }
}
console.log(`phone: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
