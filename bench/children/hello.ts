/** The floor for a restart: a node child that loads nothing and says it is ready. */
import { emit } from '../lib/rpc';

emit('ready', { processStart: performance.timeOrigin, readyAt: performance.timeOrigin + performance.now() });
process.on('disconnect', () => process.exit(0));
