import type { InputSource, S3Source } from '../../local/src/input-reader';
import { FolderSink, type LakeObject } from '../../local/src/lake-sink';
import { markerKey, markerKeys, readDoneSources, sourceMarker, writeMarkers } from '../../local/src/ledger';
import { tempDir } from './helpers';

const s3Source = (key: string, etag = 'abc'): S3Source => ({
  kind: 's3',
  bucket: 'archive',
  key,
  size: 1,
  etag,
});

describe('ledger', () => {
  describe('markerKey', () => {
    it('gives every S3 key its own marker that a folder can hold, with the ETag in the name', () => {
      // Arrange
      const keys = ['a/b.gz', 'a//b.gz', 'a/../b.gz', 'a/./b.gz', 'a/b c%.gz', 'a/b.gz/@etag-abc.json'];

      // Act
      const markers = keys.map((key) => markerKey(s3Source(key)));

      // Assert
      expect(markers).toEqual([
        '_ingested/s3/archive/a/b.gz/@etag-abc.json',
        '_ingested/s3/archive/a/%/b.gz/@etag-abc.json',
        '_ingested/s3/archive/a/%2E%2E/b.gz/@etag-abc.json',
        '_ingested/s3/archive/a/%2E/b.gz/@etag-abc.json',
        '_ingested/s3/archive/a/b%20c%25.gz/@etag-abc.json',
        '_ingested/s3/archive/a/b.gz/%40etag-abc.json/@etag-abc.json',
      ]);
      expect(new Set(markers).size).toBe(markers.length);
    });

    it('names a local file by its absolute path, size and mtime, and stdin not at all', () => {
      // Arrange
      const sources: InputSource[] = [
        { kind: 'file', path: '/data/in/x.ndjson', size: 10, mtimeMs: 1700000000123.6 },
        { kind: 'stdin' },
      ];

      // Act
      const markers = sources.map(markerKey);

      // Assert
      expect(markers).toEqual(['_ingested/file/data/in/x.ndjson/@size-10-mtime-1700000000123.json', null]);
    });

    /** A 1,000-byte S3 key: four 199-byte folders and a 200-byte name. */
    const longKey = (last: string) =>
      `${[1, 2, 3, 4].map((n) => String(n).repeat(199)).join('/')}/${last.padEnd(200, 'x')}`;

    it('keeps a marker of a 1,000-byte S3 key or a long file name within S3 and file-system limits', () => {
      // Arrange
      const keyA = longKey('a');
      const keyB = longKey('b');
      const longName = `/data/${'é '.repeat(100)}.ndjson`; // 200 characters, 600 once URL-encoded
      const sources: InputSource[] = [
        s3Source(keyA),
        s3Source(keyB),
        { kind: 'file', path: longName, size: 1, mtimeMs: 0 },
      ];

      // Act
      const markers = sources.map((s) => markerKey(s)!);

      // Assert: room for a 300-byte lake prefix in S3's 1,024 bytes; every name under 255 bytes
      expect(Buffer.byteLength(keyA)).toBe(1000);
      for (const marker of markers) {
        expect(Buffer.byteLength(marker)).toBeLessThanOrEqual(1024 - 300);
        for (const segment of marker.split('/')) expect(Buffer.byteLength(segment)).toBeLessThan(255);
      }
      expect(new Set(markers).size).toBe(markers.length);
      expect(markers.map((m) => m.split('/').slice(0, 4).join('/'))).toEqual([
        `_ingested/s3/archive/${'1'.repeat(199)}`,
        `_ingested/s3/archive/${'1'.repeat(199)}`,
        `_ingested/file/data/${encodeURIComponent('é ').repeat(100).slice(0, 160)}@${markers[2].split('@')[1].split('/')[0]}`,
      ]);
      expect(sources.map((s) => markerKey(s))).toEqual(markers); // the same every time
    });

    it('changes no marker key that was short enough before', () => {
      // Arrange
      const sources: InputSource[] = [
        s3Source('2024/01/a.gz'),
        { kind: 'file', path: '/x/y.ndjson', size: 1 },
      ];

      // Act
      const keys = sources.map(markerKeys);

      // Assert
      expect(keys).toEqual([
        ['_ingested/s3/archive/2024/01/a.gz/@etag-abc.json'],
        ['_ingested/file/x/y.ndjson/@size-1-mtime-0.json'],
      ]);
    });
  });

  describe('readDoneSources', () => {
    it('finds the sources whose marker has the same identity, with one listing per bucket', async () => {
      // Arrange
      const sink = new FolderSink(await tempDir('ledger-'));
      const done = s3Source('2024/01/a.gz');
      const replaced = s3Source('2024/01/b.gz', 'new');
      const fresh = s3Source('2024/02/c.gz');
      const counts = { records: 1, okRecords: 1, failedRecords: 0, rows: 1 };
      await writeMarkers(sink, [
        { key: markerKey(done)!, marker: sourceMarker(done, 'RUN', 0, counts) },
        {
          key: markerKey(s3Source('2024/01/b.gz', 'old'))!,
          marker: sourceMarker(replaced, 'RUN', 0, counts),
        },
      ]);
      const listed: string[] = [];
      const list = sink.list.bind(sink);
      sink.list = (prefix: string): AsyncGenerator<LakeObject> => (listed.push(prefix), list(prefix));

      // Act
      const found = await readDoneSources(sink, [done, replaced, fresh, { kind: 'stdin' }]);

      // Assert
      expect([...found]).toEqual([done]);
      expect(listed).toEqual(['_ingested/s3/archive/2024/']);
    });

    it('still finds a marker an earlier version wrote under a long key', async () => {
      // Arrange: the unshortened key, as an S3 lake may hold it
      const sink = new FolderSink(await tempDir('ledger-'));
      const source = s3Source(`${'k'.repeat(150)}/`.repeat(5) + 'object.gz');
      const [current, legacy] = markerKeys(source);
      const counts = { records: 1, okRecords: 1, failedRecords: 0, rows: 1 };
      await writeMarkers(sink, [{ key: legacy, marker: sourceMarker(source, 'OLD', 0, counts) }]);

      // Act
      const found = await readDoneSources(sink, [source]);

      // Assert
      expect(current).not.toBe(legacy);
      expect([...found]).toEqual([source]);
    });
  });
});
