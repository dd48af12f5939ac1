/**
 * `serverless-api dev --watch` on a project folder whose cdk.json `app` is a small node script: it writes the
 * committed task-board assembly into CDK_OUTDIR, changed as `src/version.json` says (the task list public, an index
 * on the table, a failure, a slow synth). Each change is a real synth and a real reload behind the same port.
 */
import * as fs from 'fs';
import * as path from 'path';
import { removeTempDirs, ROOT, runCli, TASK_BOARD_SNAPSHOT, tempDir } from './run';
import { startDev, type DevServer } from '../../src/cli/dev/dev-server';
import { issueAppToken } from '../../src/local/app-token';

const SYNTH_SCRIPT = `
const fs = require('fs');
const path = require('path');
const snapshot = ${JSON.stringify(TASK_BOARD_SNAPSHOT)};
const out = process.env.CDK_OUTDIR;
const version = JSON.parse(fs.readFileSync('src/version.json', 'utf-8'));
fs.appendFileSync('synth-log.txt', 'start\\n');
const finish = () => fs.appendFileSync('synth-log.txt', 'end\\n');
if (version.fail) {
  console.log('synthesizing TaskBoardIntegStack');
  console.error('Error: ' + version.fail);
  finish();
  process.exit(1);
}
setTimeout(() => {
  fs.mkdirSync(out, { recursive: true });
  for (const name of fs.readdirSync(snapshot)) {
    const to = path.join(out, name);
    if (name.startsWith('asset.')) {
      if (!fs.existsSync(to)) fs.symlinkSync(path.join(snapshot, name), to);
    } else fs.copyFileSync(path.join(snapshot, name), to);
  }
  const templateFile = path.join(out, 'TaskBoardIntegStack.template.json');
  const template = JSON.parse(fs.readFileSync(templateFile, 'utf-8'));
  for (const resource of Object.values(template.Resources)) {
    const props = resource.Properties;
    if (version.publicList && resource.Type === 'AWS::ApiGatewayV2::Route' && props.RouteKey === 'GET /projects/{projectId}/tasks') {
      props.AuthorizationType = 'NONE';
      delete props.AuthorizerId;
      delete props.AuthorizationScopes;
    }
    if (version.index && resource.Type === 'AWS::DynamoDB::GlobalTable') {
      props.AttributeDefinitions.push({ AttributeName: 'status', AttributeType: 'S' });
      props.GlobalSecondaryIndexes = [
        { IndexName: 'byStatus', KeySchema: [{ AttributeName: 'status', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } },
      ];
    }
  }
  fs.writeFileSync(templateFile, JSON.stringify(template));
  fs.writeFileSync(path.join(out, 'received.json'), JSON.stringify({ outdir: out, context: JSON.parse(process.env.CDK_CONTEXT_JSON) }));
  finish();
}, version.slowMs || 0);
`;

let project: string;
let server: DevServer;
let out = '';
const savedCacheDir = process.env.CDK_SERVERLESS_API_CACHE_DIR;

const writeVersion = (version: object) =>
  fs.writeFileSync(path.join(project, 'src', 'version.json'), JSON.stringify(version));

