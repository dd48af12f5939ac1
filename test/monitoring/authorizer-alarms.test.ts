import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ApiAuthorization, ApiStacks, ApiType, ServerlessApiProps } from '../../src';
import { buildApi, BuiltApi, expectError, fn, HANDLER_ENTRY, logicalId, newStack, route } from '../helpers/api';
import { graph, lines, onlyDashboard, threshold } from '../helpers/dashboard';

/**
 * A Lambda authorizer gets a route function's alarm (error rate, throttles, p99 duration as a share of its timeout),
 * critical since a failing authorizer fails every route it guards, and a row on the dashboard.
 */

const ALARM = 'AWS::CloudWatch::Alarm';
const COMPOSITE = 'AWS::CloudWatch::CompositeAlarm';

/** The API `shop` with one route function guarded by a Lambda request authorizer bundled from its entry. */
function buildGuarded(props: Partial<ServerlessApiProps> = {}): BuiltApi {
  return buildApi({
    apiName: 'shop',
    authorization: ApiAuthorization.lambdaRequest({ entry: HANDLER_ENTRY }),
    accessPatterns: {},
    functions: { items: fn([route(HttpMethod.GET, '/items')]) },
    ...props,
  });
}

/** The metric alarms by name. */
function alarmsByName(template: Template): { [name: string]: { id: string; props: any } } {
  return Object.fromEntries(
    Object.entries(template.findResources(ALARM)).map(([id, resource]) => [
      resource.Properties.AlarmName,
      { id, props: resource.Properties },
    ]),
  );
}

/** The text of the composite alarm's rule with each alarm reference as its logical id. */
function compositeRule(template: Template): string {
  const [composite] = Object.values(template.findResources(COMPOSITE));
  const parts: unknown[] = composite.Properties.AlarmRule['Fn::Join'][1];
  return parts.map((part: any) => (typeof part === 'string' ? part : part['Fn::GetAtt'][0])).join('');
}

function authorizerFunctionId(template: Template, prefix = 'ApiLambdaAuthorizerFunction'): string {
  return logicalId(template, 'AWS::Lambda::Function', prefix);
}

describe('the alarm of a Lambda authorizer', () => {
  const built = buildGuarded();
  const alarms = alarmsByName(built.template);

  test('is one shared alarm, Authorizer-<authorizer name>, critical: rolled into the composite alarm', () => {
    // THEN
    const alarm = alarms['shop-Authorizer-lambda'];
    expect(alarm).toBeDefined();
    expect(compositeRule(built.template)).toContain(`ALARM("${alarm.id}")`);
    expect(alarm.props.AlarmActions).toBeUndefined();
  });

  test('fires on errors above 1%, any throttle or a p99 duration above 20% of the 10-second timeout', () => {
    // GIVEN
    const props = alarms['shop-Authorizer-lambda'].props;
    const expressions = Object.fromEntries(
      props.Metrics.filter((m: any) => m.Expression).map((m: any) => [m.Id, m.Expression]),
    );

    // THEN
    expect(props.Threshold).toBe(0);
    expect(props.Metrics.find((m: any) => m.ReturnData).Expression).toBe(
      'IF(FILL(errorRate, 0) > 1 OR FILL(throttles, 0) > 0 OR FILL(durationP99, 0) > 20, 1, 0)',
    );
    expect(expressions.durationP99).toBe('100 * FILL(duration_LambdaAuthorizer, 0) / 10000');
    expect(expressions.errorRate).toBe(
      'IF(FILL(invocations_LambdaAuthorizer, 0) > 0, 100 * FILL(errors_LambdaAuthorizer, 0) / FILL(invocations_LambdaAuthorizer, 0), 0)',
    );
  });

  test("watches the authorizer's own function", () => {
    // GIVEN
    const props = alarms['shop-Authorizer-lambda'].props;
    const dimensions = props.Metrics.filter((m: any) => m.MetricStat).map((m: any) => m.MetricStat.Metric.Dimensions);

    // THEN
    expect(dimensions).toHaveLength(4);
    for (const dimension of dimensions) {
      expect(dimension).toEqual([{ Name: 'FunctionName', Value: { Ref: authorizerFunctionId(built.template) } }]);
    }
  });

  test('says which authorizer, what breached and where to look', () => {
    expect(alarms['shop-Authorizer-lambda'].props.AlarmDescription).toBe(
      'Authorizer lambda: share of invocations failed above 1%, or throttled invocations above 0, or p99 duration ' +
        "above 20% of the 10 seconds timeout in one period of 5 minutes. Look first at the dashboard's authorizer row " +
        "for the signal, then at ERROR lines in the authorizer's log group, and authorizerError in the access log; or " +
        "concurrent executions against the function's reservation or the account's unreserved pool; or slow calls to " +
        'the identity provider or user store in its X-Ray traces, then its results cache TTL.',
    );
  });
});

