/**
 * A worker thread of TS2Vec's parallel training step (ts2vec-parallel.ts describes the
 * protocol). It holds a copy of the encoder on its own tfjs wasm backend; per step it loads
 * the parameters from shared memory, computes its shard's loss and weight gradients
 * (`shardLoss`, exchanging representations and dL/dz with the other shards), and writes the
 * gradients to shared memory.
 */
import { parentPort } from 'node:worker_threads';
import { DilatedConvEncoder } from '../backbones/dilated-conv.js';
import { initBackend } from '../engine/backend.js';
import { setQuiet } from '../engine/log.js';
import { installSharedWasmIdentity } from '../engine/ops.js';
import { Rng } from '../engine/random.js';
import { tf, type Variable } from '../engine/tf.js';
import { WAIT_LIMIT_MS, raiseFailure, shardInputs, shardLoss, type FromWorker, type Shared, type Slot, type ToWorker } from './ts2vec-parallel.js';

interface State { shard: number; net: DilatedConvEncoder; vars: Variable[]; slots: Slot[]; sh: Shared; grads: Float32Array }

const port = parentPort;
if (!port) throw new Error('ts2vec-worker runs as a worker thread (started by ts2vec-parallel.ts)');
let state: State | undefined;
let current: number | undefined;

const post = (m: FromWorker) => port.postMessage(m);

port.on('message', (m: ToWorker) => {
  if (m.type === 'init') {
    init(m).then(() => post({ type: 'ready' }), (e: unknown) => report(e));
    return;
  }
  if (m.type === 'stats') {
    const mem = tf.memory();
    post({ type: 'stats', numTensors: mem.numTensors, numBytes: mem.numBytes });
    return;
  }
  current = m.task.id;
  try {
    const t0 = performance.now();
    const { loss, waitMs } = step(m);
    post({ type: 'done', id: m.task.id, loss, ms: performance.now() - t0, waitMs });
  } catch (e) {
    report(e);
  }
});

// a worker that exits mid-run (process.exit in user code, a fatal error) says so at once, rather
// than leaving the other threads to wait out their limit (the flag is sticky: after the caller's
// close it is already set, so a normal exit changes nothing)
process.on('exit', (code) => {
  if (state) raiseFailure(state.sh.ctrl, state.sh.err, state.shard, `worker ${state.shard} exited (code ${code})`);
});

/** Tells the other threads (also those blocked in `waitFor`) that this worker failed. */
function report(e: unknown): void {
  const message = e instanceof Error ? `${e.message}${e.stack ? `\n${e.stack}` : ''}` : String(e);
  if (state) raiseFailure(state.sh.ctrl, state.sh.err, state.shard, message);
  post({ type: 'error', id: current, message });
}

async function init(m: Extract<ToWorker, { type: 'init' }>): Promise<void> {
  setQuiet(true);
  await initBackend('wasm');
  installSharedWasmIdentity(); // as in the caller's fit: tape clones share their buffers
  const net = new DilatedConvEncoder(m.backbone, new Rng(0)); // the weights come with every step
  const byName = net.namedParameters();
  const vars = m.slots.map((s) => {
    const v = byName.get(s.name);
    if (!v || v.size !== s.size) throw new Error(`ts2vec-worker: parameter ${s.name} does not match the caller's encoder`);
    return v;
  });
  const grads = new Float32Array(m.grads);
  state = {
    shard: m.shard, net, vars, slots: m.slots, grads,
    sh: { ctrl: new Int32Array(m.ctrl), err: new Uint8Array(m.err), params: new Float32Array(m.params), grads: [grads], z: [], g: [], m: [] },
  };
}

function step(m: Extract<ToWorker, { type: 'step' }>): { loss: number; waitMs: number } {
  const st = state;
  if (!st) throw new Error('ts2vec-worker: step before init');
  if (m.z) st.sh.z = m.z.map((b) => new Float32Array(b));
  if (m.g) st.sh.g = m.g.map((b) => new Float32Array(b));
  if (m.m) st.sh.m = m.m.map((b) => new Float32Array(b));
  // this step's parameters
  tf.tidy(() => {
    let off = 0;
    st.slots.forEach((slot, i) => {
      st.vars[i]!.assign(tf.tensor(st.sh.params.subarray(off, off + slot.size), slot.shape));
      off += slot.size;
    });
  });
  let waitMs = 0;
  const waits = { label: `ts2vec worker ${st.shard}, step ${m.task.id}`, limitMs: () => WAIT_LIMIT_MS, onWait: (ms: number) => { waitMs += ms; } };
  const inputs = shardInputs(m.batches, m.task, st.sh, st.net.outputDims, st.net.config.dropout, waits);
  try {
    const { value, grads } = tf.variableGrads(shardLoss(st.net, inputs.batches, inputs.drop, m.task, st.sh, waits), st.vars);
    try {
      const flat = tf.tidy(() => tf.concat(st.vars.map((v) => tf.reshape(grads[v.name]!, [-1]))));
      st.grads.set(flat.dataSync() as Float32Array);
      flat.dispose();
      return { loss: value.dataSync()[0]!, waitMs };
    } finally {
      value.dispose();
      for (const g of Object.values(grads)) g.dispose();
    }
  } finally {
    inputs.dispose();
  }
}
