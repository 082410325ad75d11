import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { arrivalFromObjectName, readChunks, resolveInputs } from '../../local/src/input-reader';
import { UserInputError } from '../../transform/src/errors';
import { duckdbRows, tempDir } from './helpers';

/** The file's text: the reader's chunks, joined and decoded as UTF-8. */
async function readAll(path: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of readChunks({ kind: 'file', path, size: 0 })) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

describe('input reader', () => {
  describe('arrivalFromObjectName', () => {
    it('reads the UTC time of a Firehose object name, with or without an extension', () => {
      // Arrange
      const names = [
        's3/2024/03/09/17/my-stream-1-2024-03-09-17-05-42-0c6b5a3e-1f2d-4e5b-9a8c-7d6e5f4a3b2c',
        'my-stream-12-2024-03-09-17-05-42-0c6b5a3e-1f2d-4e5b-9a8c-7d6e5f4a3b2c.gz',
      ];

      // Act
      const times = names.map(arrivalFromObjectName);

      // Assert
      expect(times).toEqual([Date.UTC(2024, 2, 9, 17, 5, 42), Date.UTC(2024, 2, 9, 17, 5, 42)]);
    });

    it('is null for any other name, and for an impossible date', () => {
      // Arrange
      const names = ['events.ndjson', 'my-stream-1-2024-02-30-17-05-42-0c6b5a3e-1f2d-4e5b-9a8c-7d6e5f4a3b2c'];

      // Act
      const times = names.map(arrivalFromObjectName);

      // Assert
      expect(times).toEqual([null, null]);
    });
  });

  describe('resolveInputs', () => {
    it('lists folder contents recursively in code-unit order', async () => {
      // Arrange
      const dir = await tempDir('in-');
      await mkdir(join(dir, 'B'));
      await writeFile(join(dir, 'a.ndjson'), '');
      await writeFile(join(dir, 'B', 'z.ndjson'), '');
      await writeFile(join(dir, 'B', 'Y.ndjson'), '');

      // Act
      const sources = await resolveInputs([dir]);

      // Assert
      expect(sources.map((s) => (s.kind === 'file' ? s.path.slice(dir.length + 1) : '-'))).toEqual([
        'B/Y.ndjson',
        'B/z.ndjson',
        'a.ndjson',
      ]);
    });

    it('follows symbolic links to files and folders, walking a folder reached twice once', async () => {
      // Arrange: a linked file, a linked folder, and a link back up (a cycle)
      const dir = await tempDir('in-');
      const elsewhere = await tempDir('in-elsewhere-');
      await writeFile(join(elsewhere, 'linked.ndjson'), '{}');
      await mkdir(join(dir, 'sub'));
      await writeFile(join(dir, 'sub', 'own.ndjson'), '{}');
      await symlink(join(elsewhere, 'linked.ndjson'), join(dir, 'file-link.ndjson'));
      await symlink(elsewhere, join(dir, 'folder-link'));
      await symlink(dir, join(dir, 'sub', 'up'));

      // Act
      const sources = await resolveInputs([dir]);

      // Assert
      expect(sources.map((s) => (s.kind === 'file' ? s.path.slice(dir.length + 1) : '-'))).toEqual([
        'file-link.ndjson',
        'folder-link/linked.ndjson',
        'sub/own.ndjson',
      ]);
    });

    it('refuses a broken link or a FIFO in a folder with one line naming it, instead of skipping it', async () => {
      // Arrange
      const broken = await tempDir('in-');
      await symlink(join(broken, 'gone.ndjson'), join(broken, 'dangling.ndjson'));
      const withFifo = await tempDir('in-');
      execFileSync('mkfifo', [join(withFifo, 'pipe.ndjson')]);

      // Act + Assert
      await expect(resolveInputs([broken])).rejects.toThrow(
        new UserInputError(
          `'${join(broken, 'dangling.ndjson')}' is a link to nothing (ENOENT): remove it or point it at a file`,
        ),
      );
      await expect(resolveInputs([withFifo])).rejects.toThrow(
        new UserInputError(
          `'${join(withFifo, 'pipe.ndjson')}' is neither a file nor a folder (a FIFO, socket or device): move it out of the input folder`,
        ),
      );
    });

    it('rejects an empty input list with a hint', async () => {
      // Arrange
      const inputs: string[] = [];

      // Act
      const resolving = resolveInputs(inputs);

      // Assert
      await expect(resolving).rejects.toThrow(
        new UserInputError('no input given; pass NDJSON files, .gz files, folders, s3://bucket/prefix/ or -'),
      );
    });
  });

  describe('readChunks', () => {
    it('reads concatenated gzip members through', async () => {
      // Arrange
      const dir = await tempDir('in-');
      const path = join(dir, 'two-members');
      await writeFile(path, Buffer.concat([gzipSync('{"a":1}\n'), gzipSync('{"b":2}\n')]));

      // Act
      const text = await readAll(path);

      // Assert
      expect(text).toBe('{"a":1}\n{"b":2}\n');
    });

    it('keeps multi-byte characters intact across chunk boundaries', async () => {
      // Arrange
      const dir = await tempDir('in-');
      const path = join(dir, 'wide.ndjson');
      const line = `{"s":"${'é✓'.repeat(200_000)}"}\n`; // well past one 256 KiB read
      await writeFile(path, line);

      // Act
      const text = await readAll(path);

      // Assert
      expect(text).toBe(line);
    });

    it('turns truncated gzip data into a UserInputError naming the file', async () => {
      // Arrange
      const dir = await tempDir('in-');
      const path = join(dir, 'cut.gz');
      await writeFile(path, gzipSync('{"a":1}\n'.repeat(1000)).subarray(0, 40));

      // Act
      const reading = readAll(path);

      // Assert
      await expect(reading).rejects.toThrow(UserInputError);
      await expect(readAll(path)).rejects.toThrow(`cannot read '${path}': corrupt or truncated gzip data`);
    });

    it('refuses a Parquet file with a one-line error instead of failing every byte of it', async () => {
      // Arrange: a real Parquet file, as the DUE solution's Firehose wrote them.
      const dir = await tempDir('in-');
      const path = join(dir, 'due.parquet');
      await duckdbRows(`copy (select 1 as event_type) to '${path}' (format parquet)`);

      // Act
      const reading = readAll(path);

      // Assert
      await expect(reading).rejects.toThrow(UserInputError);
      await expect(readAll(path)).rejects.toThrow(`'${path}' is a Parquet file, not JSON records`);
    });

    it('reads a text of fewer than four bytes', async () => {
      // Arrange
      const dir = await tempDir('in-');
      const path = join(dir, 'tiny');
      await writeFile(path, '{}');

      // Act
      const text = await readAll(path);

      // Assert
      expect(text).toBe('{}');
    });
  });
});
