/**
 * End-to-end test against a real AWS account (`npm run test:aws`; never in CI). It deploys the
 * lake, puts one canary record per source format plus the edge cases (case-colliding map keys, a
 * pre-2001 timestamp, a multi-event record), waits for Firehose to deliver, reads the rows back
 * through Athena, compares every column with the local transform's rows for the same input, and
 * destroys the stack.
 *
 * Firehose behaviours this proves on your account: de-aggregation before the Lambda, dynamic
 * partitioning by the Lambda's keys, OpenX case-sensitive map keys, timestamp parsing and the
 * Parquet conversion against the Glue table.
 */
import * as path from 'node:path';
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { EngagementLakeStack } from '../src/engagement-lake-stack';

const app = new App();
const stack = new EngagementLakeStack(app, 'EngagementLakeInteg', {
  lake: {
    removalPolicy: RemovalPolicy.DESTROY,
    // The shortest buffer dynamic partitioning allows, so the test waits minutes, not a quarter hour.
    bufferingInterval: Duration.seconds(60),
  },
});
const lake = stack.lake;
const directPut = lake.directPutStream ?? lake.deliveryStream;

const driver = new nodejs.NodejsFunction(stack, 'IntegDriver', {
  entry: path.join(__dirname, 'driver.ts'),
  handler: 'handler',
  runtime: lambda.Runtime.NODEJS_22_X,
  architecture: lambda.Architecture.ARM_64,
  timeout: Duration.minutes(5),
  memorySize: 512,
  environment: {
    STREAM_NAME: directPut.deliveryStreamName,
    WORK_GROUP: lake.workGroup.ref,
    DATABASE: lake.database.databaseName,
    DT_START: '2015-01-01',
  },
  bundling: { target: 'node22', forceDockerBundling: false },
});
directPut.grantPutRecords(driver);
lake.table.grantRead(driver);
lake.bucket.grantReadWrite(driver, 'athena-results/*');
lake.key.grantEncryptDecrypt(driver);
driver.addToRolePolicy(
  new iam.PolicyStatement({
    actions: ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults'],
    resources: [
      stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: lake.workGroup.ref }),
    ],
  }),
);
driver.addToRolePolicy(
  new iam.PolicyStatement({
    actions: ['glue:GetDatabase', 'glue:GetTable'],
    resources: [
      stack.formatArn({ service: 'glue', resource: 'catalog' }),
      lake.database.databaseArn,
      lake.table.tableArn,
    ],
  }),
);

const integ = new IntegTest(app, 'EngagementLakeEndToEnd', {
  testCases: [stack],
  cdkCommandOptions: { destroy: { args: { force: true } } },
  // Deploys for real: the snapshot only records the template of the last passing run.
  diffAssets: false,
});

const run = { runId: `${Date.now()}`, now: Date.now() };
const put = integ.assertions
  .invokeFunction({ functionName: driver.functionName, payload: JSON.stringify({ action: 'put', ...run }) })
  .expect(ExpectedResult.objectLike({ Payload: { ok: true } }));
const check = integ.assertions
  .invokeFunction({ functionName: driver.functionName, payload: JSON.stringify({ action: 'check', ...run }) })
  .expect(ExpectedResult.objectLike({ Payload: { ok: true, problems: [] } }))
  // Lambda buffer (60 s) + S3 buffer (60 s, up to 1.5x with several stages) + conversion.
  .waitForAssertions({ interval: Duration.seconds(30), totalTimeout: Duration.minutes(20) });
put.next(check);
