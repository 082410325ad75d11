import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import { EngagementLake } from '../../infra/src/engagement-lake';
import { EngagementLakeStack } from '../../infra/src/engagement-lake-stack';
import { resourcesOf, synthLake, testApp } from './lake-fixture';

const APP_ID = '0123456789abcdef0123456789abcdef';
const STREAM_ARN = 'arn:aws:kinesis:eu-west-1:111122223333:stream/app-events';

/** A principal's trust statement, for the role that the given service assumes. */
function trustOf(template: ReturnType<typeof synthLake>['template'], service: string) {
  const roles = Object.values(resourcesOf(template, 'AWS::IAM::Role')).filter((r) =>
    JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes(`"${service}"`),
  );
  expect(roles).toHaveLength(1);
  return (roles[0].Properties.AssumeRolePolicyDocument as { Statement: Record<string, unknown>[] })
    .Statement[0];
}

describe('EngagementLake sources', () => {
  describe('SES', () => {
    it('sends all ten event types of the configuration set to the delivery stream', () => {
      // Arrange
      const { template } = synthLake({ sesConfigurationSetNames: ['marketing'] });
      // Act / Assert
      template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
        ConfigurationSetName: 'marketing',
        EventDestination: {
          Name: 'engagement-lake',
          Enabled: true,
          MatchingEventTypes: [
            'send',
            'reject',
            'bounce',
            'complaint',
            'delivery',
            'open',
            'click',
            'renderingFailure',
            'deliveryDelay',
            'subscription',
          ],
          KinesisFirehoseDestination: {
            DeliveryStreamARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LakeDelivery'), 'Arn'] },
            IAMRoleARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LakeSourcesSesmarketingRole'), 'Arn'] },
          },
        },
      });
    });

    it('lets SES assume its role only for this account and configuration set', () => {
      // Arrange
      const { template } = synthLake({ sesConfigurationSetNames: ['marketing'] });
      // Act
      const trust = trustOf(template, 'ses.amazonaws.com');
      // Assert
      expect(trust.Condition).toEqual({
        StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        ArnLike: {
          'aws:SourceArn': {
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':ses:',
                { Ref: 'AWS::Region' },
                ':',
                { Ref: 'AWS::AccountId' },
                ':configuration-set/marketing',
              ],
            ],
          },
        },
      });
    });

    it('allows SES only PutRecordBatch on the delivery stream', () => {
      // Arrange
      const { template } = synthLake({ sesConfigurationSetNames: ['marketing'] });
      // Act / Assert
      template.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: Match.stringLikeRegexp('^LakeSourcesSesmarketingRole') }],
        PolicyDocument: {
          Statement: [
            {
              Action: 'firehose:PutRecordBatch',
              Effect: 'Allow',
              Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LakeDelivery'), 'Arn'] },
            },
          ],
        },
      });
    });
  });

  describe('names', () => {
    it('refuses a configuration set name with characters SES does not allow', () => {
      // Arrange
      const stack = new Stack(testApp(), 'S');
      // Act
      const build = () => new EngagementLake(stack, 'Lake', { sesConfigurationSetNames: ['my set'] });
      // Assert
      expect(build).toThrow(
        "sesConfigurationSetNames entries must be letters, digits, _ and -, at most 64, got 'my set'",
      );
    });

    it('refuses a configuration set listed twice', () => {
      // Arrange
      const stack = new Stack(testApp(), 'S');
      // Act
      const build = () =>
        new EngagementLake(stack, 'Lake', { smsVoiceConfigurationSetNames: ['alerts', 'alerts'] });
      // Assert
      expect(build).toThrow("smsVoiceConfigurationSetNames lists 'alerts' twice");
    });
  });

  describe('End User Messaging', () => {
    it('creates the configuration set with an event destination for every event type', () => {
      // Arrange
      const { template } = synthLake({ smsVoiceConfigurationSetNames: ['alerts'] });
      // Act / Assert
      template.hasResourceProperties('AWS::SMSVOICE::ConfigurationSet', {
        ConfigurationSetName: 'alerts',
        EventDestinations: [
          {
            EventDestinationName: 'engagement-lake',
            Enabled: true,
            MatchingEventTypes: ['ALL'],
            KinesisFirehoseDestination: {
              DeliveryStreamArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LakeDelivery'), 'Arn'] },
              IamRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LakeSourcesSmsVoicealertsRole'), 'Arn'] },
            },
          },
        ],
      });
    });

    it('lets End User Messaging assume its role only for this account and configuration set', () => {
      // Arrange
      const { template } = synthLake({ smsVoiceConfigurationSetNames: ['alerts'] });
      // Act
      const trust = trustOf(template, 'sms-voice.amazonaws.com');
      // Assert
      expect(trust.Condition).toEqual({
        StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        ArnLike: {
          'aws:SourceArn': {
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':sms-voice:',
                { Ref: 'AWS::Region' },
                ':',
                { Ref: 'AWS::AccountId' },
                ':configuration-set/alerts',
              ],
            ],
          },
        },
      });
    });
  });

  describe('legacy Pinpoint', () => {
    it('points the project event stream at the delivery stream', () => {
      // Arrange
      const { template } = synthLake({ pinpointApplicationIds: [APP_ID] });
      // Act / Assert
      template.hasResourceProperties('AWS::Pinpoint::EventStream', {
        ApplicationId: APP_ID,
        DestinationStreamArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LakeDelivery'), 'Arn'] },
        RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LakeSourcesPinpoint'), 'Arn'] },
      });
    });

    it('lets Pinpoint assume its role only for this account and the app ARN', () => {
      // Arrange
      const { template } = synthLake({ pinpointApplicationIds: [APP_ID] });
      // Act
      const trust = trustOf(template, 'pinpoint.amazonaws.com');
      // Assert
      expect(trust).toEqual({
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'pinpoint.amazonaws.com' },
        Condition: {
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          ArnLike: {
            'aws:SourceArn': {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  ':mobiletargeting:',
                  { Ref: 'AWS::Region' },
                  ':',
                  { Ref: 'AWS::AccountId' },
                  `:apps/${APP_ID}`,
                ],
              ],
            },
          },
        },
      });
    });

    it('allows Pinpoint only PutRecordBatch and DescribeDeliveryStream on this stream', () => {
      // Arrange
      const { template } = synthLake({ pinpointApplicationIds: [APP_ID] });
      // Act / Assert
      template.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: Match.stringLikeRegexp('^LakeSourcesPinpoint') }],
        PolicyDocument: {
          Statement: [
            {
              Action: ['firehose:PutRecordBatch', 'firehose:DescribeDeliveryStream'],
              Effect: 'Allow',
              Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LakeDelivery'), 'Arn'] },
            },
          ],
        },
      });
    });

    it('warns at synth time that Pinpoint reached end of support', () => {
      // Arrange
      const { stack } = synthLake({ pinpointApplicationIds: [APP_ID] });
      // Act
      const warnings = Annotations.fromStack(stack).findWarning(
        '*',
        Match.stringLikeRegexp('Amazon Pinpoint reached end of support on 2026-10-30'),
      );
      // Assert
      expect(warnings).toHaveLength(1);
    });

    it('does not warn when no Pinpoint project is configured', () => {
      // Arrange
      const { stack } = synthLake();
      // Act
      const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('Pinpoint'));
      // Assert
      expect(warnings).toHaveLength(0);
    });
  });

  describe('applications and EventBridge', () => {
    it('offers a managed policy that can only put records into the delivery stream', () => {
      // Arrange
      const { template } = synthLake();
      // Act / Assert
      template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
        PolicyDocument: {
          Statement: [
            {
              Action: ['firehose:PutRecord', 'firehose:PutRecordBatch'],
              Effect: 'Allow',
              Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LakeDelivery'), 'Arn'] },
            },
          ],
        },
      });
    });

    it('forwards SES and End User Messaging events from the default bus when asked', () => {
      // Arrange
      const { template } = synthLake({ forwardDefaultBusEvents: true });
      // Act / Assert
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: { source: ['aws.ses', 'aws.sms-voice'] },
        Targets: [
          {
            Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LakeDelivery'), 'Arn'] },
            Id: Match.anyValue(),
            RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LakeSourcesForwardDefaultBusRole'), 'Arn'] },
          },
        ],
      });
    });

    it('lets EventBridge assume the forwarding role only for this account and the rule', () => {
      // Arrange
      const { template } = synthLake({ forwardDefaultBusEvents: true });
      // Act
      const trust = trustOf(template, 'events.amazonaws.com');
      // Assert
      expect(trust.Condition).toEqual({
        StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        ArnLike: {
          'aws:SourceArn': {
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':events:',
                { Ref: 'AWS::Region' },
                ':',
                { Ref: 'AWS::AccountId' },
                ':rule/TestLake-forward-engagement-events',
              ],
            ],
          },
        },
      });
    });

    it('grants put access to a principal defined in CDK', () => {
      // Arrange
      const stack = new EngagementLakeStack(testApp(), 'TestLake');
      const role = new iam.Role(stack, 'Producer', {
        assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      });
      // Act
      stack.lake.grantPutEvents(role);
      // Assert
      Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: Match.stringLikeRegexp('^Producer') }],
        PolicyDocument: {
          Statement: [
            {
              Action: ['firehose:PutRecord', 'firehose:PutRecordBatch'],
              Effect: 'Allow',
              Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LakeDelivery'), 'Arn'] },
            },
          ],
        },
      });
    });

    it('adds no forwarding rule by default', () => {
      // Arrange
      const { template } = synthLake();
      // Act / Assert
      template.resourcePropertiesCountIs(
        'AWS::Events::Rule',
        { EventPattern: { source: ['aws.ses', 'aws.sms-voice'] } },
        0,
      );
    });
  });

  describe('Kinesis source', () => {
    it('reads a new encrypted on-demand stream and keeps a Direct PUT stream beside it', () => {
      // Arrange
      const { template } = synthLake({ createSourceStream: true });
      // Act
      const types = Object.values(resourcesOf(template, 'AWS::KinesisFirehose::DeliveryStream')).map(
        (s) => s.Properties.DeliveryStreamType,
      );
      // Assert
      expect(types.sort()).toEqual(['DirectPut', 'KinesisStreamAsSource']);
      template.hasResourceProperties('AWS::Kinesis::Stream', {
        StreamModeDetails: { StreamMode: 'ON_DEMAND' },
        StreamEncryption: { EncryptionType: 'KMS', KeyId: Match.anyValue() },
      });
    });

    it('shares the Lambda, bucket and table between the two delivery streams', () => {
      // Arrange
      const { template } = synthLake({ createSourceStream: true });
      // Act
      const configs = Object.values(resourcesOf(template, 'AWS::KinesisFirehose::DeliveryStream')).map(
        (s) => s.Properties.ExtendedS3DestinationConfiguration as Record<string, unknown>,
      );
      // Assert
      template.resourcePropertiesCountIs(
        'AWS::Lambda::Function',
        { Description: 'engagement-lake: flattens engagement events into rows of the events table' },
        1,
      );
      template.resourcePropertiesCountIs(
        'AWS::Glue::Table',
        { TableInput: Match.objectLike({ Name: 'events' }) },
        1,
      );
      expect(configs[0].BucketARN).toEqual(configs[1].BucketARN);
      expect(configs[0].ProcessingConfiguration).toEqual(configs[1].ProcessingConfiguration);
      expect(configs[0].DataFormatConversionConfiguration).toEqual(
        configs[1].DataFormatConversionConfiguration,
      );
    });

    it('reads an existing stream by ARN and lets Firehose read only that stream', () => {
      // Arrange
      const { template } = synthLake({}, { sourceStreamArn: STREAM_ARN });
      // Act / Assert
      template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
        DeliveryStreamType: 'KinesisStreamAsSource',
        KinesisStreamSourceConfiguration: { KinesisStreamARN: STREAM_ARN, RoleARN: Match.anyValue() },
      });
      template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: [
            {
              Action: [
                'kinesis:DescribeStream',
                'kinesis:GetShardIterator',
                'kinesis:GetRecords',
                'kinesis:ListShards',
              ],
              Effect: 'Allow',
              Resource: STREAM_ARN,
            },
          ],
        },
      });
    });

    it('lets Firehose decrypt an existing stream encrypted with a customer-managed key', () => {
      // Arrange
      const keyArn = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
      const { template } = synthLake({}, { sourceStreamArn: STREAM_ARN, sourceStreamKeyArn: keyArn });
      // Act / Assert
      template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([{ Action: 'kms:Decrypt', Effect: 'Allow', Resource: keyArn }]),
        },
      });
    });

    it('sends SES to the Direct PUT stream when the main stream reads Kinesis', () => {
      // Arrange
      const { template } = synthLake({ createSourceStream: true, sesConfigurationSetNames: ['marketing'] });
      // Act / Assert
      template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
        EventDestination: Match.objectLike({
          KinesisFirehoseDestination: Match.objectLike({
            DeliveryStreamARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LakeDirectPutDelivery'), 'Arn'] },
          }),
        }),
      });
    });

    it('points Pinpoint at the Kinesis stream with Kinesis actions when there is no Direct PUT stream', () => {
      // Arrange
      const { template } = synthLake({
        createSourceStream: true,
        directPutStream: false,
        pinpointApplicationIds: [APP_ID],
      });
      // Act / Assert
      template.resourceCountIs('AWS::KinesisFirehose::DeliveryStream', 1);
      template.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: Match.stringLikeRegexp('^LakeSourcesPinpoint') }],
        PolicyDocument: {
          Statement: [
            Match.objectLike({ Action: ['kinesis:PutRecords', 'kinesis:DescribeStream'] }),
            Match.objectLike({ Action: 'kms:GenerateDataKey' }),
          ],
        },
      });
    });

    it('refuses SES and End User Messaging without a Direct PUT stream', () => {
      // Arrange
      const stack = new Stack(testApp(), 'S');
      // Act
      const build = () =>
        new EngagementLake(stack, 'Lake', {
          createSourceStream: true,
          directPutStream: false,
          sesConfigurationSetNames: ['marketing'],
        });
      // Assert
      expect(build).toThrow(
        'SES and End User Messaging event destinations need a Direct PUT delivery stream, but the lake reads from Kinesis ' +
          'and directPutStream is false: set directPutStream to true or remove the SES/SMS configuration sets',
      );
    });

    it('refuses an existing stream together with a new one', () => {
      // Arrange
      const stack = new Stack(testApp(), 'S');
      const existing = kinesis.Stream.fromStreamArn(stack, 'Existing', STREAM_ARN);
      // Act
      const build = () =>
        new EngagementLake(stack, 'Lake', { sourceStream: existing, createSourceStream: true });
      // Assert
      expect(build).toThrow('Set either sourceStream or createSourceStream, not both');
    });
  });
});
