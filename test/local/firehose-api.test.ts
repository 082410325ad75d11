import { handleApiCall, type ApiContext } from '../../local/src/firehose-api';

function context(capacity = Infinity, allowedStreams?: string[]): ApiContext {
  let used = 0;
  let id = 0;
  return {
    newRecordId: () => `id-${++id}`,
    tryAccept: (bytes) => (used + bytes <= capacity ? ((used += bytes), true) : false),
    createdAt: 0,
    streams: new Set(),
    allowedStreams: allowedStreams && new Set(allowedStreams),
  };
}

const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('handleApiCall', () => {
  describe('errors', () => {
    it('answers an unknown target with UnknownOperationException', () => {
      // Arrange
      const target = 'Firehose_20150804.DeleteDeliveryStream';

      // Act
      const outcome = handleApiCall(target, '{}', context());

      // Assert
      expect(outcome).toEqual({
        status: 400,
        body: { __type: 'UnknownOperationException', message: `unknown operation: ${target}` },
        accepted: [],
      });
    });

    it('answers a body that is not JSON with SerializationException', () => {
      // Arrange
      const body = '{"DeliveryStreamName":';

      // Act
      const outcome = handleApiCall('Firehose_20150804.PutRecord', body, context());

      // Assert
      expect(outcome.status).toBe(400);
      expect(outcome.body).toEqual({
        __type: 'SerializationException',
        message: 'the request body is not valid JSON',
      });
    });

    it('rejects a batch over 4 MiB in total with ValidationException and accepts nothing', () => {
      // Arrange: five records of 900 KiB are each legal, 4.4 MiB together.
      const record = { Data: Buffer.alloc(900 * 1024, 0x61).toString('base64') };
      const body = JSON.stringify({ DeliveryStreamName: 's', Records: Array(5).fill(record) });

      // Act
      const outcome = handleApiCall('Firehose_20150804.PutRecordBatch', body, context());

      // Assert
      expect(outcome.status).toBe(400);
      expect(outcome.body).toMatchObject({ __type: 'ValidationException' });
      expect(outcome.accepted).toEqual([]);
    });

    it('requires a valid delivery stream name', () => {
      // Arrange
      const body = JSON.stringify({ Record: { Data: b64('{}') } });

      // Act
      const outcome = handleApiCall('Firehose_20150804.PutRecord', body, context());

      // Assert
      expect(outcome.body).toEqual({
        __type: 'ValidationException',
        message:
          "1 validation error detected: Value null at 'deliveryStreamName' failed to satisfy constraint: Member must not be null",
      });
    });
  });

  describe('PutRecordBatch', () => {
    it('accepts records up to exactly 1,000 KiB and returns one response per record, in order', () => {
      // Arrange
      const max = { Data: Buffer.alloc(1000 * 1024, 0x61).toString('base64') };
      const body = JSON.stringify({ DeliveryStreamName: 's', Records: [{ Data: b64('{"a":1}') }, max] });

      // Act
      const outcome = handleApiCall('Firehose_20150804.PutRecordBatch', body, context());

      // Assert
      expect(outcome.body).toEqual({
        FailedPutCount: 0,
        Encrypted: false,
        RequestResponses: [{ RecordId: 'id-1' }, { RecordId: 'id-2' }],
      });
      expect(outcome.accepted.map((b) => b.byteLength)).toEqual([7, 1000 * 1024]);
    });
  });

  describe('delivery streams named by the context', () => {
    const named = ['events', 'audit'];
    const typo = 'event';
    const requests: [string, string][] = [
      ['PutRecord', JSON.stringify({ DeliveryStreamName: typo, Record: { Data: b64('{}') } })],
      ['PutRecordBatch', JSON.stringify({ DeliveryStreamName: typo, Records: [{ Data: b64('{}') }] })],
      ['DescribeDeliveryStream', JSON.stringify({ DeliveryStreamName: typo })],
    ];

    it.each(requests)(
      'answers %s for another name with ResourceNotFoundException, as AWS does',
      (operation, body) => {
        // Arrange
        const ctx = context(Infinity, named);
        const tryAccept = jest.spyOn(ctx, 'tryAccept');

        // Act
        const outcome = handleApiCall(`Firehose_20150804.${operation}`, body, ctx);

        // Assert
        expect(outcome).toEqual({
          status: 400,
          body: {
            __type: 'ResourceNotFoundException',
            message: `Firehose ${typo} under account 000000000000 not found.`,
          },
          accepted: [],
        });
        expect(tryAccept).not.toHaveBeenCalled();
        expect(ctx.streams.has(typo)).toBe(false);
      },
    );

    it('accepts records for a named stream', () => {
      // Arrange
      const ctx = context(Infinity, named);
      const data = '{"a":1}';
      const body = JSON.stringify({ DeliveryStreamName: named[0], Records: [{ Data: b64(data) }] });

      // Act
      const outcome = handleApiCall('Firehose_20150804.PutRecordBatch', body, ctx);

      // Assert
      expect(outcome.status).toBe(200);
      expect(outcome.body).toMatchObject({ FailedPutCount: 0 });
      expect(outcome.accepted).toEqual([Buffer.from(data)]);
    });

    it('lists exactly the named streams, in alphabetical order, whether used or not', () => {
      // Arrange
      const ctx = context(Infinity, named);
      handleApiCall('Firehose_20150804.PutRecord', requests[0][1], ctx); // rejected: not listed

      // Act
      const outcome = handleApiCall('Firehose_20150804.ListDeliveryStreams', '{}', ctx);

      // Assert
      expect(outcome.body).toEqual({
        DeliveryStreamNames: [...named].sort(),
        HasMoreDeliveryStreams: false,
      });
    });

    it('accepts any valid name and lists it after its first put when the context names none', () => {
      // Arrange
      const ctx = context();

      // Act
      const put = handleApiCall('Firehose_20150804.PutRecord', requests[0][1], ctx);
      const listed = handleApiCall('Firehose_20150804.ListDeliveryStreams', '{}', ctx);

      // Assert
      expect(put.status).toBe(200);
      expect(listed.body).toEqual({ DeliveryStreamNames: [typo], HasMoreDeliveryStreams: false });
    });
  });
});
