import { Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { FAMILIES, PARTITION_KEYS, glueColumns } from '../../../transform/src/schema';
import { PREFIX } from './storage';

export interface Catalog {
  readonly database: glue.Database;
  readonly table: glue.S3Table;
}

/** The Glue database and the `events` table, generated from the one schema definition. */
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
  return { database, table };
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
