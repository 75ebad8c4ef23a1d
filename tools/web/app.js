// The page of tools/web: a drawing pad whose pixels go through the wasm32
// build of DigitInfer (dgi_preprocess, then dgi_classify) after every
// stroke. No framework, no server: bundle.js (written by build.sh) carries
// the modules and the model in base64 for file:// pages; without it they
// are fetched from beside the page. The page runs digitinfer-simd.wasm
// where the browser validates wasm SIMD, else digitinfer.wasm (same
// answers), and shows the time per classification.
//
// Test mode, for tools/web/test-browser.sh: index.html?test=DIGITS draws
// each digit in turn with synthetic pointer events, then writes
// "expected DIGITS got PREDICTED, module NAME" into #test-result and
// document.title. ?test=DIGITS&clear then presses Clear and checks the pad
// and the answer are reset; &bench adds ", classify N us": dgi_classify
// timed over about a second. ?wasm=simd or ?wasm=scalar forces a module.
// ?fetch ignores bundle.js and loads the module and mnist-int8.dgi from
// beside the page (as a web server serves it).
'use strict';
(() => {
  const DGI_OK = 0, DGI_ERROR_NO_INK = 11, DGI_INK_DARK = 1;
  const MODEL_RECORD = 1024, RESULT_SIZE = 56, INFO_SIZE = 32, INPUT = 784;
  // dgi_result (ABI 2): digit at 0 (DGI_NOT_A_DIGIT = -1 when the model refuses
  // the image), probabilities[10] at 8, not_a_digit at 48, best_digit at 52.
  const DGI_NOT_A_DIGIT = -1, NOT_A_DIGIT_OFFSET = 48, BEST_DIGIT_OFFSET = 52;
  const pad = document.getElementById('pad');
  const seen = document.getElementById('seen');
  const answer = document.getElementById('answer');
  const list = document.getElementById('probabilities');
  const speed = document.getElementById('speed');
  const params = new URLSearchParams(location.search);
  const ctx = pad.getContext('2d', { willReadFrequently: true });
  const W = pad.width, H = pad.height;
  let rt = null; // the instantiated runtime and its buffers

  // ---- the runtime ---------------------------------------------------------
  function fromBase64(s) {
    const bin = atob(s), bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return bytes;
  }
  async function fetchBytes(url) {
    const r = await fetch(url);
    if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
    return new Uint8Array(await r.arrayBuffer());
  }
  // Whether the browser has wasm SIMD: a module whose one function returns
  // i8x16.splat(0) validates only where it does.
  const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0,
    10, 8, 1, 6, 0, 65, 0, 253, 15, 11]);
  const simd = params.get('wasm') === 'simd' ||
    (params.get('wasm') !== 'scalar' && WebAssembly.validate(SIMD_PROBE));
  async function load() {
    const bundle = params.has('fetch') ? null : window.DIGITINFER_BUNDLE;
    const [wasm, model] = bundle
      ? [fromBase64(simd ? bundle.wasmSimd : bundle.wasm), fromBase64(bundle.model)]
      : await Promise.all([fetchBytes(simd ? 'digitinfer-simd.wasm' : 'digitinfer.wasm'), fetchBytes('mnist-int8.dgi')]);
    const { instance } = await WebAssembly.instantiate(wasm, {}); // imports nothing
    const x = instance.exports;
    // Every buffer once, from the module's bump region (web_alloc may grow
    // the memory, which detaches old views: views are made on each use).
    const alloc = (n) => {
      const p = x.web_alloc(n);
      if (!p) throw new Error('out of wasm memory');
      return p;
    };
    const modelBytes = alloc(model.length);
    new Uint8Array(x.memory.buffer, modelBytes, model.length).set(model);
    const record = alloc(MODEL_RECORD);
    const status = x.dgi_model_open(record, modelBytes, model.length);
    if (status !== DGI_OK) throw new Error(`the model does not open (status ${status})`);
    const modelScratch = x.dgi_model_scratch_size(record);
    const preScratch = x.dgi_preprocess_scratch_size(W, H);
    rt = {
      x, record, modelScratch, preScratch, module: simd ? 'simd' : 'scalar',
      image: alloc(W * H), pixels: alloc(INPUT), result: alloc(RESULT_SIZE), info: alloc(INFO_SIZE),
      scratch: alloc(Math.max(modelScratch, preScratch)),
    };
  }

  // What the model says about the pad: {digit, probabilities, input} or a status.
  function classify() {
    const { x } = rt;
    const rgba = ctx.getImageData(0, 0, W, H).data;
    const grey = new Uint8Array(x.memory.buffer, rt.image, W * H);
    for (let i = 0, j = 0; i < grey.length; i++, j += 4) {
      grey[i] = (rgba[j] * 77 + rgba[j + 1] * 150 + rgba[j + 2] * 29 + 128) >> 8;
    }
    let s = x.dgi_preprocess(rt.image, W, H, W, DGI_INK_DARK, rt.scratch, rt.preScratch, rt.pixels, rt.info);
    if (s !== DGI_OK) return { status: s };
    s = x.dgi_classify(rt.record, rt.pixels, rt.scratch, rt.modelScratch, rt.result);
    if (s !== DGI_OK) return { status: s };
    const view = new DataView(x.memory.buffer, rt.result, RESULT_SIZE);
    const probabilities = [];
    for (let d = 0; d < 10; d++) probabilities.push(view.getFloat32(8 + 4 * d, true));
    return {
      status: s, digit: view.getInt32(0, true), probabilities,
      notADigit: view.getFloat32(NOT_A_DIGIT_OFFSET, true), bestDigit: view.getInt32(BEST_DIGIT_OFFSET, true),
      input: new Uint8Array(x.memory.buffer, rt.pixels, INPUT).slice(),
    };
  }

  // Microseconds per dgi_classify of the current input, the mean over
  // repeated calls for about `budget` milliseconds.
  function timeClassify(budget) {
    const { x } = rt;
    let runs = 0;
    const start = performance.now();
    let elapsed = 0;
    do {
      x.dgi_classify(rt.record, rt.pixels, rt.scratch, rt.modelScratch, rt.result);
      runs++;
      elapsed = performance.now() - start;
    } while ((elapsed < budget || runs < 3) && runs < 100 * budget); /* a clock that stands still ends too */
    return 1000 * elapsed / runs;
  }

  // ---- the display -----------------------------------------------------------
  const rows = [];
  for (let d = 0; d < 10; d++) {
    const li = document.createElement('li');
    li.innerHTML = `<span>${d}</span><span class="bar"><span></span></span><span class="pct">–</span>`;
    list.appendChild(li);
    rows.push(li);
  }
  const seenCtx = seen.getContext('2d');
  function show(r) {
    const image = seenCtx.createImageData(28, 28);
    if (r && r.status === DGI_OK) {
      for (let i = 0; i < INPUT; i++) {
        image.data.fill(r.input[i], 4 * i, 4 * i + 3);
        image.data[4 * i + 3] = 255;
      }
      answer.textContent = r.digit === DGI_NOT_A_DIGIT
        ? `Not a digit (${(100 * r.notADigit).toFixed(1)}%; best guess ${r.bestDigit})`
        : `It is a ${r.digit} (${(100 * r.probabilities[r.digit]).toFixed(1)}%)`;
    } else {
      for (let i = 3; i < image.data.length; i += 4) image.data[i] = 255;
      answer.textContent = r && r.status !== DGI_ERROR_NO_INK && r.status !== undefined
        ? `Error: status ${r.status}` : 'Draw a digit';
    }
    seenCtx.putImageData(image, 0, 0);
    rows.forEach((li, d) => {
      const p = r && r.status === DGI_OK ? r.probabilities[d] : 0;
      li.querySelector('.bar span').style.width = `${(100 * p).toFixed(1)}%`;
      li.querySelector('.pct').textContent = r && r.status === DGI_OK ? `${(100 * p).toFixed(1)}%` : '–';
      li.classList.toggle('best', !!r && r.status === DGI_OK && d === r.digit);
      li.setAttribute('aria-label', `${d}: ${(100 * p).toFixed(1)} percent`);
    });
    return r;
  }
  function update() { return rt ? show(classify()) : null; }
  // After a stroke: the answer, and how long the module takes for it.
  function finished() {
    const r = update();
    if (r && r.status === DGI_OK) {
      const us = timeClassify(20);
      speed.textContent = `${rt.module === 'simd' ? 'WebAssembly SIMD' : 'WebAssembly'} module: ` +
        `${us < 1000 ? `${us.toFixed(0)} µs` : `${(us / 1000).toFixed(2)} ms`} per classification`;
    }
    return r;
  }

  // ---- drawing -----------------------------------------------------------------
  function clear() {
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, W, H);
    if (rt) show(null);
  }
  ctx.lineCap = ctx.lineJoin = 'round';
  ctx.strokeStyle = '#000';
  let last = null, pending = false;
  function at(e) {
    const box = pad.getBoundingClientRect();
    return [(e.clientX - box.left) * W / box.width, (e.clientY - box.top) * H / box.height];
  }
  function lineTo(p) {
    ctx.lineWidth = W / 15;
    ctx.beginPath();
    ctx.moveTo(last[0], last[1]);
    ctx.lineTo(p[0], p[1]);
    ctx.stroke();
    last = p;
  }
  pad.addEventListener('pointerdown', (e) => {
    if (e.button !== 0) return;
    e.preventDefault();
    try { pad.setPointerCapture(e.pointerId); } catch (_) { /* synthetic pointers have none */ }
    last = at(e);
    lineTo(last); // a dot
  });
  pad.addEventListener('pointermove', (e) => {
    if (!last) return;
    const events = e.getCoalescedEvents ? e.getCoalescedEvents() : [];
    for (const c of events.length ? events : [e]) lineTo(at(c));
    // Live answer while drawing, at most once per frame.
    if (!pending) {
      pending = true;
      requestAnimationFrame(() => { pending = false; if (last) update(); });
    }
  });
  const end = () => { if (last) { last = null; finished(); } };
  pad.addEventListener('pointerup', end);
  pad.addEventListener('pointercancel', end);
  document.getElementById('clear').addEventListener('click', clear);

  // ---- test mode: synthetic strokes ------------------------------------------------
  // The polylines of Tests/c/support.c (pic_digit), in a 64x64 box: -1 ends a
  // stroke, -2 the digit.
  const SHAPES = [
    [32, 0, 54, 8, 64, 32, 54, 56, 32, 64, 10, 56, 0, 32, 10, 8, 32, 0, -2],
    [22, 12, 38, 0, 34, 64, -2],
    [4, 14, 18, 2, 40, 0, 58, 12, 56, 28, 0, 64, 64, 64, -2],
    [4, 6, 32, 0, 56, 12, 30, 30, 58, 44, 34, 64, 2, 58, -2],
    [40, 0, 2, 42, 64, 42, -1, 46, 16, 46, 64, -2],
    [60, 0, 10, 0, 6, 28, 40, 26, 62, 42, 44, 62, 4, 58, -2],
    [50, 0, 14, 24, 4, 48, 24, 64, 50, 56, 54, 38, 30, 30, 8, 42, -2],
    [0, 4, 64, 2, 22, 64, -2],
    [32, 30, 8, 14, 30, 0, 56, 14, 32, 30, 6, 46, 30, 64, 58, 46, 32, 30, -2],
    [56, 22, 34, 34, 10, 22, 22, 2, 48, 4, 56, 22, 46, 64, -2],
  ];
  function strokes(d) {
    const s = SHAPES[d], out = [];
    let cur = [];
    for (let i = 0; s[i] !== -2; i++) {
      if (s[i] === -1) { out.push(cur); cur = []; continue; }
      cur.push([s[i], s[i + 1]]);
      i++;
    }
    out.push(cur);
    return out;
  }
  function pointer(type, x, y) {
    // Box 140x200 at (70, 40) of the 280x280 pad, in client coordinates.
    const box = pad.getBoundingClientRect();
    pad.dispatchEvent(new PointerEvent(type, {
      bubbles: true, cancelable: true, pointerId: 7, pointerType: 'pen', isPrimary: true,
      button: type === 'pointermove' ? -1 : 0, buttons: type === 'pointerup' ? 0 : 1,
      clientX: box.left + (70 + x * 140 / 64) * box.width / W,
      clientY: box.top + (40 + y * 200 / 64) * box.height / H,
    }));
  }
  function drawDigit(d) {
    let r = null;
    for (const polyline of strokes(d)) {
      const [x0, y0] = polyline[0];
      pointer('pointerdown', x0, y0);
      for (let k = 1; k < polyline.length; k++) {
        const [ax, ay] = polyline[k - 1], [bx, by] = polyline[k];
        for (let t = 1; t <= 8; t++) pointer('pointermove', ax + (bx - ax) * t / 8, ay + (by - ay) * t / 8);
      }
      pointer('pointerup', polyline[polyline.length - 1][0], polyline[polyline.length - 1][1]);
      r = show(classify()); // what pointerup showed
    }
    return r;
  }
  function runTest(digits) {
    let got = '';
    for (const c of digits) {
      clear();
      const r = drawDigit(Number(c));
      got += r && r.status === DGI_OK ? (r.digit === DGI_NOT_A_DIGIT ? 'x' : String(r.digit)) : '?';
    }
    let verdict = `expected ${digits} got ${got}, module ${rt.module}`;
    const out = document.getElementById('test-result');
    if (params.has('clear')) { // then the Clear button, as a user presses it
      document.getElementById('clear').click();
      const blank = ctx.getImageData(0, 0, W, H).data.every((v) => v === 255);
      const reset = answer.textContent === 'Draw a digit' &&
        [...list.querySelectorAll('.pct')].every((e) => e.textContent === '–');
      out.dataset.cleared = String(blank && reset);
      verdict += `, clear ${blank && reset ? 'ok' : 'failed'}`;
    }
    if (params.has('bench')) verdict += `, classify ${timeClassify(1000).toFixed(1)} us`;
    out.textContent = verdict;
    out.dataset.ok = String(got === digits);
    out.hidden = false;
    document.title = `test: ${verdict}`;
  }

  clear();
  load().then(() => {
    show(null);
    const test = params.get('test');
    if (test !== null) runTest(/^[0-9]+$/.test(test) ? test : '7');
  }).catch((err) => {
    answer.textContent = `Could not start: ${err.message}`;
    document.title = `error: ${err.message}`;
  });
})();
