import type { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { EngagementLakeProps } from '../../infra/src/props';
import { ALL_SOURCES, synthLake } from './lake-fixture';

interface Statement {
  Effect: string;
  Action?: string | string[];
  Resource?: unknown;
  Principal?: unknown;
  Sid?: string;
}

/** Every statement of every identity policy (inline, managed, role inline) in the template. */
function identityStatements(template: Template): { owner: string; statement: Statement }[] {
  const found: { owner: string; statement: Statement }[] = [];
  const add = (owner: string, document: unknown) => {
    for (const statement of (document as { Statement: Statement[] }).Statement)
      found.push({ owner, statement });
  };
  for (const [id, policy] of Object.entries(template.findResources('AWS::IAM::Policy')))
    add(id, policy.Properties.PolicyDocument);
  for (const [id, policy] of Object.entries(template.findResources('AWS::IAM::ManagedPolicy')))
    add(id, policy.Properties.PolicyDocument);
  for (const [id, role] of Object.entries(template.findResources('AWS::IAM::Role'))) {
    for (const policy of role.Properties.Policies ?? []) add(id, policy.PolicyDocument);
  }
  return found;
}

const CONFIGURATIONS: [string, EngagementLakeProps][] = [
  ['the default lake', {}],
  ['every source on Direct PUT', ALL_SOURCES],
  ['every source with a new Kinesis stream', { ...ALL_SOURCES, createSourceStream: true }],
  ['pii hash with the backfill function', { pii: 'hash', backfill: { archiveBucketNames: ['archive'] } }],
  [
    'a Kinesis-only lake with Pinpoint and EventBridge',
    {
      createSourceStream: true,
      directPutStream: false,
      pinpointApplicationIds: ['app'],
      forwardDefaultBusEvents: true,
    },
  ],
];

/**
 * Resource `*` is allowed only where the service has no resource-level permissions, each named here
 * with its reason (see infra/src/nag.ts for the same reasons).
 */
const STAR_RESOURCE_ALLOWED: Record<string, string> = {
  'logs:CreateLogDelivery':
    'Step Functions log delivery (Provider framework waiter) has no resource-level permissions',
};

describe('EngagementLake security', () => {
  describe.each(CONFIGURATIONS)('%s', (_name, props) => {
    it('grants no wildcard action in any IAM policy', () => {
      // Arrange
      const { template } = synthLake(props);
      // Act
      const wildcards = identityStatements(template).flatMap(({ owner, statement }) =>
        [statement.Action ?? []]
          .flat()
          .filter((a) => a.includes('*'))
          .map((a) => `${owner}: ${a}`),
      );
      // Assert
      expect(wildcards).toEqual([]);
    });

    it('uses resource * only for actions without resource-level permissions', () => {
      // Arrange
      const { template } = synthLake(props);
      // Act
      const stars = identityStatements(template)
        .filter(({ statement }) => [statement.Resource].flat().includes('*'))
        .filter(({ statement }) => ![statement.Action ?? []].flat().some((a) => a in STAR_RESOURCE_ALLOWED))
        .map(({ owner, statement }) => `${owner}: ${JSON.stringify(statement.Action)}`);
      // Assert
      expect(stars).toEqual([]);
    });

    it('passes cdk-nag AwsSolutions with every finding acknowledged', () => {
      // Arrange
      const { app, stack } = synthLake(props);
      // Act
      const report = new AwsSolutionsChecks(app).validateScope(stack);
      // Assert
      expect(report.violations.map((v) => v.ruleName)).toEqual([]);
    });
  });

  it('gives every acknowledgement a written reason', () => {
    // Arrange
    const { stack } = synthLake({ ...ALL_SOURCES, createSourceStream: true });
    // Act
    const reasons = stack.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === 'aws:cdk:acknowledged-rules'))
      .flatMap((m) => Object.values(m.data as Record<string, string>));
    // Assert
    expect(reasons.length).toBeGreaterThan(5);
    for (const reason of reasons) expect(reason.length).toBeGreaterThan(30);
  });
});
