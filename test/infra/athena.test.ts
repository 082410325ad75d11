import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Size, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { EngagementLake } from '../../infra/src/engagement-lake';
import { resourcesOf, synthLake, testApp } from './lake-fixture';

const SQL_DIR = join(__dirname, '..', '..', 'queries', 'sql');
const VIEWS_DIR = join(__dirname, '..', '..', 'queries', 'views');

function sqlFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort();
}

describe('EngagementLake Athena', () => {
  describe('workgroup', () => {
    it('enforces engine version 3, CloudWatch metrics and recursive delete', () => {
      // Arrange
      const { template } = synthLake();
      // Act / Assert
      template.hasResourceProperties('AWS::Athena::WorkGroup', {
        State: 'ENABLED',
        RecursiveDeleteOption: true,
        WorkGroupConfiguration: Match.objectLike({
          EnforceWorkGroupConfiguration: true,
          EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
          PublishCloudWatchMetricsEnabled: true,
        }),
      });
    });

    it('writes KMS-encrypted results to their own prefix of the data bucket', () => {
      // Arrange
      const { template } = synthLake();
      // Act / Assert
      template.hasResourceProperties('AWS::Athena::WorkGroup', {
        WorkGroupConfiguration: Match.objectLike({
          ResultConfiguration: {
            OutputLocation: {
              'Fn::Join': [
                '',
                ['s3://', { Ref: Match.stringLikeRegexp('^LakeDataBucket') }, '/athena-results/'],
              ],
            },
            EncryptionConfiguration: {
              EncryptionOption: 'SSE_KMS',
              KmsKey: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LakeKey'), 'Arn'] },
            },
            ExpectedBucketOwner: { Ref: 'AWS::AccountId' },
          },
        }),
      });
    });

    it('cancels queries that scan more than 100 GiB by default', () => {
      // Arrange
      const { template } = synthLake();
      // Act / Assert
      template.hasResourceProperties('AWS::Athena::WorkGroup', {
        WorkGroupConfiguration: Match.objectLike({ BytesScannedCutoffPerQuery: 107374182400 }),
      });
    });

    it('uses the configured scan cutoff', () => {
      // Arrange
      const { template } = synthLake({ athenaBytesScannedCutoffPerQuery: Size.gibibytes(1) });
      // Act / Assert
      template.hasResourceProperties('AWS::Athena::WorkGroup', {
        WorkGroupConfiguration: Match.objectLike({ BytesScannedCutoffPerQuery: 1073741824 }),
      });
    });

    it('refuses a scan cutoff under Athena minimum of 10 MB', () => {
      // Arrange
      const stack = new Stack(testApp(), 'S');
      // Act
      const build = () =>
        new EngagementLake(stack, 'Lake', { athenaBytesScannedCutoffPerQuery: Size.mebibytes(5) });
      // Assert
      expect(build).toThrow(
        "athenaBytesScannedCutoffPerQuery must be at least 10,000,000 bytes (Athena's minimum), got 5242880",
      );
    });
  });

  describe('named queries', () => {
    it('creates one named query per .sql file, holding the file text', () => {
      // Arrange
      const files = sqlFiles(SQL_DIR);
      const { template } = synthLake();
      // Act
      const named = Object.values(resourcesOf(template, 'AWS::Athena::NamedQuery')).map((r) => r.Properties);
      // Assert
      expect(named.map((q) => q.Name).sort()).toEqual(files.map((f) => basename(f, '.sql')));
      for (const file of files) {
        const query = named.find((q) => q.Name === basename(file, '.sql'));
        expect(query?.QueryString).toBe(readFileSync(join(SQL_DIR, file), 'utf8'));
      }
    });

    it('puts every named query in the workgroup, after the workgroup exists', () => {
      // Arrange
      const { template } = synthLake();
      // Act
      const workGroups = Object.keys(template.findResources('AWS::Athena::WorkGroup'));
      const named = Object.values(template.findResources('AWS::Athena::NamedQuery')) as {
        DependsOn: string[];
        Properties: { WorkGroup: unknown; Database: unknown };
      }[];
      // Assert
      expect(workGroups).toHaveLength(1);
      expect(named.length).toBeGreaterThan(0);
      for (const query of named) {
        expect(query.DependsOn).toContain(workGroups[0]);
        expect(query.Properties.WorkGroup).toEqual({ Ref: workGroups[0] });
        expect(query.Properties.Database).toEqual({ Ref: expect.stringMatching(/^LakeDatabase/) });
      }
    });
  });

  describe('views', () => {
    it('creates every view of queries/views at deploy time, in the workgroup and database', () => {
      // Arrange
      const names = sqlFiles(VIEWS_DIR).map((f) => basename(f, '.sql'));
      const { template } = synthLake();
      // Act
      const [views] = Object.values(template.findResources('Custom::AthenaViews')) as {
        Properties: { Views: { name: string; sql: string }[]; WorkGroup: unknown; Database: unknown };
      }[];
      // Assert
      expect(views.Properties.Views.map((v) => v.name).sort()).toEqual(names);
      expect(views.Properties.WorkGroup).toEqual({ Ref: expect.stringMatching(/^LakeWorkGroup/) });
      expect(views.Properties.Database).toEqual({ Ref: expect.stringMatching(/^LakeDatabase/) });
    });

    it('passes each view body as a SELECT', () => {
      // Arrange
      const { template } = synthLake();
      // Act
      const [views] = Object.values(template.findResources('Custom::AthenaViews')) as {
        Properties: { Views: { name: string; sql: string }[] };
      }[];
      // Assert
      for (const view of views.Properties.Views) expect(view.sql).toMatch(/^(with|select)\b/i);
    });

    it('runs the view step with an onEvent and an isComplete handler on Node.js 22', () => {
      // Arrange
      const { template } = synthLake();
      // Act / Assert
      template.hasResourceProperties('AWS::Lambda::Function', {
        Handler: 'index.onEvent',
        Runtime: 'nodejs22.x',
      });
      template.hasResourceProperties('AWS::Lambda::Function', {
        Handler: 'index.isComplete',
        Runtime: 'nodejs22.x',
      });
    });

    it('lets the view step run queries only in the lake workgroup', () => {
      // Arrange
      const { template } = synthLake();
      // Act / Assert
      template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            {
              Sid: 'Athena',
              Effect: 'Allow',
              Action: ['athena:StartQueryExecution', 'athena:GetQueryExecution'],
              Resource: {
                'Fn::Join': [
                  '',
                  Match.arrayWith([':workgroup/', { Ref: Match.stringLikeRegexp('^LakeWorkGroup') }]),
                ],
              },
            },
          ]),
        },
      });
    });

    it('creates the views after the workgroup and the table', () => {
      // Arrange
      const { template } = synthLake();
      // Act
      const [views] = Object.values(template.findResources('Custom::AthenaViews')) as {
        DependsOn: string[];
      }[];
      // Assert
      expect(views.DependsOn).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^LakeWorkGroup/),
          expect.stringMatching(/^LakeEventsTable/),
        ]),
      );
    });
  });
});
