import * as fs from 'fs';
import * as path from 'path';
import { CODE_HASH, httpApi, lambdaFunction, writeAssembly } from './assembly';
import { synthesizeUnbundled, TASK_BOARD, temporaryDir } from './fixtures';
import { UsageError } from '../../../src/assembly/assembly';
import { readLocalApp } from '../../../src/local/reader';

/**
 * What the user did wrong, each as a `UsageError` (printed without a stack trace) that names the folder or the
 * function, shows the value and says the fix.
 */

let dir: string;
beforeEach(() => {
  dir = temporaryDir('reader-errors-');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const BUNDLING_FIX =
  'synthesize with bundling (cdk synth bundles every stack; the context aws:cdk:bundling-stacks must not be empty, e.g. ["**"])';

function readError(assemblyDir: string, options = {}): UsageError {
  try {
    readLocalApp(assemblyDir, options);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error('expected a UsageError');
}

describe('the folder and the stack', () => {
  test('GIVEN a folder that does not exist THEN the error names it', () => {
    const missing = path.join(dir, 'cdk.out');
    expect(readError(missing).message).toBe(`cloud assembly directory not found: ${missing}`);
  });

  test('GIVEN a folder without manifest.json THEN the error says to pass a synthesized assembly', () => {
    expect(readError(dir).message).toBe(
      `no manifest.json in ${dir}: pass a cdk.out or *.snapshot directory (run synth first)`,
    );
  });

  test('GIVEN no stack with an API THEN the error lists the stacks there are', () => {
    writeAssembly(dir, {
      Data: { template: { Resources: { Table: { Type: 'AWS::SNS::Topic' } } } },
      Ws: {
        template: { Resources: { Api: { Type: 'AWS::ApiGatewayV2::Api', Properties: { ProtocolType: 'WEBSOCKET' } } } },
      },
    });
    expect(readError(dir).message).toBe(
      `no stack in ${dir} holds an API Gateway API (stacks: Data, Ws): synthesize the app that declares the ServerlessApi into this folder`,
    );
  });

  test('GIVEN a stack name that is not in the assembly THEN the error lists the stacks with an API', () => {
    writeAssembly(dir, {
      One: { template: httpApi() },
      Two: { template: httpApi() },
      Data: { template: { Resources: {} } },
    });
    expect(readError(dir, { stack: 'Three' }).message).toBe(
      `no stack "Three" in ${dir}: pass the name of a stack with an API, one of: One, Two`,
    );
    expect(readError(dir, { stack: 'Data' }).message).toBe(
      `stack "Data" in ${dir} holds no API Gateway API: pass the name of a stack with an API, one of: One, Two`,
    );
    expect(readError(dir).message).toBe(
      `2 stacks in ${dir} hold an API: choose one with the stack option (--stack), one of: One, Two`,
    );
    expect(readLocalApp(dir, { stack: 'Two' }).stackName).toBe('Two');
  });

  test('GIVEN a stack with two APIs THEN the error names both', () => {
    const template = httpApi({ Rest: { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: 'rest' } } });
    writeAssembly(dir, { Both: { template } });
    expect(readError(dir).message).toBe(
      'stack Both holds 2 APIs (Api, Rest): the local API runs one API per stack, so give each API a stack of its own',
    );
  });
});

describe('an API nothing serves', () => {
  test('GIVEN an HTTP API without a stage THEN the error names the API and the fix', () => {
    const template = httpApi();
    delete template.Resources.Stage;
    writeAssembly(dir, { Hand: { template } });
    expect(readError(dir).message).toBe(
      'HTTP API Api has no stage (AWS::ApiGatewayV2::Stage): add one, such as the $default stage ServerlessApi creates',
    );
  });

  test('GIVEN a REST API without a stage THEN the error names the API and the fix', () => {
    writeAssembly(dir, {
      Hand: { template: { Resources: { Rest: { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: 'r' } } } } },
    });
    expect(readError(dir).message).toBe(
      'REST API Rest has no stage (AWS::ApiGateway::Stage): deploy it to a stage, as ServerlessApi does (prod)',
    );
  });
});

describe("the functions' code", () => {
  test('GIVEN a stack synthesized without bundling THEN the error names the function and says to bundle', () => {
    synthesizeUnbundled(dir);
    const template = JSON.parse(fs.readFileSync(path.join(dir, 'Unbundled.template.json'), 'utf-8'));
    const functionId = Object.keys(template.Resources).find((id) => id.startsWith('ApiFunctionshelloFunction'));
    expect(readError(dir).message).toBe(
      `function hello (${functionId}) was synthesized without bundling (its code is a placeholder): ${BUNDLING_FIX}`,
    );
  });

  test('GIVEN a function whose asset folder was removed THEN the error names the function and the folder', () => {
    fs.cpSync(TASK_BOARD, dir, { recursive: true });
    const template = JSON.parse(fs.readFileSync(path.join(dir, 'TaskBoardIntegStack.template.json'), 'utf-8'));
    const s3Key = String(template.Resources.ApiFunctionswebhooksFunction2AE28B66.Properties.Code.S3Key);
    const asset = path.join(dir, `asset.${s3Key.replace(/\.zip$/, '')}`);
    fs.rmSync(asset, { recursive: true });
    expect(readError(dir).message).toBe(
      `function webhooks (ApiFunctionswebhooksFunction2AE28B66): its code folder ${asset} is missing: ${BUNDLING_FIX}`,
    );
  });

  test('GIVEN a handler whose module is not in the asset THEN the error names the module and the folder', () => {
    writeAssembly(dir, { Hand: { template: httpApi({ Fn: lambdaFunction({ Handler: 'src/main.handler' }) }) } });
    expect(readError(dir).message).toBe(
      `function Fn: its handler src/main.handler needs src/main.js, .mjs or .cjs in ${path.join(dir, `asset.${CODE_HASH}`)}, which has none: ${BUNDLING_FIX}`,
    );
  });

  test('GIVEN code that is no asset of the stack THEN the error shows the S3 key', () => {
    writeAssembly(dir, {
      Hand: { template: httpApi({ Fn: lambdaFunction({ Code: { S3Bucket: 'elsewhere', S3Key: 'code/fn.zip' } }) }) },
    });
    expect(readError(dir).message).toBe(
      `function Fn: its code (S3 key code/fn.zip) is not an asset of stack Hand in ${dir}: ${BUNDLING_FIX}`,
    );
  });

  test('GIVEN inline code THEN the error says the local API runs asset folders', () => {
    writeAssembly(dir, {
      Hand: { template: httpApi({ Fn: lambdaFunction({ Code: { ZipFile: 'exports.handler=1' } }) }) },
    });
    expect(readError(dir).message).toBe(
      'function Fn has inline code (Code.ZipFile): the local API runs functions from asset folders, as ServerlessApi bundles them',
    );
  });
});

describe('what the local API cannot run', () => {
  test("GIVEN a Lambda authorizer of another stack's function THEN the error names the authorizer and the function", () => {
    const arn = 'arn:aws:lambda:us-east-1:111111111111:function:shared-authorizer';
    writeAssembly(dir, {
      Hand: {
        template: httpApi({
          Authorizer: {
            Type: 'AWS::ApiGatewayV2::Authorizer',
            Properties: {
              ApiId: { Ref: 'Api' },
              AuthorizerType: 'REQUEST',
              Name: 'shared',
              AuthorizerUri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${arn}/invocations`,
              AuthorizerPayloadFormatVersion: '2.0',
            },
          },
        }),
      },
    });
    expect(readError(dir).message).toBe(
      `authorizer Authorizer invokes arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${arn}/invocations, which is not a Lambda function of stack Hand: the local API runs only the stack's own functions`,
    );
  });

  test.each([
    ['an HTTP backend', 'https://example.com'],
    ["another stack's function", { 'Fn::ImportValue': 'Shared:FunctionArn' }],
  ])('GIVEN a route to %s THEN the route is left out, with a warning', (_backend, uri) => {
    const template = httpApi();
    template.Resources.Integration = {
      Type: 'AWS::ApiGatewayV2::Integration',
      Properties: { ApiId: { Ref: 'Api' }, IntegrationType: 'HTTP_PROXY', IntegrationUri: uri },
    };
    writeAssembly(dir, { Hand: { template } });
    const app = readLocalApp(dir);
    expect(app.api.routes).toEqual([]);
    expect(app.warnings).toEqual([
      'route GET /hello (Route): its target is not a Lambda function of this stack, so the local API leaves the route out',
    ]);
  });

  test("GIVEN an environment variable importing another stack's export THEN a placeholder, with a warning", () => {
    writeAssembly(dir, {
      Hand: {
        template: httpApi({
          Fn: lambdaFunction({ Environment: { Variables: { QUEUE_URL: { 'Fn::ImportValue': 'Shared:QueueUrl' } } } }),
        }),
      },
    });
    const app = readLocalApp(dir);
    expect(app.functions.Fn.environment.QUEUE_URL).toBe('local-placeholder-QUEUE_URL');
    expect(app.warnings).toEqual([
      'function Fn: environment variable QUEUE_URL: Fn::ImportValue "Shared:QueueUrl": another stack\'s export is not known locally: it is "local-placeholder-QUEUE_URL" locally',
    ]);
  });
});
