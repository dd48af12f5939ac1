import { createHash, randomUUID } from 'crypto';
// eslint-disable-next-line import/no-extraneous-dependencies -- the AWS SDK v3 of the Lambda runtime (README: Dependencies)
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { nowEpochSeconds } from './clock';
import { sendOptions } from './deadline';
import { isConditionalCheckFailed, itemOfConditionFailure } from './dynamodb-errors';
import { itemKeyOf, keyParamsOf } from './keys';
import { badRequest, HttpError, retryLater } from './problem';
import type { ApiRequest } from './request';
import type { ProxyResult } from './response';
import type { TableContext } from './table-config';
import type { AccessPatternDescriptor } from '../shared/key-shape';

/** Options of idempotent requests. */
export interface IdempotencyOptions {
  /**
   * The PutItem access pattern of the records. Its key shapes are filled with a hash of the request's scope and
   * key, e.g. partition key `IDEMPOTENCY#{key}` and sort key `RECORD`: one partition per record, so records
   * never pile up under one hot key. Default `"putIdempotencyRecord"`.
   */
  readonly putPattern?: string;
  /**
   * The GetItem access pattern with the same key shapes, for reading a record back when DynamoDB does not
   * return it with the failed condition. Default `"getIdempotencyRecord"`; optional on DynamoDB itself.
   */
  readonly getPattern?: string;
  /** How long a completed request's response is replayed, in seconds. Default 86,400 (24 hours). */
  readonly expiresAfterSeconds?: number;
  /**
   * How long an in-progress claim blocks duplicates, in seconds, before a retry may run the request again
   * (its first run having died). Default: the function's remaining time plus 5 seconds, or 60 without a context.
   */
  readonly lockSeconds?: number;
  /** Request header carrying the client's key. Default `idempotency-key`. */
  readonly header?: string;
  /**
   * The key of a request, instead of the header: e.g. a webhook's event id, from the validated body. It names
   * the operation whoever sends it (not scoped to the caller). Undefined means the request carries none.
   */
  readonly keyOf?: (request: ApiRequest, body: unknown) => string | undefined;
  /** Refuse requests without a key (400). Default false: they run without idempotency. */
  readonly required?: boolean;
}

/** The header a replayed response carries. */
export const IDEMPOTENT_REPLAY_HEADER = 'idempotent-replayed';

/** Longest key accepted. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
/** Largest response stored for replay: DynamoDB items hold 400 KB, the rest of the record needs a little. */
export const MAX_STORED_RESPONSE_BYTES = 350 * 1024;

const IN_PROGRESS = 'IN_PROGRESS';
const COMPLETED = 'COMPLETED';

interface IdempotencyRecord {
  readonly status?: string;
  readonly fingerprint?: string;
  readonly lockExpiresAtMs?: number;
  readonly owner?: string;
  readonly response?: ProxyResult;
  readonly [attribute: string]: unknown;
}

/** A claimed key: `complete()` stores the response, `release()` lets a retry run the request again. */
export interface IdempotencyClaim {
  complete(response: ProxyResult): Promise<void>;
  release(): Promise<void>;
}

/**
 * The outcome of `begin()`: run the request under a claim, or answer with the stored response. A run carries the
 * seed its writes derive their ids from (`withIdempotentWrites`): the same for every run of the same request.
 */
export type IdempotencyOutcome =
  | { readonly kind: 'run'; readonly claim: IdempotencyClaim; readonly seed: string }
  | { readonly kind: 'replay'; readonly response: ProxyResult };

/**
 * Exactly-once execution per idempotency key, on one DynamoDB item per key:
 * - the first request claims the key with a conditional put and runs;
 * - its response (any status below 500 except 408 and 429) is stored and replayed to every retry until the
 *   record expires through TTL; a 5xx, 408, 429 or a crash releases the claim, so a retry runs again;
 * - a retry with a different method, path or body is a 422; one that arrives while the first still runs is a 409
 *   with `Retry-After`;
 * - a run after one whose answer was lost (a 503, or a crash past the lock) writes with the same write ids as the
 *   first, so the toolkit's writes recognise what the first run already wrote instead of writing it again.
 * Keys are scoped to the route and the caller, so one caller can never replay another's response; a client's key
 * from a caller the authorizer did not identify is refused (400), as there is no caller to scope it to.
 */
export class Idempotency {
  private readonly table: TableContext;
  private readonly options: IdempotencyOptions;
  private readonly put: AccessPatternDescriptor;
  private readonly canGet: boolean;

