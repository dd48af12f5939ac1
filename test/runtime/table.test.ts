import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { PATTERNS } from './util';
import { nowEpochSeconds, systemClock } from '../../src/runtime/clock';
import { ItemPattern } from '../../src/runtime/items';
import { QueryPattern } from '../../src/runtime/query';
import { createDocumentClient, Table } from '../../src/runtime/table';
import { readTableConfig } from '../../src/runtime/table-config';
import { TestClock } from '../helpers/clock';

const ENV = {
  TABLE_NAME: 'app',
  TABLE_PARTITION_KEY: 'PK',
  TABLE_SORT_KEY: 'SK',
  TABLE_TTL_ATTRIBUTE: 'expiresAt',
  TABLE_ACCESS_PATTERNS: JSON.stringify({ getTask: PATTERNS.getTask, listTasks: PATTERNS.listTasks }),
};

describe('readTableConfig', () => {
  it('reads the table and its access patterns from the environment', () => {
    expect(readTableConfig(ENV)).toEqual({
      tableName: 'app',
      partitionKey: 'PK',
      sortKey: 'SK',
      ttlAttribute: 'expiresAt',
      accessPatterns: { getTask: PATTERNS.getTask, listTasks: PATTERNS.listTasks },
      indexKeyAttributes: [],
    });
  });

  it("reads the key attributes of the table's indexes when it has any", () => {
    const config = readTableConfig({ ...ENV, TABLE_INDEX_KEYS: '["byOwnerPK","byOwnerSK"]' });
    expect(config.indexKeyAttributes).toEqual(['byOwnerPK', 'byOwnerSK']);
  });

  it.each([
    ['TABLE_INDEX_KEYS', '["byOwnerPK",', 'is not valid JSON'],
    ['TABLE_INDEX_KEYS', '{"byOwner":"byOwnerPK"}', 'does not hold what ServerlessApi sets'],
    ['TABLE_INDEX_KEYS', '["byOwnerPK",3]', 'does not hold what ServerlessApi sets'],
    ['TABLE_ACCESS_PATTERNS', '["getTask"]', 'does not hold what ServerlessApi sets'],
  ])('refuses %s=%s', (name, value, problem) => {
    expect(() => readTableConfig({ ...ENV, [name]: value })).toThrow(`environment variable ${name} ${problem}`);
  });

  it('reads no access patterns as none', () => {
    expect(readTableConfig({ ...ENV, TABLE_ACCESS_PATTERNS: undefined }).accessPatterns).toEqual({});
    expect(readTableConfig({ ...ENV, TABLE_ACCESS_PATTERNS: '' }).accessPatterns).toEqual({});
  });

  it.each(['TABLE_NAME', 'TABLE_PARTITION_KEY', 'TABLE_SORT_KEY', 'TABLE_TTL_ATTRIBUTE'])(
    'refuses a missing or empty %s',
    (name) => {
      const message = `environment variable ${name} is not set: ServerlessApi sets it on every route function`;
      expect(() => readTableConfig({ ...ENV, [name]: undefined })).toThrow(message);
      expect(() => readTableConfig({ ...ENV, [name]: '' })).toThrow(message);
    },
  );

  it('refuses access patterns that are not JSON', () => {
    expect(() => readTableConfig({ ...ENV, TABLE_ACCESS_PATTERNS: '{getTask' })).toThrow(
      'environment variable TABLE_ACCESS_PATTERNS is not valid JSON',
    );
  });
});

