/** Classification adapter: probes on instance representations, metrics, archive normalisation. */
export { evaluateClassification, evaluateFeatures, normaliseArchivePair, UCR_NORMALISED_SETS, type ClassificationProtocol, type ClassificationResult, type ArchiveNormalisation } from './evaluate.js';
export { RbfSvm, fitSvmProtocol, stratifiedFolds, gammaScale, SVM_C_GRID } from './svm.js';
export { LogisticProbe, type LogisticOptions } from './logistic.js';
export { accuracy, averagePrecision, auprc } from './metrics.js';
export type { Classifier, Features } from './classifier.js';
