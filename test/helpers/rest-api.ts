import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApi, BuiltApi, logicalId, newStack, resources } from './api';
import { ApiAuthorization, ApiType, ServerlessApiProps } from '../../src';

/** Helpers of the REST API tests. */

const METHOD = 'AWS::ApiGateway::Method';

/** `defaultProps()` as a REST API: JWT is HTTP-only, so the API-wide authorization is IAM unless `props` says otherwise. */
export function buildRest(props: Partial<ServerlessApiProps> = {}, stack: Stack = newStack()): BuiltApi {
  return buildApi({ apiType: ApiType.REST, authorization: ApiAuthorization.iam(), ...props }, stack);
}

export function restApiId(template: Template): string {
  return logicalId(template, 'AWS::ApiGateway::RestApi', 'ApiRestApi');
}

/** The logical id of the route function `name` (on REST it has no integration resource of its own). */
export function functionId(template: Template, name: string): string {
  return logicalId(template, 'AWS::Lambda::Function', `ApiFunctions${name}Function`);
}

/** The REST path of an `AWS::ApiGateway::Resource` reference (the root is a `RootResourceId` attribute). */
function pathOf(template: Template, resourceRef: any): string {
  if (resourceRef['Fn::GetAtt']) return '';
  const resource = resources(template)[resourceRef.Ref];
  return `${pathOf(template, resource.Properties.ParentId)}/${resource.Properties.PathPart}`;
}

/** Every method of the API by `"<METHOD> <path>"`, e.g. `"GET /items/{itemId}"`. */
export function methods(template: Template): { [key: string]: any } {
  return Object.fromEntries(
    Object.values(template.findResources(METHOD)).map((m) => [
      `${m.Properties.HttpMethod} ${pathOf(template, m.Properties.ResourceId) || '/'}`,
      m.Properties,
    ]),
  );
}

export function method(template: Template, key: string): any {
  const found = methods(template)[key];
  if (!found) throw new Error(`no method ${key}, found: ${Object.keys(methods(template))}`);
  return found;
}
