/**
 * `opencx-relay store rekey` (issue 25): seals every stored payload still in plain text or under an older
 * key under the first key of PAYLOAD_ENCRYPTION_KEYS, in batches, reporting progress, so that the older key
 * can then be removed. Each row is written only if it is as it was read: a row a worker rewrites meanwhile is
 * taken again in a later pass; a row sealed under a key that is no longer listed is reported and left
 * alone. One audit entry counts what it did.
 */
import { messages } from '../messages.js';
import type { AuditEntry, HandoffStore } from '../store/types.js';
import { recordAudit } from './audit.js';

export interface RekeyReport {
  keyId: string;
  /** Rows to do when it started. */
  total: number;
  resealed: number;
  changed: number;
  unreadable: string[];
  /** Rows still not under the first key at the end (other than unreadable ones). */
  left: number;
}

export async function rekeyStore(
  store: HandoffStore,
  options: {
    now: () => number;
    batchSize?: number;
    onProgress?: (done: number, total: number) => void;
    actor?: Pick<AuditEntry, 'user' | 'host'>;
  },
): Promise<RekeyReport> {
  const before = await store.dataAtRest();
  const keyId = before.primaryKeyId;
  if (!keyId) throw new Error('store rekey needs PAYLOAD_ENCRYPTION_KEYS');
  const pending = (state: typeof before) =>
    state.plain + Object.entries(state.byKeyId).reduce((n, [id, count]) => n + (id === keyId ? 0 : count), 0);
  const total = pending(before);
  const report: RekeyReport = { keyId, total, resealed: 0, changed: 0, unreadable: [], left: 0 };
  let done = 0;
  options.onProgress?.(0, total);
  // A row a worker rewrote between read and write is taken again in another pass (a few at most).
  for (let pass = 0; pass < 3; pass += 1) {
    let after: string | undefined;
    let changed = 0;
    for (;;) {
      const batch = await store.rekey(after, options.batchSize ?? 500);
      report.resealed += batch.resealed;
      changed += batch.changed;
      if (pass === 0) report.unreadable.push(...batch.unreadable);
      done += batch.resealed + (pass === 0 ? batch.unreadable.length : 0);
      options.onProgress?.(Math.min(done, total), total);
      if (batch.lastKey === undefined) break;
      after = batch.lastKey;
    }
    report.changed += changed;
    if (changed === 0) break;
  }
  report.left = Math.max(0, pending(await store.dataAtRest()) - report.unreadable.length);
  await recordAudit(
    store,
    'rekey',
    {
      resealed: report.resealed,
      changed: report.changed,
      unreadable: report.unreadable.length,
      left: report.left,
    },
    options.now(),
    options.actor,
  );
  return report;
}

export function formatRekeyReport(report: RekeyReport): string {
  const m = messages.rekey;
  const lines = [report.total === 0 ? m.nothing(report.keyId) : m.done(report.resealed, report.keyId)];
  if (report.changed) lines.push(m.changed(report.changed));
  if (report.unreadable.length) lines.push(m.unreadable(report.unreadable.length, report.unreadable));
  if (report.left) lines.push(m.stillOld(report.left));
  return `${lines.join('\n')}\n`;
}
