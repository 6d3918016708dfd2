// Public surface of config: the one validated settings object.
export { loadConfig, ConfigError, type Config } from './config.js';
