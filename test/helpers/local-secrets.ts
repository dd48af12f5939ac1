/**
 * The local API's Secrets Manager in this test's process, serving secrets the test sets (and may change, as a
 * rotation would), with every GetSecretValue it answered recorded. Without an authorizer it answers any signed
 * request, as the handlers in process sign with throwaway credentials.
 */
import type { SecretsAuthorizer } from '../../src/local/contracts';
import type { LocalSecretModel } from '../../src/local/model';
import { startLocalSecretsManager } from '../../src/local/secrets';

export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';

/** The ARN a secret of this name has here: its name and a 6-character suffix, as Secrets Manager writes them. */
export function secretArn(name: string): string {
  return `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-AbCdEf`;
}

export interface TestSecrets {
  readonly endpoint: string;
  /** The `SecretId` of every GetSecretValue answered, in order. */
  readonly calls: string[];
  /** Every line the endpoint logged. */
  readonly logs: string[];
  /** Sets (or rotates) the value of the secret `name`. */
  set(name: string, value: string): void;
  close(): Promise<void>;
}

export async function startTestSecrets(
  values: { readonly [name: string]: string },
  authorizer?: SecretsAuthorizer,
): Promise<TestSecrets> {
  const secrets = new Map<string, LocalSecretModel>();
  const set = (name: string, value: string) =>
    secrets.set(name, { logicalId: name, name, secretName: name, arn: secretArn(name), value, given: true });
  Object.entries(values).forEach(([name, value]) => set(name, value));
  const calls: string[] = [];
  const logs: string[] = [];
  const server = await startLocalSecretsManager({
    app: () => ({ secrets: [...secrets.values()], region: REGION, accountId: ACCOUNT, stackName: 'Test' }),
    authorizer: authorizer && (() => authorizer),
    log: (line) => logs.push(line),
    onGetSecretValue: (secretId) => calls.push(secretId),
  });
  return { endpoint: server.endpoint, calls, logs, set, close: () => server.close() };
}
