/**
 * EventBridge pattern matching, case by case from the AWS documentation's own examples:
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
 */
import { compilePattern, patternProblems } from '../../../src/local/patterns';

/** The documentation's EC2 state-change event, with the fields its examples filter on. */
const EC2_EVENT = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-10-02T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: {
    'instance-id': 'i-1234567890abcdef0',
    state: 'terminated',
    'c-count': 5,
    'd-count': 7,
    'x-limit': 301.8,
    sourceIPAddress: '10.0.0.255',
    FileName: 'image.png',
    FilePath: '/user/lib/file.txt',
    service: 'EventBridge',
    responseElements: null,
    note: '',
  },
};

const cases: [string, unknown, boolean][] = [
  ['exact source', { source: ['aws.ec2'] }, true],
  ['exact source, another value', { source: ['aws.s3'] }, false],
  ['one of several values', { detail: { state: ['running', 'terminated'] } }, true],
  ['nested fields all match', { source: ['aws.ec2'], detail: { state: ['terminated'] } }, true],
  ['one field of several does not match', { source: ['aws.ec2'], detail: { state: ['running'] } }, false],
  ['a field the event lacks', { detail: { missing: ['x'] } }, false],
  ['null matches a null value', { detail: { responseElements: [null] } }, true],
  ['null does not match an absent field', { detail: { absent: [null] } }, false],
  ['empty string matches an empty value', { detail: { note: [''] } }, true],
  ['a number matches exactly', { detail: { 'c-count': [5] } }, true],
  ['a string does not match a number', { detail: { 'c-count': ['5'] } }, false],
  ['prefix', { time: [{ prefix: '2017-10-02' }] }, true],
  ['prefix, not matching', { time: [{ prefix: '2018' }] }, false],
  ['prefix ignoring case', { detail: { service: [{ prefix: { 'equals-ignore-case': 'eventb' } }] } }, true],
  ['suffix', { detail: { FileName: [{ suffix: '.png' }] } }, true],
  ['suffix ignoring case', { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.PNG' } }] } }, true],
  ['suffix, not matching', { detail: { FileName: [{ suffix: '.jpg' }] } }, false],
  ['anything-but a value', { detail: { state: [{ 'anything-but': 'initializing' }] } }, true],
  ['anything-but the value it has', { detail: { state: [{ 'anything-but': 'terminated' }] } }, false],
  ['anything-but a list', { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } }, true],
  ['anything-but a list with its value', { detail: { state: [{ 'anything-but': ['stopped', 'terminated'] }] } }, false],
  ['anything-but a number', { detail: { 'c-count': [{ 'anything-but': 0 }] } }, true],
  ['anything-but a prefix', { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } }, true],
  ['anything-but its own prefix', { detail: { state: [{ 'anything-but': { prefix: 'term' } }] } }, false],
  ['anything-but a suffix', { detail: { FileName: [{ 'anything-but': { suffix: '.txt' } }] } }, true],
  ['anything-but a wildcard', { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } }, false],
  [
    'anything-but ignoring case',
    { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['TERMINATED'] } }] } },
    false,
  ],
  ['anything-but on an absent field', { detail: { absent: [{ 'anything-but': 'x' }] } }, false],
  [
    'numeric ranges on three fields',
    {
      detail: {
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ numeric: ['=', 3.018e2] }],
      },
    },
    true,
  ],
  ['numeric outside its range', { detail: { 'c-count': [{ numeric: ['>', 5] }] } }, false],
  ['numeric on a string', { detail: { state: [{ numeric: ['>', 0] }] } }, false],
  ['cidr on an address inside the block', { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } }, true],
  ['cidr on an address outside the block', { detail: { sourceIPAddress: [{ cidr: '10.0.1.0/24' }] } }, false],
  ['exists: true on a present field', { detail: { state: [{ exists: true }] } }, true],
  ['exists: true on an absent field', { detail: { absent: [{ exists: true }] } }, false],
  ['exists: false on an absent field', { detail: { absent: [{ exists: false }] } }, true],
  ['exists: false on a present field', { detail: { 'c-count': [{ exists: false }] } }, false],
  ['exists: true on an object, not a leaf', { detail: [{ exists: true }] }, false],
  ['equals-ignore-case', { 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }] }, true],
  ['wildcard', { resources: [{ wildcard: 'arn:aws:ec2:us-west-1:*:instance/*' }] }, true],
  ['wildcard, not matching', { resources: [{ wildcard: 'arn:aws:ec2:eu-west-1:*' }] }, false],
  ['wildcard with an escaped star', { detail: { FilePath: [{ wildcard: '/user/lib/\\*' }] } }, false],
  [
    '$or: one alternative matches',
    { detail: { $or: [{ 'c-count': [{ numeric: ['>', 10] }] }, { 'd-count': [{ numeric: ['<', 10] }] }] } },
    true,
  ],
  [
    '$or: none matches',
    { detail: { $or: [{ 'c-count': [{ numeric: ['>', 10] }] }, { 'd-count': [{ numeric: ['>', 10] }] }] } },
    false,
  ],
  ['$or at the top level', { $or: [{ source: ['aws.s3'] }, { detail: { state: ['terminated'] } }] }, true],
  ['an array matches when any element does', { resources: ['arn:x', EC2_EVENT.resources[0]] }, true],
  ['an array matches nothing the pattern lists', { resources: ['arn:x', 'arn:y'] }, false],
];

