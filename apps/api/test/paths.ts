import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
export const SHARED = resolve(REPO, '../shared');
export const FLOWERS = join(SHARED, 'datasets/flowers');
export const PANDA = join(SHARED, 'datasets/imagenet-sample/n02510455_giant_panda.jpg');
