import { createHash, randomUUID } from 'crypto';
// eslint-disable-next-line import/no-extraneous-dependencies -- the AWS SDK v3 of the Lambda runtime (README: Dependencies)
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { nowEpochSeconds } from './clock';
import { sendOptions } from './deadline';
import { isConditionalCheckFailed, itemOfConditionFailure } from './dynamodb-errors';
import { itemKeyOf, keyParamsOf } from './keys';
import { retryLater } from './problem';
import type { TableContext } from './table-config';
import type { AccessPatternDescriptor } from '../shared/key-shape';

/** Where idempotency records live and how long they last: what requests and messages share. */
export interface IdempotencyStoreOptions {
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
}

export const IN_PROGRESS = 'IN_PROGRESS';
export const COMPLETED = 'COMPLETED';

/** One record as stored: besides its key, the state of the operation it names. */
export interface IdempotencyRecord {
  readonly status?: string;
  readonly fingerprint?: string;
  readonly lockExpiresAtMs?: number;
  readonly owner?: string;
  readonly [attribute: string]: unknown;
}

/**
 * Whether an item is an idempotency record (of a request or a message), by the attributes every record carries:
 * what a table-stream worker passes over, since its own records would otherwise come back to it as changes.
 */
export function isIdempotencyRecord(item: { readonly [attribute: string]: unknown } | undefined): boolean {
  return (
    item !== undefined &&
    (item.status === IN_PROGRESS || item.status === COMPLETED) &&
    typeof item.owner === 'string' &&
    typeof item.fingerprint === 'string'
  );
}

/** A claimed key: `finish()` records the outcome, `release()` lets a retry run the operation again. */
export interface StoredClaim {
  finish(attributes: { readonly [attribute: string]: unknown }): Promise<void>;
  release(): Promise<void>;
}

/** What `acquire()` found: a claim to run under, or the live record of another run of the same key. */
export type Acquired =
  | { readonly claimed: true; readonly claim: StoredClaim }
  | { readonly claimed: false; readonly record: IdempotencyRecord };

/**
 * The records behind idempotency, one DynamoDB item per scoped key: a conditional put claims a key, and the claim's
 * owner alone may record its outcome or release it. Requests (`Idempotency`) and messages (the workers) share it.
 */
export class IdempotencyStore {
  private readonly table: TableContext;
  private readonly options: IdempotencyStoreOptions;
  private readonly put: AccessPatternDescriptor;
  private readonly canGet: boolean;

  constructor(table: TableContext, options: IdempotencyStoreOptions = {}) {
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

  /** The time the table's expiries and locks are read against. */
  public now(): number {
    return this.table.clock();
  }

  /** How long a claim made now locks its key: `lockSeconds`, else the invocation's time left plus 5 seconds. */
  public lockMs(remainingMs?: number): number {
    return this.options.lockSeconds !== undefined ? this.options.lockSeconds * 1000 : (remainingMs ?? 55_000) + 5_000;
  }

  /**
   * Claims the key `scope` names for an operation whose content hashes to `fingerprint`, or returns the live record
   * another run holds. With `takeOver`, a claim still in progress is taken as well: for callers that know no other
   * run of the key can be alive (a stream's records are never delivered to two invocations at once).
   */
  public async acquire(scope: string, fingerprint: string, lockMs: number, takeOver = false): Promise<Acquired> {
    const recordKey = itemKeyOf(this.put, { key: createHash('sha256').update(scope).digest('base64url') });
    // A record that expired between the failed claim and the read is claimed again, once.
    for (let attempt = 0; attempt < 2; attempt++) {
      const owner = randomUUID();
      const claimed = await this.claim(recordKey, fingerprint, owner, lockMs, takeOver);
      if (claimed === true) return { claimed: true, claim: this.claimOf(recordKey, fingerprint, owner) };
      const record = claimed ?? (await this.read(recordKey));
      if (record === undefined) continue;
      // The claim was applied but its answer lost, and the SDK's retry found this run's own claim.
      if (record.owner === owner) return { claimed: true, claim: this.claimOf(recordKey, fingerprint, owner) };
      return { claimed: false, record };
    }
    throw retryLater(503, 'the idempotency record changed while being read; retry the request', 1);
  }

  /** Puts the in-progress record unless a live one exists: true when claimed, else the record if DynamoDB returned it. */
  private async claim(
    key: object,
    fingerprint: string,
    owner: string,
    lockMs: number,
    takeOver: boolean,
  ): Promise<true | IdempotencyRecord | undefined> {
    const ttl = this.table.config.ttlAttribute;
    // One reading of the clock: the lock, the record's expiry and the conditions agree on when "now" is.
    const nowMs = this.table.clock();
    const now = Math.floor(nowMs / 1000);
    const inProgress = takeOver ? '#status = :inProgress' : '(#status = :inProgress AND #lock < :nowMs)';
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
          // Free: no record, an expired one (TTL deletes late), or a claim whose run died holding it.
          ConditionExpression: `attribute_not_exists(#pk) OR #ttl <= :now OR ${inProgress}`,
          ExpressionAttributeNames: {
            '#pk': this.table.config.partitionKey,
            '#ttl': ttl,
            '#status': 'status',
            ...(takeOver ? {} : { '#lock': 'lockExpiresAtMs' }),
          },
          ExpressionAttributeValues: {
            ':now': now,
            ':inProgress': IN_PROGRESS,
            ...(takeOver ? {} : { ':nowMs': nowMs }),
          },
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

  private claimOf(key: object, fingerprint: string, owner: string): StoredClaim {
    // Each write is conditional on still owning the claim, so a run that outlived its lock cannot overwrite the
    // record of the retry that took over.
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
    return {
      finish: (attributes) =>
        write({
          ...attributes,
          status: COMPLETED,
          [ttl]: nowEpochSeconds(this.table.clock) + this.expiresAfterSeconds(),
        }),
      // Releasing leaves an in-progress claim whose lock has already expired, which the next claim may take.
      release: () =>
        write({
          status: IN_PROGRESS,
          lockExpiresAtMs: 0,
          [ttl]: nowEpochSeconds(this.table.clock) + this.expiresAfterSeconds(),
        }),
    };
  }

  private expiresAfterSeconds(): number {
    return this.options.expiresAfterSeconds ?? 24 * 60 * 60;
  }
}
