/**
 * tsrepr: self-supervised time-series representation learning for TypeScript/Node.
 * Data flows top-down: data → backbone → pretraining method → adapter → metrics.
 */
export { TsreprError, type TsreprErrorCode } from './errors.js';
export { initBackend, backendInfo, type BackendInfo, type BackendName } from './engine/backend.js';
export { Rng } from './engine/random.js';
export { memorySnapshot } from './engine/memory.js';
export { createProgressReporter, type ProgressEvent, type ProgressCallback } from './engine/progress.js';
export { createDataset, fromArrays, selectSeries, type TimeSeriesDataset } from './data/dataset.js';
export { Backbone, createBackbone, type BackboneConfig } from './backbones/backbone.js';
export {
  loadModel, registeredMethods,
  type RepresentationModel, type FitOptions, type FitResult, type EncodeOptions, type Representation, type Pooling,
} from './methods/model.js';
export * as anomaly from './tasks/anomaly/index.js';
export { TS2Vec, createTS2Vec, ts2vecConfig, type TS2VecConfig } from './methods/ts2vec.js';
export * as forecasting from './tasks/forecasting/index.js';
