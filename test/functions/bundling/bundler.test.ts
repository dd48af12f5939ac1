import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as url from 'url';
import { App, CfnResource, Stack, Stage } from 'aws-cdk-lib';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { ApiAuthorization, ApiFunctionOptions, ServerlessApi, ServerlessApiProps } from '../../../src';
import { defaultProps, fn, route } from '../../helpers/api';

// Count esbuild's builds through the real esbuild: the bundler resolves the same module file.
jest.mock('esbuild', () => {
  const actual = jest.requireActual('esbuild');
  return { version: actual.version, buildSync: jest.fn(actual.buildSync) };
});
// eslint-disable-next-line @typescript-eslint/no-require-imports
const esbuild = require('esbuild') as { buildSync: jest.Mock };

const FIXTURES = path.join(__dirname, 'fixtures');
const fixture = (name: string) => path.join(FIXTURES, name);

let cacheDir: string;
const temporary: string[] = [];
beforeEach(() => {
  cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-cache-'));
  process.env.CDK_SERVERLESS_API_CACHE_DIR = cacheDir;
  esbuild.buildSync.mockClear();
});
afterEach(() => {
  delete process.env.CDK_SERVERLESS_API_CACHE_DIR;
  for (const dir of [cacheDir, ...temporary.splice(0)]) fs.rmSync(dir, { recursive: true, force: true });
});

interface Synthesized {
  readonly app: App;
  readonly template: any;
  /** The staged bundle folder of a function, by the name it was declared under. */
  bundleDir(name: string): string;
  /** The S3 key (the asset hash) of a function's code. */
  assetKey(name: string): string;
  handler(name: string): string;
}

/** Synthesizes an API with bundling on, as `cdk synth` does. */
function synth(
  functions: { [name: string]: ApiFunctionOptions },
  props: Partial<ServerlessApiProps> = {},
): Synthesized {
  const app = new App({ postCliContext: { 'aws:cdk:bundling-stacks': ['**'] } });
  const stack = new Stack(app, 'Test');
  new ServerlessApi(stack, 'Api', { ...defaultProps(), functions, ...props });
  const assembly = app.synth();
  const template = assembly.getStackByName('Test').template;
  const functionOf = (name: string) =>
    Object.entries<any>(template.Resources).find(
      ([id, resource]) => resource.Type === 'AWS::Lambda::Function' && id.startsWith(`ApiFunctions${name}Function`),
    )![1];
  const assetKey = (name: string) => functionOf(name).Properties.Code.S3Key.replace(/\.zip$/, '');
  return {
    app,
    template,
    assetKey,
    bundleDir: (name) => path.join(assembly.directory, `asset.${assetKey(name)}`),
    handler: (name) => functionOf(name).Properties.Handler,
  };
}

/** Loads a staged CommonJS bundle and calls its handler, as the Lambda runtime would. */
async function invoke(bundleDir: string, event: unknown = {}): Promise<any> {
  const file = path.join(bundleDir, 'index.js');
  delete require.cache[file];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(file).handler(event);
}

function copyFixtures(...names: string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-src-'));
  temporary.push(dir);
  for (const name of names) fs.copyFileSync(fixture(name), path.join(dir, name));
  return dir;
}

