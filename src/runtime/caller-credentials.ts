// eslint-disable-next-line import/no-extraneous-dependencies -- the AWS SDK v3 of the Lambda runtime (README: Dependencies)
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { systemClock, type Clock } from './clock';
import { sendOptions } from './deadline';

/** Temporary credentials of one caller's session of the caller role. */
export interface CallerCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  /** When STS says they expire. */
  readonly expiration: Date;
}

/** Options of `CallerSessions`. */
export interface CallerSessionOptions {
  /** The caller role (`TABLE_CALLER_ROLE_ARN`). */
  readonly roleArn: string;
  /** The STS client to assume it with. Default: one from the standard AWS SDK environment, made on first use. */
  readonly sts?: STSClient;
  /**
   * Seconds each session lasts. Role chaining (a Lambda function's session assuming a role) caps it at 3,600.
   * Default 3,600: one AssumeRole per caller per execution environment and hour.
   */
  readonly durationSeconds?: number;
  /** A session is renewed this many seconds before it expires, so no call carries credentials about to lapse. Default 300. */
  readonly renewBeforeSeconds?: number;
  /**
   * Callers whose sessions one execution environment keeps; the least recently used is dropped past it. Default
   * 1,000: a few hundred bytes of credentials and a client each.
   */
  readonly maxCallers?: number;
  readonly clock?: Clock;
}

/** Characters a session tag value may hold (and the length it may have). https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_know */
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,256}$/u;

/** Whether `value` can be a session tag value: AWS refuses others, and `#` would let a value span key segments. */
export function isTagValue(value: string): boolean {
  return TAG_VALUE.test(value);
}

/**
 * `RoleSessionName` names the caller in CloudTrail: its values where they fit `[\w+=,.@-]{2,64}`, others replaced.
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
 */
export function sessionNameOf(tags: { readonly [key: string]: string }): string {
  const name = Object.keys(tags)
    .sort()
    .map((key) => tags[key])
    .join('.')
    .replace(/[^\w+=,.@-]/g, '-')
    .slice(0, 64);
  return name.length >= 2 ? name : `caller-${name}`;
}

interface Entry<T> {
  readonly value: Promise<{ readonly resource: T; readonly renewAtMs: number }>;
}

/**
 * One execution environment's sessions of the caller role, per caller: each made with `AssumeRole` and the caller's
 * values as session tags, kept until shortly before it expires, and dropped least recently used past `maxCallers`.
 * Concurrent requests of one caller share one `AssumeRole`. `make` turns credentials into what is cached (a
 * DynamoDB client signing with them).
 */
export class CallerSessions<T> {
  private readonly options: CallerSessionOptions;
  private readonly make: (credentials: CallerCredentials) => T;
  private readonly entries = new Map<string, Entry<T>>();
  private sts?: STSClient;
  /** `AssumeRole` calls made: what a benchmark or test reads to see the cache work. */
  public assumed = 0;

  constructor(options: CallerSessionOptions, make: (credentials: CallerCredentials) => T) {
    const duration = options.durationSeconds ?? 3_600;
    if (!Number.isInteger(duration) || duration < 900 || duration > 3_600) {
      throw new Error(`durationSeconds must be a whole number from 900 to 3600 (role chaining), got: ${duration}`);
    }
    this.options = options;
    this.make = make;
    this.sts = options.sts;
  }

  /** The session of the caller whose values are `tags`, made or renewed when needed. */
  public async get(tags: { readonly [key: string]: string }): Promise<T> {
    const id = JSON.stringify(
      Object.keys(tags)
        .sort()
        .map((key) => [key, tags[key]]),
    );
    const now = (this.options.clock ?? systemClock)();
    const entry = this.entries.get(id);
    if (entry) {
      // Most recently used goes last, at once: a concurrent request of the same caller must still find it.
      this.entries.delete(id);
      this.entries.set(id, entry);
      try {
        const session = await entry.value;
        if (session.renewAtMs > now) return session.resource;
      } catch {
        // A failed AssumeRole is not cached: the next request tries again.
      }
      const renewing = this.entries.get(id);
      if (renewing && renewing !== entry) return (await renewing.value).resource;
    }
    const value = this.assume(tags, now);
    const fresh: Entry<T> = { value };
    this.entries.set(id, fresh);
    this.evict();
    try {
      return (await value).resource;
    } catch (error) {
      if (this.entries.get(id) === fresh) this.entries.delete(id);
      throw error;
    }
  }

  /** Callers with a session now. */
  public get size(): number {
    return this.entries.size;
  }

  private evict(): void {
    const max = this.options.maxCallers ?? 1_000;
    for (const id of this.entries.keys()) {
      if (this.entries.size <= max) return;
      this.entries.delete(id);
    }
  }

  private async assume(tags: { readonly [key: string]: string }, now: number) {
    this.sts ??= new STSClient({
      requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000, throwOnRequestTimeout: true },
    });
    this.assumed++;
    const durationSeconds = this.options.durationSeconds ?? 3_600;
    const result = await this.sts.send(
      new AssumeRoleCommand({
        RoleArn: this.options.roleArn,
        RoleSessionName: sessionNameOf(tags),
        DurationSeconds: durationSeconds,
        Tags: Object.keys(tags)
          .sort()
          .map((key) => ({ Key: key, Value: tags[key] })),
      }),
      sendOptions(),
    );
    const credentials = result.Credentials;
    if (!credentials?.AccessKeyId || !credentials.SecretAccessKey || !credentials.SessionToken) {
      throw new Error(`AssumeRole of ${this.options.roleArn} returned no credentials`);
    }
    const expiration = credentials.Expiration ?? new Date(now + durationSeconds * 1_000);
    const renewBeforeMs = (this.options.renewBeforeSeconds ?? 300) * 1_000;
    return {
      resource: this.make({
        accessKeyId: credentials.AccessKeyId,
        secretAccessKey: credentials.SecretAccessKey,
        sessionToken: credentials.SessionToken,
        expiration,
      }),
      renewAtMs: expiration.getTime() - renewBeforeMs,
    };
  }
}
