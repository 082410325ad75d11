import { readFileSync } from 'node:fs';
import type {
  Context,
  FirehoseTransformationEvent,
  FirehoseTransformationEventRecord,
  FirehoseTransformationResult,
} from 'aws-lambda';
import { createHandler, handler } from '../../transform/handler';
import { hashPii } from '../../transform/src/pii';
import { readHandlerConfig } from '../../transform/src/handler-config';

const FIXTURES = `${__dirname}/../fixtures/firehose`;
const DOCUMENTED = '/work/shared/fixtures/documented';
/** Lambda's synchronous response limit. */
const LAMBDA_LIMIT = 6_291_456;

const request = (name: string): FirehoseTransformationEvent =>
  structuredClone(JSON.parse(readFileSync(`${FIXTURES}/${name}.json`, 'utf8')));
const documented = (file: string): string[] =>
  readFileSync(`${DOCUMENTED}/${file}.ndjson`, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
const b64 = (data: string | Buffer): string =>
  (typeof data === 'string' ? Buffer.from(data) : data).toString('base64');

function event(records: FirehoseTransformationEventRecord[]): FirehoseTransformationEvent {
  return {
    invocationId: 'a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d',
    deliveryStreamArn: 'arn:aws:firehose:us-east-1:123456789012:deliverystream/engagement-events',
    region: 'us-east-1',
    records,
  };
}
const record = (recordId: string, data: string | Buffer): FirehoseTransformationEventRecord => ({
  recordId,
  approximateArrivalTimestamp: 1764300030000,
  data: b64(data),
});

async function invoke(input: FirehoseTransformationEvent): Promise<FirehoseTransformationResult> {
  return (await handler(input, {} as Context, () => undefined)) as FirehoseTransformationResult;
}

/** The rows of an Ok result, decoded from base64 JSON lines. */
function rowsOf(data: string | undefined): Record<string, unknown>[] {
  const text = Buffer.from(data ?? '', 'base64').toString('utf8');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line));
}

let output: string[] = [];
beforeEach(() => {
  output = [];
  for (const stream of [process.stdout, process.stderr]) {
    jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      output.push(String(chunk));
      return true;
    });
  }
});
afterEach(() => jest.restoreAllMocks());

/** Every JSON line written to stdout/stderr: Powertools logs and EMF metrics. */
const jsonLines = (): Record<string, unknown>[] =>
  output
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line));
const emf = (): Record<string, unknown> => {
  const blobs = jsonLines().filter((line) => '_aws' in line);
  expect(blobs).toHaveLength(1);
  return blobs[0]!;
};

