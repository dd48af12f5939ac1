import { Duration, Lazy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AccessPattern, ServerlessApi } from '../../src';
import {
  SERVICE_NAME_ENV,
  TABLE_INDEX_KEYS_ENV,
  TABLE_NAME_ENV,
  TABLE_PARTITION_KEY_ENV,
  TABLE_SORT_KEY_ENV,
  TABLE_TTL_ATTRIBUTE_ENV,
} from '../../src/shared/env';
import {
  actionsOf,
  buildApi,
  BuiltApi,
  defaultProps,
  expectError,
  fn,
  functionIds,
  getAtt,
  inlineStatements,
  itemPatterns,
  logicalId,
  newStack,
  ref,
  resources,
  route,
} from '../helpers/api';

describe('a route function with the defaults', () => {
  let built: BuiltApi;
  beforeAll(() => {
    built = buildApi();
  });

  test('runs Node.js 24 on ARM64 with 512 MB and 10 seconds, traced with X-Ray', () => {
    const ids = functionIds(built.template, 'items');
    expect(resources(built.template)[ids.function].Properties).toEqual(
      expect.objectContaining({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        MemorySize: 512,
        Timeout: 10,
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        Role: getAtt(ids.role),
      }),
    );
  });

  test('logs JSON at INFO, with INFO system logs, to its own log group, kept 30 days', () => {
    const ids = functionIds(built.template, 'items');
    expect(resources(built.template)[ids.function].Properties.LoggingConfig).toEqual({
      LogFormat: 'JSON',
      ApplicationLogLevel: 'INFO',
      SystemLogLevel: 'INFO',
      LogGroup: ref(ids.logGroup),
    });
    expect(resources(built.template)[ids.logGroup].Properties).toEqual({ RetentionInDays: 30 });
  });

  test('gets the table environment variables, its access patterns, and source maps with the default bundling', () => {
    const table = logicalId(built.template, 'AWS::DynamoDB::GlobalTable', 'ApiTable');
    built.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.exact({
          [TABLE_NAME_ENV]: ref(table),
          [TABLE_PARTITION_KEY_ENV]: 'PK',
          [TABLE_SORT_KEY_ENV]: 'SK',
          [TABLE_TTL_ATTRIBUTE_ENV]: 'expiresAt',
          [ServerlessApi.TABLE_ACCESS_PATTERNS_ENV]: JSON.stringify({
            getItem: {
              operation: 'GetItem',
              partitionKey: ['PK', 'ITEM#{itemId}'],
              sortKey: ['SK', 'DETAIL#{detailId}'],
            },
          }),
          NODE_OPTIONS: '--enable-source-maps',
          // Powertools' logger names the service on every line after the function's declared name.
          [SERVICE_NAME_ENV]: 'items',
        }),
      },
    });
  });

  test('is described by its routes', () => {
    built.template.hasResourceProperties('AWS::Lambda::Function', { Description: 'GET /items/{itemId}' });
    built.template.hasResourceProperties('AWS::IAM::Role', {
      Description: 'Execution role of items: GET /items/{itemId}',
    });
  });

  test('has a role of its own, assumed by Lambda, with exactly one inline policy', () => {
    const ids = functionIds(built.template, 'items');
    const role = resources(built.template)[ids.role].Properties;
    expect(role.AssumeRolePolicyDocument).toEqual({
      Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }],
      Version: '2012-10-17',
    });
    expect(role.Policies).toHaveLength(1);
    expect(role.Policies[0].PolicyName).toBe('access');
    expect(role.ManagedPolicyArns).toBeUndefined();
  });

  test('may write only to its own log group, and send X-Ray traces', () => {
    const ids = functionIds(built.template, 'items');
    expect(inlineStatements(built.template, ids.role).slice(0, 2)).toEqual([
      { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: getAtt(ids.logGroup) },
      { Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Effect: 'Allow', Resource: '*' },
    ]);
  });

  test('gets its X-Ray permission from the library alone: aws-cdk-lib adds no policy to the role', () => {
    const ids = functionIds(built.template, 'items');
    const xray = inlineStatements(built.template, ids.role).filter((s) =>
      actionsOf(s).includes('xray:PutTraceSegments'),
    );
    expect(xray).toHaveLength(1);
    built.template.resourcePropertiesCountIs('AWS::IAM::Policy', { Roles: [ref(ids.role)] }, 0);
  });

  test('is exposed as an IApiFunction: the Lambda function, its role, its log group and its alarm', () => {
    const { api, stack, template } = built;
    const [items] = api.functions;
    const ids = functionIds(template, 'items');
    expect(items.name).toBe('items');
    expect(stack.resolve(items.lambdaFunction.functionName)).toEqual(ref(ids.function));
    expect(stack.resolve(items.role.roleName)).toEqual(ref(ids.role));
    expect(stack.resolve((items.grantPrincipal as any).roleName)).toEqual(ref(ids.role));
    expect(stack.resolve(items.logGroup.logGroupName)).toEqual(ref(ids.logGroup));
    expect(items.alarms.map((alarm) => stack.resolve(alarm.alarmArn))).toEqual([getAtt(ids.alarm!)]);
  });
});