describe('Table', () => {
  const client = createDocumentClient();
  const table = new Table(readTableConfig(ENV), client);

  afterAll(() => client.destroy());

  it('reads its configuration from process.env', () => {
    const saved = { ...process.env };
    Object.assign(process.env, ENV);
    try {
      const fromEnv = Table.fromEnvironment({ client });
      expect(fromEnv.config).toEqual(readTableConfig(ENV));
      expect(fromEnv.client).toBe(client);
    } finally {
      for (const name of Object.keys(ENV)) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    }
  });

  it('creates a document client that drops undefined attributes', () => {
    const own = createDocumentClient({ connectionTimeoutMs: 10, requestTimeoutMs: 20 });
    try {
      expect(own).toBeInstanceOf(DynamoDBDocumentClient);
      expect(own.config.translateConfig?.marshallOptions?.removeUndefinedValues).toBe(true);
    } finally {
      own.destroy();
    }
  });

  it('retries with the strategy given, or the SDK standard one', async () => {
    const strategy = new ConfiguredRetryStrategy(2, () => 0);
    const own = createDocumentClient({ retryStrategy: strategy });
    const standard = createDocumentClient();
    try {
      await expect(own.config.retryStrategy()).resolves.toBe(strategy);
      const fallback = await standard.config.retryStrategy();
      expect(fallback).not.toBe(strategy);
      expect((fallback as { mode?: string }).mode).toBe('standard');
    } finally {
      own.destroy();
      standard.destroy();
    }
  });

  it('gives item and query patterns by name', () => {
    expect(table.item('getTask')).toBeInstanceOf(ItemPattern);
    expect(table.query('listTasks')).toBeInstanceOf(QueryPattern);
  });

  it('refuses an unknown pattern name, naming it and the known ones', () => {
    const message =
      'this function has no access pattern "deleteTask": add it to the function\'s `accessPatterns` in the stack (it has: getTask, listTasks)';
    expect(() => table.item('deleteTask')).toThrow(message);
    expect(() => table.query('deleteTask')).toThrow(message);
  });

  it('says "none" when the function has no patterns', () => {
    const bare = new Table({ ...table.config, accessPatterns: {} }, client);
    expect(() => bare.item('x')).toThrow('(it has: none)');
  });

  it('does not take inherited object members for patterns', () => {
    expect(() => table.item('constructor')).toThrow('this function has no access pattern "constructor"');
    expect(() => table.query('toString')).toThrow('this function has no access pattern "toString"');
  });

  it('refuses a Query as an item pattern and an item pattern as a Query', () => {
    expect(() => table.item('listTasks')).toThrow(
      'access pattern "listTasks" is a Query: use table.query("listTasks")',
    );
    expect(() => table.query('getTask')).toThrow(
      'access pattern "getTask" is a GetItem, not a Query: use table.item("getTask")',
    );
  });

  it('does not send a Scan pattern back and forth between item() and query()', () => {
    // GIVEN a Scan pattern, which neither item() nor query() serves
    const withScan = new Table({ ...table.config, accessPatterns: { scanAll: PATTERNS.scanAll } }, client);

    // WHEN either is asked for it
    const fromItem = (() => {
      try {
        withScan.item('scanAll');
      } catch (error) {
        return (error as Error).message;
      }
      return undefined;
    })();
    const fromQuery = (() => {
      try {
        withScan.query('scanAll');
      } catch (error) {
        return (error as Error).message;
      }
      return undefined;
    })();

    // THEN both refuse, and neither points at the other
    expect(fromItem).toMatch(/^access pattern "scanAll" is a Scan/);
    expect(fromQuery).toMatch(/^access pattern "scanAll" is a Scan/);
    expect(fromItem).not.toContain('table.query(');
    expect(fromQuery).not.toContain('table.item(');
  });

  it('tells the time in whole epoch seconds', () => {
    const before = Math.floor(Date.now() / 1000);
    const now = nowEpochSeconds();
    expect(Number.isInteger(now)).toBe(true);
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
  });

  it('tells the time by the clock it was given, else by the system clock', () => {
    // GIVEN a table from the environment with a test clock, and one without
    const clock = new TestClock();
    const saved = { ...process.env };
    Object.assign(process.env, ENV);
    let clocked: Table;
    let unclocked: Table;
    try {
      clocked = Table.fromEnvironment({ client, clock: clock.now });
      unclocked = Table.fromEnvironment({ client });
    } finally {
      for (const name of Object.keys(ENV)) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    }

    // THEN the first reads the test clock, wherever it is moved, and the second the system's
    expect(clocked.clock()).toBe(clock.now());
    clock.advance(90_000);
    expect(clocked.clock()).toBe(clock.now());
    expect(nowEpochSeconds(clocked.clock)).toBe(clock.epochSeconds());
    expect(unclocked.clock).toBe(systemClock);
    expect(table.clock).toBe(systemClock);
  });

  it('tells the system time through Date.now on every call', () => {
    const spy = jest.spyOn(Date, 'now').mockReturnValue(1_800_000_123_456);
    try {
      expect(systemClock()).toBe(1_800_000_123_456);
      expect(nowEpochSeconds()).toBe(1_800_000_123);
    } finally {
      spy.mockRestore();
    }
  });
});