describe('one pass', () => {
  test('GIVEN three route functions and a Lambda authorizer WHEN synthesized THEN esbuild builds once with every entry point', async () => {
    const synthesized = synth(
      {
        greeter: fn([route(HttpMethod.GET, '/greet')], { entry: fixture('greeter.ts') }),
        counter: fn([route(HttpMethod.GET, '/count')], { entry: fixture('counter.ts') }),
        sdk: fn([route(HttpMethod.GET, '/sdk')], { entry: fixture('sdk-user.ts') }),
      },
      { authorization: ApiAuthorization.lambdaRequest({ entry: fixture('counter.ts') }) },
    );

    expect(esbuild.buildSync).toHaveBeenCalledTimes(1);
    const entryPoints = esbuild.buildSync.mock.calls[0][0].entryPoints.map((entry: { in: string }) => entry.in);
    expect(entryPoints.sort()).toEqual([fixture('counter.ts'), fixture('greeter.ts'), fixture('sdk-user.ts')]);
    await expect(invoke(synthesized.bundleDir('greeter'), { name: 'ada' })).resolves.toEqual({
      statusCode: 200,
      body: 'hello, ada',
    });
    expect(synthesized.handler('greeter')).toBe('index.handler');
  });

  test('GIVEN the same app synthesized again with nothing changed THEN no build runs and the asset hashes are the same', () => {
    const functions = () => ({
      greeter: fn([route(HttpMethod.GET, '/greet')], { entry: fixture('greeter.ts') }),
      counter: fn([route(HttpMethod.GET, '/count')], { entry: fixture('counter.ts') }),
    });
    const first = synth(functions());
    esbuild.buildSync.mockClear();

    const second = synth(functions());

    expect(esbuild.buildSync).not.toHaveBeenCalled();
    expect(second.assetKey('greeter')).toBe(first.assetKey('greeter'));
    expect(second.assetKey('counter')).toBe(first.assetKey('counter'));
  });

  test('GIVEN one function whose options differ THEN one build per set of options, not per function', () => {
    synth({
      a: fn([route(HttpMethod.GET, '/a')], { entry: fixture('greeter.ts') }),
      b: fn([route(HttpMethod.GET, '/b')], { entry: fixture('counter.ts') }),
      c: fn([route(HttpMethod.GET, '/c')], { entry: fixture('sdk-user.ts'), bundling: { minify: false } }),
    });

    expect(esbuild.buildSync).toHaveBeenCalledTimes(2);
    expect(esbuild.buildSync.mock.calls.map((call) => call[0].entryPoints.length).sort()).toEqual([1, 2]);
  });
});

describe('asset hash', () => {
  test('GIVEN a source edited in a way that changes the bundle THEN only that function is rebuilt and gets a new hash', () => {
    const dir = copyFixtures('greeter.ts', 'greeting.ts', 'counter.ts');
    const functions = () => ({
      greeter: fn([route(HttpMethod.GET, '/greet')], { entry: path.join(dir, 'greeter.ts') }),
      counter: fn([route(HttpMethod.GET, '/count')], { entry: path.join(dir, 'counter.ts') }),
    });
    const before = synth(functions());
    fs.writeFileSync(path.join(dir, 'greeting.ts'), 'export const greeting = (name: string) => `hi, ${name}`;\n');
    esbuild.buildSync.mockClear();

    const after = synth(functions());

    expect(esbuild.buildSync).toHaveBeenCalledTimes(1);
    expect(esbuild.buildSync.mock.calls[0][0].entryPoints.map((entry: { in: string }) => entry.in)).toEqual([
      path.join(dir, 'greeter.ts'),
    ]);
    expect(after.assetKey('greeter')).not.toBe(before.assetKey('greeter'));
    expect(after.assetKey('counter')).toBe(before.assetKey('counter'));
  });

  test('GIVEN a source touched or edited without changing the bundle THEN the asset hash stays', () => {
    const dir = copyFixtures('greeter.ts', 'greeting.ts');
    const functions = () => ({
      greeter: fn([route(HttpMethod.GET, '/greet')], {
        entry: path.join(dir, 'greeter.ts'),
        bundling: { sourceMap: false },
      }),
    });
    const before = synth(functions());
    const greeting = path.join(dir, 'greeting.ts');
    const later = new Date(Date.now() + 60_000);
    fs.utimesSync(greeting, later, later);
    const touched = synth(functions());
    // A comment is dropped by minification: the source changed, the bundle did not.
    fs.writeFileSync(greeting, `// reworded\n${fs.readFileSync(greeting, 'utf8')}`);
    esbuild.buildSync.mockClear();

    const commented = synth(functions());

    expect(esbuild.buildSync).toHaveBeenCalledTimes(1);
    expect(touched.assetKey('greeter')).toBe(before.assetKey('greeter'));
    expect(commented.assetKey('greeter')).toBe(before.assetKey('greeter'));
  });

  test('GIVEN different bundling options THEN a different hash', () => {
    const plain = synth({ greeter: fn([route(HttpMethod.GET, '/greet')], { entry: fixture('greeter.ts') }) });
    const defined = synth({
      greeter: fn([route(HttpMethod.GET, '/greet')], {
        entry: fixture('greeter.ts'),
        bundling: { define: { GREETING_SUFFIX: JSON.stringify('!') } },
      }),
    });

    expect(defined.assetKey('greeter')).not.toBe(plain.assetKey('greeter'));
  });
});

