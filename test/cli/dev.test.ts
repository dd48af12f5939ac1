/**
 * `serverless-api dev` on the committed assemblies: started in process on a free port through `startDev` (the
 * command itself waits for Ctrl-C), the banner, requests answered with a token from `serverless-api token`, the
 * logs streamed line by line, a clean stop; and through `main()`, what it refuses.
 */
import { createHmac } from 'crypto';
import * as net from 'net';
import { removeTempDirs, REST_API_SNAPSHOT, ROOT, runCli, TASK_BOARD_SNAPSHOT, tempDir } from './run';
import { startDev, type DevServer } from '../../src/cli/dev/dev-server';

let cacheDir: string;
const savedCacheDir = process.env.CDK_SERVERLESS_API_CACHE_DIR;
beforeAll(() => {
  cacheDir = tempDir('dev-cache');
  process.env.CDK_SERVERLESS_API_CACHE_DIR = cacheDir;
});
afterAll(() => {
  if (savedCacheDir === undefined) delete process.env.CDK_SERVERLESS_API_CACHE_DIR;
  else process.env.CDK_SERVERLESS_API_CACHE_DIR = savedCacheDir;
  removeTempDirs();
});

/** The task board's notifications queue is standard: the reader's one warning that no option takes away. */
const QUEUE_WARNING =
  "event source mapping EventSource (ApiWorkersnotificationsEventSource4A9924BC): SQS delivers a standard queue's messages at least once and not always in order; locally each comes once and in order (again only after its visibility timeout), so a worker that is not idempotent passes here and fails in AWS";

/** The banner: everything up to and including its `Ctrl-C stops.` line. */
const bannerOf = (out: string) => out.slice(0, out.indexOf('Ctrl-C stops.\n') + 'Ctrl-C stops.\n'.length).split('\n');

