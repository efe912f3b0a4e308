/**
 * The service-protection pause of one application user. Dataverse counts its limits per user (Service
 * protection API limits), so a backfill spends the same budget as the relay's deliveries: with the relay's
 * store reachable it honours the pause the workers set and sets one they honour (delivery/retry-policy.ts
 * dataversePauseScope); without it, it keeps its own.
 */
import type { HandoffStore } from '../store/types.js';

export interface SharedPause {
  /** Where the pause lives: the relay's store, or this process only. */
  readonly kind: 'store' | 'own';
  /** When the pause ends (ms since the epoch; 0 or past: not paused). */
  until(): Promise<number>;
  /** Pauses until `until`; a later pause already set stays. */
  pauseUntil(until: number): Promise<void>;
}

export function ownPause(): SharedPause {
  let until = 0;
  return {
    kind: 'own',
    until: () => Promise.resolve(until),
    pauseUntil(next) {
      until = Math.max(until, next);
      return Promise.resolve();
    },
  };
}

/** The store's pause for `scope`; if the store stops answering, the pause this process knows still holds. */
export function storePause(
  store: Pick<HandoffStore, 'getPauseUntil' | 'setPauseUntil'>,
  scope: string,
): SharedPause {
  const own = ownPause();
  return {
    kind: 'store',
    async until() {
      const local = await own.until();
      try {
        return Math.max(local, await store.getPauseUntil(scope));
      } catch {
        return local;
      }
    },
    async pauseUntil(next) {
      await own.pauseUntil(next);
      try {
        await store.setPauseUntil(scope, next);
      } catch {
        // The store is gone: this process still waits; the relay's workers find their own 429.
      }
    },
  };
}
