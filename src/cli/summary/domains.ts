/** Custom domain names: the URLs at which each API is mapped, with their TLS policy, and a disabled execute-api endpoint. */

import { JsonObject, list, obj, refOf, TemplateIndex } from '../../assembly/template';

const HTTP_DOMAIN = 'AWS::ApiGatewayV2::DomainName';
const REST_DOMAIN = 'AWS::ApiGateway::DomainName';
const API_MAPPING = 'AWS::ApiGatewayV2::ApiMapping';
const BASE_PATH_MAPPING = 'AWS::ApiGateway::BasePathMapping';

export interface CustomDomainSummary {
  /** `https://<domain>/<base path>/`. */
  readonly url: string;
  /** `TLS_1_2`, or the enhanced policy's name; `TLS_1_0` when the domain name sets none. */
  readonly securityPolicy: string;
}

/** What an API's summary says of its custom domains: set only when there is something to say. */
export interface ApiDomainFields {
  readonly customDomains?: CustomDomainSummary[];
  readonly executeApiDisabled?: boolean;
}

function securityPolicy(index: TemplateIndex, domainId: string): string {
  const props = index.props(domainId);
  const configured = props.SecurityPolicy ?? obj(list(props.DomainNameConfigurations)[0]).SecurityPolicy;
  // API Gateway's default for a domain name that names no policy.
  return configured === undefined ? 'TLS_1_0' : index.render(configured);
}

function mappingUrl(index: TemplateIndex, domainId: string, basePath: unknown): string {
  const path = basePath === undefined || basePath === '' || basePath === '(none)' ? '' : `${index.render(basePath)}/`;
  return `https://${index.render(index.props(domainId).DomainName ?? domainId)}/${path}`;
}

/** The custom-domain fields of the API `apiId` (its resource's `props`). */
export function apiDomainFields(index: TemplateIndex, apiId: string, props: JsonObject): ApiDomainFields {
  const domains = new Set(index.ofType(HTTP_DOMAIN, REST_DOMAIN).map(([id]) => id));
  const mappings = [
    ...index
      .ofType(API_MAPPING)
      .map(([, m]) => [m.Properties?.ApiId, m.Properties?.DomainName, m.Properties?.ApiMappingKey]),
    ...index
      .ofType(BASE_PATH_MAPPING)
      .map(([, m]) => [m.Properties?.RestApiId, m.Properties?.DomainName, m.Properties?.BasePath]),
  ];
  const customDomains = mappings
    .filter(([api, domain]) => refOf(api) === apiId && domains.has(refOf(domain) ?? ''))
    .map(([, domain, basePath]) => {
      const domainId = refOf(domain)!;
      return { url: mappingUrl(index, domainId, basePath), securityPolicy: securityPolicy(index, domainId) };
    })
    .sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : 0));
  return {
    ...(customDomains.length > 0 ? { customDomains } : {}),
    ...(props.DisableExecuteApiEndpoint === true ? { executeApiDisabled: true } : {}),
  };
}
