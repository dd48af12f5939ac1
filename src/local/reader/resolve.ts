/**
 * Evaluates a template's intrinsic functions to the values they would have once deployed in the local region and
 * account: `Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`, `Fn::Select`, `Fn::Split`, `Fn::If` and the condition
 * functions, `Fn::FindInMap`, `Fn::Base64`, `Fn::GetAZs` and the pseudo parameters.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
 */

import { attributeValue, LocalEnvironment, NAME_PROPERTIES, refValue, ResourceSubject } from './physical';
import { UsageError } from '../../assembly/assembly';
import { CfnTemplate, isObject, JsonObject, obj, str } from '../../assembly/template';

/** A value with no local equivalent (`Fn::ImportValue`, an SSM parameter): the message says which and why. */
export class ResolveError extends UsageError {}

/** `Ref: AWS::NoValue` removes the property or list element it stands in. */
const NO_VALUE = Symbol('AWS::NoValue');

/** The partition and URL suffix of a region, as the `AWS::Partition` and `AWS::URLSuffix` pseudo parameters say. */
export function partitionOf(region: string): { partition: string; urlSuffix: string } {
  if (region.startsWith('cn-')) return { partition: 'aws-cn', urlSuffix: 'amazonaws.com.cn' };
  if (region.startsWith('us-gov-')) return { partition: 'aws-us-gov', urlSuffix: 'amazonaws.com' };
  return { partition: 'aws', urlSuffix: 'amazonaws.com' };
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}

export class TemplateResolver {
  private readonly resources: { readonly [logicalId: string]: { Type: string; Properties?: JsonObject } };
  private readonly names = new Map<string, string>();
  private readonly conditions = new Map<string, boolean>();
  private readonly pending = new Set<string>();

  constructor(
    private readonly template: CfnTemplate,
    public readonly env: LocalEnvironment,
  ) {
    this.resources = template.Resources ?? {};
  }

  /** The value with every intrinsic function evaluated; `AWS::NoValue` leaves it undefined. */
  public resolve(value: unknown): unknown {
    const resolved = this.evaluate(value);
    return resolved === NO_VALUE ? undefined : resolved;
  }

  /** A string value (numbers and booleans as CloudFormation passes them on); `where` names it in errors. */
  public string(value: unknown, where: string): string {
    const resolved = this.within(where, () => this.resolve(value));
    if (typeof resolved === 'string') return resolved;
    if (typeof resolved === 'number' || typeof resolved === 'boolean') return String(resolved);
    throw new ResolveError(`${where} must be a string, got: ${describe(resolved)}`);
  }

  /** The string, or undefined when the template leaves the value out. */
  public optionalString(value: unknown, where: string): string | undefined {
    return value === undefined ? undefined : this.string(value, where);
  }

  /** A list of strings; a single value counts as a list of one, as CloudFormation and IAM read them. */
  public strings(value: unknown, where: string): string[] {
    const resolved = this.within(where, () => this.resolve(value));
    if (resolved === undefined || resolved === null) return [];
    return (Array.isArray(resolved) ? resolved : [resolved]).map((item, i) => this.string(item, `${where}[${i}]`));
  }

  /** The physical name of a resource: its name property when the template sets one, else `<stack>-<logicalId>`. */
  public physicalName(logicalId: string): string {
    const known = this.names.get(logicalId);
    if (known !== undefined) return known;
    const resource = this.resources[logicalId];
    const property = resource === undefined ? undefined : NAME_PROPERTIES[resource.Type];
    const written = property === undefined ? undefined : resource!.Properties?.[property];
    const name =
      written === undefined
        ? `${this.env.stackName}-${logicalId}${this.generatedSuffix(resource)}`
        : this.guarded(`name of ${logicalId}`, () => this.string(written, `${logicalId}.${property}`));
    this.names.set(logicalId, name);
    return name;
  }

