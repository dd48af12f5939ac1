import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { IConstruct } from 'constructs';
import { AccessPattern, CallerAttribute, ServerlessApiProps, WorkerOptions } from '../../src';
import { ApiWorkers } from '../../src/functions/api-workers';
import { WorkerFunction } from '../../src/functions/worker-function';
import { WorkerSource } from '../../src/functions/worker-source';
import { ServerlessApiModel } from '../../src/serverless-api-model';
import {
  API_CORS_ENV,
  QUEUES_ENV,
  SERVICE_NAME_ENV,
  TABLE_ACCESS_PATTERNS_ENV,
  TABLE_CALLER_ROLE_ENV,
  TABLE_NAME_ENV,
} from '../../src/shared/env';
import { buildTable } from '../../src/table/table-builder';
import {
  actionsOf,
  defaultProps,
  fn,
  getAtt,
  HANDLER_ENTRY,
  inlineStatements,
  itemPatterns,
  logicalId,
  newStack,
  ref,
  resources,
  route,
} from '../helpers/api';

/**
 * The worker core, whatever its source: validation through the one path route functions take (with Lambda's own
 * timeout limit and no caller), and a worker built with exactly its declared access and its source's.
 */

/** A source that grants reading one parameter and records what it was bound to. */
class RecordingSource implements WorkerSource {
  public readonly description = 'Worker of the test source';
  public readonly noDeadLetterQueueReason = 'The test source keeps its own failed events, so the worker needs none.';
  public readonly statements = [
    new iam.PolicyStatement({
      actions: ['ssm:GetParameter'],
      resources: ['arn:aws:ssm:eu-west-1:123456789012:parameter/source'],
    }),
  ];
  public readonly bound: { scope: IConstruct; target: lambda.IFunction }[] = [];

  public bind(scope: IConstruct, target: lambda.IFunction): void {
    this.bound.push({ scope, target });
  }
}

const worker = (options: Partial<WorkerOptions> = {}): WorkerOptions => ({ entry: HANDLER_ENTRY, ...options });

/** The model of the API built from `defaultProps()` with `props` on top, in a new stack. */
function modelOf(props: Partial<ServerlessApiProps> = {}, stack: Stack = newStack()): ServerlessApiModel {
  return new ServerlessApiModel(stack, { ...defaultProps(), ...props });
}

