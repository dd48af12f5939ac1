import { awscdk, javascript } from 'projen';

/** aws-cdk-lib that the library is built and snapshot-tested against (the peer-range floor). */
const CDK_VERSION = '2.257.0';
/** Newest aws-cdk-lib the unit tests also run against, to keep the peer range honest. */
const CDK_COMPAT_VERSION = '2.276.0';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-serverless-api',
  description:
    'AWS CDK L3 constructs for the serverless API pattern done right: API Gateway, Lambda and DynamoDB with least-privilege roles, throttling, bounded logs and alarms.',
  keywords: ['aws-cdk', 'cdk', 'serverless', 'api-gateway', 'lambda', 'dynamodb', 'least-privilege'],
  author: 'cdk-serverless-api contributors',
  authorAddress: 'maintainers@cdk-serverless-api.dev',
  repositoryUrl: 'https://github.com/cdk-serverless-api/cdk-serverless-api.git',
  license: 'Apache-2.0',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,

  // The construct API reaches Python, Java, C# and Go through jsii.
  publishToPypi: { distName: 'cdk-serverless-api', module: 'cdk_serverless_api' },
  publishToMaven: {
    javaPackage: 'io.github.cdkserverlessapi',
    mavenGroupId: 'io.github.cdk-serverless-api',
    mavenArtifactId: 'cdk-serverless-api',
  },
  publishToNuget: { dotNetNamespace: 'CdkServerlessApi', packageId: 'CdkServerlessApi' },
  publishToGo: { moduleName: 'github.com/cdk-serverless-api/cdk-serverless-api-go' },

  cdkVersion: CDK_VERSION,
  constructsVersion: '10.5.1',
  jsiiVersion: '~6.0.16',
  // Integration tests live in integ/ and run through integ-runner, not projen's own integ tasks.
  integrationTestAutoDiscover: false,

  prettier: true,
  prettierOptions: {
    settings: { singleQuote: true, printWidth: 120, trailingComma: javascript.TrailingComma.ALL },
  },
  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'integ', 'bench', '.projenrc.ts'],
    tsconfigPath: './tsconfig.dev.json',
  },
  tsconfigDevFile: 'tsconfig.dev.json',
  tsconfigDev: {
    include: ['integ/**/*.ts', '.projenrc.ts'],
    exclude: ['.compat', 'cdk.out', '.jsii-check', '**/*.snapshot'],
    compilerOptions: {},
  },

  jestOptions: {
    // Snapshots are compared, never silently rewritten: `npx jest -u` updates them on purpose.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      // Unit tests synthesize without bundling; the bundling suites ask for it.
      setupFiles: ['<rootDir>/test/helpers/jest-setup.ts'],
      // Coverage of the library's own sources only, instrumented as they are transformed: V8's coverage instead counts
      // every function of every module a test runs (aws-cdk-lib, the AWS SDK, the bundles the local API loads), which
      // made the suite take nearly three times as long as without coverage.
      collectCoverageFrom: ['src/**/*.ts'],
      coverageProvider: 'babel',
      // Coverage is a report with no threshold, not a check, and instrumenting costs CPU in every test file and a report
      // over every source file at the end: `npx projen test:coverage` writes it; `test` and CI run without it.
      collectCoverage: false,
      // Template gate: every template a test synthesizes passes CloudFormation's own validation. The environment
      // keeps the validation engine loaded across the test files of a worker.
      testEnvironment: '<rootDir>/test/helpers/conformance/environment.ts',
      setupFilesAfterEnv: ['<rootDir>/test/helpers/conformance/gate.ts'],
      // One worker per core: jest's default leaves one core of two idle.
      maxWorkers: '100%',
    },
  },

  devDeps: [
    '@aws-cdk/integ-tests-alpha@2.245.0-alpha.0',
    '@aws-cdk/integ-runner@2.197.10',
    'aws-cdk@2.1148.1',
    'cdk-nag@3.0.2',
    'esbuild@0.28.2',
    '@types/aws-lambda@^8.10.0',
    '@aws-sdk/client-dynamodb@^3.1100.0',
    '@aws-sdk/lib-dynamodb@^3.1100.0',
    '@aws-sdk/util-dynamodb@^3.996.0',
    // Test-only: the SDK's own retry strategy without its backoff delay, so fault tests do not wait on the clock.
    '@smithy/core@^3.41.0',
    // Offline IAM policy evaluator that proves the roles' least privilege. AGPL-3.0: tests only, never shipped.
    '@cloud-copilot/iam-simulate@0.1.173',
    // Test-only: schemas in the example handlers (any Standard Schema validator works with the runtime toolkit),
    // property-based bad-input tests, and the idempotency utility the benchmark compares against.
    'zod@^4.6.0',
    'fast-check@^4.10.0',
    '@aws-lambda-powertools/idempotency@2.35.0',
    // What the Lambda runtime provides and the toolkit calls: STS for caller-scoped credentials, Secrets Manager
    // for secrets read at run time, ...
    '@aws-sdk/client-sts@^3.1100.0',
    '@aws-sdk/client-secrets-manager@^3.1100.0',
    // ... SQS and EventBridge for `enqueue()` and `publish()` from senders and workers.
    '@aws-sdk/client-sqs@^3.1100.0',
    '@aws-sdk/client-eventbridge@^3.1100.0',
    // Template conformance gate of the tests: CloudFormation's resource-schema validator (the engine aws-cdk-lib
    // 2.262+ bundles) and AWS Control Tower's proactive-control guard rules.
    '@aws/cloudformation-validate@1.9.0-beta',
    '@cdklabs/cdk-validator-cfnguard@0.0.62',
    // The test environment of the gate extends jest's own Node environment (the version jest itself uses).
    'jest-environment-node@^30.5.2',
  ],
  // The runtime toolkit logs through Powertools for AWS Lambda, and reads secrets through its Parameters utility
  // (fetch and cache: about 5 KB of a minified handler bundle). jsii accepts only jsii modules as dependencies, so
  // they ship bundled; handler bundles include them only when they import the toolkit.
  //
  // The local API (`cdk-serverless-api/testing` and the `serverless-api` command) ships bundled too, and is loaded
  // only by those entry points, never by synth or by handlers:
  // - dynalite (Apache-2.0): DynamoDB's wire protocol in Node, in memory or on disk, with no Java and no Docker;
  // - jose 5 (MIT): signs and verifies the local JWTs; 5.x keeps a CommonJS build, which jest can require;
  // - ajv with its draft-04 dialect (MIT): REST request models are JSON Schema draft 4, checked as API Gateway does.
  bundledDeps: [
    '@aws-lambda-powertools/logger@2.35.0',
    '@aws-lambda-powertools/parameters@2.35.0',
    'dynalite@4.0.0',
    'jose@5.10.0',
    'ajv@^8.20.0',
    'ajv-draft-04@^1.0.0',
  ],
});

