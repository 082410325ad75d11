import { Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { FAMILIES, PARTITION_KEYS, glueColumns } from '../../../transform/src/schema';
import { PREFIX } from './storage';

export interface Catalog {
  readonly database: glue.Database;
  readonly table: glue.S3Table;
  /** The Firehose error output (`errors/`) as a table; see {@link createErrorsTable}. */
  readonly errorsTable: glue.S3Table;
}

/** The values Firehose gives `!{firehose:error-output-type}` on this pipeline (the `type` folder). */
export const ERROR_OUTPUT_TYPES = [
  'processing-failed',
  'format-conversion-failed',
  'partitioning-failed',
] as const;

/** The fields of a Firehose error document, lower-cased as the OpenX SerDe matches JSON keys. */
export const ERROR_COLUMNS: readonly { name: string; type: glue.Type; comment: string }[] = [
  { name: 'attemptsmade', type: glue.Schema.INTEGER, comment: 'Delivery attempts Firehose made' },
  { name: 'arrivaltimestamp', type: glue.Schema.BIG_INT, comment: 'When the record arrived (epoch ms)' },
  { name: 'errorcode', type: glue.Schema.STRING, comment: 'Machine-readable reason' },
  { name: 'errormessage', type: glue.Schema.STRING, comment: 'Human-readable reason' },
  {
    name: 'attemptendingtimestamp',
    type: glue.Schema.BIG_INT,
    comment: 'When the last attempt ended (epoch ms)',
  },
  {
    name: 'rawdata',
    type: glue.Schema.STRING,
    comment: "The record's original bytes, base64; may hold personal data",
  },
  { name: 'lambdaarn', type: glue.Schema.STRING, comment: 'The transform Lambda (processing-failed only)' },
];

/**
 * The Glue database, the `events` table (generated from the one schema definition) and the
 * `errors` table over the Firehose error output.
 */
export function createCatalog(scope: Construct, bucket: s3.IBucket, dtStart: string): Catalog {
  const database = new glue.Database(scope, 'Database', {
    description: 'engagement-lake: customer-engagement events',
  });
  const table = new glue.S3Table(scope, 'EventsTable', {
    database,
    tableName: 'events',
    description: 'One row per engagement event (Pinpoint, SES, End User Messaging, app events)',
    columns: glueColumns().map((c) => ({ name: c.name, type: glueType(c.type), comment: c.comment })),
    partitionKeys: PARTITION_KEYS.map((p) => ({ name: p.name, type: glue.Schema.STRING, comment: p.doc })),
    dataFormat: glue.DataFormat.PARQUET,
    storage: glue.S3TableStorage.fromBucket(bucket),
    s3Prefix: PREFIX.events,
    // The bucket uses SSE-KMS, which S3 decrypts transparently; `has_encrypted_data` is for CSE only.
    hasEncryptedData: false,
    partitionProjection: {
      family: glue.PartitionProjectionConfiguration.enum({ values: [...FAMILIES] }),
      dt: glue.PartitionProjectionConfiguration.date({
        min: dtStart,
        // NOW+1DAYS: Athena never projects past the range end, and "today" in UTC may be tomorrow
        // for a clock ahead of the query's; rows dated tomorrow would otherwise be invisible.
        max: 'NOW+1DAYS',
        format: 'yyyy-MM-dd',
        step: { interval: 1, intervalUnit: glue.DateIntervalUnit.DAYS },
      }),
    },
    parameters: {
      'storage.location.template': `s3://${bucket.bucketName}/${PREFIX.events}family=\${family}/dt=\${dt}/`,
    },
  });
  const errorsTable = createErrorsTable(scope, database, bucket, dtStart);
  return { database, table, errorsTable };
}

/**
 * The `errors` table: the JSON documents Firehose writes under
 * `errors/<type>/yyyy/MM/dd/HH/` (delivery.ts `ERROR_PREFIX`), with `type` and `hour` projected.
 * Only Athena reads it; nothing writes through it.
 */
function createErrorsTable(
  scope: Construct,
  database: glue.Database,
  bucket: s3.IBucket,
  dtStart: string,
): glue.S3Table {
  return new glue.S3Table(scope, 'ErrorsTable', {
    database,
    tableName: 'errors',
    description:
      'Records Firehose could not deliver (errors/<type>/yyyy/MM/dd/HH/, JSON). rawdata holds the ' +
      "records' original bytes and may contain personal data: grant read access as for events.",
    columns: ERROR_COLUMNS.map((c) => ({ ...c })),
    partitionKeys: [
      { name: 'type', type: glue.Schema.STRING, comment: 'Firehose error output type' },
      { name: 'hour', type: glue.Schema.STRING, comment: 'Arrival hour, yyyy/MM/dd/HH (UTC)' },
    ],
    // OpenX JSON SerDe, case-insensitive by default: matches errorCode and ErrorCode alike.
    dataFormat: glue.DataFormat.JSON,
    storage: glue.S3TableStorage.fromBucket(bucket),
    s3Prefix: PREFIX.errors,
    hasEncryptedData: false,
    partitionProjection: {
      type: glue.PartitionProjectionConfiguration.enum({ values: [...ERROR_OUTPUT_TYPES] }),
      hour: glue.PartitionProjectionConfiguration.date({
        min: `${dtStart.replace(/-/g, '/')}/00`,
        // NOW+1DAYS as for dt: an hour folder a writer's clock puts ahead of Athena's stays visible.
        max: 'NOW+1DAYS',
        format: 'yyyy/MM/dd/HH',
        step: { interval: 1, intervalUnit: glue.DateIntervalUnit.HOURS },
      }),
    },
    parameters: {
      'storage.location.template': `s3://${bucket.bucketName}/${PREFIX.errors}\${type}/\${hour}/`,
    },
  });
}

/**
 * The resources a Glue table action is granted on: Glue checks it against the catalog, the database
 * and the table alike, so a grant names all three.
 */
export function glueTableResources(database: glue.IDatabase, tableArns: readonly string[]): string[] {
  return [
    Stack.of(database).formatArn({ service: 'glue', resource: 'catalog' }),
    database.databaseArn,
    ...tableArns,
  ];
}

/** A Glue type string from the schema as a Glue L2 type (complex types keep their Hive spelling). */
function glueType(hiveType: string): glue.Type {
  return glue.Schema.custom(hiveType, !hiveType.includes('<'));
}
