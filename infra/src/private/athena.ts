import * as path from 'node:path';
import { CustomResource, Duration, Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import type * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { createNodeFunction } from './functions';
import type { LakeSettings } from './settings';
import { glueTableResources } from './catalog';
import { PREFIX, s3KeyUseStatement } from './storage';

/** A saved query as `queries/src/catalog.ts` loads it from `queries/sql/*.sql`. */
export interface NamedQuerySource {
  readonly name: string;
  readonly description: string;
  readonly sql: string;
}

/** A view as `queries/src/catalog.ts` loads it from `queries/views/*.sql`. */
export interface ViewSource {
  readonly name: string;
  readonly description: string;
  readonly sql: string;
}

/** The Athena workgroup: engine 3, enforced settings, KMS-encrypted results in their own prefix. */
export function createWorkGroup(
  scope: Construct,
  settings: LakeSettings,
  bucket: s3.IBucket,
  key: kms.IKey,
): athena.CfnWorkGroup {
  const stack = Stack.of(scope);
  return new athena.CfnWorkGroup(scope, 'WorkGroup', {
    name: `${stack.stackName}-engagement-lake`.slice(0, 128),
    description: 'engagement-lake: queries over the events table',
    state: 'ENABLED',
    // Lets the stack delete the workgroup even though it holds named queries and query history.
    recursiveDeleteOption: true,
    workGroupConfiguration: {
      enforceWorkGroupConfiguration: true,
      engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
      bytesScannedCutoffPerQuery: settings.athenaBytesScannedCutoffPerQuery.toBytes(),
      publishCloudWatchMetricsEnabled: true,
      requesterPaysEnabled: false,
      resultConfiguration: {
        outputLocation: `s3://${bucket.bucketName}/${PREFIX.athenaResults}`,
        encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: key.keyArn },
        expectedBucketOwner: stack.account,
      },
    },
  });
}

/** One `AWS::Athena::NamedQuery` per saved query, in the workgroup (which must exist first). */
export function createNamedQueries(
  scope: Construct,
  workGroup: athena.CfnWorkGroup,
  database: glue.IDatabase,
  queries: readonly NamedQuerySource[],
): athena.CfnNamedQuery[] {
  const parent = new Construct(scope, 'NamedQueries');
  return queries.map((q) => {
    const named = new athena.CfnNamedQuery(parent, q.name, {
      name: q.name,
      description: q.description.slice(0, 1024),
      database: database.databaseName,
      workGroup: workGroup.ref,
      queryString: q.sql,
    });
    // `workGroup` is a plain name, not a reference, so CloudFormation would not order them.
    named.node.addDependency(workGroup);
    return named;
  });
}

export interface ViewsProps {
  readonly settings: LakeSettings;
  readonly workGroup: athena.CfnWorkGroup;
  readonly database: glue.IDatabase;
  readonly table: glue.ITable;
  readonly bucket: s3.IBucket;
  readonly key: kms.IKey;
  readonly views: readonly ViewSource[];
}

/**
 * Creates the views at deploy time: a custom resource whose handler runs `CREATE OR REPLACE VIEW`
 * in the workgroup and fails the deployment when a view fails (see view-creator/handler.ts).
 */
export class AthenaViews extends Construct {
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: ViewsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'engagement-lake: create and drop the Athena views',
    });
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.settings.removalPolicy,
    });
    const viewTables = props.views.map((v) =>
      stack.formatArn({
        service: 'glue',
        resource: 'table',
        resourceName: `${props.database.databaseName}/${v.name}`,
      }),
    );
    const workGroupArn = stack.formatArn({
      service: 'athena',
      resource: 'workgroup',
      resourceName: props.workGroup.ref,
    });
    const policy = new iam.Policy(this, 'Policy', {
      statements: [
        new iam.PolicyStatement({
          sid: 'Logs',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [logGroup.logGroupArn],
        }),
        new iam.PolicyStatement({
          sid: 'Athena',
          actions: ['athena:StartQueryExecution', 'athena:GetQueryExecution'],
          resources: [workGroupArn],
        }),
        new iam.PolicyStatement({
          sid: 'ReadCatalog',
          actions: ['glue:GetDatabase', 'glue:GetTable'],
          resources: glueTableResources(props.database, [props.table.tableArn, ...viewTables]),
        }),
        new iam.PolicyStatement({
          sid: 'WriteViews',
          actions: ['glue:CreateTable', 'glue:UpdateTable', 'glue:DeleteTable'],
          resources: glueTableResources(props.database, viewTables),
        }),
        new iam.PolicyStatement({
          sid: 'ResultsBucket',
          actions: ['s3:GetBucketLocation'],
          resources: [props.bucket.bucketArn],
        }),
        new iam.PolicyStatement({
          sid: 'Results',
          actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
          resources: [props.bucket.arnForObjects(`${PREFIX.athenaResults}*`)],
        }),
        s3KeyUseStatement('EncryptResults', props.key),
      ],
    });
    role.attachInlinePolicy(policy);

    const fn = (name: 'onEvent' | 'isComplete') =>
      createNodeFunction(this, name === 'onEvent' ? 'OnEvent' : 'IsComplete', {
        entry: path.join(__dirname, '..', 'view-creator', 'handler.ts'),
        handler: name,
        timeout: Duration.seconds(30),
        role,
        logGroup,
        description: `engagement-lake: Athena views (${name})`,
      });
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: fn('onEvent'),
      isCompleteHandler: fn('isComplete'),
      queryInterval: Duration.seconds(5),
      totalTimeout: Duration.minutes(10),
      logGroup,
      disableWaiterStateMachineLogging: false,
      waiterStateMachineLogOptions: {
        destination: new logs.LogGroup(this, 'WaiterLogs', {
          retention: logs.RetentionDays.ONE_MONTH,
          removalPolicy: props.settings.removalPolicy,
        }),
        level: sfn.LogLevel.ALL,
        includeExecutionData: false,
      },
    });
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::AthenaViews',
      properties: {
        WorkGroup: props.workGroup.ref,
        Database: props.database.databaseName,
        Views: props.views.map((v) => ({ name: v.name, sql: v.sql })),
      },
    });
    this.resource.node.addDependency(policy, props.workGroup, props.table);
  }
}
