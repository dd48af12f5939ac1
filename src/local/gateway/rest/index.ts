/** The local REST API gateway (API Gateway REST APIs with Lambda proxy integrations). */
export { createRestGateway } from './gateway';
export { localRestApiId } from './ids';
