import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { newRunId } from '../../local/src/run-id';
import { startServer } from '../../local/src/serve';
import { Spool, SPOOL_FOLDER } from '../../local/src/spool';
import { DOCUMENTED, tempDir } from '../local/helpers';
import { errorDocs, rowRaws } from './helpers';

const RECEIVED_AT = Date.UTC(2026, 10, 28, 12, 0, 0);

describe('serve replaying a damaged spool segment', () => {
  it('delivers the frames after a damaged one, and the damaged bytes to the error output', async () => {
    // Arrange: a killed run acknowledged three records; then its middle frame is damaged on disk
    const lake = await tempDir();
    const ses = (await readFile(join(DOCUMENTED, 'ses.ndjson'), 'utf8')).split('\n').slice(0, 3);
    const killed = await Spool.open(lake, newRunId(RECEIVED_AT - 60_000));
    await killed.append(ses.map((line) => ({ data: Buffer.from(line), arrivalTime: RECEIVED_AT })));
    // Its owner file: a pid above Linux's largest (2^22), so no process has it.
    await writeFile(
      join(lake, SPOOL_FOLDER, `serve-${killed.runId}.owner`),
      JSON.stringify({ pid: 2 ** 22 + 1, started: null }),
    );
    const segment = join(lake, SPOOL_FOLDER, `serve-${killed.runId}-000001.wal`);
    const bytes = await readFile(segment);
    const middle = bytes.indexOf(ses[1]!);
    bytes[middle + 10] ^= 0x20;
    await writeFile(segment, bytes);
    const damagedFrame = bytes.subarray(middle - 16, middle + Buffer.byteLength(ses[1]!));

    // Act
    const server = await startServer({ port: 0, lake, clock: () => RECEIVED_AT, workers: 0 });
    const replayed = server.replayed;
    await server.close();
    await killed.close();

    // Assert: rows for the two whole frames; the damaged frame's bytes, as on disk, in one error record
    expect(replayed).toEqual({ records: 2, segments: 1, tornBytes: 0, damagedBytes: damagedFrame.length });
    const raws = (await rowRaws(lake)).map((raw) => raw.toString());
    expect(raws.sort()).toEqual([ses[0], ses[2]].sort());
    const docs = await errorDocs(lake);
    expect(docs.map((doc) => doc.errorCode)).toEqual(['spool_damaged']);
    expect(Buffer.from(docs[0]!.rawData, 'base64').equals(damagedFrame)).toBe(true);
  });
});
