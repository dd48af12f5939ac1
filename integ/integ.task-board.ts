import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration } from 'aws-cdk-lib';
import { TaskBoardStack } from './task-board/stack';
import { THROTTLED_REQUESTS_FILTER_PATTERN } from '../src/monitoring/access-log-metrics';

/**
 * Deploys the task-board example and checks what a deployed stack must do: requests without a
 * token are refused by the gateway, unsigned webhooks by the handler, a task is created only once, its completion is
 * recorded as one notification by the queue's worker,
 * the table has point-in-time recovery and TTL on, the 429 metric filter matches what CloudWatch Logs
 * matches, and the composite alarm notifies the alarm topic.
 */
// Creation stack traces would put this machine's paths into the snapshot's metadata.
const app = new App({ context: { 'aws:cdk:disable-creation-stack-traces': true } });
const stack = new TaskBoardStack(app, 'TaskBoardIntegStack', { ephemeral: true });
const integ = new IntegTest(app, 'TaskBoardInteg', {
  testCases: [stack],
  cdkCommandOptions: { destroy: { args: { force: true } } },
});

const { api } = stack;
const tableName = api.table.tableName;

// The JWT authorizer answers 401 before any function runs.
integ.assertions.httpApiCall(`${api.url}projects/alpha/tasks`).expect(ExpectedResult.objectLike({ status: 401 }));

// The public webhook route still refuses a delivery without a valid signature.
integ.assertions
  .httpApiCall(`${api.url}webhooks/stripe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: 'evt_integ', type: 'ping' }),
  })
  .expect(ExpectedResult.objectLike({ status: 401 }));

// A task is created once: the second identical create is a conflict, not an overwrite.
const tasksFunction = api.functions.find((fn) => fn.name === 'tasks')!.lambdaFunction;
const createTask = (): string =>
  JSON.stringify({
    version: '2.0',
    routeKey: 'POST /projects/{projectId}/tasks',
    rawPath: '/projects/alpha/tasks',
    pathParameters: { projectId: 'alpha' },
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ taskId: 'integ-task-1', title: 'Ship the task board' }),
    isBase64Encoded: false,
    requestContext: {
      requestId: 'integ-create-task',
      routeKey: 'POST /projects/{projectId}/tasks',
      authorizer: { jwt: { claims: { sub: 'integ-user' }, scopes: [] } },
    },
  });
const firstCreate = integ.assertions.invokeFunction({
  functionName: tasksFunction.functionName,
  payload: createTask(),
});
firstCreate.expect(ExpectedResult.objectLike({ Payload: Match.stringLikeRegexp('"statusCode":201') }));
const secondCreate = integ.assertions.invokeFunction({
  functionName: tasksFunction.functionName,
  payload: createTask(),
});
secondCreate.expect(ExpectedResult.objectLike({ Payload: Match.stringLikeRegexp('"statusCode":409') }));
firstCreate.next(secondCreate);

// Completing the task answers at once; the notifier worker records its notification from the queue, exactly once.
const complete = integ.assertions.invokeFunction({
  functionName: tasksFunction.functionName,
  payload: JSON.stringify({
    version: '2.0',
    routeKey: 'POST /projects/{projectId}/tasks/{taskId}/complete',
    rawPath: '/projects/alpha/tasks/integ-task-1/complete',
    pathParameters: { projectId: 'alpha', taskId: 'integ-task-1' },
    headers: {},
    isBase64Encoded: false,
    requestContext: {
      requestId: 'integ-complete-task',
      routeKey: 'POST /projects/{projectId}/tasks/{taskId}/complete',
      authorizer: { jwt: { claims: { sub: 'integ-user' }, scopes: [] } },
    },
  }),
});
complete.expect(ExpectedResult.objectLike({ Payload: Match.stringLikeRegexp('"statusCode":200') }));
secondCreate.next(complete);
const notification = integ.assertions
  .awsApiCall('DynamoDB', 'query', {
    TableName: tableName,
    KeyConditionExpression: 'PK = :pk',
    ExpressionAttributeValues: { ':pk': { S: 'NOTIFICATIONS#alpha' } },
  })
  .expect(
    ExpectedResult.objectLike({
      Count: 1,
      Items: [Match.objectLike({ SK: { S: 'TASK#integ-task-1' }, completedBy: { S: 'integ-user' } })],
    }),
  )
  .waitForAssertions({ totalTimeout: Duration.minutes(2), interval: Duration.seconds(5) });
complete.next(notification);
// Nothing failed on the way: the queue's dead-letter queue is empty.
const notifications = api.queue('notifications');
notification.next(
  integ.assertions
    .awsApiCall('SQS', 'getQueueAttributes', {
      QueueUrl: notifications.deadLetterQueue.queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages'],
    })
    .expect(ExpectedResult.objectLike({ Attributes: { ApproximateNumberOfMessages: '0' } })),
);

// Point-in-time recovery and TTL are on in the deployed table, not only in the template.
integ.assertions.awsApiCall('DynamoDB', 'describeContinuousBackups', { TableName: tableName }).expect(
  ExpectedResult.objectLike({
    ContinuousBackupsDescription: {
      PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: 'ENABLED' },
    },
  }),
);
integ.assertions
  .awsApiCall('DynamoDB', 'describeTimeToLive', { TableName: tableName })
  .expect(
    ExpectedResult.objectLike({ TimeToLiveDescription: { TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' } }),
  );

// CloudWatch Logs itself matches the 429 filter against access-log lines: a throttled request, not a served one.
const accessLogLine = (status: string, integrationStatus: string) =>
  JSON.stringify({ apiId: 'a1b2c3d4e5', requestId: 'r-1', routeKey: 'GET /sessions', status, integrationStatus });
integ.assertions
  .awsApiCall('CloudWatchLogs', 'testMetricFilter', {
    filterPattern: THROTTLED_REQUESTS_FILTER_PATTERN,
    logEventMessages: [accessLogLine('200', '200'), accessLogLine('429', '-')],
  })
  .expect(ExpectedResult.objectLike({ matches: [Match.objectLike({ eventNumber: 2 })] }));

// One composite alarm rolls the critical alarms up and notifies the topic.
integ.assertions
  .awsApiCall('CloudWatch', 'describeAlarms', {
    AlarmNames: [api.unhealthyAlarm!.alarmName],
    AlarmTypes: ['CompositeAlarm'],
  })
  .expect(
    ExpectedResult.objectLike({
      CompositeAlarms: [Match.objectLike({ ActionsEnabled: true, AlarmActions: [api.alarmTopic!.topicArn] })],
    }),
  );

app.synth();
