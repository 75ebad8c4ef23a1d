// digitinfer.wasm itself (not the harness's re-link) on the golden vectors,
// through its exports, the way app.js calls it: web_alloc for the model,
// the dgi_model record, scratch and images; dgi_infer must give every int8
// logit of Golden/expected.txt and dgi_classify its digit.
// Usage: node golden.mjs digitinfer.wasm GOLDEN_DIR   (tools/web/test-wasm.sh)
import { readFileSync } from 'node:fs';

const [wasmPath, dir] = process.argv.slice(2);
const { instance } = await WebAssembly.instantiate(readFileSync(wasmPath), {});
const x = instance.exports;
const copyIn = (bytes) => {
  const p = x.web_alloc(bytes.length);
  if (!p) throw new Error('web_alloc failed');
  new Uint8Array(x.memory.buffer, p, bytes.length).set(bytes);
  return p;
};
const inputs = readFileSync(`${dir}/inputs.bin`);
const inputsPtr = copyIn(inputs);
// dgi_infer writes DGI_MAX_CLASSES (11) logits; a dgi_result is 56 bytes (ABI 2).
const logitsPtr = x.web_alloc(16), resultPtr = x.web_alloc(56);
const models = {};
let bad = 0, cases = 0;
for (const line of readFileSync(`${dir}/expected.txt`, 'utf8').split('\n')) {
  if (!line.trim()) continue;
  const [name, index, digit, ...want] = line.trim().split(/\s+/);
  if (!models[name]) {
    const bytes = readFileSync(`${dir}/${name}`), model = x.web_alloc(1024);
    if (x.dgi_model_open(model, copyIn(bytes), bytes.length) !== 0) throw new Error(`${name} does not open`);
    const n = x.dgi_model_scratch_size(model);
    models[name] = { model, n, scratch: x.web_alloc(n) };
  }
  const m = models[name], image = inputsPtr + 784 * Number(index);
  const s1 = x.dgi_infer(m.model, image, m.scratch, m.n, logitsPtr);
  const all = Array.from(new Int8Array(x.memory.buffer, logitsPtr, 11));
  const got = all.slice(0, 10);  // the golden models have 10 classes: all[10] is padding, 0
  const s2 = x.dgi_classify(m.model, image, m.scratch, m.n, resultPtr);
  const gotDigit = new Int32Array(x.memory.buffer, resultPtr, 1)[0];
  cases++;
  const view = new DataView(x.memory.buffer, resultPtr, 56);
  const tenClasses = all[10] === 0 && view.getFloat32(48, true) === 0 && view.getInt32(52, true) === gotDigit;
  if (s1 !== 0 || s2 !== 0 || got.join(' ') !== want.join(' ') || gotDigit !== Number(digit) || !tenClasses) {
    bad++;
    console.log(`${name} #${index}: status ${s1}/${s2}, digit ${gotDigit}, logits ${got.join(' ')}; expected ${digit}, ${want.join(' ')}`);
  }
}
console.log(`node: ${cases} golden cases, ${bad} differ`);
process.exit(bad === 0 && cases > 0 ? 0 : 1);
