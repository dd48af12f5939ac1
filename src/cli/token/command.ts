/** `serverless-api token`: a dev token the local API accepts on the stack's JWT or Cognito routes. */

import { assignments, claimValue } from './assignments';
import { BundleCache } from '../../functions/bundling/bundle-cache';
import { issueAppToken } from '../../local/app-token';
import { loadDevKeys, parseExpiresIn } from '../../local/auth';
import { readLocalApp } from '../../local/reader';
import { ArgumentError, Command, listOption, stringOption } from '../command';
import { ASSEMBLY_DIR_ARGUMENT, assemblyDirOf, STACK_OPTION, STACK_OPTION_NAME } from '../common-arguments';

const TOKEN_USES = ['id', 'access'] as const;

export const tokenCommand: Command = {
  name: 'token',
  summary: "print a dev token the local API accepts on the stack's JWT or Cognito routes",
  description: [
    'Prints a token signed with the local dev key, and nothing else, so that a shell can keep it:',
    '',
    '  TOKEN=$(npx serverless-api token --sub alice --scope tasks:write)',
    '  curl -H "authorization: Bearer $TOKEN" http://127.0.0.1:3000/projects/demo/tasks',
    '',
    "The token carries the issuer and audience of the stack's JWT authorizer, or the issuer of its Cognito user",
    'pool and a local client (an access token when scopes are given, else an id token). Only `serverless-api dev`',
    'and the test kit accept it: they trust the dev key kept in the cache folder of the working directory',
    '(node_modules/.cache/cdk-serverless-api, or $CDK_SERVERLESS_API_CACHE_DIR), made on first use. The token reads',
    "only the stack's authorizers, so an assembly synthesized without bundling will do.",
  ].join('\n'),
  arguments: [ASSEMBLY_DIR_ARGUMENT],
  options: {
    sub: { type: 'string', value: 'ID', required: true, description: 'the caller: the `sub` claim' },
    scope: {
      type: 'string',
      value: 'SCOPE',
      multiple: true,
      description: 'an OAuth scope the token grants (repeat for more): the `scope` claim',
    },
    claim: {
      type: 'string',
      value: 'NAME=VALUE',
      multiple: true,
      description:
        'another claim (repeat for more); VALUE is read as JSON when it is JSON (42, true, ["a"]), else text',
    },
    expires: {
      type: 'string',
      value: 'DURATION',
      description: 'how long the token is valid: seconds (3600) or 45s, 30m, 1h, 2d (default: 1h)',
    },
    authorizer: {
      type: 'string',
      value: 'NAME',
      description:
        'which JWT or Cognito authorizer the token is for, when the API has several (its name or logical id)',
    },
    'token-use': {
      type: 'string',
      value: 'id|access',
      description: 'the `token_use` claim (default: access with scopes, id without)',
    },
    [STACK_OPTION_NAME]: STACK_OPTION,
  },
  async run(args, io) {
    const claims: { [name: string]: unknown } = {};
    for (const [name, text] of assignments('claim', listOption(args, 'claim'), tokenCommand)) {
      claims[name] = claimValue(name, text, tokenCommand);
    }
    const tokenUse = stringOption(args, 'token-use');
    if (tokenUse !== undefined && !(TOKEN_USES as readonly string[]).includes(tokenUse)) {
      throw new ArgumentError(`--token-use must be id or access, got: ${JSON.stringify(tokenUse)}`, tokenCommand);
    }
    const expires = stringOption(args, 'expires');
    let expiresInSeconds: number | undefined;
    try {
      expiresInSeconds = expires === undefined ? undefined : parseExpiresIn(expires);
    } catch (error) {
      throw new ArgumentError((error as Error).message, tokenCommand);
    }
    const sub = stringOption(args, 'sub') ?? '';
    if (sub.trim() === '') throw new ArgumentError('--sub must name the caller, got: ""', tokenCommand);

    const assemblyDir = assemblyDirOf(args, io);
    const app = readLocalApp(assemblyDir, { stack: stringOption(args, STACK_OPTION_NAME), functions: false });
    const keys = loadDevKeys({ dir: BundleCache.forProject(io.cwd).dir });
    const token = await issueAppToken(app, keys, {
      sub,
      scopes: listOption(args, 'scope'),
      claims,
      expiresInSeconds,
      authorizer: stringOption(args, 'authorizer'),
      tokenUse: tokenUse as (typeof TOKEN_USES)[number] | undefined,
      authorizerOptionName: '--authorizer',
    });
    io.out(`${token}\n`);
    return 0;
  },
};
