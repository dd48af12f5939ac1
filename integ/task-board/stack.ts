import * as path from 'path';
import { RemovalPolicy, Stack, StackProps, Validations } from 'aws-cdk-lib';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { AccessPattern, ApiAuthorization, CallerAttribute, ServerlessApi } from '../../src';
import { WEBHOOK_SIGNING_SECRET_ENV } from './handlers/lib/webhook-signature';

/** Options of the task-board example; the defaults synthesize without any AWS account. */
export interface TaskBoardStackProps extends StackProps {
  /** Token issuer of the JWT authorizer (e.g. a Cognito user pool URL). */
  readonly issuer?: string;
  /** Accepted token audience (the app client id). */
  readonly audience?: string;
  /** Throwaway stacks (integ tests) delete their table; real ones keep it. */
  readonly ephemeral?: boolean;
}

export const DEFAULT_ISSUER = 'https://auth.example.com';
export const DEFAULT_AUDIENCE = 'task-board-web';

const handler = (name: string) => path.join(__dirname, 'handlers', `${name}.ts`);

const task = { partitionKey: 'PROJECT#{projectId}', sortKey: 'TASK#{taskId}' };
// A user's sessions are bound to the user: IAM itself keeps the sessions function in the caller's own partition.
const ownSessions = { callerBound: { userId: CallerAttribute.id() } };
const session = { partitionKey: 'USER#{userId}', sortKey: 'SESSION#{sessionId}', ...ownSessions };
const taskRequest = { partitionKey: 'IDEMPOTENCY#tasks#{key}', sortKey: 'RECORD' };
const webhookDelivery = { partitionKey: 'IDEMPOTENCY#webhooks#{key}', sortKey: 'RECORD' };
const notification = { partitionKey: 'NOTIFICATIONS#{projectId}', sortKey: 'TASK#{taskId}' };
const notificationDelivery = { partitionKey: 'IDEMPOTENCY#notifier#{key}', sortKey: 'RECORD' };

/**
 * The task board's access patterns, reviewed before any handler was written: one table, four
 * partitions (a project's tasks and its notifications, a user's sessions, a provider's webhook events), no index,
 * no Scan.
 */
export const TASK_BOARD_ACCESS_PATTERNS = {
  listProjectTasks: AccessPattern.query({
    partitionKey: 'PROJECT#{projectId}',
    sortKeyPrefix: 'TASK#',
    description: "A project's tasks, a page at a time",
  }),
  getTask: AccessPattern.getItem({ ...task, description: 'Tell a missing task (404) from a done one (409)' }),
  createTask: AccessPattern.putItem({ ...task, description: 'Create once: attribute_not_exists(PK)' }),
  completeTask: AccessPattern.updateItem({ ...task, description: 'Transition open -> done, conditionally' }),
  createSession: AccessPattern.putItem({ ...session, description: 'A session with a TTL (expiresAt)' }),
  getSession: AccessPattern.getItem({ ...session, description: 'Expired sessions read as missing' }),
  listSessions: AccessPattern.query({
    partitionKey: 'USER#{userId}',
    sortKeyPrefix: 'SESSION#',
    ...ownSessions,
    description: "A user's live sessions",
  }),
  deleteSession: AccessPattern.deleteItem({ ...session, description: 'Sign out' }),
  recordWebhookEvent: AccessPattern.putItem({
    partitionKey: 'WEBHOOK#{provider}',
    sortKey: 'EVENT#{eventId}',
    description: 'Record each event once: attribute_not_exists(PK)',
  }),
  recordNotification: AccessPattern.putItem({
    ...notification,
    description: 'Record a completed task once: attribute_not_exists(PK)',
  }),
  listNotifications: AccessPattern.query({
    partitionKey: notification.partitionKey,
    sortKeyPrefix: 'TASK#',
    description: "A project's notifications, a page at a time",
  }),
  // Toolkit records, each function under its own prefix so no function can touch another's. One partition per
  // key (a hash), so neither idempotency records nor rate-limit counters crowd a hot partition.
  putTaskRequest: AccessPattern.putItem({ ...taskRequest, description: 'Claim and complete an Idempotency-Key' }),
  getTaskRequest: AccessPattern.getItem({ ...taskRequest, description: 'Replay a completed request' }),
  countTaskRequests: AccessPattern.updateItem({
    partitionKey: 'RATE#tasks#{caller}',
    sortKey: 'WINDOW#{window}',
    description: "A caller's requests in the current minute",
  }),
  putWebhookDelivery: AccessPattern.putItem({ ...webhookDelivery, description: 'Claim a delivery by event id' }),
  getWebhookDelivery: AccessPattern.getItem({ ...webhookDelivery, description: 'Replay a repeated delivery' }),
  putNotificationDelivery: AccessPattern.putItem({
    ...notificationDelivery,
    description: 'Claim a message by its id',
  }),
  getNotificationDelivery: AccessPattern.getItem({
    ...notificationDelivery,
    description: 'Skip a message delivered again',
  }),
};

