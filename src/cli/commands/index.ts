/**
 * The CLI's commands. Each module exports `register(program)`; add new commands here.
 */
import type { Command } from 'commander';
import { register as bench } from './bench.js';
import { register as classify } from './classify.js';
import { register as datasets } from './datasets.js';
import { register as detect } from './detect.js';
import { register as info } from './info.js';
import { register as forecast } from './forecast.js';
import { register as pretrain } from './pretrain.js';
import { register as impute } from './impute.js';

export const commands: ((program: Command) => void)[] = [info, datasets, bench, detect, classify, pretrain, forecast, impute];
