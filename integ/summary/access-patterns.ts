/** The access-pattern table that `ServerlessApi` records in its HTTP API's template metadata. */

import { list, obj, str, T, TemplateIndex } from './template';
import { ACCESS_PATTERNS_METADATA_KEY } from '../../src/shared/env';

export interface AccessPatternSummary {
  /** Logical id of the API that declares the pattern. */
  readonly api: string;
  readonly name: string;
  readonly description?: string;
  /** The DynamoDB operation: GetItem, Query, PutItem, UpdateItem, DeleteItem or Scan. */
  readonly operation: string;
  readonly index?: string;
  readonly keyCondition: string;
  /** The `dynamodb:LeadingKeys` pattern the roles are limited to; absent for a Scan. */
  readonly leadingKeys?: string;
  readonly actions: string[];
  readonly functions: string[];
}

export function summarizeAccessPatterns(index: TemplateIndex): AccessPatternSummary[] {
  return index.ofType(T.api).flatMap(([api, resource]) =>
    list(resource.Metadata?.[ACCESS_PATTERNS_METADATA_KEY]).map((value) => {
      const row = obj(value);
      return {
        api,
        name: str(row.name) ?? '?',
        description: str(row.description),
        operation: str(row.operation) ?? '?',
        index: str(row.index),
        keyCondition: str(row.keyCondition) ?? '?',
        leadingKeys: str(row.leadingKeys),
        actions: list(row.actions).map((action) => str(action) ?? '?'),
        functions: list(row.functions).map((fn) => str(fn) ?? '?'),
      };
    }),
  );
}
