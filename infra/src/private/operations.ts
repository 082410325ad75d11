import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { BACKFILL_METRICS, BACKFILL_SERVICE_NAME } from '../backfill/contract';
import { METRICS_NAMESPACE, PROCESSING_FAILED_METRIC, TRANSFORM_SERVICE_NAME } from './delivery';
import { PREFIX } from './storage';

export interface OperationsProps {
  readonly key: kms.IKey;
  readonly bucket: s3.IBucket;
  readonly transform: lambda.IFunction;
  readonly deliveryStreams: readonly firehose.IDeliveryStream[];
  readonly bufferingInterval: Duration;
  readonly alarmEmail?: string;
  /** The backfill function, when the backfill option is on: its error output gets one alarm. */
  readonly backfill?: lambda.IFunction;
}

/** The alarm topic and every alarm; each alarm notifies the topic when it fires and when it clears. */
export class Operations extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'engagement-lake alarms',
      masterKey: props.key,
      enforceSSL: true,
    });
    if (props.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));

    for (const stream of props.deliveryStreams) this.addStreamAlarms(stream, props.bufferingInterval);
    this.addTransformAlarms(props.transform);
    this.addErrorObjectRule(props.bucket, props.deliveryStreams);
    if (props.backfill) this.addBackfillAlarm();
  }

  private addStreamAlarms(stream: firehose.IDeliveryStream, bufferingInterval: Duration): void {
    const scope = new Construct(this, stream.node.id);
    // Records wait for the Lambda buffer (60 s) and then the per-partition S3 buffer; with several
    // buffering stages the end-to-end delay reaches about 1.5 times the interval. Twice the interval
    // plus 10 minutes means "stuck", not "busy".
    const freshnessLimit = 2 * bufferingInterval.toSeconds() + 600;
    this.alarm(scope, 'DataFreshness', {
      metric: stream.metric('DeliveryToS3.DataFreshness', {
        statistic: 'Maximum',
        period: Duration.minutes(5),
      }),
      threshold: freshnessLimit,
      evaluationPeriods: 3,
      alarmDescription: `Oldest record in the delivery stream is older than ${freshnessLimit} seconds: delivery to S3 is stuck`,
    });
    this.alarm(scope, 'DeliveryFailures', {
      // Success is the fraction of successful S3 puts; below 1 means some deliveries failed.
      metric: stream.metric('DeliveryToS3.Success', { statistic: 'Minimum', period: Duration.minutes(5) }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      // Firehose retries transient failures; 15 minutes of failures is a real outage.
      evaluationPeriods: 3,
      alarmDescription: 'Firehose failed to put objects into the data bucket',
    });
    this.alarm(scope, 'ProcessingInvocationFailures', {
      metric: stream.metric('ExecuteProcessing.Success', {
        statistic: 'Minimum',
        period: Duration.minutes(5),
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      // Firehose retries transient failures; 15 minutes of failures is a real outage.
      evaluationPeriods: 3,
      alarmDescription:
        'Firehose failed to invoke the transform Lambda; the batch goes to errors/processing-failed/',
    });
    this.alarm(scope, 'PartitionCountExceeded', {
      // Beyond the active-partition quota (500 by default) records go to the error prefix.
      metric: stream.metric('PartitionCountExceeded', { statistic: 'Maximum', period: Duration.minutes(5) }),
      threshold: 0,
      evaluationPeriods: 1,
      alarmDescription:
        'More active partitions (family x dt) than the stream quota; records go to errors/ until it drops',
    });
    this.alarm(scope, 'FormatConversionFailures', {
      metric: stream.metric('FailedConversion.Records', { statistic: 'Sum', period: Duration.minutes(5) }),
      threshold: 0,
      evaluationPeriods: 1,
      alarmDescription:
        'Records failed Parquet conversion (errors/format-conversion-failed/): transform output and table schema disagree',
    });
  }

  private addTransformAlarms(fn: lambda.IFunction): void {
    this.alarm(this, 'TransformErrors', {
      metric: fn.metricErrors({ statistic: 'Sum', period: Duration.minutes(5) }),
      threshold: 0,
      evaluationPeriods: 1,
      alarmDescription:
        'The transform Lambda raised errors; Firehose retries and then sends the batch to the error prefix',
    });
    this.alarm(this, 'TransformThrottles', {
      metric: fn.metricThrottles({ statistic: 'Sum', period: Duration.minutes(5) }),
      threshold: 0,
      evaluationPeriods: 1,
      alarmDescription: 'The transform Lambda was throttled',
    });
    this.alarm(this, 'ProcessingFailedRecords', {
      metric: new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName: PROCESSING_FAILED_METRIC,
        dimensionsMap: { service: TRANSFORM_SERVICE_NAME },
        statistic: 'Sum',
        period: Duration.minutes(5),
      }),
      threshold: 0,
      evaluationPeriods: 1,
      alarmDescription: 'The transform returned ProcessingFailed records (errors/processing-failed/)',
    });
  }

  /**
   * Each object a delivery stream writes under errors/ notifies the topic with its key. Only the
   * streams' own objects: Firehose names them `<stream name>-<version>-<time>-<uuid>` after the
   * error prefix, while `ingest` and the backfill write `part-<run id>-<n>.ndjson` there, in the same
   * format and layout; a backfill of thousands of objects would otherwise send thousands of
   * messages. The backfill has its own alarm on its failed-record count instead.
   *
   * @see https://docs.aws.amazon.com/firehose/latest/dev/s3-object-name.html
   */
  private addErrorObjectRule(bucket: s3.IBucket, streams: readonly firehose.IDeliveryStream[]): void {
    const rule = new events.Rule(this, 'ErrorObjectCreated', {
      description: 'engagement-lake: Firehose wrote an object under the error prefix',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [bucket.bucketName] },
          object: { key: streams.map((stream) => firehoseErrorObjects(stream.deliveryStreamName)) },
        },
      },
    });
    rule.addTarget(
      new targets.SnsTopic(this.topic, {
        message: events.RuleTargetInput.fromText(
          `engagement-lake: new error object s3://${events.EventField.fromPath('$.detail.bucket.name')}/${events.EventField.fromPath('$.detail.object.key')}`,
        ),
      }),
    );
  }

  /**
   * One alarm for the whole backfill: it fires when a task sends records to the error output and
   * clears when tasks stop doing so, two messages per episode however many objects fail records.
   * `backfill status` then gives the counts per job from the completion report.
   */
  private addBackfillAlarm(): void {
    this.alarm(this, 'BackfillFailedRecords', {
      metric: new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName: BACKFILL_METRICS.failedRecords,
        dimensionsMap: { service: BACKFILL_SERVICE_NAME },
        statistic: 'Sum',
        period: Duration.minutes(5),
      }),
      threshold: 0,
      evaluationPeriods: 1,
      alarmDescription:
        'The backfill sent records to errors/processing-failed/ (its part-*.ndjson files); run `engagement-lake backfill status JOB` for the counts',
    });
  }

  private alarm(scope: Construct, id: string, props: cloudwatch.AlarmProps): void {
    const alarm = new cloudwatch.Alarm(scope, id, {
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      ...props,
    });
    alarm.addAlarmAction(new cwActions.SnsAction(this.topic));
    alarm.addOkAction(new cwActions.SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}

/** An EventBridge key matcher for the objects one delivery stream writes under the error prefix. */
function firehoseErrorObjects(streamName: string): Record<string, string> {
  return { wildcard: `${PREFIX.errors}*/${streamName}-*` };
}
