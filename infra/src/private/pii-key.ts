import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { LakeSettings } from './settings';

/**
 * The HMAC key for `pii: hash`: a generated secret, encrypted with the lake's key, kept on stack
 * deletion by default (without it, new hashes no longer match the lake's). Undefined for keep/drop.
 */
export function createPiiKeySecret(
  scope: Construct,
  settings: LakeSettings,
  key: kms.IKey,
): secretsmanager.Secret | undefined {
  if (settings.pii !== 'hash') return undefined;
  return new secretsmanager.Secret(scope, 'PiiKey', {
    description:
      'engagement-lake: HMAC key for hashing personal data (pii: hash); read by the transform and backfill functions only',
    encryptionKey: key,
    // Letters and digits only: the text is the key, read the same way as ENGAGEMENT_LAKE_PII_KEY locally.
    generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
    removalPolicy: settings.removalPolicy,
  });
}

/**
 * The environment a function reads its `pii` policy from (transform/src/handler-config.ts), and
 * read access to the secret for that function alone.
 */
export function piiEnvironment(
  settings: LakeSettings,
  secret: secretsmanager.ISecret | undefined,
  grantee: iam.IGrantable,
): Record<string, string> {
  if (!secret) return { PII_MODE: settings.pii };
  secret.grantRead(grantee);
  return { PII_MODE: settings.pii, PII_KEY_SECRET_ARN: secret.secretArn };
}
