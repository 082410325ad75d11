import { Duration, Size } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { parseLakeConfig } from '../../infra/src/config';

describe('parseLakeConfig', () => {
  describe('defaults', () => {
    it('builds an environment-agnostic EngagementLake stack when the context is absent', () => {
      // Arrange / Act
      const settings = parseLakeConfig(undefined);
      // Assert
      expect(settings).toEqual({ stackName: 'EngagementLake', lake: {} });
    });

    it('treats empty strings and nulls as not set', () => {
      // Arrange / Act
      const settings = parseLakeConfig({ account: '', region: '', alarmEmail: '', dataExpirationDays: null });
      // Assert
      expect(settings.env).toBeUndefined();
      expect(settings.lake.alarmEmail).toBeUndefined();
      expect(settings.lake.dataExpiration).toBeUndefined();
    });
  });

  describe('mapping', () => {
    it('maps days, seconds and gigabytes to durations and sizes', () => {
      // Arrange / Act
      const { lake } = parseLakeConfig({
        dataTransitionAfterDays: 60,
        errorExpirationDays: 90,
        bufferingIntervalSeconds: 300,
        athenaBytesScannedCutoffPerQueryGb: 5,
      });
      // Assert
      expect(lake.dataTransitionAfter?.toDays()).toBe(60);
      expect(lake.errorExpiration?.toDays()).toBe(90);
      expect(lake.bufferingInterval?.toSeconds()).toBe(Duration.minutes(5).toSeconds());
      expect(lake.athenaBytesScannedCutoffPerQuery?.toBytes()).toBe(Size.gibibytes(5).toBytes());
    });

    it('maps GLACIER_IR to Glacier Instant Retrieval', () => {
      // Arrange / Act
      const { lake } = parseLakeConfig({ dataStorageClass: 'GLACIER_IR' });
      // Assert
      expect(lake.dataStorageClass).toBe(s3.StorageClass.GLACIER_INSTANT_RETRIEVAL);
    });

    it('maps the sources and the alarm email', () => {
      // Arrange / Act
      const { lake } = parseLakeConfig({
        sesConfigurationSets: ['marketing'],
        smsVoiceConfigurationSets: ['alerts'],
        pinpointApplicationIds: ['abc'],
        forwardDefaultBusEvents: true,
        alarmEmail: 'ops@example.com',
      });
      // Assert
      expect(lake).toEqual(
        expect.objectContaining({
          sesConfigurationSetNames: ['marketing'],
          smsVoiceConfigurationSetNames: ['alerts'],
          pinpointApplicationIds: ['abc'],
          forwardDefaultBusEvents: true,
          alarmEmail: 'ops@example.com',
        }),
      );
    });

    it('accepts the object as a JSON string from cdk -c', () => {
      // Arrange / Act
      const settings = parseLakeConfig('{"stackName":"LakeEu","region":"eu-west-1"}');
      // Assert
      expect(settings.stackName).toBe('LakeEu');
      expect(settings.env).toEqual({ account: undefined, region: 'eu-west-1' });
    });

    it('sets the stack environment from account and region', () => {
      // Arrange / Act
      const settings = parseLakeConfig({ account: '111122223333', region: 'eu-west-1', stackName: 'LakeEu' });
      // Assert
      expect(settings.env).toEqual({ account: '111122223333', region: 'eu-west-1' });
      expect(settings.stackName).toBe('LakeEu');
    });

    it('creates a stream for kinesisSource new', () => {
      // Arrange / Act
      const settings = parseLakeConfig({ kinesisSource: 'new' });
      // Assert
      expect(settings.lake.createSourceStream).toBe(true);
      expect(settings.sourceStreamArn).toBeUndefined();
    });

    it('imports the stream for a kinesisSource ARN', () => {
      // Arrange
      const arn = 'arn:aws:kinesis:eu-west-1:111122223333:stream/app-events';
      // Act
      const settings = parseLakeConfig({ kinesisSource: arn });
      // Assert
      expect(settings.sourceStreamArn).toBe(arn);
      expect(settings.lake.createSourceStream).toBe(false);
    });
  });

  describe('validation', () => {
    it('refuses an unknown key', () => {
      // Arrange / Act
      const parse = () => parseLakeConfig({ alarmMail: 'x@example.com' });
      // Assert
      expect(parse).toThrow(
        /^unknown key 'alarmMail' in context 'engagementLake' \(known keys: stackName, account, region/,
      );
    });

    it('refuses a value of the wrong type', () => {
      // Arrange / Act
      const parse = () => parseLakeConfig({ errorExpirationDays: '365' });
      // Assert
      expect(parse).toThrow('\'engagementLake.errorExpirationDays\' must be a number, got "365"');
    });

    it('refuses a kinesisSource that is neither none, new nor an ARN', () => {
      // Arrange / Act
      const parse = () => parseLakeConfig({ kinesisSource: 'app-events' });
      // Assert
      expect(parse).toThrow(
        "'engagementLake.kinesisSource' must be 'none', 'new' or a Kinesis stream ARN, got 'app-events'",
      );
    });

    it('refuses an archive storage class', () => {
      // Arrange / Act
      const parse = () => parseLakeConfig({ dataStorageClass: 'DEEP_ARCHIVE' });
      // Assert
      expect(parse).toThrow(
        "'engagementLake.dataStorageClass' must be INTELLIGENT_TIERING or GLACIER_IR (Athena cannot read archive classes), got 'DEEP_ARCHIVE'",
      );
    });

    it('refuses a source key without an existing source stream', () => {
      // Arrange / Act
      const parse = () =>
        parseLakeConfig({
          kinesisSource: 'new',
          kinesisSourceKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/x',
        });
      // Assert
      expect(parse).toThrow(
        "'engagementLake.kinesisSourceKeyArn' is only for an existing stream: set kinesisSource to its ARN",
      );
    });

    it('refuses a context that is not an object', () => {
      // Arrange / Act
      const parse = () => parseLakeConfig('on');
      // Assert
      expect(parse).toThrow('context \'engagementLake\' must be an object in cdk.json, got "on"');
    });
  });
});
