/**
 * The temporal reminder (hint) matrix of SSGAN (Miao et al., AAAI 2021), after GAIN's hint
 * mechanism: for a random subset of entries (each independently with probability
 * `hintRate`) it reveals the true observed mask to the discriminator; every other entry is
 * set to 0.5 ("unknown"). The discriminator is then judged only on the unrevealed entries.
 */
import type { Rng } from '../../engine/random.js';
import { checkNumber } from '../../errors.js';

export interface TemporalReminder {
  /** `[…]` like the mask: the mask value where revealed, 0.5 elsewhere */
  hint: Float32Array;
  /** 1 where the true mask was revealed */
  revealed: Uint8Array;
}

/**
 * Draws a hint matrix for `mask` (1 observed, 0 imputed): each entry is revealed with
 * probability `hintRate` and then carries the true mask, otherwise 0.5.
 */
export function temporalReminderMatrix(mask: ArrayLike<number>, hintRate: number, rng: Rng): TemporalReminder {
  checkNumber('hintRate', hintRate, { min: 0, max: 1 });
  const n = mask.length;
  const hint = new Float32Array(n);
  const revealed = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (rng.random() < hintRate) {
      revealed[i] = 1;
      hint[i] = mask[i] ? 1 : 0;
    } else {
      hint[i] = 0.5;
    }
  }
  return { hint, revealed };
}
