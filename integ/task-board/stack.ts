import * as path from 'path';
import { RemovalPolicy, Stack, StackProps, Validations } from 'aws-cdk-lib';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ApiAuthorization, ServerlessApi, TableAccess } from '../../src';
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

/**
 * The task board from the DynamoDB design guide, one table for four access patterns:
 *
 * | access pattern                      | key                                                   |
 * | ----------------------------------- | ----------------------------------------------------- |
 * | list a project's tasks              | Query PK = PROJECT#<id>, begins_with(SK, TASK#)       |
 * | create a task once, complete it     | PutItem / UpdateItem with conditions on PROJECT#/TASK# |
 * | a user's sessions, expiring by TTL  | PK = USER#<sub>, SK = SESSION#<id>, expiresAt          |
 * | process each webhook event once     | conditional PutItem PK = WEBHOOK#<provider>, SK = EVENT#<id> |
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
      functions: {
        tasks: {
          entry: handler('tasks'),
          tableAccess: [TableAccess.readWrite(['PROJECT#*'])],
          routes: [
            { method: HttpMethod.GET, path: '/projects/{projectId}/tasks' },
            { method: HttpMethod.POST, path: '/projects/{projectId}/tasks' },
            { method: HttpMethod.POST, path: '/projects/{projectId}/tasks/{taskId}/complete' },
          ],
        },
        sessions: {
          entry: handler('sessions'),
          tableAccess: [TableAccess.readWrite(['USER#*'])],
          routes: [
            { method: HttpMethod.POST, path: '/sessions' },
            { method: HttpMethod.GET, path: '/sessions' },
            { method: HttpMethod.GET, path: '/sessions/{sessionId}' },
            { method: HttpMethod.DELETE, path: '/sessions/{sessionId}' },
          ],
        },
        webhooks: {
          entry: handler('webhooks'),
          // Write-only: the conditional put is the deduplication, so the function never reads.
          tableAccess: [TableAccess.write(['WEBHOOK#*'])],
          environment: { [WEBHOOK_SIGNING_SECRET_ENV]: signingSecret.secretValue.unsafeUnwrap() },
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
    });
  }
}
