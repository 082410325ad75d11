import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateJobCommand, DescribeJobCommand, S3ControlClient } from '@aws-sdk/client-s3-control';
import { mockClient } from 'aws-sdk-client-mock';
import { createJobInput, manifestCsv, manifestKey, parsePriority } from '../../cli/src/backfill/job';
import { parseCsv, parseTaskReport, summarizeReport } from '../../cli/src/backfill/report';
import { markerKey } from '../../local/src/ledger';
import { runCli } from './run-cli';

const FUNCTION_ARN = 'arn:aws:lambda:eu-west-1:111122223333:function:EngagementLake-LakeBackfillFunction-abc';
const ROLE_ARN = 'arn:aws:iam::111122223333:role/EngagementLake-LakeBackfillJobRole-def';
const STACK_OUTPUTS = [
  { OutputKey: 'DataBucketName', OutputValue: 'lake-bucket' },
  { OutputKey: 'BackfillFunctionArn', OutputValue: FUNCTION_ARN },
  { OutputKey: 'BackfillJobRoleArn', OutputValue: ROLE_ARN },
  { OutputKey: 'BackfillArchiveBuckets', OutputValue: 'archive-bucket,other-archive' },
];

const cfn = mockClient(CloudFormationClient);
const s3 = mockClient(S3Client);
const control = mockClient(S3ControlClient);

beforeEach(() => {
  cfn.reset();
  s3.reset();
  control.reset();
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'Lake',
        CreationTime: new Date(),
        StackStatus: 'CREATE_COMPLETE',
        Outputs: STACK_OUTPUTS,
      },
    ],
  });
});
afterAll(() => {
  cfn.restore();
  s3.restore();
  control.restore();
});

/** A GetObject body: the part of the SDK's stream mixin the command reads. */
function body(text: string) {
  return { transformToString: async () => text } as never;
}

/** The archive: two pages of objects, and the lake's done markers for some of them. */
function givenArchive(keys: string[], doneKeys: string[] = []) {
  const object = (key: string) => ({ Key: key, Size: 100, ETag: `"etag-${key.length}"` });
  const half = Math.ceil(keys.length / 2);
  s3.on(ListObjectsV2Command, { Bucket: 'archive-bucket' })
    .resolvesOnce({
      Contents: keys.slice(0, half).map(object),
      IsTruncated: true,
      NextContinuationToken: 'page2',
    })
    .resolvesOnce({ Contents: keys.slice(half).map(object), IsTruncated: false });
  const markers = doneKeys.map((key) => ({
    Key: markerKey({ kind: 's3', bucket: 'archive-bucket', key, size: 100, etag: `etag-${key.length}` })!,
    Size: 200,
  }));
  s3.on(ListObjectsV2Command, { Bucket: 'lake-bucket' }).resolves({ Contents: markers, IsTruncated: false });
  s3.on(PutObjectCommand).resolves({ ETag: '"manifest-etag"' });
  control.on(CreateJobCommand).resolves({ JobId: 'job-0001' });
}