/** Resolves with the first match of `pattern` in what was printed after `from`. */
async function printed(pattern: RegExp, from: number, timeoutMs = 8000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = out.slice(from).match(pattern);
    if (match) return match;
    if (Date.now() > deadline) throw new Error(`not printed within ${timeoutMs} ms: ${pattern}\n${out.slice(from)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The task list without a token: 401 while the route is guarded; the items once it is public. */
async function listWithoutToken(): Promise<{ status: number; taskIds?: string[] }> {
  const res = await fetch(`${server.url}/projects/demo/tasks`);
  const body = (await res.json()) as { items?: { taskId: string }[] };
  return { status: res.status, taskIds: body.items?.map((item) => item.taskId) };
}

beforeAll(async () => {
  process.env.CDK_SERVERLESS_API_CACHE_DIR = tempDir('watch-cache');
  project = tempDir('watch-project');
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(project, 'node_modules'));
  fs.mkdirSync(path.join(project, 'src', 'ignored'), { recursive: true });
  fs.writeFileSync(path.join(project, 'synth.js'), SYNTH_SCRIPT);
  fs.writeFileSync(
    path.join(project, 'cdk.json'),
    JSON.stringify({
      app: 'node synth.js',
      context: { stage: 'dev', shared: 'from cdk.json' },
      watch: { include: ['src/**', 'synth.js'], exclude: ['src/ignored'] },
    }),
  );
  fs.writeFileSync(path.join(project, 'cdk.context.json'), JSON.stringify({ shared: 'saved', lookup: 'saved' }));
  writeVersion({});
  server = await startDev({
    cwd: project,
    assemblyDir: 'cdk.out',
    port: 0,
    watch: true,
    debounceMs: 50,
    write: (text) => (out += text),
  });
});
afterAll(async () => {
  await server.stop();
  if (savedCacheDir === undefined) delete process.env.CDK_SERVERLESS_API_CACHE_DIR;
  else process.env.CDK_SERVERLESS_API_CACHE_DIR = savedCacheDir;
  removeTempDirs();
});

test('GIVEN no assembly yet THEN the app is synthesized first, with the output folder and context the CDK CLI passes', () => {
  const outdir = path.join(project, 'cdk.out');
  expect(out).toMatch(
    new RegExp(
      `^\\[watch\\] no cloud assembly in ${outdir} yet: running \`node synth.js\`\n\\[watch\\] synthesized in \\d+ ms\n`,
    ),
  );
  expect(out).toContain(`Watching ${project}: a change runs \`node synth.js\` and reloads.\n`);
  const received = JSON.parse(fs.readFileSync(path.join(outdir, 'received.json'), 'utf-8'));
  expect(received.outdir).toBe(outdir);
  expect(received.context).toMatchObject({
    stage: 'dev',
    shared: 'from cdk.json',
    lookup: 'saved',
    'aws:cdk:bundling-stacks': ['**'],
  });
});

