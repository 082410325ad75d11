/**
 * The CDK app: one EngagementLakeStack configured from the `engagementLake` context in cdk.json.
 * Synthesises offline: without `account`/`region` in the context the stack is environment-agnostic.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CONTEXT_KEY, parseLakeConfig } from '../src/config';
import { EngagementLakeStack } from '../src/engagement-lake-stack';

const app = new App();
const config = parseLakeConfig(app.node.tryGetContext(CONTEXT_KEY));
new EngagementLakeStack(app, config.stackName, {
  env: config.env,
  description: 'engagement-lake: customer-engagement events in a Parquet lake queryable with Athena',
  sourceStreamArn: config.sourceStreamArn,
  sourceStreamKeyArn: config.sourceStreamKeyArn,
  lake: config.lake,
});
// cdk-nag 3 is a policy-validation plugin: findings are reported at synth and fail it.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
