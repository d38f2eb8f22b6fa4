/**
 * tsrepr: self-supervised time-series representation learning for TypeScript/Node.
 * Data flows top-down: data → backbone → pretraining method → adapter → metrics.
 */
export { TsreprError, type TsreprErrorCode } from './errors.js';
export { VERSION } from './version.js';

// engine
export { initBackend, backendInfo, type BackendInfo, type BackendName } from './engine/backend.js';
export { Rng } from './engine/random.js';
export { memorySnapshot, trackPeakRss } from './engine/memory.js';
export { createProgressReporter, type ProgressEvent, type ProgressCallback } from './engine/progress.js';

// data (plain typed arrays; loaders, writers, table interop, transforms, registry)
export * from './data/index.js';

// backbones and methods (importing methods registers all of them for createModel/loadModel)
export { Backbone, createBackbone, backboneKinds, type BackboneConfig } from './backbones/backbone.js';
export type { RepresentationModel, FitOptions, FitResult, EncodeOptions, Representation, Pooling } from './methods/model.js';
export * from './methods/index.js';

// adapters
export * as classification from './tasks/classification/index.js';
export { evaluateClassification } from './tasks/classification/index.js';
export * as forecasting from './tasks/forecasting/index.js';
export * as anomaly from './tasks/anomaly/index.js';
export * as imputation from './tasks/imputation/index.js';
export { impute, imputeArrowFile, fitImputer } from './tasks/imputation/index.js';