describe('engagement-lake backfill', () => {
  it('writes a manifest of the objects not yet done and creates the job', async () => {
    // Arrange
    givenArchive(
      [
        'pinpoint/2019/05/01/a.gz',
        'pinpoint/2019/05/01/b c.gz',
        'pinpoint/2019/05/02/d,e.gz',
        'pinpoint/2019/05/03/f.gz',
      ],
      ['pinpoint/2019/05/01/a.gz'],
    );

    // Act
    const result = await runCli([
      'backfill',
      's3://archive-bucket/pinpoint/',
      '--stack',
      'Lake',
      '--priority',
      '42',
    ]);

    // Assert
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const put = s3.commandCalls(PutObjectCommand)[0].args[0].input;
    expect(put.Bucket).toBe('lake-bucket');
    expect(put.Key).toMatch(/^_backfill\/manifests\/[0-9a-f]{32}\.csv$/);
    expect(put.Body).toBe(
      'archive-bucket,pinpoint%2F2019%2F05%2F01%2Fb%20c.gz\n' +
        'archive-bucket,pinpoint%2F2019%2F05%2F02%2Fd%2Ce.gz\n' +
        'archive-bucket,pinpoint%2F2019%2F05%2F03%2Ff.gz\n',
    );
    const job = control.commandCalls(CreateJobCommand)[0].args[0].input;
    expect(job).toEqual(
      expect.objectContaining({
        AccountId: '111122223333',
        RoleArn: ROLE_ARN,
        Priority: 42,
        ConfirmationRequired: false,
        Operation: {
          LambdaInvoke: {
            FunctionArn: FUNCTION_ARN,
            InvocationSchemaVersion: '2.0',
            UserArguments: { lake: 's3://lake-bucket/' },
          },
        },
        Manifest: {
          Spec: { Format: 'S3BatchOperations_CSV_20180820', Fields: ['Bucket', 'Key'] },
          Location: { ObjectArn: `arn:aws:s3:::lake-bucket/${put.Key}`, ETag: 'manifest-etag' },
        },
        Report: {
          Enabled: true,
          Bucket: 'arn:aws:s3:::lake-bucket',
          Prefix: '_backfill/reports',
          Format: 'Report_CSV_20180820',
          ReportScope: 'AllTasks',
        },
      }),
    );
    expect(job.ClientRequestToken).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.stdout).toContain('created job job-0001: 3 objects (1 already in the lake, left out)');
    expect(result.stdout).toContain('engagement-lake backfill status job-0001 --stack Lake');
  });

  it('reads every page of the archive listing', async () => {
    // Arrange
    givenArchive(['p/1', 'p/2', 'p/3', 'p/4', 'p/5']);

    // Act
    await runCli(['backfill', 's3://archive-bucket/p/', '--stack', 'Lake']);

    // Assert
    const listings = s3
      .commandCalls(ListObjectsV2Command)
      .filter((c) => c.args[0].input.Bucket === 'archive-bucket');
    expect(listings).toHaveLength(2);
    expect(String(s3.commandCalls(PutObjectCommand)[0].args[0].input.Body).trim().split('\n')).toHaveLength(
      5,
    );
  });

  it('asks for a new job each time the command runs (a fresh request token)', async () => {
    // Arrange
    const token = () => control.commandCalls(CreateJobCommand)[0].args[0].input.ClientRequestToken;
    givenArchive(['p/1', 'p/2']);
    await runCli(['backfill', 's3://archive-bucket/p/', '--stack', 'Lake']);
    const first = token();
    s3.reset();
    control.reset();
    givenArchive(['p/1', 'p/2']);

    // Act
    await runCli(['backfill', 's3://archive-bucket/p/', '--stack', 'Lake']);

    // Assert
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(token()).toMatch(/^[0-9a-f-]{36}$/);
    expect(token()).not.toBe(first);
  });

  it('writes nothing and creates no job with --dry-run', async () => {
    // Arrange
    givenArchive(['p/1', 'p/2', 'p/3'], ['p/2']);

    // Act
    const result = await runCli(['backfill', 's3://archive-bucket/p/', '--stack', 'Lake', '--dry-run']);

    // Assert
    expect(result.code).toBe(0);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(control.commandCalls(CreateJobCommand)).toHaveLength(0);
    expect(result.stdout).toMatch(/would back fill 2 of 3 objects .* \(1 already in the lake\)/);
  });

  it('creates no job when every object is done', async () => {
    // Arrange
    givenArchive(['p/1', 'p/2'], ['p/1', 'p/2']);

    // Act
    const result = await runCli(['backfill', 's3://archive-bucket/p/', '--stack', 'Lake']);

    // Assert
    expect(result.code).toBe(0);
    expect(control.commandCalls(CreateJobCommand)).toHaveLength(0);
    expect(result.stdout).toContain('nothing to do: all 2 objects');
  });

  describe('bad input gives one line', () => {
    it.each([
      ['a bad priority', ['--priority', '-1'], /--priority must be a whole number from 0/],
      ['a missing stack option', null, /--stack is required/],
    ])('%s', async (_name, extra, message) => {
      // Arrange
      givenArchive(['p/1']);
      const args =
        extra === null
          ? ['backfill', 's3://archive-bucket/p/']
          : ['backfill', 's3://archive-bucket/p/', '--stack', 'Lake', ...extra];
      // Act
      const result = await runCli(args);
      // Assert
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    });

    it('a stack that does not exist', async () => {
      // Arrange
      cfn
        .on(DescribeStacksCommand)
        .rejects(Object.assign(new Error('Stack with id Nope does not exist'), { name: 'ValidationError' }));
      // Act
      const result = await runCli(['backfill', 's3://archive-bucket/p/', '--stack', 'Nope']);
      // Assert
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        "error: stack 'Nope' does not exist in this region; check --stack and --region (or AWS_REGION)\n",
      );
    });

    it('a stack deployed without the backfill option', async () => {
      // Arrange
      cfn.on(DescribeStacksCommand).resolves({
        Stacks: [
          {
            StackName: 'Lake',
            CreationTime: new Date(),
            StackStatus: 'CREATE_COMPLETE',
            Outputs: STACK_OUTPUTS.slice(0, 1),
          },
        ],
      });
      // Act
      const result = await runCli(['backfill', 's3://archive-bucket/p/', '--stack', 'Lake']);
      // Assert
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        /^error: stack 'Lake' has no backfill option; set engagementLake.backfillArchiveBuckets/,
      );
    });

    it('an archive bucket the function may not read', async () => {
      // Arrange / Act
      const result = await runCli(['backfill', 's3://someone-elses-bucket/p/', '--stack', 'Lake']);
      // Assert
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        /may not read bucket 'someone-elses-bucket' \(it reads: archive-bucket, other-archive\)/,
      );
      expect(s3.commandCalls(ListObjectsV2Command)).toHaveLength(0);
    });

    it('an archive prefix with no objects', async () => {
      // Arrange
      s3.on(ListObjectsV2Command).resolves({ Contents: [], IsTruncated: false });
      // Act
      const result = await runCli(['backfill', 's3://archive-bucket/empty/', '--stack', 'Lake']);
      // Assert
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/s3:\/\/archive-bucket\/empty\/: no objects there; check the prefix/);
      expect(control.commandCalls(CreateJobCommand)).toHaveLength(0);
    });
  });
});

