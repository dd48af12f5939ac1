import type { STSClient } from '@aws-sdk/client-sts';
import {
  CallerSessions,
  isTagValue,
  sessionNameOf,
  type CallerCredentials,
} from '../../src/runtime/caller-credentials';

/**
 * Per-caller sessions of the caller role: one AssumeRole per caller until shortly before its session expires.
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_know
 */

interface Call {
  readonly RoleArn: string;
  readonly RoleSessionName: string;
  readonly DurationSeconds: number;
  readonly Tags: { Key: string; Value: string }[];
}

function fakeSts(options: { fail?: () => boolean; expiresInMs?: number; now: () => number }) {
  const calls: Call[] = [];
  const sts = {
    send: async (command: { input: Call }) => {
      calls.push(command.input);
      await new Promise((resolve) => setImmediate(resolve));
      if (options.fail?.()) throw Object.assign(new Error('Rate exceeded'), { name: 'Throttling' });
      const n = calls.length;
      return {
        Credentials: {
          AccessKeyId: `ASIA${n}`,
          SecretAccessKey: 's',
          SessionToken: 't',
          Expiration: new Date(options.now() + (options.expiresInMs ?? 3_600_000)),
        },
      };
    },
  } as unknown as STSClient;
  return { sts, calls };
}

const ROLE = 'arn:aws:iam::123456789012:role/CallerRole';

describe('GIVEN caller sessions', () => {
  let now = Date.UTC(2026, 0, 1);
  const clock = () => now;
  const keyOf = (credentials: CallerCredentials) => credentials.accessKeyId;

  test('WHEN one caller calls again THEN the cached session is used; another caller gets its own, tagged with its values', async () => {
    const { sts, calls } = fakeSts({ now: clock });
    const sessions = new CallerSessions({ roleArn: ROLE, sts, clock }, keyOf);
    expect(await sessions.get({ userId: 'alice' })).toBe('ASIA1');
    expect(await sessions.get({ userId: 'alice' })).toBe('ASIA1');
    expect(await sessions.get({ userId: 'bob' })).toBe('ASIA2');
    expect(calls).toEqual([
      { RoleArn: ROLE, RoleSessionName: 'alice', DurationSeconds: 3600, Tags: [{ Key: 'userId', Value: 'alice' }] },
      { RoleArn: ROLE, RoleSessionName: 'bob', DurationSeconds: 3600, Tags: [{ Key: 'userId', Value: 'bob' }] },
    ]);
  });

  test('WHEN concurrent requests of one caller arrive THEN they share one AssumeRole', async () => {
    const { sts, calls } = fakeSts({ now: clock });
    const sessions = new CallerSessions({ roleArn: ROLE, sts, clock }, keyOf);
    const keys = await Promise.all(Array.from({ length: 5 }, () => sessions.get({ userId: 'alice' })));
    expect(new Set(keys)).toEqual(new Set(['ASIA1']));
    expect(calls).toHaveLength(1);
  });

  test('WHEN the session is within its renewal window THEN a new one is made before it expires', async () => {
    const { sts, calls } = fakeSts({ now: clock });
    const sessions = new CallerSessions({ roleArn: ROLE, sts, clock, renewBeforeSeconds: 300 }, keyOf);
    await sessions.get({ userId: 'alice' });
    now += 3_600_000 - 301_000;
    expect(await sessions.get({ userId: 'alice' })).toBe('ASIA1');
    now += 2_000;
    expect(await sessions.get({ userId: 'alice' })).toBe('ASIA2');
    expect(calls).toHaveLength(2);
  });

  test('WHEN more callers than maxCallers come THEN the least recently used is dropped', async () => {
    const { sts, calls } = fakeSts({ now: clock });
    const sessions = new CallerSessions({ roleArn: ROLE, sts, clock, maxCallers: 2 }, keyOf);
    await sessions.get({ userId: 'a' });
    await sessions.get({ userId: 'b' });
    await sessions.get({ userId: 'a' });
    await sessions.get({ userId: 'c' });
    expect(sessions.size).toBe(2);
    await sessions.get({ userId: 'a' });
    expect(calls).toHaveLength(3);
    await sessions.get({ userId: 'b' });
    expect(calls).toHaveLength(4);
  });

  test('WHEN AssumeRole fails THEN the failure is not cached: the next request tries again', async () => {
    let failing = true;
    const { sts, calls } = fakeSts({ now: clock, fail: () => failing });
    const sessions = new CallerSessions({ roleArn: ROLE, sts, clock }, keyOf);
    await expect(sessions.get({ userId: 'alice' })).rejects.toThrow('Rate exceeded');
    failing = false;
    expect(await sessions.get({ userId: 'alice' })).toBe('ASIA2');
    expect(calls).toHaveLength(2);
  });

  test('WHEN a session length beyond role chaining is asked THEN it is refused at once', () => {
    expect(() => new CallerSessions({ roleArn: ROLE, durationSeconds: 7200 }, keyOf)).toThrow(
      'durationSeconds must be a whole number from 900 to 3600 (role chaining), got: 7200',
    );
  });
});

describe('GIVEN caller values', () => {
  test('THEN only values a session tag can hold pass, and "#" never does', () => {
    expect(
      ['alice', '8f14e45f-ceea-467f-a0e6-7d5a6a1b2c3d', 'arn:aws:iam::1:user/a@b.c', 'Zoë'].every(isTagValue),
    ).toBe(true);
    expect(['', 'a#b', 'auth0|123', 'a*', 'x'.repeat(257)].some(isTagValue)).toBe(false);
  });

  test('THEN the session name keeps what CloudTrail can show and replaces the rest', () => {
    expect(sessionNameOf({ userId: 'alice@example.com' })).toBe('alice@example.com');
    expect(sessionNameOf({ tenantId: 't1', userId: 'arn:aws:iam::1:user/a' })).toBe('t1.arn-aws-iam--1-user-a');
    expect(sessionNameOf({ userId: 'a' })).toBe('caller-a');
  });
});
