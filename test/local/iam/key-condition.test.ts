import { attributeNames } from '../../../src/local/iam/expression-tokens';
import { queryPartitionKey } from '../../../src/local/iam/key-condition';

/**
 * The partition key of a Query: its key condition must test the partition key for equality, and IAM reads that
 * value as dynamodb:LeadingKeys.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.KeyConditionExpressions.html
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/LegacyConditionalParameters.KeyConditions.html
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ExpressionAttributeNames.html
 */

const PK = { name: 'PK', type: 'S' };
const query = (KeyConditionExpression: string, more: object = {}) =>
  queryPartitionKey(
    {
      KeyConditionExpression,
      ExpressionAttributeNames: { '#pk': 'PK', '#sk': 'SK' },
      ExpressionAttributeValues: { ':pk': { S: 'USER#bob' }, ':sk': { S: 'TASK#' }, ':hi': { S: 'TASK#9' } },
      ...more,
    },
    PK,
  );

describe('GIVEN a KeyConditionExpression', () => {
  test.each([
    '#pk = :pk',
    'PK = :pk',
    ':pk = #pk',
    '#pk = :pk AND begins_with(#sk, :sk)',
    'begins_with(#sk, :sk) AND #pk = :pk',
    '(#pk = :pk) AND (#sk BETWEEN :sk AND :hi)',
    '#pk = :pk and #sk >= :sk',
    '  #pk=:pk  AND  #sk<:hi ',
  ])('WHEN it is %j THEN the partition key value is read from its equality', (expression) => {
    expect(query(expression)).toBe('USER#bob');
  });

  test("WHEN it has no equality on the partition key THEN it is refused with DynamoDB's message", () => {
    expect(query('begins_with(#pk, :pk)')).toEqual({ error: 'Query condition missed key schema element: PK' });
    expect(query('#sk = :sk')).toEqual({ error: 'Query condition missed key schema element: PK' });
  });

  test("WHEN it uses a value it does not define THEN DynamoDB's message names the value", () => {
    expect(query('#pk = :nope')).toEqual({
      error:
        'Invalid KeyConditionExpression: An expression attribute value used in expression is not defined; attribute value: :nope',
    });
  });

  test("WHEN it uses a name it does not define THEN DynamoDB's message names the alias", () => {
    expect(query('#nope = :pk')).toEqual({
      error:
        'Invalid KeyConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #nope',
    });
  });

  test('WHEN it is not well formed THEN it is a syntax error naming the token', () => {
    expect(query('#pk = = :pk')).toEqual({ error: 'Invalid KeyConditionExpression: Syntax error; token: "="' });
    expect(query('#pk = :pk AND')).toEqual({
      error: 'Invalid KeyConditionExpression: Syntax error; unexpected end of expression',
    });
    expect(query('#pk = :pk; DROP')).toEqual({
      error: 'Invalid KeyConditionExpression: Syntax error; token: ";", near: "; DROP"',
    });
  });

  test("WHEN the value's type is not the key's THEN it is refused", () => {
    expect(query('#pk = :pk', { ExpressionAttributeValues: { ':pk': { N: '1' } } })).toEqual({
      error: 'One or more parameter values were invalid: Condition parameter type does not match schema type',
    });
  });
});

describe('GIVEN the legacy KeyConditions', () => {
  test('WHEN the partition key has an EQ condition THEN its value is read', () => {
    expect(
      queryPartitionKey(
        { KeyConditions: { PK: { ComparisonOperator: 'EQ', AttributeValueList: [{ S: 'USER#bob' }] } } },
        PK,
      ),
    ).toBe('USER#bob');
  });

  test('WHEN it has none THEN the key schema element is missed', () => {
    expect(
      queryPartitionKey(
        { KeyConditions: { PK: { ComparisonOperator: 'BEGINS_WITH', AttributeValueList: [{ S: 'U' }] } } },
        PK,
      ),
    ).toEqual({
      error: 'Query condition missed key schema element: PK',
    });
  });

  test("WHEN neither form is given THEN DynamoDB's message says one is required", () => {
    expect(queryPartitionKey({}, PK)).toEqual({
      error: 'Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.',
    });
  });
});

describe('GIVEN expressions whose attributes IAM reads as dynamodb:Attributes', () => {
  const names = { '#s': 'status', '#n': 'name' };
  test.each<[string, string[]]>([
    ['title, #s, details.owner, tags[0]', ['title', 'status', 'details', 'tags']],
    ['SET #s = :s, updatedAt = :now REMOVE draft ADD version :one', ['status', 'updatedAt', 'draft', 'version']],
    ['attribute_exists(PK) AND NOT contains(#n, :x) OR size(tags) > :n', ['PK', 'name', 'tags']],
    ['#s IN (:a, :b) AND price BETWEEN :lo AND :hi', ['status', 'price']],
    ['SET #n = if_not_exists(#n, :d), list = list_append(list, :l)', ['name', 'name', 'list', 'list']],
  ])('WHEN the expression is %j THEN the attributes are %j', (expression, expected) => {
    expect(attributeNames(expression, names, 'ProjectionExpression')).toEqual(expected);
  });

  test("WHEN an alias is undefined THEN DynamoDB's message names the parameter and the alias", () => {
    expect(attributeNames('#missing = :v', names, 'ConditionExpression')).toEqual({
      error:
        'Invalid ConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #missing',
    });
  });

  test('WHEN there is no expression THEN there are no attributes', () => {
    expect(attributeNames(undefined, names, 'FilterExpression')).toEqual([]);
  });
});
