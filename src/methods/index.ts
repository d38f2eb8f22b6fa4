/**
 * Every pretraining method, imported for its registration (`registerMethod`), so that
 * `createModel(name)` and `loadModel(dir)` know all of them.
 */
export { TS2Vec, createTS2Vec, ts2vecConfig, type TS2VecConfig } from './ts2vec.js';
export { MaskedModel, maskedConfig, type MaskedOptions, type MaskedConfig } from './masked/model.js';
export { CombinedModel, combinedConfig, type CombinedConfig } from './combined.js';
export { SsganModel, ssganOptions, temporalReminderMatrix, type SsganOptions, type TemporalReminder } from './ssgan/index.js';
export { createModel, loadModel, registeredMethods, registerMethod } from './model.js';
