/**
 * The local SQS through the AWS SDK v3 client (AWS JSON 1.0), signed as the app's functions: what each role allows,
 * the errors SQS answers and the checks the SDK makes on its answers (body digests).
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_Operations.html
 */
import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { functionAccessKeyId } from '../../../src/local/app-version';
import { md5OfAttributes } from '../../../src/local/sqs/attributes';
import { startWorkersApp, type WorkersApp } from '../../helpers/workers-app';

let app: WorkersApp;
beforeAll(async () => {
  app = await startWorkersApp(({ stack, fn, route }) => {
    const jobs = new sqs.Queue(stack, 'Jobs');
    const orders = new sqs.Queue(stack, 'Orders', { fifo: true });
    new sqs.Queue(stack, 'Private');
    // Functions the API reaches, whose credentials the test signs with.
    const [sender, consumer, purger] = ['Sender', 'Consumer', 'Purger'].map((id) => {
      const handler = fn(id, 'exports.handler = async () => ({ statusCode: 204 });');
      route(HttpMethod.GET, `/${id.toLowerCase()}`, handler);
      return handler;
    });
    jobs.grantSendMessages(sender);
    orders.grantSendMessages(sender);
    jobs.grantConsumeMessages(consumer);
    jobs.grantPurge(purger);
  });
}, 60_000);
afterAll(() => app.stop());

/** A client signed as the function with this logical id prefix (as the function's own credentials sign). */
function clientAs(prefix: string): SQSClient {
  const fn = Object.values(app.api.model.functions).find((f) => f.logicalId.startsWith(prefix))!;
  const { endpoint, region } = app.api.servicesConfig();
  return new SQSClient({
    endpoint,
    region,
    credentials: { accessKeyId: functionAccessKeyId(fn), secretAccessKey: 'x' },
  });
}

const admin = () => new SQSClient(app.api.servicesConfig());

test('GIVEN a sender and a consumer THEN a message goes through with its attributes, and the SDK checks the digests', async () => {
  const url = app.api.queue('Jobs').url;
  const sent = await clientAs('Sender').send(
    new SendMessageCommand({
      QueueUrl: url,
      MessageBody: '{"job":1}',
      MessageAttributes: { kind: { DataType: 'String', StringValue: 'export' } },
    }),
  );
  expect(sent.MD5OfMessageAttributes).toBe(md5OfAttributes({ kind: { DataType: 'String', StringValue: 'export' } }));
  const { Messages } = await clientAs('Consumer').send(
    new ReceiveMessageCommand({ QueueUrl: url, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] }),
  );
  expect(Messages).toEqual([
    expect.objectContaining({
      MessageId: sent.MessageId,
      Body: '{"job":1}',
      MessageAttributes: { kind: { DataType: 'String', StringValue: 'export' } },
      Attributes: expect.objectContaining({
        ApproximateReceiveCount: '1',
        SenderId: expect.stringMatching(/^AROA[A-Z2-7]{17}:Workers-Sender/),
      }),
    }),
  ]);
});

test('GIVEN a queue the role does not name THEN AccessDenied as SQS words it, and a DENIED line', async () => {
  const url = app.api.queue('Private').url;
  const error = await clientAs('Sender')
    .send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' }))
    .catch((e: Error) => e);
  expect(error).toMatchObject({ name: 'AccessDenied', Code: 'AccessDenied' });
  expect((error as Error).message).toMatch(
    /^User: arn:aws:sts::123456789012:assumed-role\/[^/]+\/Workers-Sender\w* is not authorized to perform: sqs:sendmessage on resource: arn:aws:sqs:us-east-1:123456789012:Workers-Private\w+ because no identity-based policy allows the sqs:sendmessage action$/,
  );
  expect(app.api.logs).toContainEqual(
    expect.stringMatching(
      /^\[sqs\] DENIED function Sender \(Sender\w+, role \w+\): no statement allows sqs:SendMessage on arn:aws:sqs:us-east-1:123456789012:Workers-Private/,
    ),
  );
  expect(app.api.queue('Private').messages()).toEqual([]);
});

