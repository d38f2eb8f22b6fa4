/**
 * tsrepr data layer: loaders → `TimeSeriesDataset` (plain typed arrays, `[N, T, C]`), writers,
 * table interop, transforms and the dataset registry. No tensor backend is imported here.
 */
export { createDataset, fromArrays, selectSeries, valueAt, type DatasetInit, type TimeSeriesDataset } from './dataset.js';
export { readBytes, readText, isGzip } from './read.js';
export { MISSING_TOKENS, isMissingCell, parseNumberCell, parseTimeCell, sortLabels } from './parse.js';
export { longToDataset, wideToDataset, type LongOptions, type RawTable, type WideOptions } from './columnar.js';
export { loadCsv, readCsvTable, scanRecords, type CsvOptions, type CsvParseOptions } from './csv.js';
export { loadArrow, readArrowTable, registerArrowCodecs } from './arrow.js';
export { loadParquet } from './parquet.js';
export { loadUcrTs, loadUcrTsv } from './ucr.js';
export { loadArff } from './arff.js';
export { loadClassificationPair, loadLabelledFile, relabel, type ClassificationPair } from './classification.js';
export { loadNab, type NabDataset } from './nab.js';
export { loadPhysionet2012, PHYSIONET2012_STATICS, PHYSIONET2012_VARIABLES, type Physionet2012Dataset, type Physionet2012Options } from './physionet.js';
export { loadEtt, loadForecastCsv, standardSplit, type FeatureMode, type ForecastCsvOptions, type ForecastDataset, type SplitBorders } from './forecast.js';
export { BEIJING_AIR_CHANNELS, loadBeijingAirQuality, loadBeijingMultiSite } from './airquality.js';
export { datasetToColumns, formatFloat32, writeArrow, writeCsv } from './write.js';
export { columnsToTable, detectTableKind, tableToColumns, type ColumnType, type TableColumns, type TableKind } from './interop.js';
export {
  applyScaler, chronologicalSplit, crop, fitScaler, invertScaler, padLength, selectChannels, slidingWindows, timeFeatures,
  TIME_FEATURE_NAMES, type ScalerStats, type SplitSpec,
} from './transforms.js';
export {
  bundledDatasetsDir, cacheDir, fetchDataset, listDatasets, loadDataset, NAB_FILES, resolveDataset,
  type DatasetInfo, type DatasetLocation, type DatasetTask, type LoadedDataset, type RegistryOptions,
} from './registry.js';
export { unzip } from './zip.js';
