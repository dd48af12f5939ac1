import { parsePartiql, PartiqlTarget } from '../../../src/local/iam/partiql';

/**
 * What IAM reads from PartiQL statements: the action of the verb, the table or index, and the partition keys.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-iam.html
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.select.html
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.insert.html
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.update.html
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.delete.html
 */

const parse = (statement: string, parameters: unknown[] = []): PartiqlTarget => {
  const parsed = parsePartiql(statement, parameters);
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed;
};

describe('GIVEN SELECT statements', () => {
  test('WHEN the WHERE clause tests the partition key for equality THEN that is its key', () => {
    const target = parse('SELECT * FROM "Tasks" WHERE "PK" = \'USER#bob\' AND begins_with("SK", \'TASK#\')');
    expect(target).toMatchObject({ verb: 'Select', table: 'Tasks' });
    expect(target.keys('PK')).toEqual(['USER#bob']);
  });

  test('WHEN the value is a ? parameter THEN it is taken from Parameters in order', () => {
    const target = parse('SELECT title FROM Tasks WHERE SK = ? AND PK = ?', [{ S: 'TASK#1' }, { S: 'USER#bob' }]);
    expect(target.keys('PK')).toEqual(['USER#bob']);
  });

  test('WHEN it reads an index THEN the index is named', () => {
    const target = parse('SELECT * FROM "Tasks"."byStatus" WHERE "GSI1PK" = ?', [{ S: 'STATUS#open' }]);
    expect(target).toMatchObject({ table: 'Tasks', index: 'byStatus' });
    expect(target.keys('GSI1PK')).toEqual(['STATUS#open']);
  });

  test('WHEN the partition key is tested with IN THEN every listed value is a key', () => {
    expect(parse("SELECT * FROM Tasks WHERE PK IN ['USER#a', ?]", [{ S: 'USER#b' }]).keys('PK')).toEqual([
      'USER#a',
      'USER#b',
    ]);
  });

  test('WHEN the clause has a top-level OR, or no WHERE at all THEN it names no key (it can read any partition)', () => {
    expect(parse("SELECT * FROM Tasks WHERE PK = 'USER#a' OR PK = 'USER#b'").keys('PK')).toBeUndefined();
    expect(parse('SELECT * FROM Tasks').keys('PK')).toBeUndefined();
    expect(parse("SELECT * FROM Tasks WHERE SK = 'x'").keys('PK')).toBeUndefined();
  });

  test('WHEN a string holds quotes THEN they are read as PartiQL escapes them', () => {
    expect(parse("SELECT * FROM Tasks WHERE PK = 'O''Brien'").keys('PK')).toEqual(["O'Brien"]);
  });
});

describe('GIVEN INSERT, UPDATE and DELETE statements', () => {
  test('WHEN an INSERT names the key in its VALUE tuple THEN that is its key', () => {
    const target = parse("INSERT INTO \"Tasks\" VALUE {'PK': ?, 'SK': 'TASK#1', 'meta': {'PK': 'nested'}}", [
      { S: 'USER#bob' },
    ]);
    expect(target).toMatchObject({ verb: 'Insert', table: 'Tasks' });
    expect(target.keys('PK')).toEqual(['USER#bob']);
  });

  test('WHEN an UPDATE or a DELETE names the key in WHERE THEN that is its key', () => {
    const update = parse(
      "UPDATE Tasks SET title = 'x' REMOVE draft WHERE PK = 'USER#bob' AND SK = 'TASK#1' RETURNING ALL OLD *",
    );
    expect(update).toMatchObject({ verb: 'Update', table: 'Tasks' });
    expect(update.keys('PK')).toEqual(['USER#bob']);
    const del = parse('DELETE FROM "Tasks" WHERE "PK" = ? AND "SK" = ?', [{ S: 'USER#bob' }, { S: 'TASK#1' }]);
    expect(del).toMatchObject({ verb: 'Delete', table: 'Tasks' });
    expect(del.keys('PK')).toEqual(['USER#bob']);
  });
});

describe('GIVEN statements DynamoDB cannot read', () => {
  test.each([
    ['EXPLAIN SELECT * FROM Tasks', 'expected SELECT, INSERT, UPDATE or DELETE'],
    ['SELECT * WHERE PK = 1', 'expected a table name after FROM'],
    ['SELECT * FROM Tasks WHERE PK = `x`', 'Unexpected character at 31'],
  ])('WHEN the statement is %j THEN it is refused: %s', (statement, message) => {
    expect(parsePartiql(statement, [])).toEqual({ error: expect.stringContaining(message) });
  });
});
