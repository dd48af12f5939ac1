/**
 * An access-log line as API Gateway writes it: the stage's format with each `$context` variable replaced by its
 * value, and `-` for a value the request does not have.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging-variables.html
 */
import type { GatewayResult } from '../contracts';

const VARIABLE = /\$context\.([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)/g;

function valueOf(context: GatewayResult['context'], name: string): string {
  const value = context[name];
  return value === undefined || value === '' ? '-' : String(value);
}

/** The characters JSON escapes inside a string, without the surrounding quotes. */
function jsonEscaped(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

/**
 * Which offsets of a JSON format lie inside a string literal: a value written there is escaped, so that a user agent
 * with a quote in it keeps the line valid JSON.
 */
function stringRanges(format: string): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  let start = -1;
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    if (start >= 0 && c === '\\') {
      i++;
    } else if (c === '"') {
      if (start < 0) {
        start = i;
      } else {
        ranges.push([start, i]);
        start = -1;
      }
    }
  }
  return ranges;
}

/** The string literals of the format last used: a server formats every line with the same one. */
let lastFormat: { readonly format: string; readonly strings: Array<[number, number]> } | undefined;

/** `format` with every `$context.a.b` variable replaced by `context['a.b']`. */
export function formatAccessLog(format: string, context: GatewayResult['context']): string {
  if (lastFormat?.format !== format) {
    lastFormat = { format, strings: format.trimStart().startsWith('{') ? stringRanges(format) : [] };
  }
  const strings = lastFormat.strings;
  return format.replace(VARIABLE, (_variable, name: string, offset: number) => {
    const value = valueOf(context, name);
    const inString = strings.some(([start, end]) => offset > start && offset < end);
    return inString ? jsonEscaped(value) : value;
  });
}
