import { createHash } from 'crypto';
import { COMPLETED, IdempotencyStore, type IdempotencyStoreOptions, type StoredClaim } from './idempotency-store';
import { badRequest, HttpError, retryLater } from './problem';
import type { ApiRequest } from './request';
import type { ProxyResult } from './response';
import type { TableContext } from './table-config';

/** Options of idempotent requests. */
export interface IdempotencyOptions extends IdempotencyStoreOptions {
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
  private readonly store: IdempotencyStore;
  private readonly options: IdempotencyOptions;

  constructor(table: TableContext, options: IdempotencyOptions = {}) {
    this.store = new IdempotencyStore(table, options);
    this.options = options;
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
    const fingerprint = createHash('sha256')
      .update(`${request.method} ${request.path}\n${JSON.stringify(request.query)}\n`)
      .update(request.rawBody)
      .digest('base64url');
    // The request's content is part of the seed: a key reused for another request, once its record has expired,
    // must not find the first request's writes and take them for its own.
    const seed = createHash('sha256').update(`${scope}\n${fingerprint}`).digest('base64url');
    const acquired = await this.store.acquire(scope, fingerprint, this.store.lockMs(remainingMs));
    if (acquired.claimed) return { kind: 'run', claim: claimOf(acquired.claim), seed };
    const record = acquired.record;
    if (record.fingerprint !== fingerprint) {
      throw new HttpError(
        422,
        'this idempotency key was used with another request (method, path or body): use a new key for a new request',
      );
    }
    if (record.status === COMPLETED && isProxyResult(record.response)) {
      const response = record.response;
      return {
        kind: 'replay',
        response: { ...response, headers: { ...response.headers, [IDEMPOTENT_REPLAY_HEADER]: 'true' } },
      };
    }
    const waitMs = Math.max(0, (record.lockExpiresAtMs ?? 0) - this.store.now());
    throw retryLater(
      409,
      'a request with this idempotency key is still in progress; retry after the time in Retry-After',
      Math.min(waitMs / 1000, 5),
    );
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
}

/** A stored response is replayed; a 5xx, 408, 429 or one too large to store releases the claim instead. */
function claimOf(stored: StoredClaim): IdempotencyClaim {
  return {
    complete: (response) =>
      isReplayable(response.statusCode) && Buffer.byteLength(response.body) <= MAX_STORED_RESPONSE_BYTES
        ? stored.finish({ response })
        : stored.release(),
    release: () => stored.release(),
  };
}

function isProxyResult(value: unknown): value is ProxyResult {
  return typeof value === 'object' && value !== null && typeof (value as ProxyResult).statusCode === 'number';
}

/** Whether a response is the request's outcome, to replay, or a passing condition a retry may not meet. */
export function isReplayable(status: number): boolean {
  return status < 500 && status !== 408 && status !== 429;
}
