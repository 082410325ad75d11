import { PartitionBuffer } from '../../local/src/partition-buffer';

/** A one-row chunk whose size is its text's length. */
const row = (text: string) => ({ rows: 1, bytes: text.length, text });

const EMAIL = { family: 'email', dt: '2026-11-28' } as const;
const SMS = { family: 'sms', dt: '2026-11-28' } as const;

describe('PartitionBuffer', () => {
  describe('add', () => {
    it('hands a partition back once it reaches its row threshold', () => {
      // Arrange
      const buffer = new PartitionBuffer({
        maxRowsPerPartition: 2,
        maxBytesPerPartition: 1e9,
        maxTotalBytes: 1e9,
      });

      // Act
      const first = buffer.add(EMAIL, row('{"a":1}'));
      const second = buffer.add(EMAIL, row('{"a":2}'));

      // Assert
      expect(first).toEqual([]);
      expect(second).toEqual([
        { partition: EMAIL, chunks: [row('{"a":1}'), row('{"a":2}')], rows: 2, bytes: 14 },
      ]);
      expect(buffer.totalRows).toBe(0);
    });

    it('flushes the largest partition when the total passes the cap, keeping memory bounded', () => {
      // Arrange
      const buffer = new PartitionBuffer({
        maxRowsPerPartition: 100,
        maxBytesPerPartition: 1e9,
        maxTotalBytes: 20,
      });
      buffer.add(SMS, row('0123456789'));
      buffer.add(EMAIL, row('0123'));

      // Act
      const due = buffer.add(EMAIL, row('0123456789'));

      // Assert
      expect(due.map((d) => d.partition)).toEqual([EMAIL]);
      expect(buffer.totalBytes).toBe(10);
    });
  });

  describe('add, past the total cap', () => {
    it('flushes a partition that stopped receiving rows before the largest one', () => {
      // Arrange: SMS got its last row 3 rows ago, which counts as cold here.
      const buffer = new PartitionBuffer({
        maxRowsPerPartition: 100,
        maxBytesPerPartition: 1e9,
        maxTotalBytes: 30,
        coldAfterRows: 2,
      });
      buffer.add(SMS, row('0123456789'));
      buffer.add(EMAIL, row('0123456789'));
      buffer.add(EMAIL, row('0123456789'));

      // Act
      const due = buffer.add(EMAIL, row('0'));

      // Assert
      expect(due).toEqual([{ partition: SMS, chunks: [row('0123456789')], rows: 1, bytes: 10 }]);
      expect(buffer.totalBytes).toBe(21);
    });

    it('flushes the largest partitions when none is cold', () => {
      // Arrange
      const buffer = new PartitionBuffer({
        maxRowsPerPartition: 100,
        maxBytesPerPartition: 1e9,
        maxTotalBytes: 30,
        coldAfterRows: 10,
      });
      buffer.add(SMS, row('0123456789'));
      buffer.add(EMAIL, row('0123456789'));
      buffer.add(EMAIL, row('0123456789'));

      // Act
      const due = buffer.add(EMAIL, row('0'));

      // Assert
      expect(due.map((d) => d.partition)).toEqual([EMAIL]);
      expect(buffer.totalBytes).toBe(10);
    });

    it('keeps flushing until the total is down to the low-water mark', () => {
      // Arrange
      const buffer = new PartitionBuffer({
        maxRowsPerPartition: 100,
        maxBytesPerPartition: 1e9,
        maxTotalBytes: 20,
        lowWaterBytes: 5,
      });
      buffer.add(SMS, row('0123456789'));
      buffer.add(EMAIL, row('01234567'));

      // Act
      const due = buffer.add(EMAIL, row('012'));

      // Assert: EMAIL (11) first as the largest, then SMS (10), since 10 is still above 5.
      expect(due.map((d) => [d.partition.family, d.bytes])).toEqual([
        ['email', 11],
        ['sms', 10],
      ]);
      expect(buffer.totalBytes).toBe(0);
      expect(buffer.totalRows).toBe(0);
    });
  });

  describe('add, with chunks of many rows', () => {
    it('counts a chunk’s rows towards the partition’s row threshold and the cold clock', () => {
      // Arrange: SMS's only chunk came 5 rows ago (one chunk of 5 EMAIL rows), so it is cold.
      const buffer = new PartitionBuffer({
        maxRowsPerPartition: 8,
        maxBytesPerPartition: 1e9,
        maxTotalBytes: 25,
        coldAfterRows: 5,
      });
      buffer.add(SMS, { rows: 3, bytes: 10 });
      buffer.add(EMAIL, { rows: 5, bytes: 12 });

      // Act
      const cold = buffer.add(EMAIL, { rows: 1, bytes: 4 });
      const full = buffer.add(EMAIL, { rows: 2, bytes: 1 });

      // Assert
      expect(cold.map((d) => [d.partition.family, d.rows, d.bytes])).toEqual([['sms', 3, 10]]);
      expect(full.map((d) => [d.partition.family, d.rows, d.chunks.length])).toEqual([['email', 8, 3]]);
      expect(buffer.totalRows).toBe(0);
    });
  });

  describe('drain', () => {
    it('returns every partition in path order and empties the buffer', () => {
      // Arrange
      const buffer = new PartitionBuffer();
      buffer.add(SMS, row('x'));
      buffer.add(EMAIL, row('y'));

      // Act
      const drained = buffer.drain();

      // Assert
      expect(drained.map((d) => d.partition.family)).toEqual(['email', 'sms']);
      expect(buffer.totalRows).toBe(0);
      expect(buffer.drain()).toEqual([]);
    });
  });
});
