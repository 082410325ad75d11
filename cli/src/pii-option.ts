/** `--pii <mode>` on `ingest` and `serve`: checked here so both give the same one-line errors. */
import { parsePiiMode, type PiiPolicy } from '../../transform/src/pii';
import { PII_KEY_ENV, piiPolicyFromEnv } from '../../transform/src/pii-key';

export const PII_FLAG = '--pii <mode>';
export const PII_HELP = `personal data: keep (default), hash (HMAC-SHA256 keyed by $${PII_KEY_ENV}) or drop`;

/** The policy for `--pii`, the key from the environment; undefined for keep. */
export function piiPolicyOption(mode: string | undefined): PiiPolicy | undefined {
  return piiPolicyFromEnv(parsePiiMode(mode ?? 'keep', '--pii'), process.env);
}
