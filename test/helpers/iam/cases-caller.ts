import {
  AccessPattern,
  OPERATION_ACTIONS,
  callerTagKeys,
  matchesShape,
  parseAccessPatterns,
  sampleKey,
  sampleTags,
  sampleValue,
} from './access-patterns';
import { BATCH_READ, Keyed, indexArn } from './cases-dynamodb';
import { Case, ContextValues, Expected } from './evaluate';
import { RoleUnderTest, StackModel, TableUnderTest } from './model';

/**
 * Cases that prove caller-bound partitions. A caller-bound pattern is granted only to the function's caller role,
 * whose `dynamodb:LeadingKeys` name session tags (`USER#${aws:PrincipalTag/userId}`); the function takes a session
 * of it tagged with the caller's values. Sample caller 0 (alice) and 1 (bob) have the tags `sampleTags(keys, n)`,
 * whose partitions are `sampleKey(shape, n)`.
 * Session tags: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html
 * aws:PrincipalTag, aws:RequestTag, aws:TagKeys:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html
 */

const PRINCIPAL_TAG = 'aws:PrincipalTag/';
const REQUEST_TAG = 'aws:RequestTag/';
export const ASSUME_ROLE = 'sts:AssumeRole';
export const TAG_SESSION = 'sts:TagSession';
/** A tag key no pattern declares: a session carrying it could be told apart from the callers' own. */
const EXTRA_TAG: [string, string] = ['role', 'admin'];

/** The context a session tagged with `tags` puts in every request: `aws:PrincipalTag/<key>`. */
export function principalTagContext(tags: { readonly [key: string]: string }): ContextValues {
  return Object.fromEntries(Object.entries(tags).map(([key, value]) => [`${PRINCIPAL_TAG}${key}`, value]));
}

/** The session tags a case's request carries, read back from its `aws:PrincipalTag/<key>` context values. */
export function sessionTagsOf(c: Case): { [key: string]: string } {
  return Object.fromEntries(
    Object.entries(c.context)
      .filter(([name]) => name.startsWith(PRINCIPAL_TAG))
      .map(([name, value]) => [name.slice(PRINCIPAL_TAG.length), `${value}`]),
  );
}

/** The tags an `AssumeRole` case passes, in order, read back from its `aws:TagKeys` and `aws:RequestTag/<key>`. */
export function requestTagsOf(c: Case): [string, string][] {
  const keys = [c.context['aws:TagKeys'] ?? []].flat();
  return keys.map((key) => [key, `${c.context[`${REQUEST_TAG}${key}`] ?? ''}`]);
}

/** The case as a request of a session tagged with `tags` (added before the case's own context). */
export const withSessionTags = (c: Case, tags: { readonly [key: string]: string }): Case => ({
  ...c,
  context: { ...principalTagContext(tags), ...c.context },
  callerBound: true,
});

const resourceOf = (table: TableUnderTest, p: AccessPattern) => (p.index ? indexArn(table, p.index) : table.arn);

/**
 * A caller role's requests beyond its declared ones, for each declared action on each bound shape: another caller's
 * partition with alice's tags, a batch reaching both, alice's own partition from a session missing one of the
 * pattern's tags, with it empty, or untagged, and the partition that empty tags would name (`USER#`).
 */
export function callerSessionCases(keyed: Keyed, table: TableUnderTest, bound: readonly AccessPattern[]): Case[] {
  const alice = sampleTags(callerTagKeys(bound), 0);
  const cases: Case[] = [];
  for (const p of bound) {
    const shape = p.partitionKey![1];
    const own = sampleKey(shape, 0);
    const params = Object.keys(p.caller ?? {});
    // Bob's partition, and with two bound values, each caller that shares all but one with alice.
    const others = [
      ...new Set([
        sampleKey(shape, 1),
        ...params.map((param) => sampleKey(shape, 0, { [param]: sampleValue(param, 1) })),
      ]),
    ];
    const emptied = Object.fromEntries(params.map((param) => [param, '']));
    const nowhere = sampleKey(shape, 0, emptied);
    for (const action of OPERATION_ACTIONS[p.operation]) {
      const request = (keys: string[], tags: { [key: string]: string }, why: string): Case =>
        withSessionTags(keyed(action, resourceOf(table, p), keys, 'Denied', why), tags);
      for (const other of others) cases.push(request([other], alice, `${other} is another caller's partition`));
      if (action === BATCH_READ) {
        cases.push(request([own, others[0]], alice, `one key, ${others[0]}, of another caller`));
      }
      for (const param of params) {
        const { [param]: _missing, ...without } = alice;
        cases.push(request([own], without, `the session has no tag ${param}`));
        cases.push(request([own], { ...alice, [param]: '' }, `the session's tag ${param} is empty`));
      }
      cases.push(request([own], {}, 'an untagged session'));
      cases.push(request([nowhere], { ...alice, ...emptied }, `${nowhere}, the partition empty tags would name`));
    }
  }
  return cases;
}

