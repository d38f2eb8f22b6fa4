/**
 * The single import point for TensorFlow.js in tsrepr: every module imports `tf` from here,
 * so there is exactly one tfjs-core instance (backends registered in one engine are
 * invisible to another).
 */
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core's Node bundle registers no gradients, and its ESM files cannot be imported by
// Node directly; the `@tensorflow/tfjs` Node bundle registers every gradient against the
// same (hoisted) tfjs-core instance, so it is imported once here for that side effect.
import '@tensorflow/tfjs';

export { tf };
export type Tensor = tf.Tensor;
export type Tensor1D = tf.Tensor1D;
export type Tensor2D = tf.Tensor2D;
export type Tensor3D = tf.Tensor3D;
export type Variable = tf.Variable;
export type Scalar = tf.Scalar;
export type Tensor4D = tf.Tensor4D;
