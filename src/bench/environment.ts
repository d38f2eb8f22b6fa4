/** Where a benchmark ran: package version, git commit, Node, CPU model and cores. */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { VERSION } from '../version.js';
import type { RunEnvironment } from './types.js';

let cached: RunEnvironment | undefined;

/** The git commit of the package checkout (`git rev-parse HEAD`), or null outside git. */
export function gitCommit(): string | null {
  try {
    const cwd = fileURLToPath(new URL('.', import.meta.url));
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).toString().trim() || null;
  } catch {
    return null;
  }
}

/** The run environment (computed once per process). */
export function runEnvironment(): RunEnvironment {
  cached ??= {
    version: VERSION,
    commit: gitCommit(),
    node: process.version,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    platform: `${os.platform()} ${os.arch()}`,
  };
  return cached;
}
