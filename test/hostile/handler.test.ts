import type { Context, FirehoseTransformationEvent, FirehoseTransformationResult } from 'aws-lambda';
import { hostileCases, type HostileCase } from './cases';

// Logs and metrics go to stdout; the test reads the response, not them.
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const ARRIVAL = Date.UTC(2026, 10, 28, 12);

/** The handler's answer to one Firehose batch of `records`. */
async function invoke(records: readonly Buffer[]): Promise<FirehoseTransformationResult> {
  const { handler } = await import('../../transform/handler');
  const event: FirehoseTransformationEvent = {
    invocationId: 'hostile',
    deliveryStreamArn: 'arn:aws:firehose:us-east-1:123456789012:deliverystream/events',
    region: 'us-east-1',
    records: records.map((data, index) => ({
      recordId: `r${index}`,
      approximateArrivalTimestamp: ARRIVAL,
      data: data.toString('base64'),
    })),
  };
  return (await handler(event, {} as Context, () => undefined)) as FirehoseTransformationResult;
}

/** The `raw` of every row in an Ok result's data. */
function rawsOf(data: string): string[] {
  const lines = Buffer.from(data, 'base64')
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '');
  return lines.map((line) => (JSON.parse(line) as { raw: string }).raw);
}

/** The case's bytes as a row keeps them in `raw`: UTF-8 text, less a leading byte-order mark. */
function asRaw(c: HostileCase): string {
  return c.bytes.toString('utf8').replace(/^\uFEFF/, '');
}

describe('the Firehose handler under hostile records', () => {
  const cases = hostileCases();

  it.each(cases.map((c) => [c.name, c]))(
    'answers %s with one Ok or ProcessingFailed result that keeps its bytes',
    async (_name, c) => {
      // Act
      const { records } = await invoke([c.bytes]);
      // Assert
      expect(records).toHaveLength(1);
      const [result] = records;
      expect(result.recordId).toBe('r0');
      const data = result.data ?? '';
      if (result.result === 'ProcessingFailed') {
        expect(Buffer.from(data, 'base64').equals(c.bytes)).toBe(true);
      } else {
        expect(result.result).toBe('Ok');
        expect(rawsOf(data).join('') === asRaw(c)).toBe(true);
      }
    },
  );

  it('answers a batch of every case with one result each, in order, none Dropped', async () => {
    // Arrange: the 5 MB record alone would fill the response; leave it to its own batch above
    const batch = cases.filter((c) => !c.oversized);
    // Act
    const { records } = await invoke(batch.map((c) => c.bytes));
    // Assert
    expect(records.map((r) => r.recordId)).toEqual(batch.map((_, index) => `r${index}`));
    const outcomes = records.map((r) => r.result);
    expect(
      outcomes.filter((r) => r === 'Ok').length + outcomes.filter((r) => r === 'ProcessingFailed').length,
    ).toBe(batch.length);
  });
});
