import type { InputSource, S3Source } from '../../local/src/input-reader';
import { FolderSink, type LakeObject } from '../../local/src/lake-sink';
import { markerKey, readDoneSources, sourceMarker, writeMarkers } from '../../local/src/ledger';
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
  });
});
