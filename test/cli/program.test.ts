import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { removeTempDirs, ROOT, runCli, TASK_BOARD_SNAPSHOT, tempDir } from './run';
import { UsageError } from '../../src/assembly/assembly';
import { Command, CommandIo, listOption, stringOption } from '../../src/cli/command';
import { Program, runProgram } from '../../src/cli/program';

afterAll(removeTempDirs);

const VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf-8')) as { version: string }).version;

describe('serverless-api (the shipped command table)', () => {
  test('--help lists every command and exits 0', async () => {
    const { code, out, err } = await runCli(['--help']);
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(out).toMatch(/^Usage: serverless-api <command> \[options\]\n/);
    expect(out).toContain('\nCommands:\n  summary  print the routes');
    expect(out).toContain('\n  check    run cdk-nag');
    expect(out).toContain("\n  dev      run the stack's API locally");
    expect(out).toContain('\n  token    print a dev token');
    expect(out).toContain("Run `serverless-api <command> --help` for a command's arguments and options.");
  });

  test.each([
    ['summary', SUMMARY_USAGE()],
    ['check', 'serverless-api check [ASSEMBLY_DIR] [--stack NAME] [--json]'],
  ])('%s --help prints its usage, arguments and options, and exits 0', async (name, usage) => {
    const { code, out, err } = await runCli([name, '--help']);
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(out).toMatch(new RegExp(`^Usage: ${usage.replace(/[[\]]/g, '\\$&')}\n`));
    expect(out).toContain('\nArguments:\n  ASSEMBLY_DIR  the cloud assembly `cdk synth` wrote (default: cdk.out');
    expect(out).toMatch(/\n {2}--stack NAME +only this stack/);
    expect(out).toMatch(/\n {2}-h, --help +show this help\n/);
  });

  test('help COMMAND prints the same help as COMMAND --help', async () => {
    expect(await runCli(['help', 'check'])).toEqual(await runCli(['check', '-h']));
  });

  test('--version prints the package version', async () => {
    expect(await runCli(['--version'])).toEqual({ code: 0, out: `${VERSION}\n`, err: '' });
  });

  test.each([
    [[], 'missing command: summary, check, dev, token', 'serverless-api <command> [options]', 'serverless-api --help'],
    [
      ['sumary'],
      'unknown command sumary: use one of summary, check, dev, token',
      'serverless-api <command> [options]',
      'serverless-api --help',
    ],
    [
      ['--json', 'summary'],
      'unknown option --json: options follow the command',
      'serverless-api <command> [options]',
      'serverless-api --help',
    ],
    [['summary', '--yaml'], 'unknown option --yaml', SUMMARY_USAGE(), 'serverless-api summary --help'],
    [['summary', '-x'], 'unknown option -x', SUMMARY_USAGE(), 'serverless-api summary --help'],
    [['summary', '--stack'], '--stack needs a value: --stack NAME', SUMMARY_USAGE(), 'serverless-api summary --help'],
    [
      ['summary', '--stack', '--json'],
      '--stack needs a value: --stack NAME',
      SUMMARY_USAGE(),
      'serverless-api summary --help',
    ],
    [['summary', '--json=yes'], '--json takes no value', SUMMARY_USAGE(), 'serverless-api summary --help'],
    [
      ['check', 'cdk.out', 'more'],
      'unexpected argument more',
      'serverless-api check [ASSEMBLY_DIR] [--stack NAME] [--json]',
      'serverless-api check --help',
    ],
  ])('%j: says why, prints the usage on stderr and exits 2', async (args, reason, usage, more) => {
    expect(await runCli(args)).toEqual({
      code: 2,
      out: '',
      err: `serverless-api: ${reason}\nUsage: ${usage}\nRun \`${more}\` for more.\n`,
    });
  });

  test('--help after -- is an argument, not a request for help', async () => {
    const { code, err } = await runCli(['summary', '--', '--help'], tempDir('dashdash'));
    expect(code).toBe(1);
    expect(err).toMatch(/^serverless-api: cloud assembly folder not found: .*--help: /);
  });
});

function SUMMARY_USAGE() {
  return 'serverless-api summary [ASSEMBLY_DIR] [--stack NAME] [--json] [--traffic FILE] [--requests N] [--prices FILE] [--region REGION] [--free-tier]';
}