/**
 * The task board from the DynamoDB design guide: one table, the access patterns above, three route functions, and a
 * queue whose worker records each completed task's notification off the request path.
 */
export class TaskBoardStack extends Stack {
  public readonly api: ServerlessApi;

  constructor(scope: Construct, id: string, props: TaskBoardStackProps = {}) {
    super(scope, id, props);

    const signingSecret = new secretsmanager.Secret(this, 'WebhookSigningSecret', {
      description: 'Shared secret the webhook provider signs its deliveries with (HMAC-SHA256)',
      removalPolicy: props.ephemeral ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
    Validations.of(signingSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The webhook provider issues and rotates the signing secret; it is copied here when the provider rotates it.',
    });

    this.api = new ServerlessApi(this, 'Api', {
      apiName: 'task-board',
      authorization: ApiAuthorization.jwt({
        issuer: props.issuer ?? DEFAULT_ISSUER,
        audience: [props.audience ?? DEFAULT_AUDIENCE],
      }),
      table: props.ephemeral ? { removalPolicy: RemovalPolicy.DESTROY, deletionProtection: false } : undefined,
      accessPatterns: TASK_BOARD_ACCESS_PATTERNS,
      functions: {
        tasks: {
          entry: handler('tasks'),
          accessPatterns: [
            'listProjectTasks',
            'getTask',
            'createTask',
            'completeTask',
            'putTaskRequest',
            'getTaskRequest',
            'countTaskRequests',
            'listNotifications',
          ],
          // Completing a task enqueues its notification: the caller does not wait for it.
          queues: ['notifications'],
          routes: [
            { method: HttpMethod.GET, path: '/projects/{projectId}/tasks' },
            { method: HttpMethod.POST, path: '/projects/{projectId}/tasks' },
            { method: HttpMethod.POST, path: '/projects/{projectId}/tasks/{taskId}/complete' },
            { method: HttpMethod.GET, path: '/projects/{projectId}/notifications' },
          ],
        },
        sessions: {
          entry: handler('sessions'),
          accessPatterns: ['createSession', 'getSession', 'listSessions', 'deleteSession'],
          routes: [
            { method: HttpMethod.POST, path: '/sessions' },
            { method: HttpMethod.GET, path: '/sessions' },
            { method: HttpMethod.GET, path: '/sessions/{sessionId}' },
            { method: HttpMethod.DELETE, path: '/sessions/{sessionId}' },
          ],
        },
        webhooks: {
          entry: handler('webhooks'),
          // Writes its own event records and delivery records, reads only the latter: never updates or deletes.
          accessPatterns: ['recordWebhookEvent', 'putWebhookDelivery', 'getWebhookDelivery'],
          // The variable carries the secret's ARN; the handler reads the value at run time, so a rotated secret
          // reaches it within minutes and the value never appears in the function's configuration.
          secrets: { [WEBHOOK_SIGNING_SECRET_ENV]: signingSecret },
          routes: [
            {
              method: HttpMethod.POST,
              path: '/webhooks/{provider}',
              // Providers cannot send a JWT: the handler verifies each delivery's HMAC signature instead.
              authorization: ApiAuthorization.none(),
              throttle: { rateLimit: 20, burstLimit: 40 },
            },
          ],
        },
      },
      queues: {
        notifications: {
          // Records each notification once: a create-once write, and its message id claimed in the idempotency store.
          worker: {
            entry: handler('notifier'),
            accessPatterns: ['recordNotification', 'putNotificationDelivery', 'getNotificationDelivery'],
          },
        },
      },
    });
  }
}