test('GIVEN a source change THEN synth runs and the new version answers on the same port, with the items kept', async () => {
  const token = await issueAppToken(server.running.app, server.running.keys, { sub: 'alice' });
  const created = await fetch(`${server.url}/projects/demo/tasks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ taskId: 't1', title: 'Before the change' }),
  });
  expect(created.status).toBe(201);
  expect(await listWithoutToken()).toEqual({ status: 401, taskIds: undefined });
  const port = server.port;
  const url = server.url;

  const from = out.length;
  writeVersion({ publicList: true });

  await printed(/\[watch\] reloaded in \d+ ms \(synth \d+ ms\)\n/, from);
  expect(out.slice(from)).toMatch(/^\[watch\] changed: src\/version\.json\n\[watch\] running `node synth\.js`\n/);
  expect(server.port).toBe(port);
  expect(server.url).toBe(url);
  expect(await listWithoutToken()).toEqual({ status: 200, taskIds: ['t1'] });
});

test('GIVEN changes outside the watched globs THEN nothing runs', async () => {
  const from = out.length;
  fs.writeFileSync(path.join(project, 'src', 'ignored', 'notes.ts'), 'x');
  fs.writeFileSync(path.join(project, 'README.md'), 'x');
  fs.writeFileSync(path.join(project, 'cdk.out', 'extra.txt'), 'x');
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(out.slice(from)).not.toContain('[watch]');
});

test('GIVEN a failing synth THEN "synth failed" with the app’s output, and the last good version keeps serving', async () => {
  const from = out.length;
  writeVersion({ publicList: true, fail: "Cannot find module './stack'" });

  await printed(/\[watch\] synth failed \(exit code 1\) after \d+ ms; still serving the last good version:\n/, from);
  await printed(
    /\[watch\] {3}synthesizing TaskBoardIntegStack\n\[watch\] {3}Error: Cannot find module '\.\/stack'\n/,
    from,
  );
  expect(out.slice(from)).not.toContain('reloaded');
  expect(await listWithoutToken()).toEqual({ status: 200, taskIds: ['t1'] });
});

test('GIVEN a change during a synth THEN one more synth runs after it, never two at once', async () => {
  const from = out.length;
  const log = path.join(project, 'synth-log.txt');
  fs.writeFileSync(log, '');
  writeVersion({ publicList: true, slowMs: 400 });
  // The slow synth has read its version (it logs `start` after): the next change comes while it runs.
  while (fs.readFileSync(log, 'utf-8') !== 'start\n') await new Promise((resolve) => setTimeout(resolve, 10));
  writeVersion({ publicList: false });

  await printed(/\[watch\] reloaded in [^\n]*\n[^]*\[watch\] reloaded in [^\n]*\n/, from);
  expect(out.slice(from).match(/\[watch\] running/g)).toHaveLength(2);
  expect(fs.readFileSync(log, 'utf-8')).toBe('start\nend\nstart\nend\n');
  // The last change wins: the task list is guarded again.
  expect((await listWithoutToken()).status).toBe(401);
});

test('GIVEN a changed table schema THEN the reload says DynamoDB restarted and its in-memory items are lost', async () => {
  const from = out.length;
  writeVersion({ publicList: true, index: true });

  const [line] = await printed(/\[watch\] reloaded in [^\n]*\n/, from);
  expect(line).toMatch(
    /; tables changed \(TaskBoardIntegStack-ApiTableDB4CD73A: global secondary indexes changed\): DynamoDB restarted, the items it held in memory are lost\n$/,
  );
  expect(await listWithoutToken()).toEqual({ status: 200, taskIds: [] });
});

describe('--watch: the first synth and cdk.json', () => {
  test("GIVEN cdk.json's output THEN the assembly is written and read there", async () => {
    const dir = tempDir('watch-output');
    fs.mkdirSync(path.join(dir, 'src'));
    fs.writeFileSync(path.join(dir, 'src', 'version.json'), '{}');
    fs.writeFileSync(path.join(dir, 'synth.js'), SYNTH_SCRIPT);
    fs.writeFileSync(path.join(dir, 'cdk.json'), JSON.stringify({ app: 'node synth.js', output: 'build/assembly' }));
    let printedHere = '';
    const dev = await startDev({ cwd: dir, port: 0, watch: true, write: (text) => (printedHere += text) });
    try {
      expect(fs.existsSync(path.join(dir, 'build', 'assembly', 'manifest.json'))).toBe(true);
      expect(dev.running.app.assemblyDir).toBe(path.join(dir, 'build', 'assembly'));
      expect(printedHere).toMatch(/^\[watch\] no cloud assembly in \S+\/build\/assembly yet/);
    } finally {
      await dev.stop();
    }
  });

  test('GIVEN a first synth that fails THEN dev does not start, and the error shows what the app wrote', async () => {
    const dir = tempDir('watch-first-fails');
    fs.mkdirSync(path.join(dir, 'src'));
    fs.writeFileSync(path.join(dir, 'src', 'version.json'), JSON.stringify({ fail: 'no stack named TaskBoard' }));
    fs.writeFileSync(path.join(dir, 'synth.js'), SYNTH_SCRIPT);
    fs.writeFileSync(path.join(dir, 'cdk.json'), JSON.stringify({ app: 'node synth.js' }));

    const run = await runCli(['dev', '--watch', '--port', '0'], dir);

    expect(run.code).toBe(1);
    expect(run.out).toBe(`[watch] no cloud assembly in ${path.join(dir, 'cdk.out')} yet: running \`node synth.js\`\n`);
    expect(run.err).toBe(
      `serverless-api: synth failed (exit code 1): \`node synth.js\` in ${dir} wrote:\nsynthesizing TaskBoardIntegStack\nError: no stack named TaskBoard\nFix the app and run the command again.\n`,
    );
  });

  test('GIVEN no cdk.json THEN --watch says where it looks for the synth command', async () => {
    const dir = tempDir('watch-no-cdk-json');
    const run = await runCli(['dev', TASK_BOARD_SNAPSHOT, '--watch'], dir);
    expect(run).toEqual({
      code: 1,
      out: '',
      err: `serverless-api: no cdk.json in ${dir}: --watch runs the app's synth command from cdk.json's "app"; run the command from your CDK project's folder\n`,
    });
  });
});
