export * from './serverless-api';
export * from './api/authorization';
export * from './api/route';
export * from './functions/function-options';
export * from './monitoring/alarm-options';
export * from './table/access-pattern';
export * from './table/table-encryption';
export * from './table/table-options';
