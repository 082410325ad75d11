/**
 * The stack a backfill runs against: its outputs, read once with DescribeStacks, and what follows
 * from them (the account and partition S3 Control needs, from the function's ARN).
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { BACKFILL_OUTPUTS } from '../../../infra/src/backfill/contract';
import { UserInputError } from '../../../transform/src/errors';

/** What `backfill` needs from the stack. */
export interface BackfillStack {
  name: string;
  functionArn: string;
  jobRoleArn: string;
  lakeBucket: string;
  archiveBuckets: string[];
  /** From the function ARN: S3 Control addresses jobs by account. */
  accountId: string;
  /** `aws`, `aws-cn`, `aws-us-gov`: for the S3 ARNs of the manifest and the report bucket. */
  partition: string;
}

const LAMBDA_ARN = /^arn:(aws[a-z-]*):lambda:[a-z0-9-]+:(\d{12}):function:[\w-]+$/;

/**
 * The stack's backfill outputs, or a one-line UserInputError when the stack does not exist or was
 * deployed without the backfill option.
 */
export async function readBackfillStack(client: CloudFormationClient, name: string): Promise<BackfillStack> {
  let outputs: Record<string, string>;
  try {
    const response = await client.send(new DescribeStacksCommand({ StackName: name }));
    const stack = response.Stacks?.[0];
    if (!stack) throw Object.assign(new Error('no stack'), { name: 'ValidationError' });
    outputs = Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
  } catch (error) {
    if ((error as { name?: string }).name === 'ValidationError') {
      throw new UserInputError(
        `stack '${name}' does not exist in this region; check --stack and --region (or AWS_REGION)`,
        { cause: error },
      );
    }
    throw error;
  }
  const functionArn = outputs[BACKFILL_OUTPUTS.functionArn];
  const jobRoleArn = outputs[BACKFILL_OUTPUTS.jobRoleArn];
  const lakeBucket = outputs[BACKFILL_OUTPUTS.lakeBucket];
  if (!functionArn || !jobRoleArn || !lakeBucket) {
    throw new UserInputError(
      `stack '${name}' has no backfill option; set engagementLake.backfillArchiveBuckets in cdk.json and deploy it again (see docs/backfill.md)`,
    );
  }
  const arn = LAMBDA_ARN.exec(functionArn);
  if (!arn) {
    throw new UserInputError(
      `stack '${name}' output ${BACKFILL_OUTPUTS.functionArn} is not a Lambda ARN: '${functionArn}'`,
    );
  }
  return {
    name,
    functionArn,
    jobRoleArn,
    lakeBucket,
    archiveBuckets: (outputs[BACKFILL_OUTPUTS.archiveBuckets] ?? '').split(',').filter((b) => b !== ''),
    accountId: arn[2],
    partition: arn[1],
  };
}
