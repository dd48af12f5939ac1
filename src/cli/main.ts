#!/usr/bin/env node
/**
 * `serverless-api`: the command line shipped with cdk-serverless-api. It reads the cloud assembly `cdk synth`
 * wrote for any app that uses ServerlessApi; only `dev` runs code of the app: its handlers from their bundles, and
 * with `--watch` its synth command.
 */

import * as fs from 'fs';
import * as path from 'path';
import { checkCommand } from './check/command';
import { Command, CommandIo } from './command';
import { devCommand } from './dev/command';
import { Program, runProgram } from './program';
import { summaryCommand } from './summary/command';
import { tokenCommand } from './token/command';

/** Every command, in the order the help lists them; a new command is one entry here. */
const COMMANDS: readonly Command[] = [summaryCommand, checkCommand, devCommand, tokenCommand];

const PROGRAM: Program = {
  name: 'serverless-api',
  version: packageVersion(),
  description:
    'Reads the cloud assembly `cdk synth` wrote (cdk.out) for an app that uses ServerlessApi from cdk-serverless-api.',
  commands: COMMANDS,
};

/** Runs the command line with `argv` (without node and the script) and resolves to the exit code. */
export function main(argv: string[], io: Partial<CommandIo> = {}): Promise<number> {
  return runProgram(PROGRAM, argv, {
    out: io.out ?? ((text) => process.stdout.write(text)),
    err: io.err ?? ((text) => process.stderr.write(text)),
    cwd: io.cwd ?? process.cwd(),
  });
}

/** The package's version: package.json sits two folders up from both src/cli and lib/cli. */
function packageVersion(): string {
  try {
    return String(JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf-8')).version);
  } catch {
    return 'unknown';
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