describe('what users rely on from NodejsFunction', () => {
  test('GIVEN the default bundling THEN the bundle is minified with a source map and leaves the AWS SDK to the runtime', () => {
    const synthesized = synth({ sdk: fn([route(HttpMethod.GET, '/sdk')], { entry: fixture('sdk-user.ts') }) });

    const bundle = fs.readFileSync(path.join(synthesized.bundleDir('sdk'), 'index.js'), 'utf8');
    expect(bundle).toContain('require("@aws-sdk/client-dynamodb")');
    expect(bundle).toMatch(/\/\/# sourceMappingURL=index\.js\.map\n?$/);
    expect(bundle.split('\n').length).toBeLessThanOrEqual(3);
    const map = JSON.parse(fs.readFileSync(path.join(synthesized.bundleDir('sdk'), 'index.js.map'), 'utf8'));
    expect(map.sources.some((source: string) => source.endsWith('fixtures/sdk-user.ts'))).toBe(true);
    // Mappings only: a stack trace needs no more, and the sources would triple the bundle.
    expect(map.sourcesContent).toBeUndefined();
  });

  test('GIVEN define, banner, footer and no minification THEN each reaches the bundle', async () => {
    const synthesized = synth({
      greeter: fn([route(HttpMethod.GET, '/greet')], {
        entry: fixture('greeter.ts'),
        bundling: {
          minify: false,
          sourceMap: false,
          define: { GREETING_SUFFIX: JSON.stringify('!') },
          banner: '/* banner */',
          footer: '/* footer */',
        },
      }),
    });

    const dir = synthesized.bundleDir('greeter');
    const bundle = fs.readFileSync(path.join(dir, 'index.js'), 'utf8');
    expect(bundle.startsWith('/* banner */')).toBe(true);
    expect(bundle.trimEnd().endsWith('/* footer */')).toBe(true);
    expect(fs.existsSync(path.join(dir, 'index.js.map'))).toBe(false);
    await expect(invoke(dir, { name: 'ada' })).resolves.toEqual({ statusCode: 200, body: 'hello, ada!' });
  });

  test('GIVEN sourcesContent THEN the source map embeds the sources, for a debugger', () => {
    const synthesized = synth({
      sdk: fn([route(HttpMethod.GET, '/sdk')], { entry: fixture('sdk-user.ts'), bundling: { sourcesContent: true } }),
    });

    const map = JSON.parse(fs.readFileSync(path.join(synthesized.bundleDir('sdk'), 'index.js.map'), 'utf8'));
    expect(map.sourcesContent).toHaveLength(map.sources.length);
  });

  test('GIVEN externalModules THEN they replace the default list', () => {
    const synthesized = synth({
      sdk: fn([route(HttpMethod.GET, '/sdk')], {
        entry: fixture('greeter.ts'),
        bundling: { externalModules: ['./greeting'] },
      }),
    });

    expect(fs.readFileSync(path.join(synthesized.bundleDir('sdk'), 'index.js'), 'utf8')).toContain(
      'require("./greeting")',
    );
  });

  test('GIVEN ESM output THEN the bundle is index.mjs and the handler points at it', () => {
    const synthesized = synth({
      greeter: fn([route(HttpMethod.GET, '/greet')], {
        entry: fixture('greeter.ts'),
        bundling: { format: nodejs.OutputFormat.ESM },
      }),
    });

    const dir = synthesized.bundleDir('greeter');
    expect(fs.readdirSync(dir).sort()).toEqual(['index.mjs', 'index.mjs.map']);
    expect(synthesized.handler('greeter')).toBe('index.handler');
    // Loaded as Node.js loads it, in a process of its own (jest's VM has no ES module loader).
    const script = `import(${JSON.stringify(url.pathToFileURL(path.join(dir, 'index.mjs')).href)}).then((m) => m.handler({ name: 'esm' })).then((r) => process.stdout.write(JSON.stringify(r)))`;
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(JSON.parse(output)).toEqual({ statusCode: 200, body: 'hello, esm' });
  });

  test('GIVEN nodeModules THEN the module is installed into the bundle at the installed version, not bundled', async () => {
    const synthesized = synth({
      native: fn([route(HttpMethod.GET, '/native')], {
        entry: fixture('native-user.ts'),
        architecture: lambda.Architecture.X86_64,
        bundling: { nodeModules: ['esbuild'] },
      }),
    });

    const dir = synthesized.bundleDir('native');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const version = require('esbuild/package.json').version;
    const installed = (name: string) => path.join(dir, 'node_modules', name, 'package.json');
    expect(JSON.parse(fs.readFileSync(installed('esbuild'), 'utf8')).version).toBe(version);
    // The binary package for Linux on the function's architecture, not for the machine that synthesized.
    expect(fs.existsSync(installed('@esbuild/linux-x64'))).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'index.js'), 'utf8')).toContain('require("esbuild")');
    await expect(invoke(dir)).resolves.toEqual({ statusCode: 200, body: version });
  }, 60_000);
});

