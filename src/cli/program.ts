/** A command line made of a table of commands: dispatch, parsing with node's `util.parseArgs`, help and exit codes. */

import { parseArgs, ParseArgsConfig } from 'util';
import { ArgumentError, ArgumentSpec, Command, CommandIo, OptionSpec, ParsedArguments } from './command';
import { UsageError } from '../assembly/assembly';

export interface Program {
  readonly name: string;
  readonly version: string;
  /** The paragraph under the tool's usage line. */
  readonly description: string;
  readonly commands: readonly Command[];
}

const HELP_FLAGS = ['-h', '--help'];
const VERSION_FLAGS = ['-v', '--version'];

/**
 * Runs one command line and resolves to its exit code: 0 on success, 1 on an error the user can fix (one line on
 * stderr, no stack trace), 2 on arguments the program cannot accept (the reason and the usage on stderr).
 * Any other error is a defect and is thrown with its stack.
 */
export async function runProgram(program: Program, argv: string[], io: CommandIo): Promise<number> {
  try {
    return await dispatch(program, argv, io);
  } catch (e) {
    if (e instanceof ArgumentError) {
      const usage = e.command ? usageLine(program, e.command) : `${program.name} <command> [options]`;
      const more = e.command ? `${program.name} ${e.command.name} --help` : `${program.name} --help`;
      io.err(`${program.name}: ${e.message}\nUsage: ${usage}\nRun \`${more}\` for more.\n`);
      return 2;
    }
    if (e instanceof UsageError) {
      io.err(`${program.name}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

async function dispatch(program: Program, argv: string[], io: CommandIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) throw new ArgumentError(`missing command: ${commandNames(program)}`);
  if (HELP_FLAGS.includes(first)) return print(io, programHelp(program));
  if (VERSION_FLAGS.includes(first)) return print(io, `${program.version}\n`);
  if (first === 'help') {
    if (rest.length === 0) return print(io, programHelp(program));
    return print(io, commandHelp(program, findCommand(program, rest[0])));
  }
  if (first.startsWith('-')) throw new ArgumentError(`unknown option ${first}: options follow the command`);
  const command = findCommand(program, first);
  const beforeSeparator = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
  if (beforeSeparator.some((arg) => HELP_FLAGS.includes(arg))) return print(io, commandHelp(program, command));
  return command.run(parseCommandArguments(command, rest), io);
}

function print(io: CommandIo, text: string): number {
  io.out(text);
  return 0;
}

function findCommand(program: Program, name: string): Command {
  const command = program.commands.find((c) => c.name === name);
  if (!command) throw new ArgumentError(`unknown command ${name}: use one of ${commandNames(program)}`);
  return command;
}

function commandNames(program: Program): string {
  return program.commands.map((c) => c.name).join(', ');
}

/** The command's arguments, checked against its declaration. */
export function parseCommandArguments(command: Command, args: string[]): ParsedArguments {
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, spec] of Object.entries(command.options)) {
    options[name] = { type: spec.type, multiple: spec.multiple ?? false, ...(spec.short ? { short: spec.short } : {}) };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new ArgumentError(parseErrorMessage(e, command), command);
  }
  const extra = parsed.positionals.slice(command.arguments.length);
  if (extra.length > 0) throw new ArgumentError(`unexpected argument ${extra[0]}`, command);
  const missing = command.arguments.find((arg, i) => !arg.optional && parsed.positionals[i] === undefined);
  if (missing) throw new ArgumentError(`missing ${missing.name}`, command);
  const missingOption = Object.entries(command.options).find(
    ([name, spec]) => spec.required && !(name in parsed.values),
  );
  if (missingOption) throw new ArgumentError(`missing ${optionUsage(...missingOption)}`, command);
  return {
    positionals: Object.fromEntries(command.arguments.map((arg, i) => [arg.name, parsed.positionals[i]])),
    options: parsed.values,
  };
}

/** `util.parseArgs` explains itself at length and in its own words; the user gets the option and the fix. */
function parseErrorMessage(e: unknown, command: Command): string {
  const error = e as { code?: string; message?: string };
  const quoted = /'([^']+)'/.exec(error.message ?? '')?.[1] ?? '';
  const option = /--[\w-]+/.exec(quoted)?.[0] ?? quoted.split(/[ ,]/)[0];
  const spec = command.options[option.replace(/^--?/, '')];
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${option}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (spec?.type === 'boolean') return `${option} takes no value`;
      return `${option} needs a value: ${option} ${spec?.value ?? 'VALUE'}`;
    default:
      throw e;
  }
}

function usageLine(program: Program, command: Command): string {
  const args = command.arguments.map((arg: ArgumentSpec) => (arg.optional ? `[${arg.name}]` : arg.name));
  const options = Object.entries(command.options).map(([name, spec]) => {
    const usage = optionUsage(name, spec);
    const once = spec.required ? usage : `[${usage}]`;
    return spec.multiple ? `${once}...` : once;
  });
  return [program.name, command.name, ...args, ...options].join(' ');
}

function optionUsage(name: string, spec: OptionSpec): string {
  return spec.type === 'string' ? `--${name} ${spec.value ?? 'VALUE'}` : `--${name}`;
}

/** Rows of two columns, the first padded to the widest. */
function columns(rows: [string, string][]): string {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`.trimEnd()).join('\n');
}

export function programHelp(program: Program): string {
  return [
    `Usage: ${program.name} <command> [options]`,
    '',
    program.description,
    '',
    'Commands:',
    columns(program.commands.map((c) => [c.name, c.summary])),
    '',
    'Options:',
    columns([
      ['-h, --help', 'show this help'],
      ['-v, --version', `print the version of ${program.name}`],
    ]),
    '',
    `Run \`${program.name} <command> --help\` for a command's arguments and options.`,
    '',
  ].join('\n');
}

export function commandHelp(program: Program, command: Command): string {
  const optionRows: [string, string][] = Object.entries(command.options).map(([name, spec]) => [
    [spec.short ? `-${spec.short}` : undefined, optionUsage(name, spec)].filter(Boolean).join(', '),
    spec.description,
  ]);
  optionRows.push(['-h, --help', 'show this help']);
  const sections = [`Usage: ${usageLine(program, command)}`, '', command.description, ''];
  if (command.arguments.length > 0) {
    sections.push('Arguments:', columns(command.arguments.map((arg) => [arg.name, arg.description])), '');
  }
  sections.push('Options:', columns(optionRows), '');
  return sections.join('\n');
}
