/**
 * The delivery loop: claims due records under a lease, renews the leases of those at work, honours the
 * fleet's pause, and keeps as many in flight as the pace allows (delivery/pace.ts: the ramp after a 429,
 * the cap after a concurrency refusal). What one record's delivery does is the handler's business
 * (delivery/worker.ts dispatches it to its kind's path); the loop only counts it in and out.
 */
import type { Logger } from '../observability/logger.js';
import type { HandoffRecord } from '../store/types.js';
import type { Pacing } from './context.js';
import {
  afterCaseDelivered,
  afterCleanClaim,
  afterConcurrencyRefused,
  afterPauseRead,
  startingPace,
  type Pace,
} from './pace.js';
import type { Transitions } from './transitions.js';

export interface LoopDeps {
  transitions: Transitions;
  /** DELIVERY_WORKERS: records in flight at most. */
  workers: number;
  leaseMs: number;
  clock: () => number;
  logger?: Logger;
  pollIntervalMs?: number;
  /** Delivers one claimed record; the loop passes itself, to be told of deliveries and refusals. */
  handle: (record: HandoffRecord, pacing: Pacing) => Promise<void>;
}

export class DeliveryLoop implements Pacing {
  private pace: Pace;
  /**
   * Set when a round found the fleet paused: the loop sleeps until then instead of a poll interval, so
   * delivery resumes the moment Retry-After has passed (measured: bench/drain.mjs).
   */
  private resumeAt = 0;
  /** The records this worker is delivering right now, whose leases it renews while it works. */
  private readonly held = new Set<string>();
  private inFlight = 0;
  private readonly handling = new Set<Promise<void>>();
  private woken = false;
  private wakeUp: (() => void) | undefined;
  private running = false;
  private loop: Promise<void> | undefined;
  private renewal: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly deps: LoopDeps) {
    this.pace = startingPace(deps.workers);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
    this.renewal = setInterval(() => {
      this.renewLeases().catch((error: unknown) =>
        this.deps.logger?.error({ err: (error as Error).message }, 'lease renewal failed; retrying'),
      );
    }, this.deps.leaseMs / 3);
    this.renewal.unref();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    await this.loop; // the records in flight finish, their leases still renewed meanwhile
    clearInterval(this.renewal);
    await this.deps.transitions.releaseAll(this.deps.clock());
  }

  /** Intake stored a record, or a delivery finished: claim again without waiting for the poll interval. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  delivered(): void {
    this.pace = afterCaseDelivered(this.pace, this.deps.workers);
  }

  refusedForConcurrency(): void {
    this.pace = afterConcurrencyRefused(this.pace, this.held.size);
  }

  /** Claims and delivers one round of due records; resolves with how many were handled. */
  async runOnce(): Promise<number> {
    const now = this.deps.clock();
    if (await this.paused(now)) return 0;
    const claimed = await this.deps.transitions.claim(this.pace.ramp, now);
    await Promise.all(claimed.map((record) => this.handle(record)));
    if ((await this.deps.transitions.pausedUntil()) <= this.pace.pausedUntil)
      this.pace = afterCleanClaim(this.pace);
    return claimed.length;
  }

  /**
   * Extends the leases of the records still at work, every third of DELIVERY_LEASE_MS while the worker
   * runs: a lease can then be short (a crashed instance's records are taken over within it), and a slow
   * Dataverse call never lets another instance deliver the same handoff meanwhile. How many it still holds.
   */
  async renewLeases(): Promise<number> {
    const keys = [...this.held];
    if (!keys.length) return 0;
    const still = await this.deps.transitions.renew(keys, this.deps.clock());
    if (still.length < keys.length)
      this.deps.logger?.warn(
        { lost: keys.filter((key) => !still.includes(key)) },
        'lease lost while delivering: another worker may deliver it too (Dataverse answers 412 to the second case)',
      );
    return still.length;
  }

  /** Whether the fleet is paused now (then the loop sleeps until its end); a new pause restarts the ramp. */
  private async paused(now: number): Promise<boolean> {
    const pause = await this.deps.transitions.pausedUntil();
    if (pause > now) {
      this.resumeAt = pause;
      return true;
    }
    this.pace = afterPauseRead(this.pace, pause);
    return false;
  }

  private async handle(record: HandoffRecord): Promise<void> {
    this.held.add(record.key);
    try {
      await this.deps.handle(record, this);
    } finally {
      this.held.delete(record.key);
    }
  }

  /**
   * The running loop keeps up to the ramp in flight and claims again as soon as one finishes or intake
   * stores a new one, rather than in rounds: a handoff that arrives while others are being delivered starts
   * at once instead of waiting for the slowest of the round (bench/latency.mjs).
   */
  private async run(): Promise<void> {
    while (this.running) {
      this.woken = false;
      let result = { claimed: 0, asked: 0 };
      try {
        result = await this.fill();
      } catch (error) {
        this.deps.logger?.error({ err: (error as Error).message }, 'delivery round failed; retrying');
      }
      // Claim again at once while there is room and the store had more; otherwise wait to be woken by
      // intake or a finished handoff, for the end of a pause, or for the poll interval.
      const full = result.asked > 0 && result.claimed === result.asked;
      if (!this.running || (full && this.inFlight < this.pace.ramp)) continue;
      if (this.woken) continue;
      await this.sleep();
    }
    await Promise.all(this.handling);
  }

  private async sleep(): Promise<void> {
    const paused = this.resumeAt - this.deps.clock();
    this.resumeAt = 0;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, paused > 0 ? paused : (this.deps.pollIntervalMs ?? 500));
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wakeUp = undefined;
  }

  /** Claims what there is room for and starts handling it; how many it claimed and how many it asked. */
  private async fill(): Promise<{ claimed: number; asked: number }> {
    const now = this.deps.clock();
    if (await this.paused(now)) return { claimed: 0, asked: 0 };
    const asked = this.pace.ramp - this.inFlight;
    if (asked <= 0) return { claimed: 0, asked: 0 };
    const claimed = await this.deps.transitions.claim(asked, now);
    if (claimed.length) this.startAll(claimed);
    return { claimed: claimed.length, asked };
  }

  private startAll(claimed: HandoffRecord[]): void {
    this.inFlight += claimed.length;
    const pauseAtClaim = this.pace.pausedUntil;
    let left = claimed.length;
    for (const record of claimed) {
      const job = this.handle(record)
        .catch((error: unknown) =>
          this.deps.logger?.error(
            { err: (error as Error).message, handoffKey: record.key },
            'delivery failed',
          ),
        )
        .finally(async () => {
          this.inFlight -= 1;
          this.handling.delete(job);
          left -= 1;
          // A claim that went through without a new 429 pause lets the next one be twice as large (a pause
          // that cannot be read counts as a new one).
          if (left === 0 && (await this.pauseOrNewer()) <= pauseAtClaim)
            this.pace = afterCleanClaim(this.pace);
          this.wake();
        });
      this.handling.add(job);
    }
  }

  /** The fleet's pause now; when it cannot be read, one later than any this worker has seen. */
  private pauseOrNewer(): Promise<number> {
    return this.deps.transitions.pausedUntil().catch(() => this.pace.pausedUntil + 1);
  }
}
