/** Arguments every command that reads a cloud assembly takes, declared once so they read the same everywhere. */

import * as fs from 'fs';
import * as path from 'path';
import { ArgumentSpec, CommandIo, OptionSpec, ParsedArguments } from './command';
import { StackArtifact, UsageError } from '../assembly/assembly';
import { selectStacks } from '../assembly/select';

export const DEFAULT_ASSEMBLY_DIR = 'cdk.out';

export const ASSEMBLY_DIR_ARGUMENT: ArgumentSpec = {
  name: 'ASSEMBLY_DIR',
  optional: true,
  description: `the cloud assembly \`cdk synth\` wrote (default: ${DEFAULT_ASSEMBLY_DIR} in the working directory)`,
};

/** The name `STACK_OPTION` is declared under. */
export const STACK_OPTION_NAME = 'stack';

export const STACK_OPTION: OptionSpec = {
  type: 'string',
  value: 'NAME',
  description: 'only this stack: its name as cdk lists it (Stage/Stack in a Stage) or its artifact id',
};

const SYNTH_FIRST = 'run `cdk synth` first, or pass the folder it writes to (cdk.out by default)';

/**
 * The cloud assembly folder the arguments name, from the working directory. The first thing a new user meets is a
 * missing cdk.out, so that case says what to run.
 */
export function assemblyDirOf(args: ParsedArguments, io: CommandIo): string {
  const dir = path.resolve(io.cwd, args.positionals[ASSEMBLY_DIR_ARGUMENT.name] ?? DEFAULT_ASSEMBLY_DIR);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new UsageError(`cloud assembly folder not found: ${dir}: ${SYNTH_FIRST}`);
  }
  if (!fs.existsSync(path.join(dir, 'manifest.json'))) {
    throw new UsageError(`no cloud assembly in ${dir} (it has no manifest.json): ${SYNTH_FIRST}`);
  }
  return dir;
}

/** The stacks the arguments select (`ASSEMBLY_DIR`, `--stack`); a file synth left cut short is reported, not thrown. */
export function selectedStacks(args: ParsedArguments, io: CommandIo): { assemblyDir: string; stacks: StackArtifact[] } {
  const assemblyDir = assemblyDirOf(args, io);
  const name = args.options[STACK_OPTION_NAME];
  try {
    return { assemblyDir, stacks: selectStacks(assemblyDir, typeof name === 'string' ? name : undefined) };
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    throw new UsageError(`cannot read the cloud assembly in ${assemblyDir} (${e.message}): run \`cdk synth\` again`);
  }
}
