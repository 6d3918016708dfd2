export declare const API_NODE_FLAGS: string[];
export declare const API_ENTRY: string[];
export declare const apiEnv: (env: NodeJS.ProcessEnv) => NodeJS.ProcessEnv;