describe('the alarms of other Lambda authorizers', () => {
  test('a REST token authorizer is named after its authorizer name', () => {
    // GIVEN
    const { template } = buildGuarded({
      apiType: ApiType.REST,
      authorization: ApiAuthorization.lambdaToken({ entry: HANDLER_ENTRY, authorizerName: 'partners' }),
    });

    // THEN
    expect(Object.keys(alarmsByName(template))).toContain('shop-Authorizer-partners');
  });

  test('each authorizer a route uses has its own alarm', () => {
    // GIVEN
    const { template } = buildGuarded({
      functions: {
        items: fn([
          route(HttpMethod.GET, '/items'),
          route(HttpMethod.GET, '/admin', {
            authorization: ApiAuthorization.lambdaRequest({ entry: HANDLER_ENTRY, authorizerName: 'admins' }),
          }),
        ]),
      },
    });

    // THEN
    const names = Object.keys(alarmsByName(template)).filter((name) => name.startsWith('shop-Authorizer-'));
    expect(names.sort()).toEqual(['shop-Authorizer-admins', 'shop-Authorizer-lambda']);
  });

  test('an authorizer no route uses has no function, hence no alarm', () => {
    // GIVEN
    const { template } = buildGuarded({
      functions: { items: fn([route(HttpMethod.GET, '/items', { authorization: ApiAuthorization.none() })]) },
    });

    // THEN
    expect(Object.keys(alarmsByName(template)).filter((name) => name.startsWith('shop-Authorizer-'))).toEqual([]);
  });

  test.each([
    [Duration.seconds(3), '3000'],
    [Duration.seconds(30), '10000'],
  ])(
    'a function given as authorizerFunction with a timeout of %s is measured against %s ms (at most what API Gateway waits)',
    (timeout, millis) => {
      // GIVEN
      const stack = newStack();
      const authorizerFunction = new lambda.Function(stack, 'Own', {
        code: lambda.Code.fromInline('exports.handler = async () => ({ isAuthorized: true })'),
        handler: 'index.handler',
        runtime: lambda.Runtime.NODEJS_24_X,
        timeout,
      });

      // WHEN
      const api = buildApi(
        {
          apiName: 'shop',
          authorization: ApiAuthorization.lambdaRequest({ authorizerFunction }),
          accessPatterns: {},
          functions: { items: fn([route(HttpMethod.GET, '/items')]) },
        },
        stack,
      );

      // THEN
      const props = alarmsByName(api.template)['shop-Authorizer-lambda'].props;
      const duration = props.Metrics.find((m: any) => m.Id === 'durationP99');
      expect(duration.Expression).toBe(`100 * FILL(duration_LambdaAuthorizer, 0) / ${millis}`);
      const durationStat = props.Metrics.find((m: any) => m.Id === 'duration_LambdaAuthorizer');
      expect(durationStat.MetricStat.Metric.Dimensions).toEqual([
        { Name: 'FunctionName', Value: { Ref: logicalId(api.template, 'AWS::Lambda::Function', 'Own') } },
      ]);
    },
  );
});

