/**
 * Progress reporting for long work. Library code reports through an `onProgress`
 * callback; the CLI turns that into a bar on a TTY (cli-progress, on stderr) or plain
 * lines every few percent otherwise, so CI logs still show progress.
 */
import cliProgress from 'cli-progress';
import { isQuiet } from './log.js';

export interface ProgressEvent {
  /** what is being done, e.g. 'ts2vec fit' */
  phase: string;
  /** completed units */
  done: number;
  /** total units */
  total: number;
  /** latest loss or other metrics to show */
  metrics?: Record<string, number>;
}

export type ProgressCallback = (e: ProgressEvent) => void;

export interface ProgressReporter {
  callback: ProgressCallback;
  stop(): void;
}

/** A reporter that draws on stderr: a bar on a TTY, plain lines (every ~10 %) otherwise. */
export function createProgressReporter(opts: { tty?: boolean } = {}): ProgressReporter {
  const tty = opts.tty ?? Boolean(process.stderr.isTTY);
  let bar: cliProgress.SingleBar | undefined;
  let phase = '';
  let lastPct = -1;
  const fmtMetrics = (m?: Record<string, number>) =>
    m ? Object.entries(m).map(([k, v]) => `${k}=${Number.isFinite(v) ? v.toPrecision(4) : v}`).join(' ') : '';
  return {
    callback(e) {
      if (isQuiet()) return;
      if (e.phase !== phase) {
        bar?.stop();
        bar = undefined;
        phase = e.phase;
        lastPct = -1;
      }
      if (tty) {
        if (!bar) {
          bar = new cliProgress.SingleBar(
            { format: `${e.phase} [{bar}] {value}/{total} {percentage}% eta {eta_formatted} {metrics}`, stream: process.stderr, hideCursor: true, clearOnComplete: false },
            cliProgress.Presets.shades_classic,
          );
          bar.start(e.total, e.done, { metrics: fmtMetrics(e.metrics) });
        } else {
          bar.update(e.done, { metrics: fmtMetrics(e.metrics) });
        }
        if (e.done >= e.total) { bar.stop(); bar = undefined; phase = ''; }
      } else {
        const pct = e.total > 0 ? Math.floor((100 * e.done) / e.total / 10) * 10 : 100;
        if (pct !== lastPct || e.done >= e.total) {
          if (pct === lastPct && e.done >= e.total) return;
          lastPct = pct;
          process.stderr.write(`[tsrepr] ${e.phase}: ${e.done}/${e.total} (${pct}%) ${fmtMetrics(e.metrics)}\n`);
        }
      }
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
