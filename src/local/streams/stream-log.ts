/**
 * The tables' streams: each change of an item of a table with a stream becomes a record, in the order the writes
 * happened, with a sequence number that only grows, kept for 24 hours as DynamoDB keeps them. A record carries the
 * item's keys and the images its view type asks for; a deletion by TTL is made by DynamoDB itself. The local stream
 * has one shard, so its records are in one order for every item (DynamoDB orders them per item).
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/time-to-live-ttl-streams.html
 * https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html#services-ddb-event
 */
import { randomBytes } from 'crypto';
import type { LocalStreamModel } from '../workers-model';
import type { AttributeMap, ItemChange } from './change';

/** A record as Lambda hands it to a function. */
export interface StreamRecord {
  readonly eventID: string;
  readonly eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  readonly eventVersion: '1.1';
  readonly eventSource: 'aws:dynamodb';
  readonly awsRegion: string;
  readonly dynamodb: {
    readonly ApproximateCreationDateTime: number;
    readonly Keys: AttributeMap;
    readonly NewImage?: AttributeMap;
    readonly OldImage?: AttributeMap;
    readonly SequenceNumber: string;
    readonly SizeBytes: number;
    readonly StreamViewType: LocalStreamModel['viewType'];
  };
  readonly eventSourceARN: string;
  readonly userIdentity?: { readonly type: 'Service'; readonly principalId: 'dynamodb.amazonaws.com' };
}

/** A record, and when it was written (epoch milliseconds) for its age. */
export interface LoggedRecord {
  readonly record: StreamRecord;
  readonly at: number;
  /** Position in the stream, from 0. */
  readonly index: number;
}

/** DynamoDB keeps stream records 24 hours. */
export const STREAM_RETENTION_MS = 24 * 60 * 60 * 1000;

let sequence = 10n ** 20n;

export class StreamLogs {
  private readonly logs = new Map<string, { records: LoggedRecord[]; next: number }>();
  private readonly listeners = new Set<() => void>();

  constructor(
    /** The stream of a table in the version being served; undefined when it has none. */
    private readonly streamOf: (tableName: string) => LocalStreamModel | undefined,
    private readonly region: () => string,
    private readonly now: () => number = Date.now,
  ) {}

  streamed(tableName: string): boolean {
    return this.streamOf(tableName) !== undefined;
  }

  /** Writes the record of a change, with the images the stream's view type keeps. */
  append(change: ItemChange): void {
    const stream = this.streamOf(change.tableName);
    if (!stream) return;
    const log = this.logs.get(change.tableName) ?? { records: [], next: 0 };
    this.logs.set(change.tableName, log);
    const now = this.now();
    const view = stream.viewType;
    const images = {
      ...(change.newImage && (view === 'NEW_IMAGE' || view === 'NEW_AND_OLD_IMAGES')
        ? { NewImage: change.newImage }
        : {}),
      ...(change.oldImage && (view === 'OLD_IMAGE' || view === 'NEW_AND_OLD_IMAGES')
        ? { OldImage: change.oldImage }
        : {}),
    };
    const record: StreamRecord = {
      eventID: randomBytes(16).toString('hex'),
      eventName: change.oldImage === undefined ? 'INSERT' : change.newImage === undefined ? 'REMOVE' : 'MODIFY',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: this.region(),
      dynamodb: {
        ApproximateCreationDateTime: Math.floor(now / 1000),
        Keys: change.keys,
        ...images,
        SequenceNumber: String(++sequence),
        SizeBytes: Buffer.byteLength(JSON.stringify({ Keys: change.keys, ...images })),
        StreamViewType: view,
      },
      eventSourceARN: stream.arn,
      ...(change.byTtl ? { userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' } } : {}),
    };
    log.records.push({ record, at: now, index: log.next++ });
    while (log.records.length > 0 && now - log.records[0].at > STREAM_RETENTION_MS) log.records.shift();
    for (const listener of [...this.listeners]) listener();
  }

  /** The records of a table's stream from position `from` on. */
  read(tableName: string, from: number): readonly LoggedRecord[] {
    const log = this.logs.get(tableName);
    if (!log) return [];
    return log.records.filter((entry) => entry.index >= from);
  }

  /** The position the next record of the table will have (where a LATEST reader starts). */
  end(tableName: string): number {
    return this.logs.get(tableName)?.next ?? 0;
  }

  /** Called after every record written; returns how to stop listening. */
  listen(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