/** The indented lines under a banner heading, up to the next heading. */
function section(lines: string[], heading: string): string[] {
  const start = lines.indexOf(heading);
  if (start < 0) return [];
  const end = lines.findIndex((line, i) => i > start && !line.startsWith('  '));
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

describe('dev on the task board (HTTP API, JWT)', () => {
  let server: DevServer;
  let out = '';
  beforeAll(async () => {
    server = await startDev({
      cwd: ROOT,
      assemblyDir: TASK_BOARD_SNAPSHOT,
      port: 0,
      selection: ['integ/integ.task-board.ts.snapshot'],
      write: (text) => (out += text),
    });
  });
  afterAll(() => server.stop());

  test('the banner: URL, API type, each route with its function and authorization, the table, the queues and their worker, how to get a token', () => {
    const url = server.url;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const lines = bannerOf(out);
    expect(lines.slice(0, 4)).toEqual([
      'serverless-api dev: TaskBoardIntegStack, HTTP API task-board (the $default stage)',
      `Listening on ${url}`,
      '',
      'Routes:',
    ]);
    expect(lines).toContain('  GET     /projects/{projectId}/tasks                    tasks     JWT jwt');
    expect(lines).toContain('  POST    /projects/{projectId}/tasks/{taskId}/complete  tasks     JWT jwt');
    expect(lines).toContain('  GET     /projects/{projectId}/notifications            tasks     JWT jwt');
    expect(lines).toContain('  DELETE  /sessions/{sessionId}                          sessions  JWT jwt');
    expect(lines).toContain('  POST    /webhooks/{provider}                           webhooks  public');
    expect(lines).toContain('Table (in memory, lost at stop):');
    expect(lines).toContain('  TaskBoardIntegStack-ApiTableDB4CD73A  PK (S) + SK (S); TTL expiresAt');
    expect(section(lines, 'Queues (in memory, lost at stop):')).toEqual([
      '  DeadLetterQueue  standard, visibility 30 s',
      '  notifications    standard, visibility 60 s, to DeadLetterQueue after 5 receives',
    ]);
    expect(section(lines, 'Workers:')).toEqual(['  notifications  <- queue notifications  batch 10']);
    expect(lines).toContain('Tokens:');
    expect(lines).toContain('  TOKEN=$(npx serverless-api token integ/integ.task-board.ts.snapshot --sub alice)');
    expect(lines).toContain(`  curl -H "authorization: Bearer $TOKEN" ${url}/projects/demo/tasks`);
    // Two warnings: the standard queue's, and the secret that has no value locally.
    expect(section(lines, 'Runs differently than deployed:')).toEqual([
      `  ${QUEUE_WARNING}`,
      expect.stringMatching(
        /^ {2}function webhooks \(\w+\): environment variable WEBHOOK_SIGNING_SECRET holds the ARN of secret WebhookSigningSecret.* give it a value with --secret WebhookSigningSecret=<value> \(serverless-api dev\)/,
      ),
    ]);
    expect(lines[lines.length - 2]).toBe(
      'Logs follow: [function name], [gateway], [access], [dynamodb], [secretsmanager], [sqs], [events], [worker]. Ctrl-C stops.',
    );
  });

  test('GIVEN a token from `serverless-api token` THEN the task is created, and the logs stream line by line', async () => {
    const token = (await runCli(['token', TASK_BOARD_SNAPSHOT, '--sub', 'alice'])).out.trim();
    const before = out.length;
    const res = await fetch(`${server.url}/projects/demo/tasks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ taskId: 't1', title: 'From dev' }),
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ taskId: 't1', createdBy: 'alice' });

    const logged = out.slice(before).split('\n').filter(Boolean);
    expect(logged.every((line) => /^\[(tasks|gateway|access|dynamodb)\] /.test(line))).toBe(true);
    expect(logged.filter((line) => line.startsWith('[tasks] '))).toContainEqual(
      expect.stringContaining('"platform.report"'),
    );
    const access = logged.filter((line) => line.startsWith('[access] ')).map((line) => JSON.parse(line.slice(9)));
    expect(access).toEqual([
      expect.objectContaining({ routeKey: 'POST /projects/{projectId}/tasks', status: '201', principalId: 'alice' }),
    ]);
  });

  // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html
  test('GIVEN no token THEN the gateway answers 401', async () => {
    expect((await fetch(`${server.url}/projects/demo/tasks`)).status).toBe(401);
  });
});

describe('dev with --secret', () => {
  test("GIVEN the secret's value THEN the function reads it from the local Secrets Manager, and no warning of the banner concerns it", async () => {
    let out = '';
    const server = await startDev({
      cwd: ROOT,
      assemblyDir: TASK_BOARD_SNAPSHOT,
      port: 0,
      secrets: { WebhookSigningSecret: 'whsec-local' },
      write: (text) => (out += text),
    });
    try {
      const body = JSON.stringify({ id: 'evt_dev', type: 'ping' });
      const signed = await fetch(`${server.url}/webhooks/github`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-webhook-signature': createHmac('sha256', 'whsec-local').update(body).digest('hex'),
        },
        body,
      });
      expect(signed.status).toBe(202);
      // The queue's warning stays, alone: none is about the secret, its variable or a placeholder.
      const warnings = section(bannerOf(out), 'Runs differently than deployed:');
      expect(warnings).toEqual([`  ${QUEUE_WARNING}`]);
      expect(warnings.filter((line) => /WebhookSigningSecret|WEBHOOK_SIGNING_SECRET|placeholder/.test(line))).toEqual(
        [],
      );
    } finally {
      await server.stop();
    }
  });
});

describe('dev on the REST partner API', () => {
  test('the banner gives the stage URL, the Cognito and API-key routes and the keys; stop closes the port', async () => {
    let out = '';
    const server = await startDev({
      cwd: ROOT,
      assemblyDir: REST_API_SNAPSHOT,
      port: 0,
      write: (text) => (out += text),
    });
    const url = server.url;
    try {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/prod$/);
      expect(out).toMatch(/^serverless-api dev: RestApiIntegStack, REST API \S+ \(stage prod\)\n/);
      expect(out).toMatch(/\n {2}POST +\/items +\S+ +public, API key\n/);
      expect(out).toMatch(/\n {2}\S+ +\/\S* +\S+ +Cognito \S+/);
      expect(out).toMatch(/\nAPI keys \(header x-api-key\):\n {2}rest-api-integ-integ {2}\S{20,}\n/);
      expect(out).toContain('  TOKEN=$(npx serverless-api token --sub alice)\n');
      expect((await fetch(`${url}/items`, { method: 'POST', body: '{}' })).status).toBe(403);
    } finally {
      await server.stop();
    }
    await expect(fetch(`${url}/items`)).rejects.toThrow();
  });
});

describe('dev: what it refuses', () => {
  test('GIVEN the port in use THEN exit 1, naming the port and --port, and nothing left running', async () => {
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as net.AddressInfo).port;
    const listening = () => process.getActiveResourcesInfo().filter((type) => type === 'TCPServerWrap').length;
    const before = listening();
    try {
      const run = await runCli(['dev', TASK_BOARD_SNAPSHOT, '--port', String(port)]);
      expect(run).toEqual({
        code: 1,
        out: '',
        err: `serverless-api: port ${port} on 127.0.0.1 is in use: stop what listens there, or choose another port with --port (--port 0 picks a free one)\n`,
      });
      // DynamoDB and its endpoint had started before the port was found taken: both are closed again (a closed
      // server leaves the list of active handles on a later turn of the event loop).
      for (let wait = 0; listening() > before && wait < 1000; wait += 10) await new Promise((r) => setTimeout(r, 10));
      expect(listening()).toBe(before);
    } finally {
      await new Promise((resolve) => busy.close(resolve));
    }
  });

  test.each([
    [['--port', 'http'], '--port must be a whole number from 0 to 65535, got: "http"'],
    [['--port', '70000'], '--port must be a whole number from 0 to 65535, got: "70000"'],
    [['--secret', 'token'], '--secret must be NAME=VALUE, got: "token"'],
  ])('%j: exit 2 with the flag and the bad value', async (args, message) => {
    const run = await runCli(['dev', TASK_BOARD_SNAPSHOT, ...args]);
    expect(run.code).toBe(2);
    expect(run.err.split('\n')[0]).toBe(`serverless-api: ${message}`);
  });

  test('GIVEN no cloud assembly and no --watch THEN exit 1 and what to run', async () => {
    const dir = tempDir('dev-empty');
    const run = await runCli(['dev', dir]);
    expect(run.code).toBe(1);
    expect(run.err).toBe(
      `serverless-api: no cloud assembly in ${dir} (it has no manifest.json): run \`cdk synth\` first, or pass the folder it writes to (cdk.out by default)\n`,
    );
  });

  test('--help gives the usage, with port 3000 by default', async () => {
    const run = await runCli(['dev', '--help']);
    expect(run.code).toBe(0);
    expect(run.out).toMatch(
      /^Usage: serverless-api dev \[ASSEMBLY_DIR\] \[--stack NAME\] \[--port PORT\] \[--host HOST\] \[--data DIR\] \[--secret NAME=VALUE\]\.\.\. \[--watch\]\n/,
    );
    expect(run.out).toContain('  --port PORT          the port to listen on (default: 3000; 0 picks a free one)\n');
  });
});
