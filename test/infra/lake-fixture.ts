import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { EngagementLakeStack, type EngagementLakeStackProps } from '../../infra/src/engagement-lake-stack';
import type { EngagementLakeProps } from '../../infra/src/props';

/** A fresh app whose stacks skip asset bundling (only bundling.test.ts really bundles). */
export function testApp(): App {
  return new App({ context: { 'aws:cdk:bundling-stacks': [] } });
}

/** A fresh stack holding one lake, and its template. */
export function synthLake(
  lake: EngagementLakeProps = {},
  stackProps: Omit<EngagementLakeStackProps, 'lake'> = {},
) {
  const app = testApp();
  const stack = new EngagementLakeStack(app, 'TestLake', { ...stackProps, lake });
  return { app, stack, template: Template.fromStack(stack) };
}

/** Every source switched on: the configuration with the most IAM in it. */
export const ALL_SOURCES: EngagementLakeProps = {
  sesConfigurationSetNames: ['marketing'],
  smsVoiceConfigurationSetNames: ['alerts'],
  pinpointApplicationIds: ['0123456789abcdef0123456789abcdef'],
  forwardDefaultBusEvents: true,
  alarmEmail: 'ops@example.com',
};

/** The resources of one type in a template, by logical id. */
export function resourcesOf(
  template: Template,
  type: string,
): Record<string, { Properties: Record<string, unknown> }> {
  return template.findResources(type) as Record<string, { Properties: Record<string, unknown> }>;
}
