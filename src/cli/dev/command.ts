/** `serverless-api dev`: the stack's API running locally until Ctrl-C. */

import { DEFAULT_DEV_HOST, DEFAULT_DEV_PORT, startDev } from './dev-server';
import { ArgumentError, booleanOption, Command, listOption, ParsedArguments, stringOption } from '../command';
import { ASSEMBLY_DIR_ARGUMENT, assemblyDirOf, STACK_OPTION, STACK_OPTION_NAME } from '../common-arguments';
import { assignments } from '../token/assignments';

const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

export const devCommand: Command = {
  name: 'dev',
  summary: "run the stack's API locally: gateway, authorizers, functions, DynamoDB, queues and workers, offline",
  description: [
    "Runs the stack's API on this machine until Ctrl-C: the gateway of its type (HTTP or REST) with its routes,",
    'authorizers, throttling and CORS, each function from its bundle in the cloud assembly with the environment the',
    'template gives it, and the table in an embedded DynamoDB that holds each function to its role. Prints the URL,',
    'the routes and how to get a token (`serverless-api token`), then the logs of the functions, the gateway, the',
    'access log and DynamoDB, one line each.',
    '',
    "The stack's SQS queues, EventBridge rules and table streams run too: Lambda's pollers hand batches to their",
    'workers, rules invoke their targets asynchronously with retries, and each worker invocation is logged as a',
    '[worker] line (worker, source, items, outcome, failures, what happens next).',
    '',
    "With --watch, a change to the project's sources runs the app's synth (cdk.json's \"app\", as `cdk synth` runs",
    'it, honouring cdk.json\'s "watch" include and exclude globs) and reloads on the same port; the table keeps its',
    'items unless its keys or indexes changed. A failed synth keeps the last good version serving. The assembly is',
    'ASSEMBLY_DIR, else cdk.json\'s "output", else cdk.out; when it has no manifest yet, the app is synthesized first.',
  ].join('\n'),
  arguments: [ASSEMBLY_DIR_ARGUMENT],
  options: {
    [STACK_OPTION_NAME]: STACK_OPTION,
    port: {
      type: 'string',
      value: 'PORT',
      description: `the port to listen on (default: ${DEFAULT_DEV_PORT}; 0 picks a free one)`,
    },
    host: {
      type: 'string',
      value: 'HOST',
      description: `the address to listen on (default: ${DEFAULT_DEV_HOST}, this machine only)`,
    },
    data: {
      type: 'string',
      value: 'DIR',
      description: "keep the table's items in this folder across runs (default: in memory)",
    },
    secret: {
      type: 'string',
      value: 'NAME=VALUE',
      multiple: true,
      description: 'the value of a secret the functions read (by logical id or name; repeat for more)',
    },
    watch: {
      type: 'boolean',
      description: "re-run the app's synth when sources change, and reload",
    },
  },
  async run(args, io) {
    const watch = booleanOption(args, 'watch');
    const given = args.positionals[ASSEMBLY_DIR_ARGUMENT.name];
    const server = await startDev({
      cwd: io.cwd,
      // With --watch the assembly may not exist yet (the first synth writes it), and cdk.json may move it.
      assemblyDir: watch ? given : assemblyDirOf(args, io),
      stack: stringOption(args, STACK_OPTION_NAME),
      port: portOf(args),
      host: stringOption(args, 'host'),
      dataDir: stringOption(args, 'data'),
      secrets: Object.fromEntries(assignments('secret', listOption(args, 'secret'), devCommand)),
      watch,
      selection: selectionOf(args),
      write: io.out,
    });
    const signal = await nextSignal();
    io.out(`[dev] ${signal}: stopping\n`);
    await server.stop();
    return 0;
  },
};

function portOf(args: ParsedArguments): number | undefined {
  const text = stringOption(args, 'port');
  if (text === undefined) return undefined;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) {
    throw new ArgumentError(`--port must be a whole number from 0 to 65535, got: ${JSON.stringify(text)}`, devCommand);
  }
  return port;
}

/** The arguments a token command needs to read the same stack. */
function selectionOf(args: ParsedArguments): string[] {
  const given = args.positionals[ASSEMBLY_DIR_ARGUMENT.name];
  const stack = stringOption(args, STACK_OPTION_NAME);
  return [...(given ? [given] : []), ...(stack ? ['--stack', stack] : [])];
}

/** Resolves with the first stop signal; the process no longer ends on it by itself. */
function nextSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      STOP_SIGNALS.forEach((s) => process.off(s, on));
      resolve(signal);
    };
    STOP_SIGNALS.forEach((s) => process.on(s, on));
  });
}