describe('functionDefaults and per-function settings', () => {
  let built: BuiltApi;
  beforeAll(() => {
    // GIVEN defaults for every function, one function that overrides each of them and one that keeps them
    built = buildApi({
      functionDefaults: {
        runtime: lambda.Runtime.NODEJS_22_X,
        architecture: lambda.Architecture.X86_64,
        memorySize: 1024,
        timeout: Duration.seconds(20),
      },
      functions: {
        defaulted: fn([route(HttpMethod.GET, '/defaulted')]),
        custom: fn([route(HttpMethod.GET, '/custom')], {
          runtime: lambda.Runtime.NODEJS_20_X,
          architecture: lambda.Architecture.ARM_64,
          memorySize: 256,
          timeout: Duration.seconds(3),
          handler: 'main',
          description: 'Serves the custom route',
          environment: { STAGE: 'test' },
        }),
      },
    });
  });

  test('functionDefaults replace the library defaults', () => {
    const ids = functionIds(built.template, 'defaulted');
    expect(resources(built.template)[ids.function].Properties).toEqual(
      expect.objectContaining({ Runtime: 'nodejs22.x', Architectures: ['x86_64'], MemorySize: 1024, Timeout: 20 }),
    );
  });

  test("a function's own settings win over functionDefaults", () => {
    const ids = functionIds(built.template, 'custom');
    expect(resources(built.template)[ids.function].Properties).toEqual(
      expect.objectContaining({
        Runtime: 'nodejs20.x',
        Architectures: ['arm64'],
        MemorySize: 256,
        Timeout: 3,
        Handler: 'index.main',
        Description: 'Serves the custom route',
      }),
    );
  });

  test("a function's own POWERTOOLS_SERVICE_NAME wins over its declared name", () => {
    const stack = newStack();
    new ServerlessApi(stack, 'Api', {
      ...defaultProps(),
      functions: { items: fn([route(HttpMethod.GET, '/items')], { environment: { [SERVICE_NAME_ENV]: 'catalog' } }) },
    });
    const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function');
    expect(Object.values(functions).map((f) => f.Properties.Environment.Variables[SERVICE_NAME_ENV])).toEqual([
      'catalog',
    ]);
  });

  test('gets the key attributes of every index of the table, whether its patterns use them or not', () => {
    // GIVEN a table with two indexes, one keyed by a partition key only, and a function using neither
    const { template } = buildApi({
      accessPatterns: {
        ...itemPatterns(),
        byOwner: AccessPattern.query({ partitionKey: 'USER#{userId}', sortKeyPrefix: 'ITEM#', indexName: 'byOwner' }),
        byTag: AccessPattern.query({ partitionKey: 'TAG#{tag}', indexName: 'byTag' }),
      },
      functions: {
        items: fn([route(HttpMethod.GET, '/items/{itemId}')], { accessPatterns: ['getItem'] }),
        owners: fn([route(HttpMethod.GET, '/owners/{userId}/items')], { accessPatterns: ['byOwner'] }),
      },
    });

    // THEN each function lists them all, so its responses can leave every index key out
    const variables = Object.values(template.findResources('AWS::Lambda::Function')).map(
      (f) => f.Properties.Environment.Variables[TABLE_INDEX_KEYS_ENV],
    );
    expect(variables).toEqual([
      JSON.stringify(['byOwnerPK', 'byOwnerSK', 'byTagPK']),
      JSON.stringify(['byOwnerPK', 'byOwnerSK', 'byTagPK']),
    ]);
  });

  test('extra environment variables are added next to the table ones', () => {
    const ids = functionIds(built.template, 'custom');
    expect(Object.keys(resources(built.template)[ids.function].Properties.Environment.Variables).sort()).toEqual(
      [
        'NODE_OPTIONS',
        SERVICE_NAME_ENV,
        'STAGE',
        'TABLE_ACCESS_PATTERNS',
        TABLE_NAME_ENV,
        TABLE_PARTITION_KEY_ENV,
        TABLE_SORT_KEY_ENV,
        TABLE_TTL_ATTRIBUTE_ENV,
      ].sort(),
    );
    built.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { STAGE: 'test', [TABLE_PARTITION_KEY_ENV]: 'PK' } },
    });
  });
});

