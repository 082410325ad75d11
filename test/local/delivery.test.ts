import { generateEvents } from '../../local/src/generate';
import { LakeDelivery } from '../../local/src/delivery';
import { FolderSink } from '../../local/src/lake-sink';
import { defaultTransform } from '../../local/src/local-transform';
import { tempDir } from './helpers';

const NOW = Date.parse('2026-11-28T12:00:00Z');

describe('LakeDelivery', () => {
  describe('lastPublishedFileSeq', () => {
    it('is 0 before any file, then the highest number among the published file names', async () => {
      // Arrange: small partition buffers, so that one run publishes several files.
      const published: string[] = [];
      const delivery = new LakeDelivery({
        sink: new FolderSink(await tempDir('delivery-')),
        runId: 'run1',
        runStartedAt: NOW,
        transform: defaultTransform(),
        bufferLimits: { maxRowsPerPartition: 20, maxBytesPerPartition: 1 << 20, maxTotalBytes: 1 << 24 },
        onFile: (key) => published.push(key),
      });
      const before = delivery.lastPublishedFileSeq;
      const lines = [...generateEvents({ events: 120, seed: 'seq', start: NOW - 86_400_000, days: 1 })];

      // Act
      await delivery.deliver(lines.map((line) => ({ data: Buffer.from(line), arrivalTime: NOW })));
      await delivery.finish();

      // Assert
      const numbers = published.map((key) => Number(/-(\d+)\.parquet$/.exec(key)![1]));
      expect(before).toBe(0);
      expect(published.length).toBeGreaterThan(1);
      expect(delivery.lastPublishedFileSeq).toBe(Math.max(...numbers));
    });
  });
});