  constructor(table: TableContext, options: IdempotencyOptions = {}) {
    this.table = table;
    this.options = options;
    const putName = options.putPattern ?? 'putIdempotencyRecord';
    const getName = options.getPattern ?? 'getIdempotencyRecord';
    const patterns = table.config.accessPatterns;
    const put = patterns[putName];
    if (put === undefined || put.operation !== 'PutItem' || keyParamsOf(put).join() !== 'key') {
      throw new Error(
        `idempotency needs a PutItem access pattern named "${putName}" whose key shapes use {key} only, e.g. AccessPattern.putItem({ partitionKey: 'IDEMPOTENCY#{key}', sortKey: 'RECORD' })`,
      );
    }
    const get = patterns[getName];
    if (
      get !== undefined &&
      (get.operation !== 'GetItem' ||
        JSON.stringify([get.partitionKey, get.sortKey]) !== JSON.stringify([put.partitionKey, put.sortKey]))
    ) {
      throw new Error(`access pattern "${getName}" must be a GetItem with the same key shapes as "${putName}"`);
    }
    if (options.expiresAfterSeconds !== undefined && !(options.expiresAfterSeconds >= 60)) {
      throw new Error(`idempotency.expiresAfterSeconds must be at least 60, got: ${options.expiresAfterSeconds}`);
    }
    this.put = put;
    this.canGet = get !== undefined;
  }

