/**
 * The SQS client of `enqueue.ts`, in a module of its own so that it loads with the first `Queues` a function makes:
 * the AWS SDK's SQS client is the cost of sending, and a function that sends nothing never loads it (see
 * secrets-provider.ts for the same idiom).
 */
// eslint-disable-next-line import/no-extraneous-dependencies -- the AWS SDK v3 of the Lambda runtime (README: Dependencies)
import { SendMessageCommand, SQSClient, type SendMessageCommandInput, type SQSClientConfig } from '@aws-sdk/client-sqs';

export function createSqsClient(config: SQSClientConfig): SQSClient {
  return new SQSClient(config);
}

export function sendMessageCommand(input: SendMessageCommandInput): SendMessageCommand {
  return new SendMessageCommand(input);
}
