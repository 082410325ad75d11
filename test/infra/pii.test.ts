import type { CfnElement } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { parseLakeConfig } from '../../infra/src/config';
import { resourcesOf, synthLake } from './lake-fixture';

const BACKFILL = { archiveBucketNames: ['archive'] };

/** The logical ids of the roles whose policies allow `action`. */
function rolesAllowed(template: ReturnType<typeof synthLake>['template'], action: string): string[] {
  const roles: string[] = [];
  for (const policy of Object.values(resourcesOf(template, 'AWS::IAM::Policy'))) {
    const statements = (policy.Properties.PolicyDocument as { Statement: { Action: string | string[] }[] })
      .Statement;
    if (!statements.some((s) => [s.Action].flat().includes(action))) continue;
    for (const role of (policy.Properties.Roles as { Ref: string }[]) ?? []) roles.push(role.Ref);
  }
  return [...new Set(roles)].sort();
}

describe('EngagementLake pii', () => {
  describe('hash', () => {
    const { stack, template } = synthLake({ pii: 'hash', backfill: BACKFILL });
    const lake = stack.lake;
    const id = (element: unknown) => stack.getLogicalId(element as CfnElement);
    const secretId = id(lake.piiKey!.node.defaultChild);

    it('creates one secret with a generated value, encrypted with the lake key', () => {
      template.resourceCountIs('AWS::SecretsManager::Secret', 1);
      template.hasResourceProperties('AWS::SecretsManager::Secret', {
        GenerateSecretString: Match.objectLike({ PasswordLength: 64, ExcludePunctuation: true }),
        KmsKeyId: { 'Fn::GetAtt': [id(lake.key.node.defaultChild), 'Arn'] },
      });
    });

    it('grants read to the transform and backfill functions only', () => {
      const expected = [lake.transform.role!, lake.backfill!.functionRole]
        .map((r) => id(r.node.defaultChild))
        .sort();
      expect(rolesAllowed(template, 'secretsmanager:GetSecretValue')).toEqual(expected);
      const policies = JSON.stringify(resourcesOf(template, 'AWS::SecretsManager::ResourcePolicy'));
      expect(policies).toBe('{}');
    });

    it('passes the mode and the secret ARN to both functions', () => {
      for (const description of ['engagement-lake: flattens', 'engagement-lake: backfills']) {
        template.hasResourceProperties('AWS::Lambda::Function', {
          Description: Match.stringLikeRegexp(`^${description}`),
          Environment: {
            Variables: Match.objectLike({ PII_MODE: 'hash', PII_KEY_SECRET_ARN: { Ref: secretId } }),
          },
        });
      }
    });

    it('lets only Firehose’s own service role read the error output, which keeps original bytes', () => {
      type Statement = { Action: string | string[]; Resource: unknown };
      const readers = Object.entries(resourcesOf(template, 'AWS::IAM::Policy'))
        .filter(([, p]) =>
          (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement.some(
            (s) =>
              JSON.stringify(s.Resource).includes('/errors/') &&
              [s.Action].flat().some((a) => a.startsWith('s3:Get')),
          ),
        )
        .map(([policyId]) => policyId);
      expect(readers).toHaveLength(1);
      expect(readers[0]).toMatch(/^LakeFirehoseDestinationRole/);
    });
  });

  it.each(['keep', 'drop'] as const)('%s: no secret, and PII_MODE in the environment', (pii) => {
    const { template } = synthLake({ pii });
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^engagement-lake: flattens'),
      Environment: { Variables: Match.objectLike({ PII_MODE: pii, PII_KEY_SECRET_ARN: Match.absent() }) },
    });
  });

  it('reads pii from cdk.json and refuses an unknown mode with one line', () => {
    expect(parseLakeConfig({ pii: 'hash' }).lake.pii).toBe('hash');
    expect(() => parseLakeConfig({ pii: 'mask' })).toThrow(
      "'engagementLake.pii' must be keep, hash or drop, got 'mask'",
    );
  });
});