  /** The key the request carries, validated; undefined when it carries none and none is required. */
  public keyOf(request: ApiRequest, body: unknown): string | undefined {
    const header = (this.options.header ?? 'idempotency-key').toLowerCase();
    if (this.options.keyOf) {
      // The handler's own key (hashed into the record key, so any length and character will do).
      const derived = this.options.keyOf(request, body);
      if (derived === undefined || derived === '') {
        if (this.options.required) throw new Error('idempotency.keyOf returned no key for a request that needs one');
        return undefined;
      }
      return derived;
    }
    const key = request.headers[header];
    // Only an absent header means "no idempotency": a client opts in by sending the field
    // (https://datatracker.ietf.org/doc/draft-ietf-httpapi-idempotency-key-header/), so one sent empty is a
    // malformed key, refused below like a blank one, never a silent opt-out that lets a retry run twice.
    if (key === undefined) {
      if (this.options.required) {
        throw badRequest(`this request needs an \`${header}\` header: a unique value per operation, reused on retries`);
      }
      return undefined;
    }
    if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH || !/^[\x21-\x7e]+$/.test(key)) {
      throw badRequest(
        `\`${header}\` must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} visible ASCII characters, got ${key.length} characters`,
        [{ field: header, message: `1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} visible ASCII characters` }],
      );
    }
    return key;
  }

  /** Claims `key` for `request`, or answers with the stored response, a 409 (in progress) or a 422 (other payload). */
  public async begin(request: ApiRequest, key: string, remainingMs?: number): Promise<IdempotencyOutcome> {
    const scope = `${request.routeKey}\n${this.callerOf(request)}\n${key}`;
    const recordKey = itemKeyOf(this.put, { key: createHash('sha256').update(scope).digest('base64url') });
    const fingerprint = createHash('sha256')
      .update(`${request.method} ${request.path}\n${JSON.stringify(request.query)}\n`)
      .update(request.rawBody)
      .digest('base64url');
    // The request's content is part of the seed: a key reused for another request, once its record has expired,
    // must not find the first request's writes and take them for its own.
    const seed = createHash('sha256').update(`${scope}\n${fingerprint}`).digest('base64url');
    const lockMs =
      this.options.lockSeconds !== undefined ? this.options.lockSeconds * 1000 : (remainingMs ?? 55_000) + 5_000;
    // A record that expired between the failed claim and the read is claimed again, once.
    for (let attempt = 0; attempt < 2; attempt++) {
      const owner = randomUUID();
      const claimed = await this.claim(recordKey, fingerprint, owner, lockMs);
      if (claimed === true) return { kind: 'run', claim: this.claimOf(recordKey, fingerprint, owner), seed };
      const record = claimed ?? (await this.read(recordKey));
      if (record === undefined) continue;
      // The claim was applied but its answer lost, and the SDK's retry found this request's own claim.
      if (record.owner === owner) return { kind: 'run', claim: this.claimOf(recordKey, fingerprint, owner), seed };
      if (record.fingerprint !== fingerprint) {
        throw new HttpError(
          422,
          'this idempotency key was used with another request (method, path or body): use a new key for a new request',
        );
      }
      if (record.status === COMPLETED && record.response) {
        const response = record.response;
        return {
          kind: 'replay',
          response: { ...response, headers: { ...response.headers, [IDEMPOTENT_REPLAY_HEADER]: 'true' } },
        };
      }
      const waitMs = Math.max(0, (record.lockExpiresAtMs ?? 0) - this.table.clock());
      throw retryLater(
        409,
        'a request with this idempotency key is still in progress; retry after the time in Retry-After',
        Math.min(waitMs / 1000, 5),
      );
    }
    throw retryLater(503, 'the idempotency record changed while being read; retry the request', 1);
  }

  /**
   * Whom a key belongs to. A client's own key is scoped to the client; an anonymous client is known only by its
   * address. A key the handler derives (a webhook's event id) names the same event whoever delivers it.
   */
  private callerOf(request: ApiRequest): string {
    const principal = request.principal;
    if (this.options.keyOf) return principal.id !== undefined ? `${principal.kind}:${principal.id}` : 'anonymous';
    if (principal.id === undefined) return `ip:${request.sourceIp}`;
    // An authorizer that let a caller in without naming it (a JWT without `sub`, a Lambda authorizer without
    // `principalId`) leaves every such caller reading as "unknown", so scoping by that id would replay one
    // caller's response to another. Nothing else in the request is that caller: a hash of the token changes when
    // the token is refreshed (a retry would run again) and the source address is shared behind a NAT or proxy.
    // So the key is refused, before any record is read or written; the request may still go without one.
    if (principal.id === 'unknown') {
      const header = (this.options.header ?? 'idempotency-key').toLowerCase();
      const fix = this.options.required
        ? `send \`${header}\` as an identified caller`
        : `send \`${header}\` as an identified caller, or send no \`${header}\``;
      throw badRequest(
        `this route keeps idempotency keys per caller, and the authorizer did not identify this one (a JWT without \`sub\`, a Lambda authorizer without \`principalId\`): ${fix}`,
        [{ field: header, message: 'needs an identified caller' }],
      );
    }
    return `${principal.kind}:${principal.id}`;
  }

  /** Puts the in-progress record unless a live one exists: true when claimed, else the record if DynamoDB returned it. */
  private async claim(
    key: object,
    fingerprint: string,
    owner: string,
    lockMs: number,
  ): Promise<true | IdempotencyRecord | undefined> {
    const ttl = this.table.config.ttlAttribute;
    // One reading of the clock: the lock, the record's expiry and the conditions agree on when "now" is.
    const nowMs = this.table.clock();
    const now = Math.floor(nowMs / 1000);
    try {
      await this.table.client.send(
        new PutCommand({
          TableName: this.table.config.tableName,
          Item: {
            ...key,
            status: IN_PROGRESS,
            fingerprint,
            owner,
            lockExpiresAtMs: nowMs + lockMs,
            [ttl]: now + this.expiresAfterSeconds(),
          },
          // Free: no record, an expired one (TTL deletes late), or a claim whose request died holding it.
          ConditionExpression:
            'attribute_not_exists(#pk) OR #ttl <= :now OR (#status = :inProgress AND #lock < :nowMs)',
          ExpressionAttributeNames: {
            '#pk': this.table.config.partitionKey,
            '#ttl': ttl,
            '#status': 'status',
            '#lock': 'lockExpiresAtMs',
          },
          ExpressionAttributeValues: { ':now': now, ':inProgress': IN_PROGRESS, ':nowMs': nowMs },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
        sendOptions(),
      );
      return true;
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      return this.live(itemOfConditionFailure(error));
    }
  }

  private async read(key: { [attribute: string]: string }): Promise<IdempotencyRecord | undefined> {
    if (!this.canGet) return undefined;
    const result = await this.table.client.send(
      new GetCommand({ TableName: this.table.config.tableName, Key: key, ConsistentRead: true }),
      sendOptions(),
    );
    return this.live(result.Item);
  }

  private live(record: IdempotencyRecord | undefined): IdempotencyRecord | undefined {
    const expiresAt = record?.[this.table.config.ttlAttribute];
    return record === undefined || (typeof expiresAt === 'number' && expiresAt <= nowEpochSeconds(this.table.clock))
      ? undefined
      : record;
  }

  private claimOf(key: object, fingerprint: string, owner: string): IdempotencyClaim {
    // Each write is conditional on still owning the claim, so a request that outlived its lock cannot
    // overwrite the record of the retry that took over.
    const write = async (item: object) => {
      try {
        await this.table.client.send(
          new PutCommand({
            TableName: this.table.config.tableName,
            Item: { ...key, fingerprint, owner, ...item },
            ConditionExpression: '#owner = :owner',
            ExpressionAttributeNames: { '#owner': 'owner' },
            ExpressionAttributeValues: { ':owner': owner },
          }),
          sendOptions(),
        );
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
      }
    };
    const ttl = this.table.config.ttlAttribute;
    // Releasing leaves an in-progress claim whose lock has already expired, which the next claim may take.
    const release = () =>
      write({
        status: IN_PROGRESS,
        lockExpiresAtMs: 0,
        [ttl]: nowEpochSeconds(this.table.clock) + this.expiresAfterSeconds(),
      });
    return {
      complete: (response) =>
        isReplayable(response.statusCode) && Buffer.byteLength(response.body) <= MAX_STORED_RESPONSE_BYTES
          ? write({
              status: COMPLETED,
              response,
              [ttl]: nowEpochSeconds(this.table.clock) + this.expiresAfterSeconds(),
            })
          : release(),
      release,
    };
  }

  private expiresAfterSeconds(): number {
    return this.options.expiresAfterSeconds ?? 24 * 60 * 60;
  }
}

/** Whether a response is the request's outcome, to replay, or a passing condition a retry may not meet. */
export function isReplayable(status: number): boolean {
  return status < 500 && status !== 408 && status !== 429;
}
