import { generateEvents } from '../local/src/generate';
import { transformRecord } from '../transform/src/records';
import { rowsToIpc } from '../local/src/arrow-schema';
const lines = [...generateEvents({ events: 40000, seed: 'bench', start: Date.UTC(2026, 9, 1), days: 1 })];
const rows: any[] = [];
for (const l of lines) { const r = transformRecord(Buffer.from(l), { arrivalTime: null, includeRaw: true, dtStart: '2015-01-01', now: Date.now() }); if (r.ok) rows.push(...r.rows); }
let digest = 0;
for (let pass = 0; pass < 3; pass++) for (const size of [80, 1000]) {
  const t = performance.now(); let n = 0;
  for (let i = 0; i + size <= rows.length; i += size) { const ipc = rowsToIpc(rows.slice(i, i + size)); n += ipc.byteLength; digest = (digest + ipc[ipc.length >> 1]! + ipc.length) % 1e9; }
  if (pass) console.log(`rows/chunk ${size}: ${(((performance.now() - t) * 1000) / rows.length).toFixed(2)} us/row`);
}
console.log('digest', digest);
