import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { BACKFILL_METRICS } from '../../infra/src/backfill/contract';
import { synthLake } from './lake-fixture';

const TOPIC = { Ref: Match.stringLikeRegexp('^LakeOperationsAlarmTopic') };

describe('EngagementLake operations', () => {
  describe('alarm topic', () => {
    it('encrypts the topic with the lake key', () => {
      // Arrange
      const { template } = synthLake();
      // Act / Assert
      template.hasResourceProperties('AWS::SNS::Topic', {
        KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LakeKey'), 'Arn'] },
      });
    });

    it('denies publishing without TLS', () => {
      // Arrange
      const { template } = synthLake();
      // Act / Assert
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    });

    it('subscribes the configured email address', () => {
      // Arrange
      const { template } = synthLake({ alarmEmail: 'ops@example.com' });
      // Act / Assert
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: 'ops@example.com',
        TopicArn: TOPIC,
      });
    });

    it('subscribes nobody by default', () => {
      // Arrange
      const { template } = synthLake();
      // Act / Assert
      template.resourceCountIs('AWS::SNS::Subscription', 0);
    });
  });

  describe('alarms', () => {
    it('alarms when the oldest record waits longer than twice the buffer plus 10 minutes', () => {
      // Arrange
      const { template } = synthLake({ bufferingInterval: Duration.seconds(300) });
      // Act / Assert
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Firehose',
        MetricName: 'DeliveryToS3.DataFreshness',
        Statistic: 'Maximum',
        Threshold: 1200,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: [TOPIC],
        OKActions: [TOPIC],
      });
    });

    it('alarms on failed deliveries to S3', () => {
      // Arrange
      const { template } = synthLake();
      // Act / Assert
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'DeliveryToS3.Success',
        Statistic: 'Minimum',
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
      });
    });

    it('alarms on failed Lambda invocations by Firehose', () => {
      // Arrange
      const { template } = synthLake();
      // Act / Assert
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ExecuteProcessing.Success',
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
      });
    });

    it('alarms on any format-conversion failure', () => {
      // Arrange
      const { template } = synthLake();
      // Act / Assert
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Firehose',
        MetricName: 'FailedConversion.Records',
        Statistic: 'Sum',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        Dimensions: [{ Name: 'DeliveryStreamName', Value: { Ref: Match.stringLikeRegexp('^LakeDelivery') } }],
      });
    });

    it('alarms when the stream exceeds its active-partition quota', () => {
      // Arrange
      const { template } = synthLake();
      // Act / Assert
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Firehose',
        MetricName: 'PartitionCountExceeded',
        Statistic: 'Maximum',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    });

    it('alarms on Lambda errors and throttles', () => {
      // Arrange
      const { template } = synthLake();
      // Act / Assert
      for (const metric of ['Errors', 'Throttles']) {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Namespace: 'AWS/Lambda',
          MetricName: metric,
          Threshold: 0,
          Dimensions: [{ Name: 'FunctionName', Value: { Ref: Match.stringLikeRegexp('^LakeTransform') } }],
        });
      }
    });

    it('alarms on ProcessingFailedRecords from the transform', () => {
      // Arrange
      const { template } = synthLake();
      // Act / Assert
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'EngagementLake',
        MetricName: 'ProcessingFailedRecords',
        Dimensions: [{ Name: 'service', Value: 'engagement-lake-transform' }],
        Statistic: 'Sum',
        Threshold: 0,
      });
    });

    it('alarms on each delivery stream when there are two', () => {
      // Arrange
      const { template } = synthLake({ createSourceStream: true });
      // Act / Assert
      template.resourcePropertiesCountIs(
        'AWS::CloudWatch::Alarm',
        { MetricName: 'FailedConversion.Records' },
        2,
      );
    });

    it('treats missing data as not breaching, so idle lakes stay quiet', () => {
      // Arrange
      const { template } = synthLake();
      // Act
      const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
      // Assert
      expect(alarms).toHaveLength(8);
      for (const alarm of alarms) expect(alarm.Properties.TreatMissingData).toBe('notBreaching');
    });

    it("notifies the topic of each object a delivery stream writes under errors/, not of ingest's or the backfill's part files", () => {
      // Arrange
      const { template } = synthLake({ createSourceStream: true });
      const streams = Object.keys(template.findResources('AWS::KinesisFirehose::DeliveryStream'));
      const [rule] = Object.values(template.findResources('AWS::Events::Rule')).filter((r) =>
        JSON.stringify(r.Properties.EventPattern).includes('aws.s3'),
      );

      // Act: each stream's matcher, with the stream's name filled in as S3 would see it.
      const pattern = rule.Properties.EventPattern;
      const matchers = (pattern.detail.object.key as { wildcard: unknown }[]).map((m) =>
        wildcardRegExp(renderJoin(m.wildcard, (id) => `${id}-name`)),
      );
      const matched = (key: string) => matchers.some((m) => m.test(key));

      // Assert
      expect(pattern).toMatchObject({
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: { bucket: { name: [{ Ref: expect.stringMatching(/^LakeDataBucket/) }] } },
      });
      expect(rule.Properties.Targets).toEqual([
        expect.objectContaining({ Arn: { Ref: expect.any(String) } }),
      ]);
      expect(streams).toHaveLength(2);
      for (const stream of streams) {
        const name = `${stream}-name`;
        expect(
          matched(
            `errors/processing-failed/2026/12/05/06/${name}-1-2026-12-05-06-10-11-0a1b2c3d-1111-2222-3333-444455556666`,
          ),
        ).toBe(true);
        expect(
          matched(
            `errors/format-conversion-failed/2026/12/05/06/${name}-3-2026-12-05-06-10-11-0a1b2c3d-1111-2222-3333-444455556666`,
          ),
        ).toBe(true);
      }
      expect(
        matched('errors/processing-failed/2019/05/01/00/part-01HZX5V1K3M2Q8R7S6T5V4W3X2-000001.ndjson'),
      ).toBe(false);
      expect(
        matched(`events/family=sms/dt=2026-12-05/${streams[0]}-name-1-2026-12-05-06-10-11-x.parquet`),
      ).toBe(false);
    });

    it('gives the backfill one alarm on the records its tasks send to the error output', () => {
      // Arrange
      const { template } = synthLake({ backfill: { archiveBucketNames: ['pinpoint-archive'] } });
      const [fn] = Object.values(template.findResources('AWS::Lambda::Function')).filter((f) =>
        String(f.Properties.Description).includes('backfills one archive object'),
      );

      // Act
      const env = fn.Properties.Environment.Variables;

      // Assert: the alarm watches what the function emits (its namespace and service).
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: env.POWERTOOLS_METRICS_NAMESPACE,
        MetricName: BACKFILL_METRICS.failedRecords,
        Dimensions: [{ Name: 'service', Value: env.POWERTOOLS_SERVICE_NAME }],
        Statistic: 'Sum',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: [TOPIC],
        OKActions: [TOPIC],
      });
    });

    it('has no backfill alarm without the backfill option', () => {
      // Arrange / Act
      const { template } = synthLake();
      // Assert
      template.resourcePropertiesCountIs(
        'AWS::CloudWatch::Alarm',
        { MetricName: BACKFILL_METRICS.failedRecords },
        0,
      );
    });
  });

  describe('outputs', () => {
    it('exports the bucket, stream, database, workgroup and topic', () => {
      // Arrange
      const { template } = synthLake();
      // Act
      const outputs = Object.keys(template.findOutputs('*'));
      // Assert
      expect(outputs).toEqual(
        expect.arrayContaining([
          'DataBucketName',
          'DeliveryStreamName',
          'GlueDatabaseName',
          'AthenaWorkGroupName',
          'AlarmTopicArn',
        ]),
      );
    });

    it('exports the Direct PUT stream and the source stream when reading Kinesis', () => {
      // Arrange
      const { template } = synthLake({ createSourceStream: true });
      // Act
      const outputs = Object.keys(template.findOutputs('*'));
      // Assert
      expect(outputs).toEqual(expect.arrayContaining(['DirectPutDeliveryStreamName', 'SourceStreamArn']));
    });
  });
});

/** A CloudFormation string (plain or `Fn::Join` of parts and `Ref`s) with each Ref named by `name`. */
function renderJoin(value: unknown, name: (logicalId: string) => string): string {
  if (typeof value === 'string') return value;
  const v = value as { 'Fn::Join'?: [string, unknown[]]; Ref?: string };
  if (v.Ref) return name(v.Ref);
  const [separator, parts] = v['Fn::Join']!;
  return parts.map((p) => renderJoin(p, name)).join(separator);
}

/** EventBridge's wildcard matching: `*` stands for any run of characters, `/` included. */
function wildcardRegExp(wildcard: string): RegExp {
  const escaped = wildcard.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`);
}
