import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { BACKFILL_OUTPUTS } from '../../infra/src/backfill/contract';
import { parseLakeConfig } from '../../infra/src/config';
import { EngagementLakeStack } from '../../infra/src/engagement-lake-stack';
import type { EngagementLakeProps } from '../../infra/src/props';
import { UserInputError } from '../../transform/src/errors';
import { ALL_SOURCES, resourcesOf, synthLake, testApp } from './lake-fixture';

const BACKFILL: EngagementLakeProps = {
  backfill: { archiveBucketNames: ['pinpoint-archive', 'ses-archive'], reservedConcurrency: 20 },
};

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

/** The backfill function (found by its description) and its logical id. */
function backfillFunction(template: Template) {
  const found = Object.entries(resourcesOf(template, 'AWS::Lambda::Function')).filter(([, r]) =>
    String(r.Properties.Description ?? '').includes('backfills one archive object'),
  );
  return found;
}

/** The logical id of the role assumed by `service`. */
function roleAssumedBy(template: Template, service: string): string[] {
  return Object.entries(resourcesOf(template, 'AWS::IAM::Role'))
    .filter(([, role]) => JSON.stringify(role.Properties.AssumeRolePolicyDocument).includes(service))
    .map(([id]) => id);
}

/** Every statement of the inline policies attached to the role. */
function statementsOf(template: Template, roleId: string): Statement[] {
  return Object.values(resourcesOf(template, 'AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles).includes(`"${roleId}"`))
    .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

/** Resources rendered as text, so `Fn::Join` parts can be matched with a regular expression. */
const text = (value: unknown) => JSON.stringify(value);

describe('EngagementLake backfill option', () => {
  it('is absent by default: no function, no job role, no outputs', () => {
    // Arrange
    const { template } = synthLake();
    // Act
    const functions = backfillFunction(template);
    const jobRoles = roleAssumedBy(template, 'batchoperations.s3.amazonaws.com');
    const outputs = Object.keys(template.toJSON().Outputs);
    // Assert
    expect(functions).toEqual([]);
    expect(jobRoles).toEqual([]);
    expect(outputs).not.toContain(BACKFILL_OUTPUTS.functionArn);
    expect(outputs).toContain(BACKFILL_OUTPUTS.lakeBucket);
  });

  it('is switched on by the backfillArchiveBuckets context key', () => {
    // Arrange
    const settings = parseLakeConfig({ backfillArchiveBuckets: ['pinpoint-archive'] });
    const stack = new EngagementLakeStack(testApp(), 'ContextLake', { lake: settings.lake });
    // Act
    const template = Template.fromStack(stack);
    // Assert
    expect(backfillFunction(template)).toHaveLength(1);
    expect(settings.lake.backfill).toEqual({ archiveBucketNames: ['pinpoint-archive'] });
  });

  it('runs one archive object per invocation: arm64, 2048 MB, 15 minutes, reserved concurrency', () => {
    // Arrange
    const { template } = synthLake(BACKFILL);
    // Act
    const [[, fn]] = backfillFunction(template);
    // Assert
    expect(fn.Properties).toEqual(
      expect.objectContaining({
        Architectures: ['arm64'],
        MemorySize: 2048,
        Timeout: 900,
        ReservedConcurrentExecutions: 20,
        Handler: 'index.handler',
      }),
    );
    const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables).toEqual(
      expect.objectContaining({
        INCLUDE_RAW: 'true',
        DT_START: '2015-01-01',
        LAKE_PREFIX: '',
        NODE_OPTIONS: '--max-semi-space-size=64',
        POWERTOOLS_SERVICE_NAME: 'engagement-lake-backfill',
      }),
    );
    expect(text(variables.LAKE_BUCKET)).toMatch(/LakeDataBucket/);
  });

  it('defaults the reserved concurrency to 50', () => {
    // Arrange
    const { template } = synthLake({ backfill: { archiveBucketNames: ['pinpoint-archive'] } });
    // Act
    const [[, fn]] = backfillFunction(template);
    // Assert
    expect(fn.Properties.ReservedConcurrentExecutions).toBe(50);
  });

  it('outputs the function, the job role and the archive buckets for the CLI', () => {
    // Arrange
    const { template } = synthLake(BACKFILL);
    // Act
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    // Assert
    expect(text(outputs[BACKFILL_OUTPUTS.functionArn].Value)).toMatch(/LakeBackfillFunction.*Arn/);
    expect(text(outputs[BACKFILL_OUTPUTS.jobRoleArn].Value)).toMatch(/LakeBackfillJobRole.*Arn/);
    expect(outputs[BACKFILL_OUTPUTS.archiveBuckets].Value).toBe('pinpoint-archive,ses-archive');
  });

  describe('the role S3 Batch Operations assumes', () => {
    it('trusts batchoperations.s3.amazonaws.com from this account only', () => {
      // Arrange
      const { template } = synthLake(BACKFILL);
      // Act
      const [roleId] = roleAssumedBy(template, 'batchoperations.s3.amazonaws.com');
      const trust = resourcesOf(template, 'AWS::IAM::Role')[roleId].Properties.AssumeRolePolicyDocument;
      // Assert
      expect(trust).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'sts:AssumeRole',
            Principal: { Service: 'batchoperations.s3.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          },
        ],
      });
    });

    it('may only invoke the backfill function, read manifests and write reports', () => {
      // Arrange
      const { template } = synthLake(BACKFILL);
      const [roleId] = roleAssumedBy(template, 'batchoperations.s3.amazonaws.com');
      const [[functionId]] = backfillFunction(template);
      // Act
      const statements = statementsOf(template, roleId);
      const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));
      // Assert
      expect(Object.keys(bySid).sort()).toEqual(
        ['DecryptManifest', 'Invoke', 'ReadManifest', 'ReportBucket', 'WriteReport'].sort(),
      );
      expect(bySid.Invoke.Action).toBe('lambda:InvokeFunction');
      expect(bySid.Invoke.Resource).toEqual({ 'Fn::GetAtt': [functionId, 'Arn'] });
      expect(bySid.ReadManifest.Action).toEqual(['s3:GetObject', 's3:GetObjectVersion']);
      expect(text(bySid.ReadManifest.Resource)).toMatch(/"\/_backfill\/manifests\/\*"/);
      expect(bySid.WriteReport.Action).toBe('s3:PutObject');
      expect(text(bySid.WriteReport.Resource)).toMatch(/"\/_backfill\/reports\/\*"/);
      expect(bySid.DecryptManifest.Action).toBe('kms:Decrypt');
      expect(text(bySid.DecryptManifest.Resource)).toMatch(/LakeKey/);
    });
  });

  describe('the function role', () => {
    it('reads only the archive buckets given in props', () => {
      // Arrange
      const { template } = synthLake(BACKFILL);
      const [[, fn]] = backfillFunction(template);
      const roleId = (fn.Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
      // Act
      const reads = statementsOf(template, roleId).filter((s) =>
        [s.Action].flat().some((a) => a === 's3:GetObject' || a === 's3:GetObjectVersion'),
      );
      // Assert
      const resources = reads.flatMap((s) => [s.Resource].flat()).map(text);
      expect(resources).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/:s3:::pinpoint-archive\/\*/),
          expect.stringMatching(/:s3:::ses-archive\/\*/),
        ]),
      );
      // Apart from the archives, the function reads only its own done markers in the lake.
      const others = resources.filter((r) => !/-archive\/\*/.test(r));
      expect(others).toHaveLength(1);
      expect(others[0]).toMatch(/"\/_ingested\/\*"/);
    });

    it('writes the lake prefixes events/, errors/ and _ingested/ only, with the lake key through S3', () => {
      // Arrange
      const { template } = synthLake(BACKFILL);
      const [[, fn]] = backfillFunction(template);
      const roleId = (fn.Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
      // Act
      const statements = statementsOf(template, roleId);
      const writes = statements.filter((s) => [s.Action].flat().includes('s3:PutObject'));
      const kms = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('kms:')));
      // Assert
      expect(writes).toHaveLength(1);
      const prefixes = [writes[0].Resource].flat().map((r) => /"\/([^"]*)"\]/.exec(text(r))?.[1]);
      expect(prefixes).toEqual(['events/*', 'errors/*', '_ingested/*']);
      expect(kms).toHaveLength(1);
      expect(kms[0].Condition).toEqual({
        StringEquals: {
          'kms:ViaService': { 'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
        },
      });
      expect(text(kms[0].Resource)).toMatch(/LakeKey/);
    });

    it('may decrypt with the archive keys given in props, through S3 only', () => {
      // Arrange
      const keyArn = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
      const { template } = synthLake({
        backfill: { archiveBucketNames: ['pinpoint-archive'], archiveKeyArns: [keyArn] },
      });
      const [[, fn]] = backfillFunction(template);
      const roleId = (fn.Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
      // Act
      const decrypt = statementsOf(template, roleId).find((s) => s.Sid === 'ArchiveDecrypt');
      // Assert
      expect(decrypt).toEqual(
        expect.objectContaining({ Action: 'kms:Decrypt', Resource: keyArn, Condition: expect.anything() }),
      );
    });

    it('grants no wildcard action to either role', () => {
      // Arrange
      const { template } = synthLake(BACKFILL);
      const roles = [
        ...roleAssumedBy(template, 'batchoperations.s3.amazonaws.com'),
        (backfillFunction(template)[0][1].Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0],
      ];
      // Act
      const actions = roles.flatMap((id) => statementsOf(template, id)).flatMap((s) => [s.Action].flat());
      // Assert
      expect(actions.length).toBeGreaterThan(10);
      expect(actions.filter((a) => a.includes('*'))).toEqual([]);
    });
  });

  describe('cdk-nag', () => {
    it.each([
      ['the backfill option alone', BACKFILL],
      [
        'the backfill option with every source and a Kinesis stream',
        { ...ALL_SOURCES, ...BACKFILL, createSourceStream: true },
      ],
    ])('passes AwsSolutions with %s', (_name, props) => {
      // Arrange
      const { app, stack } = synthLake(props);
      // Act
      const report = new AwsSolutionsChecks(app).validateScope(stack);
      // Assert
      expect(
        report.violations.map(
          (v) => `${v.ruleName}: ${JSON.stringify(v.violatingResources.map((r) => r.locations))}`,
        ),
      ).toEqual([]);
    });

    it('gives each backfill acknowledgement a written reason', () => {
      // Arrange
      const { stack } = synthLake(BACKFILL);
      const backfill = stack.node.findChild('Lake').node.findChild('Backfill');
      // Act
      const reasons = backfill.node
        .findAll()
        .flatMap((c) => c.node.metadata.filter((m) => m.type === 'aws:cdk:acknowledged-rules'))
        .flatMap((m) => Object.values(m.data as Record<string, string>));
      // Assert
      expect(reasons.length).toBeGreaterThan(0);
      for (const reason of reasons) expect(reason.length).toBeGreaterThan(30);
    });
  });

  describe('settings', () => {
    it.each([
      [{ archiveBucketNames: [] }, /at least one bucket/],
      [{ archiveBucketNames: ['Not_A_Bucket'] }, /S3 bucket names, got 'Not_A_Bucket'/],
      [{ archiveBucketNames: ['archive'], reservedConcurrency: 0 }, /from 1 to 900, got 0/],
      [{ archiveBucketNames: ['archive'], archiveKeyArns: ['alias/x'] }, /KMS key ARNs/],
    ])('refuses %j with a one-line UserInputError', (backfill, message) => {
      // Arrange
      const build = () => new EngagementLakeStack(testApp(), 'Bad', { lake: { backfill } });
      // Act / Assert
      expect(build).toThrow(UserInputError);
      expect(build).toThrow(message);
    });

    it('refuses backfill context keys without archive buckets', () => {
      // Arrange
      const parse = () => parseLakeConfig({ backfillReservedConcurrency: 10 });
      // Act / Assert
      expect(parse).toThrow(/set 'engagementLake.backfillArchiveBuckets'/);
    });
  });
});
