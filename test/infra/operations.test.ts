import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
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

    it('notifies the topic of every new object under the error prefix', () => {
      // Arrange
      const { template } = synthLake();
      // Act / Assert
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: {
          source: ['aws.s3'],
          'detail-type': ['Object Created'],
          detail: {
            bucket: { name: [{ Ref: Match.stringLikeRegexp('^LakeDataBucket') }] },
            object: { key: [{ prefix: 'errors/' }] },
          },
        },
        Targets: [Match.objectLike({ Arn: TOPIC })],
      });
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