// The command line for a user's own app: summary, cdk-nag check, the local API and dev tokens.
project.addBins({ 'serverless-api': 'lib/cli/main.js' });

// The registry mirror lacks some optional platform packages of unrs-resolver 1.13 (an eslint
// dependency), which breaks `npm ci` on a clean clone.
project.package.addField('overrides', { 'unrs-resolver': '1.12.2' });

// The runtime toolkit is a subpath of the package, for handlers, outside the jsii construct API.
project.package.addField('exports', {
  '.': { types: './lib/index.d.ts', default: './lib/index.js' },
  './runtime': { types: './lib/runtime/index.d.ts', default: './lib/runtime/index.js' },
  './testing': { types: './lib/testing/index.d.ts', default: './lib/testing/index.js' },
  './package.json': './package.json',
  './.jsii': './.jsii',
});
// TypeScript's older `node` module resolution ignores `exports`: point it at the toolkit's types too.
project.package.addField('typesVersions', {
  '*': { runtime: ['lib/runtime/index.d.ts'], testing: ['lib/testing/index.d.ts'] },
});

// Lint src/, test/ and integ/ against tsconfig.dev.json: the project service would pick the nearest
// tsconfig.json, which covers src/ only.
const eslintrc = project.tryFindObjectFile('.eslintrc.json');
eslintrc?.addDeletionOverride('parserOptions.projectService');
eslintrc?.addOverride('parserOptions.project', './tsconfig.dev.json');

