import { spawnChild } from './lib/rpc';
async function main() {
const fake = spawnChild('fake');
const info = await fake.call<any>('start', { symbols: 5000 });
const floor = spawnChild('floor-timer');
for (const n of [1000, 10000]) {
  const from = await fake.call<number>('count');
  const T = Math.ceil((Date.now() + 3500) / 1000) * 1000;
  const t0 = performance.now();
  await floor.call('fire', { restUrl: info.restUrl, credentials: info.credentials, instants: [T], perInstant: n, concurrency: 64, idPrefix: 'x' + n, symbols: ['B0001'], warmLeadMs: 3000 });
  const { arrivals } = await fake.call<any>('arrivals', { from });
  console.log(n, 'last', Math.max(...arrivals.map((a: any) => a[3])) - T, 'first', Math.min(...arrivals.map((a: any) => a[3])) - T);
}
await floor.kill(); await fake.call('close'); await fake.call('exit'); await fake.waitExit(20000);
}
main();
