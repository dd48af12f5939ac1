import { policyStatements } from '../../../src/local/iam';

/**
 * Policy documents as IAM reads them: single values or lists, condition values compared as text.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
 */

describe('GIVEN a policy document', () => {
  test('WHEN elements are single values THEN they become lists, and condition values text', () => {
    expect(
      policyStatements({
        Version: '2012-10-17',
        Statement: {
          Sid: 'Reads',
          Effect: 'Allow',
          Action: 'dynamodb:GetItem',
          Resource: 'arn:aws:dynamodb:us-east-1:1:table/T',
          Condition: {
            Bool: { 'aws:SecureTransport': true },
            NumericLessThan: { 'test:n': 5 },
            Null: { 'dynamodb:LeadingKeys': 'false' },
          },
        },
      }),
    ).toEqual([
      {
        Sid: 'Reads',
        Effect: 'Allow',
        Action: ['dynamodb:GetItem'],
        Resource: ['arn:aws:dynamodb:us-east-1:1:table/T'],
        Condition: {
          Bool: { 'aws:SecureTransport': ['true'] },
          NumericLessThan: { 'test:n': ['5'] },
          Null: { 'dynamodb:LeadingKeys': ['false'] },
        },
      },
    ]);
  });

  test('WHEN it uses NotAction and NotResource THEN they are kept', () => {
    expect(policyStatements({ Statement: [{ Effect: 'Deny', NotAction: ['s3:*'], NotResource: '*' }] })).toEqual([
      { Effect: 'Deny', NotAction: ['s3:*'], NotResource: ['*'] },
    ]);
  });

  test('WHEN a value is still an intrinsic function THEN the error names where, shows it and says to resolve it', () => {
    expect(() =>
      policyStatements(
        { Statement: [{ Effect: 'Allow', Action: 'dynamodb:*', Resource: [{ 'Fn::GetAtt': ['Table', 'Arn'] }] }] },
        'role TasksRole policy access',
      ),
    ).toThrow(
      'role TasksRole policy access Statement[0].Resource[0] must be a string, got: {"Fn::GetAtt":["Table","Arn"]}; resolve every intrinsic function before reading the policy',
    );
  });

  test('WHEN the Effect is neither Allow nor Deny THEN the error shows it', () => {
    expect(() => policyStatements({ Statement: [{ Effect: 'allow', Action: '*', Resource: '*' }] })).toThrow(
      'policy Statement[0].Effect must be "Allow" or "Deny", got: "allow"',
    );
  });

  test('WHEN the document has no statements THEN there are none', () => {
    expect(policyStatements({ Version: '2012-10-17' })).toEqual([]);
    expect(() => policyStatements('nope')).toThrow('policy must be a policy document object, got: "nope"');
  });
});
