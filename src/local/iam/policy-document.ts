/**
 * Reads a policy document (with every intrinsic already resolved) into the statements the evaluator takes: single
 * values become lists, condition values become text (`true`, `5`), as IAM compares them.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
 */
import type { PolicyStatementModel } from '../model';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const isObject = (value: unknown): value is { [key: string]: unknown } =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

function strings(where: string, value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list.map((item, i) => {
    if (typeof item === 'string') return item;
    if (typeof item === 'number' || typeof item === 'boolean') return String(item);
    throw new Error(
      `${where}${Array.isArray(value) ? `[${i}]` : ''} must be a string, got: ${JSON.stringify(item)}; resolve every intrinsic function before reading the policy`,
    );
  });
}

/** The statements of one policy document; `where` names the policy in error messages (`role TasksRole policy 0`). */
export function policyStatements(document: unknown, where = 'policy'): PolicyStatementModel[] {
  if (!isObject(document)) {
    throw new Error(`${where} must be a policy document object, got: ${JSON.stringify(document)}`);
  }
  const raw = document.Statement;
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  return list.map((statement, i) => readStatement(statement, `${where} Statement[${i}]`));
}

function readStatement(statement: unknown, where: string): PolicyStatementModel {
  if (!isObject(statement)) throw new Error(`${where} must be an object, got: ${JSON.stringify(statement)}`);
  const effect = statement.Effect;
  if (effect !== 'Allow' && effect !== 'Deny') {
    throw new Error(`${where}.Effect must be "Allow" or "Deny", got: ${JSON.stringify(effect)}`);
  }
  const result: Mutable<PolicyStatementModel> = { Effect: effect };
  if (typeof statement.Sid === 'string') result.Sid = statement.Sid;
  for (const element of ['Action', 'NotAction', 'Resource', 'NotResource'] as const) {
    if (statement[element] !== undefined) result[element] = strings(`${where}.${element}`, statement[element]);
  }
  if (statement.Condition !== undefined) result.Condition = readCondition(statement.Condition, `${where}.Condition`);
  return result;
}

function readCondition(condition: unknown, where: string): PolicyStatementModel['Condition'] {
  if (!isObject(condition)) throw new Error(`${where} must be an object, got: ${JSON.stringify(condition)}`);
  const block: { [operator: string]: { [key: string]: string[] } } = {};
  for (const [operator, keys] of Object.entries(condition)) {
    if (!isObject(keys)) throw new Error(`${where}.${operator} must be an object, got: ${JSON.stringify(keys)}`);
    block[operator] = {};
    for (const [key, values] of Object.entries(keys)) {
      block[operator][key] = strings(`${where}.${operator}.${key}`, values);
    }
  }
  return block;
}