describe('errors name the function', () => {
  test('GIVEN an entry that does not exist THEN the function is named at construction', () => {
    const stack = new Stack(new App({ postCliContext: { 'aws:cdk:bundling-stacks': ['**'] } }), 'Test');
    expect(
      () =>
        new ServerlessApi(stack, 'Api', {
          ...defaultProps(),
          functions: { items: fn([route(HttpMethod.GET, '/items')], { entry: 'src/handlers/missing.ts' }) },
        }),
    ).toThrow(
      `\`functions.items.entry\` must be an existing file (a relative path is read from the working directory, ${process.cwd()}), got: "src/handlers/missing.ts"`,
    );
  });

  test('GIVEN a module in nodeModules that is not installed THEN the prop and module are named', () => {
    expect(() =>
      synth({
        items: fn([route(HttpMethod.GET, '/items')], {
          entry: fixture('counter.ts'),
          bundling: { nodeModules: ['not-installed-anywhere'] },
        }),
      }),
    ).toThrow(
      `\`functions.items.bundling.nodeModules\` must name modules installed in the app (add each to its dependencies), got: "not-installed-anywhere", not found from ${FIXTURES}`,
    );
  });

  test("GIVEN a syntax error THEN synth fails with esbuild's message, its position and the functions of the build", () => {
    const dir = copyFixtures('counter.ts');
    fs.writeFileSync(path.join(dir, 'broken.ts'), "export const handler = async () => ({ body: 'unterminated });\n");

    expect(() =>
      synth({
        good: fn([route(HttpMethod.GET, '/good')], { entry: path.join(dir, 'counter.ts') }),
        bad: fn([route(HttpMethod.GET, '/bad')], { entry: path.join(dir, 'broken.ts') }),
      }),
    ).toThrow(/^Bundling functions\.good, functions\.bad failed:\n.*broken\.ts:1:\d+: Unterminated string literal/);
  });
});

describe('esbuild', () => {
  test('GIVEN an app without esbuild installed THEN synth says to add it, and never falls back to Docker', () => {
    const project = fs.mkdtempSync(path.join(os.tmpdir(), 'app-without-esbuild-'));
    fs.writeFileSync(path.join(project, 'package.json'), '{"name":"app"}');
    fs.copyFileSync(fixture('counter.ts'), path.join(project, 'handler.ts'));
    const cwd = process.cwd();
    process.chdir(project);
    try {
      const stack = new Stack(new App({ postCliContext: { 'aws:cdk:bundling-stacks': ['**'] } }), 'Test');
      const functions = { items: fn([route(HttpMethod.GET, '/items')], { entry: path.join(project, 'handler.ts') }) };
      expect(() => new ServerlessApi(stack, 'Api', { ...defaultProps(), functions })).toThrow(
        `Bundling the functions needs esbuild: add it to the app's devDependencies (npm install --save-dev esbuild), got: no esbuild module found from ${fs.realpathSync(project)}`,
      );
      // Refused with the other props, before anything is built.
      expect(stack.node.findAll().filter((c) => CfnResource.isCfnResource(c))).toEqual([]);
    } finally {
      process.chdir(cwd);
      fs.rmSync(project, { recursive: true, force: true });
    }
  });
});