/**
 * The function's own role on the partitions of its caller-bound patterns: denied on either caller's key, unless one
 * of its unbound patterns declares the same action on a shape holding that key.
 */
export function boundKeyDenials(
  keyed: Keyed,
  table: TableUnderTest,
  bound: readonly AccessPattern[],
  unbound: readonly AccessPattern[],
): Case[] {
  const cases: Case[] = [];
  for (const p of bound) {
    const resource = resourceOf(table, p);
    for (const action of OPERATION_ACTIONS[p.operation]) {
      for (const key of [sampleKey(p.partitionKey![1], 0), sampleKey(p.partitionKey![1], 1)]) {
        const declared = unbound.some(
          (u) =>
            resourceOf(table, u) === resource &&
            OPERATION_ACTIONS[u.operation].includes(action) &&
            u.partitionKey !== undefined &&
            matchesShape(u.partitionKey[1], key),
        );
        if (declared) continue;
        const why = `${p.name} is caller-bound: only a session of the caller role reaches ${key}`;
        cases.push({ ...keyed(action, resource, [key], 'Denied', why), callerBound: true });
      }
    }
  }
  return cases;
}

/** The tag keys a function's caller role is assumed with; none when its declaration does not parse. */
function tagKeysOf(role: RoleUnderTest): string[] {
  try {
    return callerTagKeys(parseAccessPatterns(role.assumedBy!.logicalId, role.assumedBy!.environment) ?? []);
  } catch {
    return [];
  }
}

/**
 * `AssumeRole` (and `TagSession`, when tags are passed) of each caller role of the stack by `principal`, decided with
 * the caller role's trust policy as the resource policy. The function that owns it may, with exactly the declared tag
 * keys, none empty; not untagged, with a tag missing or empty, or with a tag key more. Any other role may not.
 */
export function trustCases(model: StackModel, principal: RoleUnderTest): Case[] {
  const cases: Case[] = [];
  for (const callerRole of model.roles.filter((r) => r.assumedBy)) {
    const declared = Object.entries(sampleTags(tagKeysOf(callerRole)));
    const request = (tags: [string, string][], expected: Expected, why: string): Case[] => {
      const context: ContextValues = tags.length
        ? {
            'aws:TagKeys': tags.map(([key]) => key),
            ...Object.fromEntries(tags.map(([key, value]) => [`${REQUEST_TAG}${key}`, value])),
          }
        : {};
      return (tags.length ? [ASSUME_ROLE, TAG_SESSION] : [ASSUME_ROLE]).map((action) => ({
        action,
        resource: callerRole.arn,
        context,
        expected,
        why,
        resourcePolicy: callerRole.trustPolicy,
        callerBound: true,
      }));
    };
    if (principal.arn !== callerRole.assumedBy!.roleArn) {
      const owner = callerRole.assumedBy!.logicalId;
      cases.push(...request(declared, 'Denied', `the caller role of ${owner}, not of this role`));
      continue;
    }
    cases.push(...request(declared, 'Allowed', 'exactly the declared tag keys, none empty'));
    cases.push(...request([], 'Denied', 'an untagged session'));
    for (const [key] of declared) {
      const rest = declared.filter(([k]) => k !== key);
      if (rest.length) cases.push(...request(rest, 'Denied', `tag ${key} missing`));
      cases.push(
        ...request(
          declared.map(([k, v]) => [k, k === key ? '' : v]),
          'Denied',
          `tag ${key} empty`,
        ),
      );
    }
    cases.push(...request([...declared, EXTRA_TAG], 'Denied', `tag key ${EXTRA_TAG[0]} is not declared`));
  }
  return cases;
}