const quietEnv = {
  JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '20',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};
for (const [name, value] of Object.entries(quietEnv)) project.tasks.addEnvironment(name, value);

// Main job: synthesize the task-board example app (no AWS account), print what it defines, run it locally and print
// a short session against it.
project.addTask('example', {
  description: 'Synthesize the task-board example, print its summary, run it locally and print a session against it',
  env: { CDK_VALIDATION: 'false', TS_NODE_TRANSPILE_ONLY: '1' },
  steps: [
    { exec: 'rm -rf cdk.out/example cdk.out/example-local' },
    { exec: 'ts-node --project tsconfig.dev.json integ/task-board/app.ts' },
    { exec: 'ts-node --project tsconfig.dev.json src/cli/main.ts summary cdk.out/example' },
    { exec: 'ts-node --project tsconfig.dev.json integ/task-board/local/session.ts' },
  ],
});
project.addTask('dev', {
  description: 'Run the task-board example locally until stopped (Ctrl-C), as `serverless-api dev` runs a user app',
  env: { CDK_VALIDATION: 'false', TS_NODE_TRANSPILE_ONLY: '1' },
  steps: [
    { exec: 'rm -rf cdk.out/example' },
    { exec: 'ts-node --project tsconfig.dev.json integ/task-board/app.ts' },
    { exec: 'ts-node --project tsconfig.dev.json src/cli/main.ts dev cdk.out/example', receiveArgs: true },
  ],
});

// The coverage report of the unit tests (coverage/): `test` and CI run without it.
project.addTask('test:coverage', {
  description: 'Run the unit tests with the coverage report (coverage/lcov-report/index.html)',
  steps: [{ exec: 'jest --passWithNoTests --ci --coverage', receiveArgs: true }],
});

// Integ snapshots are verified without deploying and without credentials.
project.addTask('integ', {
  description: 'Verify the committed integ snapshots in integ/ (no deploy, no credentials)',
  env: { TS_NODE_TRANSPILE_ONLY: '1', JSII_DEPRECATED: 'quiet' },
  steps: [{ exec: 'integ-runner --directory integ --language typescript --parallel-regions us-east-1' }],
});
project.addTask('integ:update', {
  description: 'Rewrite the integ snapshots after an intended change (no deploy)',
  env: { TS_NODE_TRANSPILE_ONLY: '1', JSII_DEPRECATED: 'quiet' },
  steps: [
    {
      exec: 'integ-runner --directory integ --language typescript --parallel-regions us-east-1 --update-on-failed --dry-run',
    },
  ],
});