describe('alarms.authorizers', () => {
  test('overrides the thresholds of every authorizer', () => {
    // GIVEN
    const { template } = buildGuarded({
      alarms: { authorizers: { durationP99: { maxPercent: 50 }, errorRate: { maxPercent: 5 } } },
    });

    // THEN
    const props = alarmsByName(template)['shop-Authorizer-lambda'].props;
    expect(props.Metrics.find((m: any) => m.ReturnData).Expression).toBe(
      'IF(FILL(errorRate, 0) > 5 OR FILL(throttles, 0) > 0 OR FILL(durationP99, 0) > 50, 1, 0)',
    );
  });

  test('leaves the route functions at their own defaults', () => {
    // GIVEN
    const { template } = buildGuarded({ alarms: { authorizers: { durationP99: { maxPercent: 50 } } } });

    // THEN
    const props = alarmsByName(template)['shop-Function-items'].props;
    expect(props.Metrics.find((m: any) => m.ReturnData).Expression).toBe(
      'IF(FILL(errorRate, 0) > 1 OR FILL(throttles, 0) > 0 OR FILL(durationP99, 0) > 80, 1, 0)',
    );
  });

  test('with separateAlarms gives each signal its own critical alarm', () => {
    // GIVEN
    const { template } = buildGuarded({ alarms: { authorizers: { separateAlarms: true } } });

    // THEN
    const names = Object.keys(alarmsByName(template)).filter((name) => name.startsWith('shop-Authorizer-'));
    expect(names.sort()).toEqual([
      'shop-Authorizer-lambda-DurationP99',
      'shop-Authorizer-lambda-ErrorRate',
      'shop-Authorizer-lambda-Throttles',
    ]);
    const duration = alarmsByName(template)['shop-Authorizer-lambda-DurationP99'];
    expect(duration.props.Threshold).toBe(20);
    expect([duration.props.EvaluationPeriods, duration.props.DatapointsToAlarm]).toEqual([3, 2]);
    expect(compositeRule(template)).toContain(`ALARM("${duration.id}")`);
  });

  test('turns a signal off', () => {
    // GIVEN
    const { template } = buildGuarded({ alarms: { authorizers: { throttles: { enabled: false } } } });

    // THEN
    const props = alarmsByName(template)['shop-Authorizer-lambda'].props;
    expect(props.Metrics.find((m: any) => m.ReturnData).Expression).toBe(
      'IF(FILL(errorRate, 0) > 1 OR FILL(durationP99, 0) > 20, 1, 0)',
    );
  });

  test('refuses concurrency: an authorizer has no reservation the library knows of', () => {
    expectError(
      { alarms: { authorizers: { concurrency: { maxPercent: 90 } } } },
      "`alarms.authorizers.concurrency` must be left out: an authorizer's concurrency has no reservation the library " +
        'knows of to be measured against, got: {"maxPercent":90}',
    );
  });

  test('refuses a bad threshold with its path', () => {
    expectError(
      { alarms: { authorizers: { durationP99: { maxPercent: 100 } } } },
      '`alarms.authorizers.durationP99.maxPercent` must be above 0 and below 100 (a share in percent), got: 100',
    );
  });

  test('with alarms off: no authorizer alarm', () => {
    // GIVEN
    const { template } = buildGuarded({ alarms: { enabled: false } });

    // THEN
    template.resourceCountIs(ALARM, 0);
  });
});

describe('the authorizer row of the dashboard', () => {
  test('sits between the API row and the functions row, one graph per signal and its invocations', () => {
    // GIVEN
    const dashboard = onlyDashboard(buildGuarded().template);
    const titles = dashboard.widgets.map((widget) => widget.properties.title);

    // THEN
    const authorizerRow = [
      'Authorizers: error rate (%)',
      'Authorizers: throttles',
      'Authorizers: p99 duration (% of timeout)',
      'Authorizers: invocations',
    ];
    const at = titles.indexOf(authorizerRow[0]);
    expect(titles.slice(at, at + 4)).toEqual(authorizerRow);
    expect(titles.indexOf('Latency p99 (ms)')).toBeLessThan(at);
    expect(titles.indexOf('Functions: error rate (%)')).toBeGreaterThan(at);
  });

  test("labels each line with the authorizer's name and draws the authorizer thresholds", () => {
    // GIVEN
    const dashboard = onlyDashboard(buildGuarded().template);

    // THEN
    expect(lines(graph(dashboard, 'Authorizers: p99 duration (% of timeout)')).map((l) => l.label)).toEqual([
      'lambda p99 duration (% of timeout)',
    ]);
    expect(graph(dashboard, 'Authorizers: p99 duration (% of timeout)').properties.annotations.horizontal).toEqual([
      threshold(20, 'duration alarm above 20%'),
    ]);
    expect(lines(graph(dashboard, 'Authorizers: invocations')).map((l) => l.label)).toEqual(['lambda invocations']);
  });

  test('with the functions in nested stacks, sits between the API row and the rows of the nested stacks', () => {
    // GIVEN
    const { stack } = buildGuarded({ stacks: ApiStacks.nested({ stackCount: 2 }) });
    const titles = onlyDashboard(Template.fromStack(stack)).widgets.map((widget) => widget.properties.title);

    // THEN
    const at = titles.indexOf('Authorizers: error rate (%)');
    const firstGroup = titles.findIndex((title) => /^Functions of .*: error rate \(%\)$/.test(title ?? ''));
    expect(titles.indexOf('Latency p99 (ms)')).toBeLessThan(at);
    expect(firstGroup).toBeGreaterThan(at);
  });

  test('is not drawn without a Lambda authorizer', () => {
    // GIVEN
    const dashboard = onlyDashboard(buildApi().template);

    // THEN
    expect(dashboard.widgets.map((widget) => widget.properties.title)).not.toContain('Authorizers: error rate (%)');
  });
});
