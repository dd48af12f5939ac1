/** Reading a stack together with its nested stacks, as one template. */

import { CfnResource, CfnTemplate, isObject, JsonObject, obj, str } from './template';

const NESTED_STACK = 'AWS::CloudFormation::Stack';
/** The metadata aws-cdk-lib puts on a nested stack's resource with asset metadata on: its template's file. */
const ASSET_PATH = 'aws:asset:path';
/** The object key of a nested stack's template in its `TemplateURL`: the asset's hash, `.json`. */
const TEMPLATE_KEY = /\/([0-9a-f]{64})\.json$/;

/**
 * Where the template of the nested stack `resource` is, as the cloud assembly names it: the file of its
 * `aws:asset:path` metadata, else the asset whose object key ends its `TemplateURL` (a hash the stack's asset
 * manifest lists with its file).
 */
export interface NestedTemplateRef {
  readonly assetPath?: string;
  readonly assetHash?: string;
}

function templateRefOf(resource: CfnResource): NestedTemplateRef {
  const assetPath = str(resource.Metadata?.[ASSET_PATH]);
  if (assetPath !== undefined) return { assetPath };
  const parts = JSON.stringify(resource.Properties?.TemplateURL ?? '').split('"');
  const key = parts.map((part) => TEMPLATE_KEY.exec(part)).find((match) => match);
  return key ? { assetHash: key[1] } : {};
}

interface Outputs {
  readonly [name: string]: unknown;
}

/** `value` with every `Ref`, `Fn::GetAtt` and `DependsOn` passed through `edit`, deeply. */
function mapIntrinsics(value: unknown, edit: (node: JsonObject) => unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => mapIntrinsics(item, edit));
  if (!isObject(value)) return value;
  const edited = edit(value);
  if (edited !== value) return edited;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapIntrinsics(item, edit)]));
}

/** The logical id and attribute of a `Fn::GetAtt`, in either of its forms. */
function getAtt(node: JsonObject): [string, string] | undefined {
  const att = node['Fn::GetAtt'];
  if (Array.isArray(att) && typeof att[0] === 'string' && typeof att[1] === 'string') return [att[0], att[1]];
  if (typeof att === 'string' && att.includes('.')) {
    return [att.slice(0, att.indexOf('.')), att.slice(att.indexOf('.') + 1)];
  }
  return undefined;
}

/**
 * The template with each nested stack (an `AWS::CloudFormation::Stack` whose template `read` finds by its
 * `aws:asset:path`, as aws-cdk-lib writes `*.nested.template.json` files into the cloud assembly) replaced by the
 * nested stack's resources: its parameters become the values the parent passes, the parent's `Outputs.<name>`
 * attributes the nested stack's output values. A nested logical id the parent already uses is prefixed with the
 * nested stack's. Readers then see an API whose route functions are in nested stacks as one template.
 */
export function flattenNestedStacks(
  template: CfnTemplate,
  read: (ref: NestedTemplateRef) => CfnTemplate | undefined,
): CfnTemplate {
  const resources: Record<string, CfnResource> = { ...(template.Resources ?? {}) };
  const parameters: Record<string, JsonObject> = { ...(template.Parameters ?? {}) };
  const conditions: Record<string, unknown> = { ...(template.Conditions ?? {}) };
  const outputsOf = new Map<string, Outputs>();
  for (const [id, resource] of Object.entries(template.Resources ?? {})) {
    if (resource.Type !== NESTED_STACK) continue;
    const found = read(templateRefOf(resource));
    if (!found) continue;
    const nested = flattenNestedStacks(found, read) as CfnTemplate & { Outputs?: Record<string, JsonObject> };
    delete resources[id];
    const passed = obj(resource.Properties?.Parameters);
    const renamed = new Map<string, string>();
    for (const nestedId of Object.keys(nested.Resources ?? {})) {
      if (nestedId in resources || nestedId in (template.Resources ?? {})) renamed.set(nestedId, `${id}${nestedId}`);
    }
    const rename = (logicalId: string) => renamed.get(logicalId) ?? logicalId;
    const substitute = (value: unknown) =>
      mapIntrinsics(value, (node) => {
        const ref = str(node.Ref);
        if (ref !== undefined && Object.keys(node).length === 1) {
          if (renamed.has(ref)) return { Ref: rename(ref) };
          if (ref in passed && ref in (nested.Parameters ?? {})) return passed[ref];
          return node;
        }
        const att = getAtt(node);
        if (att && renamed.has(att[0])) return { 'Fn::GetAtt': [rename(att[0]), att[1]] };
        return node;
      });
    for (const [nestedId, nestedResource] of Object.entries(nested.Resources ?? {})) {
      const edited = substitute(nestedResource) as JsonObject;
      const dependsOn = edited.DependsOn;
      if (dependsOn !== undefined) {
        edited.DependsOn = (Array.isArray(dependsOn) ? dependsOn : [dependsOn]).map((dep) => rename(String(dep)));
      }
      resources[rename(nestedId)] = edited as unknown as CfnResource;
    }
    for (const [name, parameter] of Object.entries(nested.Parameters ?? {})) {
      if (!(name in passed) && !(name in parameters)) parameters[name] = parameter;
    }
    for (const [name, condition] of Object.entries(nested.Conditions ?? {})) {
      if (!(name in conditions)) conditions[name] = substitute(condition);
    }
    outputsOf.set(
      id,
      Object.fromEntries(
        Object.entries(nested.Outputs ?? {}).map(([name, output]) => [name, substitute(output.Value)]),
      ),
    );
  }
  if (!outputsOf.size) return template;
  const resolveOutputs = (value: unknown): unknown =>
    mapIntrinsics(value, (node) => {
      const att = getAtt(node);
      const outputs = att ? outputsOf.get(att[0]) : undefined;
      if (!att || !outputs || !att[1].startsWith('Outputs.')) return node;
      return resolveOutputs(outputs[att[1].slice('Outputs.'.length)]);
    });
  const flattened: Record<string, CfnResource> = {};
  for (const [id, resource] of Object.entries(resources)) {
    const edited = resolveOutputs(resource) as JsonObject;
    if (edited.DependsOn !== undefined) {
      const kept = (Array.isArray(edited.DependsOn) ? edited.DependsOn : [edited.DependsOn]).filter(
        (dep) => !outputsOf.has(String(dep)),
      );
      if (kept.length) edited.DependsOn = kept;
      else delete edited.DependsOn;
    }
    flattened[id] = edited as unknown as CfnResource;
  }
  return { ...template, Resources: flattened, Parameters: parameters, Conditions: conditions };
}
