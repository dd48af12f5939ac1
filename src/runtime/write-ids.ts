import { createHash, randomUUID } from 'crypto';
import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Attribute the toolkit stamps on each write it makes, naming the write: `<writer>.<sequence>`. The writer is
 * random for a plain request; inside an idempotent request it is derived from the idempotency key, the request
 * and the item, so every run of that request names its writes alike. Finding the write's own id on the item
 * tells the toolkit that the write already happened (its answer was lost, or an earlier run of the same request
 * made it), so it answers as done instead of writing again or answering a conflict.
 */
export const WRITE_ID_ATTRIBUTE = '_writeId';

/** Digits of a write's sequence number, fixed so that DynamoDB compares sequences of one writer as strings. */
const SEQUENCE_DIGITS = 6;

/** The id one write stamps on its item. */
export interface WriteId {
  /** Shared by every write of the request on this item: `begins_with` finds them. */
  readonly writer: string;
  /** `<writer>.<sequence>`: the value stamped. */
  readonly id: string;
}

interface IdempotentWrites {
  readonly seed: string;
  /** Writes made so far on each item, by table and key: the next one's sequence number. */
  readonly writesPerItem: Map<string, number>;
  /** Messages sent so far to each destination: the next one's sequence number. */
  readonly messagesPerDestination: Map<string, number>;
  idsIssued: number;
}

const current = new AsyncLocalStorage<IdempotentWrites>();

/**
 * Runs `fn` as a run of the idempotent request `seed` names (a hash of its scope, key and content): the writes it
 * makes and the ids `newId()` gives are the same on every run of that request, in the order the run makes them.
 */
export function withIdempotentWrites<T>(seed: string, fn: () => Promise<T>): Promise<T> {
  return current.run({ seed, writesPerItem: new Map(), messagesPerDestination: new Map(), idsIssued: 0 }, fn);
}

function digest(...parts: string[]): Buffer {
  return createHash('sha256').update(parts.join('\n')).digest();
}

/**
 * The id of the next write to the item `key` of `tableName`. Inside an idempotent request, the n-th write of a
 * run to an item gets the same id on every run; elsewhere a random one, which still recognises the SDK's own
 * retry of a write whose answer was lost.
 */
export function nextWriteId(tableName: string, key: { readonly [attribute: string]: string }): WriteId {
  const writes = current.getStore();
  if (writes === undefined) {
    const writer = randomUUID();
    return { writer, id: `${writer}.${'1'.padStart(SEQUENCE_DIGITS, '0')}` };
  }
  const item = JSON.stringify([tableName, Object.entries(key).sort(([a], [b]) => (a < b ? -1 : 1))]);
  const sequence = (writes.writesPerItem.get(item) ?? 0) + 1;
  writes.writesPerItem.set(item, sequence);
  // 128 bits: a collision between two requests' writers would have one take the other's write for its own.
  const writer = digest(writes.seed, item).subarray(0, 16).toString('base64url');
  return { writer, id: `${writer}.${String(sequence).padStart(SEQUENCE_DIGITS, '0')}` };
}

/**
 * Whether `item` carries this write, or a later write of the same request (which implies this one was made):
 * the item holds the write's effect, so the write is done.
 */
export function carriesWrite(item: { readonly [attribute: string]: unknown } | undefined, write: WriteId): boolean {
  const stamped = item?.[WRITE_ID_ATTRIBUTE];
  return typeof stamped === 'string' && stamped.startsWith(`${write.writer}.`) && stamped >= write.id;
}

/**
 * The condition that the item does not carry this write or a later one of the same request, with its names
 * (`#w`) and values (`:writer`, `:writeId`). An item without a write id passes: `begins_with` of a missing
 * attribute is false.
 */
export function notYetWritten(write: WriteId): {
  readonly condition: string;
  readonly names: { readonly [name: string]: string };
  readonly values: { readonly [name: string]: string };
} {
  return {
    condition: '(NOT begins_with(#w, :writer) OR #w < :writeId)',
    names: { '#w': WRITE_ID_ATTRIBUTE },
    values: { ':writer': `${write.writer}.`, ':writeId': write.id },
  };
}

/**
 * A new id for something the request creates (a UUID). Random, except inside an idempotent request, where the
 * n-th id a run asks for is the same on every run: a run after a lost answer then creates the same item, which
 * `create()` recognises as its own, instead of a second one under a new id. Use it where a handler would call
 * `randomUUID()` for a key.
 *
 * The derived ids are UUIDv8 (RFC 9562, section 5.8: 122 bits of a SHA-256 of the request and the count).
 */
export function newId(): string {
  const writes = current.getStore();
  if (writes === undefined) return randomUUID();
  writes.idsIssued += 1;
  return uuidV8(digest(writes.seed, 'id', String(writes.idsIssued)));
}

/**
 * The id of the next message sent to `destination` (a queue; an event bus and detail type): random, except inside
 * an idempotent request, where the n-th message a run sends to one destination has the same id on every run. A run
 * after a lost answer sends its messages again under the ids of the first run's, so a FIFO queue drops them
 * (`MessageDeduplicationId`) and a worker with idempotency processes each once. Counted per destination, so a run
 * that sends to another destination first, or not at all, leaves the ids of this one as they were.
 */
export function nextMessageId(destination: string): string {
  const writes = current.getStore();
  if (writes === undefined) return randomUUID();
  const sequence = (writes.messagesPerDestination.get(destination) ?? 0) + 1;
  writes.messagesPerDestination.set(destination, sequence);
  return uuidV8(digest(writes.seed, 'message', destination, String(sequence)));
}

/** A UUIDv8 (RFC 9562, section 5.8) of the first 16 bytes of a digest: 122 bits of it. */
function uuidV8(digested: Buffer): string {
  const bytes = digested.subarray(0, 16);
  bytes[6] = 0x80 + (bytes[6] % 0x10); // version 8 in the high nibble
  bytes[8] = 0x80 + (bytes[8] % 0x40); // variant 0b10 in the high bits
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
