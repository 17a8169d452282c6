/** The RuntimeStore contract on the in-process store (ioredis-mock), with and without a prefix. */
import { createRuntimeStore } from './create-runtime-store';
import { describeRuntimeStoreContract } from './runtime-store.contract';

describeRuntimeStoreContract('ioredis-mock', () => createRuntimeStore({}));
describeRuntimeStoreContract('ioredis-mock, key prefix', () => createRuntimeStore({ keyPrefix: 'tc-test:' }));
