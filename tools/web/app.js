// The page of tools/web: reads one digit or a whole number, drawn on the
// pad (pointer events: mouse, pen, finger), from a photo (a file input, on
// phones the camera app) or from the camera (getUserMedia), with the wasm32
// build of DigitInfer: dgi_preprocess + dgi_classify for one digit,
// dgi_read_number for a number. The boxes of what was read are drawn over
// the input. No framework, no server: bundle.js (written by build.sh)
// carries the modules and the model in base64 for file:// pages; without it
// they are fetched from beside the page. The page runs digitinfer-simd.wasm
// where the browser validates wasm SIMD, else digitinfer.wasm (same
// answers), and shows the time per classification.
//
// Test mode, for tools/web/test-browser.sh (each writes a verdict into
// #test-result and document.title):
//   ?test=DIGITS    draws each digit in turn on the pad with synthetic
//                   pointer events: "expected DIGITS got PREDICTED, module
//                   NAME"; &clear then presses Clear and checks the reset;
//                   &bench adds ", classify N us" (dgi_classify timed for
//                   about a second);
//   ?number=DIGITS  switches to "a number" and draws the digits side by side:
//                   "number expected DIGITS got READ, boxes N, visible yes|no"
//                   (visible: the answer is inside the viewport, unscrolled);
//   ?hooks          exposes the test strokes as window.DIGITINFER_TEST
//                   (harness/phone.mjs draws them with touch events).
// ?mode=number starts in "a number". ?wasm=simd or ?wasm=scalar forces a
// module. ?fetch ignores bundle.js and loads the module and mnist-int8.dgi
// from beside the page.
'use strict';
(() => {
  const DGI_OK = 0, DGI_ERROR_NO_INK = 11, DGI_ERROR_TOO_MANY = 12, DGI_ERROR_NOT_A_DIGIT = 13;
  const DGI_INK_AUTO = 0, DGI_INK_DARK = 1, DGI_DIGIT_SPLIT = 1;
  const INPUT = 784, MODEL_RECORD = 1024, MAX_DIGITS = 32;
  // The layouts of include/digitinfer.h's structs on wasm32, in bytes
  // (test-wasm.sh checks every number here against the header's offsetof).
  const ABI = 2;
  const RESULT = { size: 56, digit: 0, confidence: 4, probabilities: 8, notADigit: 48, bestDigit: 52 };
  const INFO = { size: 32, ink: 0, x: 4, y: 8, width: 12, height: 16 };
  const NUMBER_DIGIT = { size: 860, result: 0, x: 56, y: 60, width: 64, height: 68, flags: 72, pixels: 76 };
  // A photo larger than this on its longer side is scaled down first: a
  // phone's 12 MP would take 60 MB of pixels and a second per reading.
  const PHOTO_MAX_SIDE = 1600;
  const PADS = { digit: [280, 280], number: [560, 240] };

  const $ = (id) => document.getElementById(id);
  const pad = $('pad'), overlay = $('boxes'), video = $('video'), stage = $('stage');
  const answer = $('answer'), details = $('details'), speed = $('speed'), message = $('message');
  const list = $('probabilities'), seen = $('seen');
  const params = new URLSearchParams(location.search);
  const ctx = pad.getContext('2d', { willReadFrequently: true });
  const octx = overlay.getContext('2d');
  let mode = 'digit';     // or 'number'
  let source = 'draw';    // or 'photo': what the pad holds
  let rt = null;          // the instantiated runtime and its fixed buffers
  let stream = null;      // the camera, while it is open

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
    if (x.dgi_abi_version() !== ABI) throw new Error(`the module has ABI ${x.dgi_abi_version()}, the page ${ABI}`);
    const modelBytes = alloc(x, model.length);
    new Uint8Array(x.memory.buffer, modelBytes, model.length).set(model);
    const record = alloc(x, MODEL_RECORD);
    const status = x.dgi_model_open(record, modelBytes, model.length);
    if (status !== DGI_OK) throw new Error(`the model does not open (status ${status})`);
    const modelScratch = x.dgi_model_scratch_size(record);
    rt = {
      x, record, modelScratch, module: simd ? 'simd' : 'scalar', numbers: typeof x.dgi_read_number === 'function',
      pixels: alloc(x, INPUT), result: alloc(x, RESULT.size), info: alloc(x, INFO.size),
      modelScratchAt: alloc(x, modelScratch),
    };
    rt.mark = x.web_mark(); // each reading allocates above this and frees it again
  }
  // web_alloc may grow the memory, which detaches old views of it: views
  // are made after allocating, on each use.
  function alloc(x, n) {
    const p = x.web_alloc(n);
    if (!p) throw new Error('out of wasm memory');
    return p;
  }

  // The pad's pixels as 8-bit grey in wasm memory, by the project's rule
  // (Sources/DigitInferImage/Luminance.swift, for 8-bit samples): BT.601
  // luma 299 R + 587 G + 114 B in thousandths, composited by alpha onto
  // paper, rounded half up once. The paper under transparent pixels is the
  // opposite of what is visible: white when the alpha-weighted mean luma is
  // at most mid-grey, else black. (Products stay below 2^53: exact.)
  function greyInto(at, rgba, n) {
    const { x } = rt;
    const grey = new Uint8Array(x.memory.buffer, at, n);
    const white = 255000, denominator = white * 255;
    let weighted = 0, opacity = 0, transparent = false;
    for (let i = 0, j = 0; i < n; i++, j += 4) {
      const luma = 299 * rgba[j] + 587 * rgba[j + 1] + 114 * rgba[j + 2], a = rgba[j + 3];
      if (a === 255) {
        grey[i] = Math.floor((luma + 500) / 1000);
      } else {
        transparent = true;
        grey[i] = Math.floor(((luma * a + white * (255 - a)) * 255 + denominator / 2) / denominator);
      }
      weighted += luma * a;
      opacity += a;
    }
    if (transparent && opacity > 0 && 2 * weighted > opacity * white) { // light ink: black paper
      for (let i = 0, j = 0; i < n; i++, j += 4) {
        const ink = (299 * rgba[j] + 587 * rgba[j + 1] + 114 * rgba[j + 2]) * rgba[j + 3];
        grey[i] = Math.floor((ink * 255 + denominator / 2) / denominator);
      }
    }
  }

  function resultAt(view, base) {
    const probabilities = [];
    for (let d = 0; d < 10; d++) probabilities.push(view.getFloat32(base + RESULT.probabilities + 4 * d, true));
    return {
      digit: view.getInt32(base + RESULT.digit, true),
      confidence: view.getFloat32(base + RESULT.confidence, true),
      probabilities,
      notADigit: view.getFloat32(base + RESULT.notADigit, true), // 0 for a model without that class
      bestDigit: view.getInt32(base + RESULT.bestDigit, true), // 0..9, also when digit is -1 (not a digit)
    };
  }

  // Reads the pad: {status, mode, ...}. One digit: digit, probabilities,
  // input (28x28), box. A number: number (a string), digits (each with
  // digit, confidence, box, split, input), tooMany.
  function read() {
    const { x } = rt;
    const W = pad.width, H = pad.height;
    const rgba = ctx.getImageData(0, 0, W, H).data;
    const ink = source === 'draw' ? DGI_INK_DARK : DGI_INK_AUTO;
    x.web_release(rt.mark);
    try {
      const image = alloc(x, W * H);
      greyInto(image, rgba, W * H);
      return mode === 'number' ? readNumber(image, W, H, ink) : readDigit(image, W, H, ink);
    } finally {
      x.web_release(rt.mark);
    }
  }
  function readDigit(image, W, H, ink) {
    const { x } = rt;
    const n = x.dgi_preprocess_scratch_size(W, H);
    if (!n) return { status: -1, mode: 'digit', why: `the image (${W}x${H}) is too large` };
    const scratch = alloc(x, n);
    let s = x.dgi_preprocess(image, W, H, W, ink, scratch, n, rt.pixels, rt.info);
    if (s !== DGI_OK) return { status: s, mode: 'digit' };
    s = x.dgi_classify(rt.record, rt.pixels, rt.modelScratchAt, rt.modelScratch, rt.result);
    if (s !== DGI_OK) return { status: s, mode: 'digit' };
    const info = new DataView(x.memory.buffer, rt.info, INFO.size);
    const box = ['x', 'y', 'width', 'height'].map((k) => info.getUint32(INFO[k], true));
    return {
      status: s, mode: 'digit', ...resultAt(new DataView(x.memory.buffer, rt.result, RESULT.size), 0), box,
      input: new Uint8Array(x.memory.buffer, rt.pixels, INPUT).slice(),
    };
  }
  function readNumber(image, W, H, ink) {
    const { x } = rt;
    if (!rt.numbers) return { status: -1, mode: 'number', why: 'this build of the runtime cannot read numbers' };
    const n = x.dgi_read_number_scratch_size(rt.record, W, H);
    if (!n) return { status: -1, mode: 'number', why: `the image (${W}x${H}) is too large` };
    const scratch = alloc(x, n), out = alloc(x, MAX_DIGITS * NUMBER_DIGIT.size), count = alloc(x, 4);
    const s = x.dgi_read_number(rt.record, image, W, H, W, ink, scratch, n, out, MAX_DIGITS, count);
    if (s !== DGI_OK && s !== DGI_ERROR_TOO_MANY) return { status: s, mode: 'number' };
    const found = new DataView(x.memory.buffer, count, 4).getUint32(0, true);
    const view = new DataView(x.memory.buffer, out, MAX_DIGITS * NUMBER_DIGIT.size);
    const digits = [];
    for (let i = 0; i < Math.min(found, MAX_DIGITS); i++) {
      const base = i * NUMBER_DIGIT.size;
      const r = resultAt(view, base + NUMBER_DIGIT.result);
      digits.push({
        ...r,
        box: ['x', 'y', 'width', 'height'].map((k) => view.getUint32(base + NUMBER_DIGIT[k], true)),
        split: (view.getUint32(base + NUMBER_DIGIT.flags, true) & DGI_DIGIT_SPLIT) !== 0,
        input: new Uint8Array(x.memory.buffer, out + base + NUMBER_DIGIT.pixels, INPUT).slice(),
      });
    }
    return {
      status: DGI_OK, mode: 'number', number: digits.map((d) => d.digit).join(''), digits,
      tooMany: s === DGI_ERROR_TOO_MANY ? found : 0,
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
      x.dgi_classify(rt.record, rt.pixels, rt.modelScratchAt, rt.modelScratch, rt.result);
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
  const pct = (p) => `${(100 * p).toFixed(1)}%`;
  function showInputs(inputs) {
    seen.replaceChildren(...inputs.map(({ input, label }) => {
      const c = document.createElement('canvas');
      c.width = c.height = 28;
      c.setAttribute('role', 'img');
      c.setAttribute('aria-label', label);
      const image = c.getContext('2d').createImageData(28, 28);
      for (let i = 0; i < INPUT; i++) {
        image.data.fill(input ? input[i] : 0, 4 * i, 4 * i + 3);
        image.data[4 * i + 3] = 255;
      }
      c.getContext('2d').putImageData(image, 0, 0);
      return c;
    }));
  }
  // Boxes over the input: [x, y, width, height] in the pad's pixels, each
  // with a label (or its short form where the label is wider than the box);
  // split digits dashed.
  function drawBoxes(boxes) {
    overlay.width = pad.width;
    overlay.height = pad.height;
    const line = Math.max(2, Math.round(Math.max(pad.width, pad.height) / 200));
    octx.lineWidth = line;
    octx.font = `bold ${8 * line}px system-ui, sans-serif`;
    octx.textBaseline = 'bottom';
    octx.lineJoin = 'round';
    for (const { box: [bx, by, bw, bh], label: full, short, split } of boxes) {
      // The confidence too where it fits over the box, else the digit alone.
      const label = short && octx.measureText(full).width > 1.2 * bw + 4 * line ? short : full;
      octx.strokeStyle = octx.fillStyle = '#d1242f';
      octx.setLineDash(split ? [3 * line, 2 * line] : []);
      octx.strokeRect(bx - line / 2, by - line / 2, bw + line, bh + line);
      const ty = by - line > 8 * line ? by - line : by + bh + 9 * line;
      octx.lineWidth = 3 * line;
      octx.strokeStyle = '#fff';
      octx.setLineDash([]);
      octx.strokeText(label, bx, ty);
      octx.fillText(label, bx, ty);
      octx.lineWidth = line;
    }
  }
  function idle() {
    if (mode === 'number') return rt && !rt.numbers ? 'This build cannot read numbers' : 'Write a number';
    return 'Draw a digit';
  }
  function show(r) {
    const ok = r && r.status === DGI_OK;
    details.textContent = '';
    if (!ok) {
      answer.textContent = !r || r.status === DGI_ERROR_NO_INK ? (source === 'photo' ? 'No digits found' : idle())
        : r.status === DGI_ERROR_NOT_A_DIGIT ? 'Not a number: nothing here reads as a digit'
        : r.why ? `Cannot read: ${r.why}` : `Error: status ${r.status}`;
      drawBoxes([]);
      showInputs(mode === 'digit' ? [{ input: null, label: 'empty' }] : []);
    } else if (r.mode === 'digit') {
      answer.textContent = r.digit < 0 ? `Not a digit (closest: ${r.bestDigit}, ${pct(r.probabilities[r.bestDigit])})`
        : `It is a ${r.digit} (${pct(r.confidence)})`;
      drawBoxes([{ box: r.box, label: r.digit < 0 ? '?' : String(r.digit) }]);
      showInputs([{ input: r.input, label: 'The 28 by 28 input the model saw' }]);
    } else if (!r.digits.length) {
      answer.textContent = 'No digits found';
      drawBoxes([]);
      showInputs([]);
    } else {
      answer.textContent = `The number is ${r.number}`;
      details.textContent = r.digits.map((d) => `${d.digit} ${pct(d.confidence)}${d.split ? ' (split)' : ''}`).join(' · ') +
        (r.tooMany ? ` (the first ${MAX_DIGITS} of ${r.tooMany} digits)` : '');
      drawBoxes(r.digits.map((d) => ({
        box: d.box, label: `${d.digit} ${Math.round(100 * d.confidence)}%`, short: String(d.digit), split: d.split,
      })));
      showInputs(r.digits.map((d, i) => ({ input: d.input, label: `digit ${i + 1}: ${d.digit}` })));
    }
    const probs = ok && r.mode === 'digit';
    rows.forEach((li, d) => {
      const p = probs ? r.probabilities[d] : 0;
      li.querySelector('.bar span').style.width = `${(100 * p).toFixed(1)}%`;
      li.querySelector('.pct').textContent = probs ? pct(p) : '–';
      li.classList.toggle('best', probs && d === r.digit);
      li.setAttribute('aria-label', `${d}: ${(100 * p).toFixed(1)} percent`);
    });
    return r;
  }
  function update() { return rt ? show(read()) : null; }
  // After a stroke or a photo: the answer, and how long one classification takes.
  function finished() {
    const r = update();
    if (r && r.status === DGI_OK && r.mode === 'digit') {
      const us = timeClassify(20);
      speed.textContent = `${rt.module === 'simd' ? 'WebAssembly SIMD' : 'WebAssembly'} module: ` +
        `${us < 1000 ? `${us.toFixed(0)} µs` : `${(us / 1000).toFixed(2)} ms`} per classification`;
    } else {
      speed.textContent = '';
    }
    return r;
  }

  // ---- the pad: drawing --------------------------------------------------------
  function blank() {
    closeCamera();
    source = 'draw';
    pad.classList.remove('photo');
    [pad.width, pad.height] = PADS[mode];
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, pad.width, pad.height);
    speed.textContent = '';
    if (rt) show(null);
    else drawBoxes([]);
  }
  let last = null, pending = false;
  // The pad's drawing surface in client coordinates (inside its border).
  function surface() {
    const b = pad.getBoundingClientRect();
    return { left: b.left + pad.clientLeft, top: b.top + pad.clientTop, width: pad.clientWidth, height: pad.clientHeight };
  }
  function at(e) {
    const box = surface();
    return [(e.clientX - box.left) * pad.width / box.width, (e.clientY - box.top) * pad.height / box.height];
  }
  function lineTo(p) {
    ctx.lineCap = ctx.lineJoin = 'round';
    ctx.strokeStyle = '#000';
    ctx.lineWidth = Math.min(pad.width, pad.height) / (mode === 'number' ? 13 : 15);
    ctx.beginPath();
    ctx.moveTo(last[0], last[1]);
    ctx.lineTo(p[0], p[1]);
    ctx.stroke();
    last = p;
  }
  pad.addEventListener('pointerdown', (e) => {
    if (e.button !== 0) return;
    e.preventDefault();
    if (source !== 'draw') blank(); // drawing over a photo starts a fresh pad
    try { pad.setPointerCapture(e.pointerId); } catch (_) { /* synthetic pointers have none */ }
    last = at(e);
    lineTo(last); // a dot
  });
  pad.addEventListener('pointermove', (e) => {
    if (!last) return;
    const events = e.getCoalescedEvents ? e.getCoalescedEvents() : [];
    for (const c of events.length ? events : [e]) lineTo(at(c));
    // One digit: the answer live while drawing, at most once per frame.
    if (!pending && mode === 'digit') {
      pending = true;
      requestAnimationFrame(() => { pending = false; if (last) update(); });
    }
  });
  const end = () => { if (last) { last = null; finished(); } };
  pad.addEventListener('pointerup', end);
  pad.addEventListener('pointercancel', end);
  $('clear').addEventListener('click', () => { message.textContent = ''; blank(); });
  for (const radio of document.querySelectorAll('input[name=mode]')) {
    radio.addEventListener('change', () => {
      mode = radio.value;
      $('probabilities').hidden = mode !== 'digit';
      if (source === 'photo') finished(); // the same photo, read the other way
      else blank();
    });
  }

  // ---- photos ---------------------------------------------------------------------
  // Puts an image (ImageBitmap, video or img) on the pad at its size, scaled
  // down to PHOTO_MAX_SIDE, and reads it.
  function showPhoto(img, width, height) {
    const scale = Math.min(1, PHOTO_MAX_SIDE / Math.max(width, height));
    source = 'photo';
    pad.classList.add('photo');
    pad.width = Math.max(1, Math.round(width * scale));
    pad.height = Math.max(1, Math.round(height * scale));
    ctx.clearRect(0, 0, pad.width, pad.height); // transparency stays: greyInto picks the paper
    ctx.drawImage(img, 0, 0, pad.width, pad.height);
    return finished();
  }
  async function openPhoto(file) {
    message.textContent = '';
    closeCamera();
    if (!file) return null;
    let bitmap;
    try {
      // Orientation from the file's EXIF; the samples as stored, without
      // colour management, as the CLI reads them.
      bitmap = await createImageBitmap(file, { colorSpaceConversion: 'none' });
    } catch (_) {
      message.textContent = `Cannot open ${file.name || 'the image'}: not an image this browser decodes`;
      return null;
    }
    const r = showPhoto(bitmap, bitmap.width, bitmap.height);
    bitmap.close();
    return r;
  }
  for (const id of ['photo', 'file']) {
    const input = $(id);
    input.addEventListener('change', () => {
      openPhoto(input.files[0]).catch((err) => { message.textContent = `Cannot read the photo: ${err.message}`; });
      input.value = ''; // the same file again is a new change
    });
  }

  // ---- the camera --------------------------------------------------------------------
  function closeCamera() {
    if (stream) stream.getTracks().forEach((t) => t.stop());
    stream = null;
    video.srcObject = null;
    video.hidden = true;
    stage.hidden = false;
    $('capture').hidden = true;
    $('camera').hidden = false;
  }
  function cameraError(err) {
    const name = err && err.name;
    if (name === 'NotAllowedError' || name === 'SecurityError') {
      return 'The camera is blocked: allow it for this page in the browser settings, or use Photo.';
    }
    if (name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'DevicesNotFoundError') {
      return 'No camera found: use Photo, Image file, or draw.';
    }
    if (name === 'NotReadableError') return 'The camera is in use by another application.';
    return `The camera did not start (${name || err}).`;
  }
  async function openCamera() {
    message.textContent = '';
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      message.textContent = 'This browser offers no camera here (it needs https or a local page): use Photo.';
      return false;
    }
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 960 } }, audio: false,
      });
    } catch (err) {
      stream = null;
      message.textContent = cameraError(err);
      return false;
    }
    video.srcObject = stream;
    video.hidden = false;
    stage.hidden = true;
    $('camera').hidden = true;
    $('capture').hidden = false;
    await video.play().catch(() => {});
    answer.textContent = mode === 'number' ? 'Point at a number, then Capture' : 'Point at a digit, then Capture';
    $('capture').focus();
    return true;
  }
  function capture() {
    if (!stream || !video.videoWidth) return null;
    const r = showPhoto(video, video.videoWidth, video.videoHeight);
    closeCamera();
    return r;
  }
  $('camera').addEventListener('click', openCamera);
  $('capture').addEventListener('click', capture);

  // ---- test mode ----------------------------------------------------------------
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
  // Digit d drawn with pointer events into the box [bx, by, bw, bh] of the pad.
  function drawDigit(d, [bx, by, bw, bh]) {
    const pointer = (type, x, y) => {
      const box = surface();
      pad.dispatchEvent(new PointerEvent(type, {
        bubbles: true, cancelable: true, pointerId: 7, pointerType: 'pen', isPrimary: true,
        button: type === 'pointermove' ? -1 : 0, buttons: type === 'pointerup' ? 0 : 1,
        clientX: box.left + (bx + x * bw / 64) * box.width / pad.width,
        clientY: box.top + (by + y * bh / 64) * box.height / pad.height,
      }));
    };
    for (const polyline of strokes(d)) {
      const [x0, y0] = polyline[0];
      pointer('pointerdown', x0, y0);
      for (let k = 1; k < polyline.length; k++) {
        const [ax, ay] = polyline[k - 1], [bx2, by2] = polyline[k];
        for (let t = 1; t <= 8; t++) pointer('pointermove', ax + (bx2 - ax) * t / 8, ay + (by2 - ay) * t / 8);
      }
      pointer('pointerup', polyline[polyline.length - 1][0], polyline[polyline.length - 1][1]);
    }
    return read(); // what pointerup showed
  }
  // Whether the answer is on screen without scrolling.
  function visible() {
    const b = answer.getBoundingClientRect();
    return window.scrollY === 0 && b.top >= 0 && b.bottom <= window.innerHeight && b.right <= window.innerWidth;
  }
  const said = (r) => (!r || r.status !== DGI_OK ? '?' : r.mode === 'number' ? r.number
    : r.digit < 0 ? 'not-a-digit' : String(r.digit));
  function boxesOf(r) { return r && r.status === DGI_OK ? (r.mode === 'number' ? r.digits.length : 1) : 0; }
  function summary(r) {
    return `boxes ${boxesOf(r)}, visible ${visible() ? 'yes' : 'no'} in ${innerWidth}x${innerHeight}, module ${rt.module}` +
      (r && r.mode === 'number' && r.status === DGI_OK
        ? `, digits ${r.digits.map((d) => `${d.digit}@${d.box.join(',')}`).join(' ')}` : '');
  }
  function setMode(m) {
    const radio = document.querySelector(`input[name=mode][value=${m}]`);
    if (!radio.checked) radio.click();
  }
  async function runTest() {
    let verdict, ok;
    if (params.has('test')) {
      const digits = /^[0-9]+$/.test(params.get('test')) ? params.get('test') : '7';
      let got = '';
      for (const c of digits) {
        blank();
        got += said(drawDigit(Number(c), [70, 40, 140, 200]));
      }
      verdict = `expected ${digits} got ${got}, module ${rt.module}`;
      ok = got === digits;
      if (params.has('clear')) { // then the Clear button, as a user presses it
        $('clear').click();
        const clean = ctx.getImageData(0, 0, pad.width, pad.height).data.every((v) => v === 255);
        const reset = clean && answer.textContent === 'Draw a digit' &&
          [...list.querySelectorAll('.pct')].every((e) => e.textContent === '–');
        verdict += `, clear ${reset ? 'ok' : 'failed'}`;
      }
      if (params.has('bench')) verdict += `, classify ${timeClassify(1000).toFixed(1)} us`;
    } else if (params.has('number')) {
      const digits = /^[0-9]{1,8}$/.test(params.get('number')) ? params.get('number') : '42';
      setMode('number');
      const cell = (pad.width - 40) / digits.length;
      let r = null;
      [...digits].forEach((c, i) => {
        r = drawDigit(Number(c), [20 + i * cell + 0.2 * cell, 0.15 * pad.height, Math.min(0.6 * cell, 0.5 * pad.height), 0.7 * pad.height]);
      });
      r = show(r);
      verdict = `number expected ${digits} got ${said(r)}, ${summary(r)}`;
      ok = said(r) === digits;
    } else {
      return;
    }
    const out = $('test-result');
    out.textContent = verdict;
    out.dataset.ok = String(ok);
    out.hidden = false;
    document.title = `test: ${verdict}`;
  }

  if (params.has('hooks')) window.DIGITINFER_TEST = { strokes, surface }; // for harness/phone.mjs
  blank();
  load().then(() => {
    if (params.get('mode') === 'number') setMode('number');
    show(null);
    return runTest();
  }).catch((err) => {
    answer.textContent = `Could not start: ${err.message}`;
    document.title = `error: ${err.message}`;
  });
})();
