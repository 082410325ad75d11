/**
 * The Firehose Lambda's settings, read once from the environment at the edge. Everything inside
 * `transform/src` takes them as arguments and never reads `process.env` itself.
 */
import { UserInputError } from './errors';
import { DEFAULT_METRICS_NAMESPACE, DEFAULT_SERVICE_NAME } from './metrics-names';
import { parsePiiMode, type PiiMode } from './pii';
import { DEFAULT_DT_START } from './schema';

export interface HandlerConfig {
  /** `INCLUDE_RAW`: keep each event's JSON text in `raw` (default true). */
  includeRaw: boolean;
  /** `DT_START`: first day of the `dt` projection range, `YYYY-MM-DD` (default 2015-01-01). */
  dtStart: string;
  /** `PII_MODE`: keep, hash or drop personal data (default keep). */
  piiMode: PiiMode;
  /** `PII_KEY_SECRET_ARN`: the Secrets Manager secret holding the HMAC key, for `hash` on AWS. */
  piiKeySecretArn?: string;
  /** `POWERTOOLS_METRICS_NAMESPACE` (default `EngagementLake`). */
  metricsNamespace: string;
  /** `POWERTOOLS_SERVICE_NAME` (default `engagement-lake`): the logs' `service` and the metrics' `service` dimension. */
  serviceName: string;
}

const TRUE = new Set(['true', '1', 'yes']);
const FALSE = new Set(['false', '0', 'no']);

function readBoolean(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (TRUE.has(raw.toLowerCase())) return true;
  if (FALSE.has(raw.toLowerCase())) return false;
  throw new UserInputError(`${name} must be 'true' or 'false', got '${raw}'`);
}

function readDate(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(raw) ? Date.parse(`${raw}T00:00:00Z`) : NaN;
  // Date.parse rolls 2015-02-30 over to March; a real date formats back to itself.
  const valid = Number.isFinite(ms) && new Date(ms).toISOString().startsWith(raw);
  if (!valid) throw new UserInputError(`${name} must be a date like 2015-01-01 (YYYY-MM-DD), got '${raw}'`);
  return raw;
}

/**
 * Reads and checks the handler's settings. Throws UserInputError naming the variable and the bad
 * value, so a misconfigured function fails at its first cold start rather than writing wrong data.
 */
export function readHandlerConfig(env: NodeJS.ProcessEnv): HandlerConfig {
  return {
    includeRaw: readBoolean(env, 'INCLUDE_RAW', true),
    dtStart: readDate(env, 'DT_START', DEFAULT_DT_START),
    piiMode: env.PII_MODE?.trim() ? parsePiiMode(env.PII_MODE, 'PII_MODE') : 'keep',
    piiKeySecretArn: env.PII_KEY_SECRET_ARN?.trim() || undefined,
    metricsNamespace: env.POWERTOOLS_METRICS_NAMESPACE?.trim() || DEFAULT_METRICS_NAMESPACE,
    serviceName: env.POWERTOOLS_SERVICE_NAME?.trim() || DEFAULT_SERVICE_NAME,
  };
}
