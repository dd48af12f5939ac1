import { CfnTemplate, DEFAULT_ENVIRONMENT, Environment, Json, JsonObject, ResolvedTemplate } from './template';

/** An IAM policy document after every intrinsic is resolved. */
export type PolicyDocument = JsonObject;

export interface NamedPolicy {
  /** Where the policy comes from: `inline:<name>` or the logical id of an IAM policy resource. */
  readonly name: string;
  readonly document: PolicyDocument;
}

export interface FunctionUnderTest {
  readonly logicalId: string;
  readonly arn: string;
  /** ARN of the role the function runs with. */
  readonly roleArn: string;
  readonly environment: { [name: string]: string };
  /** ARN of the function's log group (`...:log-group:<name>:*`). */
  readonly logGroupArn: string;
  readonly tracing: boolean;
  /** ARNs of the queues whose event source mappings invoke the function. */
  readonly consumes: string[];
  /**
   * ARNs of the queues where what the function failed on goes, sent with its role: the on-failure destination of its
   * asynchronous invocations and of its stream mappings.
   */
  readonly failureDestinations: string[];
  /** ARNs of the DynamoDB streams an event source mapping hands the function (a stream worker's table stream). */
  readonly streams: string[];
}

export interface RoleUnderTest {
  readonly logicalId: string;
  readonly arn: string;
  readonly policies: NamedPolicy[];
  /** Managed policies whose text is not in the template, so cannot be evaluated offline. */
  readonly unevaluatedPolicies: string[];
  /** The Lambda function that runs with this role, if any. */
  readonly function?: FunctionUnderTest;
  /** ARNs of the functions an API Gateway integration invokes with this role as its credentials. */
  readonly invokes: string[];
  /** Who may assume the role (`AssumeRolePolicyDocument`). */
  readonly trustPolicy: PolicyDocument;
  /** The function whose role the trust policy names as an AWS principal: the role is that function's caller role. */
  readonly assumedBy?: FunctionUnderTest;
}

export interface TableUnderTest {
  readonly logicalId: string;
  readonly arn: string;
  readonly name: string;
  /** The table's partition key attribute; undefined when the template does not say (a table outside the stack). */
  readonly partitionKey?: string;
  readonly sortKey?: string;
  /** Partition key attribute of each secondary index, by index name. */
  readonly indexes: { [indexName: string]: string };
  /** ARN of the customer-managed key encrypting the table, if any. */
  readonly keyArn?: string;
}

export interface SecretUnderTest {
  readonly logicalId: string;
  readonly arn: string;
  /** ARN of the customer-managed key encrypting the secret, if any. */
  readonly keyArn?: string;
}

export interface QueueUnderTest {
  readonly logicalId: string;
  readonly arn: string;
  /** The queue's URL, as its `Ref` gives it. */
  readonly url: string;
  /** ARN of the customer-managed key encrypting the queue, if any. */
  readonly keyArn?: string;
}

export interface KeyUnderTest {
  readonly logicalId: string;
  readonly arn: string;
  readonly policy: PolicyDocument;
}

/** Everything in one stack that the least-privilege cases need. */
export interface StackModel {
  readonly env: Environment;
  readonly roles: RoleUnderTest[];
  readonly functions: FunctionUnderTest[];
  readonly tables: TableUnderTest[];
  readonly keys: KeyUnderTest[];
  readonly secrets: SecretUnderTest[];
  readonly queues: QueueUnderTest[];
  readonly logGroupArns: string[];
}

const asArray = (value: Json | undefined): Json[] =>
  value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
const asObject = (value: Json | undefined): JsonObject =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {};

export function loadStack(template: CfnTemplate, env: Partial<Environment> = {}): StackModel {
  const t = new ResolvedTemplate(template, { ...DEFAULT_ENVIRONMENT, ...env });
  const functions = loadFunctions(t);
  return {
    env: t.env,
    roles: loadRoles(t, functions),
    functions,
    tables: loadTables(t),
    keys: t.ofType('AWS::KMS::Key').map(([id, r]) => ({
      logicalId: id,
      arn: t.arnOf(id),
      policy: asObject(t.resolve(r.Properties?.KeyPolicy ?? {})),
    })),
    secrets: t.ofType('AWS::SecretsManager::Secret').map(([id, r]) => {
      const key = r.Properties?.KmsKeyId;
      return {
        logicalId: id,
        arn: t.arnOf(id),
        ...(key === undefined ? {} : { keyArn: t.resolveString(key, `${id}.KmsKeyId`) }),
      };
    }),
    queues: t.ofType('AWS::SQS::Queue').map(([id, r]) => {
      const key = r.Properties?.KmsMasterKeyId;
      const keyRef = key === undefined ? undefined : t.resolveString(key, `${id}.KmsMasterKeyId`);
      const keyId = keyRef === undefined ? undefined : t.idOf(keyRef, 'AWS::KMS::Key');
      return {
        logicalId: id,
        arn: t.arnOf(id),
        url: t.resolveString({ Ref: id }, `${id} Ref`),
        ...(keyRef === undefined ? {} : { keyArn: keyId ? t.arnOf(keyId) : keyRef }),
      };
    }),
    logGroupArns: t.ofType('AWS::Logs::LogGroup').map(([id]) => t.arnOf(id)),
  };
}