// The peer range promises the newest aws-cdk-lib works: run the construct suites against it too, from a
// side install so node_modules and package-lock.json stay untouched. The runtime toolkit's suites run once:
// test/runtime never loads aws-cdk-lib, and test/example tests the example's handlers, reading from the synthesized
// stack only the table schema and environments that the construct suites check under both versions. So do the local
// API's parts that work on a model, never on a template, and the commands that only start it; the reader, `summary`,
// `check` and the test kit read what aws-cdk-lib synthesizes, and run under both.
// Nor do the suites that never load aws-cdk-lib (the IAM harness's own tests, the tarball, the bundle cache, the template
// resolver on hand-written templates, the acknowledgement matcher, the nested-template merge, the cost calculator on a
// model, and the cost estimate of the committed task-board snapshot): their code is the same under both versions.
// The REST scale suites (1,000 routes, methods and path resources placed in nested stacks) run once too: where each
// method and path goes is this library's arithmetic, and aws-cdk-lib's part, nested stacks and their parameters, runs
// under both versions in the nested cases of the HTTP scale suite, cdk-nag, the conformance gate, the IAM evaluation
// and the reader.
const compatDir = '.compat';
const compat = project.addTask('test:compat', {
  description: `Run the construct suites against aws-cdk-lib ${CDK_COMPAT_VERSION}`,
  steps: [
    {
      exec: `test -f ${compatDir}/node_modules/aws-cdk-lib/package.json && grep -q '"version": "${CDK_COMPAT_VERSION}"' ${compatDir}/node_modules/aws-cdk-lib/package.json || npm install --prefix ${compatDir} --no-save --no-package-lock --no-audit --no-fund --legacy-peer-deps aws-cdk-lib@${CDK_COMPAT_VERSION}`,
    },
    {
      exec: `jest --ci --coverage=false --testPathIgnorePatterns snapshot /test/runtime/ /test/example/ '/test/local/(?!reader/)' '/test/cli/(dev|dev-watch|dev-workers|token|program)\\.test\\.ts$' /test/helpers/ '/test/package\\.test\\.ts$' '/test/functions/bundling/bundle-cache\\.test\\.ts$' '/test/local/reader/resolve\\.test\\.ts$' '/test/cli/check/acknowledgements\\.test\\.ts$' '/test/assembly/nested\\.test\\.ts$' '/test/cli/summary/cost/(pricing-examples|usage|command)\\.test\\.ts$' '/test/functions/rest-(path|function)-stacks\\.test\\.ts$' --moduleNameMapper '{"^aws-cdk-lib$": "<rootDir>/${compatDir}/node_modules/aws-cdk-lib", "^aws-cdk-lib/(.*)$": "<rootDir>/${compatDir}/node_modules/aws-cdk-lib/$1"}'`,
    },
  ],
});
// Benchmarks are scripts that print figures, never timed tests (see bench/synth/README.md and bench/runtime/README.md).
const bench = project.addTask('bench', {
  description: 'Benchmark synth against hand-written stacks at 10/100/200 routes, then the local API (prints figures)',
  env: { JSII_DEPRECATED: 'quiet', CDK_VALIDATION: 'false' },
});
bench.spawn(project.compileTask);
bench.exec('ts-node --transpile-only --project tsconfig.dev.json bench/synth/run.ts', { receiveArgs: true });
// The local API's figures: its overhead over calling the handler, `serverless-api dev` from start to first answer (run
// as the package ships it, so compiled first) and 200 concurrent requests. `npx projen bench` ends with them too.
const benchLocal = project.addTask('bench:local', {
  description: 'Benchmark the local API: overhead over the handler, dev start to first answer, 200 concurrent requests',
  env: { CDK_VALIDATION: 'false' },
});
benchLocal.spawn(project.compileTask);
benchLocal.exec('ts-node --transpile-only --project tsconfig.dev.json bench/local/run.ts');
benchLocal.exec('ts-node --transpile-only --project tsconfig.dev.json bench/local/dev-start.ts');
// Caller-bound patterns: unbound vs warm session cache vs a caller's first request (AssumeRole).
benchLocal.exec('ts-node --transpile-only --project tsconfig.dev.json bench/local/caller-sessions.ts');
bench.exec('ts-node --transpile-only --project tsconfig.dev.json bench/local/run.ts');
bench.exec('ts-node --transpile-only --project tsconfig.dev.json bench/local/dev-start.ts');
bench.exec('ts-node --transpile-only --project tsconfig.dev.json bench/local/caller-sessions.ts');
// Template conformance figures of the apps the guard gate checks (test/conformance/): schema errors and warnings, and the
// Control Tower guard rules applicable, passed, failed and acknowledged, per app.
project.addTask('conformance', {
  description:
    'Print the template conformance figures: CloudFormation validation and Control Tower guard rules per app',
  steps: [{ exec: 'ts-node --transpile-only --project tsconfig.dev.json bench/conformance/run.ts' }],
});
project.addTask('bench:runtime', {
  description: 'Benchmark the runtime toolkit: wrapper overhead, bundle size and cold start (prints figures)',
  env: { JSII_DEPRECATED: 'quiet' },
  steps: [{ exec: 'ts-node --transpile-only --project tsconfig.dev.json bench/runtime/run.ts', receiveArgs: true }],
});

