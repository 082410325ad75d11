import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ingest } from '../../local/src/ingest';
import { MAX_RECORD_BYTES } from '../../transform/src/constants';
import { JsonRecordSplitter } from '../../transform/src/json-split';
import { tempDir } from '../local/helpers';
import { hostileCases } from './cases';
import { expectNothingLost } from './helpers';

/**
 * The records ingest reads from `input`: the splitter's pieces, as ingest configures it (the
 * splitter's own tests prove the pieces join back to the input). A leading byte-order mark of a
 * file is dropped before splitting.
 */
function piecesOf(input: Buffer): Buffer[] {
  const splitter = new JsonRecordSplitter({ maxRecordBytes: 2 * MAX_RECORD_BYTES });
  const text = input.toString('latin1').replace(/^\u00ef\u00bb\u00bf/, '');
  return [...splitter.push(text), ...splitter.end()].map((piece) => Buffer.from(piece, 'latin1'));
}

describe('ingest under hostile input', () => {
  const cases = hostileCases();

  it('ingests a folder of one file per hostile case, and a binary file, losing no byte', async () => {
    // Arrange
    const dir = await tempDir('hostile-in-');
    const lake = await tempDir();
    await mkdir(join(dir, 'nested'));
    const files = cases.map((c, index) => ({
      path: join(dir, 'nested', `${String(index).padStart(2, '0')}.ndjson`),
      bytes: c.bytes,
    }));
    const binary = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7919 + (i >> 3)) % 256));
    files.push({ path: join(dir, 'image.png'), bytes: binary });
    for (const file of files) await writeFile(file.path, file.bytes);

    // Act
    const summary = await ingest({ inputs: [dir], lake });

    // Assert
    await expectNothingLost(
      lake,
      summary,
      files.flatMap((file) => piecesOf(file.bytes)),
    );
  });

  it('ingests every hostile case on stdin, one per line, losing no byte', async () => {
    // Arrange
    const lake = await tempDir();
    const input = Buffer.concat(cases.flatMap((c) => [c.bytes, Buffer.from('\n')]));
    const stdin = Readable.from([input.subarray(0, 1000), input.subarray(1000)]);

    // Act
    const summary = await ingest({ inputs: ['-'], lake, stdin });

    // Assert
    await expectNothingLost(lake, summary, piecesOf(input));
  });
});
