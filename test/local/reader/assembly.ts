import * as fs from 'fs';
import * as path from 'path';

/**
 * Cloud assemblies written by hand, laid out as synth lays them out (manifest, template, asset manifest, staged
 * asset folder), for template shapes other constructs than ServerlessApi produce.
 */

export const CODE_HASH = 'a'.repeat(64);

/** A function's `Code` pointing at the one staged asset, as the default synthesizer writes it. */
export const CODE = {
  S3Bucket: { 'Fn::Sub': 'cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}' },
  S3Key: `${CODE_HASH}.zip`,
};

export interface HandWrittenStack {
  readonly template: { Resources: { [id: string]: unknown }; [section: string]: unknown };
  /** `aws://<account>/<region>`. */
  readonly environment?: string;
}

/** Writes the stacks into `dir`, each with the asset folder `asset.<CODE_HASH>` holding `index.js`. */
export function writeAssembly(dir: string, stacks: { [id: string]: HandWrittenStack }): void {
  const artifacts: { [id: string]: unknown } = {};
  const assetDir = path.join(dir, `asset.${CODE_HASH}`);
  fs.mkdirSync(assetDir, { recursive: true });
  fs.writeFileSync(path.join(assetDir, 'index.js'), 'exports.handler = async () => ({ statusCode: 204 });\n');
  for (const [id, stack] of Object.entries(stacks)) {
    fs.writeFileSync(path.join(dir, `${id}.template.json`), JSON.stringify(stack.template));
    fs.writeFileSync(
      path.join(dir, `${id}.assets.json`),
      JSON.stringify({
        version: '53.0.0',
        files: {
          [CODE_HASH]: {
            source: { path: `asset.${CODE_HASH}`, packaging: 'zip' },
            destinations: { current: { bucketName: 'cdk-assets', objectKey: `${CODE_HASH}.zip` } },
          },
        },
      }),
    );
    artifacts[`${id}.assets`] = { type: 'cdk:asset-manifest', properties: { file: `${id}.assets.json` } };
    artifacts[id] = {
      type: 'aws:cloudformation:stack',
      environment: stack.environment ?? 'aws://unknown-account/unknown-region',
      properties: { templateFile: `${id}.template.json` },
      dependencies: [`${id}.assets`],
      displayName: id,
    };
  }
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ version: '53.0.0', artifacts }));
}

/** A Lambda function of the staged asset; `props` on top. */
export function lambdaFunction(props: { [key: string]: unknown } = {}): unknown {
  return {
    Type: 'AWS::Lambda::Function',
    Properties: {
      Code: CODE,
      Handler: 'index.handler',
      Runtime: 'nodejs22.x',
      Role: { 'Fn::GetAtt': ['Role', 'Arn'] },
      ...props,
    },
  };
}

/** A role Lambda may assume, with `props` on top. */
export function role(props: { [key: string]: unknown } = {}): unknown {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: {
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }],
      },
      ...props,
    },
  };
}

/** An HTTP API with a `$default` stage and one public route `GET /hello` to `Fn`. */
export function httpApi(resources: { [id: string]: unknown } = {}): HandWrittenStack['template'] {
  return {
    Resources: {
      Api: { Type: 'AWS::ApiGatewayV2::Api', Properties: { Name: 'hand', ProtocolType: 'HTTP' } },
      Stage: { Type: 'AWS::ApiGatewayV2::Stage', Properties: { ApiId: { Ref: 'Api' }, StageName: '$default' } },
      Integration: {
        Type: 'AWS::ApiGatewayV2::Integration',
        Properties: {
          ApiId: { Ref: 'Api' },
          IntegrationType: 'AWS_PROXY',
          IntegrationUri: { 'Fn::GetAtt': ['Fn', 'Arn'] },
          PayloadFormatVersion: '2.0',
        },
      },
      Route: {
        Type: 'AWS::ApiGatewayV2::Route',
        Properties: {
          ApiId: { Ref: 'Api' },
          RouteKey: 'GET /hello',
          AuthorizationType: 'NONE',
          Target: { 'Fn::Join': ['', ['integrations/', { Ref: 'Integration' }]] },
        },
      },
      Fn: lambdaFunction(),
      Role: role(),
      ...resources,
    },
  };
}
