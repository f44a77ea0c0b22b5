export { TendClient, ApiError, type ApiCredentials, type TendClientOptions, type SignedApiRequest } from './api/tend-client.js';
export { formatTable, type Column } from './output/table.js';
