export { TendClient, ApiError, type ApiCredentials, type TendClientOptions } from './api/tend-client.js';
