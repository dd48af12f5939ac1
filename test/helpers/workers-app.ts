/**
 * Apps with workers, built with aws-cdk-lib alone (queues, rules, tables with streams, event source mappings), whose
 * functions are small JavaScript handlers written to a temporary folder: what the local API reads is the synthesized
 * template, whoever wrote it. Each app has the HTTP API the local API needs, with the routes the test gives it.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { checkSynthesized } from './conformance/gate';
import { LocalApi, type LocalApiStartOptions } from '../../src/testing';

export interface WorkersAppBuilder {
  readonly stack: Stack;
  /** A Node.js function whose `index.js` is `source` (CommonJS, `exports.handler = ...`). */
  fn(id: string, source: string, props?: Partial<lambda.FunctionProps>): lambda.Function;
  /** A route of the app's HTTP API to `handler`. */
  route(method: HttpMethod, routePath: string, handler: lambda.IFunction): void;
}

export interface WorkersApp {
  readonly api: LocalApi;
  /** Stops the API and removes the folder. */
  stop(): Promise<void>;
}

/** Synthesizes the app `build` declares into a new temporary folder, its templates checked. */
export function synthWorkersApp(build: (app: WorkersAppBuilder) => void): { dir: string; assemblyDir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workers-app-'));
  const app = new App({ outdir: path.join(dir, 'cdk.out') });
  const stack = new Stack(app, 'Workers');
  const httpApi = new HttpApi(stack, 'Api');
  let routes = 0;
  const builder: WorkersAppBuilder = {
    stack,
    fn(id, source, props = {}) {
      const codeDir = path.join(dir, 'code', id);
      fs.mkdirSync(codeDir, { recursive: true });
      fs.writeFileSync(path.join(codeDir, 'index.js'), source);
      return new lambda.Function(stack, id, {
        runtime: lambda.Runtime.NODEJS_22_X,
        handler: 'index.handler',
        code: lambda.Code.fromAsset(codeDir),
        timeout: Duration.seconds(3),
        ...props,
      });
    },
    route(method, routePath, handler) {
      routes++;
      httpApi.addRoutes({
        path: routePath,
        methods: [method],
        integration: new HttpLambdaIntegration(`Route${routes}`, handler),
      });
    },
  };
  build(builder);
  if (routes === 0) {
    builder.route(
      HttpMethod.GET,
      '/health',
      builder.fn('Health', 'exports.handler = async () => ({ statusCode: 204 });'),
    );
  }
  const assembly = app.synth();
  checkSynthesized();
  return { dir, assemblyDir: assembly.directory };
}

/** Starts the app `build` declares, with short retry pauses unless `options` says otherwise. */
export async function startWorkersApp(
  build: (app: WorkersAppBuilder) => void,
  options: Partial<LocalApiStartOptions> = {},
): Promise<WorkersApp> {
  const { dir, assemblyDir } = synthWorkersApp(build);
  const api = await LocalApi.start({
    assembly: assemblyDir,
    keysDir: path.join(dir, 'keys'),
    retryDelayMs: 50,
    ...options,
  });
  return {
    api,
    async stop() {
      await api.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * What a function logged with `console.log(marker, value)`: each value, JSON-parsed, in order. Text-format lines are
 * `<time>\t<request id>\tINFO\t<message>`, under `[<function name>] `.
 */
export function logged(api: LocalApi, functionName: string, marker: string): unknown[] {
  const prefix = `[${functionName}] `;
  return api.logs
    .filter((line) => line.startsWith(prefix))
    .map((line) => line.slice(line.lastIndexOf('\tINFO\t') + 6))
    .filter((message) => message.startsWith(`${marker} `))
    .map((message) => JSON.parse(message.slice(marker.length + 1)));
}