describe('a command table', () => {
  let received: { positionals: unknown; scope: string[]; sub?: string } | undefined;
  const token: Command = {
    name: 'token',
    summary: 'sign a token',
    description: 'Signs a token.',
    arguments: [{ name: 'AUDIENCE', description: 'who reads it' }],
    options: {
      sub: { type: 'string', value: 'ID', required: true, description: 'the subject' },
      scope: { type: 'string', short: 's', value: 'S', multiple: true, description: 'a scope, repeatable' },
    },
    async run(args) {
      received = { positionals: args.positionals, scope: listOption(args, 'scope'), sub: stringOption(args, 'sub') };
      if (received.sub === 'nobody') throw new UsageError('--sub nobody is reserved: pick another subject');
      if (received.sub === 'defect') throw new TypeError('a defect');
      return 0;
    },
  };
  const program: Program = { name: 'tool', version: '1.2.3', description: 'A tool.', commands: [token] };
  const run = async (...argv: string[]) => {
    let out = '';
    let err = '';
    const io: CommandIo = { out: (text) => (out += text), err: (text) => (err += text), cwd: ROOT };
    const code = await runProgram(program, argv, io);
    return { code, out, err };
  };
  beforeEach(() => (received = undefined));

  test('a new command is one entry: its usage line comes from its declaration', async () => {
    const { out } = await run('token', '--help');
    expect(out).toBe(
      [
        'Usage: tool token AUDIENCE --sub ID [--scope S]...',
        '',
        'Signs a token.',
        '',
        'Arguments:',
        '  AUDIENCE  who reads it',
        '',
        'Options:',
        '  --sub ID       the subject',
        '  -s, --scope S  a scope, repeatable',
        '  -h, --help     show this help',
        '',
      ].join('\n'),
    );
  });

  test('repeated options arrive as a list, positionals by name', async () => {
    expect(await run('token', 'web', '--sub', 'u1', '-s', 'read', '--scope', 'write')).toEqual({
      code: 0,
      out: '',
      err: '',
    });
    expect(received).toEqual({ positionals: { AUDIENCE: 'web' }, scope: ['read', 'write'], sub: 'u1' });
  });

  test.each([
    [['token', '--sub', 'u1'], 'missing AUDIENCE'],
    [['token', 'web'], 'missing --sub ID'],
  ])('%j: a missing required argument or option is a usage error (exit 2)', async (argv, reason) => {
    const { code, err } = await run(...argv);
    expect(code).toBe(2);
    expect(err).toBe(
      `tool: ${reason}\nUsage: tool token AUDIENCE --sub ID [--scope S]...\nRun \`tool token --help\` for more.\n`,
    );
    expect(received).toBeUndefined();
  });

  test('an error the user can fix is one line on stderr without a stack trace, exit 1', async () => {
    expect(await run('token', 'web', '--sub', 'nobody')).toEqual({
      code: 1,
      out: '',
      err: 'tool: --sub nobody is reserved: pick another subject\n',
    });
  });

  test('any other error is a defect and keeps its stack', async () => {
    await expect(run('token', 'web', '--sub', 'defect')).rejects.toThrow(new TypeError('a defect'));
  });
});

describe('the bin', () => {
  // lib/ exists only after jsii compiles; the TypeScript entry through ts-node runs the same file, shebang included.
  const bin = (...args: string[]) =>
    spawnSync(
      process.execPath,
      ['-r', require.resolve('ts-node/register/transpile-only'), path.join(ROOT, 'src', 'cli', 'main.ts'), ...args],
      {
        cwd: tempDir('bin'),
        encoding: 'utf-8',
        env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.dev.json') },
      },
    );

  test('sets the exit code and prints a fixable error as one line', () => {
    const failed = bin('summary');
    expect(failed.stderr).toMatch(/^serverless-api: cloud assembly folder not found: .*\n$/);
    expect(failed.status).toBe(1);
    const succeeded = bin('summary', TASK_BOARD_SNAPSHOT, '--json');
    expect(succeeded.stderr).toBe('');
    expect(succeeded.status).toBe(0);
    expect((JSON.parse(succeeded.stdout) as { stackName: string }[]).map((s) => s.stackName)).toEqual([
      'TaskBoardIntegStack',
    ]);
  });
});