describe('where the bundle goes', () => {
  test('GIVEN asset metadata asked for (as the CDK CLI and SAM do) THEN the function points at its staged bundle', () => {
    const app = new App({
      postCliContext: { 'aws:cdk:bundling-stacks': ['**'], 'aws:cdk:enable-asset-metadata': true },
    });
    const stack = new Stack(app, 'Test');
    new ServerlessApi(stack, 'Api', {
      ...defaultProps(),
      functions: { items: fn([route(HttpMethod.GET, '/items')], { entry: fixture('counter.ts') }) },
    });

    const template = app.synth().getStackByName('Test').template;

    const fnResource = Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::Lambda::Function');
    expect(fnResource.Metadata).toEqual({
      'aws:asset:path': `asset.${fnResource.Properties.Code.S3Key.replace(/\.zip$/, '')}`,
      'aws:asset:is-bundled': true,
      'aws:asset:property': 'Code',
    });
  });

  test('GIVEN staging disabled (as `cdk synth --no-staging` for SAM) THEN the asset is the bundle where it is', () => {
    const app = new App({
      postCliContext: { 'aws:cdk:bundling-stacks': ['**'], 'aws:cdk:disable-asset-staging': true },
    });
    const stack = new Stack(app, 'Test');
    new ServerlessApi(stack, 'Api', {
      ...defaultProps(),
      functions: { items: fn([route(HttpMethod.GET, '/items')], { entry: fixture('counter.ts') }) },
    });

    const assembly = app.synth();

    const manifest = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'Test.assets.json'), 'utf8'));
    const [source] = Object.values<any>(manifest.files).map((file) => file.source.path);
    expect(path.isAbsolute(source) && source.startsWith(cacheDir)).toBe(true);
    expect(fs.readdirSync(source).sort()).toEqual(['index.js', 'index.js.map']);
    expect(fs.readdirSync(assembly.directory).filter((name) => name.startsWith('asset.'))).toEqual([]);
  });

  test('GIVEN an asset hash salt THEN the asset hash changes and the bundle does not', () => {
    const keyWith = (salt?: string) => {
      const app = new App({
        postCliContext: { 'aws:cdk:bundling-stacks': ['**'], ...(salt ? { '@aws-cdk/core:assetHashSalt': salt } : {}) },
      });
      const stack = new Stack(app, 'Test');
      new ServerlessApi(stack, 'Api', {
        ...defaultProps(),
        functions: { items: fn([route(HttpMethod.GET, '/items')], { entry: fixture('counter.ts') }) },
      });
      const template = app.synth().getStackByName('Test').template;
      return Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::Lambda::Function').Properties.Code
        .S3Key;
    };

    const [plain, salted, saltedAgain] = [keyWith(), keyWith('v2'), keyWith('v2')];

    expect(salted).not.toBe(plain);
    expect(saltedAgain).toBe(salted);
    expect(esbuild.buildSync).toHaveBeenCalledTimes(1);
  });

  test('GIVEN a staged bundle THEN its files are read-only, so an edit in the cloud assembly cannot reach the cache', () => {
    const synthesized = synth({ items: fn([route(HttpMethod.GET, '/items')], { entry: fixture('counter.ts') }) });

    // The mode, not a write attempt: tests may run as root, whom permissions do not stop.
    const staged = path.join(synthesized.bundleDir('items'), 'index.js');
    expect(fs.statSync(staged).mode.toString(8).slice(-3)).toBe('444');
  });

  test("GIVEN functions in two stages (a pipeline's) THEN each stage's functions are bundled, staged where the app stages assets", () => {
    const app = new App({ postCliContext: { 'aws:cdk:bundling-stacks': ['**'] } });
    const stacks = ['Beta', 'Prod'].map((name) => new Stack(new Stage(app, name), 'Api'));
    for (const stack of stacks) {
      new ServerlessApi(stack, 'Api', {
        ...defaultProps(),
        functions: { items: fn([route(HttpMethod.GET, '/items')], { entry: fixture('counter.ts') }) },
      });
    }

    const assembly = app.synth();

    for (const name of ['Beta', 'Prod']) {
      const nested = assembly.getNestedAssembly(`assembly-${name}`);
      const template = nested.stacks[0].template;
      const code = Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::Lambda::Function').Properties
        .Code;
      // Nested assemblies share the app's asset folder, as `Stage.assetOutdir` has it.
      const staged = path.join(assembly.directory, `asset.${code.S3Key.replace(/\.zip$/, '')}`);
      expect(fs.readdirSync(staged).sort()).toEqual(['index.js', 'index.js.map']);
    }
    // The second stage's bundle came from the cache: one build in all.
    expect(esbuild.buildSync).toHaveBeenCalledTimes(1);
  });
});

describe('bundling skipped', () => {
  test('GIVEN a stack left out of bundling-stacks THEN nothing is built and the code is a placeholder', () => {
    const app = new App({ postCliContext: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Test');
    new ServerlessApi(stack, 'Api', {
      ...defaultProps(),
      functions: { items: fn([route(HttpMethod.GET, '/items')], { entry: fixture('counter.ts') }) },
    });

    const assembly = app.synth();

    expect(esbuild.buildSync).not.toHaveBeenCalled();
    const template = assembly.getStackByName('Test').template;
    const code = Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::Lambda::Function').Properties.Code;
    const staged = path.join(assembly.directory, `asset.${code.S3Key.replace(/\.zip$/, '')}`);
    expect(fs.readFileSync(path.join(staged, 'index.js'), 'utf8')).toContain('synthesized without bundling');
  });
});
