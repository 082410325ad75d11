import { readFileSync } from 'node:fs';
import type { FirehoseTransformationEvent } from 'aws-lambda';
import { processFirehoseBatch } from '../../transform/src/firehose-batch';

const FIXTURES = `${__dirname}/../fixtures/firehose`;
const request = (name: string): FirehoseTransformationEvent =>
  structuredClone(JSON.parse(readFileSync(`${FIXTURES}/${name}.json`, 'utf8')));
const options = { includeRaw: true, dtStart: '2015-01-01', now: Date.parse('2026-11-28T12:00:00Z') };

describe('processFirehoseBatch', () => {
  describe('response size accounting', () => {
    it.each(['kds-request', 'direct-put-request', 'mixed-request'])(
      'counts the exact JSON size of the %s response',
      (name) => {
        // Arrange
        const input = request(name);
        // Act
        const { response, summary } = processFirehoseBatch(input, options);
        // Assert
        expect(summary.responseBytes).toBe(Buffer.byteLength(JSON.stringify(response)));
      },
    );

    it('keeps room for the original data of every later record under a small limit', () => {
      // Arrange: five records; the limit fits the Ok rows of about two
      const input = request('direct-put-request');
      const full = processFirehoseBatch(input, options);
      const okBytes = full.response.records.map((r) => Buffer.byteLength(JSON.stringify(r)) + 1);
      const failedBytes = input.records.map(
        (r) =>
          Buffer.byteLength(
            JSON.stringify({ recordId: r.recordId, result: 'ProcessingFailed', data: r.data }),
          ) + 1,
      );
      const limit = 14 + okBytes[0]! + okBytes[1]! + failedBytes[2]! + failedBytes[3]! + failedBytes[4]!;
      // Act
      const { response, summary } = processFirehoseBatch(input, { ...options, maxResponseBytes: limit });
      // Assert
      expect(response.records.map((r) => r.result)).toEqual([
        'Ok',
        'Ok',
        'ProcessingFailed',
        'ProcessingFailed',
        'ProcessingFailed',
      ]);
      expect(summary.failures.map((f) => [f.index, f.reason])).toEqual([
        [2, 'response_too_large'],
        [3, 'response_too_large'],
        [4, 'response_too_large'],
      ]);
      expect(Buffer.byteLength(JSON.stringify(response))).toBeLessThanOrEqual(limit);
    });
  });

  describe('malformed requests', () => {
    it('throws when the request has no records array', () => {
      // Arrange
      const input = { invocationId: 'x' } as unknown as FirehoseTransformationEvent;
      // Act, Assert
      expect(() => processFirehoseBatch(input, options)).toThrow(
        'the request is not a Firehose transformation event',
      );
    });

    it('throws when a record has no data', () => {
      // Arrange
      const input = request('kds-request');
      delete (input.records[1] as { data?: string }).data;
      // Act, Assert
      expect(() => processFirehoseBatch(input, options)).toThrow(
        "the request's record 1 has no string recordId and data",
      );
    });

    it('returns an empty response for an empty batch', () => {
      // Arrange
      const input = { ...request('kds-request'), records: [] };
      // Act
      const { response, summary } = processFirehoseBatch(input, options);
      // Assert
      expect(response).toEqual({ records: [] });
      expect(summary.responseBytes).toBe(Buffer.byteLength('{"records":[]}'));
    });
  });
});
