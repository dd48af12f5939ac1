/**
 * The project as the CDK CLI reads it to synthesize, and the environment it gives the app: the output folder in
 * CDK_OUTDIR and the context in CDK_CONTEXT_JSON, cdk.json's context winning over cdk.context.json's and the CLI's
 * settings over both (aws-cdk-cli's `execProgram` and `contextFromSettings`).
 * https://docs.aws.amazon.com/cdk/v2/guide/context.html
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { UsageError } from '../../../src/assembly/assembly';
import { readCdkProject, synthEnvironment } from '../../../src/local/watch/cdk-project';
import { runSynth } from '../../../src/local/watch/synth';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-project-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const write = (name: string, content: unknown) =>
  fs.writeFileSync(path.join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));

describe('readCdkProject', () => {
  test('GIVEN cdk.json and cdk.context.json THEN the context merges them as the CLI does, with its settings on top', () => {
    write('cdk.json', {
      app: 'npx ts-node --prefer-ts-exts bin/app.ts',
      context: { stage: 'dev', nested: { a: 1 }, 'aws:cdk:bundling-stacks': [] },
      watch: { include: ['**'], exclude: 'test' },
    });
    write('cdk.context.json', {
      stage: 'saved',
      'availability-zones:account=1:region=eu-west-1': ['eu-west-1a'],
      nested: { b: 2 },
    });

    const project = readCdkProject(dir);

    expect(project.app).toBe('npx ts-node --prefer-ts-exts bin/app.ts');
    expect(project.watch).toEqual({ include: ['**'], exclude: ['test'] });
    expect(project.context).toEqual({
      stage: 'dev',
      nested: { a: 1, b: 2 },
      'availability-zones:account=1:region=eu-west-1': ['eu-west-1a'],
      'aws:cdk:enable-path-metadata': true,
      'aws:cdk:enable-asset-metadata': true,
      'aws:cdk:version-reporting': true,
      // The CLI's `bundlingStacks` setting, not the context key, decides what it bundles.
      'aws:cdk:bundling-stacks': ['**'],
      '@aws-cdk/core:failSynthOnValidationErrors': false,
    });
    expect(synthEnvironment(project, '/tmp/out')).toEqual({
      CDK_OUTDIR: '/tmp/out',
      CDK_CONTEXT_JSON: JSON.stringify(project.context),
    });
  });

  test('GIVEN the settings turned off in cdk.json THEN the context says so, as the CLI passes it', () => {
    write('cdk.json', {
      app: ['node', 'app.mjs'],
      pathMetadata: false,
      versionReporting: false,
      staging: false,
      bundlingStacks: ['Api'],
    });
    const project = readCdkProject(dir);
    expect(project.app).toBe('node app.mjs');
    expect(project.watch).toEqual({ include: [], exclude: [] });
    expect(project.context).toEqual({
      'aws:cdk:enable-asset-metadata': true,
      'aws:cdk:disable-version-reporting': true,
      'aws:cdk:disable-asset-staging': true,
      'aws:cdk:bundling-stacks': ['Api'],
      '@aws-cdk/core:failSynthOnValidationErrors': false,
    });
  });

  test('GIVEN an app that names a .js file THEN it runs with this Node, as the CLI runs it', () => {
    write('app.js', '');
    write('cdk.json', { app: 'app.js' });
    expect(readCdkProject(dir).app).toBe(`${process.execPath} ${path.join(dir, 'app.js')}`);
  });

  test.each([
    [
      'no cdk.json',
      undefined,
      (d: string) =>
        `no cdk.json in ${d}: --watch runs the app's synth command from cdk.json's "app"; run the command from your CDK project's folder`,
    ],
    [
      'no app',
      { context: {} },
      (d: string) =>
        `cdk.json in ${d} has no "app": --watch needs the command that synthesizes the app, e.g. "app": "npx ts-node --prefer-ts-exts bin/app.ts"`,
    ],
    [
      'an app that is an assembly folder',
      { app: 'cdk.out' },
      (d: string) =>
        `cdk.json's "app" in ${d} is a cloud assembly folder (cdk.out): --watch needs the command that synthesizes the app`,
    ],
    [
      'not JSON',
      '{ app: ',
      (d: string) =>
        expect.stringMatching(new RegExp(`^${path.join(d, 'cdk.json')} is not valid JSON \\(.+\\): fix the file$`)),
    ],
  ])('GIVEN %s THEN a usage error says what to do', (_case, content, message) => {
    if (content !== undefined) write('cdk.json', content);
    fs.mkdirSync(path.join(dir, 'cdk.out'));
    const error = (() => {
      try {
        readCdkProject(dir);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toEqual(message(dir));
  });
});

/** Whether a process runs: an ended one may linger as a zombie until its new parent reaps it, which is not running. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = path.join('/proc', String(pid), 'stat');
  return !(fs.existsSync(stat) && fs.readFileSync(stat, 'utf-8').split(') ')[1]?.startsWith('Z'));
}

describe('runSynth', () => {
  test('GIVEN an app THEN it runs through the shell in the project folder with CDK_OUTDIR and CDK_CONTEXT_JSON', async () => {
    write(
      'app.js',
      `require('fs').writeFileSync(require('path').join(process.env.CDK_OUTDIR, 'seen.json'), JSON.stringify({ cwd: process.cwd(), context: JSON.parse(process.env.CDK_CONTEXT_JSON) }));`,
    );
    write('cdk.json', { app: 'node app.js && echo synthesized', context: { stage: 'dev' } });
    const outdir = path.join(dir, 'out');
    fs.mkdirSync(outdir);

    const result = await runSynth(readCdkProject(dir), outdir).result;

    expect(result).toMatchObject({ ok: true, exit: 'exit code 0', output: 'synthesized\n' });
    const seen = JSON.parse(fs.readFileSync(path.join(outdir, 'seen.json'), 'utf-8'));
    expect(seen.cwd).toBe(fs.realpathSync(dir));
    expect(seen.context).toMatchObject({ stage: 'dev', 'aws:cdk:bundling-stacks': ['**'] });
  });

  test('GIVEN an app that fails THEN the result says how it ended and keeps what it wrote on both streams', async () => {
    write('cdk.json', { app: 'echo building; echo "Error: no such construct" >&2; exit 3' });
    const result = await runSynth(readCdkProject(dir), dir).result;
    expect(result).toMatchObject({ ok: false, exit: 'exit code 3', output: 'building\nError: no such construct\n' });
  });

  test('GIVEN a synth cancelled THEN the shell and the app it started both end', async () => {
    write('cdk.json', {
      app: `node -e "require('fs').writeFileSync('pid', String(process.pid)); setTimeout(() => {}, 60000)"`,
    });
    const synth = runSynth(readCdkProject(dir), dir);
    const pidFile = path.join(dir, 'pid');
    while (!fs.existsSync(pidFile) || fs.readFileSync(pidFile, 'utf-8') === '') {
      await new Promise((r) => setTimeout(r, 10));
    }
    const pid = Number(fs.readFileSync(pidFile, 'utf-8'));

    synth.cancel();

    expect(await synth.result).toMatchObject({ ok: false, exit: 'ended by SIGTERM' });
    await new Promise((r) => setTimeout(r, 50));
    expect(isRunning(pid)).toBe(false);
  });
});