describe('logging and tracing', () => {
  const logsStatement = (logGroupId: string) => ({
    Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    Effect: 'Allow',
    Resource: getAtt(logGroupId),
  });
  const xrayStatement = {
    Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
    Effect: 'Allow',
    Resource: '*',
  };
  const properties = (built: BuiltApi, name: string) =>
    resources(built.template)[functionIds(built.template, name).function].Properties;

  describe('GIVEN functionDefaults that turn tracing off and set both log levels', () => {
    let built: BuiltApi;
    beforeAll(() => {
      // GIVEN one function that keeps the API's settings and one that sets its own
      built = buildApi({
        functionDefaults: {
          tracing: false,
          logLevel: lambda.ApplicationLogLevel.DEBUG,
          systemLogLevel: lambda.SystemLogLevel.WARN,
        },
        functions: {
          defaulted: fn([route(HttpMethod.GET, '/defaulted')]),
          custom: fn([route(HttpMethod.GET, '/custom')], {
            tracing: true,
            logLevel: lambda.ApplicationLogLevel.ERROR,
            systemLogLevel: lambda.SystemLogLevel.DEBUG,
          }),
        },
      });
    });

    test('THEN a function without settings of its own logs at their levels, still as JSON', () => {
      const ids = functionIds(built.template, 'defaulted');
      expect(properties(built, 'defaulted').LoggingConfig).toEqual({
        LogFormat: 'JSON',
        ApplicationLogLevel: 'DEBUG',
        SystemLogLevel: 'WARN',
        LogGroup: ref(ids.logGroup),
      });
    });

    test('THEN that function is not traced and its role holds nothing but its log group', () => {
      const ids = functionIds(built.template, 'defaulted');
      expect(properties(built, 'defaulted').TracingConfig).toBeUndefined();
      expect(inlineStatements(built.template, ids.role)).toEqual([logsStatement(ids.logGroup)]);
      built.template.resourcePropertiesCountIs('AWS::IAM::Policy', { Roles: [ref(ids.role)] }, 0);
    });

    test("THEN a function's own settings win over functionDefaults, tracing and its X-Ray permission included", () => {
      const ids = functionIds(built.template, 'custom');
      expect(properties(built, 'custom').LoggingConfig).toEqual({
        LogFormat: 'JSON',
        ApplicationLogLevel: 'ERROR',
        SystemLogLevel: 'DEBUG',
        LogGroup: ref(ids.logGroup),
      });
      expect(properties(built, 'custom').TracingConfig).toEqual({ Mode: 'Active' });
      expect(inlineStatements(built.template, ids.role)).toEqual([logsStatement(ids.logGroup), xrayStatement]);
    });
  });

  test('GIVEN tracing off on one function THEN only its X-Ray statement goes: its table access stays, the others keep tracing', () => {
    // GIVEN the API's defaults, and one function with table access that turns tracing off
    const built = buildApi({
      functions: {
        traced: fn([route(HttpMethod.GET, '/traced')]),
        untraced: fn([route(HttpMethod.GET, '/items/{itemId}')], { tracing: false, accessPatterns: ['getItem'] }),
      },
    });

    // THEN
    const traced = functionIds(built.template, 'traced');
    const untraced = functionIds(built.template, 'untraced');
    const tableArn = getAtt(logicalId(built.template, 'AWS::DynamoDB::GlobalTable', 'ApiTable'));
    expect(properties(built, 'untraced').TracingConfig).toBeUndefined();
    expect(inlineStatements(built.template, untraced.role)).toEqual([
      logsStatement(untraced.logGroup),
      {
        Action: ['dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:GetItem'],
        Effect: 'Allow',
        Resource: tableArn,
        Condition: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['ITEM#?*'] },
          Null: { 'dynamodb:LeadingKeys': 'false' },
        },
      },
    ]);
    expect(properties(built, 'traced').TracingConfig).toEqual({ Mode: 'Active' });
    expect(inlineStatements(built.template, traced.role)).toEqual([logsStatement(traced.logGroup), xrayStatement]);
  });

  test('GIVEN only a log level on one function THEN the other settings still come from functionDefaults', () => {
    // GIVEN
    const built = buildApi({
      functionDefaults: { tracing: false, systemLogLevel: lambda.SystemLogLevel.WARN },
      functions: {
        items: fn([route(HttpMethod.GET, '/items')], { logLevel: lambda.ApplicationLogLevel.TRACE }),
      },
    });

    // THEN
    const ids = functionIds(built.template, 'items');
    expect(properties(built, 'items').LoggingConfig).toEqual({
      LogFormat: 'JSON',
      ApplicationLogLevel: 'TRACE',
      SystemLogLevel: 'WARN',
      LogGroup: ref(ids.logGroup),
    });
    expect(properties(built, 'items').TracingConfig).toBeUndefined();
  });

  describe('validation (for callers without type checks)', () => {
    test('GIVEN a log level Lambda does not know THEN the prop is named and the levels listed', () => {
      expectError(
        { functionDefaults: { logLevel: 'info' as lambda.ApplicationLogLevel } },
        '`functionDefaults.logLevel` must be a lambda.ApplicationLogLevel (INFO, DEBUG, WARN, TRACE, ERROR, FATAL), got: "info"',
      );
    });

    test('GIVEN a system log level Lambda does not know on one function THEN that function is named', () => {
      expectError(
        {
          functions: {
            items: fn([route(HttpMethod.GET, '/items')], { systemLogLevel: 'ERROR' as lambda.SystemLogLevel }),
          },
        },
        '`functions.items.systemLogLevel` must be a lambda.SystemLogLevel (INFO, DEBUG, WARN), got: "ERROR"',
      );
    });

    test('GIVEN a timeout whose amount is a token in hours THEN it is refused: the alarms need it in milliseconds', () => {
      const timeout = Duration.hours(Lazy.number({ produce: () => 1 }));
      expect(() => new ServerlessApi(newStack(), 'Api', { ...defaultProps(), functionDefaults: { timeout } })).toThrow(
        /^`functionDefaults.timeout` must be given in milliseconds, seconds or minutes when its amount is a token, got: /,
      );
    });

    test('GIVEN tracing as a string THEN it is refused rather than read as true', () => {
      expectError(
        { functionDefaults: { tracing: 'false' as unknown as boolean } },
        '`functionDefaults.tracing` must be true or false, got: "false"',
      );
    });
  });
});

describe('bundling', () => {
  test('GIVEN source maps off in functionDefaults THEN NODE_OPTIONS is not set', () => {
    const { template } = buildApi({ functionDefaults: { bundling: { sourceMap: false } } });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { NODE_OPTIONS: Match.absent(), [TABLE_SORT_KEY_ENV]: 'SK' } },
    });
  });

  test('GIVEN bundling options that leave source maps alone THEN the default source maps and NODE_OPTIONS stay', () => {
    const { template } = buildApi({ functionDefaults: { bundling: { minify: false } } });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps' } },
    });
  });

  test('GIVEN source maps off on one function THEN only that function goes without NODE_OPTIONS', () => {
    const { template } = buildApi({
      functionDefaults: { bundling: { minify: false } },
      functions: {
        plain: fn([route(HttpMethod.GET, '/plain')]),
        custom: fn([route(HttpMethod.GET, '/custom')], { bundling: { sourceMap: false } }),
      },
    });
    const variables = (name: string) =>
      resources(template)[functionIds(template, name).function].Properties.Environment.Variables;
    expect(variables('plain').NODE_OPTIONS).toBe('--enable-source-maps');
    expect(variables('custom').NODE_OPTIONS).toBeUndefined();
  });
});
