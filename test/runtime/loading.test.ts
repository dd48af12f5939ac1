import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildSync } from 'esbuild';

const ROOT = path.resolve(__dirname, '..', '..');
const RUNTIME = path.join(ROOT, 'src', 'runtime');

/**
 * The AWS SDK client packages a handler loads at cold start: `source` bundled as `NodejsFunction` bundles it
 * (esbuild, CommonJS, `@aws-sdk/*` external) and required in a fresh Node.js process.
 */
function clientsLoadedBy(source: string): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runtime-loading-'));
  try {
    const entry = path.join(dir, 'handler.ts');
    fs.writeFileSync(entry, source.replace(/RUNTIME/g, JSON.stringify(RUNTIME)));
    const outfile = path.join(dir, 'index.js');
    buildSync({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external: ['@aws-sdk/*'],
      outfile,
      logLevel: 'silent',
    });
    const script = `require(${JSON.stringify(outfile)});
      const loaded = Object.keys(require.cache).map((f) => f.match(/node_modules\\/@aws-sdk\\/(client-[a-z-]+)\\/dist-cjs\\/index\\.js$/)?.[1]).filter(Boolean);
      process.stdout.write(JSON.stringify(loaded.sort()));`;
    const env = {
      ...process.env,
      NODE_PATH: path.join(ROOT, 'node_modules'),
      AWS_REGION: 'us-east-1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      SERVERLESS_API_QUEUES: JSON.stringify({
        emails: { url: 'https://sqs.us-east-1.amazonaws.com/1/emails', fifo: false },
      }),
    };
    return JSON.parse(execFileSync(process.execPath, ['-e', script], { env, encoding: 'utf8' }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('what the toolkit loads at cold start', () => {
  it('loads neither the SQS nor the EventBridge client in a function that sends nothing', () => {
    const loaded = clientsLoadedBy(`
      import { apiHandler, ok, route } from RUNTIME;
      export const handler = apiHandler({ routes: { 'GET /x': route({ handle: async () => ok({}) }) } });
    `);
    expect(loaded).toContain('client-dynamodb');
    expect(loaded).not.toContain('client-sqs');
    expect(loaded).not.toContain('client-eventbridge');
  });

  it('loads the SQS client with the first Queues a function makes', () => {
    const loaded = clientsLoadedBy(`
      import { Queues } from RUNTIME;
      export const queues = Queues.fromEnvironment();
    `);
    expect(loaded).toContain('client-sqs');
    expect(loaded).not.toContain('client-eventbridge');
  });
});
