/**
 * What a command of the `serverless-api` command line declares. Its usage line, its help and its parser all come
 * from this one declaration, so they cannot disagree.
 */

/** Where a command writes and which folder relative paths start from; tests capture both. */
export interface CommandIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly cwd: string;
}

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  /** A one-letter alias, without the dash. */
  readonly short?: string;
  /** The value's name in the usage line, for a string option (`--stack NAME`). */
  readonly value?: string;
  /** The option may be repeated; its value is then a list. */
  readonly multiple?: boolean;
  readonly required?: boolean;
  /** One line for the help, default included. */
  readonly description: string;
}

export interface ArgumentSpec {
  readonly name: string;
  readonly optional?: boolean;
  readonly description: string;
}

/** The arguments of one run, checked against the command's declaration. */
export interface ParsedArguments {
  readonly positionals: { readonly [name: string]: string | undefined };
  readonly options: { readonly [name: string]: string | boolean | (string | boolean)[] | undefined };
}

export interface Command {
  readonly name: string;
  /** One line for the tool's list of commands. */
  readonly summary: string;
  /** The paragraphs of the command's help, after its usage line. */
  readonly description: string;
  readonly arguments: readonly ArgumentSpec[];
  readonly options: { readonly [name: string]: OptionSpec };
  /** Runs the command and resolves to its exit code; a `UsageError` is reported as one line, exit code 1. */
  run(args: ParsedArguments, io: CommandIo): Promise<number>;
}

/** Arguments the command line cannot accept: reported with the usage, exit code 2. */
export class ArgumentError extends Error {
  constructor(
    message: string,
    /** The command whose usage to show; the tool's without one. */
    readonly command?: Command,
  ) {
    super(message);
  }
}

/** A string option's value; a repeated option keeps its last value, as most command lines do. */
export function stringOption(args: ParsedArguments, name: string): string | undefined {
  const value = args.options[name];
  const last = Array.isArray(value) ? value[value.length - 1] : value;
  return typeof last === 'string' ? last : undefined;
}

/** Every value of a repeatable string option, in the order given. */
export function listOption(args: ParsedArguments, name: string): string[] {
  const value = args.options[name];
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
}

export function booleanOption(args: ParsedArguments, name: string): boolean {
  return args.options[name] === true;
}
