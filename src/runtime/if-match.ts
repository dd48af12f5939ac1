import { badRequest } from './problem';
import type { ApiRequest } from './request';

/** Most entity tags an `If-Match` may list: DynamoDB's `IN` takes at most 100 values. */
export const MAX_IF_MATCH_TAGS = 100;

/**
 * One element of an `If-Match` list (RFC 9110, section 5.6.1: empty elements are allowed): an optional entity tag,
 * `[W/]"<etagc>*"` (section 8.8.3), then a comma or the end.
 */
const ELEMENT = /[ \t]*(?:(W\/)?"([\x21\x23-\x7e\x80-\xff]*)")?[ \t]*(,|$)/y;
/** The opaque part of a tag the toolkit issued: a version, a positive safe integer. */
const VERSION = /^[1-9][0-9]{0,14}$/;

/**
 * The versions a request's `If-Match` names, as `ifVersion` of `update()` and `delete()` takes them
 * (RFC 9110, section 13.1.1):
 * - no header, or `*`, is undefined: no version precondition (`*` asks only that the item exists, which
 *   `update()` and `delete()` require anyway);
 * - a list of entity tags gives the versions of its strong tags (`"3"` is version 3). `If-Match` compares tags
 *   strongly, so a weak tag (`W/"3"`) or a tag that is no version never matches: a list of only those gives `[]`,
 *   which no version matches (412 for an existing item);
 * - anything else is a 400 naming the header.
 */
export function ifMatchVersion(request: ApiRequest, header: string = 'if-match'): readonly number[] | undefined {
  const name = header.toLowerCase();
  const value = request.headers[name];
  if (value === undefined || value.trim() === '*') return undefined;
  const malformed = () =>
    badRequest(
      `\`${name}\` must be "*" or a list of at most ${MAX_IF_MATCH_TAGS} entity tags such as "3" (RFC 9110), got: ${value.slice(0, 40)}`,
      [{ field: name, message: `"*" or at most ${MAX_IF_MATCH_TAGS} entity tags such as "3"` }],
    );
  const versions = new Set<number>();
  let tags = 0;
  let at = 0;
  do {
    ELEMENT.lastIndex = at;
    const element = ELEMENT.exec(value);
    if (element === null) throw malformed();
    if (element[2] !== undefined) {
      tags += 1;
      if (element[1] === undefined && VERSION.test(element[2])) versions.add(Number(element[2]));
    }
    at = ELEMENT.lastIndex;
  } while (at < value.length);
  if (tags === 0 || tags > MAX_IF_MATCH_TAGS) throw malformed();
  return [...versions];
}
