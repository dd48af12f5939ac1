import { ServerlessApi, TableEncryption } from '../../src';
import { defaultProps, ENV, HANDLER_ENTRY, newStack } from '../helpers/api';
import { modelOf } from '../helpers/iam/apps';
import { Case } from '../helpers/iam/evaluate';
import { StackModel } from '../helpers/iam/model';
import { allow, deny, failuresOf, principalOf } from '../helpers/iam/role-cases';
import { STREAM_LABEL } from '../helpers/iam/template';

/**
 * Least privilege of stream workers, evaluated by iam-simulate on the synthesized policies: a worker reads only its
 * table's stream (https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html#events-dynamodb-permissions), decrypts its
 * records only through DynamoDB, reaches the table's items only as its access patterns say, and only sends to its own
 * dead-letter queue.
 */

const { account, region } = ENV;
const tableArn = (name: string) => `arn:aws:dynamodb:${region}:${account}:table/${name}`;
const streamOf = (table: string, label = STREAM_LABEL) => `${tableArn(table)}/stream/${label}`;

let model: StackModel;
let table: string;
beforeAll(() => {
  const stack = newStack({ env: ENV });
  new ServerlessApi(stack, 'Api', {
    ...defaultProps(),
    table: { encryption: TableEncryption.customerManaged() },
    tableStream: {
      workers: {
        changes: { entry: HANDLER_ENTRY },
        projector: { entry: HANDLER_ENTRY, accessPatterns: ['putItem'] },
      },
    },
  });
  model = modelOf(stack);
  table = model.tables[0].name;
});

const tableKey = () => model.keys.find((key) => key.logicalId.startsWith('ApiTableKey'))!;
const keyArn = () => tableKey().arn;
/** A KMS request is allowed by the key's policy as well as the role's: KMS evaluates both. */
const withKeyPolicy = (c: Case): Case => ({ ...c, resourcePolicy: tableKey().policy });
const ownQueue = (worker: string) => `arn:aws:sqs:${region}:${account}:ApiStreams${worker}DeadLetterQueue`;

/** The actual ARN of the worker's dead-letter queue, as the template names it. */
function deadLetterQueue(worker: string): string {
  const statement = principalOf(model, `ApiWorkers${worker}Role`)
    .policies.flatMap((p) => [p.document.Statement ?? []].flat() as { Action: string | string[]; Resource: string }[])
    .find((s) => [s.Action].flat().includes('sqs:SendMessage'));
  return statement!.Resource;
}

test('GIVEN a stream worker THEN it reads its table stream only, and nothing of the table', async () => {
  const stream = streamOf(table);
  const queue = deadLetterQueue('changes');
  expect(queue.startsWith(ownQueue('changes'))).toBe(true);
  const cases = [
    ...['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'].map((action) =>
      allow(action, stream, "its table's stream, as Lambda's event source mapping reads it"),
    ),
    allow('dynamodb:ListStreams', '*', 'ListStreams supports no resource-level permission'),
    deny('dynamodb:GetRecords', streamOf('OtherTable'), "another table's stream"),
    deny('dynamodb:GetShardIterator', streamOf('OtherTable'), "another table's stream"),
    deny(
      'dynamodb:DescribeStream',
      streamOf(table, '2025-06-01T00:00:00.000'),
      "the table's stream before it was enabled again",
    ),
    deny('dynamodb:GetItem', tableArn(table), 'the table itself: no access pattern grants it', {
      'dynamodb:LeadingKeys': ['ITEM#x1'],
    }),
    deny('dynamodb:Scan', tableArn(table), 'the table itself'),
    deny('dynamodb:PutItem', tableArn(table), 'the table itself', { 'dynamodb:LeadingKeys': ['ITEM#x1'] }),
    ...[
      allow('kms:Decrypt', keyArn(), "the stream's records, through DynamoDB", {
        'kms:ViaService': `dynamodb.${region}.amazonaws.com`,
      }),
      deny('kms:Decrypt', keyArn(), 'the key used directly'),
      deny('kms:Decrypt', keyArn(), 'the key through another service', {
        'kms:ViaService': `sqs.${region}.amazonaws.com`,
      }),
      deny('kms:GenerateDataKey', keyArn(), 'a stream reader encrypts nothing', {
        'kms:ViaService': `dynamodb.${region}.amazonaws.com`,
      }),
    ].map(withKeyPolicy),
    allow('sqs:SendMessage', queue, "the mapping's on-failure destination, sent with the worker's role"),
    deny('sqs:SendMessage', deadLetterQueue('projector'), "another worker's dead-letter queue"),
    deny('sqs:ReceiveMessage', queue, 'the worker never reads its dead letters'),
  ];
  expect(await failuresOf(principalOf(model, 'ApiWorkerschangesRole'), cases)).toBe('');
});

test('GIVEN a stream worker with an access pattern THEN it reaches the table as the pattern says, and no further', async () => {
  const cases = [
    allow('dynamodb:PutItem', tableArn(table), 'its putItem pattern', { 'dynamodb:LeadingKeys': ['ITEM#x1'] }),
    deny('dynamodb:PutItem', tableArn(table), 'another partition', { 'dynamodb:LeadingKeys': ['USER#x1'] }),
    deny('dynamodb:GetItem', tableArn(table), 'an operation of no pattern of its', {
      'dynamodb:LeadingKeys': ['ITEM#x1'],
    }),
    allow('dynamodb:GetRecords', streamOf(table), "its table's stream"),
  ];
  expect(await failuresOf(principalOf(model, 'ApiWorkersprojectorRole'), cases)).toBe('');
});
