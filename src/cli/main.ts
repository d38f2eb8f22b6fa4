/** The `tsrepr` command line. */
import { Command } from 'commander';
import { VERSION } from '../version.js';
import { commands } from './commands/index.js';
// Register every method so that any command can create or load any model (--model DIR).
import '../methods/index.js';

const program = new Command();
program
  .name('tsrepr')
  .description('Self-supervised time-series representation learning: TS2Vec, masked segment pretraining, SSGAN imputation')
  .version(VERSION)
  .showHelpAfterError();
for (const register of commands) register(program);

await program.parseAsync(process.argv);
// Some backends (Dawn/WebGPU) keep the event loop alive; the CLI is done here.
process.exit(process.exitCode ?? 0);