describe('GIVEN the worker validation path', () => {
  const addWorker = (options: Partial<WorkerOptions>, props: Partial<ServerlessApiProps> = {}) =>
    modelOf(props).addWorker('queues', 'thumbnails', 'queues.thumbnails.worker', worker(options));

  test('WHEN a worker asks for 15 minutes THEN it is accepted: no API Gateway integration waits for it', () => {
    expect(addWorker({ timeout: Duration.minutes(15) }).settings.timeout.toMinutes()).toBe(15);
  });

  test("WHEN a worker asks for more than Lambda's 15 minutes THEN it is refused at its own prop", () => {
    expect(() => addWorker({ timeout: Duration.seconds(901) })).toThrow(
      new Error(
        "`queues.thumbnails.worker.timeout` must be at most 15 minutes, Lambda's longest timeout, got: 15 minutes 1 second",
      ),
    );
  });

  test("WHEN a route function asks for the worker's 15 minutes THEN the integration timeout still refuses it", () => {
    const model = modelOf();
    expect(() =>
      model.addFunction('slow', fn([route(HttpMethod.GET, '/slow')], { timeout: Duration.minutes(15) })),
    ).toThrow(
      new Error(
        "`functions.slow.timeout` must be below the API's 30 seconds integration timeout, or callers get a 503 while the function still runs, got: 15 minutes",
      ),
    );
  });

  test('WHEN a worker leaves its timeout out THEN it takes `functionDefaults`, then the library default', () => {
    expect(addWorker({}).settings.timeout.toSeconds()).toBe(10);
    expect(addWorker({}, { functionDefaults: { timeout: Duration.seconds(20) } }).settings.timeout.toSeconds()).toBe(
      20,
    );
  });

  test('WHEN a worker names a caller-bound pattern THEN it is refused: a worker has no caller to bind', () => {
    const accessPatterns = {
      ...itemPatterns(),
      getCart: AccessPattern.getItem({
        partitionKey: 'USER#{userId}',
        sortKey: 'CART',
        callerBound: { userId: CallerAttribute.id() },
      }),
    };
    expect(() => addWorker({ accessPatterns: ['getCart'] }, { accessPatterns })).toThrow(
      new Error(
        '`queues.thumbnails.worker.accessPatterns[0]` must not be caller-bound: a worker runs with no caller whose session could bind {userId}; declare an unbound pattern for the worker, and carry the caller\'s values in the message, got: "getCart"',
      ),
    );
  });

  test('WHEN a worker names an unknown pattern or queue THEN the message lists what is declared', () => {
    expect(() => addWorker({ accessPatterns: ['getItem', 'nope'] })).toThrow(
      new Error(
        '`queues.thumbnails.worker.accessPatterns[1]` must name one of the API\'s `accessPatterns` (declared: "getItem", "putItem", "updateItem", "deleteItem", "listItems"), got: "nope"',
      ),
    );
    expect(() => addWorker({ queues: ['nope'] })).toThrow(
      new Error(
        '`queues.thumbnails.worker.queues[0]` must name one of the API\'s `queues` (declared: none), got: "nope"',
      ),
    );
  });

  test('WHEN a worker sets a variable the library sets THEN it is refused as on a route function', () => {
    expect(() => addWorker({ environment: { [QUEUES_ENV]: '{}' } })).toThrow(
      new Error(
        `\`queues.thumbnails.worker.environment\` must not set ${QUEUES_ENV}: the library sets it from the API's settings, got: "${QUEUES_ENV}"`,
      ),
    );
  });

  test('WHEN a worker takes the name of a route function THEN it is refused, naming the function', () => {
    const model = modelOf();
    expect(() => model.addWorker('queues', 'items', 'queues.items.worker', worker())).toThrow(
      new Error(
        '`queues` must have names unique among the API\'s route functions and workers, which share one namespace: `functions.items` is named "items" already, got: "items"',
      ),
    );
  });

  test('WHEN a route function takes the name of a worker THEN it is refused, naming the worker', () => {
    const model = modelOf();
    model.addWorker('queues', 'thumbnails', 'queues.thumbnails.worker', worker());
    expect(() => model.addFunction('thumbnails', fn([route(HttpMethod.GET, '/thumbnails')]))).toThrow(
      new Error(
        '`functions` must have names unique among the API\'s route functions and workers, which share one namespace: `queues.thumbnails.worker` is named "thumbnails" already, got: "thumbnails"',
      ),
    );
  });

  test("WHEN a worker's own concurrency alarm has no reservation THEN it is refused as on a route function", () => {
    expect(() => addWorker({ alarms: { concurrency: { maxPercent: 50 } } })).toThrow(
      new Error(
        '`queues.thumbnails.worker.alarms.concurrency` must be left out on a function without `reservedConcurrentExecutions`: it measures concurrency as a share of the reservation, got: {"maxPercent":50}',
      ),
    );
  });

  test('WHEN a worker passes every check THEN it resolves its patterns and its thresholds over the API-wide ones', () => {
    const resolved = modelOf({ alarms: { functions: { errorRate: { maxPercent: 5 } } } }).addWorker(
      'queues',
      'thumbnails',
      'queues.thumbnails.worker',
      worker({ accessPatterns: ['getItem'], alarms: { durationP99: { maxPercent: 90 } } }),
    );
    expect(resolved.accessPatterns.map((p) => p.name)).toEqual(['getItem']);
    expect(resolved.thresholds.signals.errorRate.max).toBe(5);
    expect(resolved.thresholds.signals.durationP99.max).toBe(90);
  });
});

