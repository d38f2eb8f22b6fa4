/** `tsrepr info`: which backend is used and why, versions, machine. */
import type { Command } from 'commander';
import os from 'node:os';
import { BACKEND_NAMES } from '../../engine/backend.js';
import { memorySnapshot } from '../../engine/memory.js';
import { VERSION } from '../../version.js';
import { action, printResult, setUp, withCommonOptions, type CommonOptions } from '../common.js';

export function register(program: Command): void {
  withCommonOptions(program.command('info').description('show the compute backend chosen (and why), versions and machine'))
    .action(action(async (opts: CommonOptions) => {
      const { backend } = await setUp({ ...opts, quiet: true });
      const result = {
        tsrepr: VERSION,
        node: process.version,
        platform: `${os.platform()} ${os.arch()}`,
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model,
        memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
        backend: backend.backend,
        requested: backend.requested,
        tfjs: backend.tfjsVersion,
        gpuAdapter: backend.adapter ?? null,
        attempts: backend.attempts,
        backendsKnown: BACKEND_NAMES,
        rssMiB: +(memorySnapshot().rss / 2 ** 20).toFixed(1),
      };
      printResult(result, opts, (r: typeof result) => [
        `tsrepr ${r.tsrepr} on Node ${r.node} (${r.platform}, ${r.cpus} CPUs: ${r.cpuModel}, ${r.memoryGiB} GiB)`,
        `backend: ${r.backend} (requested: ${r.requested}; tfjs ${r.tfjs})`,
        ...r.attempts.map((a) => `  ${a.ok ? 'used   ' : 'skipped'} ${a.backend.padEnd(14)} ${a.reason}`),
        `GPU adapter: ${r.gpuAdapter ? JSON.stringify(r.gpuAdapter) : 'none (WebGPU not chosen or no adapter)'}`,
      ].join('\n'));
    }));
}