describe('GIVEN the documentation EC2 event', () => {
  test.each(cases)('%s', (_name, pattern, expected) => {
    const compiled = compilePattern(pattern);
    expect(compiled.problems).toEqual([]);
    expect(compiled.matches(EC2_EVENT)).toBe(expected);
  });
});

describe('arrays of objects', () => {
  // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html
  const event = {
    detail: {
      items: [
        { sku: 'a', qty: 1 },
        { sku: 'b', qty: 3 },
      ],
    },
  };

  test('GIVEN a nested pattern THEN it matches when one element matches all its fields', () => {
    expect(compilePattern({ detail: { items: { sku: ['b'], qty: [{ numeric: ['>', 2] }] } } }).matches(event)).toBe(
      true,
    );
    expect(compilePattern({ detail: { items: { sku: ['a'], qty: [{ numeric: ['>', 2] }] } } }).matches(event)).toBe(
      false,
    );
  });
});

describe('what the local matcher cannot use', () => {
  test('GIVEN an operator it does not know THEN a problem naming it, and the value matches nothing', () => {
    const compiled = compilePattern({ detail: { state: [{ 'starts-with': 'term' }] } });
    expect(compiled.problems).toEqual([
      'detail.state: the operator "starts-with" is not supported locally, so this value matches nothing',
    ]);
    expect(compiled.matches(EC2_EVENT)).toBe(false);
  });

  test('GIVEN a scalar where a list belongs, consecutive wildcards and a bad numeric THEN one problem each', () => {
    expect(
      patternProblems({
        source: 'aws.ec2',
        resources: [{ wildcard: 'arn:**' }],
        detail: { n: [{ numeric: ['>>', 1] }] },
      }),
    ).toEqual([
      'source must be a list of values or a nested pattern, got: "aws.ec2"',
      'resources: wildcard "arn:**" has consecutive wildcard characters',
      'detail.n: numeric has an unknown operator or a bound that is not a number: [">>",1]',
    ]);
  });

  test('GIVEN a pattern that is not an object THEN it matches nothing', () => {
    const compiled = compilePattern(['aws.ec2']);
    expect(compiled.problems).toEqual(['a pattern must be a JSON object, got: ["aws.ec2"]']);
    expect(compiled.matches(EC2_EVENT)).toBe(false);
  });
});

describe('cidr', () => {
  test.each([
    ['2001:db8::/32', '2001:db8:0:1::5', true],
    ['2001:db8::/32', '2001:db9::1', false],
    ['192.168.0.0/16', '192.168.254.3', true],
    ['192.168.0.0/16', 'not-an-address', false],
  ])('%s holds %s: %s', (block, address, expected) => {
    expect(compilePattern({ ip: [{ cidr: block }] }).matches({ ip: address })).toBe(expected);
  });
});
