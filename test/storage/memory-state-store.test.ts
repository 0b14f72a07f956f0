import { MemoryStateStore } from '../../src/storage/memory-state-store.js';
import { runStateStoreContract } from './state-store.contract.js';

runStateStoreContract('MemoryStateStore', async (members) => {
  const store = new MemoryStateStore();
  return { stores: Array.from({ length: members }, () => store), cleanup: async () => {} };
});
