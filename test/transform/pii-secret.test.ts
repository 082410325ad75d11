import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { cachedPiiPolicy, loadPiiPolicy } from '../../transform/pii-secret';
import { hashPii } from '../../transform/src/pii';
import { PII_KEY_ENV } from '../../transform/src/pii-key';

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:pii-AbCdEf';
const SECRET = 'generatedSecretValueOf64LettersAndDigits0123456789abcdefghijklmn';

describe('the Lambdas’ pii policy', () => {
  const secrets = mockClient(SecretsManagerClient);
  afterEach(() => secrets.reset());

  it('hash: reads the key from the secret the stack names, as text bytes (as ENGAGEMENT_LAKE_PII_KEY locally)', async () => {
    secrets.on(GetSecretValueCommand, { SecretId: ARN }).resolves({ SecretString: SECRET });
    const fromSecret = await loadPiiPolicy({ piiMode: 'hash', piiKeySecretArn: ARN }, {});
    const fromEnv = await loadPiiPolicy({ piiMode: 'hash' }, { [PII_KEY_ENV]: SECRET });
    expect(fromSecret?.mode === 'hash' && hashPii(fromSecret.key, 'a@example.com')).toBe(
      fromEnv?.mode === 'hash' && hashPii(fromEnv.key, 'a@example.com'),
    );
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('keep and drop never call Secrets Manager', async () => {
    expect(await loadPiiPolicy({ piiMode: 'keep', piiKeySecretArn: ARN }, {})).toBeUndefined();
    expect(await loadPiiPolicy({ piiMode: 'drop', piiKeySecretArn: ARN }, {})).toEqual({ mode: 'drop' });
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it('fetches once per cold start, and again only after a failed fetch', async () => {
    const read = jest
      .fn<Promise<string>, [string]>()
      .mockRejectedValueOnce(new Error('throttled'))
      .mockResolvedValue(SECRET);
    const policy = cachedPiiPolicy(() => loadPiiPolicy({ piiMode: 'hash', piiKeySecretArn: ARN }, {}, read));
    await expect(policy()).rejects.toThrow('throttled');
    const first = await policy();
    expect(await policy()).toBe(first);
    expect(read).toHaveBeenCalledTimes(2);
  });
});