project.gitignore.exclude(`/${compatDir}/`, '/cdk.out/', '/.scratch/', '/.jsii-check/');
// The tarball lists what it ships rather than what it leaves out, so no build leftover (cdk.out/, .ci/, a local
// scratch folder) can slip in. The TypeScript sources ship too: the compiled files' source maps point at them, so a
// stack trace through the runtime toolkit (handlers bundle it with source maps) names a file the package holds.
project.package.addField('files', ['lib/**/*.js', 'lib/**/*.d.ts', 'src/**/*.ts', '.jsii', 'API.md']);
project.npmignore?.exclude(`/${compatDir}/`, '/integ/', '/bench/');

// Everything CI checks, in one task: the build's steps (projen synth, jsii compile, API.md, unit tests, eslint,
// package), the other languages' bindings, the type check of tests and integ apps, integ snapshot verification, the
// compatibility run, and no tracked file left changed. The build's single-threaded steps (eslint, jsii-pacmak) run side
// by side with the type check and integ-runner (.ci/parallel): one after another, each left one core of two idle.
// Jest, on both cores, runs alone.
const ci = project.addTask('ci', {
  description: 'Everything CI runs: build, unit tests, eslint, integ snapshots, newest aws-cdk-lib, no drift',
  // Packages JavaScript only (the other languages' toolchains need registries this project cannot reach);
  // their generated code is still checked below.
  env: { CI: 'true' },
});
// CI runs the build's steps one by one: a step added to the build must be added here too.
const stepOf = (step: { spawn?: string; exec?: string; execArgs?: string[] }) =>
  step.spawn ?? step.exec ?? step.execArgs?.join(' ');
const buildSteps = project.buildTask.steps.map(stepOf);
const testSteps = project.testTask.steps.map(stepOf);
const expected = {
  build: ['default', 'pre-compile', 'compile', 'post-compile', 'test', 'package'],
  test: ['jest --passWithNoTests --ci', 'eslint'],
};
if (JSON.stringify([buildSteps, testSteps]) !== JSON.stringify([expected.build, expected.test])) {
  throw new Error(
    `the ci task runs the build's steps ${JSON.stringify(expected)}; the build now has ${JSON.stringify({ build: buildSteps, test: testSteps })}: update the ci task`,
  );
}
for (const name of ['default', 'pre-compile', 'compile', 'post-compile']) ci.spawn(project.tasks.tryFind(name)!);
ci.exec('jest --passWithNoTests --ci', { name: "unit tests: the test task's jest (its eslint runs below)" });
ci.exec(
  [
    '.ci/parallel',
    `'projen package && rm -rf .jsii-check && jsii-pacmak --code-only -t python -t java -t dotnet -t go -o .jsii-check && rm -rf .jsii-check'`,
    `'projen eslint'`,
    `'tsc --noEmit -p tsconfig.dev.json'`,
    `'projen integ'`,
  ].join(' '),
  {
    name:
      'side by side: package, then generate the Python, Java, C# and Go bindings to prove the API is valid in each; ' +
      'eslint; type-check tests, integ apps and the example; integ snapshots',
  },
);
ci.spawn(compat);
ci.exec('git diff --exit-code --stat && ! git status --porcelain | grep .', {
  name: 'fail when the build left a tracked file changed or an untracked file behind',
});

project.synth();
