import { Stack, Validations } from 'aws-cdk-lib';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { ApiEventBus, ServerlessApi } from '../../src';
import { defaultProps, fn, HANDLER_ENTRY, newStack, route } from '../helpers/api';

/**
 * cdk-nag over an API with event workers and publishers: every finding is acknowledged where it is raised, with its
 * reason, and the Serverless pack's rules on EventBridge rules (a dead-letter queue per target) and on asynchronous
 * invocations (an on-failure destination) pass without one.
 */

function findings(stack: Stack): string[] {
  return [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
    pack
      .validateScope(stack)
      .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName}: ${r.constructPath}`)),
  );
}

/** The acknowledgements recorded under `scope`, each once, as "<path below it> <rule id>: <reason>". */
function acknowledgements(scope: IConstruct): string[] {
  const lines = scope.node
    .findAll()
    .flatMap((construct) =>
      construct.node.metadata
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) =>
          Object.entries(entry.data as { [id: string]: string }).map(
            ([id, reason]) =>
              `${construct.node.path.slice(scope.node.path.length + 1)} ${id.replace(/^annotation::/i, '')}: ${reason}`,
          ),
        ),
    );
  return [...new Set(lines)];
}

describe.each([
  ['the default bus', ApiEventBus.default()],
  ['a bus the API creates', ApiEventBus.create({ eventBusName: 'orders' })],
])('GIVEN event workers and a publisher on %s', (_, bus) => {
  let stack: Stack;
  let api: ServerlessApi;
  beforeAll(() => {
    stack = newStack();
    api = new ServerlessApi(stack, 'Api', {
      ...defaultProps(),
      functions: {
        items: fn([route(HttpMethod.POST, '/items')], {
          publishes: [{ source: 'com.example.orders', detailTypes: ['OrderPlaced'] }],
        }),
      },
      events: {
        bus,
        workers: {
          fulfil: { entry: HANDLER_ENTRY, sources: ['com.example.orders'] },
          untraced: { entry: HANDLER_ENTRY, sources: ['com.example.orders'], tracing: false },
        },
      },
    });
  });

  test('THEN cdk-nag finds nothing unacknowledged', () => {
    expect(findings(stack)).toEqual([]);
  });

  test("THEN the workers' own acknowledgements say where failed events go, and why their dead-letter queues have none", () => {
    const own = [...acknowledgements(api.node.findChild('Events')), ...acknowledgements(api.node.findChild('Workers'))];
    expect(own.filter((line) => /LambdaDLQ|SQS3|SQSRedrivePolicy/.test(line)).sort()).toEqual(
      [
        'fulfil/DeadLetterQueue AwsSolutions-SQS3: The dead-letter queue of event worker fulfil is where its failed events end: it needs no dead-letter queue of its own, and an alarm fires as soon as it holds a message.',
        'fulfil/DeadLetterQueue Serverless-SQSRedrivePolicy: The dead-letter queue of event worker fulfil is where its failed events end: it needs no dead-letter queue of its own, and an alarm fires as soon as it holds a message.',
        'untraced/DeadLetterQueue AwsSolutions-SQS3: The dead-letter queue of event worker untraced is where its failed events end: it needs no dead-letter queue of its own, and an alarm fires as soon as it holds a message.',
        'untraced/DeadLetterQueue Serverless-SQSRedrivePolicy: The dead-letter queue of event worker untraced is where its failed events end: it needs no dead-letter queue of its own, and an alarm fires as soon as it holds a message.',
        "fulfil/Function Serverless-LambdaDLQ: Event worker fulfil sends the events it still fails on after Lambda's retries to its dead-letter queue as its on-failure destination (AWS::Lambda::EventInvokeConfig), which records the error with each event; a function dead-letter queue would record less.",
        "untraced/Function Serverless-LambdaDLQ: Event worker untraced sends the events it still fails on after Lambda's retries to its dead-letter queue as its on-failure destination (AWS::Lambda::EventInvokeConfig), which records the error with each event; a function dead-letter queue would record less.",
      ].sort(),
    );
  });

  test('THEN no acknowledgement covers an EventBridge rule or an invoke config: they pass the rules', () => {
    const covered = acknowledgements(api).join('\n');
    expect(covered).not.toMatch(/EventBusDLQ|LambdaAsyncFailureDestination|EventBusOpenAccess/);
  });
});