function loadFunctions(t: ResolvedTemplate): FunctionUnderTest[] {
  const mappings = t.ofType('AWS::Lambda::EventSourceMapping').map(([id, r]) => ({
    functionName: t.resolveString(r.Properties?.FunctionName ?? '', `${id}.FunctionName`),
    source: t.resolveString(r.Properties?.EventSourceArn ?? '', `${id}.EventSourceArn`),
    onFailure: asObject(asObject(r.Properties?.DestinationConfig).OnFailure).Destination,
  }));
  const invokeConfigs = t.ofType('AWS::Lambda::EventInvokeConfig').map(([id, r]) => ({
    functionName: t.resolveString(r.Properties?.FunctionName ?? '', `${id}.FunctionName`),
    onFailure: asObject(asObject(r.Properties?.DestinationConfig).OnFailure).Destination,
  }));
  return t.ofType('AWS::Lambda::Function').map(([id, r]) => {
    const props = r.Properties ?? {};
    const variables = asObject(asObject(props.Environment).Variables);
    const environment = Object.fromEntries(
      Object.entries(variables).map(([k, v]) => [k, t.resolveString(v, `${id} environment ${k}`)]),
    );
    const logGroup = asObject(props.LoggingConfig).LogGroup;
    const name = t.nameOf(id);
    const logGroupArn =
      logGroup === undefined
        ? `arn:${t.env.partition}:logs:${t.env.region}:${t.env.account}:log-group:/aws/lambda/${name}:*`
        : logGroupArnOf(t, t.resolveString(logGroup, `${id}.LoggingConfig.LogGroup`));
    const streams = t
      .ofType('AWS::Lambda::EventSourceMapping')
      .map(([, mapping]) => mapping.Properties ?? {})
      .filter((mapping) => t.resolveString(mapping.FunctionName ?? '', `${id} mapping`) === name)
      .map((mapping) => t.resolveString(mapping.EventSourceArn ?? '', `${id} mapping source`))
      .filter((source) => /:dynamodb:.*\/stream\//.test(source));
    return {
      logicalId: id,
      arn: t.arnOf(id),
      roleArn: t.resolveString(props.Role ?? '', `${id}.Role`),
      environment,
      logGroupArn,
      tracing: asObject(props.TracingConfig).Mode === 'Active',
      consumes: mappings
        .filter((m) => m.functionName === name || m.functionName === t.arnOf(id))
        .map((m) => m.source)
        .filter((source) => source.split(':')[2] === 'sqs'),
      failureDestinations: [...mappings, ...invokeConfigs]
        .filter((m) => m.onFailure !== undefined && (m.functionName === name || m.functionName === t.arnOf(id)))
        .map((m) => t.resolveString(m.onFailure, `${id} on-failure destination`)),
      streams,
    };
  });
}

function logGroupArnOf(t: ResolvedTemplate, name: string): string {
  const id = t.idOf(name, 'AWS::Logs::LogGroup');
  return id ? t.arnOf(id) : `arn:${t.env.partition}:logs:${t.env.region}:${t.env.account}:log-group:${name}:*`;
}

/** The AWS principals a trust policy's Allow statements name. */
function trustedPrincipals(trustPolicy: PolicyDocument): string[] {
  return asArray(trustPolicy.Statement)
    .map(asObject)
    .filter((s) => s.Effect === 'Allow')
    .flatMap((s) => asArray(asObject(s.Principal).AWS).map((p) => `${p}`));
}

function loadRoles(t: ResolvedTemplate, functions: FunctionUnderTest[]): RoleUnderTest[] {
  const attached = new Map<string, NamedPolicy[]>();
  const managedByArn = new Map<string, NamedPolicy>();
  for (const [id, r] of t.ofType('AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy')) {
    const policy = { name: id, document: asObject(t.resolve(r.Properties?.PolicyDocument ?? {})) };
    if (r.Type === 'AWS::IAM::ManagedPolicy') managedByArn.set(t.arnOf(id), policy);
    for (const role of asArray(r.Properties?.Roles)) {
      const roleId = t.idOf(t.resolveString(role, `${id}.Roles`), 'AWS::IAM::Role');
      if (!roleId) throw new Error(`${id} is attached to a role outside the template: ${JSON.stringify(role)}`);
      attached.set(roleId, [...(attached.get(roleId) ?? []), policy]);
    }
  }
  // Integrations and Lambda authorizers name the role API Gateway invokes each function with.
  const integrations = t
    .ofType(
      'AWS::ApiGatewayV2::Integration',
      'AWS::ApiGatewayV2::Authorizer',
      'AWS::ApiGateway::Method',
      'AWS::ApiGateway::Authorizer',
    )
    .map(([id, r]) => {
      const props = r.Properties ?? {};
      const integration = asObject(props.Integration);
      const credentials =
        props.CredentialsArn ??
        props.AuthorizerCredentialsArn ??
        props.AuthorizerCredentials ??
        integration.Credentials;
      const uri = props.IntegrationUri ?? props.AuthorizerUri ?? integration.Uri;
      return {
        roleArn: credentials === undefined ? undefined : t.resolveString(credentials, `${id} credentials`),
        target: uri === undefined ? '' : t.resolveString(uri, `${id} uri`),
      };
    });
  return t.ofType('AWS::IAM::Role').map(([id, r]) => {
    const arn = t.arnOf(id);
    const inline = asArray(r.Properties?.Policies).map((p, i) => {
      const policy = asObject(p);
      return {
        name: `inline:${policy.PolicyName ?? i}`,
        document: asObject(t.resolve(policy.PolicyDocument ?? {})),
      };
    });
    const managed = asArray(r.Properties?.ManagedPolicyArns).map((p) => t.resolveString(p, `${id}.ManagedPolicyArns`));
    const functionArns = t.ofType('AWS::Lambda::Function').map(([fnId]) => t.arnOf(fnId));
    const trustPolicy = asObject(t.resolve(r.Properties?.AssumeRolePolicyDocument ?? {}));
    const trusted = trustedPrincipals(trustPolicy);
    const assumedBy = functions.find((f) => trusted.includes(f.roleArn));
    return {
      logicalId: id,
      arn,
      policies: [
        ...inline,
        ...(attached.get(id) ?? []),
        ...managed.flatMap((m) => (managedByArn.has(m) ? [managedByArn.get(m)!] : [])),
      ],
      unevaluatedPolicies: managed.filter((m) => !managedByArn.has(m)),
      function: functions.find((f) => f.roleArn === arn),
      // A REST API's Lambda URI wraps the function ARN; an HTTP API's is the ARN itself.
      invokes: functionArns.filter((fnArn) =>
        integrations.some((i) => i.roleArn === arn && (i.target === fnArn || i.target.includes(`/${fnArn}/`))),
      ),
      trustPolicy,
      ...(assumedBy ? { assumedBy } : {}),
    };
  });
}

function loadTables(t: ResolvedTemplate): TableUnderTest[] {
  return t.ofType('AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable').map(([id, r]) => {
    const props = r.Properties ?? {};
    const indexes: { [name: string]: string } = {};
    const keyOf = (schema: Json | undefined, type: string) =>
      asArray(schema)
        .map(asObject)
        .find((k) => k.KeyType === type)?.AttributeName;
    for (const index of [...asArray(props.GlobalSecondaryIndexes), ...asArray(props.LocalSecondaryIndexes)]) {
      const { IndexName, KeySchema } = asObject(index);
      indexes[`${IndexName}`] = `${keyOf(KeySchema, 'HASH')}`;
    }
    const partitionKey = keyOf(props.KeySchema, 'HASH');
    const sortKey = keyOf(props.KeySchema, 'RANGE');
    // A Table names its key in SSESpecification; a GlobalTable in each replica's SSESpecification.
    const replica = asArray(props.Replicas)
      .map(asObject)
      .find((rep) => t.resolve(rep.Region ?? null) === t.env.region);
    const keyRef =
      asObject(props.SSESpecification).KMSMasterKeyId ?? asObject(replica?.SSESpecification).KMSMasterKeyId;
    let keyArn: string | undefined;
    if (keyRef !== undefined) {
      const resolved = t.resolveString(keyRef, `${id} KMSMasterKeyId`);
      const keyId = t.idOf(resolved, 'AWS::KMS::Key');
      keyArn = keyId ? t.arnOf(keyId) : resolved;
    }
    return {
      logicalId: id,
      arn: t.arnOf(id),
      name: t.nameOf(id),
      ...(partitionKey === undefined ? {} : { partitionKey: `${partitionKey}` }),
      ...(sortKey === undefined ? {} : { sortKey: `${sortKey}` }),
      indexes,
      keyArn,
    };
  });
}
