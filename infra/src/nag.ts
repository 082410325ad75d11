import { type CfnElement, type Stack, Validations } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';
import type { EngagementLake } from './engagement-lake';
import { BACKFILL_PREFIX } from './backfill/contract';
import { BACKFILL_WRITE_PREFIXES } from './private/backfill';
import { PREFIX } from './private/storage';

/**
 * Acknowledges the cdk-nag AwsSolutions findings that are deliberate, each on the narrowest
 * construct and with its reason. Anything not listed here fails `cdk synth`.
 */
export function acknowledgeNagFindings(stack: Stack, lake: EngagementLake): void {
  const ack = (scope: IConstruct, id: string, reason: string) =>
    Validations.of(scope).acknowledge({ id, reason });
  const bucketArn = `<${stack.getLogicalId(lake.bucket.node.defaultChild as CfnElement)}.Arn>`;

  const destinationRole = lake.node.findChild('FirehoseDestinationRole');
  for (const prefix of [PREFIX.events, PREFIX.errors]) {
    ack(
      destinationRole,
      `AwsSolutions-IAM5[Resource::${bucketArn}/${prefix}*]`,
      `Firehose writes objects whose keys it generates under ${prefix}; the grant is limited to that prefix.`,
    );
  }
  ack(
    lake.views,
    `AwsSolutions-IAM5[Resource::${bucketArn}/${PREFIX.athenaResults}*]`,
    `Athena writes query results under keys it generates in ${PREFIX.athenaResults}; the grant is limited to that prefix.`,
  );

  const provider = lake.views.node.findChild('Provider');
  ack(
    provider,
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    "The CDK Provider framework's own functions use the AWS managed basic execution role for their logs only.",
  );
  for (const fn of ['OnEvent', 'IsComplete'] as const) {
    const child = lake.views.node.findChild(fn) as lambda.IFunction;
    const id = stack.getLogicalId(child.node.defaultChild as CfnElement);
    ack(
      provider,
      `AwsSolutions-IAM5[Resource::<${id}.Arn>:*]`,
      'The Provider framework may invoke any version of its own handler function.',
    );
  }
  for (const fn of ['framework-isComplete', 'framework-onTimeout']) {
    const child = provider.node.findChild(fn);
    const id = stack.getLogicalId(child.node.defaultChild as CfnElement);
    ack(
      provider,
      `AwsSolutions-IAM5[Resource::<${id}.Arn>:*]`,
      'The waiter state machine may invoke any version of the framework function.',
    );
  }
  ack(
    provider,
    'AwsSolutions-IAM5[Resource::*]',
    'Step Functions log delivery (logs:CreateLogDelivery and related) does not support resource-level permissions.',
  );
  ack(
    provider,
    'AwsSolutions-SF2',
    'The view waiter runs a few polls per deployment; X-Ray traces would add cost and nothing to diagnose.',
  );

  const backfill = lake.backfill;
  if (backfill) {
    for (const name of backfill.archiveBucketNames) {
      ack(
        backfill,
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${name}/*]`,
        `The backfill function reads any object of the archive bucket ${name} that a job lists; the grant is read-only and limited to that bucket.`,
      );
    }
    for (const prefix of BACKFILL_WRITE_PREFIXES) {
      ack(
        backfill,
        `AwsSolutions-IAM5[Resource::${bucketArn}/${prefix}*]`,
        `The backfill function writes objects whose keys it derives from the archive under ${prefix}; the grant is limited to that prefix.`,
      );
    }
    ack(
      backfill,
      `AwsSolutions-IAM5[Resource::${bucketArn}/${BACKFILL_PREFIX.manifests}*]`,
      'S3 Batch Operations reads the manifest the CLI names per job; the grant is read-only and limited to the manifests prefix.',
    );
    ack(
      backfill,
      `AwsSolutions-IAM5[Resource::${bucketArn}/${BACKFILL_PREFIX.reports}*]`,
      'S3 Batch Operations writes completion reports under keys it generates per job; the grant is limited to the reports prefix.',
    );
  }

  if (lake.piiKey) {
    ack(
      lake.piiKey,
      'AwsSolutions-SMG4',
      'The HMAC key for hashing personal data is not rotated: a new key hashes the same address differently, which breaks joins between rows written before and after.',
    );
  }

  if (lake.sourceStream) {
    ack(
      lake.deliveryStream,
      'AwsSolutions-KDF1',
      'Firehose refuses server-side encryption on a Kinesis-sourced stream; the source stream is encrypted instead.',
    );
    const created = lake.node.tryFindChild('SourceStream');
    if (created) {
      ack(
        created,
        'AwsSolutions-KDS3',
        "Encrypted with the lake's customer-managed key (rotated) so one key policy governs all lake data.",
      );
    }
  }
  ack(
    stack,
    'AwsSolutions-L1',
    'Node.js 22 is the runtime the transform and the view step are built and tested for (esbuild target node22); move with the project, not per function.',
  );
  ack(
    stack,
    'CloudFormation-Validate::W7001',
    'The Firehose L2 adds a CIDR-block mapping for Redshift/Splunk destinations; the S3 destination does not reference it.',
  );
}
