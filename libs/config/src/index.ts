// Public surface of config: the one validated settings object.
export { loadConfig, configWarnings, ConfigError, type Config, type StorageConfig } from './config.js';