  /** CloudFormation ends the name it generates for a FIFO queue in `.fifo`, as SQS requires. */
  private generatedSuffix(resource: { Type: string; Properties?: JsonObject } | undefined): string {
    const fifo = resource?.Type === 'AWS::SQS::Queue' ? this.resolve(resource.Properties?.FifoQueue) : undefined;
    return fifo === true || fifo === 'true' ? '.fifo' : '';
  }

  public ref(name: string): unknown {
    switch (name) {
      case 'AWS::Region':
        return this.env.region;
      case 'AWS::AccountId':
        return this.env.accountId;
      case 'AWS::Partition':
        return this.env.partition;
      case 'AWS::URLSuffix':
        return this.env.urlSuffix;
      case 'AWS::StackName':
        return this.env.stackName;
      case 'AWS::StackId':
        return `arn:${this.env.partition}:cloudformation:${this.env.region}:${this.env.accountId}:stack/${this.env.stackName}/00000000-0000-4000-a000-000000000000`;
      case 'AWS::NoValue':
        return NO_VALUE;
      case 'AWS::NotificationARNs':
        return [];
    }
    const parameter = this.template.Parameters?.[name];
    if (parameter !== undefined) return this.parameter(name, parameter);
    if (this.resources[name] === undefined) throw new ResolveError(`Ref ${name}: no such resource or parameter`);
    return refValue(this.subject(name));
  }

  public getAtt(logicalId: string, attribute: string): string {
    if (this.resources[logicalId] === undefined) {
      throw new ResolveError(`Fn::GetAtt ${logicalId}.${attribute}: no such resource`);
    }
    const value = attributeValue(this.subject(logicalId), attribute);
    if (value === undefined) {
      throw new ResolveError(
        `Fn::GetAtt ${logicalId}.${attribute}: no local value for this attribute of ${this.resources[logicalId].Type}`,
      );
    }
    return value;
  }

  /** Whether a named condition of the template holds. */
  public condition(name: string): boolean {
    const known = this.conditions.get(name);
    if (known !== undefined) return known;
    const definition = this.template.Conditions?.[name];
    if (definition === undefined) throw new ResolveError(`Condition ${name}: no such condition`);
    const holds = this.guarded(`condition ${name}`, () => this.truth(definition));
    this.conditions.set(name, holds);
    return holds;
  }

  private subject(logicalId: string): ResourceSubject {
    const resource = this.resources[logicalId];
    return {
      logicalId,
      type: resource.Type,
      env: this.env,
      name: () => this.physicalName(logicalId),
      property: (name) => this.optionalString(resource.Properties?.[name], `${logicalId}.${name}`),
    };
  }

  private parameter(name: string, parameter: JsonObject): unknown {
    const type = str(parameter.Type) ?? 'String';
    if (type.startsWith('AWS::SSM::Parameter::')) {
      throw new ResolveError(
        `Ref ${name}: the parameter reads SSM parameter ${describe(parameter.Default)} at deploy time`,
      );
    }
    if (parameter.Default === undefined) throw new ResolveError(`Ref ${name}: the parameter has no Default`);
    const value = parameter.Default;
    return type === 'CommaDelimitedList' || type.startsWith('List<') ? String(value).split(',') : value;
  }

  private truth(value: unknown): boolean {
    const resolved = this.evaluate(value);
    if (typeof resolved === 'boolean') return resolved;
    if (resolved === 'true' || resolved === 'false') return resolved === 'true';
    throw new ResolveError(`a condition must be true or false, got: ${describe(resolved)}`);
  }

