/**
 * What the relay says about customer data when it starts (issue 25): the data directory tightened to 0700 /
 * 0600, payloads stored in plain text (a warning at every start, so a missing key is never silent) or
 * encrypted under which key, rows still under older keys or in plain text (`store rekey` moves them), rows
 * under keys no longer configured, and the retention in force. A store whose lookup key cannot be opened
 * stops the start: PAYLOAD_ENCRYPTION_KEYS lost a key the store still needs.
 */
import type { RelayConfig } from '../config/types.js';
import { formatDuration } from '../config/data-at-rest.js';
import { messages } from '../messages.js';
import type { Logger } from '../observability/logger.js';
import { octal, secureDataDir } from '../store/data-dir.js';
import type { HandoffStore } from '../store/types.js';

const m = messages.dataAtRest;

/** Creates or tightens the embedded store's directory, and says so when it had to tighten anything. */
export function secureDataDirLogged(dataDir: string, logger: Logger): void {
  const tightened = secureDataDir(dataDir);
  if (tightened.directoryWas !== undefined || tightened.files.length)
    logger.warn(
      {
        dataDir,
        ...(tightened.directoryWas !== undefined ? { directoryWas: octal(tightened.directoryWas) } : {}),
        files: tightened.files,
      },
      m.tightened(dataDir),
    );
}

/** Logs the state of the data at rest; returns the problems that must stop the start. */
export async function reportDataAtRest(
  config: Pick<RelayConfig, 'dataAtRest'>,
  store: HandoffStore,
  logger: Logger,
): Promise<string[]> {
  const state = await store.dataAtRest();
  if (state.lookupKeyProblem) return [state.lookupKeyProblem];
  const { retention, keys } = config.dataAtRest;
  logger.info(
    {
      payloadRetention: formatDuration(retention.payloadMs),
      deadLetterRetention: formatDuration(retention.deadLetterMs),
      recordRetention: formatDuration(retention.recordMs),
    },
    m.retentionInForce,
  );
  const known = new Set(keys.map((key) => key.id));
  const unknown = Object.entries(state.byKeyId).filter(([id]) => !known.has(id));
  if (unknown.length)
    logger.error(
      { rowsByKeyId: Object.fromEntries(unknown) },
      m.rowsUnderUnknownKeys(unknown.map(([id]) => id)),
    );
  if (!state.encrypting) {
    logger.warn({ plainRows: state.plain }, m.plainText);
    return [];
  }
  const older = Object.entries(state.byKeyId).filter(([id]) => id !== state.primaryKeyId && known.has(id));
  logger.info(
    { keyId: state.primaryKeyId, plainRows: state.plain, olderKeyRows: Object.fromEntries(older) },
    m.encrypted,
  );
  if (state.plain || older.length)
    logger.info(
      m.rekeyAdvised(
        state.plain,
        older.reduce((n, [, count]) => n + count, 0),
      ),
    );
  return [];
}
