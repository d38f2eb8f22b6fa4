/** SSGAN (semi-supervised GAN imputation), registered as method 'ssgan'. */
import { registerMethod } from '../model.js';
import { SsganModel } from './model.js';

export { SsganModel, ssganOptions, SSGAN_DEFAULTS, type SsganOptions } from './model.js';
export { temporalReminderMatrix, type TemporalReminder } from './hint.js';

registerMethod('ssgan', {
  description: 'SSGAN (Miao et al., AAAI 2021): semi-supervised GAN imputation with a hint-matrix discriminator and a classifier',
  create: (inputDims, options) => new SsganModel(inputDims, options),
  load: (art) => SsganModel.fromArtifacts(art),
});
