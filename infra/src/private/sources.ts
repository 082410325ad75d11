import { Annotations, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as pinpoint from 'aws-cdk-lib/aws-pinpoint';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as smsvoice from 'aws-cdk-lib/aws-smsvoice';
import { Construct } from 'constructs';
import type { LakeSettings } from './settings';

/** The ten SES event types, spelt as CloudFormation expects them. */
export const SES_EVENT_TYPES = [
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
] as const;

/** Where push sources write: the Direct PUT delivery stream, or the Kinesis stream when that is all there is. */
export type IngestTarget =
  | { readonly kind: 'firehose'; readonly stream: firehose.IDeliveryStream }
  | { readonly kind: 'kinesis'; readonly stream: kinesis.IStream };

/** The actions a producer (an app, EventBridge, a CDK-defined principal) needs on each kind of target. */
export const PUT_ACTIONS: Readonly<Record<IngestTarget['kind'], readonly string[]>> = {
  firehose: ['firehose:PutRecord', 'firehose:PutRecordBatch'],
  kinesis: ['kinesis:PutRecord', 'kinesis:PutRecords'],
};

/** The ARN that sources put events to. */
export function ingestTargetArn(target: IngestTarget): string {
  return target.kind === 'firehose' ? target.stream.deliveryStreamArn : target.stream.streamArn;
}

export const PINPOINT_END_OF_SUPPORT_WARNING =
  'Amazon Pinpoint reached end of support on 2026-10-30: its event streams may no longer deliver. ' +
  'Send events from SES, End User Messaging or your apps instead (see docs/deploy.md).';

export interface SourcesProps {
  readonly settings: LakeSettings;
  readonly target: IngestTarget;
}

/** The optional event sources: SES, End User Messaging, legacy Pinpoint, EventBridge, and a writer policy. */
export class Sources extends Construct {
  /** Attach to the roles or users of applications that write events to the lake directly. */
  readonly writerPolicy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: SourcesProps) {
    super(scope, id);
    const { settings, target } = props;
    this.writerPolicy = this.createWriterPolicy(target);
    if (settings.sesConfigurationSetNames.length > 0 || settings.smsVoiceConfigurationSetNames.length > 0) {
      // resolveSettings refuses this combination with a full explanation; this guards direct use.
      if (target.kind !== 'firehose')
        throw new Error('SES and End User Messaging need a Direct PUT delivery stream');
      for (const name of settings.sesConfigurationSetNames) this.addSes(name, target.stream);
      for (const name of settings.smsVoiceConfigurationSetNames) this.addSmsVoice(name, target.stream);
    }
    for (const appId of settings.pinpointApplicationIds) this.addPinpoint(appId, target);
    if (settings.pinpointApplicationIds.length > 0) {
      Annotations.of(this).addWarningV2(
        'engagement-lake:pinpoint-end-of-support',
        PINPOINT_END_OF_SUPPORT_WARNING,
      );
    }
    if (settings.forwardDefaultBusEvents) this.addEventBridgeRule(target);
  }

  private createWriterPolicy(target: IngestTarget): iam.ManagedPolicy {
    return new iam.ManagedPolicy(this, 'WriterPolicy', {
      description: 'engagement-lake: put events into the lake',
      statements: putStatements(target),
    });
  }

  private addSes(configurationSetName: string, stream: firehose.IDeliveryStream): void {
    const stack = Stack.of(this);
    const role = this.serviceRole(`Ses-${configurationSetName}`, 'ses.amazonaws.com', {
      'aws:SourceArn': stack.formatArn({
        service: 'ses',
        resource: 'configuration-set',
        resourceName: configurationSetName,
      }),
    });
    // The SES guide grants PutRecordBatch only.
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['firehose:PutRecordBatch'],
        resources: [stream.deliveryStreamArn],
      }),
    );
    const destination = new ses.CfnConfigurationSetEventDestination(
      this,
      `SesDestination-${configurationSetName}`,
      {
        configurationSetName,
        eventDestination: {
          name: 'engagement-lake',
          enabled: true,
          matchingEventTypes: [...SES_EVENT_TYPES],
          kinesisFirehoseDestination: {
            deliveryStreamArn: stream.deliveryStreamArn,
            iamRoleArn: role.roleArn,
          },
        },
      },
    );
    destination.node.addDependency(role);
  }

  private addSmsVoice(configurationSetName: string, stream: firehose.IDeliveryStream): void {
    const stack = Stack.of(this);
    const role = this.serviceRole(`SmsVoice-${configurationSetName}`, 'sms-voice.amazonaws.com', {
      'aws:SourceArn': stack.formatArn({
        service: 'sms-voice',
        resource: 'configuration-set',
        resourceName: configurationSetName,
      }),
    });
    // The End User Messaging guide grants PutRecord only.
    role.addToPolicy(
      new iam.PolicyStatement({ actions: ['firehose:PutRecord'], resources: [stream.deliveryStreamArn] }),
    );
    const configurationSet = new smsvoice.CfnConfigurationSet(this, `SmsVoice-${configurationSetName}-Set`, {
      configurationSetName,
      eventDestinations: [
        {
          eventDestinationName: 'engagement-lake',
          enabled: true,
          // ALL covers every SMS, MMS, voice and RCS event type, including ones added later.
          matchingEventTypes: ['ALL'],
          kinesisFirehoseDestination: {
            deliveryStreamArn: stream.deliveryStreamArn,
            iamRoleArn: role.roleArn,
          },
        },
      ],
    });
    configurationSet.node.addDependency(role);
  }

  private addPinpoint(applicationId: string, target: IngestTarget): void {
    const stack = Stack.of(this);
    const role = this.serviceRole(`Pinpoint-${applicationId}`, 'pinpoint.amazonaws.com', {
      'aws:SourceArn': stack.formatArn({
        service: 'mobiletargeting',
        resource: 'apps',
        resourceName: applicationId,
      }),
    });
    role.addToPolicy(
      new iam.PolicyStatement({
        actions:
          target.kind === 'firehose'
            ? ['firehose:PutRecordBatch', 'firehose:DescribeDeliveryStream']
            : ['kinesis:PutRecords', 'kinesis:DescribeStream'],
        resources: [ingestTargetArn(target)],
      }),
    );
    for (const statement of streamKeyStatements(target)) role.addToPolicy(statement);
    const eventStream = new pinpoint.CfnEventStream(this, `PinpointEventStream-${applicationId}`, {
      applicationId,
      destinationStreamArn: ingestTargetArn(target),
      roleArn: role.roleArn,
    });
    eventStream.node.addDependency(role);
    Validations.of(eventStream).acknowledge({
      id: 'CloudFormation-Validate::W3696',
      reason:
        'Deliberate legacy support; the construct adds its own end-of-support warning (engagement-lake:pinpoint-end-of-support).',
    });
  }

  private addEventBridgeRule(target: IngestTarget): void {
    const stack = Stack.of(this);
    // A fixed name lets the role's trust name the rule without a reference cycle (rule -> role -> rule).
    const ruleName = `${stack.stackName}-forward-engagement-events`.slice(0, 64);
    const rule = new events.Rule(this, 'ForwardDefaultBus', {
      ruleName,
      description: 'engagement-lake: forward SES and End User Messaging events from the default bus',
      eventPattern: { source: ['aws.ses', 'aws.sms-voice'] },
    });
    // An explicit role with exactly the put actions (the L2 targets' grants add wildcard KMS actions).
    const role = new iam.Role(this, 'ForwardDefaultBusRole', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({ service: 'events', resource: 'rule', resourceName: ruleName }),
          },
        },
      }),
      description: 'engagement-lake: lets EventBridge put events into the lake',
    });
    for (const statement of putStatements(target)) role.addToPolicy(statement);
    // The envelope is kept: the transform unwraps EventBridge events and keeps them in `raw`.
    rule.addTarget({
      bind: () => ({ id: '', arn: ingestTargetArn(target), role }),
    });
  }

  /** A role the service assumes only on behalf of this account and the given resource. */
  private serviceRole(id: string, service: string, sourceArn: { 'aws:SourceArn': string }): iam.Role {
    const account = Stack.of(this).account;
    return new iam.Role(this, `${id}-Role`, {
      assumedBy: new iam.ServicePrincipal(service, {
        conditions: { StringEquals: { 'aws:SourceAccount': account }, ArnLike: sourceArn },
      }),
      description: `engagement-lake: lets ${service} put events into the lake`,
    });
  }
}

/** Put permissions for producers (apps, EventBridge) on the ingest target. */
function putStatements(target: IngestTarget): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({ actions: [...PUT_ACTIONS[target.kind]], resources: [ingestTargetArn(target)] }),
    ...streamKeyStatements(target),
  ];
}

/** Writers into a KMS-encrypted Kinesis stream need a data key from the stream's key. */
function streamKeyStatements(target: IngestTarget): iam.PolicyStatement[] {
  if (target.kind !== 'kinesis' || !target.stream.encryptionKey) return [];
  return [
    new iam.PolicyStatement({
      actions: ['kms:GenerateDataKey'],
      resources: [target.stream.encryptionKey.keyArn],
    }),
  ];
}
