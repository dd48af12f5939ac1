/**
 * Secrets read at run time. A function declared with `secrets: { WEBHOOK_SECRET: secret }` finds the secret's ARN in
 * `WEBHOOK_SECRET`, never its value: `Secret.fromEnvironment('WEBHOOK_SECRET').value()` (or `getSecret()`) asks
 * Secrets Manager for the value and keeps it for a while, so warm invocations make no call and a rotated value
 * arrives without a deployment.
 *
 * Fetching and caching are Powertools' Parameters utility (`SecretsProvider`, its `maxAge` and `forceFetch`); the
 * client under it binds each call to the invocation's deadline. Both load with the first secret declared, so
 * functions that read no secret never load the Secrets Manager client.
 */
import type { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { sendOptions } from './deadline';
import { isTransient, SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS } from './dynamodb-errors';
import { HttpError } from './problem';

/** How long a value is reused before Secrets Manager is asked again, unless `maxAgeSeconds` says otherwise. */
export const DEFAULT_SECRET_MAX_AGE_SECONDS = 300;

let sharedProvider: SecretsProvider | undefined;

/** The function's one provider, built with its first secret. */
function secretsProvider(): SecretsProvider {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded with the first secret (see secrets-provider.ts)
  sharedProvider ??= (require('./secrets-provider') as typeof import('./secrets-provider')).createSecretsProvider(
    sendOptions,
  );
  return sharedProvider;
}

/** Options of `Secret.fromEnvironment()`. */
export interface SecretOptions {
  /**
   * A field of a JSON secret (`{"token": "..."}`): its value must be a string.
   * @default the whole secret string
   */
  readonly field?: string;
  /**
   * Seconds a fetched value is reused; 0 fetches at every read.
   * @default DEFAULT_SECRET_MAX_AGE_SECONDS (300)
   */
  readonly maxAgeSeconds?: number;
}

/** Options of one read of a secret. */
export interface ReadSecretOptions {
  /**
   * Fetches now, whatever the cache holds, and caches the new value: after a cached value failed (a signature that
   * no longer matches may mean the secret was rotated). Each forced fetch is a call to Secrets Manager: never force
   * one for every failed request, or unauthenticated callers decide how often the function calls it.
   * @default false
   */
  readonly forceFetch?: boolean;
}

/** Options of `getSecret()`. */
export interface GetSecretOptions extends SecretOptions, ReadSecretOptions {}

/**
 * A secret the function declared in `secrets`, by the environment variable holding its ARN. Declare it at module
 * scope, like `Table.fromEnvironment()`: the variable is read and the client built at cold start, and each `value()`
 * comes from the cache while it is younger than `maxAgeSeconds`.
 *
 * A variable that is not set fails each `value()` (a 500, logged), not the cold start: the function keeps
 * answering, and never runs without its secret.
 */
export class Secret {
  /** The secret whose ARN the environment variable `name` holds. */
  public static fromEnvironment(name: string, options: SecretOptions = {}): Secret {
    const maxAgeSeconds = options.maxAgeSeconds ?? DEFAULT_SECRET_MAX_AGE_SECONDS;
    if (!Number.isFinite(maxAgeSeconds) || maxAgeSeconds < 0) {
      throw new RangeError(`Secret: \`maxAgeSeconds\` must be 0 or more, got: ${maxAgeSeconds}`);
    }
    const secretId = process.env[name] || undefined;
    return new Secret(name, secretId, secretId === undefined ? undefined : secretsProvider(), {
      field: options.field,
      maxAgeSeconds,
    });
  }

  private constructor(
    /** The environment variable. */
    public readonly name: string,
    /** The secret's ARN, as the variable holds it; undefined when the variable is not set. */
    public readonly secretId: string | undefined,
    private readonly provider: SecretsProvider | undefined,
    private readonly options: { readonly field?: string; readonly maxAgeSeconds: number },
  ) {}

  /**
   * The secret's value (or its `field`), from the cache when fetched less than `maxAgeSeconds` ago.
   *
   * A Secrets Manager that stays throttled or unreachable after the SDK's retries, or has not answered when the
   * invocation's time runs out, rejects with a 503 `HttpError` (`Retry-After: 1`), which the handler answers as is.
   * Anything else (no such variable, access denied, no such secret, a binary secret, a missing field) rejects with
   * an error naming the variable and the cause, never the value: the handler answers it with a 500 and logs it.
   */
  public async value(options: ReadSecretOptions = {}): Promise<string> {
    const { name, secretId, provider } = this;
    if (secretId === undefined || provider === undefined) {
      throw new Error(
        `environment variable ${name} is not set: declare the secret in the function's \`secrets\` in the stack ({ ${name}: secret })`,
      );
    }
    let value: unknown;
    try {
      value = await provider.get(secretId, {
        maxAge: this.options.maxAgeSeconds,
        forceFetch: options.forceFetch ?? false,
      });
    } catch (error) {
      throw readFailure(name, secretId, error);
    }
    // Powertools reads an empty SecretString as no value at all.
    if (value === undefined) value = '';
    if (typeof value !== 'string') {
      throw new Error(`secret ${name} (${secretId}) holds a binary value: the toolkit reads secrets stored as text`);
    }
    return this.options.field === undefined ? value : fieldOf(name, value, this.options.field);
  }
}

/**
 * The value of the secret whose ARN the environment variable `name` holds: `Secret.fromEnvironment(name, options)`
 * read once, sharing the function's cache. Handy inside a handler; declare a `Secret` at module scope to read the
 * variable at cold start.
 */
export async function getSecret(name: string, options: GetSecretOptions = {}): Promise<string> {
  return Secret.fromEnvironment(name, options).value(options);
}

/** What a failed fetch becomes: a 503 when waiting may help, else an error naming the variable and the cause. */
function readFailure(name: string, secretId: string, error: unknown): Error {
  // Powertools wraps the SDK's error; the SDK's own says whether waiting helps.
  const cause = (error as { cause?: unknown }).cause ?? error;
  if (isTransient(cause)) {
    return new HttpError(
      503,
      'a service the function depends on is busy or unreachable; retry the request after the time in Retry-After',
      {
        headers: { 'retry-after': `${SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS}` },
        extensions: { retryAfterSeconds: SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS },
        cause,
      },
    );
  }
  const type = cause instanceof Error ? cause.name : 'Error';
  const message = cause instanceof Error ? cause.message : String(cause);
  return new Error(`secret ${name} (${secretId}) could not be read: ${type}: ${message}`, { cause });
}

/** A string field of a JSON secret; the error never quotes the secret, not even a parser's excerpt of it. */
function fieldOf(name: string, value: string, field: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  const found =
    typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && Object.hasOwn(parsed, field)
      ? (parsed as { [key: string]: unknown })[field]
      : undefined;
  if (typeof found !== 'string') {
    throw new Error(`secret ${name} is not a JSON object with a string field "${field}"`);
  }
  return found;
}
