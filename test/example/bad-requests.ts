/**
 * What the bad-input suites build their requests from and judge the answers by: bodies, cursors and signatures
 * made wrong on purpose, and the reasons a refusal must give.
 */
import { createHmac } from 'crypto';
import { WEBHOOK_SECRET } from './task-board';

/** The largest body the example's handlers read (the toolkit's default). */
export const MAX_BODY_BYTES = 64 * 1024;
/** The user whose sessions, cursors and keyed task the seeding leaves. */
export const SEED_USER = 'seed-user';
/** A second user with a session of their own. */
export const OTHER_USER = 'other-user';

export type Item = Record<string, unknown>;

/** Signs like a provider would: hex HMAC-SHA256 of the exact body bytes, with the example's signing secret. */
export function sign(body: string | Buffer, secret = WEBHOOK_SECRET): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

export function keyOf(item: Item): string {
  return `${String(item.PK)}|${String(item.SK)}`;
}

/** The table without rate-limit counters (each tasks request counts against its caller, by design), in key order. */
export function withoutCounters(items: readonly Item[]): Item[] {
  return items.filter((item) => !String(item.PK).startsWith('RATE#')).sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
}

/** A cursor's JSON, edited, encoded again. */
export function editCursor(cursor: string, edit: (parsed: any) => void): string {
  const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  edit(parsed);
  return Buffer.from(JSON.stringify(parsed), 'utf8').toString('base64url');
}

export const base64url = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
/** Bytes that are no text in any encoding a JSON parser reads. */
export const GARBAGE_BYTES = Buffer.from([0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28, 0x7b, 0x22, 0xed, 0xa0, 0x80]);
export const newTask = (fields: Item = {}) => JSON.stringify({ taskId: 'new-task', title: 'New task', ...fields });
export const withoutField = (name: string) => {
  const { [name]: _, ...rest } = { taskId: 'new-task', title: 'New task' } as Item;
  return JSON.stringify(rest);
};
/** A JSON body of exactly `bytes` bytes: a valid task padded with an extra member. */
export function paddedTask(bytes: number): string {
  const empty = JSON.stringify({ taskId: 'big', title: 'Big', pad: '' });
  return JSON.stringify({ taskId: 'big', title: 'Big', pad: 'x'.repeat(bytes - empty.length) });
}

/** What the `detail` of each kind of refusal says. */
export const NOT_JSON = /not valid JSON/;
export const EMPTY = /body is empty/;
export const BODY_INVALID = /request body is invalid/;
export const PATH_INVALID = /request path is invalid/;
export const QUERY_INVALID = /request query is invalid/;
export const NOT_A_CURSOR = /`cursor` is not one this list issued/;
export const OTHER_LIST = /`cursor` belongs to another list/;
export const TOO_LARGE = new RegExp(`send at most ${MAX_BODY_BYTES} bytes`);
export const CONTENT_TYPE = /`content-type` must be application\/json/;
export const NO_BODY = /takes no request body/;
export const CALLER = /needs an authenticated caller/;
export const IDEMPOTENCY_KEY = /`idempotency-key` must be 1 to 255 visible ASCII/;
export const KEY_REUSED = /idempotency key was used with another request/;
export const SIGNATURE = /`x-webhook-signature`/;

/** A refusal: what it must answer, and the field its `errors` must name. */
export interface Refusal {
  readonly status: number;
  /** What `detail` must say, besides something. */
  readonly detail?: RegExp;
  /** A field the problem document's `errors` must name. */
  readonly field?: string;
}

/** A 4xx answered as a problem document whose status is the response's and whose detail says why. */
export function expectRefusal(
  answer: { readonly status: number; readonly headers: { readonly [name: string]: string }; readonly body: any },
  refusal: Refusal,
): void {
  expect(answer.status).toBe(refusal.status);
  expect(answer.headers['content-type']).toBe('application/problem+json');
  expect(answer.body).toEqual(
    expect.objectContaining({
      type: 'about:blank',
      title: expect.any(String),
      status: refusal.status,
      detail: expect.any(String),
    }),
  );
  expect(answer.body.detail.trim()).not.toBe('');
  if (refusal.detail) expect(answer.body.detail).toMatch(refusal.detail);
  if (refusal.field) {
    expect(answer.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: refusal.field })]));
  }
}