describe('GIVEN a worker built with a source', () => {
  let stack: Stack;
  let template: Template;
  let built: WorkerFunction;
  let source: RecordingSource;
  let monitored: string[];
  beforeAll(() => {
    stack = newStack();
    const props = { ...defaultProps(), accessPatterns: itemPatterns() };
    const model = new ServerlessApiModel(stack, props);
    const secret = new secretsmanager.Secret(stack, 'Token');
    const workerModel = model.addWorker(
      'queues',
      'thumbnails',
      'queues.thumbnails.worker',
      worker({
        accessPatterns: ['getItem', 'putItem'],
        secrets: { TOKEN: secret },
        environment: { SIZE: '128' },
        timeout: Duration.minutes(5),
      }),
    );
    monitored = [];
    const workers = new ApiWorkers(stack, 'Workers', {
      table: buildTable(stack, model.tableKeys, undefined, undefined),
      logRetention: logs.RetentionDays.ONE_WEEK,
      monitoring: {
        addWorker: (watched) => {
          monitored.push(watched.name);
          return [];
        },
      },
    });
    source = new RecordingSource();
    built = workers.add(workerModel, source, { queues: {}, statements: [] });
    template = Template.fromStack(stack);
  });

  const functionId = () => logicalId(template, 'AWS::Lambda::Function', 'Workersthumbnails');
  const roleId = () => logicalId(template, 'AWS::IAM::Role', 'Workersthumbnails');

  test('THEN its resources sit under Workers/<name>, with its own log group kept as the API says', () => {
    expect(built.node.path).toBe('Test/Workers/thumbnails');
    const logGroupId = logicalId(template, 'AWS::Logs::LogGroup', 'Workersthumbnails');
    expect(resources(template)[logGroupId].Properties.RetentionInDays).toBe(7);
    expect(resources(template)[functionId()].Properties.LoggingConfig.LogGroup).toEqual(ref(logGroupId));
  });

  test('THEN it runs with its own timeout and describes what invokes it', () => {
    expect(resources(template)[functionId()].Properties).toEqual(
      expect.objectContaining({ Timeout: 300, Description: 'Worker of the test source', Role: getAtt(roleId()) }),
    );
  });

  test("THEN its environment has the table's variables and its own, and no CORS, caller role or queues", () => {
    const variables = resources(template)[functionId()].Properties.Environment.Variables;
    expect(variables).toEqual(
      expect.objectContaining({
        [SERVICE_NAME_ENV]: 'thumbnails',
        SIZE: '128',
        TOKEN: ref(logicalId(template, 'AWS::SecretsManager::Secret', 'Token')),
      }),
    );
    expect(variables[TABLE_NAME_ENV]).toBeDefined();
    expect(Object.keys(JSON.parse(variables[TABLE_ACCESS_PATTERNS_ENV]))).toEqual(['getItem', 'putItem']);
    for (const absent of [API_CORS_ENV, TABLE_CALLER_ROLE_ENV, QUEUES_ENV]) expect(variables[absent]).toBeUndefined();
  });

  test("THEN its role holds its logs, traces, patterns, secret and the source's statement, and nothing else", () => {
    const actions = inlineStatements(template, roleId()).map((s) => actionsOf(s).sort().join(','));
    expect(actions.sort()).toEqual(
      [
        'logs:CreateLogStream,logs:PutLogEvents',
        'xray:PutTelemetryRecords,xray:PutTraceSegments',
        // one statement: both patterns have the same key shape
        'dynamodb:BatchGetItem,dynamodb:ConditionCheckItem,dynamodb:GetItem,dynamodb:PutItem',
        'secretsmanager:GetSecretValue',
        'ssm:GetParameter',
      ].sort(),
    );
  });

  test('THEN the source was bound once, in the worker, to its function', () => {
    expect(source.bound).toHaveLength(1);
    expect(source.bound[0].scope).toBe(built);
    expect(source.bound[0].target).toBe(built.lambdaFunction);
  });

  test("THEN it is monitored and listed, and cdk-nag hears the source's dead-letter reason", () => {
    expect(monitored).toEqual(['thumbnails']);
    const acknowledgements = built.lambdaFunction.node.metadata.filter((m) =>
      JSON.stringify(m.data).includes('Serverless-LambdaDLQ'),
    );
    expect(JSON.stringify(acknowledgements)).toContain(source.noDeadLetterQueueReason);
  });
});
