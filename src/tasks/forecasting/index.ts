/** Forecasting: the TS2Vec ridge protocol for any representation model (registers the masked and combined methods). */
import '../../methods/masked/model.js';
import '../../methods/combined.js';
export { naiveLastValue, prepareForecastInput, ridgeForecast, type ForecastInput, type HorizonResult, type RidgeForecastOptions, type RidgeForecastResult } from './protocol.js';
export { factorRidge, fitRidgeSelect, mseMae, predictRidge, RIDGE_ALPHAS, RIDGE_ALPHAS_EXTENDED, solveRidge } from './ridge.js';
export { MaskedModel, maskedConfig, type MaskedOptions } from '../../methods/masked/model.js';
export { CombinedModel, combinedConfig } from '../../methods/combined.js';
