/**
 * What a rule's target receives: the whole event, or a constant (`Input`), a part of the event (`InputPath`), or a
 * text built from parts of it (`InputTransformer`): `<name>` placeholders take the values `InputPathsMap` picks,
 * inserted as JSON outside quotes and as raw text inside them.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html
 */
import type { LocalRuleModel, LocalRuleTargetModel } from '../workers-model';

/** The value at a JSONPath of the simple form EventBridge takes (`$.detail.items[0].sku`); undefined when absent. */
export function valueAtPath(document: unknown, path: string): unknown {
  if (path === '$') return document;
  const steps = path
    .replace(/^\$\.?/, '')
    .replace(/\[(\d+)\]/g, '.$1')
    .replace(/\['([^']*)'\]/g, '.$1')
    .split('.')
    .filter((step) => step !== '');
  let value: unknown = document;
  for (const step of steps) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as { [key: string]: unknown })[step];
  }
  return value;
}

function predefined(rule: LocalRuleModel, event: unknown, ingestion: string): { [name: string]: unknown } {
  return {
    'aws.events.rule-arn': rule.arn,
    'aws.events.rule-name': rule.ruleName,
    'aws.events.event.ingestion-time': ingestion,
    'aws.events.event': event,
    'aws.events.event.json': event,
  };
}

/** The template with each placeholder replaced; the text is JSON when it parses as JSON, else a string. */
function transform(target: LocalRuleTargetModel, rule: LocalRuleModel, event: unknown, ingestion: string): unknown {
  const { pathsMap, template } = target.inputTransformer!;
  const values: { [name: string]: unknown } = predefined(rule, event, ingestion);
  for (const [name, path] of Object.entries(pathsMap)) values[name] = valueAtPath(event, path);
  let text = '';
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c === '"' && template[i - 1] !== '\\') inString = !inString;
    const placeholder = c === '<' ? /^<([A-Za-z0-9_.-]+)>/.exec(template.slice(i)) : null;
    if (!placeholder || !(placeholder[1] in values)) {
      text += c;
      continue;
    }
    const value = values[placeholder[1]];
    if (inString) {
      const raw = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
      text += JSON.stringify(raw).slice(1, -1);
    } else {
      text += value === undefined ? 'null' : JSON.stringify(value);
    }
    i += placeholder[0].length - 1;
  }
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function targetInput(target: LocalRuleTargetModel, rule: LocalRuleModel, event: unknown): unknown {
  if (target.input !== undefined) {
    try {
      return JSON.parse(target.input);
    } catch {
      return target.input;
    }
  }
  if (target.inputPath !== undefined) return valueAtPath(event, target.inputPath);
  if (target.inputTransformer !== undefined) {
    return transform(target, rule, event, new Date().toISOString());
  }
  return event;
}
