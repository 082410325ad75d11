import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { EngagementLake } from '../../infra/src/engagement-lake';
import { synthLake, testApp } from './lake-fixture';
import { Stack } from 'aws-cdk-lib';

/** The lifecycle rules of the data bucket (the one with SSE-KMS). */
function dataBucketRules(template: ReturnType<typeof synthLake>['template']): Record<string, unknown>[] {
  const buckets = template.findResources('AWS::S3::Bucket', {
    Properties: { VersioningConfiguration: { Status: 'Enabled' } },
  });
  const [bucket] = Object.values(buckets) as {
    Properties: { LifecycleConfiguration: { Rules: Record<string, unknown>[] } };
  }[];
  return bucket.Properties.LifecycleConfiguration.Rules;
}

function rule(template: ReturnType<typeof synthLake>['template'], id: string): Record<string, unknown> {
  const found = dataBucketRules(template).find((r) => r.Id === id);
  if (!found) throw new Error(`no lifecycle rule ${id}`);
  return found;
}

describe('EngagementLake storage', () => {
  describe('KMS key', () => {
    it('rotates the key', () => {
      // Arrange
      const { template } = synthLake();
      // Act / Assert
      template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    });

    it('lets CloudWatch and EventBridge use the key for the encrypted topic, only for this account', () => {
      // Arrange
      const { template } = synthLake();
      // Act / Assert
      template.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
              Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
            }),
            Match.objectLike({ Principal: { Service: 'events.amazonaws.com' } }),
          ]),
        },
      });
    });
  });

  describe('data bucket', () => {
    it('encrypts with SSE-KMS under the lake key', () => {
      // Arrange
      const { template } = synthLake();
      // Act / Assert
      template.hasResourceProperties('AWS::S3::Bucket', {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            Match.objectLike({
              ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() },
              BucketKeyEnabled: true,
            }),
          ],
        },
        VersioningConfiguration: { Status: 'Enabled' },
      });
    });

    it('blocks every kind of public access on both buckets', () => {
      // Arrange
      const { template } = synthLake();
      // Act
      const buckets = Object.values(template.findResources('AWS::S3::Bucket'));
      // Assert
      expect(buckets).toHaveLength(2);
      for (const bucket of buckets) {
        expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        });
      }
    });

    it('denies requests without TLS on both buckets', () => {
      // Arrange
      const { template } = synthLake();
      // Act
      const policies = Object.values(template.findResources('AWS::S3::BucketPolicy'));
      // Assert
      expect(policies).toHaveLength(2);
      for (const policy of policies) {
        expect(policy.Properties.PolicyDocument.Statement).toEqual(
          expect.arrayContaining([
            expect.objectContaining({
              Effect: 'Deny',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        );
      }
    });

    it('writes server access logs to the logs bucket', () => {
      // Arrange
      const { template } = synthLake();
      // Act / Assert
      template.hasResourceProperties('AWS::S3::Bucket', {
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: 'data-bucket/' },
      });
    });

    it('sends object-created events to EventBridge natively, without a notifications Lambda', () => {
      // Arrange
      const { template } = synthLake();
      // Act / Assert
      template.hasResourceProperties('AWS::S3::Bucket', {
        NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
      });
      template.resourceCountIs('Custom::S3BucketNotifications', 0);
    });

    it('retains the bucket and the key when the stack is deleted by default', () => {
      // Arrange
      const { template } = synthLake();
      // Act / Assert
      template.hasResource('AWS::S3::Bucket', {
        DeletionPolicy: 'Retain',
        Properties: { VersioningConfiguration: Match.anyValue() },
      });
      template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
    });
  });

  describe('removal', () => {
    it('empties and deletes the buckets and schedules the key for deletion when asked to destroy', () => {
      // Arrange
      const { template } = synthLake({ removalPolicy: RemovalPolicy.DESTROY });
      // Act / Assert
      template.resourceCountIs('Custom::S3AutoDeleteObjects', 2);
      template.hasResource('AWS::KMS::Key', {
        DeletionPolicy: 'Delete',
        Properties: Match.objectLike({ PendingWindowInDays: 7 }),
      });
    });
  });

  describe('lifecycle', () => {
    it('moves events to Intelligent-Tiering after 30 days and keeps them forever by default', () => {
      // Arrange
      const { template } = synthLake();
      // Act
      const events = rule(template, 'events-transition');
      // Assert
      expect(events).toEqual({
        Id: 'events-transition',
        Prefix: 'events/',
        Status: 'Enabled',
        Transitions: [{ StorageClass: 'INTELLIGENT_TIERING', TransitionInDays: 30 }],
      });
    });

    it('moves events to Glacier Instant Retrieval after the configured days', () => {
      // Arrange
      const { template } = synthLake({
        dataStorageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL,
        dataTransitionAfter: Duration.days(90),
      });
      // Act
      const events = rule(template, 'events-transition');
      // Assert
      expect(events.Transitions).toEqual([{ StorageClass: 'GLACIER_IR', TransitionInDays: 90 }]);
    });

    it('expires events only when dataExpiration is set', () => {
      // Arrange
      const { template } = synthLake({ dataExpiration: Duration.days(3650) });
      // Act
      const events = rule(template, 'events-transition');
      // Assert
      expect(events.ExpirationInDays).toBe(3650);
    });

    it('expires error output after 365 days by default', () => {
      // Arrange
      const { template } = synthLake();
      // Act / Assert
      expect(rule(template, 'errors-expire')).toEqual({
        Id: 'errors-expire',
        Prefix: 'errors/',
        Status: 'Enabled',
        ExpirationInDays: 365,
      });
    });

    it('expires error output after the configured time', () => {
      // Arrange
      const { template } = synthLake({ errorExpiration: Duration.days(30) });
      // Act / Assert
      expect(rule(template, 'errors-expire').ExpirationInDays).toBe(30);
    });

    it.each(['hash', 'drop'] as const)(
      'expires error output, the last copy of personal data, after 30 days by default with pii %s',
      (pii) => {
        // Arrange
        const { template } = synthLake({ pii });
        // Act / Assert
        expect(rule(template, 'errors-expire')).toMatchObject({ Prefix: 'errors/', ExpirationInDays: 30 });
        expect(
          rule(synthLake({ pii, errorExpiration: Duration.days(7) }).template, 'errors-expire')
            .ExpirationInDays,
        ).toBe(7);
      },
    );

    it('expires non-current versions after 30 days (the erasure window)', () => {
      // Arrange
      const { template } = synthLake();
      // Act
      const noncurrent = rule(template, 'noncurrent-versions-expire');
      // Assert
      expect(noncurrent.NoncurrentVersionExpiration).toEqual({ NoncurrentDays: 30 });
      expect(noncurrent.ExpiredObjectDeleteMarker).toBe(true);
    });

    it('expires Athena results in their own prefix', () => {
      // Arrange
      const { template } = synthLake({ athenaResultsExpiration: Duration.days(7) });
      // Act / Assert
      expect(rule(template, 'athena-results-expire')).toEqual({
        Id: 'athena-results-expire',
        Prefix: 'athena-results/',
        Status: 'Enabled',
        ExpirationInDays: 7,
      });
    });

    it('never transitions to an archive class', () => {
      // Arrange
      const { template } = synthLake();
      // Act
      const classes = dataBucketRules(template).flatMap((r) =>
        ((r.Transitions as { StorageClass: string }[] | undefined) ?? []).map((t) => t.StorageClass),
      );
      // Assert
      expect(classes).not.toContain('GLACIER');
      expect(classes).not.toContain('DEEP_ARCHIVE');
    });
  });

  describe('validation', () => {
    it('refuses an archive storage class', () => {
      // Arrange
      const stack = new Stack(testApp(), 'S');
      // Act
      const build = () =>
        new EngagementLake(stack, 'Lake', { dataStorageClass: s3.StorageClass.DEEP_ARCHIVE });
      // Assert
      expect(build).toThrow(
        "dataStorageClass must be INTELLIGENT_TIERING or GLACIER_IR (Athena cannot read archive classes), got 'DEEP_ARCHIVE'",
      );
    });

    it('refuses a data expiration earlier than the transition', () => {
      // Arrange
      const stack = new Stack(testApp(), 'S');
      // Act
      const build = () => new EngagementLake(stack, 'Lake', { dataExpiration: Duration.days(10) });
      // Assert
      expect(build).toThrow('dataExpiration (10 days) must be later than dataTransitionAfter (30 days)');
    });

    it('refuses a non-current version expiration under one day', () => {
      // Arrange
      const stack = new Stack(testApp(), 'S');
      // Act
      const build = () =>
        new EngagementLake(stack, 'Lake', { noncurrentVersionExpiration: Duration.hours(1) });
      // Assert
      expect(build).toThrow(
        'noncurrentVersionExpiration must be a whole number of days, at least 1, got 1 hour',
      );
    });
  });
});