describe('engagement-lake backfill status', () => {
  it('shows progress while the job runs, and that the report comes at the end', async () => {
    // Arrange
    control.on(DescribeJobCommand).resolves({
      Job: {
        JobId: 'job-0001',
        Status: 'Active',
        ProgressSummary: {
          TotalNumberOfTasks: 1000,
          NumberOfTasksSucceeded: 400,
          NumberOfTasksFailed: 3,
          Timers: { ElapsedTimeInActiveSeconds: 600 },
        },
      },
    });

    // Act
    const result = await runCli(['backfill', 'status', 'job-0001', '--stack', 'Lake']);

    // Assert
    expect(result.code).toBe(0);
    expect(control.commandCalls(DescribeJobCommand)[0].args[0].input).toEqual({
      AccountId: '111122223333',
      JobId: 'job-0001',
    });
    expect(result.stdout).toContain('job job-0001: Active');
    expect(result.stdout).toContain('tasks: 1,000 total, 400 succeeded, 3 failed, 597 to go; active 10 min');
    expect(result.stdout).toContain('report: written when the job ends');
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  it('summarises the completion report: rows written and failures by result code and message', async () => {
    // Arrange
    control.on(DescribeJobCommand).resolves({
      Job: {
        JobId: 'job-0001',
        Status: 'Complete',
        ProgressSummary: { TotalNumberOfTasks: 5, NumberOfTasksSucceeded: 2, NumberOfTasksFailed: 3 },
        Report: {
          Enabled: true,
          Bucket: 'arn:aws:s3:::lake-bucket',
          Prefix: '_backfill/reports',
          Format: 'Report_CSV_20180820',
        },
      },
    });
    s3.on(GetObjectCommand, { Key: '_backfill/reports/job-job-0001/manifest.json' }).resolves({
      Body: body(
        JSON.stringify({
          Format: 'Report_CSV_20180820',
          Results: [
            {
              TaskExecutionStatus: 'succeeded',
              Bucket: 'lake-bucket',
              Key: '_backfill/reports/job-job-0001/results/ok.csv',
            },
            {
              TaskExecutionStatus: 'failed',
              Bucket: 'lake-bucket',
              Key: '_backfill/reports/job-job-0001/results/failed.csv',
            },
          ],
        }),
      ),
    });
    s3.on(GetObjectCommand, { Key: '_backfill/reports/job-job-0001/results/ok.csv' }).resolves({
      Body: body(
        'archive-bucket,p%2F1,,succeeded,200,,records=100 rows=98 failed=2 files=3\n' +
          'archive-bucket,p%2F2,,succeeded,200,,records=50 rows=50 failed=0 files=1\n',
      ),
    });
    s3.on(GetObjectCommand, { Key: '_backfill/reports/job-job-0001/results/failed.csv' }).resolves({
      Body: body(
        'archive-bucket,p%2F3,,failed,200,PermanentFailure,the archive object does not exist (NoSuchKey)\n' +
          'archive-bucket,p%2F4,,failed,200,PermanentFailure,the archive object does not exist (NoSuchKey)\n' +
          'archive-bucket,p%2F5,,failed,200,PermanentFailure,"Lambda returned function error: {""errorMessage"":""2019-04-05T17:35:21.155Z 2845ca0d-38d9-4c4b-abcf-379dc749c452 Task timed out after 900.00 seconds""}"\n',
      ),
    });

    // Act
    const result = await runCli(['backfill', 'status', 'job-0001', '--stack', 'Lake']);

    // Assert
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('report: s3://lake-bucket/_backfill/reports/job-job-0001/');
    expect(result.stdout).toContain('objects: 2 done, 3 failed');
    expect(result.stdout).toContain('records: 150 read, 148 rows written, 2 in the error output');
    expect(result.stdout).toContain(
      'PermanentFailure x2: the archive object does not exist (NoSuchKey) (e.g. s3://archive-bucket/p/3, s3://archive-bucket/p/4)',
    );
    expect(result.stdout).toMatch(
      /PermanentFailure x1: Lambda returned function error: .*<time> <id> Task timed out/,
    );
  });

  it('says in one line that the job does not exist', async () => {
    // Arrange
    control
      .on(DescribeJobCommand)
      .rejects(Object.assign(new Error('not found'), { name: 'NotFoundException' }));
    // Act
    const result = await runCli(['backfill', 'status', 'job-9999', '--stack', 'Lake']);
    // Assert
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "error: no job 'job-9999' in account 111122223333 in this region; check the id and --region\n",
    );
  });
});

describe('backfill job pieces', () => {
  it('URL-encodes manifest keys so commas, spaces and newlines stay inside one field', () => {
    // Arrange
    const objects = [{ bucket: 'b', key: 'a,b\nc d/é+' }];
    // Act
    const csv = manifestCsv(objects);
    // Assert
    expect(parseCsv(csv)).toEqual([['b', 'a%2Cb%0Ac%20d%2F%C3%A9%2B']]);
    expect(decodeURIComponent(parseCsv(csv)[0][1])).toBe(objects[0].key);
  });

  it('names the manifest by its content', () => {
    // Arrange / Act
    const one = manifestKey('b,k1\n');
    const again = manifestKey('b,k1\n');
    const other = manifestKey('b,k2\n');
    // Assert
    expect(again).toBe(one);
    expect(other).not.toBe(one);
  });

  it('accepts priorities S3 Control accepts and explains the others', () => {
    // Arrange / Act / Assert
    expect(parsePriority('0')).toBe(0);
    expect(parsePriority('2147483647')).toBe(2147483647);
    expect(parsePriority('2147483648')).toMatch(/from 0 to 2147483647/);
    expect(parsePriority('1.5')).toMatch(/got '1.5'/);
  });

  it('uses the partition of the function ARN for the manifest and report ARNs', () => {
    // Arrange
    const stack = {
      name: 'Lake',
      functionArn: 'arn:aws-cn:lambda:cn-north-1:111122223333:function:f',
      jobRoleArn: 'arn:aws-cn:iam::111122223333:role/r',
      lakeBucket: 'lake',
      archiveBuckets: ['a'],
      accountId: '111122223333',
      partition: 'aws-cn',
    };
    // Act
    const input = createJobInput({
      stack,
      archive: 's3://a/',
      objects: 1,
      manifestKey: 'm.csv',
      manifestEtag: 'e',
      priority: 1,
    });
    // Assert
    expect(input.Manifest?.Location?.ObjectArn).toBe('arn:aws-cn:s3:::lake/m.csv');
    expect(input.Report?.Bucket).toBe('arn:aws-cn:s3:::lake');
  });

  it('reads report lines whichever order the error code and HTTP status come in', () => {
    // Arrange
    const text = 'b,k1,,failed,PermanentFailure,200,gone\nb,k2,,failed,500,TemporaryFailure,slow\n';
    // Act
    const lines = parseTaskReport(text);
    const summary = summarizeReport(lines);
    // Assert
    expect(lines.map((l) => [l.errorCode, l.httpStatus])).toEqual([
      ['PermanentFailure', '200'],
      ['TemporaryFailure', '500'],
    ]);
    expect(summary.failed).toBe(2);
    expect(summary.tasks).toBe(summary.succeeded + summary.failed);
  });
});
