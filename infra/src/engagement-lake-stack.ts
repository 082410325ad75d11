import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { BACKFILL_OUTPUTS } from './backfill/contract';
import { EngagementLake, type EngagementLakeProps } from './engagement-lake';
import { acknowledgeNagFindings } from './nag';

export interface EngagementLakeStackProps extends StackProps {
  /** Properties of the lake. */
  readonly lake?: EngagementLakeProps;
  /**
   * ARN of an existing Kinesis data stream to read from (imported into this stack).
   *
   * @default - no existing stream
   */
  readonly sourceStreamArn?: string;
  /**
   * ARN of the KMS key that the existing source stream is encrypted with.
   *
   * @default - the stream is not encrypted with a customer-managed key
   */
  readonly sourceStreamKeyArn?: string;
}

/** One region's lake: the {@link EngagementLake} plus its stack outputs and cdk-nag acknowledgements. */
export class EngagementLakeStack extends Stack {
  readonly lake: EngagementLake;

  constructor(scope: Construct, id: string, props: EngagementLakeStackProps = {}) {
    super(scope, id, props);
    const sourceStream = props.sourceStreamArn
      ? kinesis.Stream.fromStreamAttributes(this, 'ImportedSourceStream', {
          streamArn: props.sourceStreamArn,
          encryptionKey: props.sourceStreamKeyArn
            ? kms.Key.fromKeyArn(this, 'ImportedSourceStreamKey', props.sourceStreamKeyArn)
            : undefined,
        })
      : undefined;
    this.lake = new EngagementLake(this, 'Lake', {
      ...props.lake,
      sourceStream: props.lake?.sourceStream ?? sourceStream,
    });

    const output = (id: string, value: string, description: string) =>
      new CfnOutput(this, id, { value, description });
    output(
      BACKFILL_OUTPUTS.lakeBucket,
      this.lake.bucket.bucketName,
      'Bucket holding events/ (Parquet), errors/ and athena-results/',
    );
    output(
      'DeliveryStreamName',
      this.lake.deliveryStream.deliveryStreamName,
      'Main Firehose delivery stream',
    );
    if (this.lake.directPutStream && this.lake.directPutStream !== this.lake.deliveryStream) {
      output(
        'DirectPutDeliveryStreamName',
        this.lake.directPutStream.deliveryStreamName,
        'Direct PUT delivery stream (SES, End User Messaging, replay)',
      );
    }
    if (this.lake.sourceStream)
      output('SourceStreamArn', this.lake.sourceStream.streamArn, 'Kinesis data stream the lake reads');
    output('GlueDatabaseName', this.lake.database.databaseName, 'Glue database of the events table');
    output(
      'AthenaWorkGroupName',
      this.lake.workGroup.ref,
      'Athena workgroup with the saved queries and views',
    );
    output('AlarmTopicArn', this.lake.alarmTopic.topicArn, 'SNS topic the alarms notify');
    output(
      'WriterPolicyArn',
      this.lake.writerPolicy.managedPolicyArn,
      'Managed policy for applications that put events',
    );

    const backfill = this.lake.backfill;
    if (backfill) {
      // `engagement-lake backfill --stack` reads these three (and DataBucketName) to create the job.
      output(
        BACKFILL_OUTPUTS.functionArn,
        backfill.function.functionArn,
        'Backfill function S3 Batch Operations invokes per archive object',
      );
      output(
        BACKFILL_OUTPUTS.jobRoleArn,
        backfill.jobRole.roleArn,
        'Role S3 Batch Operations assumes for backfill jobs',
      );
      output(
        BACKFILL_OUTPUTS.archiveBuckets,
        backfill.archiveBucketNames.join(','),
        'Archive buckets the backfill function may read',
      );
    }

    acknowledgeNagFindings(this, this.lake);
  }
}
