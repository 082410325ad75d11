import { Duration, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { EngagementLake } from '../../infra/src/engagement-lake';
import { resourcesOf, synthLake, testApp } from './lake-fixture';

type S3Config = Record<string, unknown> & {
  ProcessingConfiguration: {
    Processors: { Type: string; Parameters: { ParameterName: string; ParameterValue: unknown }[] }[];
  };
};

/** The ExtendedS3DestinationConfiguration of the only delivery stream. */
function s3Config(lake = {}): S3Config {
  const { template } = synthLake(lake);
  const streams = Object.values(resourcesOf(template, 'AWS::KinesisFirehose::DeliveryStream'));
  expect(streams).toHaveLength(1);
  return streams[0].Properties.ExtendedS3DestinationConfiguration as S3Config;
}

describe('EngagementLake delivery', () => {
  describe('delivery stream', () => {
    it('accepts Direct PUT by default, encrypted with the lake key', () => {
      // Arrange
      const { template } = synthLake();
      // Act / Assert
      template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
        DeliveryStreamType: 'DirectPut',
        DeliveryStreamEncryptionConfigurationInput: {
          KeyType: 'CUSTOMER_MANAGED_CMK',
          KeyARN: Match.anyValue(),
        },
      });
    });

    it('de-aggregates JSON records before the Lambda', () => {
      // Arrange / Act
      const processors = s3Config().ProcessingConfiguration.Processors;
      // Assert
      expect(processors.map((p) => p.Type)).toEqual(['RecordDeAggregation', 'Lambda']);
      expect(processors[0].Parameters).toEqual([{ ParameterName: 'SubRecordType', ParameterValue: 'JSON' }]);
    });

    it('invokes the Lambda with a 1 MB, 60 s buffer and 3 retries', () => {
      // Arrange / Act
      const lambda = s3Config().ProcessingConfiguration.Processors[1];
      const parameter = (name: string) =>
        lambda.Parameters.find((p) => p.ParameterName === name)?.ParameterValue;
      // Assert
      expect(parameter('BufferSizeInMBs')).toBe('1');
      expect(parameter('BufferIntervalInSeconds')).toBe('60');
      expect(parameter('NumberOfRetries')).toBe('3');
    });

    it('partitions dynamically by the family and dt keys from the Lambda', () => {
      // Arrange / Act
      const config = s3Config();
      // Assert
      expect(config.DynamicPartitioningConfiguration).toEqual({
        Enabled: true,
        RetryOptions: { DurationInSeconds: 300 },
      });
      expect(config.Prefix).toBe(
        'events/family=!{partitionKeyFromLambda:family}/dt=!{partitionKeyFromLambda:dt}/',
      );
    });

    it('writes errors under a prefix with the error output type', () => {
      // Arrange / Act
      const config = s3Config();
      // Assert
      expect(config.ErrorOutputPrefix).toBe(
        'errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd/HH}/',
      );
    });

    it('converts to Snappy Parquet with dictionary compression and the .parquet extension', () => {
      // Arrange / Act
      const config = s3Config();
      // Assert
      expect(config.FileExtension).toBe('.parquet');
      expect(config).toEqual(
        expect.objectContaining({
          DataFormatConversionConfiguration: expect.objectContaining({
            Enabled: true,
            OutputFormatConfiguration: {
              Serializer: { ParquetSerDe: { Compression: 'SNAPPY', EnableDictionaryCompression: true } },
            },
          }),
        }),
      );
    });

    it('reads JSON with the OpenX deserializer, case-sensitive so map keys keep their case', () => {
      // Arrange / Act
      const config = s3Config() as unknown as {
        DataFormatConversionConfiguration: {
          InputFormatConfiguration: unknown;
          SchemaConfiguration: Record<string, unknown>;
        };
      };
      // Assert
      expect(config.DataFormatConversionConfiguration.InputFormatConfiguration).toEqual({
        Deserializer: { OpenXJsonSerDe: { CaseInsensitive: false } },
      });
      expect(config.DataFormatConversionConfiguration.SchemaConfiguration).toEqual(
        expect.objectContaining({
          VersionId: 'LATEST',
          TableName: expect.anything(),
          DatabaseName: expect.anything(),
        }),
      );
    });

    it('buffers 128 MiB and 900 seconds by default', () => {
      // Arrange / Act
      const config = s3Config();
      // Assert
      expect(config.BufferingHints).toEqual({ SizeInMBs: 128, IntervalInSeconds: 900 });
    });

    it('uses the configured buffering interval', () => {
      // Arrange / Act
      const config = s3Config({ bufferingInterval: Duration.seconds(120) });
      // Assert
      expect(config.BufferingHints).toEqual({ SizeInMBs: 128, IntervalInSeconds: 120 });
    });

    it('logs delivery errors to CloudWatch', () => {
      // Arrange / Act
      const config = s3Config();
      // Assert
      expect(config.CloudWatchLoggingOptions).toEqual(
        expect.objectContaining({
          Enabled: true,
          LogGroupName: expect.anything(),
          LogStreamName: expect.anything(),
        }),
      );
    });

    it('refuses a buffering interval under 60 seconds', () => {
      // Arrange
      const stack = new Stack(testApp(), 'S');
      // Act
      const build = () => new EngagementLake(stack, 'Lake', { bufferingInterval: Duration.seconds(30) });
      // Assert
      expect(build).toThrow(
        'bufferingInterval must be between 60 and 900 seconds (dynamic partitioning needs at least 60), got 30',
      );
    });
  });

  describe('destination role', () => {
    it('grants only the documented S3, KMS, Glue and Lambda actions', () => {
      // Arrange
      const { template } = synthLake();
      // Act
      const policies = Object.values(resourcesOf(template, 'AWS::IAM::Policy')).filter((p) =>
        (p.Properties.PolicyName as string).startsWith('LakeFirehoseDestinationRolePolicy'),
      );
      const statements = policies.flatMap(
        (p) => (p.Properties.PolicyDocument as { Statement: { Action: string | string[] }[] }).Statement,
      );
      const actions = statements.flatMap((s) => [s.Action].flat()).sort();
      // Assert
      expect(actions).toEqual(
        [
          'glue:GetTable',
          'glue:GetTableVersion',
          'glue:GetTableVersions',
          'kms:Decrypt',
          'kms:GenerateDataKey',
          'lambda:GetFunctionConfiguration',
          'lambda:InvokeFunction',
          'logs:PutLogEvents',
          's3:AbortMultipartUpload',
          's3:GetBucketLocation',
          's3:GetObject',
          's3:ListBucket',
          's3:ListBucketMultipartUploads',
          's3:PutObject',
        ].sort(),
      );
    });

    it('trusts Firehose only on behalf of this account', () => {
      // Arrange
      const { template } = synthLake();
      // Act / Assert
      template.hasResourceProperties('AWS::IAM::Role', {
        Description: 'engagement-lake delivery: invoke the transform, read the schema, write Parquet to S3',
        AssumeRolePolicyDocument: {
          Statement: [
            {
              Action: 'sts:AssumeRole',
              Effect: 'Allow',
              Principal: { Service: 'firehose.amazonaws.com' },
              Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
            },
          ],
        },
      });
    });

    it('creates the delivery stream after its policies', () => {
      // Arrange
      const { template } = synthLake();
      // Act
      const [stream] = Object.values(template.findResources('AWS::KinesisFirehose::DeliveryStream')) as {
        DependsOn: string[];
      }[];
      // Assert
      expect(stream.DependsOn.some((id) => id.startsWith('LakeFirehoseDestinationRolePolicy'))).toBe(true);
    });
  });

  describe('transform Lambda', () => {
    it('runs Node.js 22 on arm64', () => {
      // Arrange
      const { template } = synthLake();
      // Act / Assert
      template.hasResourceProperties('AWS::Lambda::Function', {
        Description: 'engagement-lake: flattens engagement events into rows of the events table',
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
      });
    });

    it('passes the Powertools names, INCLUDE_RAW, DT_START and a 64 MiB semi-space for V8', () => {
      // Arrange
      const { template } = synthLake({ includeRaw: false, dtStart: '2020-06-01' });
      // Act / Assert
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: {
            NODE_OPTIONS: '--max-semi-space-size=64',
            POWERTOOLS_SERVICE_NAME: 'engagement-lake-transform',
            POWERTOOLS_METRICS_NAMESPACE: 'EngagementLake',
            INCLUDE_RAW: 'false',
            DT_START: '2020-06-01',
          },
        },
      });
    });

    it('keeps raw and starts dt at 2015-01-01 by default', () => {
      // Arrange
      const { template } = synthLake();
      // Act / Assert
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ INCLUDE_RAW: 'true', DT_START: '2015-01-01' }) },
      });
    });

    it('times out well inside the 5 minutes Firehose waits', () => {
      // Arrange
      const { template } = synthLake();
      // Act / Assert
      template.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: 'nodejs22.x',
        Timeout: 120,
        MemorySize: 1024,
      });
    });
  });
});