describe('handler', () => {
  describe('Kinesis-sourced request', () => {
    it('returns every recordId in order, Ok, with family and dt partition keys', async () => {
      // Arrange
      const input = request('kds-request');
      // Act
      const response = await invoke(input);
      // Assert
      expect(response.records.map((r) => r.recordId)).toEqual(input.records.map((r) => r.recordId));
      expect(response.records.map((r) => r.result)).toEqual(['Ok', 'Ok', 'Ok', 'Ok']);
      expect(response.records.map((r) => r.metadata?.partitionKeys)).toEqual([
        { family: 'app', dt: '2017-02-24' },
        { family: 'campaign', dt: '2019-07-02' },
        { family: 'sms', dt: '2019-03-20' },
        { family: 'app', dt: '2025-11-28' },
      ]);
    });

    it("takes arrival_time from the Kinesis record's approximateArrivalTimestamp when the event has none", async () => {
      // Arrange: record 3 is an app event without arrival_timestamp; Kinesis received it at 1764300001003
      const input = request('kds-request');
      // Act
      const response = await invoke(input);
      // Assert
      const [row] = rowsOf(response.records[3]!.data);
      expect(row).toMatchObject({
        event_name: 'app.custom',
        event_type: 'level_complete',
        event_time: '2025-11-28T03:20:00.000Z',
        arrival_time: '2025-11-28T03:20:01.003Z',
        endpoint_id: 'client-1',
        attributes: { level: '3' },
        metrics: { score: 1200 },
      });
    });

    it("keeps a Pinpoint event's own arrival_timestamp and writes pre-2001-safe ISO timestamps", async () => {
      // Arrange
      const input = request('kds-request');
      // Act
      const response = await invoke(input);
      // Assert: the documented _session.stop (event_timestamp 1487973802507, arrival_timestamp 1487973803515)
      const [row] = rowsOf(response.records[0]!.data);
      expect(row).toMatchObject({
        event_name: 'app.session_stop',
        event_time: '2017-02-24T22:03:22.507Z',
        arrival_time: '2017-02-24T22:03:23.515Z',
        time_source: 'event',
      });
    });
  });

  describe('Direct PUT request', () => {
    it('flattens SES and End User Messaging records, each to one row, with a base64 round trip', async () => {
      // Arrange
      const input = request('direct-put-request');
      // Act
      const response = await invoke(input);
      // Assert
      expect(response.records.map((r) => [r.recordId, r.result])).toEqual(
        input.records.map((r) => [r.recordId, 'Ok']),
      );
      const rows = response.records.map((r) => rowsOf(r.data));
      expect(rows.map((r) => r.length)).toEqual([1, 1, 1, 1, 1]);
      expect(rows.map((r) => r[0]!.event_name)).toEqual([
        'email.hard_bounce',
        'email.delivered',
        'email.send',
        'sms.delivered',
        'sms.delivered',
      ]);
      // raw is the event's own text: the original record minus SES's trailing newline
      expect(rows[2]![0]!.raw).toBe(documented('ses')[2]);
      expect(rows[3]![0]).toMatchObject({
        event_time: '2023-06-17T04:11:43.470Z',
        message_id: '862a8790-60c0-4430-9b2b-658bdexample',
        origination: '+12065550152',
        destination: '+14255550156',
      });
      expect(response.records.map((r) => r.metadata?.partitionKeys)).toEqual([
        { family: 'email', dt: '2017-08-05' },
        { family: 'email', dt: '2016-10-19' },
        { family: 'email', dt: '2016-10-14' },
        { family: 'sms', dt: '2023-06-17' },
        { family: 'sms', dt: '2024-04-24' },
      ]);
    });

    it('writes timestamps as yyyy-MM-ddTHH:mm:ss.SSSZ strings, never epoch numbers', async () => {
      // Arrange: the SES Send of 2016-10-14T05:02:16.645Z, arrived 2025-11-28T03:20:10.002Z
      const input = request('direct-put-request');
      // Act
      const response = await invoke(input);
      // Assert
      const [row] = rowsOf(response.records[2]!.data);
      expect(row!.event_time).toBe('2016-10-14T05:02:16.645Z');
      expect(row!.arrival_time).toBe('2025-11-28T03:20:10.002Z');
      expect(Object.keys(row!).every((key) => key === key.toLowerCase())).toBe(true);
    });
  });

  describe('mixed good and bad records', () => {
    it('fails only the bad records, each with its original data, and never drops one', async () => {
      // Arrange
      const input = request('mixed-request');
      const tooLarge = record('bad-too-large', documented('ses')[2]!.padEnd(1000 * 1024 + 1, ' '));
      input.records.splice(5, 0, tooLarge);
      // Act
      const response = await invoke(input);
      // Assert
      expect(response.records.map((r) => [r.recordId, r.result])).toEqual([
        ['good-ses-send', 'Ok'],
        ['bad-invalid-json', 'ProcessingFailed'],
        ['bad-json-array', 'ProcessingFailed'],
        ['bad-json-number', 'ProcessingFailed'],
        ['bad-unknown-format', 'ProcessingFailed'],
        ['bad-too-large', 'ProcessingFailed'],
        ['no-own-timestamp', 'Ok'],
        ['bad-invalid-utf8', 'ProcessingFailed'],
        ['good-eum-text', 'Ok'],
      ]);
      for (const [index, result] of response.records.entries()) {
        if (result.result === 'ProcessingFailed') {
          expect(result.data).toBe(input.records[index]!.data);
          expect(result.metadata).toBeUndefined();
        }
      }
    });

    it('logs each failure at warn with its recordId, index and reason', async () => {
      // Arrange
      const input = request('mixed-request');
      input.records.splice(5, 0, record('bad-too-large', ' '.repeat(1000 * 1024 + 1)));
      // Act
      await invoke(input);
      // Assert
      const warnings = jsonLines()
        .filter((line) => line.level === 'WARN')
        .map(({ recordId, index, reason }) => ({ recordId, index, reason }));
      expect(warnings).toEqual([
        { recordId: 'bad-invalid-json', index: 1, reason: 'invalid_json' },
        { recordId: 'bad-json-array', index: 2, reason: 'not_an_object' },
        { recordId: 'bad-json-number', index: 3, reason: 'not_an_object' },
        { recordId: 'bad-unknown-format', index: 4, reason: 'unknown_format' },
        { recordId: 'bad-too-large', index: 5, reason: 'record_too_large' },
        { recordId: 'bad-invalid-utf8', index: 7, reason: 'invalid_utf8' },
      ]);
    });

    it("falls back to Firehose's arrival time for an event without its own timestamp", async () => {
      // Arrange: the record arrived at 1764300020000 (2025-11-28T03:20:20.000Z)
      const input = request('mixed-request');
      // Act
      const response = await invoke(input);
      // Assert
      const result = response.records.find((r) => r.recordId === 'no-own-timestamp')!;
      expect(rowsOf(result.data)[0]).toMatchObject({
        event_time: '2025-11-28T03:20:20.000Z',
        time_source: 'arrival',
      });
      expect(result.metadata?.partitionKeys).toEqual({ family: 'sms', dt: '2025-11-28' });
    });

    it('fails with missing_timestamp when neither the event nor the request has a time', async () => {
      // Arrange
      const bare = {
        recordId: 'no-time',
        data: b64('{"eventType":"TEXT_DELIVERED","eventVersion":"1.0","messageId":"m"}'),
      };
      // Act
      const response = await invoke(event([bare as FirehoseTransformationEventRecord]));
      // Assert
      expect(response.records[0]!.result).toBe('ProcessingFailed');
      expect(jsonLines().find((line) => line.level === 'WARN')).toMatchObject({
        reason: 'missing_timestamp',
      });
    });
  });

  describe('several events in one record', () => {
    it('returns one Ok record with two rows when both events share a partition', async () => {
      // Arrange: the Pinpoint email open and click of 2019-08-01
      const [, , click, open] = documented('email');
      // Act
      const response = await invoke(event([record('two', `${click}\n${open}\n`)]));
      // Assert
      expect(response.records[0]).toMatchObject({
        result: 'Ok',
        metadata: { partitionKeys: { family: 'email', dt: '2019-08-01' } },
      });
      expect(rowsOf(response.records[0]!.data).map((r) => r.event_name)).toEqual([
        'email.click',
        'email.open',
      ]);
    });

    it('fails the record with mixed_partitions when the events fall on different days', async () => {
      // Arrange: SES Send (2016-10-14) and Delivery (2016-10-19), concatenated
      const [, delivery, send] = documented('ses');
      const input = event([record('mixed-days', `${send}${delivery}`)]);
      // Act
      const response = await invoke(input);
      // Assert
      expect(response.records[0]).toEqual({
        recordId: 'mixed-days',
        result: 'ProcessingFailed',
        data: input.records[0]!.data,
      });
      expect(jsonLines().find((line) => line.level === 'WARN')).toMatchObject({ reason: 'mixed_partitions' });
    });
  });

  describe('response size', () => {
    /** Documented events (whose rows are about 2.5x their size) repeated to `bytes` of input. */
    function bigBatch(bytes: number): FirehoseTransformationEvent {
      const lines = ['ses', 'email', 'end-user-messaging', 'sms'].flatMap(documented);
      const records: FirehoseTransformationEventRecord[] = [];
      for (let size = 0, i = 0; size < bytes; i++) {
        const line = lines[i % lines.length]!;
        records.push(record(`r-${i}`, line));
        size += line.length;
      }
      return event(records);
    }

    it('fails the records that would push the response past 6 MB as response_too_large, with original data', async () => {
      // Arrange: 3 MB of events; their rows would need about 7.5 MB
      const input = bigBatch(3_000_000);
      // Act
      const response = await invoke(input);
      // Assert
      const results = response.records.map((r) => r.result);
      const firstFailed = results.indexOf('ProcessingFailed');
      expect(firstFailed).toBeGreaterThan(0);
      expect(results.slice(0, firstFailed).every((r) => r === 'Ok')).toBe(true);
      expect(results.slice(firstFailed).every((r) => r === 'ProcessingFailed')).toBe(true);
      for (const [index, result] of response.records.entries()) {
        expect(result.recordId).toBe(input.records[index]!.recordId);
        if (index >= firstFailed) expect(result.data).toBe(input.records[index]!.data);
      }
      const bytes = Buffer.byteLength(JSON.stringify(response));
      expect(bytes).toBeLessThan(LAMBDA_LIMIT);
      expect(bytes).toBeGreaterThan(5_000_000);
      const reasons = new Set(
        jsonLines()
          .filter((l) => l.level === 'WARN')
          .map((l) => l.reason),
      );
      expect(reasons).toEqual(new Set(['response_too_large']));
    });

    it('fails every record with its original data when not even the first Ok record fits', async () => {
      // Arrange: 6 valid SES events of ~700 KiB each (a ~5.6 MB request); each row is about twice that
      const send = JSON.parse(documented('ses')[2]!);
      send.mail.tags.big = ['x'.repeat(700 * 1024)];
      const input = event(Array.from({ length: 6 }, (_, i) => record(`big-${i}`, JSON.stringify(send))));
      // Act
      const response = await invoke(input);
      // Assert
      expect(response.records.map((r) => r.result)).toEqual(Array(6).fill('ProcessingFailed'));
      expect(response.records.map((r) => r.data)).toEqual(input.records.map((r) => r.data));
      expect(Buffer.byteLength(JSON.stringify(response))).toBeLessThan(LAMBDA_LIMIT);
    });

    it('fits a response for a request just under 6 MB in which every record fails', async () => {
      // Arrange: records of invalid JSON filling the request to just under Lambda's limit
      const records = Array.from({ length: 4 }, (_, i) => record(`junk-${i}`, 'j'.repeat(1000 * 1024)));
      const input = event(records);
      const room = LAMBDA_LIMIT - Buffer.byteLength(JSON.stringify(input)) - 200;
      input.records.push(record('junk-last', 'j'.repeat(Math.floor((room * 3) / 4))));
      const requestBytes = Buffer.byteLength(JSON.stringify(input));
      // Act
      const response = await invoke(input);
      // Assert
      expect(requestBytes).toBeGreaterThan(LAMBDA_LIMIT - 300);
      expect(requestBytes).toBeLessThan(LAMBDA_LIMIT);
      expect(response.records.every((r) => r.result === 'ProcessingFailed')).toBe(true);
      expect(Buffer.byteLength(JSON.stringify(response))).toBeLessThan(requestBytes);
    });
  });

  describe('metrics and logs', () => {
    it('publishes one EMF blob with the batch counts and ProcessingFailedRecords', async () => {
      // Arrange
      const input = request('mixed-request');
      // Act
      await invoke(input);
      // Assert
      const blob = emf() as Record<string, unknown> & {
        _aws: { CloudWatchMetrics: { Namespace: string; Metrics: { Name: string }[] }[] };
      };
      expect(blob._aws.CloudWatchMetrics[0]!.Namespace).toBe(process.env.POWERTOOLS_METRICS_NAMESPACE);
      expect(blob.service).toBe(process.env.POWERTOOLS_SERVICE_NAME);
      expect(blob).toMatchObject({
        RecordsIn: 8,
        RecordsOk: 3,
        RecordsFailed: 5,
        ProcessingFailedRecords: 5,
        RowsOut: 3,
        RecordsFailed_invalid_json: 1,
        RecordsFailed_not_an_object: 2,
        RecordsFailed_unknown_format: 1,
        RecordsFailed_invalid_utf8: 1,
        DtFallbacks: 0,
        UnknownTypes: 0,
        CaseCollidingKeys: 0,
      });
      expect(typeof blob.FlattenDurationMs).toBe('number');
      const names = blob._aws.CloudWatchMetrics[0]!.Metrics.map((m) => m.Name);
      expect(names).toEqual(
        expect.arrayContaining(['ProcessingFailedRecords', 'FlattenDurationMs', 'RecordsIn']),
      );
    });

    it('reports ProcessingFailedRecords as 0 for a clean batch', async () => {
      // Arrange
      const input = request('direct-put-request');
      // Act
      await invoke(input);
      // Assert
      expect(emf()).toMatchObject({ RecordsIn: 5, RecordsOk: 5, ProcessingFailedRecords: 0 });
    });

    it('never writes record content to logs or metrics', async () => {
      // Arrange: a secret in failing records of every kind and in a good one
      const secret = 'hunter2-SECRET-7f3a9c';
      const send = JSON.parse(documented('ses')[2]!);
      send.mail.commonHeaders.subject = secret;
      const input = event([
        record('ok-with-secret', JSON.stringify(send)),
        record('invalid-json', `{"password":"${secret}"`),
        record('unknown', `{"password":"${secret}"}`),
        record('array', `["${secret}"]`),
        record('too-large', `{"password":"${secret}","pad":"${'p'.repeat(1000 * 1024)}"}`),
      ]);
      // Act
      const response = await invoke(input);
      // Assert
      expect(response.records.map((r) => r.result)).toEqual([
        'Ok',
        'ProcessingFailed',
        'ProcessingFailed',
        'ProcessingFailed',
        'ProcessingFailed',
      ]);
      expect(output.join('')).not.toContain(secret);
      expect(output.join('')).not.toContain(Buffer.from(secret).toString('base64').slice(0, 12));
      expect(output.join('')).toContain('invalid-json');
    });
  });

  describe('pii', () => {
    it('hash: the rows carry hashes, and neither rows nor logs the address, failed records included', async () => {
      // Arrange: the policy the Lambda would read from Secrets Manager, given directly
      const key = new TextEncoder().encode('handler-test-key-0123456789');
      const hashing = createHandler(async () => ({ mode: 'hash', key }));
      const address = 'recipient@example.com';
      const input = event([
        ...documented('ses').map((line, i) => record(`ses-${i}`, line)),
        record('bad', `{"to":"${address}"`),
      ]);
      // Act
      const response = (await hashing(input, {} as Context, () => undefined)) as FirehoseTransformationResult;
      // Assert
      const rows = response.records.filter((r) => r.result === 'Ok').flatMap((r) => rowsOf(r.data));
      expect(rows.length).toBe(documented('ses').length);
      expect(JSON.stringify(rows)).not.toContain(address);
      expect(JSON.stringify(rows)).toContain(hashPii(key, address));
      expect(output.join('')).toContain('bad');
      expect(output.join('')).not.toContain(address);
    });
  });
});

