/**
 * The Secrets Manager provider of `secrets.ts`, in a module of its own so that it loads with the first secret a
 * function declares: its imports (Powertools' Parameters utility, the AWS SDK's Secrets Manager client) are the
 * only cost of reading secrets, and a function that reads none never pays it. Imported, not required, so a bundler
 * resolves Powertools in the same module format as the toolkit's logger and bundles their shared code once.
 */
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
// eslint-disable-next-line import/no-extraneous-dependencies -- the AWS SDK v3 of the Lambda runtime (README: Dependencies)
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** What binds a call to the invocation's deadline: `sendOptions()` of the toolkit's `deadline.ts`. */
export type SendOptions = () => { abortSignal: AbortSignal } | undefined;

/**
 * A provider whose client bounds each attempt like the table's (1 s to connect, 3 s to answer), and each call by the
 * invocation's deadline (`deadline()`, unless a caller passes options of its own).
 */
export function createSecretsProvider(deadline: SendOptions): SecretsProvider {
  class DeadlineBoundClient extends SecretsManagerClient {
    public override send(command: any, options?: any, callback?: any): any {
      return callback === undefined && typeof options !== 'function'
        ? super.send(command, options ?? deadline())
        : super.send(command, options, callback);
    }
  }
  return new SecretsProvider({
    awsSdkV3Client: new DeadlineBoundClient({
      requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000, throwOnRequestTimeout: true },
    }),
  });
}
