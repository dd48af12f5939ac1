import { PATTERNS, thrownBy } from './util';
import { fillKeyShape, itemKeyOf, keyParamsOf, MAX_KEY_VALUE_LENGTH } from '../../src/runtime/keys';
import { HttpError } from '../../src/runtime/problem';

describe('fillKeyShape', () => {
  it('fills every placeholder, numbers included', () => {
    expect(fillKeyShape('PROJECT#{projectId}', { projectId: 'p-1' })).toBe('PROJECT#p-1');
    expect(fillKeyShape('ORG#{orgId}#USER#{userId}', { orgId: 'o', userId: 'u' })).toBe('ORG#o#USER#u');
    expect(fillKeyShape('WINDOW#{window}', { window: 0 })).toBe('WINDOW#0');
    expect(fillKeyShape('RECORD', {})).toBe('RECORD');
  });

  it('accepts a value of exactly the maximum length', () => {
    const value = 'v'.repeat(MAX_KEY_VALUE_LENGTH);
    expect(MAX_KEY_VALUE_LENGTH).toBe(256);
    expect(fillKeyShape('P#{id}', { id: value })).toBe(`P#${value}`);
  });

  it('refuses a value over 256 characters with a 400 naming the parameter', () => {
    // GIVEN a value one character too long
    const error = thrownBy(() => fillKeyShape('PROJECT#{projectId}', { projectId: 'x'.repeat(257) }));

    // THEN it is a 400 whose field is the parameter
    expect(error).toBeInstanceOf(HttpError);
    expect(error.status).toBe(400);
    expect(error.message).toBe('`projectId` must be at most 256 characters, got 257');
    expect(error.extensions).toEqual({ errors: [{ field: 'projectId', message: 'at most 256 characters' }] });
  });

  it.each([
    ['a "#"', 'p#TASK#x'],
    ['a NUL', 'p\u0000'],
    ['a newline', 'p\nq'],
    ['a tab', 'p\tq'],
    ['a unit separator', 'p\u001f'],
    ['a DEL', 'p\u007f'],
  ])('refuses a value with %s with a 400 naming the parameter', (_, value) => {
    const error = thrownBy(() => fillKeyShape('PROJECT#{projectId}#TASK#{taskId}', { projectId: 'ok', taskId: value }));
    expect(error).toBeInstanceOf(HttpError);
    expect(error.status).toBe(400);
    expect(error.message).toBe(`\`taskId\` may not contain "#" or control characters, got: ${JSON.stringify(value)}`);
    expect(error.extensions).toEqual({
      errors: [{ field: 'taskId', message: 'may not contain "#" or control characters' }],
    });
  });

  it('accepts other punctuation and non-ASCII letters', () => {
    expect(fillKeyShape('U#{id}', { id: 'a.b-c_d:e|f@g/ñ✓' })).toBe('U#a.b-c_d:e|f@g/ñ✓');
  });

  it.each([
    ['missing', {}],
    ['empty', { projectId: '' }],
    ['null', { projectId: null as unknown as string }],
    ['NaN', { projectId: NaN }],
    ['infinite', { projectId: Infinity }],
    ['object', { projectId: { toString: () => 'p-1' } as unknown as string }],
  ])('refuses a %s value with a plain Error (a programming mistake, answered 500)', (_, values) => {
    const error = thrownBy(() => fillKeyShape('PROJECT#{projectId}', values));
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(HttpError);
    expect(error.message).toMatch(/^a key needs .*\{projectId\}/);
  });
});

describe('itemKeyOf', () => {
  it('builds partition and sort key attributes from the pattern', () => {
    expect(itemKeyOf(PATTERNS.getTask, { projectId: 'p-1', taskId: 't-1' })).toEqual({
      PK: 'PROJECT#p-1',
      SK: 'TASK#t-1',
    });
    expect(itemKeyOf(PATTERNS.putIdempotencyRecord, { key: 'abc' })).toEqual({ PK: 'IDEMPOTENCY#abc', SK: 'RECORD' });
  });

  it('builds a partition-only key', () => {
    expect(itemKeyOf({ operation: 'GetItem', partitionKey: ['id', 'USER#{userId}'] }, { userId: 'u' })).toEqual({
      id: 'USER#u',
    });
  });

  it('refuses a bad sort key value with a 400 naming it', () => {
    const error = thrownBy(() => itemKeyOf(PATTERNS.getTask, { projectId: 'p-1', taskId: 'a#b' }));
    expect(error).toBeInstanceOf(HttpError);
    expect(error.extensions.errors[0].field).toBe('taskId');
  });

  it('refuses a Scan pattern, which has no key', () => {
    expect(() => itemKeyOf(PATTERNS.scanAll, {})).toThrow('a Scan pattern has no key to build');
  });

  it('lists the parameters a pattern needs, each once, in order', () => {
    expect(keyParamsOf(PATTERNS.getTask)).toEqual(['projectId', 'taskId']);
    expect(
      keyParamsOf({ operation: 'GetItem', partitionKey: ['PK', 'A#{a}'], sortKey: ['SK', 'A#{a}#B#{b}'] }),
    ).toEqual(['a', 'b']);
    expect(keyParamsOf(PATTERNS.scanAll)).toEqual([]);
  });
});