describe('readHandlerConfig', () => {
  describe('defaults and values', () => {
    it('keeps raw, starts dt at 2015-01-01 and uses the EngagementLake namespace by default', () => {
      // Arrange, Act
      const config = readHandlerConfig({});
      // Assert
      expect(config).toEqual({
        includeRaw: true,
        dtStart: '2015-01-01',
        piiMode: 'keep',
        metricsNamespace: 'EngagementLake',
        serviceName: 'engagement-lake',
      });
    });

    it('reads INCLUDE_RAW, DT_START and the Powertools namespace and service name', () => {
      // Arrange, Act
      const config = readHandlerConfig({
        INCLUDE_RAW: 'FALSE',
        DT_START: '2020-02-29',
        POWERTOOLS_METRICS_NAMESPACE: 'Lake',
        POWERTOOLS_SERVICE_NAME: 'events-transform',
        PII_MODE: 'Hash',
        PII_KEY_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:pii',
      });
      // Assert
      expect(config).toEqual({
        includeRaw: false,
        dtStart: '2020-02-29',
        piiMode: 'hash',
        piiKeySecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:pii',
        metricsNamespace: 'Lake',
        serviceName: 'events-transform',
      });
    });
  });

  describe('bad values', () => {
    it.each([
      [{ INCLUDE_RAW: 'maybe' }, "INCLUDE_RAW must be 'true' or 'false', got 'maybe'"],
      [{ DT_START: '2015-02-30' }, "DT_START must be a date like 2015-01-01 (YYYY-MM-DD), got '2015-02-30'"],
      [{ DT_START: '01/01/2015' }, "DT_START must be a date like 2015-01-01 (YYYY-MM-DD), got '01/01/2015'"],
      [{ DT_START: '2015-13-01' }, "DT_START must be a date like 2015-01-01 (YYYY-MM-DD), got '2015-13-01'"],
      [{ PII_MODE: 'mask' }, "PII_MODE must be keep, hash or drop, got 'mask'"],
    ])('rejects %j', (env, message) => {
      // Arrange, Act, Assert
      expect(() => readHandlerConfig(env)).toThrow(message);
    });
  });

  describe('at cold start', () => {
    const saved = { ...process.env };
    afterEach(() => {
      process.env = { ...saved };
    });

    it('applies INCLUDE_RAW=false to every row', async () => {
      // Arrange
      process.env.INCLUDE_RAW = 'false';
      let isolated: typeof handler | undefined;
      await jest.isolateModulesAsync(async () => {
        isolated = (await import('../../transform/handler')).handler;
      });
      // Act
      const response = (await isolated!(
        request('direct-put-request'),
        {} as Context,
        () => undefined,
      )) as FirehoseTransformationResult;
      // Assert
      expect(response.records.flatMap((r) => rowsOf(r.data)).map((row) => row.raw)).toEqual(
        Array(5).fill(undefined),
      );
    });

    it('fails to load with a clear error when DT_START is bad', async () => {
      // Arrange
      process.env.DT_START = 'yesterday';
      // Act, Assert
      await expect(
        jest.isolateModulesAsync(async () => {
          await import('../../transform/handler');
        }),
      ).rejects.toThrow("DT_START must be a date like 2015-01-01 (YYYY-MM-DD), got 'yesterday'");
    });
  });
});