test('GIVEN GetQueueUrl THEN the URL on the local endpoint', async () => {
  const { QueueUrl } = await clientAs('Sender').send(
    new GetQueueUrlCommand({ QueueName: app.api.queue('Jobs').queueName }),
  );
  expect(QueueUrl).toBe(app.api.queue('Jobs').url);
  expect(QueueUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/123456789012\/Workers-Jobs/);
});

test('GIVEN a FIFO queue THEN a message without a group is refused, alone or in a batch', async () => {
  const url = app.api.queue('Orders').url;
  const error = await clientAs('Sender')
    .send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageDeduplicationId: 'd1' }))
    .catch((e: Error) => e);
  expect(error).toMatchObject({
    name: 'MissingParameter',
    message: 'The request must contain the parameter MessageGroupId.',
  });
  const batch = await clientAs('Sender').send(
    new SendMessageBatchCommand({
      QueueUrl: url,
      Entries: [
        { Id: 'ok', MessageBody: 'a', MessageGroupId: 'g', MessageDeduplicationId: 'd2' },
        { Id: 'nogroup', MessageBody: 'b', MessageDeduplicationId: 'd3' },
      ],
    }),
  );
  expect(batch.Successful?.map((s) => s.Id)).toEqual(['ok']);
  expect(batch.Successful?.[0].SequenceNumber).toMatch(/^\d{20}$/);
  expect(batch.Failed).toEqual([
    {
      Id: 'nogroup',
      SenderFault: true,
      Code: 'MissingParameter',
      Message: 'The request must contain the parameter MessageGroupId.',
    },
  ]);
  const repeated = await clientAs('Sender')
    .send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'x', MessageBody: 'a' },
          { Id: 'x', MessageBody: 'b' },
        ],
      }),
    )
    .catch((e: Error) => e);
  expect(repeated).toMatchObject({ name: 'BatchEntryIdsNotDistinct', message: 'Id x repeated.' });
});

test('GIVEN a long poll THEN it answers as soon as a message arrives', async () => {
  const url = app.api.queue('Jobs').url;
  const started = Date.now();
  const polling = clientAs('Consumer').send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 10 }));
  setTimeout(() => void app.api.queue('Jobs').send('late'), 300);
  const { Messages } = await polling;
  expect(Messages?.map((m) => m.Body)).toEqual(['late']);
  expect(Date.now() - started).toBeLessThan(5000);
});

test('GIVEN messages in flight THEN GetQueueAttributes counts them; a second purge within 60 s is refused', async () => {
  const url = app.api.queue('Jobs').url;
  const { Attributes } = await clientAs('Consumer').send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessagesNotVisible', 'VisibilityTimeout'],
    }),
  );
  expect(Attributes).toEqual({ ApproximateNumberOfMessagesNotVisible: '2', VisibilityTimeout: '30' });
  await clientAs('Purger').send(new PurgeQueueCommand({ QueueUrl: url }));
  expect(app.api.queue('Jobs').messages()).toEqual([]);
  const again = await clientAs('Purger')
    .send(new PurgeQueueCommand({ QueueUrl: url }))
    .catch((e: Error) => e);
  expect(again).toMatchObject({ name: 'PurgeQueueInProgress', Code: 'AWS.SimpleQueueService.PurgeQueueInProgress' });
});

test('GIVEN a queue that does not exist THEN QueueDoesNotExist', async () => {
  const url = app.api.queue('Jobs').url.replace(/Workers-Jobs\w*$/, 'nope');
  const error = await admin()
    .send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' }))
    .catch((e: Error) => e);
  expect(error).toMatchObject({ name: 'QueueDoesNotExist', Code: 'AWS.SimpleQueueService.NonExistentQueue' });
});
