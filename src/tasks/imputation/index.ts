/** Imputation: the table API, the imputers, and the evaluation protocol. */
export { impute, fitImputer, imputeArrowFile, type ImputeTableOptions, type ImputeTableResult, type ImputeArrowFileOptions, type ImputeArrowFileResult } from './api.js';
export { createImputer, loadImputer, SimpleImputer, SsganImputer, IMPUTE_METHODS, type Imputer, type ImputeMethod, type ImputeResult } from './imputers.js';
export { hideObserved, scoreImputation, type HiddenEntries, type ImputationScores } from './evaluate.js';
export { evaluateImputation, type ImputationEvalResult } from './protocol.js';
export { readTableFile, writeTableFile } from './files.js';
export { SsganModel, temporalReminderMatrix, type SsganOptions } from '../../methods/ssgan/index.js';
