/**
 * Minimal module system on tfjs-core (tfjs-layers is not used): a `Module` owns named
 * trainable variables and child modules; names are dotted paths (`blocks.3.conv1.weight`),
 * which is what weights files store. Forward passes are plain methods of subclasses.
 */
import { tf, type Tensor, type Variable } from '../engine/tf.js';
import type { Rng } from '../engine/random.js';

export abstract class Module {
  private readonly ownParams = new Map<string, Variable>();
  private readonly ownChildren = new Map<string, Module>();

  /** Registers a trainable variable initialised with `init` (which is consumed). */
  protected param(name: string, init: Tensor, trainable = true): Variable {
    if (this.ownParams.has(name)) throw new Error(`duplicate parameter ${name}`);
    const v = tf.variable(init, trainable);
    init.dispose();
    this.ownParams.set(name, v);
    return v;
  }

  /** Registers a child module under `name`. */
  protected child<M extends Module>(name: string, m: M): M {
    if (this.ownChildren.has(name)) throw new Error(`duplicate child ${name}`);
    this.ownChildren.set(name, m);
    return m;
  }

  /** Every variable of this module and its children, by dotted name, in a stable order. */
  namedParameters(prefix = ''): Map<string, Variable> {
    const out = new Map<string, Variable>();
    for (const [n, v] of this.ownParams) out.set(prefix + n, v);
    for (const [n, c] of this.ownChildren) for (const [k, v] of c.namedParameters(`${prefix}${n}.`)) out.set(k, v);
    return out;
  }

  /** Trainable variables, for optimisers. */
  trainableVariables(): Variable[] {
    return [...this.namedParameters().values()].filter((v) => v.trainable);
  }

  /** Number of scalar parameters. */
  parameterCount(): number {
    let n = 0;
    for (const v of this.namedParameters().values()) n += v.size;
    return n;
  }

  /** Copies values into this module's variables; every name must match with the same shape. */
  loadParameters(values: Map<string, Tensor> | Record<string, Tensor>, opts: { strict?: boolean } = {}): void {
    const map = values instanceof Map ? values : new Map(Object.entries(values));
    const params = this.namedParameters();
    for (const [name, v] of params) {
      const t = map.get(name);
      if (!t) {
        if (opts.strict !== false) throw new Error(`missing weight '${name}'`);
        continue;
      }
      if (t.shape.join(',') !== v.shape.join(',')) {
        throw new Error(`weight '${name}' has shape [${t.shape}], expected [${v.shape}]`);
      }
      v.assign(t);
    }
    if (opts.strict !== false) {
      for (const k of map.keys()) if (!params.has(k)) throw new Error(`unexpected weight '${k}'`);
    }
  }

  /** Copies of the current values (caller disposes). */
  snapshot(): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    for (const [k, v] of this.namedParameters()) out.set(k, tf.clone(v));
    return out;
  }

  dispose(): void {
    for (const v of this.ownParams.values()) v.dispose();
    for (const c of this.ownChildren.values()) c.dispose();
  }
}

/** PyTorch-style default init: uniform(±1/sqrt(fanIn)), drawn from the seeded Rng. */
export function uniformInit(rng: Rng, shape: number[], fanIn: number): Tensor {
  const bound = 1 / Math.sqrt(Math.max(1, fanIn));
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(rng.uniformArray(n, -bound, bound), shape);
}

/** Normal(0, std) init from the seeded Rng. */
export function normalInit(rng: Rng, shape: number[], std: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(rng.normalArray(n, 0, std), shape);
}
