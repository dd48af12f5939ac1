/** What `serverless-api dev` prints once the API answers: where, what, and how to call it. */

import { workerLines } from './banner-workers';
import { tokenAuthorizers } from '../../local/app-token';
import { devKeysFile } from '../../local/auth';
import type { LocalAppModel, LocalRouteModel, LocalTableModel } from '../../local/model';

export interface BannerInput {
  readonly app: LocalAppModel;
  /** The stage's base URL. */
  readonly url: string;
  /** Where the items are kept; in memory when absent. */
  readonly dataDir?: string;
  /** The folder of the dev keys, for the IAM line. */
  readonly keysDir: string;
  /** The arguments that select this stack again (`cdk.out.dev --stack Api`), for the token command. */
  readonly selection: readonly string[];
  /** The synth command a change runs, with --watch. */
  readonly watching?: { readonly dir: string; readonly command: string };
}

export function bannerLines(input: BannerInput): string[] {
  const { app } = input;
  const api = app.api;
  const stage = api.stageName === '$default' ? 'the $default stage' : `stage ${api.stageName}`;
  const lines = [
    `serverless-api dev: ${app.stackName}, ${api.type} API ${api.name} (${stage})`,
    `Listening on ${input.url}`,
    '',
    'Routes:',
    ...table(api.routes.map((route) => routeRow(app, route))),
  ];
  if (app.tables.length > 0) {
    const where = input.dataDir === undefined ? 'in memory, lost at stop' : `kept in ${input.dataDir}`;
    lines.push(`Table${app.tables.length > 1 ? 's' : ''} (${where}):`, ...table(app.tables.map(tableRow)));
  }
  lines.push(...workerLines(app, table));
  lines.push(...accessLines(input));
  if (app.warnings && app.warnings.length > 0) {
    lines.push('Runs differently than deployed:', ...app.warnings.map((warning) => `  ${warning}`));
  }
  if (input.watching) {
    lines.push(`Watching ${input.watching.dir}: a change runs \`${input.watching.command}\` and reloads.`);
  }
  const asynchronous = (app.workers?.queues.length ?? 0) + (app.workers?.rules.length ?? 0) > 0;
  lines.push(
    `Logs follow: [function name], [gateway], [access], [dynamodb], [secretsmanager]${asynchronous ? ', [sqs], [events], [worker]' : ''}. Ctrl-C stops.`,
    '',
  );
  return lines;
}

/** How a caller gets through: a token, an API key, signed requests. */
function accessLines(input: BannerInput): string[] {
  const { app } = input;
  const lines: string[] = [];
  if (tokenAuthorizers(app).length > 0) {
    const token = ['npx serverless-api token', ...input.selection, '--sub alice'].join(' ');
    lines.push('Tokens:', `  TOKEN=$(${token})`);
    const example = app.api.routes.find((route) => route.method === 'GET' && route.authorization.type === 'AUTHORIZER');
    if (example) lines.push(`  curl -H "authorization: Bearer $TOKEN" ${input.url}${examplePath(example.path)}`);
  }
  const keys = app.api.apiKeys.filter((key) => key.enabled);
  if (keys.length > 0 && app.api.routes.some((route) => route.apiKeyRequired)) {
    lines.push('API keys (header x-api-key):', ...table(keys.map((key) => [key.name, key.value])));
  }
  if (app.api.routes.some((route) => route.authorization.type === 'IAM')) {
    lines.push(
      `IAM routes: sign requests (SigV4, service execute-api, region ${app.region}) with the access key and secret in ${devKeysFile({ dir: input.keysDir })}`,
    );
  }
  return lines;
}

function routeRow(app: LocalAppModel, route: LocalRouteModel): string[] {
  const fn = app.functions[route.functionId];
  return [route.method, route.path, fn?.name ?? route.functionId, authorizationOf(app, route)];
}

const KINDS: { readonly [kind: string]: string } = {
  jwt: 'JWT',
  cognito: 'Cognito',
  'lambda-request': 'Lambda',
  'lambda-token': 'Lambda token',
};

function authorizationOf(app: LocalAppModel, route: LocalRouteModel): string {
  const auth = route.authorization;
  let text: string;
  if (auth.type === 'NONE') {
    text = 'public';
  } else if (auth.type === 'IAM') {
    text = 'IAM';
  } else {
    const authorizer = app.api.authorizers[auth.authorizerId];
    text = authorizer ? `${KINDS[authorizer.kind] ?? authorizer.kind} ${authorizer.name}` : auth.authorizerId;
  }
  if (route.scopes.length > 0) text += `, scopes: ${route.scopes.join(' or ')}`;
  if (route.apiKeyRequired) text += ', API key';
  return text;
}

function tableRow(model: LocalTableModel): string[] {
  const key = (k: { name: string; type: string } | undefined) => (k ? `${k.name} (${k.type})` : undefined);
  const parts = [[key(model.partitionKey), key(model.sortKey)].filter(Boolean).join(' + ')];
  const indexes = [...model.globalSecondaryIndexes, ...model.localSecondaryIndexes].map((index) => index.indexName);
  if (indexes.length > 0) parts.push(`index${indexes.length > 1 ? 'es' : ''} ${indexes.join(', ')}`);
  if (model.ttlAttribute) parts.push(`TTL ${model.ttlAttribute}`);
  return [model.tableName, parts.join('; ')];
}

/** A path to try: each parameter replaced by an example value. */
function examplePath(template: string): string {
  return template.replace(/\{[^}]+\+\}/g, 'any/path').replace(/\{[^}]+\}/g, 'demo');
}

/** Rows as columns, each padded to its widest cell, indented by two. */
function table(rows: string[][]): string[] {
  const widths = rows.reduce<number[]>((acc, row) => row.map((cell, i) => Math.max(acc[i] ?? 0, cell.length)), []);
  return rows.map((row) => `  ${row.map((cell, i) => cell.padEnd(widths[i])).join('  ')}`.trimEnd());
}
