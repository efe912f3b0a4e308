import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createEmbeddedStore } from '../../src/store/embedded.js';
import type { HandoffStore } from '../../src/store/types.js';
import { onCleanup, tempDir } from '../helpers.js';
import { storeContract, type OpenFixture } from './contract.js';

const open: OpenFixture = async (vault) => {
  const dir = tempDir();
  const file = path.join(dir, 'relay.sqlite');
  const opened: HandoffStore[] = [];
  const openOne = async (make = vault) => {
    const store = createEmbeddedStore({ file, vault: make?.() });
    await store.init();
    opened.push(store);
    return store;
  };
  onCleanup(async () => {
    for (const store of opened) await store.close();
  });
  const store = await openOne();
  return {
    store,
    another: (make) => openOne(make ?? vault),
    async reopen(make) {
      await store.close();
      return openOne(make ?? vault);
    },
    // Every file of the data directory, the WAL included, byte for byte.
    raw: () =>
      Promise.resolve(Buffer.concat(readdirSync(dir).map((name) => readFileSync(path.join(dir, name))))),
  };
};

storeContract('embedded', open);
storeContract('embedded', open, { sealed: true });
