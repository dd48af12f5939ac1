import { Tags } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { CostAllocationTag } from './budget-options';
import { fail, isLiteral } from '../private/validation';

/** The API's cost-allocation tag, resolved: its key and value. */
export interface CostTag {
  readonly key: string;
  readonly value: string;
}

/** The characters AWS allows in tag keys and values (https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html). */
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const TAG_TEXT_RULE = 'letters, digits, spaces or `_ . : / = + - @`';
const MAX_KEY_LENGTH = 128;
const MAX_VALUE_LENGTH = 256;

/** Checks `costAllocationTag` and resolves it, valued with `apiName` unless it has a value; undefined for `none()`. */
export function resolveCostTag(tag: CostAllocationTag | undefined, apiName: string): CostTag | undefined {
  const chosen = tag ?? CostAllocationTag.of(CostAllocationTag.DEFAULT_KEY);
  const key = chosen.key;
  if (key === undefined) return undefined;
  if (isLiteral(key)) {
    if (key.length < 1 || key.length > MAX_KEY_LENGTH || !TAG_TEXT.test(key)) {
      fail('costAllocationTag.key', `be 1 to ${MAX_KEY_LENGTH} ${TAG_TEXT_RULE}`, key);
    }
    if (key.toLowerCase().startsWith('aws:')) {
      fail('costAllocationTag.key', 'not start with "aws:", which AWS reserves', key);
    }
  }
  const value = chosen.value ?? apiName;
  if (isLiteral(value) && (value.length > MAX_VALUE_LENGTH || !TAG_TEXT.test(value))) {
    if (chosen.value !== undefined) {
      fail('costAllocationTag.value', `be at most ${MAX_VALUE_LENGTH} ${TAG_TEXT_RULE}`, value);
    }
    fail(
      'apiName',
      `be at most ${MAX_VALUE_LENGTH} ${TAG_TEXT_RULE} to value the cost-allocation tag: rename the API, or give the tag a value with \`costAllocationTag: CostAllocationTag.of(key, value)\``,
      value,
    );
  }
  return { key, value };
}

/** Puts the tag on every taggable resource under `scope`, including those added after this call. */
export function applyCostTag(scope: IConstruct, tag: CostTag | undefined): void {
  if (tag) Tags.of(scope).add(tag.key, tag.value);
}
