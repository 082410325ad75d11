/**
 * The Lambdas' `pii` policy: with `hash`, the key is fetched from Secrets Manager (PII_KEY_SECRET_ARN)
 * once per cold start; without an ARN, from ENGAGEMENT_LAKE_PII_KEY as locally. The AWS call lives
 * here, at the edge, so `transform/src` stays pure.
 */
import type { HandlerConfig } from './src/handler-config';
import type { PiiPolicy } from './src/pii';
import { piiKeyFromText, piiPolicyFromEnv } from './src/pii-key';

/** Reads a secret's text; injected in tests. */
export type SecretReader = (arn: string) => Promise<string>;

const readSecret: SecretReader = async (arn) => {
  // Loaded only here: a function with pii keep or drop never initialises the SDK client.
  const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
  const { SecretString } = await new SecretsManagerClient({}).send(
    new GetSecretValueCommand({ SecretId: arn }),
  );
  if (!SecretString) throw new Error('the pii key secret has no SecretString');
  return SecretString;
};

export async function loadPiiPolicy(
  config: Pick<HandlerConfig, 'piiMode' | 'piiKeySecretArn'>,
  env: NodeJS.ProcessEnv,
  read: SecretReader = readSecret,
): Promise<PiiPolicy | undefined> {
  if (config.piiMode !== 'hash' || !config.piiKeySecretArn) return piiPolicyFromEnv(config.piiMode, env);
  return { mode: 'hash', key: piiKeyFromText(await read(config.piiKeySecretArn), 'PII_KEY_SECRET_ARN') };
}

/**
 * Memoises the policy for the life of the execution environment (one fetch per cold start); a
 * failed fetch is forgotten, so the next invocation tries again instead of failing forever.
 */
export function cachedPiiPolicy(
  load: () => Promise<PiiPolicy | undefined>,
): () => Promise<PiiPolicy | undefined> {
  let pending: Promise<PiiPolicy | undefined> | undefined;
  return () =>
    (pending ??= load().catch((error: unknown) => {
      pending = undefined;
      throw error;
    }));
}
