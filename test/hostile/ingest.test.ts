import { mkdir, writeFile } from 'node:fs/promises';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ingest } from '../../local/src/ingest';
import { MAX_RECORD_BYTES } from '../../transform/src/constants';
import { JsonRecordSplitter } from '../../transform/src/json-split';
import { tempDir } from '../local/helpers';
import { startS3, type TestS3 } from '../local/s3-server';
import { hostileCases } from './cases';
import { expectNothingLost } from './helpers';

/**
 * The records ingest reads from `input`: the splitter's pieces, as ingest configures it (the
 * splitter's own tests prove the pieces join back to the input).
 */
function piecesOf(input: Buffer): Buffer[] {
  const splitter = new JsonRecordSplitter({ maxRecordBytes: 2 * MAX_RECORD_BYTES });
  return [...splitter.push(input), ...splitter.end()];
}

describe('ingest under hostile input', () => {
  const cases = hostileCases();
  let s3: TestS3;
  beforeAll(async () => {
    s3 = await startS3();
  });
  afterAll(() => s3.stop());

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

  it('ingests an S3 prefix of one object per hostile case, and a binary object, losing no byte', async () => {
    // Arrange
    const lake = await tempDir();
    await s3.createBucket('hostile-archive');
    const objects = [
      ...cases.map((c, index) => ({ key: `in/${String(index).padStart(2, '0')}`, bytes: c.bytes })),
      { key: 'in/zz-binary', bytes: Buffer.from(Array.from({ length: 5_000 }, (_, i) => (i * 131) % 256)) },
    ];
    for (const object of objects)
      await s3.client.send(
        new PutObjectCommand({ Bucket: 'hostile-archive', Key: object.key, Body: object.bytes }),
      );

    // Act
    const summary = await ingest({
      inputs: ['s3://hostile-archive/in/'],
      lake,
      s3: { endpoint: s3.endpoint },
    });

    // Assert
    await expectNothingLost(
      lake,
      summary,
      objects.flatMap((object) => piecesOf(object.bytes)),
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
