/**
 * The EventBridge client of `publish.ts`, in a module of its own so that it loads with the first `EventBus` a
 * function makes: a function that publishes nothing never loads the AWS SDK's EventBridge client (see
 * secrets-provider.ts for the same idiom).
 */
// eslint-disable-next-line import/no-extraneous-dependencies -- the AWS SDK v3 of the Lambda runtime (README: Dependencies)
import {
  EventBridgeClient,
  PutEventsCommand,
  type EventBridgeClientConfig,
  type PutEventsCommandInput,
} from '@aws-sdk/client-eventbridge';

export function createEventBridgeClient(config: EventBridgeClientConfig): EventBridgeClient {
  return new EventBridgeClient(config);
}

export function putEventsCommand(input: PutEventsCommandInput): PutEventsCommand {
  return new PutEventsCommand(input);
}
