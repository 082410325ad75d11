/**
 * The HMAC key for `pii: hash` as text: from ENGAGEMENT_LAKE_PII_KEY locally, from Secrets Manager
 * on AWS (transform/pii-secret.ts). Both read the text's UTF-8 bytes, so a local run given the
 * secret's value hashes exactly as the Lambda does.
 */
import { UserInputError } from './errors';
import type { PiiMode, PiiPolicy } from './pii';

export const PII_KEY_ENV = 'ENGAGEMENT_LAKE_PII_KEY';
const MIN_KEY_CHARS = 16;

/** The key's bytes; throws when it is too short to resist guessing. */
export function piiKeyFromText(text: string, source: string): Uint8Array {
  if (text.length < MIN_KEY_CHARS)
    throw new UserInputError(`the pii key from ${source} must be at least ${MIN_KEY_CHARS} characters`);
  return new TextEncoder().encode(text);
}

/**
 * The policy for a mode, with the key taken from the environment: undefined for `keep`. Throws one
 * line saying how to set the key when `hash` has none.
 */
export function piiPolicyFromEnv(mode: PiiMode, env: NodeJS.ProcessEnv): PiiPolicy | undefined {
  if (mode === 'keep') return undefined;
  if (mode === 'drop') return { mode };
  const text = env[PII_KEY_ENV];
  if (!text)
    throw new UserInputError(
      `pii hash needs a secret key: set ${PII_KEY_ENV} (at least ${MIN_KEY_CHARS} characters, e.g. export ${PII_KEY_ENV}=$(openssl rand -hex 32)); keep it, or hashes will not match across runs`,
    );
  return { mode, key: piiKeyFromText(text, PII_KEY_ENV) };
}