  private evaluate(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((item) => this.evaluate(item)).filter((item) => item !== NO_VALUE);
    if (!isObject(value)) return value;
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0] === 'Condition' || keys[0].startsWith('Fn::'))) {
      return this.intrinsic(keys[0], value[keys[0]]);
    }
    const out: JsonObject = {};
    for (const [key, item] of Object.entries(value)) {
      const resolved = this.evaluate(item);
      if (resolved !== NO_VALUE) out[key] = resolved;
    }
    return out;
  }

  private intrinsic(name: string, args: unknown): unknown {
    const list = (): unknown[] => {
      const resolved = this.evaluate(args);
      if (!Array.isArray(resolved)) throw new ResolveError(`${name} takes a list, got: ${describe(args)}`);
      return resolved;
    };
    const text = (item: unknown) => this.string(item, name);
    switch (name) {
      case 'Ref':
        return this.ref(text(args));
      case 'Condition':
        return this.condition(text(args));
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = typeof args === 'string' ? splitOnce(args, '.') : list();
        return this.getAtt(text(logicalId), text(attribute));
      }
      case 'Fn::Join': {
        const [separator, items] = list();
        if (!Array.isArray(items)) throw new ResolveError(`Fn::Join takes a list to join, got: ${describe(items)}`);
        return items.map(text).join(text(separator));
      }
      case 'Fn::Sub':
        return Array.isArray(args) ? this.sub(text(this.evaluate(args[0])), obj(args[1])) : this.sub(text(args), {});
      case 'Fn::Select': {
        const [index, items] = list();
        const i = Number(index);
        if (!Array.isArray(items) || !Number.isInteger(i) || i < 0 || i >= items.length) {
          throw new ResolveError(`Fn::Select index ${describe(index)} is outside ${describe(items)}`);
        }
        return items[i];
      }
      case 'Fn::Split': {
        const [separator, source] = list();
        return text(source).split(text(separator));
      }
      case 'Fn::If': {
        const [condition, whenTrue, whenFalse] = Array.isArray(args) ? args : [];
        return this.evaluate(this.condition(text(condition)) ? whenTrue : whenFalse);
      }
      case 'Fn::Equals': {
        const [a, b] = list();
        return JSON.stringify(a) === JSON.stringify(b);
      }
      case 'Fn::Not':
        return !this.truth(list()[0]);
      case 'Fn::And':
        return list().every((item) => this.truth(item));
      case 'Fn::Or':
        return list().some((item) => this.truth(item));
      case 'Fn::FindInMap': {
        const [map, top, second] = list().map(text);
        const found = obj(obj(this.template.Mappings?.[map])[top])[second];
        if (found === undefined) throw new ResolveError(`Fn::FindInMap ${map}.${top}.${second}: no such entry`);
        return this.evaluate(found);
      }
      case 'Fn::Base64':
        return Buffer.from(text(args)).toString('base64');
      case 'Fn::GetAZs':
        return ['a', 'b', 'c'].map((zone) => `${this.env.region}${zone}`);
      case 'Fn::ToJsonString':
        return JSON.stringify(this.evaluate(args));
      case 'Fn::Length':
        return list().length;
      case 'Fn::ImportValue':
        throw new ResolveError(`Fn::ImportValue ${describe(args)}: another stack's export is not known locally`);
    }
    throw new ResolveError(`${name} is not evaluated locally: ${describe(args)}`);
  }

  /** `${Name}` is a Ref or a variable, `${Name.Attribute}` a GetAtt, `${!Literal}` the text `${Literal}`. */
  private sub(template: string, variables: JsonObject): string {
    return template.replace(/\$\{(!?)([^}]*)\}/g, (_match, literal: string, name: string) => {
      if (literal) return `\${${name}}`;
      if (name in variables) return this.string(variables[name], `Fn::Sub variable ${name}`);
      if (!name.includes('.') || name.startsWith('AWS::')) return this.string(this.ref(name), `Fn::Sub \${${name}}`);
      const [logicalId, attribute] = splitOnce(name, '.');
      return this.getAtt(logicalId, attribute);
    });
  }

  private within<R>(where: string, run: () => R): R {
    try {
      return run();
    } catch (error) {
      if (error instanceof ResolveError && !error.message.startsWith(where)) {
        throw new ResolveError(`${where}: ${error.message}`);
      }
      throw error;
    }
  }

  /** Runs a step that may refer back to itself through the template, which CloudFormation would reject. */
  private guarded<R>(key: string, run: () => R): R {
    if (this.pending.has(key)) throw new ResolveError(`circular reference through the ${key}`);
    this.pending.add(key);
    try {
      return run();
    } finally {
      this.pending.delete(key);
    }
  }
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + separator.length)];
}
