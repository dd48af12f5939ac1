// @ts-check
/**
 * The same API written by hand with aws-cdk-lib, as a team would without the library: a table with PITR and TTL,
 * an HTTP API with a JWT authorizer, and per function a log group with bounded retention, a function, its grant on
 * the table and its integration (with `API=rest`, a REST API with IAM authorization and a `LambdaIntegration` per
 * function). `CODE=inline` gives every function inline code (the floor: no bundling at all);
 * `CODE=nodejs` makes each a `NodejsFunction` bundled from its entry.
 */
const cdk = require('aws-cdk-lib');
const apigateway = require('aws-cdk-lib/aws-apigateway');
const apigwv2 = require('aws-cdk-lib/aws-apigatewayv2');
const { HttpJwtAuthorizer } = require('aws-cdk-lib/aws-apigatewayv2-authorizers');
const { HttpLambdaIntegration } = require('aws-cdk-lib/aws-apigatewayv2-integrations');
const dynamodb = require('aws-cdk-lib/aws-dynamodb');
const lambda = require('aws-cdk-lib/aws-lambda');
const nodejs = require('aws-cdk-lib/aws-lambda-nodejs');
const logs = require('aws-cdk-lib/aws-logs');
const { functions, ISSUER, AUDIENCE, REST } = require('./shape');

// HttpLambdaIntegration adds a Lambda permission per route, which takes the largest size past CloudFormation's
// 500 resources: lift aws-cdk-lib's check, since only synth is measured.
const app = new cdk.App({ context: { '@aws-cdk/core:stackResourceLimit': 0 } });
const stack = new cdk.Stack(app, 'Bench');
const table = new dynamodb.TableV2(stack, 'Table', {
  partitionKey: { name: 'PK', type: dynamodb.AttributeType.STRING },
  sortKey: { name: 'SK', type: dynamodb.AttributeType.STRING },
  pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
  timeToLiveAttribute: 'expiresAt',
});
const api = REST ? undefined : new apigwv2.HttpApi(stack, 'Api');
const restApi = REST ? new apigateway.RestApi(stack, 'RestApi') : undefined;
const authorizer = new HttpJwtAuthorizer('Jwt', ISSUER, { jwtAudience: AUDIENCE });
for (const fn of functions()) {
  const logGroup = new logs.LogGroup(stack, `${fn.name}Logs`, { retention: logs.RetentionDays.ONE_MONTH });
  const common = {
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: 512,
    timeout: cdk.Duration.seconds(10),
    tracing: lambda.Tracing.ACTIVE,
    logGroup,
    environment: { TABLE_NAME: table.tableName },
  };
  const handler =
    process.env.CODE === 'nodejs'
      ? new nodejs.NodejsFunction(stack, fn.name, {
          ...common,
          entry: fn.entry,
          bundling: { minify: true, sourceMap: true },
        })
      : new lambda.Function(stack, fn.name, {
          ...common,
          handler: 'index.handler',
          code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: "[]" });'),
        });
  table.grantReadWriteData(handler);
  if (restApi) {
    const integration = new apigateway.LambdaIntegration(handler);
    for (const route of fn.routes) {
      restApi.root
        .resourceForPath(route.path)
        .addMethod(route.method, integration, { authorizationType: apigateway.AuthorizationType.IAM });
    }
    continue;
  }
  const integration = new HttpLambdaIntegration(`${fn.name}Integration`, handler);
  for (const route of fn.routes) {
    api.addRoutes({ path: route.path, methods: [route.method], integration, authorizer });
  }
}
app.synth();
