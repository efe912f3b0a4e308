import path from 'node:path';
import { createEmbeddedStore } from '../../src/store/embedded.js';
import type { HandoffStore } from '../../src/store/types.js';
import { onCleanup, tempDir } from '../helpers.js';
import { storeContract } from './contract.js';

storeContract('embedded', async () => {
  const file = path.join(tempDir(), 'relay.sqlite');
  const opened: HandoffStore[] = [];
  const openOne = async () => {
    const store = createEmbeddedStore({ file });
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
    another: openOne,
    async reopen() {
      await store.close();
      return openOne();
    },
  };
});
