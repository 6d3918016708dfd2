// The names a version's evaluations are stored under (Evaluation.name): one home for the jobs that write them, the
// lineage walk that reads earlier versions' figures and the API that types them.
export const RETENTION_EVALUATION = 'imagenet-retention';
export const VAL_EVALUATION = 'val';
