export { startServer, type RunningServer, type RootCredentials, type StartOptions } from './main.js';
export { writeCredentialsFile } from './credentials-file.js';
export { CONFIG_VARIABLES, loadConfig, type ServerConfig } from './config.js';
export { TEND_VERSION } from './version.js';
